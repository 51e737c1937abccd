"""Step 5 of the pipeline: fuse rule hits and search hits into one ranking, then calibrate.

Rules are precise (a writer, or ingest's mining, said "event 1196 plus this message means
this entry"), search is broad (it finds paraphrases and questions no rule foresaw). So:

- ranking score: the strongest rule of an entry, all its rules together (noisy-OR: 0.9 and
  0.5 make 0.95), and its search strength - how much of the paste it matched (coverage),
  its score relative to the best hit, and how much of its own title or message the paste
  holds (entry coverage). A paste about something the KB does not cover shares generic
  words with many entries ("cluster", "resource", "failed") but covers none of them;
- a paste that names an event ID, against an entry whose signatures name other event IDs,
  is about another event: its search strength counts a quarter, and neither search nor key
  phrases alone make it a confident answer (a phrase names the product, not the error);
- confidence: not computed here but by the calibration model (:mod:`engine.calibration`),
  from the evidence of each candidate and of its rivals: the probability it is right.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from .calibration import Calibration, Evidence, features
from .calibration import load as load_calibration
from .entry import Entry
from .facts import shares_event, title_facts
from .model import CONTRADICTION, Facts, Remedy, RuleHit, SearchHit

RULE_SHARE = 0.7  # of the ranking score; search has the rest
GUIDE_FACTOR = 0.8  # a paste of an error wants a remedy before a how-to (not so for questions)
GUIDE_HOWTO = 1.2  # "how do I set up ...?" wants the how-to
EVENT_MISMATCH = 0.25  # the paste's event is not one the entry is about
HELD_BACK = 0.25  # a held-back answer's confidence at most, as a share of the threshold
CODE_MISMATCH = 0.5  # the paste's error codes are not the entry's
# Rule evidence that says which error a paste is: a message, an event, an error code, or a
# writer's rule. A key phrase ("DFSR", "port 3343") or a rule made of key phrases alone is
# the product or component; it does not overrule a paste naming another event or code.
IDENTIFYING = frozenset({"message", "event", "event-source", "code", "writer"})
# A paste of fewer words than this (one or two: "cluster", "live migration", "实时迁移") names
# a topic; only an event ID, an error code or a writer's rule makes an answer to it confident.
SHORT_PASTE = 3
FACTUAL = frozenset({"event", "event-source", "code", "writer"})


def noisy_or(weights: Iterable[float]) -> float:
    miss = 1.0
    for w in sorted(weights, reverse=True)[:3]:
        miss *= 1.0 - w
    return 1.0 - miss


def search_strength(hit: SearchHit | None, best_score: float) -> float:
    """How strongly search ranks an entry, 0..1: coverage of the paste, relative score and
    coverage of the entry's own title or message."""
    if hit is None or best_score <= 0:
        return 0.0
    relative = hit.score / best_score
    return hit.coverage * relative**0.5 * (0.5 + 0.5 * hit.entry_coverage)


def event_mismatch(facts: Facts, entry: Entry) -> bool:
    """The paste names events, the entry others, and none are shared (an ID of another source
    is another event: engine.facts.same_event)."""
    if not facts.events or not entry.signatures.events:
        return False
    return not shares_event(facts.events, entry.signatures.events)


def title_mismatch(facts: Facts, entry: Entry) -> bool:
    """The entry's title names its error (a code, an event ID), and the paste names errors of
    that kind but not the title's: an article on 0xC004F06C that lists 0xC004F074 among its
    symptoms is not the answer to a paste of 0xC004F074 alone."""
    codes, events = title_facts(entry.title)
    return bool(
        (codes and facts.codes and not codes & set(facts.codes))
        or (events and facts.events and not events & set(facts.event_ids))
    )


def message_mismatch(hits: Iterable[RuleHit]) -> bool:
    """The paste holds one of the entry's messages with the word its title names replaced
    (engine.rules: "has an Intel processor" against the "Unknown processor" article's "has an
    Unknown processor"), and no writer's rule says it is the entry all the same."""
    kinds = {hit.kind for hit in hits}
    return CONTRADICTION in kinds and "writer" not in kinds


