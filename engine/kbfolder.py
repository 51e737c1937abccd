"""The KB folder as last read: every entry file's last good version, and what is wrong with it.

Used once at start-up (read everything) and then by live reload (read only what changed).
A file that stops parsing keeps its last good version serving and records its error; fixing
it clears the error; deleting it removes its entry. Two files claiming one id: the first by
path wins, the second is an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .entry import Entry
from .errors import EntryError, KBError
from .glossary import GLOSSARY_FILE
from .kb import entry_files, parse_entry, read_text


@dataclass
class FileState:
    signature: tuple[int, int]  # (mtime_ns, size): cheap to compare on every poll
    entry: Entry | None = None  # the last version that parsed
    error: EntryError | None = None  # why the current version does not parse


@dataclass
class Changes:
    """What a scan found since the previous one."""

    files: list[Path] = field(default_factory=list)  # added, modified or removed entry files
    glossary: bool = False

    def __bool__(self) -> bool:
        return bool(self.files or self.glossary)


def _signature(path: Path) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


class KBFolder:
    def __init__(self, kb_dir: Path):
        self.kb_dir = Path(kb_dir)
        if not self.kb_dir.is_dir():
            raise KBError(
                f"knowledge-base folder {self.kb_dir} does not exist (set --kb-dir or KB_DIR)"
            )
        self.files: dict[Path, FileState] = {}
        self.glossary_signature = _signature(self.kb_dir / GLOSSARY_FILE)
        self.scan()

    def scan(self) -> Changes:
        """Re-read the files whose size or modification time changed; forget deleted ones."""
        changes = Changes()
        seen = set()
        for path in entry_files(self.kb_dir):
            seen.add(path)
            signature = _signature(path)
            if signature is None:
                continue
            state = self.files.get(path)
            if state is not None and state.signature == signature:
                continue
            self.files[path] = self._read(path, signature, state)
            changes.files.append(path)
        for path in [p for p in self.files if p not in seen]:
            del self.files[path]
            changes.files.append(path)
        glossary = _signature(self.kb_dir / GLOSSARY_FILE)
        if glossary != self.glossary_signature:
            self.glossary_signature = glossary
            changes.glossary = True
        return changes

    @staticmethod
    def _read(path: Path, signature, previous: FileState | None) -> FileState:
        try:
            entry = parse_entry(read_text(path), path)
        except EntryError as exc:
            last_good = previous.entry if previous else None
            return FileState(signature, last_good, exc)
        except OSError as exc:  # vanished or unreadable between the listing and the read
            return FileState(
                signature, previous.entry if previous else None, EntryError(path, 1, str(exc))
            )
        return FileState(signature, entry, None)

    def entries(self) -> tuple[dict[str, Entry], list[EntryError]]:
        """The entries to serve (last good versions included) and every current problem."""
        entries: dict[str, Entry] = {}
        owners: dict[str, Path] = {}
        errors: list[EntryError] = []
        for path in sorted(self.files):
            state = self.files[path]
            if state.error is not None:
                errors.append(state.error)
            entry = state.entry
            if entry is None:
                continue
            if entry.id in owners:
                errors.append(
                    EntryError(
                        path, 1, f"duplicate id '{entry.id}': also used by {owners[entry.id]}"
                    )
                )
                continue
            owners[entry.id] = path
            entries[entry.id] = entry
        return entries, errors
