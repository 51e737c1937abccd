"""The .evtx reader on real files from the omerbenamram/evtx samples (tests/data/evtx)."""

from __future__ import annotations

from collections import Counter

import pytest
from triagehelpers import EVTX, read_bytes

from triage import NotALog


def test_a_real_system_log_is_read_whole_with_its_levels():
    events, notes = read_bytes((EVTX / "System.evtx").read_bytes(), "System.evtx")
    # a "dirty" log: its header counts 3 chunks, the file holds 17 (evtx_dump reads 1,881)
    assert len(events) == 1881
    assert Counter(e.level for e in events) == {"information": 1498, "warning": 342, "error": 41}
    assert notes.warnings == [] and notes.skipped == []
    scm = [e for e in events if e.source == "Service Control Manager" and e.event_id == 7000]
    first = scm[0]
    assert first.level == "error"
    assert first.time == "2017-07-12T17:16:28Z"
    assert first.host == "WIN-P4SIAA0SQCO"
    assert first.log == "System"
    # the message is the event's data (no message DLLs here), the hex Binary left out
    assert first.message == "param1: CldFlt\nparam2: %%50"


def test_an_application_log_without_checksums_is_read():
    events, notes = read_bytes((EVTX / "Application_no_crc32.evtx").read_bytes(), "app.evtx")
    assert len(events) == 17
    assert {e.log for e in events} == {"Application"}
    assert notes.warnings == []


def test_a_damaged_log_gives_what_it_could_read_and_names_the_bad_chunks():
    events, notes = read_bytes((EVTX / "bad_chunk_magic.evtx").read_bytes(), "bad.evtx")
    assert len(events) == 270
    messages = [w["message"] for w in notes.warnings]
    assert messages == [
        "chunk 6 has a bad header (its records could not be read)",
        "chunk 10 has a bad header (its records could not be read)",
    ]
    assert {w["file"] for w in notes.warnings} == {"bad.evtx"}


def test_a_truncated_log_says_so():
    data = (EVTX / "System.evtx").read_bytes()[: 4096 + 65536 * 2 + 30000]
    events, notes = read_bytes(data, "cut.evtx")
    assert 0 < len(events) < 1881
    assert any("truncated" in w["message"] for w in notes.warnings)


@pytest.mark.parametrize(
    "data", [b"ElfFile\x00", b"ElfFile\x00" + bytes(range(256)) * 20], ids=["short", "garbage"]
)
def test_an_evtx_whose_header_is_broken_is_not_a_log(data):
    with pytest.raises(NotALog, match="not a log I can read: broken.evtx"):
        read_bytes(data, "broken.evtx")
