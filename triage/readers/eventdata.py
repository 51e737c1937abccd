"""An event's data fields as one readable message.

An .evtx record (and XML without ``RenderingInfo``) carries no message text: that lives in
the provider's message DLL on the machine that wrote it. What it carries is the event's data
(``param1``, ``DriverName``, ...), which is what distinguishes one problem from another under
the same event ID, so that is the message triage groups and diagnoses.

>>> message_from_data([("param1", "Spooler"), ("param2", "%%1058"), ("Data", "10.00.")])
'param1: Spooler\\nparam2: %%1058\\n10.00.'
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_VALUE_CHARS = 2000


def message_from_data(items: Iterable[tuple[str | None, str]]) -> str:
    lines = []
    for name, value in items:
        value = " ".join(str(value).split())[:MAX_VALUE_CHARS]
        if not value:
            continue
        lines.append(value if not name or name == "Data" else f"{name}: {value}")
    return "\n".join(lines)
