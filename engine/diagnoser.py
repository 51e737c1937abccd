"""The pipeline, assembled: a knowledge base loaded once, then ``diagnose(text)`` per paste.

    paste -> normalise -> (rules, search) -> rank -> Diagnosis

What a diagnosis reads (entries, glossary, rule book, search index) is one immutable
:class:`Snapshot` of one KB version (:mod:`engine.publish`): the entries that pass ``kb lint``
and are published, built once per version into its own folder. Live reload builds the next
version and swaps the snapshot whole, so a request sees the old KB or the new one, never a mix.

A server (``serve=True``) keeps every worker process on one version: one process (the
leader, chosen by a lock) watches ``kb/`` and builds; it publishes a new version as ``NEXT``,
waits until every worker has loaded it, then makes it ``CURRENT``, and every worker checks
``CURRENT`` before each request (:meth:`Diagnoser.sync`), so once the swap is done no
response comes from the old version.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as index_dir:   # the shipped KB, run from the repository
...     d = Diagnoser("kb", index_dir)
...     d.diagnose("Event ID 1196 ... DNS signature failed to verify").remedies[0].entry.id
...     d.close()
'cluster-name-resource-failed-registeration-in-dns'
"""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

from .calibration import load as load_calibration
from .errors import KBError
from .kb.cache import ReadCache
from .model import Diagnosis
from .normalise import MAX_PASTE_BYTES, normalise
from .publish import (
    CURRENT,
    NEXT,
    Built,
    Gate,
    VersionStore,
    build_version,
    folder_name,
    load_version,
)
from .publish.snapshot import code_fingerprint
from .rank import fuse
from .search import DEFAULT_INDEX_DIR, SearchIndex

log = logging.getLogger(__name__)
SEARCH_DEPTH = 20
# A snapshot replaced by a reload is freed this long after, when no request can still use it.
RETIRE_AFTER_S = 30.0
# How long a leader waits for every worker to load a new version before making it current
# (a worker that is slower loads it on its next request).
STAGE_TIMEOUT_S = 3.0


def default_index_dir(kb_dir: Path) -> Path:
    """``$KB_INDEX_DIR``, else ``.kb-index`` beside the KB folder (git ignores it)."""
    env = os.environ.get("KB_INDEX_DIR")
    if env:
        return Path(env)
    return Path(kb_dir).resolve().parent / DEFAULT_INDEX_DIR


@dataclass(frozen=True)
class Snapshot:
    """Everything a diagnosis reads, as one value: one KB version, opened in this process."""

    version: Built
    search: SearchIndex
    loaded_at: float = field(default_factory=time.time)

    # read through to the version (their types are Built's)
    vid = property(attrgetter("version.vid"))
    name = property(attrgetter("version.name"))
    entries = property(attrgetter("version.entries"))
    glossary = property(attrgetter("version.glossary"))
    rules = property(attrgetter("version.rules"))

    def close(self) -> None:
        self.version.rules.close()
        self.search.close()


@dataclass(frozen=True)
class Reload:
    """What one refresh changed."""

    changed: tuple[str, ...]
    removed: tuple[str, ...]
    errors: tuple[str, ...]
    full: bool  # the glossary changed: the index was rebuilt whole
    seconds: float


