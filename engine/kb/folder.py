"""The KB folder as last read: every entry file's last good version, and what is wrong with it.

Read once at start-up (everything) and then by live reload (only what changed). A file that
stops parsing keeps its last good version serving and records its errors; fixing it clears
them; deleting it removes its entry. Two files claiming one id: the first by path wins, the
second is an error at the second file's ``id:`` line.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..entry import Entry
from ..errors import EntryError
from .entryfile import read_entry_file
from .files import GLOSSARY_FILE, entry_files, require_folder


@dataclass
class FileState:
    signature: tuple[int, int] | None  # (mtime_ns, size): cheap to compare on every poll
    entry: Entry | None = None  # the last version that parsed
    errors: list[EntryError] = field(default_factory=list)  # why the current version is refused


@dataclass
class Changes:
    """What a scan found since the previous one."""

    files: list[Path] = field(default_factory=list)  # added, modified or removed entry files
    glossary: bool = False

    def __bool__(self) -> bool:
        return bool(self.files or self.glossary)


def file_signature(path: Path | str) -> tuple[int, int] | None:
    """(modification time, size) of a file, None when it is gone: how a change is noticed."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


class KBFolder:
    """The entry files of one KB folder, read through :func:`read_entry_file`."""

    def __init__(self, kb_dir: Path | str):
        self.kb_dir = require_folder(kb_dir)
        self.files: dict[Path, FileState] = {}
        self.glossary_path = self.kb_dir / GLOSSARY_FILE
        self.glossary_signature = file_signature(self.glossary_path)
        self.scan()

    def scan(self) -> Changes:
        """Re-read the files whose size or modification time changed; forget deleted ones."""
        changes = Changes()
        seen = set()
        for path in entry_files(self.kb_dir):
            seen.add(path)
            signature = file_signature(path)
            if signature is None:
                continue
            state = self.files.get(path)
            if state is not None and state.signature == signature:
                continue
            read = read_entry_file(path)
            last_good = read.entry or (state.entry if state else None)
            self.files[path] = FileState(signature, last_good, read.errors)
            changes.files.append(path)
        for path in [p for p in self.files if p not in seen]:
            del self.files[path]
            changes.files.append(path)
        glossary = file_signature(self.glossary_path)
        if glossary != self.glossary_signature:
            self.glossary_signature = glossary
            changes.glossary = True
        return changes

    def entries(self) -> tuple[dict[str, Entry], list[EntryError]]:
        """The entries to serve (last good versions included) and every current problem."""
        return assign_ids((path, s.entry, s.errors) for path, s in self.files.items())

    def paths(self) -> list[Path]:
        """Every file the KB is made of (entries, and the glossary when there is one)."""
        files = list(self.files)
        if self.glossary_path.exists():
            files.append(self.glossary_path)
        return files


def assign_ids(
    files: Iterable[tuple[Path, Entry | None, list[EntryError]]],
) -> tuple[dict[str, Entry], list[EntryError]]:
    """Entries by id, and every problem: the files' own, and each id claimed twice.

    The first file by path owns an id; a later one is an error at its ``id:`` value.
    """
    entries: dict[str, Entry] = {}
    owners: dict[str, Path] = {}
    errors: list[EntryError] = []
    for path, entry, file_errors in sorted(files, key=lambda item: item[0]):
        errors.extend(file_errors)
        if entry is None:
            continue
        if entry.id in owners:
            line, col = entry.where("id")
            message = f"duplicate id '{entry.id}': also used by {owners[entry.id]}"
            errors.append(EntryError(path, line, message, col, "id"))
            continue
        owners[entry.id] = path
        entries[entry.id] = entry
    return entries, errors


def load_entries(kb_dir: Path | str) -> tuple[list[Entry], list[EntryError]]:
    """Every entry of *kb_dir*, and every problem (a broken file does not stop the others)."""
    entries, errors = KBFolder(kb_dir).entries()
    return list(entries.values()), errors
