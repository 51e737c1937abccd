"""Front-matter values -> an :class:`Entry`, with every wrong value reported, not just the first.

Each key is checked on its own; a wrong one gives an :class:`EntryError` carrying the key in
``field`` and the key's line, and the others are still checked. An entry with any error is
refused (``entry`` is None); ``kb lint`` reports all of them at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..entry import KINDS, OWNERS, STATUSES, Entry, EventSignature, Signatures
from ..errors import EntryError

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
ID_RULE = (
    "must be lowercase letters, digits, '.', '_' or '-' "
    "(at most 120 characters, starting with a letter or digit)"
)


@dataclass
class Built:
    """What the builder made of a front matter: the entry, or why not, and the parts it could read."""

    entry: Entry | None
    errors: list[EntryError] = field(default_factory=list)
    entry_id: str | None = None  # the id as written, when it is a valid one
    kind: str | None = None  # the kind, when it is a valid one


class _Checker:
    def __init__(self, data: dict, key_lines: dict[str, int], path):
        self.data = data
        self.key_lines = key_lines
        self.path = path
        self.errors: list[EntryError] = []

    def fail(self, key: str, message: str, line: int | None = None) -> None:
        at = line if line is not None else self.key_lines.get(key, 1)
        self.errors.append(EntryError(self.path, at, message, field=key))

    def text(self, key: str, check: Callable[[str], str | None], default: str = "") -> str | None:
        """A one-line text value: stripped, then *check* (a message when wrong)."""
        value = self.data.get(key)
        text = default if value is None or value == "" else str(value).strip()
        problem = check(text)
        if problem:
            self.fail(key, problem, None if key in self.data else 1)
            return None
        return text

    def texts(
        self, key: str, data: dict | None = None, line_key: str | None = None
    ) -> tuple[str, ...]:
        value = (self.data if data is None else data).get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            self.fail(line_key or key, f"'{key}' must be a list of texts")
            return ()
        return tuple(str(v).strip() for v in value if str(v).strip())


def build_entry(data: dict[str, Any], key_lines: dict[str, int], sections, path) -> Built:
    """Check every front-matter value; build the entry when all are right."""
    c = _Checker(data, key_lines, path)
    entry_id = c.text(
        "id",
        lambda v: (
            "missing 'id': every entry needs a unique id"
            if not v
            else (None if ID_PATTERN.match(v) else f"id '{v}' {ID_RULE}")
        ),
    )
    plain_title = isinstance(data.get("title"), (str, int, float))
    title = c.text("title", lambda v: None if v and plain_title else "missing 'title'")
    kind = c.text(
        "kind",
        lambda v: None if v in KINDS else f"kind '{v}' must be one of {', '.join(KINDS)}",
        "troubleshooting",
    )
    status = c.text(
        "status",
        lambda v: (
            None
            if v in STATUSES
            else f"status '{v}' must be one of {', '.join(STATUSES)} (a draft is not served)"
        ),
        "published",
    )
    ingest = data.get("ingest")
    if ingest is not None and not isinstance(ingest, dict):
        c.fail("ingest", "'ingest' must be a mapping (provenance)")
    owner = c.text(
        "owner",
        lambda v: None if v in OWNERS else f"owner '{v}' must be one of {', '.join(OWNERS)}",
        "ingest" if isinstance(ingest, dict) and ingest else "writer",
    )
    rules = data.get("rules") or []
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        c.fail("rules", "'rules' must be a list of rule mappings")
    generated = data.get("generated_rules") or []
    if not isinstance(generated, list) or not all(isinstance(r, dict) for r in generated):
        c.fail("generated_rules", "'generated_rules' must be a list of rule mappings")
    source = data.get("source")
    if source is not None and not isinstance(source, str):
        c.fail("source", "'source' must be a URL")
    values = {
        "products": c.texts("products"),
        "tags": c.texts("tags"),
        "signatures": _signatures(c),
        "examples": c.texts("examples"),
        "see_also": c.texts("see_also"),
    }
    built = Built(None, c.errors, entry_id, kind)
    if c.errors:
        return built
    built.entry = Entry(
        id=entry_id,
        title=title,
        kind=kind,
        language=str(data.get("language") or "en").strip(),
        source=source.strip() if source else None,
        rules=tuple(rules),
        generated_rules=tuple(generated),
        owner=owner,
        ingest=ingest,
        status=status,
        sections=tuple(sections),
        path=str(path) if path is not None else None,
        **values,
    )
    return built


def _signatures(c: _Checker) -> Signatures:
    raw = c.data.get("signatures")
    if raw is None:
        return Signatures()
    if not isinstance(raw, dict):
        c.fail("signatures", "'signatures' must be a mapping with messages, events, codes, phrases")
        return Signatures()
    messages = c.texts("messages", raw, "signatures")
    # YAML reads an unquoted 0x80070005 as the integer 2147942405: give it back its hex form.
    codes = raw.get("codes")
    if isinstance(codes, list):
        codes = [
            f"0x{v:08x}" if isinstance(v, int) and not isinstance(v, bool) else v for v in codes
        ]
    codes = c.texts("codes", {"codes": codes}, "signatures")
    events: list[EventSignature] = []
    for item in raw.get("events") or []:
        if isinstance(item, bool):
            item = None
        if isinstance(item, (int, str)) and str(item).strip().isdigit():
            events.append(EventSignature(int(item)))
        elif isinstance(item, dict) and str(item.get("id", "")).strip().isdigit():
            source = item.get("source")
            events.append(EventSignature(int(item["id"]), str(source) if source else None))
        else:
            c.fail(
                "signatures", f"signatures.events: {item!r} is not an event ID or {{id, source}}"
            )
    phrases = c.texts("phrases", raw, "signatures")
    return Signatures(messages=messages, events=tuple(events), codes=codes, phrases=phrases)
