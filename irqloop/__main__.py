"""`python -m irqloop` is the `irqloop` command."""

import sys

from irqloop.cli import main

sys.exit(main())
