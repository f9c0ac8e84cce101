"""The frozen ``wordcut-relay`` executable: the headless co-editing relay, as installed by pip."""

from __future__ import annotations

import multiprocessing
import sys

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from sync.relay_main import main

    sys.exit(main())
