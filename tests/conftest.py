"""Fixtures shared by every test folder: where things are, and small KBs in temp dirs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture
def small_kb(tmp_path) -> Path:
    """A private copy of tests/data/kb_small that a test may edit."""
    target = tmp_path / "kb"
    shutil.copytree(DATA / "kb_small", target)
    return target


@pytest.fixture(scope="session")
def small_diagnoser(tmp_path_factory):
    """One loaded Diagnoser over kb_small, its index in a temp dir (read-only use)."""
    from engine import Diagnoser

    root = tmp_path_factory.mktemp("small")
    kb = root / "kb"
    shutil.copytree(DATA / "kb_small", kb)
    diagnoser = Diagnoser(kb, root / "index")
    yield diagnoser
    diagnoser.close()


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """Keep ``--doctest-modules`` from importing the conftest files a second time as modules
    (two of them share the name ``conftest``); pytest still loads them as conftests."""
    return True if collection_path.name == "conftest.py" else None
