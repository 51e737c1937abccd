"""Event logs in every text format triage reads, generated from templates with varied hosts,
resources and timestamps (seeded: the same every run), with the events they hold.

Each renderer writes the format as Windows writes it (labels, quoting, time format, encoding);
the tests read the result back and compare it with the events it was made from.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape, quoteattr

HOSTS = ("node1.contoso.com", "node2.contoso.com", "SQLNODE-03.corp.example.com")
RESOURCES = ("SQL Network Name (SQLCLU01)", "Cluster Name", "FS01 Network Name")


@dataclass(frozen=True)
class Problem:
    source: str
    event_id: int
    level: str  # critical | error | warning | information
    text: str  # a template: {res}, {n}, {host} vary per event
    task: str = "None"


DNS_1196 = Problem(
    "Microsoft-Windows-FailoverClustering",
    1196,
    "error",
    "Cluster network name resource '{res}' failed registration of one or more associated DNS "
    "name(s) for the following reason:\nDNS signature failed to verify.",
    "Network Name Resource",
)
SPOOLER_7031 = Problem(
    "Service Control Manager",
    7031,
    "error",
    "The Print Spooler service terminated unexpectedly. It has done this {n} time(s).",
)
TIME_36 = Problem(
    "Microsoft-Windows-Time-Service",
    36,
    "warning",
    "The time service has not synchronized the system time for {n} seconds because none of "
    "the time service providers provided a usable time stamp.",
)
DISK_41 = Problem(
    "Microsoft-Windows-Kernel-Power",
    41,
    "critical",
    "The system has rebooted without cleanly shutting down first.",
)
RUNNING_7036 = Problem(
    "Service Control Manager",
    7036,
    "information",
    "The {res} service entered the running state.",
)
PROBLEMS = (DNS_1196, SPOOLER_7031, TIME_36, DISK_41, RUNNING_7036)
LEVEL_NUMBER = {"critical": 1, "error": 2, "warning": 3, "information": 4}
LEVEL_NAME = {
    "critical": "Critical",
    "error": "Error",
    "warning": "Warning",
    "information": "Information",
}
LEVEL_ZH = {"critical": "关键", "error": "错误", "warning": "警告", "information": "信息"}


@dataclass(frozen=True)
class Made:
    """One generated event: what any reader should find in it."""

    problem: Problem
    time: datetime
    host: str
    message: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.problem.source, self.problem.event_id)


def make_events(counts: dict[Problem, int], seed: int = 13) -> list[Made]:
    """*counts* events of each problem, shuffled, over two days, on the three hosts."""
    rng = random.Random(seed)
    start = datetime(2012, 2, 3, 1, 0, 0)
    made = []
    for problem, count in counts.items():
        for _ in range(count):
            text = problem.text.format(
                res=rng.choice(RESOURCES), n=rng.randint(1, 5000), host=rng.choice(HOSTS)
            )
            when = start + timedelta(seconds=rng.randint(0, 2 * 86400))
            made.append(Made(problem, when, rng.choice(HOSTS), text))
    rng.shuffle(made)
    return made


def us_time(t: datetime) -> str:
    """en-US: 2/3/2012 3:20:11 AM"""
    hour = t.hour % 12 or 12
    return f"{t.month}/{t.day}/{t.year} {hour}:{t.minute:02d}:{t.second:02d} {'AM' if t.hour < 12 else 'PM'}"


def wevtutil_text(events: list[Made], chinese: bool = False) -> str:
    labels = (
        ("日志名称", "来源", "日期", "事件 ID", "任务", "级别", "计算机", "描述")
        if chinese
        else ("Log Name", "Source", "Date", "Event ID", "Task", "Level", "Computer", "Description")
    )
    out = []
    for i, e in enumerate(events):
        level = (LEVEL_ZH if chinese else LEVEL_NAME)[e.problem.level]
        values = (
            "System",
            e.problem.source,
            e.time.isoformat(timespec="milliseconds"),
            e.problem.event_id,
            e.problem.task,
            level,
            e.host,
        )
        out.append(f"Event[{i}]:")
        out += [f"  {label}: {value}" for label, value in zip(labels, values, strict=False)]
        out.append(f"  {labels[-1]}: ")
        out.append(e.message)
    return "\r\n".join(out) + "\r\n"


def format_list(events: list[Made], all_properties: bool = False) -> str:
    """``Get-WinEvent | Format-List`` (default view, no level) or ``Format-List *`` (some)."""
    out = [""]
    for e in events:
        props = [
            ("TimeCreated", us_time(e.time)),
            ("ProviderName", e.problem.source),
            ("Id", str(e.problem.event_id)),
        ]
        if all_properties:
            props += [
                ("Level", str(LEVEL_NUMBER[e.problem.level])),
                ("LevelDisplayName", LEVEL_NAME[e.problem.level]),
                ("MachineName", e.host),
            ]
        props.append(("Message", e.message))
        width = max(len(k) for k, _ in props)
        for key, value in props:
            first, *rest = value.split("\n")
            out.append(f"{key.ljust(width)} : {first}")
            out += [" " * (width + 3) + line for line in rest]
        out.append("")
    return "\r\n".join(out) + "\r\n"


def _csv(rows: list[list[str]], delimiter: str = ",", quote_all: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        lineterminator="\r\n",
        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL,
    )
    writer.writerows(rows)
    return buffer.getvalue()


def export_csv(events: list[Made]) -> str:
    """``Get-WinEvent -LogName System | Export-Csv`` (Windows PowerShell 5.1: a #TYPE line)."""
    header = [
        "Message",
        "Id",
        "Version",
        "Qualifiers",
        "Level",
        "Task",
        "Opcode",
        "Keywords",
        "RecordId",
        "ProviderName",
        "ProviderId",
        "LogName",
        "ProcessId",
        "ThreadId",
        "MachineName",
        "UserId",
        "TimeCreated",
        "LevelDisplayName",
    ]
    rows = [header]
    for i, e in enumerate(events):
        row = dict.fromkeys(header, "")
        row.update(
            Message=e.message,
            Id=str(e.problem.event_id),
            Level=str(LEVEL_NUMBER[e.problem.level]),
            RecordId=str(1000 + i),
            ProviderName=e.problem.source,
            LogName="System",
            MachineName=e.host,
            TimeCreated=us_time(e.time),
            LevelDisplayName=LEVEL_NAME[e.problem.level],
        )
        rows.append([row[h] for h in header])
    return "#TYPE System.Diagnostics.Eventing.Reader.EventLogRecord\r\n" + _csv(rows)


def eventlog_csv(events: list[Made]) -> str:
    """``Get-EventLog -LogName System | Export-Csv -NoTypeInformation`` (classic API)."""
    header = ["EventID", "MachineName", "Index", "EntryType", "Message", "Source", "TimeGenerated"]
    entry = {
        "critical": "Error",
        "error": "Error",
        "warning": "Warning",
        "information": "Information",
    }
    rows = [header] + [
        [
            str(e.problem.event_id),
            e.host,
            str(i),
            entry[e.problem.level],
            e.message,
            e.problem.source,
            us_time(e.time),
        ]
        for i, e in enumerate(events)
    ]
    return _csv(rows)


def eventviewer(events: list[Made], delimiter: str = ",") -> str:
    """Event Viewer "Save All Events As": CSV, or text (tab-separated); the description in an
    unnamed sixth column."""
    rows = [["Level", "Date and Time", "Source", "Event ID", "Task Category"]] + [
        [
            LEVEL_NAME[e.problem.level],
            us_time(e.time),
            e.problem.source,
            str(e.problem.event_id),
            e.problem.task,
            e.message,
        ]
        for e in events
    ]
    return _csv(rows, delimiter, quote_all=False)


def event_xml(events: list[Made], root: bool = True) -> str:
    """Event Viewer's XML (``<Events>``, with RenderingInfo) or ``wevtutil /f:xml`` (no root,
    no RenderingInfo: the message is only in EventData)."""
    ns = "http://schemas.microsoft.com/win/2004/08/events/event"
    out = []
    for e in events:
        system = (
            f"<System><Provider Name={quoteattr(e.problem.source)}/>"
            f"<EventID Qualifiers='0'>{e.problem.event_id}</EventID>"
            f"<Level>{LEVEL_NUMBER[e.problem.level]}</Level>"
            f"<TimeCreated SystemTime='{e.time.isoformat()}.1234567Z'/>"
            f"<Channel>System</Channel><Computer>{escape(e.host)}</Computer></System>"
        )
        data = f"<EventData><Data Name='Text'>{escape(e.message)}</Data><Binary>00FF</Binary></EventData>"
        rendering = (
            f"<RenderingInfo Culture='en-US'><Message>{escape(e.message)}</Message>"
            f"<Level>{LEVEL_NAME[e.problem.level]}</Level></RenderingInfo>"
            if root
            else ""
        )
        out.append(f"<Event xmlns='{ns}'>{system}{data}{rendering}</Event>")
    if root:
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\r\n<Events>\r\n'
            + "\r\n".join(out)
            + "\r\n</Events>\r\n"
        )
    return "\r\n".join(out) + "\r\n"


CLUSTER_LEVEL = {"critical": "CRIT", "error": "ERR", "warning": "WARN", "information": "INFO"}


def cluster_log(events: list[Made]) -> str:
    """cluster.log lines: ``pid.tid::yyyy/mm/dd-hh:mm:ss.mmm LEVEL [COMPONENT] text``."""
    lines = []
    for e in sorted(events, key=lambda m: m.time):
        stamp = e.time.strftime("%Y/%m/%d-%H:%M:%S") + ".123"
        text = e.message.replace("\n", " ")
        lines.append(f"00000f2c.00000ea4::{stamp} {CLUSTER_LEVEL[e.problem.level]:<5} [RES] {text}")
    return "\n".join(lines) + "\n"


def plain_text(events: list[Made]) -> str:
    """An application's own log: ``time LEVEL host: message`` (levels in capitals)."""
    word = {"critical": "FATAL", "error": "ERROR", "warning": "WARN", "information": "INFO"}
    return "".join(
        f"{e.time:%Y-%m-%d %H:%M:%S},{e.time.microsecond // 1000:03d} {word[e.problem.level]} "
        f"{e.host}: {e.message.replace(chr(10), ' ')}\n"
        for e in sorted(events, key=lambda m: m.time)
    )
