"""Entry point of ``wordcut-relay``, the headless co-editing relay.

The relay (PRODUCT.md C9) is not part of this build yet. The console script exists so that
installs and packaging already carry the name; it says plainly that the relay is unavailable
instead of pretending to serve.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="wordcut-relay",
        description="Headless relay for live co-editing (not part of this build yet).",
    )
    parser.parse_args(argv)
    print(
        "wordcut-relay: live co-editing is not part of this build yet; "
        "solo editing works through `wordcut`",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
