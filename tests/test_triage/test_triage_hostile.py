"""Hostile and broken uploads: unsafe member names, bombs, deep nesting, junk, damage.

Every one ends in a clear message (a skipped item, a warning, or one refusal), never a
traceback, and a bomb is refused before it expands (memory measured with tracemalloc).
"""

from __future__ import annotations

import bz2
import gzip
import random
import tracemalloc
import zipfile

import pytest
from triagehelpers import EVTX, read_bytes, tar_bytes, zip_bytes

from triage import Limits, NotALog, Refused
from triage.archive import unsafe_name

LOG = b"2012-02-03 03:20:11 ERROR Backup failed: access is denied\n" * 3
MB = 1024 * 1024


def peak_during(func) -> int:
    tracemalloc.start()
    try:
        func()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


@pytest.mark.parametrize("make", [zip_bytes, tar_bytes], ids=["zip", "tar.gz"])
def test_members_with_dotdot_or_absolute_paths_are_skipped_and_named(make):
    bad = ["../evil.log", "logs/../../evil.log", "/etc/evil.log", "C:\\Windows\\evil.log"]
    data = make({"logs/app.log": LOG, **dict.fromkeys(bad, LOG)})
    events, notes = read_bytes(data, "bundle")
    assert len(events) == 3  # only logs/app.log was read
    assert [s["name"] for s in notes.skipped] == [f"bundle!{n}" for n in bad]
    assert all("unsafe path" in s["reason"] for s in notes.skipped)


def test_unsafe_names():
    assert [
        unsafe_name(n) for n in ("a/b.log", "a..b.log", "..", "a/../b", "/a", "\\\\srv\\x", "D:x")
    ] == [
        False,
        False,
        True,
        True,
        True,
        True,
        True,
    ]


def test_links_in_a_tar_are_skipped_and_named():
    data = tar_bytes({"app.log": LOG}, links={"passwd.log": "/etc/passwd"})
    events, notes = read_bytes(data, "b.tgz")
    assert len(events) == 3
    assert notes.skipped == [
        {"name": "b.tgz!passwd.log", "reason": "a link or device, not a file: not read"}
    ]


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_expands():
    bomb = zip_bytes({"logs/huge.log": b"\0" * (64 * MB)})
    assert len(bomb) < MB
    with pytest.raises(
        Refused, match=r"bundle.zip!logs/huge.log: refused, it would expand [\d,]+ times"
    ):
        peak = peak_during(lambda: read_bytes(bomb, "bundle.zip"))
    peak = peak_during(lambda: pytest.raises(Refused, read_bytes, bomb, "bundle.zip"))
    assert peak < 4 * MB, peak


def test_an_archive_over_the_budget_is_refused_before_it_expands():
    rng = random.Random(1)
    text = "".join(
        f"ERROR {rng.random()} failed\n" for _ in range(120_000)
    ).encode()  # ~3 MB, ratio ~3
    data = zip_bytes({"a.log": text})
    limits = Limits(max_bytes=2 * MB)
    peak = peak_during(lambda: pytest.raises(Refused, read_bytes, data, "big.zip", limits))
    assert peak < 2 * MB, peak  # nothing of the 3 MB was held
    with pytest.raises(Refused, match=r"big.zip: refused, it would expand to more than 2 MB"):
        read_bytes(data, "big.zip", limits)


def test_a_tar_gz_member_over_the_budget_is_refused_by_its_header():
    data = tar_bytes({"small.log": LOG, "big.log": b"ERROR x\n" * (400 * 1024)})
    with pytest.raises(Refused, match="b.tgz!big.log: refused"):
        read_bytes(data, "b.tgz", Limits(max_bytes=MB))


@pytest.mark.parametrize("compress", [gzip.compress, bz2.compress], ids=["gzip", "bzip2"])
def test_a_compressed_log_is_stopped_while_it_expands_past_the_budget(compress):
    data = compress(b"ERROR same line again\n" * 200_000)  # 4.4 MB, no size in any header
    with pytest.raises(Refused, match="app.log.gz: refused"):
        read_bytes(data, "app.log.gz", Limits(max_bytes=MB))
    events, _ = read_bytes(compress(LOG), "app.log.gz")
    assert len(events) == 3


def test_a_zip_with_too_many_members_is_refused_before_its_directory_is_loaded():
    data = zip_bytes({f"f{i}.log": b"" for i in range(60)}, zipfile.ZIP_STORED)
    with pytest.raises(Refused, match="many.zip: refused, it holds 60 members"):
        read_bytes(data, "many.zip", Limits(max_members=50))


def test_archives_are_opened_one_level_deep_and_deeper_ones_named():
    innermost = zip_bytes({"deep.log": LOG})
    inner = zip_bytes({"inner.log": LOG, "innermost.zip": innermost})
    outer = zip_bytes({"outer.log": LOG, "inner.zip": inner})
    events, notes = read_bytes(outer, "outer.zip")
    assert len(events) == 6  # outer.log and inner.log
    assert notes.skipped == [
        {
            "name": "outer.zip!inner.zip!innermost.zip",
            "reason": "an archive nested more than 1 level deep: not opened",
        }
    ]


def test_an_evtx_inside_a_tar_gz_is_read():
    data = tar_bytes({"System.evtx": (EVTX / "System.evtx").read_bytes()})
    events, _ = read_bytes(data, "logs.tar.gz")
    assert len(events) == 1881


JUNK = random.Random(5).randbytes(20_000)


@pytest.mark.parametrize(
    "data",
    [JUNK, b"\x89PNG\r\n\x1a\n" + JUNK, b"MZ\x90\x00" + bytes(200) + JUNK],
    ids=["random", "png", "exe"],
)
def test_binary_junk_is_not_a_log(data):
    with pytest.raises(NotALog, match=r"^not a log I can read: junk.log$"):
        read_bytes(data, "junk.log")


def test_junk_inside_a_bundle_is_skipped_and_the_rest_read():
    events, notes = read_bytes(zip_bytes({"a.log": LOG, "b.dll": JUNK}), "t.zip")
    assert len(events) == 3
    assert notes.skipped == [{"name": "t.zip!b.dll", "reason": "not a log I can read"}]


def test_a_truncated_zip_is_not_a_log():
    data = zip_bytes({"a.log": LOG * 100})
    with pytest.raises(NotALog, match="t.zip"):
        read_bytes(data[: len(data) // 2], "t.zip")


def test_a_damaged_member_is_skipped_and_the_rest_read():
    data = bytearray(zip_bytes({"a.log": LOG * 50, "b.log": LOG}))
    start = data.find(b"a.log") + len("a.log") + 10  # inside a.log's compressed data
    data[start : start + 20] = bytes(20)
    events, notes = read_bytes(bytes(data), "t.zip")
    assert len(events) >= 3
    assert [s["name"] for s in notes.skipped] == ["t.zip!a.log"]
    assert notes.skipped[0]["reason"].startswith("damaged")


def test_xml_with_an_entity_declaration_is_refused():
    bomb = '<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaaaaaaaa">]><Events>&a;</Events>'
    with pytest.raises(NotALog, match="bomb.xml"):
        read_bytes(bomb.encode(), "bomb.xml")


def test_a_plain_file_over_the_budget_is_refused_before_it_is_read():
    with pytest.raises(Refused, match="app.log: refused, it would expand to more than 1,000 bytes"):
        read_bytes(LOG * 10, "app.log", Limits(max_bytes=1000))
