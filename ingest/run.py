"""One ingest run: every source, every item, one line per notable outcome, one summary.

    source --fetch--> bytes --parse_feed--> articles --split--> drafts --build--> entries
           --KBWriter--> kb/*.md

(articles go on to be split, on the worker pool for a large feed, while the feed is still
being parsed: :mod:`ingest.prepare`).

A source that cannot be read or is not a feed is *rejected* with one line and the run goes
on with the next source. An item that cannot be turned into an entry is rejected on its own
line; the other items of the feed still go through. The caller decides where lines go (the
report to *emit*, rejections to *error*: ``kb ingest`` prints them on stdout and stderr) and
whether to show progress; this module never prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from engine.glossary import Glossary

from .errors import SourceRejected
from .feed import MAX_ITEM_BYTES, ParsedFeed, parse_feed
from .fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, fetch
from .prepare import Prepared, Preparer, default_jobs
from .writer import KEPT_EDITED, KEPT_OWNED, NEW, REJECTED, UNCHANGED, UPDATED, KBWriter

DROPPED = "dropped"  # mined signatures and generated rules left out by vetting
DAMAGED = "damaged"  # items ingested from a truncated or partly undecodable text
# progress(label, length) -> a context manager whose value has .update(n); None for quiet.
ProgressFactory = Callable[[str, int], AbstractContextManager]


@dataclass
class IngestOptions:
    kb_dir: Path
    max_bytes: int = DEFAULT_MAX_BYTES
    max_item_bytes: int = MAX_ITEM_BYTES
    timeout: float = DEFAULT_TIMEOUT
    dry_run: bool = False
    show_diff: bool = False
    # HTTP headers to hand the parser for every source (tests replay a feed's `Header:`
    # line this way; --encoding sets a Content-Type charset).
    response_headers: dict[str, str] | None = None
    # Processes preparing entries for large feeds (1: everything in this process).
    jobs: int = field(default_factory=default_jobs)


@dataclass
class IngestResult:
    counts: Counter = field(default_factory=Counter)
    rejected_sources: list[str] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return self.counts[REJECTED]

    @property
    def exit_code(self) -> int:
        return 1 if self.rejected else 0

    def summary(self) -> str:
        c = self.counts
        return (
            f"{c[NEW]} new, {c[UPDATED]} updated, {c[UNCHANGED]} unchanged, "
            f"{c[KEPT_EDITED]} kept (edited), {c[KEPT_OWNED]} kept (owned), {c[REJECTED]} rejected"
            + (
                f"; {c[DROPPED]} mined signatures or rules dropped as over-broad"
                if c[DROPPED]
                else ""
            )
            + (
                f"; {c[DAMAGED]} item(s) ingested from damaged or truncated text "
                "(see ingest.problems in their entries)"
                if c[DAMAGED]
                else ""
            )
        )


class _Quiet:
    def update(self, n: int) -> None:
        pass


def _quiet_progress(label: str, length: int) -> AbstractContextManager:
    return nullcontext(_Quiet())


def ingest(
    sources: Iterable[str],
    options: IngestOptions,
    emit: Callable[[str], None],
    progress: ProgressFactory | None = None,
    error: Callable[[str], None] | None = None,
) -> IngestResult:
    """Ingest every source into ``options.kb_dir``; report through *emit*, and each rejection
    through *error* (*emit* when it is None)."""
    result = IngestResult()
    reject = error or emit
    glossary = Glossary.load(options.kb_dir)
    writer = KBWriter.open(options.kb_dir, dry_run=options.dry_run, show_diff=options.show_diff)
    if writer.removed:
        emit(
            f"{options.kb_dir}: removed {len(writer.removed)} temporary file(s) an interrupted "
            "run left behind"
        )
    try:
        for source in sources:
            _ingest_source(
                source,
                writer,
                glossary,
                (emit, reject),
                result,
                progress or _quiet_progress,
                options,
            )
    finally:
        writer.close()
    return result


def _ingest_source(
    source, writer: KBWriter, glossary, streams, result, progress, options: IngestOptions
) -> None:
    """Read, parse and prepare one source (the items go to the worker pool while the feed is
    still being parsed) and write its entries; a source that cannot be read or is not a feed
    is rejected with one line."""
    with Preparer(source, glossary, options.kb_dir, options.jobs) as preparer:
        parsed = _read(source, options, streams[1], result, preparer)
        if parsed is not None:
            _ingest_feed(source, parsed, preparer, writer, streams, result, progress)


def _read(
    source: str, options: IngestOptions, emit, result: IngestResult, preparer: Preparer
) -> ParsedFeed | None:
    try:
        fetched = fetch(source, max_bytes=options.max_bytes, timeout=options.timeout)
        if options.response_headers:
            headers = {
                **fetched.headers,
                **{k.lower(): v for k, v in options.response_headers.items()},
            }
            fetched = replace(fetched, headers=headers)
        return parse_feed(fetched, options.max_item_bytes, on_articles=preparer.add)
    except SourceRejected as exc:
        emit(f"{source}: rejected: {exc}")
        result.counts[REJECTED] += 1
        result.rejected_sources.append(source)
        return None


def _ingest_feed(
    source, parsed: ParsedFeed, preparer: Preparer, writer: KBWriter, streams, result, progress
) -> None:
    emit, _reject = streams
    recovered = f" (recovered: {parsed.recovered})" if parsed.recovered else ""
    if not parsed.articles:
        emit(f"{source}: no items in this {parsed.version} feed{recovered}; nothing changed")
        return
    written = (NEW, UPDATED, UNCHANGED, KEPT_EDITED, KEPT_OWNED)
    entries_before = sum(result.counts[k] for k in written)
    items_ok = 0
    with progress(f"{source}", len(parsed.articles)) as bar:
        for item in preparer.prepared(parsed.articles, parsed.streamed):
            items_ok += _store(source, item, writer, streams, result)
            bar.update(1)
    entries = sum(result.counts[k] for k in written) - entries_before
    line = f"{source}: {items_ok} of {len(parsed.articles)} items ingested ({entries} entries)"
    emit(line + recovered)


def _store(source: str, item: Prepared, writer: KBWriter, streams, result: IngestResult) -> int:
    """Write one prepared article's entries; 1 when it produced entries, 0 when rejected."""
    emit, reject = streams
    article = item.article
    label = f"{source}: {article.label}"
    if writer.seen_in_this_run(article.guid, "main"):
        reject(f"{label}: rejected: its guid repeats an item already ingested in this run")
        result.counts[REJECTED] += 1
        return 0
    if item.error is not None:
        reject(f"{label}: rejected: {item.error}")
        result.counts[REJECTED] += 1
        return 0
    for problem in article.problems + article.damage:
        emit(f"{label}: recovered: {problem}")
    if article.damage:
        result.counts[DAMAGED] += 1
    for note in item.dropped:
        emit(f"{label}: {note}")
    result.counts[DROPPED] += len(item.dropped)
    for entry, text in item.entries:
        outcome = writer.apply(entry, text)
        result.counts[outcome.status] += 1
        if outcome.status in (KEPT_EDITED, KEPT_OWNED, REJECTED):
            line = f"{outcome.path}: {outcome.status}: {outcome.reason}"
            (reject if outcome.status == REJECTED else emit)(line)
        if outcome.diff:
            emit(outcome.diff.rstrip("\n"))
    return 1
