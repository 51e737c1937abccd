"""Byte streams with a budget: counting what is read, peeking at the head, spooling to disk.

Every byte triage reads passes through :class:`Counted`, charged to the one :class:`Budget` of
its upload, so an archive that expands past the limit is stopped while it expands, whatever its
headers claimed. Nothing here holds more than one read's worth of data in memory.
"""

from __future__ import annotations

import io
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import BinaryIO

from .errors import Refused
from .limits import ENV_MAX_BYTES, human_bytes

HEAD_BYTES = 64 * 1024  # what format detection looks at
COPY_CHUNK = 1024 * 1024


class Budget:
    """The bytes one upload may still read, shared by every member of its archives."""

    def __init__(self, limit: int):
        self.limit = limit
        self.used = 0

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def check(self, size: int, name: str) -> None:
        """Refuse *name* now when its (declared or known) *size* cannot fit."""
        if size > self.remaining:
            raise Refused(
                f"{name}: refused, it would expand to more than {human_bytes(self.limit)} "
                f"(the per-upload limit; ${ENV_MAX_BYTES} or --max-bytes raise it)"
            )

    def take(self, n: int, name: str) -> None:
        self.check(n, name)
        self.used += n


class Counted(io.RawIOBase):
    """A read-only, forward-only view of *raw* that charges every byte read to *budget*
    (None: already charged upstream)."""

    def __init__(self, raw: BinaryIO, budget: Budget | None, name: str):
        self.raw = raw
        self.budget = budget
        self.name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        if data and self.budget is not None:
            self.budget.take(len(data), self.name)
        buffer[: len(data)] = data
        return len(data)


class Progress(io.RawIOBase):
    """A seekable file that reports how far into it reading has got (for a progress bar)."""

    def __init__(self, raw: BinaryIO, report: Callable[[int], None] | None):
        self.raw = raw
        self.report = report
        self.furthest = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self.raw.seek(offset, whence)

    def tell(self) -> int:
        return self.raw.tell()

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        position = self.raw.tell()
        if position > self.furthest:
            if self.report:
                self.report(position - self.furthest)
            self.furthest = position
        return len(data)


class _Prefixed(io.RawIOBase):
    """*head* (already read) followed by the rest of *raw*."""

    def __init__(self, head: bytes, raw: BinaryIO):
        self.head = memoryview(head)
        self.raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
            return n
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def peek(stream: BinaryIO) -> tuple[bytes, BinaryIO]:
    """The first bytes of *stream* (for detection) and a stream that still starts at them."""
    if stream.seekable():
        start = stream.tell()
        head = stream.read(HEAD_BYTES)
        stream.seek(start)
        return head, stream
    chunks, size = [], 0
    while size < HEAD_BYTES:
        data = stream.read(HEAD_BYTES - size)
        if not data:
            break
        chunks.append(data)
        size += len(data)
    head = b"".join(chunks)
    return head, io.BufferedReader(_Prefixed(head, stream), buffer_size=COPY_CHUNK)


@contextmanager
def seekable(stream: BinaryIO) -> Iterator[BinaryIO]:
    """*stream* itself when it can seek, else a copy in a temporary file deleted on exit: for
    readers and archives that must seek. The copy is bounded by the budget *stream* is
    counted against."""
    if stream.seekable():
        yield stream
        return
    with tempfile.TemporaryFile() as copy:
        shutil.copyfileobj(stream, copy, COPY_CHUNK)
        copy.seek(0)
        yield copy
