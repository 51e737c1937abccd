"""Fixtures for the ingester's tests: a fresh KB folder, the seed feed, the shared feed
corpus, a CLI runner and a network tripwire."""

from __future__ import annotations

import os
import shutil
import socket
import sys
import urllib.request
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
# The repository first on sys.path, so `import ingest` is the package, never the tests/ingest
# folder (a namespace package when tests/ itself lands on sys.path).
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from click.testing import CliRunner

from engine.kb import entry_files, parse_entry, read_text
from ingest.run import IngestOptions, ingest
from kbcli.main import cli

SEED_FEED = REPO_ROOT / "tests" / "data" / "seed_feed.xml"
GLOSSARY = REPO_ROOT / "kb" / "glossary.yaml"


def shared_dir() -> Path:
    return Path(os.environ.get("KB_SHARED_DIR") or REPO_ROOT.parent / "shared")


CORPUS_DIR = shared_dir() / "testdata" / "feeds"


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    """An empty KB folder holding only the shipped glossary."""
    folder = tmp_path / "kb"
    folder.mkdir()
    if GLOSSARY.exists():
        shutil.copy(GLOSSARY, folder / "glossary.yaml")
    return folder


def run_ingest(sources, kb: Path, **options):
    """Ingest through the library; returns (result, report lines)."""
    lines: list[str] = []
    result = ingest([str(s) for s in sources], IngestOptions(kb_dir=kb, **options), lines.append)
    return result, lines


def run_cli(*args: str):
    """`kb ingest ...` through click's test runner (stdout and stderr kept apart)."""
    return CliRunner().invoke(cli, ["ingest", *args], catch_exceptions=False)


def assert_reported(result, exit_code: int, stdout: list[str], stderr: list[str] | None = None):
    """`kb ingest` exited with *exit_code* and printed its report, *stdout*, line by line, and
    its rejections, *stderr* (unless None: not looked at)."""
    assert result.exit_code == exit_code
    if stderr is not None:
        assert result.stderr.splitlines() == stderr
    assert result.stdout.splitlines() == stdout


def summary_line(
    *,
    new: int = 0,
    updated: int = 0,
    unchanged: int = 0,
    edited: int = 0,
    owned: int = 0,
    rejected: int = 0,
) -> str:
    """The summary line `kb ingest` ends its report with (``IngestResult.summary()``), written
    out once here for the tests: these counts, the others 0."""
    return (
        f"{new} new, {updated} updated, {unchanged} unchanged, {edited} kept (edited),"
        f" {owned} kept (owned), {rejected} rejected"
    )


def read_kb(kb: Path) -> dict[str, tuple]:
    """id -> (Entry, file text) for every entry file in *kb*."""
    out = {}
    for path in entry_files(kb):
        text = read_text(path)
        entry = parse_entry(text, path)
        out[entry.id] = (entry, text)
    return out


def snapshot(kb: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(kb.iterdir()) if p.is_file()}


@pytest.fixture(scope="session")
def seed_kb(tmp_path_factory) -> dict[str, tuple]:
    """The seed feed ingested once into a session folder: id -> (Entry, text)."""
    folder = tmp_path_factory.mktemp("seed") / "kb"
    folder.mkdir()
    shutil.copy(GLOSSARY, folder / "glossary.yaml")
    result, _ = run_ingest([SEED_FEED], folder)
    assert result.exit_code == 0
    return read_kb(folder)


class NetworkUsed(AssertionError):
    """Raised when code under test opens a network connection it must not open."""


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test on any attempt to resolve a host or open a connection."""

    def refuse(*args, **kwargs):
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return refuse
