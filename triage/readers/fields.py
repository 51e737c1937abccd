"""Field labels as Windows writes them, in English and Chinese, mapped to our field names.

One table serves every text export (wevtutil, Format-List, Export-Csv, Event Viewer's CSV and
text), because they all name the same few things: the log, source, time, event ID, level,
computer and message.

>>> canonical_field("Event ID"), canonical_field("事件 ID"), canonical_field("ProviderName")
('event_id', 'event_id', 'source')
"""

from __future__ import annotations

from ..event import Event, event_id_of, level_from_text, level_of
from ..timestamps import parse_time

_LABELS = {
    "log": ("log name", "logname", "channel", "日志名称", "日志名", "記錄檔名稱"),
    "source": ("source", "providername", "provider", "来源", "源", "來源"),
    "time": (
        "date",
        "date and time",
        "timecreated",
        "timegenerated",
        "time",
        "日期",
        "日期和时间",
        "日期和時間",
        "时间",
    ),
    "event_id": ("event id", "eventid", "id", "事件 id", "事件id", "事件識別碼"),
    "level": ("level", "entrytype", "级别", "層級", "等级"),
    "level_name": ("leveldisplayname",),
    "host": ("computer", "machinename", "计算机", "電腦"),
    "message": ("description", "message", "描述", "消息", "描述:"),
    "task": ("task", "task category", "taskdisplayname", "任务", "任务类别", "工作類別"),
}
_FIELD = {label: field for field, labels in _LABELS.items() for label in labels}

# The header row of Event Viewer's "Save All Events As" CSV and tab-separated text.
EVENTVIEWER_HEADERS = [
    ["level", "date and time", "source", "event id", "task category"],
    ["级别", "日期和时间", "来源", "事件 id", "任务类别"],
    ["層級", "日期和時間", "來源", "事件識別碼", "工作類別"],
]

# Property names Get-WinEvent / Get-EventLog print in Format-List output.
FORMAT_LIST_KEYS = frozenset(
    [
        "TimeCreated",
        "ProviderName",
        "Id",
        "Message",
        "LevelDisplayName",
        "MachineName",
        "LogName",
        "Level",
        "EventID",
        "Source",
        "EntryType",
        "TimeGenerated",
        "RecordId",
        "Index",
        "InstanceId",
    ]
)


def canonical_field(label: str) -> str | None:
    """Our name for a field *label* ('Event ID', '事件 ID', 'ProviderName'), or None."""
    return _FIELD.get(" ".join(label.strip().strip('"').split()).casefold())


def event_from_fields(fields: dict[str, str], message: str) -> Event:
    """An Event from canonical fields (shared by the text readers)."""
    level = level_of(fields.get("level")) or level_of(fields.get("level_name"))
    return Event(
        message=message.strip(),
        level=level or level_from_text(message),
        source=fields.get("source") or None,
        event_id=event_id_of(fields.get("event_id")),
        time=parse_time(fields.get("time")),
        host=fields.get("host") or None,
        log=fields.get("log") or None,
    )
