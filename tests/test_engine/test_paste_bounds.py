"""Issue 15: a paste of any shape costs work bounded by the cut, never by its size or shape.

Timing tests would be flaky on shared machines, so these count work instead: the size of the
text each expensive step is handed (the HTML sanitiser, cleaning, Chinese conversion,
masking) for 1 MB pastes of the shapes that used to cost quadratic time. The wall-clock
figures come from ``bench/adversarial.py``.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from testkb import FlatStats

import engine.normalise as normalise_module
from engine.normalise import CUT_CHARS, FOCUS_CHARS, SANITISE_CHARS, focus_lines, normalise

MB = 1_000_000
SHAPES = {
    "nested tags": "<p>x</p>" + "<div>" * (MB // 5 - 2),
    "nested list items": "<br>" + "<ul><li>" * (MB // 8 - 1),
    "unclosed tags": "<br>" + "<br" * (MB // 3 - 2),
    "one long token": "A" * MB,
    "Chinese": "群集网络名称资源注册失败" * (MB // 36),
    "ANSI storm": "\x1b[1;31m\x1b[0m\x1b]0;t\x07" * (MB // 18),
    "error words": "error " * (MB // 6),
    "50,000 short lines": "E1: error in step\n" * 50_000,
    "NFKC expansion": "\ufdfa" * (MB // 3),  # one character that NFKC writes as 18
}


@pytest.fixture
def handed(monkeypatch) -> dict[str, list[int]]:
    """step -> the length of every text handed to it while the test runs."""
    sizes: dict[str, list[int]] = defaultdict(list)

    def spy(step: str, function):
        def wrapper(text, *args, **kwargs):
            sizes[step].append(len(text))
            return function(text, *args, **kwargs)

        return wrapper

    class Sanitiser:  # engine.normalise reaches nh3 as a module attribute
        clean = staticmethod(spy("sanitise", normalise_module.nh3.clean))

    monkeypatch.setattr(normalise_module, "nh3", Sanitiser)
    for step in ("clean", "to_simplified", "mask", "find_events", "detect_language"):
        monkeypatch.setattr(normalise_module, step, spy(step, getattr(normalise_module, step)))
    return sizes


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_1_mb_paste_of_any_shape_hands_each_step_a_bounded_text(shape, handed):
    paste = SHAPES[shape]
    assert 0.9 * MB <= len(paste.encode("utf-8")) <= MB
    normalise(paste)
    assert max(handed["clean"]) <= CUT_CHARS
    assert max(handed["sanitise"], default=0) <= SANITISE_CHARS
    assert max(handed["to_simplified"]) <= CUT_CHARS
    for step in ("mask", "find_events", "detect_language"):
        assert max(handed[step]) <= FOCUS_CHARS, step


def test_html_over_the_sanitiser_bound_is_cut_to_its_error_lines(handed):
    rows = "".join(f"<tr><td>INFO step {i} done</td></tr>" for i in range(2_000))
    paste = f"<table>{rows}<tr><td>Event ID: 1196 DNS signature failed</td></tr>{rows}</table>"
    assert len(paste) > SANITISE_CHARS
    n = normalise(paste)
    assert handed["sanitise"] and max(handed["sanitise"]) <= SANITISE_CHARS
    assert n.facts.event_ids == (1196,) and "DNS signature failed" in n.focus
    assert "<" not in n.text


def test_the_error_is_found_wherever_it_sits_in_a_1_mb_paste():
    line = "INFO [GUM] Node 2: Processing RequestLock\n"
    noise, third = line * 22_000, line * 7_000
    error = "Event ID: 1196\nDNS signature failed to verify\n"
    for paste in (noise + error, error + noise, third + error + third):
        n = normalise(paste)
        assert n.facts.event_ids == (1196,)
        assert "DNS signature failed to verify" in n.focus


def test_one_megabyte_line_keeps_the_part_around_its_error():
    half = "0123456789 " * 45_000
    n = normalise(half + "Event ID: 1196 DNS signature failed to verify " + half)
    assert n.facts.event_ids == (1196,)
    assert len(n.focus) <= FOCUS_CHARS


def test_one_line_of_html_is_cut_by_its_block_tags_not_as_one_line():
    cells = "<div>INFO step done</div>" * 19_000
    n = normalise(cells + "<p>Event ID: 1196</p><p>DNS signature failed to verify</p>" + cells)
    assert n.facts.event_ids == (1196,)
    assert "DNS signature failed to verify" in n.focus


def test_a_cut_paste_is_never_taken_for_a_question():
    paste = "How do I fix this?\n" + "INFO step done\n" * 10_000 + "error: disk full\n"
    assert not normalise(paste).facts.question
    assert normalise("How do I fix this? error: disk full").facts.question


def test_focus_lines_takes_the_neighbours_of_each_cue_in_order():
    text = "INFO a\nINFO b\nWARN c\nError d\nINFO e\nINFO f\nfailed g"
    assert focus_lines(text, budget=40) == "WARN c\nError d\nINFO e\nINFO f\nfailed g"
    assert focus_lines(text, budget=20) == "WARN c\nError d"  # the budget stops it, in order
    assert focus_lines("no cue here " * 10, budget=12) == "no cue here "


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_the_engine_answers_every_shape(shape, shipped_diagnoser):
    diagnosis = shipped_diagnoser.diagnose(SHAPES[shape])
    assert diagnosis.normalised.original_size <= MB


def test_template_tokens_read_at_most_the_cut():
    from engine.rules.templates import tokens

    assert len(tokens("disk " * (CUT_CHARS // 5))) == CUT_CHARS // 5
    assert len(tokens("disk " * MB)) == CUT_CHARS // 5  # not a million tokens


def test_a_search_query_reads_at_most_the_cut(monkeypatch):
    from engine.search import query

    seen: list[int] = []
    monkeypatch.setattr(
        query, "_line_terms", lambda text, ids: seen.append(len(text)) or ({}, {}, {})
    )
    query.paste_query("disk " * MB, "disk", query.Glossary.empty(), stats=FlatStats())
    assert seen == [CUT_CHARS]
