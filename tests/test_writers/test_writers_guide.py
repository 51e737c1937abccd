"""The writers' guide (kb/README.md) documents every key, section, condition and command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.entry import FRONT_MATTER_KEYS, INGEST_KEYS, SECTIONS, SIGNATURE_KEYS
from engine.kb import entry_files
from engine.rules.spec import (
    LEAF_KINDS,
    WEIGHT_CODE,
    WEIGHT_EVENT,
    WEIGHT_EVENT_WITH_SOURCE,
    WEIGHT_MESSAGE,
)

REPO = Path(__file__).resolve().parents[2]
GUIDE = (REPO / "kb" / "README.md").read_text(encoding="utf-8")
NAMES = sorted(
    {
        *FRONT_MATTER_KEYS,
        *SIGNATURE_KEYS,
        *INGEST_KEYS,
        *LEAF_KINDS,
        "all",
        "any",
        "name",
        "weight",
        "generic",
        "aliases",
        "terms",
    }
)


@pytest.mark.parametrize("name", NAMES)
def test_every_key_and_condition_is_documented(name):
    assert f"`{name}" in GUIDE


@pytest.mark.parametrize("section", sorted({s for names in SECTIONS.values() for s in names}))
def test_every_section_is_documented(section):
    assert f"`## {section}`" in GUIDE


@pytest.mark.parametrize("command", ["new", "lint", "test", "diagnose", "serve", "ingest"])
def test_every_writer_command_is_documented(command):
    assert re.search(rf"^### `kb {command}\b|`kb {command}\b", GUIDE, re.MULTILINE)


def test_the_signature_weights_are_the_engines():
    for weight in (WEIGHT_MESSAGE, WEIGHT_EVENT_WITH_SOURCE, WEIGHT_EVENT, WEIGHT_CODE):
        assert f"| {weight} |" in GUIDE or f"| {weight}," in GUIDE


def test_the_guide_is_not_an_entry():
    assert REPO / "kb" / "README.md" not in list(entry_files(REPO / "kb"))
