"""The module boundaries the design relies on (see README "How a paste is diagnosed").

- engine/ is a pure library: no Flask, no feed parsing, nothing from ingest/, webapp/, kbcli/,
  triage/;
- only engine/search/ imports Whoosh, only engine/rules/durable_engine.py durable_rules, and only
  triage/readers/evtx_file.py evtx;
- webapp/ and ingest/ never import each other;
- triage/ (log triage) sits beside the engine like ingest/: it imports engine only; webapp/ and
  kbcli/ may import it;
- kbcli/'s modules import each other without a circle (the group adds the commands).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sourcetree import REPO, imports_of, sibling_imports


def modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


@pytest.mark.parametrize("path", modules("engine"), ids=lambda p: str(p.relative_to(REPO)))
def test_the_engine_is_a_pure_library(path):
    forbidden = {
        "flask",
        "werkzeug",
        "feedparser",
        "bs4",
        "markdownify",
        "waitress",
        "click",
        "ingest",
        "webapp",
        "kbcli",
        "triage",
    }
    assert not imports_of(path) & forbidden


@pytest.mark.parametrize(
    "path",
    [p for package in ("engine", "ingest", "webapp", "kbcli", "triage") for p in modules(package)],
    ids=lambda p: str(p.relative_to(REPO)),
)
def test_each_third_party_engine_lives_behind_one_module(path):
    imported = imports_of(path)
    relative = path.relative_to(REPO).as_posix()
    if "whoosh" in imported:
        assert relative.startswith("engine/search/"), relative
    if "durable" in imported:
        assert relative == "engine/rules/durable_engine.py", relative
    if "evtx" in imported:
        assert relative == "triage/readers/evtx_file.py", relative


def test_webapp_and_ingest_do_not_import_each_other():
    assert not any("ingest" in imports_of(p) for p in modules("webapp"))
    assert not any("webapp" in imports_of(p) for p in modules("ingest"))


@pytest.mark.parametrize("path", modules("triage"), ids=lambda p: str(p.relative_to(REPO)))
def test_triage_is_a_library_beside_the_engine(path):
    forbidden = {"flask", "werkzeug", "click", "gunicorn", "gevent", "ingest", "webapp", "kbcli"}
    assert not imports_of(path) & forbidden


def test_kbcli_modules_import_each_other_without_a_circle():
    graph = {
        p.stem: sibling_imports(p) & {q.stem for q in modules("kbcli")} for p in modules("kbcli")
    }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    assert [m for m in graph if reaches(m, m, set())] == []
    assert graph["main"] >= {"engine_cmds", "ingest_cmd", "serve_cmd", "writer_cmds"}
