"""Writing KB files: an entry's canonical text, written atomically.

Rendering is deterministic, so writing the same entry twice gives byte-identical files, and
:func:`write_atomic` leaves either the old file or the new one, never half of one.

>>> from engine.entry import Entry
>>> print(render_entry(Entry(id="a", title="Event 1196: DNS", sections=(("Fix", "Retry."),))))
---
id: a
title: 'Event 1196: DNS'
kind: troubleshooting
language: en
owner: writer
---
<BLANKLINE>
## Fix
<BLANKLINE>
Retry.
<BLANKLINE>
"""

from __future__ import annotations

import ctypes
import errno
import os
import random
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from ..entry import SECTIONS, Entry
from . import fastyaml


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Readable, stable YAML: block style for multi-line text, no line folding.

    libyaml's emitter when PyYAML has it: byte-identical output, about 7x faster (measured on
    the seed's 23 entries), which is most of an ingest's time.
    """


def _represent_str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def front_matter_of(entry: Entry) -> dict[str, Any]:
    """The entry's front matter in canonical key order, empty optional keys left out."""
    data: dict[str, Any] = {
        "id": entry.id,
        "title": entry.title,
        "kind": entry.kind,
    }
    if entry.status != "published":  # the default is not written: existing files stay as they are
        data["status"] = entry.status
    data["language"] = entry.language
    if entry.source:
        data["source"] = entry.source
    for key in ("products", "tags"):
        if getattr(entry, key):
            data[key] = list(getattr(entry, key))
    if entry.signatures:
        data["signatures"] = entry.signatures.to_dict()
    if entry.rules:
        data["rules"] = [dict(r) for r in entry.rules]
    if entry.generated_rules:
        data["generated_rules"] = [dict(r) for r in entry.generated_rules]
    for key in ("examples", "see_also"):
        if getattr(entry, key):
            data[key] = list(getattr(entry, key))
    data["owner"] = entry.owner
    if entry.ingest:
        data["ingest"] = dict(entry.ingest)
    return data


def dump_yaml(data: Any) -> str:
    """*data* as YAML. An entry's front matter is written by :mod:`.fastyaml` (the same
    bytes, without PyYAML's representer); anything else by PyYAML."""
    fast = fastyaml.dump(data)
    if fast is not None:
        return fast
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, indent=2
    )


def render_entry(entry: Entry) -> str:
    """The file text for *entry*: same entry in, same bytes out."""
    order = SECTIONS.get(entry.kind, ())
    known = [(n, t) for n in order for (k, t) in entry.sections if k == n]
    extra = [(k, t) for (k, t) in entry.sections if k not in order]
    parts = ["---\n", dump_yaml(front_matter_of(entry)), "---\n"]
    for name, text in known + extra:
        parts.append(f"\n## {name}\n\n{text.strip()}\n" if text.strip() else f"\n## {name}\n")
    return "".join(parts)


# What write_atomic's temporary files are called: ".<entry>.md.<8 random characters>.tmp".
_ENTRY_TEMP = re.compile(r"^\.[^/\\]+\.md\.[a-z0-9_]{8}\.tmp$")


def write_atomic(path: Path, text: str) -> None:
    """Write *text* to *path* so that a crash leaves either the old file or the new one.

    The text goes to a temporary file in the same folder, is flushed to disk, then renamed
    over the target (an atomic rename on POSIX and Windows). A process killed in between
    leaves the hidden temporary file; :func:`remove_stale_temp_files` removes it later.

    The temporary file is made as :func:`tempfile.mkstemp` makes one (a new name, created
    exclusively, not through a symlink, readable by its owner only) and written with plain
    system calls: a large ingest writes thousands of files, and mkstemp's and a text file
    object's own work was a third of each write's time in this process.
    """
    path = Path(path)
    data = text.encode("utf-8")
    fd, tmp = _create_temp(path)
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        _remove_temps([tmp])
        raise


