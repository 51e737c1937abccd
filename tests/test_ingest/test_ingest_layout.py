"""The ingester's boundaries, held by tests: which module may import which library, and every
`kb ingest` option documented in docs/ingest.md."""

from __future__ import annotations

import pytest
from conftest import REPO_ROOT
from sourcetree import imports_of

from kbcli.ingest_cmd import ingest_command

INGEST = REPO_ROOT / "ingest"
# Third-party engines live behind one module each.
ONLY_IN = {"feedparser": "feed.py", "nh3": "html.py", "markdownify": "html.py", "bs4": "html.py"}


@pytest.mark.parametrize("path", sorted(INGEST.glob("*.py")), ids=lambda p: p.name)
def test_module_imports_respect_the_layers(path):
    imported = imports_of(path)
    assert "webapp" not in imported
    for library, home in ONLY_IN.items():
        assert library not in imported or path.name == home, f"{path.name} imports {library}"


def test_the_engine_does_not_import_the_feed_parser():
    for path in (REPO_ROOT / "engine").rglob("*.py"):
        assert "feedparser" not in imports_of(path), path


def test_every_option_is_documented():
    docs = (REPO_ROOT / "docs" / "ingest.md").read_text(encoding="utf-8")
    options = [opt for param in ingest_command.params for opt in param.opts if opt.startswith("--")]
    assert options and [o for o in options if f"`{o}" not in docs] == []


def test_the_defaults_kb_ingest_shows_are_the_ingesters():
    from ingest.feed import MAX_ITEM_BYTES
    from ingest.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, human_size
    from kbcli.ingest_cmd import DEFAULTS_HELP

    assert DEFAULTS_HELP == {
        "--max-bytes": human_size(DEFAULT_MAX_BYTES),
        "--max-item-bytes": human_size(MAX_ITEM_BYTES),
        "--timeout": str(DEFAULT_TIMEOUT),
    }
