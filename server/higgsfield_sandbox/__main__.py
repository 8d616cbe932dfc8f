"""``python -m higgsfield_sandbox``."""

import sys

from .cli import main

sys.exit(main())
