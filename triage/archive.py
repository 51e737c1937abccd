"""The members of zip, tar and compressed bundles, read safely.

- Nothing is extracted to disk by name: members are read as streams, so a member called
  ``../../etc/passwd`` or ``/etc/passwd`` could do no harm; it is skipped all the same, and
  named, because no honest log bundle holds one.
- A zip's directory is checked before anything is expanded: too many members, a declared
  total over the budget, or a member that expands more than ``max_ratio`` times (a zip bomb)
  refuses the whole archive. Every byte read is then charged to the upload's budget anyway,
  so an archive whose headers lie is stopped while it expands.
- A tar (plain or compressed) is read as a stream, each member's declared size checked before
  it is read.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import re
import struct
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .detect import container
from .errors import Refused
from .limits import Limits
from .notes import Notes
from .streams import Budget, Counted, peek, seekable

ARCHIVES = ("zip", "tar", "gzip", "bzip2", "xz")
RATIO_CHECK_ABOVE = 1024 * 1024  # small members may compress well for honest reasons
_DRIVE = re.compile(r"^[A-Za-z]:")
# Read ahead in small steps: what is buffered is charged, and must not overshoot the budget.
COUNTED_BUFFER = 64 * 1024


@dataclass
class Context:
    """What every member of one upload shares: the limits, the byte budget, the notes."""

    limits: Limits
    budget: Budget
    notes: Notes


def unsafe_name(member: str) -> bool:
    """An absolute path, a drive letter, or a ``..`` component: never a log's honest name."""
    path = member.replace("\\", "/")
    return path.startswith("/") or bool(_DRIVE.match(path)) or ".." in path.split("/")


def members(kind: str, stream: BinaryIO, name: str, ctx: Context) -> Iterator[tuple[str, BinaryIO]]:
    """(display name, stream) for each member of the archive *stream* of *kind*."""
    if kind == "zip":
        with seekable(stream) as file:
            yield from _zip_members(file, name, ctx)
    elif kind == "tar":
        yield from _tar_members(stream, name, ctx)
    else:
        with _decompressed(kind, stream) as raw:
            head, expanded = peek(_counted(raw, ctx.budget, name))
            if container(head) == "tar":
                yield from _tar_members(expanded, name, ctx, counted=True)
            else:  # one compressed file (app.log.gz)
                inner = re.sub(r"\.(?:gz|bz2|xz)$", "", name, flags=re.IGNORECASE)
                yield (inner if inner != name else f"{name}!content", expanded)


def _decompressed(kind: str, stream: BinaryIO) -> BinaryIO:
    if kind == "gzip":
        return gzip.GzipFile(fileobj=stream, mode="rb")
    if kind == "bzip2":
        return bz2.BZ2File(stream, "rb")
    return lzma.LZMAFile(stream, "rb")


def _counted(raw: BinaryIO, budget: Budget | None, name: str) -> BinaryIO:
    return io.BufferedReader(Counted(raw, budget, name), buffer_size=COUNTED_BUFFER)


def zip_entry_count(file: BinaryIO) -> int | None:
    """The member count a zip's end record declares, read before the directory is loaded
    (``zipfile`` builds an object per member as it opens: a million members is a memory bomb)."""
    file.seek(0, io.SEEK_END)
    size = file.tell()
    tail_size = min(size, 65536 + 22)
    file.seek(size - tail_size)
    tail = file.read(tail_size)
    file.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or at + 22 > len(tail):
        return None
    (entries,) = struct.unpack("<H", tail[at + 10 : at + 12])
    if entries == 0xFFFF:  # zip64: the count is in the zip64 end record
        locator = tail.rfind(b"PK\x06\x07", 0, at)
        if locator >= 0:
            (offset,) = struct.unpack("<Q", tail[locator + 8 : locator + 16])
            file.seek(offset)
            record = file.read(56)
            file.seek(0)
            if record[:4] == b"PK\x06\x06":
                (entries,) = struct.unpack("<Q", record[32:40])
    return entries


def _zip_members(file: BinaryIO, name: str, ctx: Context) -> Iterator[tuple[str, BinaryIO]]:
    limits = ctx.limits
    count = zip_entry_count(file)
    if count is not None and count > limits.max_members:
        raise Refused(
            f"{name}: refused, it holds {count:,} members (the limit is {limits.max_members:,})"
        )
    with zipfile.ZipFile(file) as archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > limits.max_members:
            raise Refused(
                f"{name}: refused, it holds {len(infos):,} members (the limit is {limits.max_members:,})"
            )
        wanted = []
        for info in infos:
            member = f"{name}!{info.filename}"
            if unsafe_name(info.filename):
                ctx.notes.skip(member, "unsafe path (absolute or with '..'): not read")
            elif info.flag_bits & 0x1:
                ctx.notes.skip(member, "encrypted: not read")
            else:
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > RATIO_CHECK_ABOVE and ratio > limits.max_ratio:
                    raise Refused(
                        f"{member}: refused, it would expand {ratio:,.0f} times "
                        f"(a zip bomb? the limit is {limits.max_ratio}:1)"
                    )
                wanted.append((member, info))
        ctx.budget.check(sum(info.file_size for _, info in wanted), name)
        for member, info in wanted:
            with archive.open(info) as raw:
                yield member, _counted(raw, ctx.budget, member)


def _tar_members(
    stream: BinaryIO, name: str, ctx: Context, counted: bool = False
) -> Iterator[tuple[str, BinaryIO]]:
    """Members of a tar read as a stream (``r|``): one pass, nothing held but the current one.
    *counted*: the stream is already charged to the budget (a decompressed .tar.gz)."""
    seen = 0
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for info in archive:
            seen += 1
            if seen > ctx.limits.max_members:
                raise Refused(
                    f"{name}: refused, it holds more than {ctx.limits.max_members:,} members"
                )
            member = f"{name}!{info.name}"
            if info.isdir():
                continue
            if unsafe_name(info.name):
                ctx.notes.skip(member, "unsafe path (absolute or with '..'): not read")
                continue
            if not info.isreg():
                ctx.notes.skip(member, "a link or device, not a file: not read")
                continue
            ctx.budget.check(info.size, member)
            raw = archive.extractfile(info)
            if raw is None:
                continue
            yield member, _counted(raw, None if counted else ctx.budget, member)
            archive.members.clear()  # stream mode keeps every header otherwise
