"""``python -m editor.cli``: the ``wordcut`` command without an installed console script."""

import sys

from editor.cli import main

sys.exit(main())