def write_atomic_many(files: Sequence[tuple[Path, str]]) -> None:
    """Write each ``(path, text)`` of *files* as :func:`write_atomic` does, with one flush to
    disk for them all instead of one fsync a file.

    Every text goes to its own temporary file; once all are written, the file system they are
    on is flushed once (Linux's ``syncfs``), and only then is each renamed over its target, in
    order. A crash before a rename leaves that file's temporary file, which
    :func:`remove_stale_temp_files` removes later, never half of an entry. An ingest writes
    thousands of small files, and an fsync each was most of the CPU it spent writing them
    (measured on a 2-core VM: 0.7-1.2 ms of system time a file fsync'ed one at a time,
    ~0.06 ms a file flushed 32 at a time).

    Where ``syncfs`` cannot be called, each temporary file is fsync'ed before any is renamed.
    When anything fails, the temporary files not yet renamed are removed and the error raised.
    """
    pending = [(Path(path), text.encode("utf-8")) for path, text in files]
    folders = list(dict.fromkeys(path.parent for path, _ in pending))
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    # Opened before anything is written: syncfs reports the write-back errors that happened
    # after its file descriptor was opened, so a failed write-back of any of these is seen.
    handles = [os.open(folder, os.O_RDONLY) for folder in folders] if _syncfs else []
    temps: list[str] = []
    try:
        for path, data in pending:
            fd, tmp = _create_temp(path)
            temps.append(tmp)
            try:
                _write_all(fd, data)
                if not _syncfs:
                    os.fsync(fd)
            finally:
                os.close(fd)
        for handle in handles:
            _flush_file_system(handle)
        for done, (tmp, (path, _)) in enumerate(zip(temps, pending)):
            try:
                os.replace(tmp, path)
            except BaseException:
                del temps[:done]  # those are in place: not temporary files any more
                raise
    except BaseException:
        _remove_temps(temps)
        raise
    finally:
        for handle in handles:
            os.close(handle)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _remove_temps(temps: list[str]) -> None:
    for tmp in temps:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass


def _libc_syncfs() -> Callable[[int], int] | None:
    """Linux's syncfs(2) (flush the file system a file descriptor is on), or None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError, TypeError):
        return None


_syncfs = _libc_syncfs()


def _flush_file_system(handle: int) -> None:
    """Flush to disk everything written on the file system *handle* is on; raise OSError
    when that fails or when a write-back since *handle* was opened failed."""
    if _syncfs(handle) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))


_TEMP_FLAGS = (
    os.O_RDWR
    | os.O_CREAT
    | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_TEMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"  # tempfile's, so _ENTRY_TEMP knows them
_names = random.Random()
_names_pid = os.getpid()


def _create_temp(path: Path) -> tuple[int, str]:
    """A new temporary file beside *path*, ".<name>.<8 random characters>.tmp", open."""
    global _names, _names_pid
    if _names_pid != os.getpid():  # a forked child must not repeat its parent's names
        _names, _names_pid = random.Random(), os.getpid()
    folder = str(path.parent)
    for _ in range(tempfile.TMP_MAX):
        tmp = os.path.join(folder, f".{path.name}.{''.join(_names.choices(_TEMP_CHARS, k=8))}.tmp")
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o600), tmp
        except FileExistsError:
            continue
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            return os.open(tmp, _TEMP_FLAGS, 0o600), tmp
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", folder)


def remove_stale_temp_files(folder: Path, older_than: float) -> list[Path]:
    """Remove the temporary files :func:`write_atomic` left in *folder* (an entry's, never
    anything else) that were last written before *older_than* (a time.time() value): what a
    killed run left behind. A write lives for milliseconds, so a caller passes its own start
    minus a margin, and a concurrent writer's file is never taken. Returns what was removed."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        if not _ENTRY_TEMP.match(name):
            continue
        path = Path(folder) / name
        try:
            if path.is_file() and path.stat().st_mtime < older_than:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone already, or not ours to remove: leave it
    return removed
