"""The pipeline, assembled: a knowledge base loaded once, then ``diagnose(text)`` per paste.

    paste -> normalise -> (rules, search) -> rank -> Diagnosis

The loaded state (entries, glossary, rule book, errors) is one immutable :class:`Snapshot`,
swapped whole by :meth:`Diagnoser.refresh` when files change (live reload): a request sees
either the old KB or the new one, never a mix, and never fails during a reload.

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
from pathlib import Path

from .calibration import load as load_calibration
from .entry import Entry
from .errors import EntryError, KBError
from .glossary import Glossary
from .kb import KBFolder, load_glossary
from .model import Diagnosis
from .normalise import MAX_PASTE_BYTES, normalise
from .rank import fuse
from .rules import RuleBook
from .search import DEFAULT_INDEX_DIR, SearchIndex, build_index
from .search import index as index_store
from .search.index import fingerprint

log = logging.getLogger(__name__)
SEARCH_DEPTH = 20
# A rule book replaced by a reload is freed this long after, when no request can still use it.
RETIRE_AFTER_S = 30.0


def default_index_dir(kb_dir: Path) -> Path:
    """``$KB_INDEX_DIR``, else ``.kb-index`` beside the KB folder (git ignores it)."""
    env = os.environ.get("KB_INDEX_DIR")
    if env:
        return Path(env)
    return Path(kb_dir).resolve().parent / DEFAULT_INDEX_DIR


@dataclass(frozen=True)
class Snapshot:
    """Everything a diagnosis reads, as one value."""

    entries: dict[str, Entry]
    glossary: Glossary
    rules: RuleBook
    errors: tuple[EntryError, ...]
    loaded_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class Reload:
    """What one refresh changed."""

    changed: tuple[str, ...]
    removed: tuple[str, ...]
    errors: tuple[EntryError, ...]
    full: bool  # the glossary changed: everything was rebuilt
    seconds: float


class Diagnoser:
    """A loaded knowledge base: entries, glossary, rule book and search index."""

    def __init__(
        self,
        kb_dir: Path | str,
        index_dir: Path | str | None = None,
        *,
        max_paste_bytes: int = MAX_PASTE_BYTES,
        threshold: float | None = None,
        progress: Callable[[int, int], None] | None = None,
        rebuild_index: bool = False,
    ):
        self.kb_dir = Path(kb_dir)
        self.index_dir = Path(index_dir) if index_dir else default_index_dir(self.kb_dir)
        self.max_paste_bytes = max_paste_bytes
        # the calibration model's threshold: confident answers right >= 95% of the time
        self.threshold = load_calibration().threshold if threshold is None else threshold
        self._lock = threading.RLock()  # guards the snapshot swap
        self._reload_lock = threading.Lock()  # one refresh at a time
        self._retired: list[tuple[float, RuleBook]] = []
        self.folder = KBFolder(self.kb_dir)
        self.last_reload: Reload | None = None
        self._snapshot = self._build(progress, rebuild_index)

    # --- loading -----------------------------------------------------------------------

    def _build(self, progress=None, rebuild_index: bool = False) -> Snapshot:
        glossary = load_glossary(self.kb_dir)
        entries, errors = self.folder.entries()
        rules = RuleBook(entries.values(), glossary)
        errors += rules.errors
        kb_fingerprint = self.kb_fingerprint() if not errors else f"dirty-{time.time_ns()}"
        search = getattr(self, "search", None)
        if search is not None:
            search.close()
        self.search = SearchIndex.ensure(
            list(entries.values()),
            self.index_dir,
            kb_fingerprint,
            glossary,
            progress,
            rebuild_index,
        )
        return Snapshot(entries, glossary, rules, tuple(errors))

    def kb_fingerprint(self) -> str:
        return fingerprint(self.folder.paths(), self.kb_dir)

    # --- serving -----------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        with self._lock:
            return self._snapshot

    @property
    def entries(self) -> dict[str, Entry]:
        return self.snapshot.entries

    @property
    def glossary(self) -> Glossary:
        return self.snapshot.glossary

    @property
    def rules(self) -> RuleBook:
        return self.snapshot.rules

    @property
    def errors(self) -> list[EntryError]:
        return list(self.snapshot.errors)

    def warm_up(self) -> None:
        """Load now what a first paste would otherwise wait for (servers call this at start-up):
        the rule engine's rulesets and the Chinese segmenter's dictionary."""
        self.rules.warm_up()
        self.search.segmenter.warm_up()

    def diagnose(self, text: str, top: int = 5) -> Diagnosis:
        """Rank the remedies for one paste. Raises only :class:`PasteTooLarge`."""
        if top < 1:
            raise KBError("top must be 1 or more")
        snap = self.snapshot
        normalised = normalise(text, snap.glossary, self.max_paste_bytes)
        rule_hits = snap.rules.evaluate(normalised)
        search_hits = self.search.search(normalised, limit=max(SEARCH_DEPTH, top))
        remedies = fuse(
            rule_hits,
            search_hits,
            snap.entries,
            normalised.facts,
            top,
            snap.glossary.generic_products,
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

        One changed entry costs a new rule book (rules are cheap to compile) and an in-place
        update of that entry in the search index, not a rebuild. A glossary change rebuilds
        everything, because it changes how text is segmented.
        """
        with self._reload_lock:
            started = time.perf_counter()
            changes = self.folder.scan()
            self._free_retired()
            if not changes:
                return None
            old = self.snapshot
            if changes.glossary:
                snapshot = self._build(rebuild_index=True)
                changed, removed = tuple(snapshot.entries), ()
            else:
                entries, errors = self.folder.entries()
                rules = RuleBook(entries.values(), old.glossary)
                errors += rules.errors
                changed = tuple(i for i, e in entries.items() if old.entries.get(i) != e)
                removed = tuple(i for i in old.entries if i not in entries)
                kb_fingerprint = self.kb_fingerprint() if not errors else f"dirty-{time.time_ns()}"
                self.search.update([entries[i] for i in changed], list(removed), kb_fingerprint)
                snapshot = Snapshot(entries, old.glossary, rules, tuple(errors))
            with self._lock:
                self._snapshot = snapshot
            self._retired.append((time.monotonic(), old.rules))
            reload = Reload(
                changed, removed, snapshot.errors, changes.glossary, time.perf_counter() - started
            )
            self.last_reload = reload
            for error in snapshot.errors:
                log.warning("kb: %s (the last good version keeps serving)", error)
            log.info(
                "kb reloaded: %d changed, %d removed, %d problems in %.2f s",
                len(changed),
                len(removed),
                len(snapshot.errors),
                reload.seconds,
            )
            return reload

    def _free_retired(self, force: bool = False) -> None:
        now = time.monotonic()
        keep = []
        for retired_at, rules in self._retired:
            if force or now - retired_at > RETIRE_AFTER_S:
                rules.close()
            else:
                keep.append((retired_at, rules))
        self._retired = keep

    def close(self) -> None:
        self._free_retired(force=True)
        self.snapshot.rules.close()
        self.search.close()


