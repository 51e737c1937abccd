"""Failover cluster logs (``Get-ClusterLog``: ``<node>_cluster.log``), one event a line.

>>> line = ("00000f2c.00000ea4::2012/02/03-03:20:11.123 ERR   [RES] Network Name <Cluster Name>: "
...         "Unable to update password for computer account")
>>> e = next(read([line], "node2_cluster.log", None))
>>> e.level, e.source, e.time, e.host, e.message
('error', 'cluster.log [RES]', '2012-02-03T03:20:11', 'node2', '[RES] Network Name <Cluster Name>: Unable to update password for computer account')

The node is not on the lines: ``Get-ClusterLog`` puts it in the file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from ..event import INFORMATION, Event, level_of
from ..notes import Notes
from ..timestamps import parse_time

CLUSTER_LINE = re.compile(
    r"^(?P<pid>[0-9a-f]{8})\.(?P<tid>[0-9a-f]{8})::(?P<time>\d{4}/\d\d/\d\d-\d\d:\d\d:\d\d(?:\.\d+)?)"
    r"\s+(?P<level>[A-Z]+)\s+(?P<message>.*)$",
    re.IGNORECASE,
)
_COMPONENT = re.compile(r"^\[(?P<tag>[A-Za-z0-9 _-]{1,24})\]")
_NODE_FILE = re.compile(r"^(?P<node>[^_]+)_cluster\.log$", re.IGNORECASE)


def node_of(name: str) -> str | None:
    match = _NODE_FILE.match(PurePosixPath(name.replace("\\", "/")).name.rsplit("!", 1)[-1])
    return match["node"] if match else None


def read(lines: Iterable[str], name: str, notes: Notes | None) -> Iterator[Event]:
    host = node_of(name)
    for line in lines:
        match = CLUSTER_LINE.match(line)
        if not match:
            continue  # headers and wrapped continuation lines
        message = match["message"].strip()
        component = _COMPONENT.match(message)
        yield Event(
            message=message,
            level=level_of(match["level"]) or INFORMATION,
            source=f"cluster.log [{component['tag']}]" if component else "cluster.log",
            time=parse_time(match["time"]),
            host=host,
        )
