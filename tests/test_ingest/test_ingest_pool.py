"""The worker pool of a large feed (ingest.prepare): items go to the workers while the feed is
still being parsed, and the files are the same as one process writes, also when the workers
take uneven shares of the batches, when the parse has to start again (a feed that is not
well-formed) and when a worker fails."""

from __future__ import annotations

import os
import time

import pytest
from conftest import run_ingest, snapshot

import ingest.prepare
from ingest.feed import parse_feed
from ingest.fetch import Fetched
from ingest.prepare import POOL_THRESHOLD, WorkerFailed

ITEMS = POOL_THRESHOLD + 44


def _items(count: int) -> str:
    return "".join(
        f"<item><title>Service {i} fails</title><link>http://example.com/kb/service-{i}</link>"
        f"<description>&lt;p&gt;Starting service {i} fails:&lt;/p&gt;&lt;p&gt;Error "
        f"0x8007000{i % 10}: access is denied (SvcErr{i % 7}).&lt;/p&gt;&lt;h2&gt;Resolution"
        f"&lt;/h2&gt;&lt;ol&gt;&lt;li&gt;Restart node {i}.&lt;/li&gt;&lt;/ol&gt;</description>"
        "</item>"
        for i in range(count)
    )


def _feed(tmp_path, body: str):
    feed = tmp_path / "big.xml"
    feed.write_text(f'<rss version="2.0"><channel><title>t</title>{body}', encoding="utf-8")
    return feed


def test_items_are_handed_over_while_the_feed_is_parsed():
    data = f'<rss version="2.0"><channel><title>t</title>{_items(ITEMS)}</channel></rss>'
    handed: list[list] = []
    parsed = parse_feed(Fetched("big.xml", data.encode()), on_articles=handed.append)
    assert len(handed) > 1  # a few at a time, in 64 KB pieces of the document
    assert parsed.streamed == len(parsed.articles) == ITEMS
    assert all(a is b for a, b in zip([a for part in handed for a in part], parsed.articles))


def test_a_feed_parsed_again_gives_the_files_one_process_writes(tmp_path, monkeypatch):
    # Not well-formed at its end: expat gives up after the items went to the workers, and
    # feedparser reads the whole feed again with its lenient parser.
    items = 3 * POOL_THRESHOLD
    feed = _feed(tmp_path, _items(items) + "<item><title>Broken & cut</title></channel></rss>")
    handed: list = []
    parsed = parse_feed(Fetched("big.xml", feed.read_bytes()), on_articles=handed.extend)
    assert len(handed) > POOL_THRESHOLD  # enough to start the pool before expat gave up
    assert parsed.recovered and parsed.streamed == 0
    pools: list = []

    class Pool(ingest.prepare._Pool):
        def __init__(self, *args):
            pools.append(self)
            super().__init__(*args)

    monkeypatch.setattr(ingest.prepare, "_Pool", Pool)
    one, one_lines = run_ingest([feed], tmp_path / "serial", jobs=1)
    two, two_lines = run_ingest([feed], tmp_path / "pooled", jobs=2)
    assert len(pools) == 2  # started while parsing, then again for the lenient parse
    assert one.counts == two.counts and one.counts["new"] >= items
    assert one_lines == two_lines
    assert snapshot(tmp_path / "serial") == snapshot(tmp_path / "pooled")


def test_workers_taking_uneven_shares_of_the_batches_give_the_files_one_process_writes(
    tmp_path, monkeypatch
):
    # The workers take the batches to split from one queue: a worker slowed down on some
    # batches takes fewer of them, and which worker has which batch no longer follows a
    # pattern. The files and the report are still the ones one process writes.
    feed = _feed(tmp_path, _items(3 * POOL_THRESHOLD) + "</channel></rss>")
    one, one_lines = run_ingest([feed], tmp_path / "serial", jobs=1)
    split_batch = ingest.prepare.split_batch

    def uneven(articles):
        if articles[0].index % 3 == 1:
            time.sleep(0.05)
        return split_batch(articles)

    monkeypatch.setattr(ingest.prepare, "split_batch", uneven)  # the forked workers have it
    three, three_lines = run_ingest([feed], tmp_path / "pooled", jobs=3)
    assert one.counts == three.counts and one.counts["new"] >= 3 * POOL_THRESHOLD
    assert one_lines == three_lines
    assert snapshot(tmp_path / "serial") == snapshot(tmp_path / "pooled")


def test_a_failure_in_a_worker_is_raised_in_the_ingest(tmp_path, monkeypatch):
    feed = _feed(tmp_path, _items(ITEMS) + "</channel></rss>")

    def broken(articles):
        raise ValueError("split failed")

    monkeypatch.setattr(ingest.prepare, "split_batch", broken)  # the forked workers have it
    with pytest.raises(ValueError, match="split failed"):
        run_ingest([feed], tmp_path / "kb", jobs=2)


def test_a_worker_that_dies_stops_the_ingest(tmp_path, monkeypatch):
    feed = _feed(tmp_path, _items(ITEMS) + "</channel></rss>")
    monkeypatch.setattr(ingest.prepare, "split_batch", lambda articles: os._exit(3))
    with pytest.raises(WorkerFailed, match="exit code 3"):
        run_ingest([feed], tmp_path / "kb", jobs=2)