def prepare_index(kb_dir: Path | str, index_dir: Path | str | None = None) -> int:
    """Build the search index if it is missing or stale; return the number of entry files.

    For servers that fork workers: the index is built once, before they start, instead of by
    every worker at once.
    """
    folder = KBFolder(Path(kb_dir))
    entries, errors = folder.entries()
    root = Path(index_dir) if index_dir else default_index_dir(Path(kb_dir))
    wanted = fingerprint(folder.paths(), Path(kb_dir)) if not errors else None
    if wanted is None or index_store.current_fingerprint(root) != wanted:
        fresh = wanted or f"dirty-{time.time_ns()}"
        build_index(list(entries.values()), root, fresh, load_glossary(kb_dir))
    return len(entries)


class KBWatcher:
    """Polls the KB folder and refreshes the diagnoser: edits serve within ``interval`` seconds.

    Polling (a stat of each file, once a second) rather than OS notifications: it behaves the
    same on every platform and file system (network shares, containers, editors that replace
    files), and costs milliseconds for thousands of entries.
    """

    def __init__(self, diagnoser: Diagnoser, interval: float = 1.0):
        self.diagnoser = diagnoser
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kb-watcher", daemon=True)

    def start(self) -> KBWatcher:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                if self.diagnoser.refresh() is not None:
                    # the new snapshot joins the long-lived objects the collector skips
                    gc.collect()
                    gc.freeze()
            except Exception:  # a reload must never kill the watcher; the old KB keeps serving
                log.exception("kb reload failed; still serving the previous version")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
