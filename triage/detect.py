"""Which format a file is in, from its content (never its name: tickets rename everything).

Binary containers are known by their magic bytes; text formats by the shape of their first
lines. Order matters: the most specific shapes are tried first, plain text is the fallback.

>>> container(b"ElfFile\\x00" + bytes(100)), container(b"PK\\x03\\x04..."), container(b"Event[0]:")
('evtx', 'zip', None)
>>> text_format("Event[0]:\\n  Log Name: System\\n  Source: Service Control Manager\\n")
'wevtutil'
>>> text_format("00000f2c.00000ea4::2012/02/03-03:20:11.123 ERR   [RES] Network Name: failed\\n")
'cluster-log'
>>> text_format("Level,Date and Time,Source,Event ID,Task Category\\nError,2/3/2012 ...")
'eventviewer-csv'
>>> text_format("2023-05-01 12:00:01 ERROR backup failed\\n")
'text'
"""

from __future__ import annotations

import re

from .readers.clusterlog import CLUSTER_LINE
from .readers.fields import EVENTVIEWER_HEADERS, FORMAT_LIST_KEYS, canonical_field

_TAR_MAGIC = b"ustar"
_WEVTUTIL = re.compile(r"^Event\[\d+\]:?\s*$", re.MULTILINE)
# An XML declaration, or an event element first: the XML reader refuses what is not events.
_XML_START = re.compile(r"^\s*(?:<\?xml[\s?]|<(?:Events|Event)[\s>])")
_FL_LINE = re.compile(r"^(?P<key>[A-Za-z]+)\s*:\s?(?P<value>.*)$")


def container(head: bytes) -> str | None:
    """'evtx', 'zip', 'gzip', 'bzip2', 'xz' or 'tar' from the magic bytes, else None."""
    if head.startswith(b"ElfFile\x00"):
        return "evtx"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head[257:262] == _TAR_MAGIC:
        return "tar"
    return None


def _first_lines(sample: str, count: int) -> list[str]:
    lines = []
    for line in sample.splitlines():
        if line.strip():
            lines.append(line)
            if len(lines) == count:
                break
    return lines


def _csv_header(line: str) -> tuple[list[str], str]:
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    return [cell.strip().strip('"') for cell in line.split(delimiter)], delimiter


def text_format(sample: str) -> str:
    """The text format of a decoded *sample*: one of the readers' names."""
    sample = sample.lstrip("\ufeff")
    if _XML_START.match(sample):
        return "xml"
    if _WEVTUTIL.search(sample[:4096]):
        return "wevtutil"
    lines = _first_lines(sample, 20)
    if not lines:
        return "text"
    first = lines[0]
    cells, _ = _csv_header(first)
    if [c.casefold() for c in cells[:5]] in EVENTVIEWER_HEADERS:
        return "eventviewer-csv"
    if first.startswith("#TYPE "):
        return "export-csv"
    fields = {canonical_field(c) for c in cells}
    if len(cells) >= 3 and {"message", "event_id"} <= fields:
        return "export-csv"
    if sum(bool(CLUSTER_LINE.match(line)) for line in lines) * 2 >= len(lines):
        return "cluster-log"
    keys = {m["key"] for line in lines if (m := _FL_LINE.match(line))}
    if len(keys & FORMAT_LIST_KEYS) >= 2:
        return "format-list"
    return "text"
