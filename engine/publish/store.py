"""The index folder as the home of KB versions: each version in its own folder, pointers to the
one servers answer from, the leader's lock, and what each worker process has loaded.

    .kb-index/
      CURRENT                  <- the version every worker answers from (replaced atomically)
      NEXT                     <- the version being published: workers load it ahead
      STATE                    <- the last folder scan: each file's hash, verdict and status
      STATUS.json              <- what /kb/_status shows: problems and drafts, for every worker
      leader.lock, build.lock  <- flock: one process watches and builds; builds never overlap
      workers/<pid>.json       <- each serving process: the version it serves and has staged
      cache/                   <- parsed entry files by content hash (safe to delete)
      versions/<vid>-<code>/   <- one KB version: search index, snapshot, VERSION.json

Everything here is a cache of what ``kb/`` holds: deleting the folder costs one rebuild.
"""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CURRENT = "CURRENT"
NEXT = "NEXT"
STATE = "STATE"
STATUS = "STATUS.json"
VERSION_FILE = "VERSION.json"
KEEP_FOR_S = 600.0  # an unused version stays this long: a slow process may still be opening it


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


@dataclass(frozen=True)
class Stamp:
    """What changes when a file is replaced: a cheap way to notice without reading it."""

    mtime_ns: int
    inode: int
    size: int


def stamp(path: Path) -> Stamp | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return Stamp(st.st_mtime_ns, st.st_ino, st.st_size)


class VersionStore:
    """One index folder (``KB_INDEX_DIR``) holding KB versions."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.versions = self.root / "versions"
        self.cache = self.root / "cache"
        self.workers = self.root / "workers"
        for folder in (self.versions, self.cache, self.workers):
            folder.mkdir(parents=True, exist_ok=True)
        self._leader_fd: int | None = None

    # --- versions ------------------------------------------------------------------------

    def folder(self, name: str) -> Path:
        return self.versions / name

    def has(self, name: str) -> bool:
        return (self.versions / name / VERSION_FILE).is_file()

    def describe(self, name: str) -> dict[str, Any] | None:
        try:
            return json.loads((self.versions / name / VERSION_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def staging(self, name: str) -> Path:
        path = self.versions / f".building-{name}-{os.getpid()}"
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir()
        return path

    def commit(self, staging: Path, name: str, about: dict[str, Any]) -> Path:
        """Make a complete staging folder the version *name* (one rename: all or nothing)."""
        (staging / VERSION_FILE).write_text(json.dumps(about, indent=2), encoding="utf-8")
        final = self.versions / name
        if final.exists():  # a rebuild (kb index) or a leftover without VERSION.json
            shutil.rmtree(final, ignore_errors=True)
        os.replace(staging, final)
        return final

    def prune(self, keep: set[str]) -> None:
        """Remove versions nobody points at and nobody used for a while, and dead builds."""
        keep = keep | {n for n in (self.read(CURRENT), self.read(NEXT)) if n}
        now = time.time()
        for child in self.versions.iterdir():
            if child.name in keep:
                continue
            try:
                age = now - child.stat().st_mtime
            except OSError:
                continue
            if age > KEEP_FOR_S:
                shutil.rmtree(child, ignore_errors=True)

    # --- pointers ------------------------------------------------------------------------

    def read(self, pointer: str) -> str | None:
        try:
            return (self.root / pointer).read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    def point(self, pointer: str, name: str) -> None:
        write_atomic(self.root / pointer, (name + "\n").encode())

    def stamp(self, pointer: str) -> Stamp | None:
        return stamp(self.root / pointer)

    # --- the last scan, and what the status page shows -----------------------------------

    def load_state(self) -> Any:
        try:
            return pickle.loads((self.root / STATE).read_bytes())
        except Exception:  # noqa: BLE001 - a missing or unreadable state: scan from scratch
            return None

    def save_state(self, state: Any) -> None:
        write_atomic(self.root / STATE, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))

    def save_status(self, status: dict[str, Any]) -> None:
        write_atomic(self.root / STATUS, json.dumps(status, ensure_ascii=False).encode())

    def load_status(self) -> dict[str, Any] | None:
        try:
            return json.loads((self.root / STATUS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    # --- locks ---------------------------------------------------------------------------

    def try_lead(self) -> bool:
        """Become the one process that watches ``kb/`` and builds versions, if none is.

        The lock is the kernel's (flock): it is let go when the process dies, however it dies,
        and another process takes over at its next look.
        """
        if self._leader_fd is not None:
            return True
        fd = os.open(self.root / "leader.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        os.set_inheritable(fd, False)
        self._leader_fd = fd
        return True

    @property
    def leading(self) -> bool:
        return self._leader_fd is not None

    def resign(self) -> None:
        if self._leader_fd is not None:
            os.close(self._leader_fd)
            self._leader_fd = None

    def forget_lead_after_fork(self) -> None:
        """In a forked child: the parent's lock is the parent's (the fd is closed, not unlocked)."""
        if self._leader_fd is not None:
            os.close(self._leader_fd)
            self._leader_fd = None

    @contextmanager
    def building(self):
        """Hold the build lock: one build at a time across every process on this folder."""
        fd = os.open(self.root / "build.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # --- worker reports ------------------------------------------------------------------

    def report(self, serving: str | None, staged: str | None) -> None:
        body = {"pid": os.getpid(), "serving": serving, "staged": staged, "at": time.time()}
        write_atomic(self.workers / f"{os.getpid()}.json", json.dumps(body).encode())

    def withdraw(self) -> None:
        try:
            (self.workers / f"{os.getpid()}.json").unlink()
        except OSError:
            pass

    def live_workers(self) -> dict[int, dict[str, Any]]:
        """The serving processes on this machine that are alive, by pid (dead ones forgotten)."""
        found: dict[int, dict[str, Any]] = {}
        for path in self.workers.glob("*.json"):
            try:
                pid = int(path.stem)
                body = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if _alive(pid):
                found[pid] = body
            else:
                try:
                    path.unlink()
                except OSError:
                    pass
        return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed, not yet reaped by its parent) is dead for our purpose
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True
