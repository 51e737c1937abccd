"""From a paste to a focused query: a few weighted concepts, not an OR of every word.

A 300-word paste is mostly noise for search: log prefixes, host names, GUIDs, INFO lines. We
take the masked focus text, keep the terms the index knows, weight each by its rarity (IDF)
and keep the strongest :data:`MAX_CONCEPTS`. Masking already removed the rare-but-meaningless
tokens (GUIDs, host names), so "rare" now means "specific to an error".

The glossary adds cross-language concepts: a paste saying 处理器 gets a concept
{处理器, processor} so that it matches an English entry, and the reverse. A concept scores
once however many of its words match (see :mod:`.scorer`), so a synonym group cannot
outweigh a real term.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from ..glossary import Glossary
from ..hanzi import HAN_CHAR
from ..normalise import CUT_CHARS, is_error_line
from .analysis import pairs_of, terms
from .dictionary import english
from .stats import TermStats

MAX_CONCEPTS = 14
# Pairs of consecutive terms ("virtual adapter") the index knows, on top of the concepts; a
# pair restates two words already counted, so it weighs this share of its rarity.
MAX_PAIRS = 6
PAIR_FACTOR = 0.5
# A term found in more than this share of entries says little about which one fits, and its
# long posting list is what makes a query slow; ignored once the KB has MIN_DOCS_FOR_DF entries.
MAX_DF_SHARE = 0.15
MIN_DOCS_FOR_DF = 50
# Terms only seen on lines without an error cue (INFO chatter) count for this much.
CHATTER_FACTOR = 0.35
# A paste's word that no entry contains cannot be matched, but it is evidence that the paste
# is about something the KB does not cover; it counts this much of a rare word's weight in
# the share of the paste an entry covers.
UNKNOWN_FACTOR = 0.6
# A Chinese word known only through the dictionary's English glosses counts this much: a
# translation is a guess among senses.
TRANSLATION_FACTOR = 0.7
# A Chinese word of one character (的, 要, 里: what the segmenter leaves alone is mostly
# grammar) counts this much of its rarity, which in a mostly English KB is high.
SINGLE_HAN_FACTOR = 0.5
# The labels of an Event Viewer export and other log boilerplate: every paste has them, they
# say nothing about the error ("Log Name: System  Source: ...  Event ID: ...").
BOILERPLATE_WORDS = (
    "log name source date event id task category level keywords user computer description "
    "error warning information critical system microsoft windows details "
    "日志名称 来源 日期 事件 任务类别 级别 关键字 用户 计算机 描述 错误 警告 信息 系统"
)


@lru_cache(maxsize=1)
def boilerplate() -> frozenset[str]:
    return frozenset(terms(BOILERPLATE_WORDS))  # analysed on first use, not at import


@lru_cache(maxsize=1)
def boilerplate_pairs() -> frozenset[str]:
    """Every pair of two boilerplate words, as :func:`engine.search.analysis.pairs_of` spells
    a pair: one look-up a pair of a paste's line, not two."""
    words = boilerplate()
    return frozenset(f"{a}_{b}" for a in words for b in words if a != b)


@dataclass(frozen=True)
class PasteQuery:
    """What search needs from a paste: its strongest concepts, and every term it holds."""

    concepts: list[Concept]
    terms: frozenset[str]  # the paste's terms plus their glossary translations


@dataclass(frozen=True)
class Concept:
    """One thing the paste talks about, as the index terms that express it."""

    label: str
    terms: tuple[str, ...]  # empty for a word no entry contains
    weight: float
    pair: bool = False  # two consecutive terms: scored, not shown (its words are)


def _line_terms(
    text: str, event_ids: set[str]
) -> tuple[Counter, dict[str, float], dict[str, float]]:
    """Term counts over the (searchable) paste, each term's best line factor, and each pair of
    consecutive English terms with its best line factor (each line analysed once)."""
    counts: Counter = Counter()
    factor: dict[str, float] = {}
    pairs: dict[str, float] = {}
    labels = boilerplate()
    label_pairs = boilerplate_pairs()
    for line in text.split("\n"):
        weight = 1.0 if is_error_line(line) else CHATTER_FACTOR
        line_terms = terms(line)
        for pair in pairs_of(line_terms):
            if pair in label_pairs:
                continue  # "Event ID", "Log Name": a label of every export, not the error
            pairs[pair] = max(weight, pairs.get(pair, 0.0))
        for term in line_terms:
            if term.isdecimal() and term not in event_ids:  # isdecimal: what ^\d+$ matches
                continue  # numbers are counters and sizes unless they are the event ID
            if term in labels or term.startswith("microsoft-windows-"):
                continue  # the provider is a fact (engine.facts), not words of the error
            counts[term] += 1
            factor[term] = max(weight, factor.get(term, 0.0))
    return counts, factor, pairs


@lru_cache(maxsize=20_000)
def _gloss_terms(term: str) -> tuple[str, ...]:
    """The index terms of a Chinese word's English glosses (analysed once per word)."""
    return tuple(dict.fromkeys(word for gloss in english(term) for word in terms(gloss)))


