"""Log and event text as articles quote it: the message inside the line, and the event fields.

Articles paste error text in the shapes it was copied from: an Event Viewer "Copy details"
block (``Log Name:`` ... ``Description:``), a cluster log line (``00001b6c.000008c8::2010/01/
01-10:00:00.000 ERR [RES] File Server <FS>: Failed in NetShareGetInfo``), a setup log line
(``DateTime [ERROR] Failed to install``). What a helpdesk agent pastes from their own log has
other process ids, times and names around the same message, so the message is what we keep.

>>> strip_log_prefix("00001b6c.000008c8::2010/01/01-10:00:00.000 ERR [RES] File Server : Not a single share is online")
('Not a single share is online', 'err')
>>> strip_log_prefix("2024-03-14 02:17:45, Error CSI 00000001 Failed to open the store")[0]
'Failed to open the store'
>>> fields = event_fields(["Log Name: System", "Source: Service Control Manager", "Event ID: 7000",
...                        "Description:", "The Foo service failed to start due to the following error:",
...                        "The system cannot find the file specified."])
>>> fields.source, fields.event_id
('Service Control Manager', 7000)
>>> fields.description
'The Foo service failed to start due to the following error: The system cannot find the file specified.'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Event Viewer's "Copy details" labels (and the older "Event Type:"/"Event Source:" shape),
# English and Chinese. Value on the same line, or (Description) on the lines after.
_FIELD = re.compile(
    r"^\s*(log name|source|event source|date|time|event id|task category|category|event category|"
    r"level|type|event type|keywords|user|computer|opcode|description|message|"
    r"日志名称|来源|日期|事件 ?id|任务类别|级别|关键字|用户|计算机|操作代码|描述|消息)\s*[:：]\s*(.*)$",
    re.IGNORECASE,
)
_SOURCE_FIELDS = {"source", "event source", "来源"}
_EVENT_FIELDS = {"event id", "eventid", "事件 id", "事件id"}
_DESCRIPTION_FIELDS = {"description", "message", "描述", "消息"}
# Advice Event Viewer appends to some descriptions: not part of what a user pastes as the error.
_DESCRIPTION_END = re.compile(
    r"\b(?:User Action|Additional Data|Recommended action)\b|用户操作|其他数据"
)

_LEVEL = r"(?:INFO|INFORMATION|WARN|WARNING|ERR|ERROR|DBG|DEBUG|CRIT|CRITICAL|FATAL|VERBOSE|TRACE)"
_LOG_PREFIXES = [
    # cluster.log: pid.tid::date-time LEVEL [COMPONENT] Resource type <name>:
    re.compile(
        r"^\s*[0-9a-f]{8}\.[0-9a-f]{8}::\s*(?:\S+\s+)?(?P<level>" + _LEVEL + r")\s+"
        r"(?:\[[A-Z]{2,8}\]\s+)?(?:[A-Z][\w ]{1,40}?\s*(?:<[^>]*>|\S*)?\s*:\s+)?",
        re.IGNORECASE,
    ),
    # the same with the timestamp masked or dropped by the article: "*\* WARN [RES] ..."
    re.compile(
        r"^[*\\\s]*(?P<level>" + _LEVEL + r")\s+\[[A-Z]{2,8}\]\s+"
        r"(?:[A-Z][\w ]{1,40}?\s*(?:<[^>]*>|[^\s:]*)?\s*:\s+)?",
        re.IGNORECASE,
    ),
    # ISO or US timestamp, optional level/component: CBS, DISM, setup and application logs
    re.compile(
        r"^\s*(?:\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?|"
        r"\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AP]M)?)"
        r"[,\s]*(?:(?P<level>" + _LEVEL + r")\b[:\s]*)?(?:[A-Z]{2,6}\s+(?:[0-9a-f]{8}\s+)?)?",
        re.IGNORECASE,
    ),
    # ETW traces: "[7]0E08.0F10::02/21/19-20:42:08.9726563 [Microsoft-Windows-Hyper-V-VMMS-Admin]"
    re.compile(
        r"^\s*\[\d+\][0-9A-F]{4}\.[0-9A-F]{4}::\S+\s+\[(?P<level>[\w-]+)\]\s*", re.IGNORECASE
    ),
    # "DateTime [ERROR] ...", "[INFO] ..." (dcpromo.log and friends)
    re.compile(
        r"^\s*(?:(?:DateTime|<date>\s*<time>)\s*)?\[(?P<level>" + _LEVEL + r")\]\s*",
        re.IGNORECASE,
    ),
]
_LEVEL_NAMES = {
    "information": "info",
    "warning": "warn",
    "error": "err",
    "critical": "crit",
    "debug": "dbg",
}


def strip_log_prefix(line: str) -> tuple[str, str | None]:
    """The message of one log line and its level (``info``, ``warn``, ``err``, ...), or the
    line unchanged and None when it has no log prefix."""
    for pattern in _LOG_PREFIXES:
        match = pattern.match(line)
        if match and match.end() < len(line):
            level = (match.group("level") or "").lower() or None
            return line[match.end() :].strip(), _LEVEL_NAMES.get(level or "", level)
    return line.strip(), None


def is_log_line(line: str) -> bool:
    return strip_log_prefix(line)[1] is not None or any(p.match(line) for p in _LOG_PREFIXES[2:3])


@dataclass(frozen=True)
class EventFields:
    """What an Event Viewer block says: its source, event ID and description (one line)."""

    source: str | None
    event_id: int | None
    description: str
    labelled: int  # how many field labels the block has


def event_fields(lines: list[str]) -> EventFields:
    """Read an Event Viewer block; a description spread over several lines is joined."""
    source = None
    event_id = None
    description: list[str] = []
    labelled = 0
    in_description = False
    for line in lines:
        match = _FIELD.match(line)
        if match:
            labelled += 1
            name = re.sub(r"\s+", " ", match.group(1).lower())
            value = match.group(2).strip()
            in_description = name in _DESCRIPTION_FIELDS
            if in_description and value:
                description.append(value)
            elif name in _SOURCE_FIELDS and value and source is None:
                source = value
            elif name.replace(" ", "") in {f.replace(" ", "") for f in _EVENT_FIELDS}:
                digits = re.match(r"\d{1,5}", value)
                if digits and 0 < int(digits.group(0)) < 65536:
                    event_id = int(digits.group(0))
            continue
        # the description, labelled or not, is what follows the fields
        if (in_description or labelled >= 2) and line.strip():
            in_description = True
            description.append(line.strip())
    text = " ".join(description).strip()
    end = _DESCRIPTION_END.search(text)
    return EventFields(source, event_id, text[: end.start()].strip() if end else text, labelled)


def is_event_block(lines: list[str]) -> bool:
    """At least two Event Viewer labels: a copied event, not prose mentioning a source."""
    return sum(1 for line in lines if _FIELD.match(line)) >= 2