class Diagnoser:
    """A loaded knowledge base: one KB version's entries, glossary, rule book and index."""

    def __init__(
        self,
        kb_dir: Path | str,
        index_dir: Path | str | None = None,
        *,
        max_paste_bytes: int = MAX_PASTE_BYTES,
        threshold: float | None = None,
        progress: Callable[[int, int], None] | None = None,
        rebuild_index: bool = False,
        drafts: bool = False,
        serve: bool = False,
    ):
        self.kb_dir = Path(kb_dir)
        self.index_dir = Path(index_dir) if index_dir else default_index_dir(self.kb_dir)
        self.max_paste_bytes = max_paste_bytes
        # the calibration model's threshold: confident answers right >= 95% of the time
        self.threshold = load_calibration().threshold if threshold is None else threshold
        self.drafts = drafts
        self.serving = serve
        self.store = VersionStore(self.index_dir)
        self.cache = ReadCache(self.store.cache, code_fingerprint())
        self._lock = threading.RLock()  # guards the snapshot swap
        self._reload_lock = threading.Lock()  # one refresh at a time
        self._retired: list[tuple[float, Snapshot]] = []
        self._pins: dict[str, int] = {}  # version name -> requests holding it
        self._staged: Snapshot | None = None
        self._current_stamp: Any = None
        self._status_stamp: Any = None
        self._pid = os.getpid()
        self.last_reload: Reload | None = None
        self.look_seconds = 0.0  # what a look at an unchanged folder costs (a stat per file)
        self._snapshot, self._status = self._start(progress, rebuild_index)
        if serve:  # a server's start makes its version the one every worker answers from
            self.store.point(NEXT, self._snapshot.name)  # not a previous server's leftover
            self.store.point(CURRENT, self._snapshot.name)
            self._current_stamp = self.store.stamp(CURRENT)
            self.store.save_status(self._status)

    # --- loading -----------------------------------------------------------------------

    def _start(self, progress, rebuild: bool) -> tuple[Snapshot, dict]:
        """The version of the folder as it is now: the last scan's when nothing moved since
        (no file parsed, nothing compiled), else scanned and built."""
        previous = None if self.drafts or rebuild else self.store.load_state()
        base = None
        if previous is not None and previous.vid:
            base = load_version(self.store, folder_name(previous.vid))
        if base is None:
            previous = None  # without its entries a scan must start from scratch
        self.gate = Gate(
            self.kb_dir,
            self.cache,
            drafts=self.drafts,
            previous=previous,
            served=base.by_path if base else None,
            glossary=base.glossary if base else None,
        )
        if base is not None and not rebuild and self.gate.unchanged():
            return self._open(base), self.gate.state.status()
        scan = self.gate.scan()
        if scan is None:  # only times moved
            version = base
        else:
            version = build_version(self.store, scan, base, progress, rebuild)
        if not self.drafts:
            self.store.save_state(self.gate.state)
        self.store.prune({version.name})
        return self._open(version), self.gate.state.status()

    def _open(self, version: Built) -> Snapshot:
        return Snapshot(version, version.open_search())

    def _load(self, name: str) -> Snapshot | None:
        version = load_version(self.store, name)
        return self._open(version) if version is not None else None

    # --- serving -----------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot

    # read through the current snapshot: each read takes it anew (two reads may see two versions)
    vid = property(attrgetter("snapshot.vid"))
    entries = property(attrgetter("snapshot.entries"))
    glossary = property(attrgetter("snapshot.glossary"))
    rules = property(attrgetter("snapshot.rules"))
    search = property(attrgetter("snapshot.search"))

    @property
    def status(self) -> dict:
        """The folder's problems, drafts and last-good files (for /kb/_status)."""
        if self.serving and not self.store.leading:
            stamp = self.store.stamp("STATUS.json")
            if stamp != self._status_stamp:
                self._status_stamp = stamp
                self._status = self.store.load_status() or self._status
        return self._status

    @property
    def errors(self) -> list[str]:
        """Every problem in the KB folder now, as ``path:line:col: message``."""
        return list(self.status.get("problems", ()))

    def warm_up(self) -> None:
        """Load now what a first paste would otherwise wait for (servers call this at start-up):
        the rule engine's rulesets and the Chinese segmenter's dictionary."""
        self.rules.warm_up()
        self.search.segmenter.warm_up()

    def pin(self) -> Pinned:
        """This Diagnoser held at its current version (a request's view: never a mix), until
        :meth:`Pinned.release`: a replaced version is not closed while a request holds it."""
        self.sync()
        with self._lock:
            snap = self._snapshot
            self._pins[snap.name] = self._pins.get(snap.name, 0) + 1
        return Pinned(self, snap)

    def _unpin(self, snap: Snapshot) -> None:
        with self._lock:
            left = self._pins.get(snap.name, 0) - 1
            if left > 0:
                self._pins[snap.name] = left
            else:
                self._pins.pop(snap.name, None)

    def diagnose(self, text: str, top: int = 5) -> Diagnosis:
        """Rank the remedies for one paste. Raises only :class:`PasteTooLarge`."""
        return self.diagnose_with(self.snapshot, text, top)

    def diagnose_with(self, snap: Snapshot, text: str, top: int = 5) -> Diagnosis:
        if top < 1:
            raise KBError("top must be 1 or more")
        normalised = normalise(text, snap.glossary, self.max_paste_bytes)
        rule_hits = snap.rules.evaluate(normalised)
        search_hits, resampled = snap.search.search_resampled(
            normalised, limit=max(SEARCH_DEPTH, top)
        )
        remedies = fuse(
            rule_hits,
            search_hits,
            snap.entries,
            normalised.facts,
            top,
            snap.glossary.generic_products,
            resampled=resampled,
        )
        confident = bool(remedies) and remedies[0].confidence >= self.threshold
        return Diagnosis(
            confident=confident,
            remedies=tuple(remedies),
            normalised=normalised,
            threshold=self.threshold,
        )

    # --- live reload -------------------------------------------------------------------

    def refresh(self) -> Reload | None:
        """Pick up added, edited and deleted files; return what changed, or None.

        A change makes a new version: the changed entries updated in a copy of the index,
        the rule book compiled again. A glossary change rebuilds the index whole, because it
        changes how text is segmented. A server publishes the version to every worker first
        (see the module's docstring); otherwise it is swapped in at once.
        """
        with self._reload_lock:
            started = time.perf_counter()
            scan = self.gate.scan()
            self._free_retired()
            if scan is None:
                self.look_seconds = time.perf_counter() - started
                return None
            self._status = self.gate.state.status()
            current = self.snapshot
            if scan.state.vid != current.vid:
                version = build_version(self.store, scan, current.version)
                fresh = self._open(version)
                if self.serving:
                    self._publish(fresh)
                else:
                    self._swap(fresh)
                self.store.prune({version.name, current.name})
            if not self.drafts:
                self.store.save_state(self.gate.state)
            if self.serving:
                self.store.save_status(self._status)
            reload = Reload(
                scan.changed if scan.state.vid != current.vid else (),
                scan.removed if scan.state.vid != current.vid else (),
                tuple(self._status["problems"]),
                scan.glossary_changed,
                time.perf_counter() - started,
            )
            self.last_reload = reload
            for problem in reload.errors:
                log.warning("kb: %s (not served: the last good version, if any, serves)", problem)
            log.info(
                "kb version %s: %d changed, %d removed, %d problems in %.2f s",
                self.vid,
                len(reload.changed),
                len(reload.removed),
                len(reload.errors),
                reload.seconds,
            )
            return reload

    def _publish(self, fresh: Snapshot) -> None:
        """Make *fresh* the version of every worker: loaded everywhere first, then current."""
        with self._lock:
            self._staged = fresh
        self.store.point(NEXT, fresh.name)
        self.report()
        deadline = time.monotonic() + STAGE_TIMEOUT_S
        while time.monotonic() < deadline:
            workers = self.store.live_workers()
            if all(fresh.name in (w.get("staged"), w.get("serving")) for w in workers.values()):
                break
            time.sleep(0.05)
        else:
            log.warning("kb version %s: not every worker loaded it in time", fresh.vid)
        self.store.point(CURRENT, fresh.name)
        self.sync()

    def follow(self) -> None:
        """A worker's look at the pointers: load ``NEXT`` ahead, serve ``CURRENT``, report."""
        self._free_retired()
        name = self.store.read(NEXT)
        staged = self._staged
        if (
            name
            and name != self.snapshot.name
            and (staged is None or staged.name != name)
            and self.store.has(name)
        ):
            loaded = self._load(name)
            if loaded is not None:
                with self._lock:
                    self._staged = loaded
        self.sync()
        self.report()

    def sync(self) -> None:
        """Serve the version ``CURRENT`` names, if it moved (a stat when it did not)."""
        if not self.serving:
            return
        stamp = self.store.stamp(CURRENT)
        if stamp == self._current_stamp:
            return
        name = self.store.read(CURRENT)
        with self._lock:
            self._current_stamp = stamp
            if not name or name == self._snapshot.name:
                return
            staged = self._staged
            fresh = staged if staged is not None and staged.name == name else self._load(name)
            if fresh is None:
                log.warning("kb: CURRENT names version %s, which cannot be loaded", name)
                return
            self._swap(fresh)

    def _swap(self, fresh: Snapshot) -> None:
        with self._lock:
            old, self._snapshot = self._snapshot, fresh
            if self._staged is fresh:
                self._staged = None
            if old is not fresh:
                self._retired.append((time.monotonic(), old))

    def report(self) -> None:
        """Tell the leader which version this worker serves and has loaded ahead."""
        if self.serving:
            staged = self._staged
            self.store.report(self.snapshot.name, staged.name if staged else None)

    def tick(self) -> None:
        """One look at the KB: the leader (or a lone process) refreshes; a worker follows."""
        if not self.serving or self.store.try_lead():
            self.refresh()
        if self.serving:
            self.follow()

    def after_fork(self) -> None:
        """In a forked worker: open this process's own index handles, then serve as a worker."""
        self.store.forget_lead_after_fork()
        self._pid = os.getpid()
        with self._lock:
            snap = self._snapshot
            # the parent's searcher shares file offsets with it: never read through it here
            self._snapshot = Snapshot(snap.version, snap.version.open_search())
            self._current_stamp = None
            self._retired = []
        self.sync()
        self.report()

    def _free_retired(self, force: bool = False) -> None:
        """Close the replaced versions no request holds any more (after RETIRE_AFTER_S)."""
        now = time.monotonic()
        keep = []
        with self._lock:
            retired, self._retired = self._retired, []
            pinned = set(self._pins)
        for retired_at, snap in retired:
            if force or (now - retired_at > RETIRE_AFTER_S and snap.name not in pinned):
                snap.close()
            else:
                keep.append((retired_at, snap))
        with self._lock:
            self._retired = keep + self._retired

    def close(self) -> None:
        self._free_retired(force=True)
        self.snapshot.close()
        if self._staged is not None:
            self._staged.close()
        if self.serving:
            self.store.withdraw()
        self.store.resign()


