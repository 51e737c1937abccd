"""Article -> rendered entries, the CPU-heavy half of a run, optionally on several cores.

Everything here is a pure function of the article, the feed's name and the KB's glossary,
so large feeds are spread over a process pool (one glossary per worker, loaded once); the
parent process keeps everything that touches the KB folder (:mod:`ingest.writer`). Small
feeds are prepared in-process: a pool costs more than it saves below a few hundred items.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from engine.entry import Entry
from engine.glossary import Glossary

from .entries import build_entry, render_generated
from .feed import Article
from .ids import article_slug, entry_id
from .mining import FeedStats
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
    try:
        drafts = split_article(article)
    except Exception as exc:  # noqa: BLE001 - a heuristic failing on odd input must not stop the run
        return Prepared(article, error=f"could not be split ({type(exc).__name__}: {exc})")
    if not drafts:
        return Prepared(article, error="no article text")
    slug = article_slug(article.link, article.guid, article.title)
    entries = []
    dropped: list[str] = []
    for draft in drafts:
        entry, notes = build_entry(
            draft, article, source, entry_id(slug, draft.part), glossary, feed
        )
        entries.append((entry, render_generated(entry)))
        dropped.extend(f"{entry.id}: dropped {note}" for note in notes)
    return Prepared(article, tuple(entries), dropped=tuple(dropped))


# The worker side of the pool: the glossary is built once per worker process.
_worker_state: dict[str, object] = {}


def _init_worker(kb_dir: str, source: str, feed: FeedStats) -> None:
    _worker_state["glossary"] = Glossary.load(Path(kb_dir))
    _worker_state["source"] = source
    _worker_state["feed"] = feed


def _work(article: Article) -> Prepared:
    state = _worker_state
    return prepare(article, state["source"], state["glossary"], state["feed"])  # type: ignore[arg-type]


def default_jobs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def prepare_all(
    articles: list[Article], source: str, glossary: Glossary, kb_dir: Path, jobs: int
) -> Iterator[Prepared]:
    """Prepared articles, in feed order."""
    feed = FeedStats.of(articles)
    if jobs <= 1 or len(articles) < POOL_THRESHOLD:
        yield from (prepare(a, source, glossary, feed) for a in articles)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_init_worker, initargs=(str(kb_dir), source, feed)
    ) as pool:
        yield from pool.map(_work, articles, chunksize=CHUNK)
