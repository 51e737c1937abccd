"""Step 5 of the pipeline: fuse rule hits and search hits into one ranking with a confidence.

Rules are precise (a writer said "event 1196 plus this phrase means this entry"), search is
broad (it finds paraphrases and questions no rule foresaw). So:

- rule strength of an entry: its strongest rule ranks it; all its rules together (noisy-OR:
  0.9 and 0.5 make 0.95) give the confidence;
- search strength: how much of the paste the entry matched (coverage), scaled by its score
  relative to the best hit, and how much of the entry's own title or message the paste holds
  (entry coverage). A paste about something the KB does not cover shares generic words with
  many entries ("cluster", "resource", "failed") but covers none of them;
- a paste that names an event ID, against an entry whose signatures name other event IDs,
  is about another event: search alone cannot make that entry a confident answer; likewise,
  less strongly, a paste about other products than the entry's;
- ranking: rules first, search to order what rules leave tied or did not see;
- confidence: rules and search combined; search alone never reaches certainty.

The constants were calibrated on ``tests/data/eval.jsonl`` (see ``docs/ranking.md``).
"""

from __future__ import annotations

from collections.abc import Iterable

from .calibration import Calibration, Evidence, features
from .calibration import load as load_calibration
from .entry import Entry
from .model import Facts, Remedy, RuleHit, SearchHit

THRESHOLD = 0.5
RULE_SHARE = 0.7  # of the ranking score; search has the rest
AGREEMENT_FLOOR = 0.3  # below this, a search match proves nothing
AGREEMENT_FULL = 0.75  # at this, a search match is as good as search gets
SEARCH_CEILING = 0.85  # search alone never reaches certainty
GUIDE_FACTOR = 0.8  # a paste of an error wants a remedy before a how-to (not so for questions)
GUIDE_HOWTO = 1.2  # "how do I set up ...?" wants the how-to
EVENT_MISMATCH = 0.25  # the paste's event is not one the entry is about
PRODUCT_MISMATCH = 0.5  # the paste is about other products than the entry
QUESTION_COVERAGE_SHARE = 0.7  # in a question, the asker's words matter more than the title's


def noisy_or(weights: Iterable[float]) -> float:
    miss = 1.0
    for w in sorted(weights, reverse=True)[:3]:
        miss *= 1.0 - w
    return 1.0 - miss


def search_strength(
    hit: SearchHit | None, best_score: float, question: bool = False
) -> tuple[float, float]:
    """(strength for ranking, convincingness for confidence), both 0..1.

    A question is worded by the asker, not copied from the error: how much of it the entry
    answers (coverage) counts for more than how much of the entry's title it repeats.
    """
    if hit is None or best_score <= 0:
        return 0.0, 0.0
    relative = hit.score / best_score
    strength = hit.coverage * relative**0.5 * (0.5 + 0.5 * hit.entry_coverage)
    share = QUESTION_COVERAGE_SHARE if question else 0.5
    agreement = hit.coverage**share * hit.entry_coverage ** (1 - share)
    span = AGREEMENT_FULL - AGREEMENT_FLOOR
    convincing = min(1.0, max(0.0, (agreement - AGREEMENT_FLOOR) / span))
    return strength, convincing * relative * SEARCH_CEILING


def event_mismatch(facts: Facts, entry: Entry) -> bool:
    """The paste names event IDs, the entry names others, and none are shared."""
    if not facts.events or not entry.signatures.events:
        return False
    return not set(facts.event_ids) & {e.id for e in entry.signatures.events}


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
) -> list[Remedy]:
    """Rank every entry a rule or the search found, then give each its calibrated confidence."""
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
        weights = [h.weight for h in by_entry.get(entry_id, ())]
        strongest = max(weights, default=0.0)
        combined = noisy_or(weights)
        search_hit = searched.get(entry_id)
        s, _ = search_strength(search_hit, best, facts.question)
        if entry.kind == "guide":
            factor = GUIDE_HOWTO if facts.howto else 1.0 if facts.question else GUIDE_FACTOR
            s = min(1.0, s * factor)
        mismatch = event_mismatch(facts, entry)
        if mismatch:  # the paste is about another event: search alone must not rank it first
            s *= EVENT_MISMATCH
        score = RULE_SHARE * (0.8 * strongest + 0.2 * combined) + (1 - RULE_SHARE) * s
        candidates.append(
            Evidence(
                entry=entry,
                score=score,
                rule_hits=tuple(by_entry.get(entry_id, ())),
                search_hit=search_hit,
                search_relative=(search_hit.score / best) if search_hit and best > 0 else 0.0,
                event_mismatch=mismatch,
                product_mismatch=product_mismatch(facts, entry, generic_products),
            )
        )
    candidates.sort(key=lambda c: (-c.score, c.entry.id))
    model = calibration or load_calibration()
    remedies = []
    for candidate in candidates[: max(top, 3)]:
        values = features(candidate, candidates, facts)
        remedies.append(
            Remedy(
                entry=candidate.entry,
                score=candidate.score,
                confidence=model.probability(values),
                rule_hits=candidate.rule_hits,
                search_hit=candidate.search_hit,
                features=values,
            )
        )
    return remedies[:top]
