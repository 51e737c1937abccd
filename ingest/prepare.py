"""Article -> rendered entries, the CPU-heavy half of a run, optionally on several cores.

Everything here is a pure function of the article, the feed's name, the KB's glossary and the
feed's phrase statistics (:class:`ingest.mining.FeedStats`), so large feeds are spread over a
pool of worker processes (one glossary per worker, loaded once); the parent process keeps
everything that touches the KB folder (:mod:`ingest.writer`). Small feeds are prepared
in-process: a pool costs more than it saves below a few hundred items.

A large feed goes through the pool in two steps, so that no core waits for another:

1. **split**: the parent hands the workers batches of articles while it is still parsing the
   feed (:func:`ingest.feed.parse_feed`'s ``on_articles``), on one queue that every idle
   worker takes the next batch from (so the workers end this step together, however their
   batches differ); each worker splits its articles into drafts, keeps them, and counts the
   feed's phrase candidates in them;
2. **finish**: once the feed is read, the parent adds up the counts into the feed's
   statistics and sends them to every worker, which mines, vets, builds and renders the
   drafts it kept, batch by batch. The parent writes each batch as it comes, in feed order.

Mining is the only step that needs the whole feed (a key phrase is one no other article of
the feed has), so it waits; splitting, two thirds of the work, starts with the first items.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Self

from engine.entry import Entry
from engine.glossary import Glossary

from .blocks import plain_inline
from .entries import build_entry, mine_draft, render_generated
from .feed import Article
from .ids import article_slug, entry_id
from .mining import FeedStats, count_phrases
from .mining.rules import vetted_all
from .split import Draft, split_article

POOL_THRESHOLD = 256  # items; below this a pool is slower than one process
CHUNK = 32
WAIT = 0.5  # seconds between looks at whether the workers are still alive


@dataclass(frozen=True)
class Prepared:
    """What one article yields: its entries with their file text, or why it yields none."""

    article: Article
    entries: tuple[tuple[Entry, str], ...] = ()
    error: str | None = None
    # what mining dropped, as "entry-id: what and why" (over-broad signatures and rules)
    dropped: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Split:
    """One article split into drafts (the first step), waiting for the feed's statistics."""

    article: Article
    drafts: tuple[Draft, ...]
    slug: str


def prepare(
    article: Article, source: str, glossary: Glossary, feed: FeedStats | None = None
) -> Prepared:
    """One article's entries (or why it yields none)."""
    return prepare_batch([article], source, glossary, feed)[0]


def prepare_batch(
    articles: list[Article], source: str, glossary: Glossary, feed: FeedStats | None = None
) -> list[Prepared]:
    """Several articles at once: split and mine each, vet the whole batch's signatures in one
    pass (ingest.mining.rules.vetted_all), then build and render each entry."""
    return finish_batch(split_batch(articles), source, glossary, feed)


def split_batch(articles: list[Article]) -> list[_Split | Prepared]:
    """The first step: each article's drafts, or why it yields none."""
    # plain_inline remembers lines for splitting and mining; one batch's lines at a time, so
    # what it holds stays bounded by the batch (items are bounded by --max-item-bytes)
    plain_inline.cache_clear()
    out: list[_Split | Prepared] = []
    for article in articles:
        notes: list[str] = []
        try:
            drafts = split_article(article, notes)
        except Exception as exc:  # noqa: BLE001 - a heuristic failing on odd input must not stop the run
            out.append(Prepared(article, error=f"could not be split ({type(exc).__name__}: {exc})"))
            continue
        if notes:  # parts left out: reported, and kept in the entries like a truncated body
            article = replace(article, damage=article.damage + tuple(notes))
        if not drafts:
            out.append(Prepared(article, error="no article text"))
            continue
        out.append(
            _Split(article, tuple(drafts), article_slug(article.link, article.guid, article.title))
        )
    return out


