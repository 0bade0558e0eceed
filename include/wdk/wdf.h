/* irqloop: the WDK header wdf.h, as far as irqloop's shim provides it (../irqloop_wdk.h) */
#include "irqloop_wdk.h"
