"""Suite-wide: the machine-wide cache (``editor.paths.cache_dir``) goes to a temporary folder,
so tests never write into the user's own cache and every run starts from a cold one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    before = os.environ.get("WORDCUT_CACHE")
    os.environ["WORDCUT_CACHE"] = str(tmp_path_factory.mktemp("wordcut-cache"))
    yield
    if before is None:
        os.environ.pop("WORDCUT_CACHE", None)
    else:
        os.environ["WORDCUT_CACHE"] = before