def code_mismatch(facts: Facts, entry: Entry) -> bool:
    """The paste names error codes, the entry others, and none are shared: another error."""
    if not facts.codes or not entry.signatures.codes:
        return False
    return not set(facts.codes) & set(entry.signatures.codes)


def product_mismatch(facts: Facts, entry: Entry, generic: frozenset[str] = frozenset()) -> bool:
    """The paste names specific products, the entry others, and none are shared."""
    pasted = set(facts.products) - generic
    covered = set(entry.products) - generic
    return bool(pasted and covered) and not pasted & covered


def fuse(
    rule_hits: list[RuleHit],
    search_hits: list[SearchHit],
    entries: dict[str, Entry],
    facts: Facts,
    top: int = 5,
    generic_products: frozenset[str] = frozenset(),
    calibration: Calibration | None = None,
    resampled: Sequence[list[SearchHit]] = (),
) -> list[Remedy]:
    """Rank every entry a rule or the search found, then give each its calibrated confidence.

    *resampled*: the search repeated with part of the paste's concepts
    (:meth:`engine.search.SearchIndex.search_resampled`); each is ranked with the same rule
    hits, and the article each puts first tells the model how stable the ranking is.
    """
    candidates = _ranked(rule_hits, search_hits, entries, facts, generic_products)
    rule_scores = {c.entry.id: _rule_score(c.rule_hits) for c in candidates if c.rule_hits}
    replaced = {c.entry.id for c in candidates if c.message_mismatch}
    doubts: dict[str, tuple[RuleHit, ...]] = {}
    for hit in rule_hits:
        if hit.kind == CONTRADICTION:
            doubts[hit.entry_id] = (*doubts.get(hit.entry_id, ()), hit)
    leaders = [_leader(rule_scores, hits, entries, facts, replaced) for hits in resampled]
    model = calibration or load_calibration()
    remedies = []
    for candidate in candidates[: max(top, 3)]:
        values = features(candidate, candidates, facts, leaders)
        confidence = model.probability(values)
        identified = any(hit.kind in IDENTIFYING for hit in candidate.rule_hits)
        if not identified and (candidate.event_mismatch or candidate.code_mismatch):
            # search or key phrases alone never confirm an entry about another event or error
            # code (DFSR event 4012 pasted, the article of DFSR event 2213 found). (A guard
            # for entries whose title and messages the paste holds nothing of went once the
            # model could tell an article's parts agreeing: it then held back 18 right answers
            # the model was sure of for 1 wrong, and the model's figures are measured without it.)
            confidence = min(confidence, model.threshold * HELD_BACK)
        written = any(hit.kind == "writer" for hit in candidate.rule_hits)
        if candidate.message_mismatch or (not written and title_mismatch(facts, candidate.entry)):
            # the facts its text shares with the paste are not the error its title is about
            # (a writer's rule still confirms: writers title an entry by one event of several)
            confidence = min(confidence, model.threshold * HELD_BACK)
        short = facts.words is not None and facts.words < SHORT_PASTE
        if short and not any(hit.kind in FACTUAL for hit in candidate.rule_hits):
            # "network", "failed", "DNS": every labelled paste has three words or more, so
            # the model never saw one this short (the seed ingested alone answered "failed"
            # at 0.80 and "network" at 0.99)
            confidence = min(confidence, model.threshold * HELD_BACK)
        remedies.append(
            Remedy(
                entry=candidate.entry,
                score=candidate.score,
                confidence=confidence,
                rule_hits=candidate.rule_hits,
                search_hit=candidate.search_hit,
                features=values,
                doubts=doubts.get(candidate.entry.id, ()) if candidate.message_mismatch else (),
            )
        )
    return remedies[:top]