class Pinned:
    """A :class:`Diagnoser` held at one KB version for as long as a request lasts."""

    def __init__(self, owner: Diagnoser, snap: Snapshot):
        self.owner = owner
        self.snapshot = snap
        self.vid = snap.vid
        self.entries = snap.entries
        self.glossary = snap.glossary
        self.rules = snap.rules
        self.search = snap.search
        self.threshold = owner.threshold
        self.kb_dir = owner.kb_dir
        self._released = False

    @property
    def errors(self) -> list[str]:
        return self.owner.errors

    @property
    def status(self) -> dict:
        return self.owner.status

    @property
    def last_reload(self) -> Reload | None:
        return self.owner.last_reload

    def diagnose(self, text: str, top: int = 5) -> Diagnosis:
        return self.owner.diagnose_with(self.snapshot, text, top)

    def release(self) -> None:
        """The request is done with this version (once; later calls do nothing)."""
        if not self._released:
            self._released = True
            self.owner._unpin(self.snapshot)


class KBWatcher:
    """Polls the KB folder and refreshes the diagnoser: edits serve within ``interval`` seconds.

    Polling (a stat of each file, once a second) rather than OS notifications: it behaves the
    same on every platform and file system (network shares, containers, editors that replace
    files), and costs milliseconds for thousands of entries. *run* runs each look (a server
    on an event loop hands it to a real thread, see :mod:`webapp.kbstate`).
    """

    def __init__(
        self,
        diagnoser: Diagnoser,
        interval: float = 1.0,
        run: Callable[[Callable[[], Any]], Any] | None = None,
    ):
        self.diagnoser = diagnoser
        self.interval = interval
        self._run_look = run or (lambda look: look())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kb-watcher", daemon=True)

    def start(self) -> KBWatcher:
        self._thread.start()
        return self

    def _run(self) -> None:
        wait = self.interval
        while not self._stop.wait(wait):
            try:
                self._run_look(self._look)
            except Exception:  # a reload must never kill the watcher; the old KB keeps serving
                log.exception("kb reload failed; still serving the previous version")
            # looking at a very large KB (a stat per file) takes at most a tenth of the time
            wait = max(self.interval, 10 * self.diagnoser.look_seconds)

    def _look(self) -> None:
        before = self.diagnoser.snapshot
        self.diagnoser.tick()
        if self.diagnoser.snapshot is not before:
            # the new snapshot joins the long-lived objects the collector skips
            gc.collect()
            gc.freeze()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
