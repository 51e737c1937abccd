"""Every third-party package the code imports is declared in pyproject.toml.

A package that arrives only as another one's dependency (bs4 with markdownify, Werkzeug with
Flask) works until that other package changes its mind; then a fresh install breaks.
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib.metadata import packages_distributions

import pytest
from sourcetree import REPO, imports_of

OURS = {"engine", "ingest", "webapp", "kbcli", "triage"}
# modules of the test suite and the benchmarks, imported by their file name
LOCAL = {
    "conftest",
    "webhelpers",
    "webfixtures",
    "sourcetree",
    "samples",
    "testkb",
    "synth",
    "build_eval",
    "logmaker",
    "triagehelpers",
    "scenarios",
    "ingest_bench",
    "rssfeed",
    "services",
    "load_bench",
    "test_web_browser",  # the browser fixture, shared by test_web_browser_page.py
}
# Imported only where an optional job needs them, each declared in an extra:
# python-evtx in `bench/triage_bench.py --compare-python-evtx` (an ImportError says how to
# install it); scikit-learn when the confidence model is fitted again (`.[calibrate]`).
OPTIONAL = {"Evtx", "sklearn"}


def imported(folder: str) -> set[str]:
    names = {name for path in (REPO / folder).rglob("*.py") for name in imports_of(path)}
    return names - set(sys.stdlib_module_names) - OURS - LOCAL - OPTIONAL


def declared(*extras: str) -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {_canonical(re.match(r"[A-Za-z0-9_.-]+", r).group(0)) for r in requirements}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize(
    ("folders", "extras"),
    [(("engine", "ingest", "triage", "webapp", "kbcli"), ()), (("tests", "bench"), ("test",))],
)
def test_every_imported_package_is_declared(folders, extras):
    providers = packages_distributions()
    wanted = declared(*extras)
    missing = {
        module: providers.get(module, ["(not installed)"])
        for folder in folders
        for module in imported(folder)
        if not {_canonical(d) for d in providers.get(module, [])} & wanted
    }
    assert missing == {}
