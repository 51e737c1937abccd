"""Plain text logs: one event a line, the level from a level word or, failing that, cue words.

A line that names its level (``ERROR``, ``WARN``, ``[E]``, ``错误``) is taken at its word, so
``INFO retry after a failed attempt`` is not an error; a line that names none is judged by the
cue words ``diagnose`` uses (``failed``, ``cannot``, ``拒绝`` ...).

>>> [e.level for e in read(["2023-05-01 12:00:01 INFO retry after a failed attempt",
...                         "2023-05-01 12:00:02 Backup failed: access is denied",
...                         "2023-05-01 12:00:03 WARN disk 91% full"], "app.log", None)]
['information', 'error', 'warning']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..event import KEPT, Event, level_from_text, level_of
from ..notes import Notes
from ..timestamps import parse_time

# A level word, written the way loggers write it: upper case or in brackets, near the start.
_LEVEL_WORD = re.compile(
    r"(?:^|[\s\[(<|:])(?P<level>CRITICAL|CRIT|FATAL|EMERG|ALERT|SEVERE|ERROR|ERR|WARNING|WARN|"
    r"INFO|INFORMATION|NOTICE|DEBUG|DBG|TRACE|VERBOSE|[EWIDF](?=\]))(?=$|[\s\]):|>,])"
    r"|(?P<zh>错误|警告|严重|信息|调试)",
)
_LETTER_LEVELS = {"E": "error", "W": "warning", "I": "information", "D": "verbose", "F": "critical"}
LEVEL_WORD_WINDOW = 80  # a level word further into the line is part of the message


def line_level(line: str) -> str:
    match = _LEVEL_WORD.search(line[:LEVEL_WORD_WINDOW])
    if match:
        word = match["level"] or match["zh"]
        level = _LETTER_LEVELS.get(word) or level_of(word)
        if level:
            return level
    return level_from_text(line)


def read(lines: Iterable[str], name: str, notes: Notes | None) -> Iterator[Event]:
    for line in lines:
        text = line.strip()
        if text:
            level = line_level(text)
            # only kept events are grouped: the others need no time (a third of the cost)
            time = parse_time(text[:64]) if level in KEPT else None
            yield Event(message=text, level=level, time=time)
