"""Article -> rendered entries, the CPU-heavy half of a run, optionally on several cores.

Everything here is a pure function of the article, the feed's name and the KB's glossary,
so large feeds are spread over a process pool (one glossary per worker, loaded once); the
parent process keeps everything that touches the KB folder (:mod:`ingest.writer`). Small
feeds are prepared in-process: a pool costs more than it saves below a few hundred items.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from engine.entry import Entry
from engine.glossary import Glossary

from .blocks import plain_inline
from .entries import build_entry, mine_draft, render_generated
from .feed import Article
from .ids import article_slug, entry_id
from .mining import FeedStats
from .mining.rules import vetted_all
from .split import split_article

POOL_THRESHOLD = 256  # items; below this a pool is slower than one process
CHUNK = 32


@dataclass(frozen=True)
class Prepared:
    """What one article yields: its entries with their file text, or why it yields none."""

    article: Article
    entries: tuple[tuple[Entry, str], ...] = ()
    error: str | None = None
    # what mining dropped, as "entry-id: what and why" (over-broad signatures and rules)
    dropped: tuple[str, ...] = ()


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
    # plain_inline remembers lines for splitting and mining; one batch's lines at a time, so
    # what it holds stays bounded by the batch (items are bounded by --max-item-bytes)
    plain_inline.cache_clear()
    split: list[tuple[Article, list, str] | Prepared] = []
    for article in articles:
        notes: list[str] = []
        try:
            drafts = split_article(article, notes)
        except Exception as exc:  # noqa: BLE001 - a heuristic failing on odd input must not stop the run
            split.append(
                Prepared(article, error=f"could not be split ({type(exc).__name__}: {exc})")
            )
            continue
        if notes:  # parts left out: reported, and kept in the entries like a truncated body
            article = replace(article, damage=article.damage + tuple(notes))
        if not drafts:
            split.append(Prepared(article, error="no article text"))
            continue
        split.append((article, drafts, article_slug(article.link, article.guid, article.title)))
    jobs = [
        (item, draft, entry_id(item[2], draft.part))
        for item in split
        if not isinstance(item, Prepared)
        for draft in item[1]
    ]
    checked = vetted_all(
        [(mine_draft(draft, glossary, feed), the_id) for _, draft, the_id in jobs], glossary
    )
    built: dict[int, list] = {}
    for (item, draft, the_id), vet in zip(jobs, checked):
        entry, notes = build_entry(draft, item[0], source, the_id, glossary, feed, vet)
        built.setdefault(id(item), []).append((entry, notes))
    out: list[Prepared] = []
    for item in split:
        if isinstance(item, Prepared):
            out.append(item)
            continue
        entries = [(entry, render_generated(entry)) for entry, _ in built[id(item)]]
        dropped = [f"{entry.id}: dropped {n}" for entry, notes in built[id(item)] for n in notes]
        out.append(Prepared(item[0], tuple(entries), dropped=tuple(dropped)))
    return out


# The worker side of the pool: the glossary is built once per worker process.
_worker_state: dict[str, object] = {}
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


def _init_worker(kb_dir: str, source: str, feed: FeedStats, parent: int) -> None:
    _die_with_parent(parent)
    _worker_state["glossary"] = Glossary.load(Path(kb_dir))
    _worker_state["source"] = source
    _worker_state["feed"] = feed


def _work(articles: list[Article]) -> list[Prepared]:
    state = _worker_state
    return prepare_batch(articles, state["source"], state["glossary"], state["feed"])  # type: ignore[arg-type]


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def prepare_all(
    articles: list[Article], source: str, glossary: Glossary, kb_dir: Path, jobs: int
) -> Iterator[Prepared]:
    """Prepared articles, in feed order, made a batch of :data:`CHUNK` at a time."""
    feed = FeedStats.of(articles)
    batches = [articles[i : i + CHUNK] for i in range(0, len(articles), CHUNK)]
    if jobs <= 1 or len(articles) < POOL_THRESHOLD:
        for batch in batches:
            yield from prepare_batch(batch, source, glossary, feed)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        jobs,
        mp_context=context,
        initializer=_init_worker,
        initargs=(str(kb_dir), source, feed, os.getpid()),
    ) as pool:
        for prepared in pool.map(_work, batches):
            yield from prepared
