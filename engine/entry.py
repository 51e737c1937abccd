"""A knowledge-base entry: the unit writers edit, the ingester writes and the engine serves.

An entry is one Markdown file in ``kb/``: YAML front matter (identity, signatures, rules,
examples, provenance) and a body of ``## Section`` blocks. This module holds the in-memory
shape only; reading and writing files lives in :mod:`engine.kb`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS = ("troubleshooting", "guide")

# Section names per kind, in the order they are written. The first ones are required.
SECTIONS: dict[str, tuple[str, ...]] = {
    "troubleshooting": ("Symptom", "Cause", "Fix", "Notes", "References"),
    "guide": ("Summary", "Steps", "Notes", "References"),
}
REQUIRED_SECTIONS: dict[str, tuple[str, ...]] = {
    "troubleshooting": ("Symptom", "Cause", "Fix"),
    "guide": ("Summary", "Steps"),
}

OWNERS = ("ingest", "writer")
# Served only when published (and clean); `kb new` writes drafts. Absent means published.
STATUSES = ("published", "draft")

# Front-matter keys in the order they are written; anything else is a lint error.
FRONT_MATTER_KEYS = (
    "id",
    "title",
    "kind",
    "status",
    "language",
    "source",
    "products",
    "tags",
    "signatures",
    "rules",
    "generated_rules",
    "examples",
    "see_also",
    "owner",
    "ingest",
)
SIGNATURE_KEYS = ("messages", "events", "codes", "phrases")
# What an entry listing shows of each entry (GET /api/v1/entries).
SUMMARY_KEYS = ("id", "title", "kind", "source", "products", "tags")
INGEST_KEYS = ("feed", "guid", "part", "content_hash", "generated_hash", "problems")


@dataclass(frozen=True)
class EventSignature:
    """A Windows event an entry is about: its ID and, when known, its source/provider."""

    id: int
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.source:
            out["source"] = self.source
        return out


@dataclass(frozen=True)
class Signatures:
    """What identifies the error: message lines as shown, events, error codes, and a few rare
    key phrases of the symptom ("UDP port 3343", "NetShareGetInfo")."""

    messages: tuple[str, ...] = ()
    events: tuple[EventSignature, ...] = ()
    codes: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.messages or self.events or self.codes or self.phrases)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.messages:
            out["messages"] = list(self.messages)
        if self.events:
            out["events"] = [e.to_dict() for e in self.events]
        if self.codes:
            out["codes"] = list(self.codes)
        if self.phrases:
            out["phrases"] = list(self.phrases)
        return out


@dataclass(frozen=True)
class Entry:
    """One remedy (kind ``troubleshooting``) or how-to (kind ``guide``)."""

    id: str
    title: str
    kind: str = "troubleshooting"
    language: str = "en"
    source: str | None = None
    products: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    signatures: Signatures = field(default_factory=Signatures)
    # Rule specs exactly as the writer wrote them; engine.rules compiles them.
    rules: tuple[Mapping[str, Any], ...] = ()
    # Rule specs derived from the signatures by `kb ingest` (regenerated on every re-ingest);
    # a writer's rule of the same name replaces one (see engine.rules.spec).
    generated_rules: tuple[Mapping[str, Any], ...] = ()
    examples: tuple[str, ...] = ()
    see_also: tuple[str, ...] = ()
    owner: str = "writer"
    ingest: Mapping[str, Any] | None = None
    status: str = "published"
    # (name, markdown) pairs in file order.
    sections: tuple[tuple[str, str], ...] = ()
    path: str | None = field(default=None, compare=False)
    # (line, col) in the file of "id" and of each rule ("rules.0", ...), for error messages
    positions: Mapping[str, tuple[int, int]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def where(self, key: str) -> tuple[int, int]:
        """(line, col) of front-matter *key* in the entry's file; (1, 1) when unknown."""
        return self.positions.get(key, (1, 1))

    def section(self, name: str) -> str:
        """The Markdown of section *name*, or '' when the entry has none."""
        for key, text in self.sections:
            if key.lower() == name.lower():
                return text
        return ""

    @property
    def symptom(self) -> str:
        return self.section("Symptom") or self.section("Summary")

    @property
    def cause(self) -> str:
        return self.section("Cause")

    @property
    def fix(self) -> str:
        return self.section("Fix") or self.section("Steps")

    def to_dict(self) -> dict[str, Any]:
        """The whole entry as JSON-ready data (the API's entry shape)."""
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "status": self.status,
            "language": self.language,
            "source": self.source,
            "products": list(self.products),
            "tags": list(self.tags),
            "signatures": self.signatures.to_dict(),
            "rules": [dict(r) for r in self.rules],
            "generated_rules": [dict(r) for r in self.generated_rules],
            "examples": list(self.examples),
            "see_also": list(self.see_also),
            "owner": self.owner,
            "sections": {name: text for name, text in self.sections},
        }

    def summary_dict(self) -> dict[str, Any]:
        """The short listing shape used by ``GET /api/v1/entries``: a part of :meth:`to_dict`."""
        whole = self.to_dict()
        return {key: whole[key] for key in SUMMARY_KEYS}
