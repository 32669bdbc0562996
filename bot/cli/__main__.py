"""`python -m bot.cli`: the same as `thaiqm-bot`."""

import sys

from bot.cli import main

sys.exit(main())
