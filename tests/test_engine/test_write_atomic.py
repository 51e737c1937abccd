"""engine.kb.write_atomic: the new text or the old, never half; its temporary file is named so
that remove_stale_temp_files finds it after a killed run, and is gone after a failed write.
write_atomic_many: the same for many files, flushed to disk once before any is renamed."""

from __future__ import annotations

import os
import stat

import pytest

from engine.kb import render
from engine.kb.render import _ENTRY_TEMP, write_atomic, write_atomic_many


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


# --- write_atomic_many: many files, one flush to disk ----------------------------------------


def _files(folder, count, text="entry {}\n"):
    return [(folder / f"e{i}.md", text.format(i)) for i in range(count)]


def test_many_writes_every_file_as_write_atomic_does(tmp_path):
    files = _files(tmp_path / "kb", 5, "错误 {}\n")  # the folder is made when missing
    write_atomic_many(files)
    for path, text in files:
        assert path.read_bytes() == text.encode("utf-8")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(os.listdir(tmp_path / "kb")) == [f"e{i}.md" for i in range(5)]


def test_nothing_is_renamed_before_the_one_flush_to_disk(tmp_path, monkeypatch):
    """A crash before the flush leaves temporary files only: never an entry whose text may
    not be on the disk yet."""
    if render._syncfs is None:
        pytest.skip("syncfs is Linux's")
    seen = []

    def flush(handle):
        seen.append(sorted(os.listdir(tmp_path)))

    monkeypatch.setattr(render, "_flush_file_system", flush)
    write_atomic_many(_files(tmp_path, 3))
    assert len(seen) == 1  # once for the batch, not once a file
    assert all(_ENTRY_TEMP.match(name) for name in seen[0]) and len(seen[0]) == 3
    assert sorted(os.listdir(tmp_path)) == ["e0.md", "e1.md", "e2.md"]


def test_without_syncfs_every_file_is_fsynced_before_any_rename(tmp_path, monkeypatch):
    monkeypatch.setattr(render, "_syncfs", None)
    events = []
    real_fsync, real_replace = render.os.fsync, render.os.replace

    def fsync(fd):
        events.append("fsync")
        real_fsync(fd)

    def replace(src, dst):
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(render.os, "fsync", fsync)
    monkeypatch.setattr(render.os, "replace", replace)
    write_atomic_many(_files(tmp_path, 3))
    assert events == ["fsync"] * 3 + ["replace"] * 3


def test_a_failed_flush_leaves_the_old_files_and_no_temporary_file(tmp_path, monkeypatch):
    write_atomic_many(_files(tmp_path, 2, "old {}\n"))

    def flush(handle):
        raise OSError("disk gone")

    monkeypatch.setattr(render, "_flush_file_system", flush)
    monkeypatch.setattr(render, "_syncfs", render._syncfs or (lambda fd: 0))
    with pytest.raises(OSError, match="disk gone"):
        write_atomic_many(_files(tmp_path, 3, "new {}\n"))
    assert sorted(os.listdir(tmp_path)) == ["e0.md", "e1.md"]
    assert [(tmp_path / f"e{i}.md").read_text() for i in range(2)] == ["old 0\n", "old 1\n"]


def test_a_failed_rename_keeps_those_done_and_removes_the_other_temporary_files(
    tmp_path, monkeypatch
):
    real_replace = render.os.replace

    def replace(src, dst):
        if str(dst).endswith("e1.md"):
            raise OSError("disk gone")
        real_replace(src, dst)

    monkeypatch.setattr(render.os, "replace", replace)
    with pytest.raises(OSError, match="disk gone"):
        write_atomic_many(_files(tmp_path, 3))
    assert os.listdir(tmp_path) == ["e0.md"] and (tmp_path / "e0.md").read_text() == "entry 0\n"
