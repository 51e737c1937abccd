"""Every text format, generated from templates (logmaker), read back event for event; the
format found from the content whatever the file is called."""

from __future__ import annotations

from collections import Counter

import logmaker as lm
import pytest
from triagehelpers import read_bytes

from triage.detect import text_format
from triage.text import decode_sample, detect_encoding

EVENTS = lm.make_events(
    {lm.DNS_1196: 7, lm.SPOOLER_7031: 5, lm.TIME_36: 4, lm.DISK_41: 2, lm.RUNNING_7036: 9}
)
EVENTLOG_LEVEL = {"critical": "error"}  # Get-EventLog's EntryType has no "critical"


def norm(text: str) -> str:
    return " ".join(text.split())


def full(e: lm.Made, *, host=True, level=None, message=None, source=None, event_id=True):
    return (
        source or e.problem.source,
        e.problem.event_id if event_id else None,
        level or e.problem.level,
        e.host if host else None,
        e.time.isoformat()[:19],
        norm(message if message is not None else e.message),
    )


CASES = {
    # name: (render, encoding, detected format, expectation for one made event)
    "wevtutil-en-utf8": (lm.wevtutil_text, "utf-8", "wevtutil", full),
    "wevtutil-en-utf16": (lm.wevtutil_text, "utf-16", "wevtutil", full),
    "wevtutil-zh-gbk": (lambda ev: lm.wevtutil_text(ev, chinese=True), "gbk", "wevtutil", full),
    "format-list-all": (
        lambda ev: lm.format_list(ev, all_properties=True),
        "utf-16",
        "format-list",
        full,
    ),
    "export-csv": (lm.export_csv, "utf-8-sig", "export-csv", full),
    "get-eventlog-csv": (
        lm.eventlog_csv,
        "utf-8",
        "export-csv",
        lambda e: full(e, level=EVENTLOG_LEVEL.get(e.problem.level)),
    ),
    "eventviewer-csv": (lm.eventviewer, "utf-8", "eventviewer-csv", lambda e: full(e, host=False)),
    "eventviewer-txt": (
        lambda ev: lm.eventviewer(ev, "\t"),
        "utf-16",
        "eventviewer-csv",
        lambda e: full(e, host=False),
    ),
    "eventviewer-xml": (lm.event_xml, "utf-8", "xml", full),
    "wevtutil-xml": (
        lambda ev: lm.event_xml(ev, root=False),
        "utf-8",
        "xml",
        lambda e: full(e, message="Text: " + e.message),
    ),
    "cluster-log": (
        lm.cluster_log,
        "utf-8",
        "cluster-log",
        lambda e: full(
            e, host=False, event_id=False, source="cluster.log [RES]", message="[RES] " + e.message
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_format_is_detected_and_read_back_exactly(case):
    render, encoding, fmt, expect = CASES[case]
    data = render(EVENTS).encode(encoding)
    head = data[:65536]
    assert text_format(decode_sample(head, detect_encoding(head))) == fmt
    events, notes = read_bytes(data, "upload.bin")  # the name says nothing
    assert notes.warnings == [] and notes.skipped == []
    got = Counter(
        (e.source, e.event_id, e.level, e.host, (e.time or "")[:19], norm(e.message))
        for e in events
    )
    assert got == Counter(expect(e) for e in EVENTS)


def test_format_list_without_a_level_takes_it_from_cue_words():
    events, _ = read_bytes(lm.format_list(EVENTS).encode("utf-8"), "fl.txt")
    assert len(events) == len(EVENTS)
    levels = {(e.event_id, e.level) for e in events}
    # "failed registration" is an error cue; "entered the running state" is none
    assert (1196, "error") in levels and (7036, "information") in levels
    assert {e.host for e in events} == {None}


def test_cluster_log_takes_the_node_from_the_file_name():
    events, _ = read_bytes(lm.cluster_log(EVENTS).encode(), "NODE2_cluster.log")
    assert {e.host for e in events} == {"NODE2"}


def test_plain_text_levels_come_from_level_words():
    events, _ = read_bytes(lm.plain_text(EVENTS).encode(), "app.log")
    assert Counter(e.level for e in events) == Counter(e.problem.level for e in EVENTS)
    kept = [e for e in events if e.kept]
    assert all(e.time and e.source is None and e.event_id is None for e in kept)


def test_plain_text_without_level_words_uses_cue_words():
    text = "Backup started\nBackup failed: access is denied\n无法连接到服务器\nWarning: disk almost full\n"
    events, _ = read_bytes(text.encode("gbk"), "notes.txt")
    assert [e.level for e in events] == ["information", "error", "error", "warning"]
    assert events[2].message == "无法连接到服务器"


def test_a_line_without_end_is_cut_and_said():
    from triage import Limits

    data = b"ERROR " + b"x" * 50_000 + b"\nERROR short line\n"
    events, notes = read_bytes(data, "long.log", Limits(max_line_chars=1024))
    assert [len(e.message) for e in events] == [1024, len("ERROR short line")]
    assert notes.warnings == [
        {"file": "long.log", "message": "line 1 is longer than 1,024 characters: cut there"}
    ]
