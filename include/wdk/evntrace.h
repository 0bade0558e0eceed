/* irqloop: the WDK header evntrace.h, as far as irqloop's shim provides it (../irqloop_wdk.h) */
#include "irqloop_wdk.h"