def finish_batch(
    split: list[_Split | Prepared], source: str, glossary: Glossary, feed: FeedStats | None
) -> list[Prepared]:
    """The second step: mine the drafts, vet the batch's signatures in one pass, then build
    and render each entry."""
    jobs = [
        (item, draft, entry_id(item.slug, draft.part))
        for item in split
        if isinstance(item, _Split)
        for draft in item.drafts
    ]
    checked = vetted_all(
        [(mine_draft(draft, glossary, feed), the_id) for _, draft, the_id in jobs], glossary
    )
    built: dict[int, list] = {}
    for (item, draft, the_id), vet in zip(jobs, checked):
        entry, notes = build_entry(draft, item.article, source, the_id, glossary, feed, vet)
        built.setdefault(id(item), []).append((entry, notes))
    out: list[Prepared] = []
    for item in split:
        if isinstance(item, Prepared):
            out.append(item)
            continue
        entries = [(entry, render_generated(entry)) for entry, _ in built[id(item)]]
        dropped = [f"{entry.id}: dropped {n}" for entry, notes in built[id(item)] for n in notes]
        out.append(Prepared(item.article, tuple(entries), dropped=tuple(dropped)))
    return out


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class Preparer:
    """Prepares one feed's articles, on a pool of workers when the feed is large enough.

    Hand it the articles as the parser finishes them (:meth:`add`, parse_feed's
    ``on_articles``), then take the prepared ones in feed order from :meth:`prepared`;
    :meth:`close` stops the workers (always call it: ``with Preparer(...) as preparer``).
    """

    def __init__(self, source: str, glossary: Glossary, kb_dir: Path, jobs: int):
        self.source = source
        self.glossary = glossary
        self.kb_dir = kb_dir
        self.jobs = jobs
        self.handed: list[Article] = []  # what the parser has handed over so far
        self.sent = 0  # of those, how many are with the workers
        self.pool: _Pool | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def add(self, articles: list[Article]) -> None:
        """Articles the parser has finished, in feed order; once there are enough for a
        pool, they go to the workers a batch at a time."""
        self.handed.extend(articles)
        if self.pool is None:
            if self.jobs <= 1 or len(self.handed) < POOL_THRESHOLD:
                return
            self.pool = _Pool(self.jobs, self.kb_dir, self.source, self.glossary)
        self._send(final=False)

    def _send(self, final: bool) -> None:
        assert self.pool is not None
        while len(self.handed) - self.sent >= CHUNK or (final and self.sent < len(self.handed)):
            self.pool.split(self.handed[self.sent : self.sent + CHUNK])
            self.sent = min(self.sent + CHUNK, len(self.handed))

    def prepared(self, articles: list[Article], streamed: int) -> Iterator[Prepared]:
        """*articles* (the whole feed) prepared, in feed order. The first *streamed* of them
        are the ones handed to :meth:`add`; when that is fewer than were handed, the parser
        read the feed again and what was handed is void."""
        if streamed < len(self.handed):
            self.close()
            self.handed, self.sent = [], 0
        if self.pool is None and (self.jobs <= 1 or len(articles) < POOL_THRESHOLD):
            feed = FeedStats.of(articles)
            for i in range(0, len(articles), CHUNK):
                yield from prepare_batch(articles[i : i + CHUNK], self.source, self.glossary, feed)
            return
        self.handed = list(articles)
        if self.pool is None:
            self.pool = _Pool(self.jobs, self.kb_dir, self.source, self.glossary)
        self._send(final=True)
        yield from self.pool.finish(articles)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


# --- the pool ----------------------------------------------------------------------------

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Have Linux kill this worker when the ingest process dies, kill -9 included: a worker
    waits on its task queue, whose other end the dead parent can no longer close, and would
    outlive it. Elsewhere only a normal end of the run stops the pool."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(1)


class WorkerFailed(RuntimeError):
    """A worker process died or could not send back what went wrong in it."""


