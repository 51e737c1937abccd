"""The one way tests build a KB folder: a private copy of a folder of fixtures.

A module with a unique name, importable from any test folder (``from testkb import copy_kb``);
the fixtures over it are in ``tests/conftest.py``.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from engine.entry import Entry
from engine.kb import render_entry

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"


def copy_kb(source: Path, root: Path) -> Path:
    """A private copy of the KB folder *source* at ``root/kb``, for a test to edit."""
    target = root / "kb"
    shutil.copytree(source, target)
    return target


def make_entry(entry_id: str, title: str, symptom: str, cause: str, fix: str, **fields) -> Entry:
    """A troubleshooting entry with its three sections; *fields* are any other Entry field."""
    return Entry(
        id=entry_id,
        title=title,
        sections=(("Symptom", symptom), ("Cause", cause), ("Fix", fix)),
        **fields,
    )


def write_kb(kb: Path, entries, glossary: str | None = None) -> Path:
    """Write *entries* as the KB folder *kb* (created if need be), with *glossary* (YAML text)
    as its glossary.yaml when given."""
    kb.mkdir(parents=True, exist_ok=True)
    if glossary is not None:
        write_atomic(kb / "glossary.yaml", glossary)
    for one in entries:
        write_atomic(kb / f"{one.id}.md", render_entry(one))
    return kb


SPOOLER_ENTRY = """---
id: spooler-quasar
title: "Print spooler stops when the {word} driver loads"
kind: troubleshooting
{status}rules:
  - name: {word}-driver
    weight: 0.9
    phrase: {word} driver stopped the spooler
---

## Symptom

The {word} driver stopped the spooler.

## Cause

A broken {word} driver.

## Fix

1. Remove the {word} driver.
"""


def spooler_entry(word: str, status: str = "") -> str:
    """A small entry whose rule fires on "the WORD driver stopped the spooler": the live-reload
    tests write it, change its word, break it and fix it."""
    return SPOOLER_ENTRY.format(word=word, status=f"status: {status}\n" if status else "")


def write_atomic(path: Path, text: str) -> None:
    """Replace *path* as editors do, so a server watching the KB never reads half a file."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class FlatStats:
    """Index statistics in which every word is equally common (for engine.search.query):
    *df* entries hold each word, which weighs *idf*."""

    n_docs: int = 0
    every_df: int = 0
    every_idf: float = 0.0

    def df(self, term: str) -> int:
        return self.every_df

    def idf(self, term: str) -> float:
        return self.every_idf
