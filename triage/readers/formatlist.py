"""``Get-WinEvent | Format-List`` (and ``Get-EventLog | Format-List``) output.

Each event is a run of ``Name : value`` lines; a long value goes on over indented lines.
An event starts again when a property it already has comes round again. The default view
has no level (only ``TimeCreated``, ``ProviderName``, ``Id``, ``Message``): the level then
comes from the message's cue words, as for plain text.

>>> text = '''
... TimeCreated  : 2/3/2012 3:20:11 AM
... ProviderName : Microsoft-Windows-FailoverClustering
... Id           : 1196
... Message      : Cluster network name resource 'SQL (X)' failed registration
...                of one or more associated DNS name(s).
...
... TimeCreated  : 2/3/2012 3:21:00 AM
... ProviderName : Service Control Manager
... Id           : 7036
... Message      : The Print Spooler service entered the running state.'''
>>> [(e.event_id, e.level, e.time) for e in read(text.splitlines(), "fl.txt", None)]
[(1196, 'error', '2012-02-03T03:20:11'), (7036, 'information', '2012-02-03T03:21:00')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..event import Event
from ..notes import Notes
from .fields import canonical_field, event_from_fields

_PROPERTY = re.compile(r"^(?P<key>[A-Za-z][A-Za-z0-9]*)\s*:\s?(?P<value>.*)$")


def read(lines: Iterable[str], name: str, notes: Notes | None) -> Iterator[Event]:
    record: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        match = _PROPERTY.match(line)
        if match:
            key = match["key"]
            if key in record:
                yield _event(record)
                record = {}
            record[key] = [match["value"].strip()]
            current = key
        elif line[:1].isspace() and line.strip() and current:
            record[current].append(line.strip())
    if record:
        yield _event(record)


def _event(record: dict[str, list[str]]) -> Event:
    fields: dict[str, str] = {}
    message = ""
    for key, parts in record.items():
        field = canonical_field(key)
        if field == "message":
            message = "\n".join(parts)
        elif field and field not in fields:
            fields[field] = " ".join(parts)
    return event_from_fields(fields, message)
