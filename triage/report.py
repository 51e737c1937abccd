"""The triage report: each group with its remedy, in the order an agent should read them.

Confident groups come first (a known problem with a known fix), most frequent first; then the
unanswered ones, most frequent first. :meth:`Report.to_dict` is the JSON shape of both
``kb triage --json`` and ``POST /api/v1/triage``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.entry import Entry

from .event import SEVERITY
from .group import Group


@dataclass(frozen=True)
class GroupResult:
    """One group and the best remedy the engine found for its sample event."""

    group: Group
    entry: Entry | None  # the top remedy's entry (the nearest one when not confident)
    confidence: float
    confident: bool

    def sort_key(self) -> tuple:
        g = self.group
        return (
            not self.confident,
            -g.count,
            -SEVERITY.get(g.level, 0),
            g.first_seen or "",
            g.source or "",
            g.event_id or 0,
            g.template,
        )

    def to_dict(self) -> dict[str, Any]:
        g = self.group
        return {
            "source": g.source,
            "event_id": g.event_id,
            "level": g.level,
            "count": g.count,
            "first_seen": g.first_seen,
            "last_seen": g.last_seen,
            "hosts": sorted(g.hosts, key=str.casefold),
            "template": g.template,
            "entry": self.entry.id if self.entry else None,
            "title": self.entry.title if self.entry else None,
            "confidence": round(self.confidence, 3),
            "confident": self.confident,
        }


@dataclass(frozen=True)
class Report:
    """Everything one triage run found: events read, groups with remedies, what was skipped."""

    events: int
    groups: tuple[GroupResult, ...]
    skipped: tuple[dict, ...] = ()
    warnings: tuple[dict, ...] = ()
    ungrouped: int = 0  # kept events past the group limit: counted, not grouped

    @property
    def confident(self) -> tuple[GroupResult, ...]:
        return tuple(g for g in self.groups if g.confident)

    @property
    def unanswered(self) -> tuple[GroupResult, ...]:
        return tuple(g for g in self.groups if not g.confident)

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "groups": [g.to_dict() for g in self.groups],
            "skipped": list(self.skipped),
            "warnings": list(self.warnings),
        }
