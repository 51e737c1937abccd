"""``wevtutil qe LOG /f:text`` output: one ``Event[N]:`` block per event.

>>> lines = '''Event[0]:
...   Log Name: System
...   Source: Microsoft-Windows-FailoverClustering
...   Date: 2012-02-03T03:20:11.123
...   Event ID: 1196
...   Level: Error
...   Computer: node2.contoso.com
...   Description:
... Cluster network name resource 'SQL (X)' failed registration.'''.splitlines()
>>> e = next(read(lines, "sys.txt", None))
>>> e.source, e.event_id, e.level, e.time, e.host, e.message
('Microsoft-Windows-FailoverClustering', 1196, 'error', '2012-02-03T03:20:11', 'node2.contoso.com', "Cluster network name resource 'SQL (X)' failed registration.")

Chinese Windows writes the same block with Chinese labels (日志名称, 来源, 事件 ID, 级别, 描述).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..event import Event
from ..notes import Notes
from .fields import canonical_field, event_from_fields

_HEADER = re.compile(r"^Event\[\d+\]:?\s*$")
_FIELD = re.compile(r"^\s{1,8}(?P<label>[^:：]{1,40})[:：]\s?(?P<value>.*)$")


def read(lines: Iterable[str], name: str, notes: Notes | None) -> Iterator[Event]:
    fields: dict[str, str] | None = None
    message: list[str] = []
    in_description = False
    for line in lines:
        if _HEADER.match(line):
            if fields is not None:
                yield event_from_fields(fields, "\n".join(message))
            fields, message, in_description = {}, [], False
            continue
        if fields is None:
            continue  # anything before the first block
        match = None if in_description else _FIELD.match(line)
        if match:
            field = canonical_field(match["label"])
            if field == "message":
                in_description = True
                if match["value"].strip():
                    message.append(match["value"].strip())
            elif field and field not in fields:
                fields[field] = match["value"].strip()
        elif in_description:
            message.append(line.strip())
    if fields is not None:
        yield event_from_fields(fields, "\n".join(message))
