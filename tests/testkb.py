"""The one way tests build a KB folder: a private copy of a folder of fixtures.

A module with a unique name, importable from any test folder (``from testkb import copy_kb``);
the fixtures over it are in ``tests/conftest.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"


def copy_kb(source: Path, root: Path) -> Path:
    """A private copy of the KB folder *source* at ``root/kb``, for a test to edit."""
    target = root / "kb"
    shutil.copytree(source, target)
    return target