def _ranked(
    rule_hits: list[RuleHit],
    search_hits: list[SearchHit],
    entries: dict[str, Entry],
    facts: Facts,
    generic_products: frozenset[str],
) -> list[Evidence]:
    """Every entry a rule or the search found, with its evidence, best first."""
    by_entry: dict[str, list[RuleHit]] = {}
    for hit in rule_hits:
        by_entry.setdefault(hit.entry_id, []).append(hit)
    searched = {h.entry_id: h for h in search_hits}
    best = max((h.score for h in search_hits), default=0.0)
    candidates: list[Evidence] = []
    for entry_id in dict.fromkeys([*by_entry, *searched]):
        entry = entries.get(entry_id)
        if entry is None:  # index older than the KB by a moment (live reload): skip it
            continue
        hits = tuple(by_entry.get(entry_id, ()))
        search_hit = searched.get(entry_id)
        other_event, other_code = event_mismatch(facts, entry), code_mismatch(facts, entry)
        if other_event:  # its event ID, but another source's: not the entry's event
            hits = tuple(h for h in hits if h.kind != "event")
        other_message = message_mismatch(hits)
        hits = tuple(h for h in hits if h.kind != CONTRADICTION)
        search = _search_score(
            entry, search_hit, best, facts, other_event or other_message, other_code
        )
        candidates.append(
            Evidence(
                entry=entry,
                score=_rule_score(hits) + (1 - RULE_SHARE) * search,
                rule_hits=hits,
                search_hit=search_hit,
                search_relative=(search_hit.score / best) if search_hit and best > 0 else 0.0,
                event_mismatch=other_event,
                code_mismatch=other_code,
                product_mismatch=product_mismatch(facts, entry, generic_products),
                message_mismatch=other_message,
            )
        )
    candidates.sort(key=lambda c: (-c.score, c.entry.id))
    return _not_first_when_contradicted(candidates)


def _not_first_when_contradicted(candidates: list[Evidence]) -> list[Evidence]:
    """An entry whose message the paste holds with another value is not the first answer
    while another candidate is: the "Unknown processor" article's frame matched an AMD-to-Intel
    paste more strongly than the step-by-step article's scenario about vendors did. It stays
    second, held back, with its reason in `why`."""
    if candidates and candidates[0].message_mismatch:
        for i, candidate in enumerate(candidates):
            if not candidate.message_mismatch:
                return [candidate, *candidates[:i], *candidates[i + 1 :]]
    return candidates


def _rule_score(hits: Iterable[RuleHit]) -> float:
    """The rules' part of an entry's ranking score: its strongest rule, and all of them."""
    weights = [h.weight for h in hits]
    return RULE_SHARE * (0.8 * max(weights, default=0.0) + 0.2 * noisy_or(weights))


def _search_score(
    entry: Entry,
    hit: SearchHit | None,
    best: float,
    facts: Facts,
    other_event: bool,
    other_code: bool,
) -> float:
    """The search's part (before its share): its strength, for a guide as the paste asks, and
    held back for an entry about another event or error code than the paste's."""
    s = search_strength(hit, best)
    if entry.kind == "guide":
        factor = GUIDE_HOWTO if facts.howto else 1.0 if facts.question else GUIDE_FACTOR
        s = min(1.0, s * factor)
    if other_event:  # about another event (or message): search alone must not rank it first
        s *= EVENT_MISMATCH
    if other_code:  # another error code: less strongly (articles cite codes in passing)
        s *= CODE_MISMATCH
    return s


def _leader(
    rule_scores: dict[str, float],
    hits: list[SearchHit],
    entries: dict[str, Entry],
    facts: Facts,
    replaced: set[str],
) -> str | None:
    """The article a resampled search ranks first along with the paste's rule hits: the
    ranking score of :func:`_ranked`, without the rest of the evidence."""
    best = max((h.score for h in hits), default=0.0)
    scores = dict(rule_scores)
    for hit in hits:
        entry = entries.get(hit.entry_id)
        if entry is not None:
            other_event = event_mismatch(facts, entry) or hit.entry_id in replaced
            other_code = code_mismatch(facts, entry)
            search = _search_score(entry, hit, best, facts, other_event, other_code)
            search *= 1 - RULE_SHARE
            scores[hit.entry_id] = scores.get(hit.entry_id, 0.0) + search
    if not scores:
        return None
    first = min(scores, key=lambda entry_id: (entry_id in replaced, -scores[entry_id], entry_id))
    return entries[first].source or first