def _translated(term: str, idf) -> tuple[tuple[str, ...], float] | None:
    """The index terms of a Chinese word's English glosses, and their mean rarity; None when
    the dictionary has no gloss the index knows."""
    glosses: dict[str, float] = {}
    for word in _gloss_terms(term):
        weight = idf(word)
        if weight > 0:
            glosses[word] = weight
    if not glosses:
        return None
    return tuple(glosses), sum(glosses.values()) / len(glosses)


def paste_query(
    search_text: str,
    text: str,
    glossary: Glossary,
    stats: TermStats,
    event_ids=(),
    group_terms: dict[tuple[str, ...], tuple[str, ...]] | None = None,
) -> PasteQuery:
    """The concepts of a paste and its full term set (to judge how much of an entry it covers).

    *search_text* is the paste as :func:`searchable` makes it (masked, prose names kept);
    *text* the unmasked paste, where glossary terms are looked for. Both arrive cut by
    :func:`engine.normalise.normalise`; the bound here holds for any other caller.
    *group_terms*: the index terms of each glossary group, kept by the caller between pastes
    (one KB's glossary and segmenter: a group is analysed once, not on every paste).
    """
    search_text, text = search_text[:CUT_CHARS], text[:CUT_CHARS]
    n_docs = stats.n_docs
    max_df = n_docs * MAX_DF_SHARE if n_docs >= MIN_DOCS_FOR_DF else n_docs

    def idf(term: str) -> float:
        return 0.0 if stats.df(term) > max_df else stats.idf(term)

    counts, factor, pairs = _line_terms(search_text, {str(e) for e in event_ids})
    all_terms: set[str] = set(counts)
    concepts: dict[str, Concept] = {}
    grouped: set[str] = set()
    analysed = {} if group_terms is None else group_terms
    for group in glossary.groups_in(text):
        its_terms = analysed.get(group)
        if its_terms is None:
            its_terms = analysed[group] = _group_terms(group)
        all_terms.update(its_terms)
        weights = {t: idf(t) for t in its_terms}
        known = tuple(t for t in its_terms if weights[t] > 0)
        present = [t for t in its_terms if t in counts or t in pairs]
        if not known or not present:
            continue  # a group no entry holds: its words stay unknown words of the paste
        grouped.update(present)
        line = max(factor.get(t) or pairs[t] for t in present)
        weight = (
            max(weights.values())
            * line
            * (1 + 0.2 * math.log(sum(counts.get(t, 1) for t in present)))
        )
        label = group[0]
        if label not in concepts or concepts[label].weight < weight:
            concepts[label] = Concept(label, known, weight)
    unknown_weight = math.log(1 + (n_docs - 0.5) / 1.5) * UNKNOWN_FACTOR
    for term, count in counts.items():
        if term in grouped:
            continue
        translated = _translated(term, idf) if HAN_CHAR.match(term) else None
        if translated is not None:
            glosses, gloss_weight = translated
            all_terms.update(glosses)
            own = idf(term)
            # a Chinese word is no rarer than what it means: in a KB of English articles with
            # a few Chinese ones 无法 ("unable to") is in few entries, "unable" in many
            rarity = min(own, gloss_weight) if own > 0 else gloss_weight * TRANSLATION_FACTOR
            weight = rarity * factor[term]
            known = ((term,) if own > 0 else ()) + glosses
            concepts[term] = Concept(term, known, weight * (1 + 0.2 * math.log(count)))
            continue
        weight = idf(term) * factor[term]
        if len(term) == 1 and HAN_CHAR.match(term):
            weight *= SINGLE_HAN_FACTOR
        if weight > 0:
            concepts[term] = Concept(term, (term,), weight * (1 + 0.2 * math.log(count)))
        elif not stats.df(term) and len(term) > 2:
            concepts[term] = Concept(term, (), unknown_weight * factor[term])
    ranked = sorted(concepts.values(), key=lambda c: (-c.weight, c.label))
    return PasteQuery(ranked[:MAX_CONCEPTS] + _pairs(pairs, idf), frozenset(all_terms))


def _group_terms(group: tuple[str, ...]) -> tuple[str, ...]:
    """The index terms of a glossary group's words, each once, in order.

    A phrase stands for its words together, not for any one of them: "physical address" is
    not every text that says "physical", "fail over" not every failure. So a phrase gives its
    pairs of consecutive terms (the index's ``pairs`` field), or nothing when it has none; a
    Chinese word gives the whole word when the segmenter keeps it as one term (物理地址, not
    物理), its pieces only when the segmenter always cuts it up (故障转移群集).
    """
    found: list[str] = []
    for word in group:
        its_terms = terms(word)
        if len(word.split()) > 1:
            found += pairs_of(its_terms)
        elif len(its_terms) <= 1 or not HAN_CHAR.match(word):
            found += its_terms
        else:
            whole = [t for t in its_terms if t == word.lower()]
            found += whole or its_terms
    return tuple(dict.fromkeys(found))


def _pairs(pairs: dict[str, float], idf) -> list[Concept]:
    """The paste's strongest term pairs the index holds, as concepts of their own."""
    found = {pair: idf(pair) * factor * PAIR_FACTOR for pair, factor in pairs.items()}
    best = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:MAX_PAIRS]
    return [
        Concept(pair.replace("_", " "), (pair,), weight, pair=True)
        for pair, weight in best
        if weight > 0
    ]
