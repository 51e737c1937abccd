"""One log event as every reader yields it, and the levels it can carry.

A reader turns its format into :class:`Event` values and nothing else; grouping and diagnosis
never see the format. Levels are Windows' five (plus "unknown" for text that states none):

>>> level_of("2") , level_of("Warning"), level_of("错误"), level_of("ERR")
('error', 'warning', 'error', 'error')
>>> level_from_text("Backup failed: access is denied"), level_from_text("Backup started")
('error', 'information')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.normalise import is_error_line

CRITICAL, ERROR, WARNING, INFORMATION, VERBOSE = (
    "critical",
    "error",
    "warning",
    "information",
    "verbose",
)
KEPT = (CRITICAL, ERROR, WARNING)  # the levels triage groups; the rest are only counted
SEVERITY = {CRITICAL: 3, ERROR: 2, WARNING: 1, INFORMATION: 0, VERBOSE: -1}

# Level names as logs write them: Windows numbers (EVENTLOG_* / TraceLevel), English and
# Chinese display names, syslog-style and cluster.log tokens.
_LEVEL_NAMES = {
    CRITICAL: ("1 critical crit fatal emerg emergency alert panic severe 关键 严重 致命 嚴重 重大"),
    ERROR: "2 error err errors 错误 錯誤",
    WARNING: "3 warning warn wrn 警告",
    INFORMATION: "0 4 information info informational notice inf successaudit failureaudit 信息 資訊",
    VERBOSE: "5 verbose debug dbg trace 详细 詳細 调试",
}
LEVELS = {name: level for level, names in _LEVEL_NAMES.items() for name in names.split()}


def level_of(name: str | int | None) -> str | None:
    """The canonical level for a level name or number, or None when it is not one."""
    if name is None:
        return None
    return LEVELS.get(str(name).strip().casefold())


_CRITICAL_CUES = re.compile(
    r"\b(?:fatal|critical|panic|bugcheck|blue ?screen)\b|严重|致命", re.IGNORECASE
)
_WARNING_CUES = re.compile(r"\bwarn(?:ing)?s?\b|警告", re.IGNORECASE)


def level_from_text(text: str) -> str:
    """A level for text that states none, from cue words: the same error cues ``diagnose``
    uses to find the lines that matter in a long paste."""
    if _CRITICAL_CUES.search(text):
        return CRITICAL
    if _WARNING_CUES.search(text):
        return WARNING
    if is_error_line(text):
        return ERROR
    return INFORMATION


@dataclass(frozen=True, slots=True)
class Event:
    """One event: where it came from, how bad it is, when, on which host, and what it says."""

    message: str
    level: str = INFORMATION
    source: str | None = None  # provider / event source / log component
    event_id: int | None = None
    time: str | None = None  # ISO 8601, seconds; a trailing Z when the log said UTC
    host: str | None = None
    log: str | None = None  # the log name (System, Application) when the format says it

    @property
    def kept(self) -> bool:
        return self.level in KEPT

    def paste(self) -> str:
        """The event as an agent would paste it: what ``diagnose`` is built to read."""
        if self.source is None and self.event_id is None:
            return self.message
        lines = []
        if self.log:
            lines.append(f"Log Name: {self.log}")
        if self.source:
            lines.append(f"Source: {self.source}")
        if self.event_id is not None:
            lines.append(f"Event ID: {self.event_id}")
        lines.append(f"Level: {self.level.capitalize()}")
        lines.append("Description:")
        lines.append(self.message)
        return "\n".join(lines)


def event_id_of(value) -> int | None:
    """An event ID from a field ('1196', 1196, '1196 ' ...), or None."""
    text = str(value).strip() if value is not None else ""
    if text.isdigit() and 0 <= int(text) < 65536:
        return int(text)
    return None
