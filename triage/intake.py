"""From one input (a file, an upload, an archive member) to its events: detect, then read.

    bytes -> container? (evtx | zip | tar | gzip ...) -> archive members, each read the same way
          -> else text: encoding -> format (wevtutil, Format-List, CSV, XML, cluster.log, text)
          -> reader -> Events

Archives are opened one level deep inside another (a zip of zips from a ticket); deeper ones
are skipped and named. A member that is not a log, or is damaged, is skipped and named; the
top-level input that is not a log raises :class:`NotALog`.
"""

from __future__ import annotations

import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from .archive import ARCHIVES, Context, members
from .detect import container, text_format
from .errors import NotALog
from .event import Event
from .readers import TEXT_READERS, evtx_file
from .streams import peek, seekable
from .text import bounded_lines, decode_sample, detect_encoding, is_text, open_text

# What a damaged member raises while it is read: it is skipped, the rest goes on.
DAMAGED = (zipfile.BadZipFile, tarfile.TarError, zlib.error, EOFError, NotImplementedError, OSError)


def events_of(
    stream: BinaryIO, name: str, ctx: Context, depth: int = 0, size: int | None = None
) -> Iterator[Event]:
    """The events of one input. *size*, when known (a file, an upload), is charged to the
    budget before a byte is read; an archive member is charged as it is read instead."""
    head, stream = peek(stream)
    kind = container(head)
    if kind in ARCHIVES:
        yield from _archive(kind, stream, name, ctx, depth)
        return
    if size is not None:
        ctx.budget.take(size, name)
    if kind == "evtx":
        with seekable(stream) as file:
            file_size = file.seek(0, 2)
            file.seek(0)
            yield from evtx_file.read(file, file_size, name, ctx.notes)
        return
    encoding = detect_encoding(head)
    sample = decode_sample(head, encoding) if encoding else ""
    if encoding is None or not is_text(sample):
        raise NotALog(name)
    reader = TEXT_READERS[text_format(sample)]
    limit = ctx.limits.max_line_chars

    def cut(number: int) -> None:
        ctx.notes.warn(name, f"line {number} is longer than {limit:,} characters: cut there")

    yield from reader(bounded_lines(open_text(stream, encoding), limit, cut), name, ctx.notes)


def _archive(kind: str, stream: BinaryIO, name: str, ctx: Context, depth: int) -> Iterator[Event]:
    if depth > ctx.limits.max_nesting:
        ctx.notes.skip(
            name, f"an archive nested more than {ctx.limits.max_nesting} level deep: not opened"
        )
        return
    read_any = False
    try:
        for member, member_stream in members(kind, stream, name, ctx):
            read_any = True
            try:
                yield from events_of(member_stream, member, ctx, depth + 1)
            except NotALog:
                ctx.notes.skip(member, "not a log I can read")
            except DAMAGED as exc:
                ctx.notes.skip(member, f"damaged: {exc}")
    except DAMAGED as exc:
        if depth == 0 and not read_any:
            raise NotALog(name, f"a damaged {kind} archive: {exc}") from None
        ctx.notes.warn(name, f"a damaged {kind} archive, read up to where it breaks: {exc}")
