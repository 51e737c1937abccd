"""Grouping: the kept events (critical, error, warning) by source + event ID + masked template.

The template is the message with its variable parts masked by the engine's own masking
(:func:`engine.masking.mask`: GUIDs, hosts, IPs, quoted names, times, paths), the same masking
``diagnose`` applies, plus one step of ours: bare decimal numbers (counts, PIDs, durations)
become ``<NUM>``, unless they follow a word that makes them the problem's identity (``event``,
``error``, ``code``, ``status``). Hex codes (``0x80070005``) stay: they name the error.

Why not Drain3: its templates depend on the lines seen before (a cluster's template widens as
it meets new lines), so the same line can land in differently-shaped groups in two uploads, and
a printed template can change afterwards; the masking here is a pure function of the line, and
keeps one definition of "variable part" for grouping and diagnosis.

>>> template("Cluster resource 'SQL (X)' failed on node1.contoso.com after 31 retries")
'Cluster resource <NAME> failed on <HOST> after <NUM> retries'
>>> template("Backup failed with error 5 after 12 s"), template("Event ID 1196 logged")
('Backup failed with error 5 after <NUM> s', 'Event ID 1196 logged')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from engine.masking import mask
from engine.normalise import clean

from .event import SEVERITY, Event
from .limits import Limits
from .notes import Notes

MAX_TEMPLATE_CHARS = 1000
MAX_SAMPLE_CHARS = 16_000  # the engine's focus budget: more would not be read
_CACHE_SIZE = 20_000
_NUMBER = re.compile(r"(?<![\w<%.])\d+(?![\w>])")
_IDENTITY = re.compile(
    r"(?:\bevent(?:\s*id)?|\bid|\berror|\bcode|\bstatus|\bexit|\breason|事件\s*ID|错误|代码)[\s:=#]*$",
    re.IGNORECASE,
)
# addresses and binary blobs, not error codes (0x80070005 has 8 digits)
_LONG_HEX = re.compile(r"\b(?:0x[0-9a-f]{9,}|[0-9a-f]{16,})\b", re.IGNORECASE)


def _number(match: re.Match[str]) -> str:
    before = match.string[max(0, match.start() - 16) : match.start()]
    return match.group(0) if _IDENTITY.search(before) else "<NUM>"


def template(message: str) -> str:
    """The message with its variable parts masked: what two events of one problem share."""
    masked, _values = mask(clean(message))
    masked = _LONG_HEX.sub("<ADDR>", masked)
    masked = _NUMBER.sub(_number, masked)
    return " ".join(masked.split())[:MAX_TEMPLATE_CHARS]


@dataclass
class Group:
    """Every kept event of one problem: how many, how bad, when, where, and one sample."""

    source: str | None
    event_id: int | None
    template: str
    sample: Event
    level: str
    count: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    hosts: set[str] = field(default_factory=set)

    def add(self, event: Event, max_hosts: int) -> None:
        self.count += 1
        if SEVERITY.get(event.level, 0) > SEVERITY.get(self.level, 0):
            self.level = event.level
        if event.time:
            # seconds-resolution ISO strings sort as time does
            if self.first_seen is None or event.time[:19] < self.first_seen[:19]:
                self.first_seen = event.time
            if self.last_seen is None or event.time[:19] > self.last_seen[:19]:
                self.last_seen = event.time
        if event.host and len(self.hosts) < max_hosts:
            self.hosts.add(event.host)


class Grouper:
    """Counts every event and groups the kept ones; memory bounded by ``max_groups``."""

    def __init__(self, limits: Limits, notes: Notes):
        self.limits = limits
        self.notes = notes
        self.events = 0
        self.ungrouped = 0
        self.groups: dict[tuple[str | None, int | None, str], Group] = {}
        self._templates: dict[str, str] = {}

    def _template(self, message: str) -> str:
        found = self._templates.get(message)
        if found is None:
            if len(self._templates) >= _CACHE_SIZE:
                self._templates.clear()
            found = self._templates[message] = template(message)
        return found

    def add(self, event: Event) -> None:
        self.events += 1
        if not event.kept:
            return
        key = (event.source, event.event_id, self._template(event.message))
        group = self.groups.get(key)
        if group is None:
            if len(self.groups) >= self.limits.max_groups:
                if not self.ungrouped:
                    self.notes.warn(
                        "(all)",
                        f"more than {self.limits.max_groups:,} distinct problems: "
                        "the rest are counted but not grouped",
                    )
                self.ungrouped += 1
                return
            sample = event
            if len(event.message) > MAX_SAMPLE_CHARS:
                sample = Event(**{**_fields(event), "message": event.message[:MAX_SAMPLE_CHARS]})
            group = self.groups[key] = Group(key[0], key[1], key[2], sample, event.level)
        group.add(event, self.limits.max_hosts)

    def add_all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.add(event)


def _fields(event: Event) -> dict:
    return {name: getattr(event, name) for name in Event.__dataclass_fields__}
