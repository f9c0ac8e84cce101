"""The view model stays Qt-free: it must load (and shape a document) with no GUI module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_viewmodel_loads_without_qt() -> None:
    code = (
        "import sys, random\n"
        "from editor.viewmodel import TranscriptModel\n"
        "from tests.sync.factory import make_doc\n"
        "TranscriptModel(make_doc(random.Random(1), 50)).find('the')\n"
        "gui = ('PySide6', 'pyqtgraph', 'sounddevice', 'shiboken6')\n"
        "bad = [m for m in gui if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
