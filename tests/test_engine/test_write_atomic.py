"""engine.kb.write_atomic: the new text or the old, never half; its temporary file is named so
that remove_stale_temp_files finds it after a killed run, and is gone after a failed write."""

from __future__ import annotations

import os
import stat

import pytest

from engine.kb import render
from engine.kb.render import _ENTRY_TEMP, write_atomic


def test_writes_utf8_text_replacing_the_old_file(tmp_path):
    path = tmp_path / "kb" / "entry.md"  # the folder is made when missing
    write_atomic(path, "old\n")
    write_atomic(path, "错误：拒绝访问。\nnew\n" * 5000)
    assert path.read_bytes() == ("错误：拒绝访问。\nnew\n" * 5000).encode("utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # as tempfile.mkstemp made it
    assert os.listdir(path.parent) == ["entry.md"]


def test_the_temporary_file_is_one_a_later_run_removes(tmp_path, monkeypatch):
    seen = []

    def fsync(fd):
        seen.extend(name for name in os.listdir(tmp_path) if name != "entry.md")

    monkeypatch.setattr(render.os, "fsync", fsync)
    write_atomic(tmp_path / "entry.md", "text\n")
    assert len(seen) == 1 and _ENTRY_TEMP.match(seen[0]) and seen[0].startswith(".entry.md.")


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "entry.md"
    write_atomic(path, "old\n")

    def replace(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(render.os, "replace", replace)
    with pytest.raises(OSError, match="disk gone"):
        write_atomic(path, "new\n")
    assert path.read_text() == "old\n" and os.listdir(tmp_path) == ["entry.md"]
    with pytest.raises(UnicodeEncodeError):
        write_atomic(path, "lone \ud800 surrogate")
    assert path.read_text() == "old\n" and os.listdir(tmp_path) == ["entry.md"]