def _worker(
    splits, tasks, results, glossary: Glossary | None, kb_dir: str, source: str, parent: int
) -> None:
    """A worker's life: split the batches it takes from *splits*, the queue all workers share
    (keeping the drafts and counting the phrase candidates), until it takes a "count" there
    (one for each worker, after the last batch); send the counts, then take its own *tasks*:
    finish every batch it kept once it has the feed's statistics. A forked worker has the
    parent's *glossary*; a spawned one loads it again from *kb_dir* (~0.2 s)."""
    _die_with_parent(parent)
    try:
        if glossary is None:
            glossary = Glossary.load(Path(kb_dir))
        kept: dict[int, list[_Split | Prepared]] = {}
        counts: Counter = Counter()
        inbox = splits
        while True:
            message = inbox.get()
            if message is None:
                return
            kind = message[0]
            if kind == "split":
                _, batch, articles = message
                kept[batch] = split_batch(articles)
                counts.update(count_phrases(articles))
            elif kind == "count":
                results.put(("count", counts))
                counts = Counter()
                inbox = tasks  # no more batches: the rest is for this worker alone
            elif kind == "finish":
                feed = message[1]
                for batch in sorted(kept):
                    prepared = finish_batch(kept.pop(batch), source, glossary, feed)
                    results.put(("done", batch, [_slim(p) for p in prepared]))
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        import traceback

        detail = traceback.format_exc()
        try:
            results.put(("failed", exc, detail))
        except Exception:  # noqa: BLE001 - the exception itself does not pickle
            results.put(("failed", None, detail))


def _slim(item: Prepared) -> tuple:
    """What the parent needs back: not the article, which it has (only its damage, when
    splitting added to it)."""
    return item.entries, item.error, item.dropped, item.article.damage


class _Pool:
    """Worker processes: one queue of batches to split that they share (a worker takes the
    next one when it is done with its last), each worker's own task queue (a batch is
    finished by the worker that split it), and one queue for what they send back."""

    def __init__(self, jobs: int, kb_dir: Path, source: str, glossary: Glossary):
        fork = "fork" in multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if fork else "spawn")
        self.results = self.context.Queue()
        self.splits = self.context.Queue()
        self.tasks = []
        self.workers = []
        self.batches = 0
        for _ in range(jobs):
            tasks = self.context.Queue()
            worker = self.context.Process(
                target=_worker,
                args=(
                    self.splits,
                    tasks,
                    self.results,
                    glossary if fork else None,
                    str(kb_dir),
                    source,
                    os.getpid(),
                ),
                daemon=True,
            )
            worker.start()
            self.tasks.append(tasks)
            self.workers.append(worker)

    def split(self, articles: list[Article]) -> None:
        self.splits.put(("split", self.batches, articles))
        self.batches += 1

    def _receive(self) -> tuple:
        while True:
            try:
                message = self.results.get(timeout=WAIT)
            except queue.Empty:
                dead = [w for w in self.workers if w.exitcode is not None]
                if dead:
                    raise WorkerFailed(
                        f"an ingest worker process died (exit code {dead[0].exitcode})"
                    ) from None
                continue
            if message[0] == "failed":
                _, exc, detail = message
                if isinstance(exc, BaseException):
                    raise exc from WorkerFailed(detail)
                raise WorkerFailed(detail)
            return message

    def finish(self, articles: list[Article]) -> Iterator[Prepared]:
        for _ in self.tasks:  # each worker takes one, after the last batch, and stops there
            self.splits.put(("count",))
        counts = [self._receive()[1] for _ in self.tasks]
        feed = FeedStats.merged(len(articles), counts)
        for tasks in self.tasks:
            tasks.put(("finish", feed))
        waiting: dict[int, list] = {}
        for batch in range(self.batches):
            while batch not in waiting:
                _, done, slim = self._receive()
                waiting[done] = slim
            start = batch * CHUNK
            for article, (entries, error, dropped, damage) in zip(
                articles[start : start + CHUNK], waiting.pop(batch)
            ):
                if damage != article.damage:
                    article = replace(article, damage=damage)
                yield Prepared(article, entries, error, dropped)

    def close(self) -> None:
        """Stop the workers: told to when they are idle, killed when they are not (an
        error, or the caller stopped early)."""
        for tasks in self.tasks:
            self.splits.put(None)  # a worker still taking batches stops at one of these
            tasks.put(None)
        for worker in self.workers:
            worker.join(timeout=WAIT)
            if worker.exitcode is None:
                worker.kill()
                worker.join()
        for q in [self.splits, *self.tasks, self.results]:
            q.cancel_join_thread()
            q.close()
