"""Issue 15: a feed item costs time and memory linear in its size, and bounded by the item limit.

A 20 MB single-item feed grew past 7 GB and never finished. Now a body over the item limit
is truncated (and says so in the report and in its entries), nesting is flattened before the
HTML parser, and the per-item steps that were quadratic are linear. These tests count work
(the text each step is handed, the calls a split makes); wall-clock figures come from
``bench/adversarial.py``.
"""

from __future__ import annotations

import html
import subprocess
import sys
import textwrap
from collections import Counter

import pytest
from conftest import REPO_ROOT, read_kb, run_ingest

import ingest.html as ingest_html
from ingest.feed import MAX_ITEM_BYTES, MAX_TITLE_CHARS, Article
from ingest.fetch import human_size
from ingest.html import MAX_NESTING, sanitize
from ingest.segments import segment
from ingest.split import MAX_PARTS, article_blocks, classified, split_article
from ingest.statements import LOOKAHEAD, _units

MB = 1024 * 1024
LIMIT = MAX_ITEM_BYTES // 4


def _rss(items: list[tuple[str, str]]) -> bytes:
    parts = ['<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>']
    for i, (title, body) in enumerate(items):
        link = f"http://example.com/articles/item-{i}"
        parts.append(
            f"<item><title>{html.escape(title)}</title><link>{link}</link>"
            f"<description>{html.escape(body)}</description></item>"
        )
    return ("".join(parts) + "</channel></rss>").encode("utf-8")


def _article_html(size: int) -> str:
    """A long how-to: sections of steps, notes, commands and troubleshooting statements."""
    chunks, used, i = [], 0, 0
    while used < size:
        chunk = (
            f"<h2>Configure node {i}</h2><p>Install the role on node {i}. It must be named the "
            "same on all nodes, otherwise you get errors like, Migration attempt failed.</p>"
            f"<ol><li>Open Server Manager on node {i}.</li><li>Click Add Roles.</li></ol>"
            f"<p><b>NOTE:</b> if you get an error, restart the service:</p><pre>net start vmms{i}"
            "</pre>"
        )
        chunks.append(chunk)
        used += len(chunk)
        i += 1
    return "".join(chunks)


def test_a_5_mb_item_is_ingested_truncated_and_says_so(kb_dir, monkeypatch):
    handed: Counter = Counter()

    class Sanitiser:  # ingest.html's configured nh3 cleaners, module attributes
        def __init__(self, real):
            self.real = real

        def clean(self, text):
            handed[len(text.encode("utf-8"))] += 1
            return self.real.clean(text)

    for name in ("_SANITIZER", "_TAGS_REMOVED"):
        monkeypatch.setattr(ingest_html, name, Sanitiser(getattr(ingest_html, name)))
    feed = kb_dir.parent / "huge.xml"
    feed.write_bytes(_rss([("Configuring a cluster, step by step", _article_html(5 * MB))]))
    assert feed.stat().st_size > 5 * MB

    # A quarter of the default limit keeps the suite quick; the default's cost on a 20 MB
    # item is what bench/adversarial.py measures.
    result, lines = run_ingest([feed], kb_dir, jobs=1, max_item_bytes=LIMIT)

    assert result.exit_code == 0
    truncated = [line for line in lines if "recovered: body truncated" in line]
    assert len(truncated) == 1 and truncated[0].startswith(f"{feed}: item 1 ")
    assert "body truncated: 5.0 MB of HTML, the first 256 KB ingested" in truncated[0]
    assert "--max-item-bytes" in truncated[0]
    assert "1 item(s) ingested from damaged or truncated text" in result.summary()
    entries = read_kb(kb_dir)
    assert entries
    for entry, _text in entries.values():
        assert any("body truncated" in p for p in entry.ingest["problems"])
    # no step read the whole body: the sanitiser saw the cut article and short titles
    assert max(handed) <= LIMIT


def test_an_item_under_the_limit_is_read_whole_and_flagged_nowhere(kb_dir):
    feed = kb_dir.parent / "small.xml"
    feed.write_bytes(_rss([("Configuring a cluster, step by step", _article_html(50_000))]))
    result, lines = run_ingest([feed], kb_dir)
    assert result.exit_code == 0 and not [line for line in lines if "truncated" in line]
    assert all("problems" not in e.ingest for e, _ in read_kb(kb_dir).values())


def test_the_item_limit_is_an_option(kb_dir):
    feed = kb_dir.parent / "medium.xml"
    feed.write_bytes(_rss([("Configuring a cluster, step by step", _article_html(300_000))]))
    _result, lines = run_ingest([feed], kb_dir, max_item_bytes=100_000)
    (line,) = [line for line in lines if "body truncated" in line]
    size = len(_article_html(300_000).encode("utf-8"))
    assert f"body truncated: {human_size(size)} of HTML, the first 9" in line


def test_nesting_deeper_than_any_article_is_flattened_before_the_html_parser():
    cleaned = sanitize("<div>" * 100_000 + "the text" + "</div>" * 100_000)
    assert "the text" in cleaned
    assert cleaned.count("<div>") <= MAX_NESTING


