"""Fixtures shared by every test folder: where things are, and small KBs in temp dirs."""

from __future__ import annotations

from pathlib import Path

import pytest
from testkb import DATA, REPO, copy_kb


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture
def small_kb(tmp_path) -> Path:
    """A private copy of tests/data/kb_small that a test may edit."""
    return copy_kb(DATA / "kb_small", tmp_path)


def _loaded(kb: Path, index_dir: Path):
    from engine import Diagnoser

    diagnoser = Diagnoser(kb, index_dir)
    yield diagnoser
    diagnoser.close()


@pytest.fixture(scope="session")
def small_diagnoser(tmp_path_factory):
    """One loaded Diagnoser over kb_small, its index in a temp dir (read-only use)."""
    root = tmp_path_factory.mktemp("small")
    yield from _loaded(copy_kb(DATA / "kb_small", root), root / "index")


@pytest.fixture(scope="session")
def shipped_diagnoser(tmp_path_factory):
    """One loaded Diagnoser over the shipped kb/ (read-only use), its index in a temp dir."""
    yield from _loaded(REPO / "kb", tmp_path_factory.mktemp("shipped-index"))


def pytest_ignore_collect(collection_path: Path, config) -> bool | None:
    """Keep ``--doctest-modules`` from importing the conftest files a second time as modules
    (two of them share the name ``conftest``); pytest still loads them as conftests."""
    return True if collection_path.name == "conftest.py" else None


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throw-away PostgreSQL cluster for the session (see tests/services.py)."""
    from services import Postgres, postgres_bindir, require

    require("postgres", postgres_bindir() is not None)
    cluster = Postgres().init()
    yield cluster
    cluster.destroy()


@pytest.fixture
def postgres_url(postgres_cluster) -> str:
    """A fresh, empty database in the session's cluster."""
    import uuid

    return postgres_cluster.new_database(f"kb_{uuid.uuid4().hex[:12]}")
