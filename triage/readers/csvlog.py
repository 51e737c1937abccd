"""CSV and tab-separated exports: ``Export-Csv`` of ``Get-WinEvent`` / ``Get-EventLog``, and
Event Viewer's "Save All Events As" CSV (.csv) and text (.txt, tab-separated).

The header row names the columns (English or Chinese); Event Viewer puts the description in a
sixth column that has no header. Messages span lines inside quotes, which :mod:`csv` reads; a
field over csv's own limit (128 K characters) makes its row a warning.

>>> rows = ['Level,Date and Time,Source,Event ID,Task Category',
...         'Error,2/3/2012 3:20:11 AM,Microsoft-Windows-FailoverClustering,1196,Network Name Resource,"Cluster network name',
...         'resource failed registration."']
>>> e = next(read(rows, "ev.csv", None))
>>> e.event_id, e.level, e.time, e.message
(1196, 'error', '2012-02-03T03:20:11', 'Cluster network name\\nresource failed registration.')
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from ..event import Event
from ..notes import Notes
from .fields import canonical_field, event_from_fields


def read(lines: Iterable[str], name: str, notes: Notes | None) -> Iterator[Event]:
    lines = iter(lines)
    header_line = next(lines, None)
    if header_line is not None and header_line.startswith("#TYPE "):
        header_line = next(lines, None)  # Windows PowerShell's type line
    if header_line is None:
        return
    delimiter = "\t" if header_line.count("\t") > header_line.count(",") else ","
    header = next(csv.reader([header_line], delimiter=delimiter))
    columns = [canonical_field(cell) for cell in header]
    rows = csv.reader((line + "\n" for line in lines), delimiter=delimiter)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            if notes is not None:
                notes.warn(name, f"line {rows.line_num}: a row could not be read ({exc})")
            continue
        if not any(cell.strip() for cell in row):
            continue
        fields: dict[str, str] = {}
        message_parts = []
        for index, cell in enumerate(row):
            field = columns[index] if index < len(columns) else "message"
            if field == "message":
                message_parts.append(cell)
            elif field and field not in fields:
                fields[field] = cell
        yield event_from_fields(fields, "\n".join(p for p in message_parts if p.strip()))