def test_titles_are_bounded_before_they_are_cleaned(kb_dir):
    feed = kb_dir.parent / "title.xml"
    feed.write_bytes(_rss([("<b>" * 50_000 + "Disk full " * 10_000, "<p>The disk is full.</p>")]))
    _result, _lines = run_ingest([feed], kb_dir)
    (entry, _text), *_ = read_kb(kb_dir).values()
    assert len(entry.title) <= MAX_TITLE_CHARS


def test_an_article_with_more_parts_than_the_limit_keeps_the_first_and_says_so(kb_dir):
    scenarios = "".join(
        f"<p>场景{i}：</p><p>Cluster resource 'R{i}' failed: access to volume {i} is denied.</p>"
        f"<p>Restart the resource R{i}.</p>"
        for i in range(1, MAX_PARTS + 11)
    )
    feed = kb_dir.parent / "parts.xml"
    feed.write_bytes(_rss([("Cluster resource errors", scenarios)]))
    result, lines = run_ingest([feed], kb_dir)
    assert len(read_kb(kb_dir)) == MAX_PARTS
    assert any(f"{MAX_PARTS + 10} parts; the first {MAX_PARTS} ingested" in line for line in lines)
    assert "1 item(s) ingested from damaged or truncated text" in result.summary()


def test_statements_look_a_bounded_distance_ahead():
    body = "".join(f"<p>Install the role on node {i}. It must be enabled.</p>" for i in range(500))
    article = Article(1, "g", None, "A guide", body, None, (), "sha256:x")
    units = _units(classified(segment(article_blocks(article))))
    assert len(units) == 500
    assert max(len(following) for *_, following in units) == LOOKAHEAD


def _calls(function, *args) -> int:
    """How many Python and C function calls *function(*args)* makes: work, not time."""
    count = 0

    def tally(frame, event, arg):
        nonlocal count
        if event in ("call", "c_call"):
            count += 1

    sys.setprofile(tally)
    try:
        function(*args)
    finally:
        sys.setprofile(None)
    return count


def _guide(repeats: int) -> Article:
    """One section of everything the statement finder looks at, *repeats* times over."""
    chunk = (
        "<p>Install the role on node {i}. It must be named the same on all nodes, otherwise "
        "you get errors like, Migration attempt failed.</p>"
        "<p><b>NOTE:</b> the service fails on node {i} when the disk is full.</p>"
        "<p>Troubleshooting steps:</p><ol><li>Check node {i}.</li><li>Restart it.</li></ol>"
        "<p>Ways to get in trouble on node {i}:</p><ol><li>Disable the adapter.</li></ol>"
        "<p>If you see an error, run this:</p><pre>net start vds{i}</pre>"
    )
    body = "".join(chunk.format(i=i) for i in range(repeats))
    return Article(1, "g", None, "Setting up nodes", body, None, (), "sha256:x")


def test_splitting_a_guide_does_work_linear_in_its_length():
    small, large = _calls(split_article, _guide(60)), _calls(split_article, _guide(240))
    assert large <= 4.6 * small, (small, large)  # four times the text, at most ~4x the work


# Text shapes that made a pattern rescan the rest of the text from every position (quadratic,
# or cubic for the backticks). Each would take minutes at this size; linear, they take
# milliseconds. Run in a child process so that a regression fails at the time-out instead of
# hanging the suite.
PATTERN_CHECKS = textwrap.dedent(
    """
    from engine.facts import find_events, find_sources
    from engine.masking import mask
    from ingest.blocks import Block, parse_blocks, plain_inline
    from ingest.mining.logtext import strip_log_prefix
    from ingest.mining.messages import mine_messages
    from ingest.mining.phrases import key_phrases
    from ingest.render import links

    n = 100_000
    mask("a-" * n + "@ x.com")
    mask("S-1-" * (n // 2) + " x.com")
    find_events("\\n" * n + "Id: x")
    find_sources("\\n" * n + "Source x")
    plain_inline("[" * n + "x")
    plain_inline("`" * 20_000)
    plain_inline("\\\\[" * n)
    links([Block("para", lines=["\\\\[" * n])])
    strip_log_prefix(" " * n)
    key_phrases("Error " + "g1" * n, {})
    log = [f"2012-01-01 10:00:00 ERROR Object {i} could not be loaded." for i in range(20_000)]
    mine_messages([Block("code", lines=log)])
    parse_blocks("# heading\\n" * 20_000)
    print("ok")
    """
)


def test_text_patterns_cost_linear_time_on_shapes_that_used_to_be_quadratic():
    done = subprocess.run(
        [sys.executable, "-c", PATTERN_CHECKS],
        check=False,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,  # linear: about a second; any of the old patterns: many minutes
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


@pytest.mark.parametrize("limit", [1, 100, 1000])
def test_truncation_never_splits_a_character_or_a_tag(limit):
    from ingest.feed import truncate_html

    body = "<p>错误 é</p>" * 200 + "<p>tail</p>"
    cut, note = truncate_html(body, limit)
    assert len(cut.encode("utf-8")) <= limit and note
    assert cut.count("<") == cut.count(">")
    assert body.startswith(cut)
