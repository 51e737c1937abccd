"""Helpers of the triage tests (a uniquely named module: importable from any test file)."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

from triage import Limits
from triage.archive import Context
from triage.intake import events_of
from triage.notes import Notes
from triage.streams import Budget

REPO = Path(__file__).resolve().parents[2]
EVTX = REPO / "tests" / "data" / "evtx"


def read_bytes(data: bytes, name: str = "upload", limits: Limits | None = None):
    """(events, notes) of *data* read the way an upload is read."""
    limits = limits or Limits()
    ctx = Context(limits, Budget(limits.max_bytes), Notes())
    events = list(events_of(io.BytesIO(data), name, ctx, size=len(data)))
    return events, ctx.notes


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, (2012, 2, 3, 0, 0, 0)), data, compression)
    return buffer.getvalue()


def tar_bytes(
    members: dict[str, bytes], mode: str = "w:gz", links: dict[str, str] | None = None
) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return buffer.getvalue()
