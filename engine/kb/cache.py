"""Parsed entry files, kept by the hash of their content: a file is parsed once per content.

The cache holds what :func:`read_entry_file` made of a file's bytes (the entry, or why it is
refused), in ``<cache>/<hash[:2]>/<hash>-<code>.pickle``; ``<code>`` changes with the engine's
source, so an upgrade never reads an old entry shape. A renamed or copied file is found under
its content and gets its new path. Deleting the folder costs a re-parse, nothing else.

>>> import tempfile
>>> from pathlib import Path
>>> with tempfile.TemporaryDirectory() as folder:
...     path = Path(folder) / "a.md"
...     _ = path.write_text("---\\nid: a\\ntitle: A\\n---\\n\\n## Symptom\\n\\nIt fails.\\n")
...     cache = ReadCache(Path(folder) / "cache", code="test")
...     first, again = cache.read(path), cache.read(path)
...     (first.entry.id, again.entry.id, cache.misses, cache.hits)
('a', 'a', 1, 1)
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..entry import Entry
from ..errors import EntryError
from .entryfile import EntryFile, parse_entry_text
from .files import read_text


@dataclass(frozen=True)
class ReadFile:
    """One entry file as read: its content hash, and the entry or every reason it is refused."""

    sha: str
    entry: Entry | None
    errors: tuple[EntryError, ...] = field(default=())
    entry_id: str | None = None  # the id as written, when valid (a refused file's too)

    @property
    def status(self) -> str | None:
        return self.entry.status if self.entry is not None else None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ReadCache:
    """Parsed entry files by content hash, under one folder."""

    def __init__(self, folder: Path, code: str):
        self.folder = Path(folder)
        self.code = code
        self.hits = 0
        self.misses = 0

    def _path(self, sha: str) -> Path:
        return self.folder / sha[:2] / f"{sha}-{self.code}.pickle"

    def read(self, path: Path, data: bytes | None = None) -> ReadFile:
        """The file at *path* (its bytes *data* when the caller has them), parsed once."""
        return self.read_file(path, data)[0]

    def read_file(self, path: Path, data: bytes | None = None) -> tuple[ReadFile, EntryFile | None]:
        """:meth:`read`, and the whole :class:`EntryFile` when it was parsed now (for lint)."""
        if data is None:
            try:
                data = Path(path).read_bytes()
            except OSError:
                data = b""  # gone meanwhile: parsed below, refused with the reader's message
        sha = content_hash(data)
        cached = self.get(sha, path)
        if cached is not None:
            return cached, None
        self.misses += 1
        found = None
        try:
            found = parse_entry_text(read_text_bytes(path, data), path)
            read = ReadFile(sha, found.entry, tuple(found.errors), found.entry_id)
        except EntryError as exc:
            read = ReadFile(sha, None, (exc,), None)
        self._put(read)
        return read, found

    def get(self, sha: str, path: Path) -> ReadFile | None:
        """The parsed content *sha*, as if read at *path*, or None."""
        try:
            stored: ReadFile = pickle.loads(self._path(sha).read_bytes())
        except Exception:  # noqa: BLE001 - missing, partial or from another code: parse again
            return None
        self.hits += 1
        return _at(stored, path)

    def _put(self, read: ReadFile) -> None:
        target = self._path(read.sha)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(pickle.dumps(read, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(tmp, target)
        except OSError:
            pass  # a cache that cannot be written is only slower


def read_text_bytes(path: Path, data: bytes) -> str:
    """*data* as a KB file's text (the reader's UTF-8 rules and messages)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return read_text(path)  # raises the reader's EntryError naming the line


def _at(read: ReadFile, path: Path) -> ReadFile:
    """*read* with its paths made *path* (the same content may live under another name)."""
    where = str(path)
    entry = read.entry
    if entry is not None and entry.path != where:
        entry = replace(entry, path=where)
    errors = tuple(
        e if e.path == where else EntryError(where, e.line, e.message, e.col, e.field)
        for e in read.errors
    )
    return replace(read, entry=entry, errors=errors)
