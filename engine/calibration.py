"""Confidence that means something: a fitted model turns a remedy's evidence into P(right).

A rule weight of 0.9 or a search coverage of 0.7 is not a probability. What the helpdesk needs
to know is "how often is an answer like this one right?". So each remedy is described by a
few features (which kinds of rules fired and how fully, how well search matched, the margin
over the best answer from another article, how many of the paste's facts the entry explains,
whether the languages match ...), and a logistic regression fitted on labelled pastes maps
them to the probability that the remedy is the right answer. ``confident`` is that
probability reaching the model's threshold, chosen when fitting so that confident answers
are right at least 95% of the time on pastes the fit did not see.

The fitted weights ship as data (``engine/data/calibration.json``, written by
``bench/calibrate.py``); applying them is a dot product, with nothing to import.

>>> model = Calibration(names=("rule_message",), weights=(6.0,), bias=-3.0, threshold=0.5)
>>> round(model.probability({"rule_message": 1.0}), 3), round(model.probability({}), 3)
(0.953, 0.047)
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .entry import Entry
from .facts import shares_event
from .model import Facts, RuleHit, SearchHit

MODEL_FILE = Path(__file__).resolve().parent / "data" / "calibration.json"
# The score a rival is assumed to have when there is none (or a weaker one): a search-only
# match scores 0.1-0.2, so a lone match of 0.09 leads by nothing, not by 100%.
RIVAL_FLOOR = 0.05
# How many of the first candidates an article's share of the ranking is taken over.
ARTICLE_WINDOW = 5

# The features, each in 0..1 (see features()). The order is the model file's order.
FEATURES = (
    "rule_message",  # best quality of a signature message that matched
    "message_margin",  # how much better its best message matched than any other article's
    "message_size",  # how much a matched message says (its rare-token weight, 0..1)
    "rule_event_source",  # a signature event matched with its source
    "rule_event",  # a signature event matched by ID alone
    "rule_code",  # a signature error code matched
    "rule_phrase",  # signature key phrases matched (two or more: 1)
    "rule_generated",  # best weight of a generated rule (event + message, code + product ...)
    "rule_writer",  # best weight of a writer's rule
    "rules_fired",  # how many different kinds of evidence fired (of 4: message, event, code, rule)
    "search_coverage",  # share of the paste's concepts the entry matched
    "search_entry_coverage",  # share of the entry's title or best message the paste holds
    "search_relative",  # its search score relative to the best search hit
    "margin",  # its ranking score minus the best score of an entry from another article
    "relative_margin",  # the same, as a share of its score (search-only scores are small)
    "article_top3",  # other entries of its article among the first three (an article split in parts)
    "article_share",  # its article's share of the first five's ranking scores
    "article_share_covered",  # that share times its coverage of the paste
    "events_explained",  # the paste names events and the entry is about one of them
    "event_mismatch",  # the paste names events, the entry others
    "event_unexplained",  # the paste names events, the entry none at all
    "codes_explained",  # share of the paste's error codes the entry names
    "code_mismatch",  # the paste names error codes, the entry others
    "product_mismatch",  # the paste names other products than the entry's
    "language_match",  # paste and entry in the same language
    "question",  # the paste is a question, not an error
    "guide",  # the entry is a how-to
    "stability",  # share of resampled searches (half the paste's concepts) putting its article first
)


@dataclass(frozen=True)
class Calibration:
    """A fitted logistic model over :data:`FEATURES`; missing features count as 0."""

    names: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float
    threshold: float
    trained_on: str = ""

    def probability(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(w * features.get(n, 0.0) for n, w in zip(self.names, self.weights))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_dict(self) -> dict:
        return {
            "features": dict(zip(self.names, self.weights)),
            "bias": self.bias,
            "threshold": self.threshold,
            "trained_on": self.trained_on,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> Calibration:
        features = dict(data["features"])
        return cls(
            names=tuple(features),
            weights=tuple(float(w) for w in features.values()),
            bias=float(data["bias"]),
            threshold=float(data["threshold"]),
            trained_on=str(data.get("trained_on", "")),
        )

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")


def fit(
    rows: Sequence[Sequence[float]],
    right: Sequence[bool],
    threshold: float = 0.5,
    c: float = 1.0,
    trained_on: str = "",
) -> Calibration:
    """A model fitted on *rows* (feature values in :data:`FEATURES` order) and whether each
    remedy was right: logistic regression, L2-regularised (scikit-learn, needed only here).
    """
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=c, max_iter=2000)
    model.fit([list(r) for r in rows], list(right))
    return Calibration(
        names=FEATURES,
        weights=tuple(round(float(w), 4) for w in model.coef_[0]),
        bias=round(float(model.intercept_[0]), 4),
        threshold=threshold,
        trained_on=trained_on,
    )


def pick_threshold(answers: Sequence[tuple[float, bool]], precision: float = 0.96) -> float:
    """The lowest threshold at which first answers (confidence, right) at or above it are right
    at least *precision* of the time; 0.99 when none is.

    >>> pick_threshold([(0.9, True), (0.8, True), (0.7, False), (0.6, True)], precision=0.95)
    0.71
    """
    for step in range(30, 99):
        threshold = step / 100
        confident = [right for p, right in answers if p >= threshold]
        if confident and sum(confident) / len(confident) >= precision:
            return threshold
    return 0.99


@lru_cache(maxsize=4)
def load(path: Path = MODEL_FILE) -> Calibration:
    """The shipped model (read once per process)."""
    return Calibration.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Evidence:
    """What one candidate has going for it, before calibration (built by engine.rank)."""

    entry: Entry
    score: float  # the ranking score
    rule_hits: tuple[RuleHit, ...]
    search_hit: SearchHit | None
    search_relative: float
    event_mismatch: bool
    product_mismatch: bool
    code_mismatch: bool = False
    message_mismatch: bool = False  # one of its messages is here with its title's word replaced


def _article(candidate: Evidence) -> str:
    """The article an entry was made from (its source URL), or the entry itself."""
    return candidate.entry.source or candidate.entry.id


def features(
    item: Evidence,
    ranked: Sequence[Evidence],
    facts: Facts,
    leaders: Sequence[str | None] = (),
) -> dict[str, float]:
    """The model's inputs for one candidate, given every candidate ranked, the paste's facts
    and the article first in each resampled search (*leaders*, see :func:`engine.rank.fuse`;
    None where one found nothing)."""
    best: dict[str, float] = {}
    for hit in item.rule_hits:
        value = hit.quality if hit.kind == "message" else hit.weight
        best[hit.kind] = max(best.get(hit.kind, 0.0), value)
    message = best.get("message", 0.0)
    rival_message = max(
        (
            h.quality
            for other in ranked
            if _article(other) != _article(item)
            for h in other.rule_hits
            if h.kind == "message"
        ),
        default=0.0,
    )
    phrases = sum(1 for h in item.rule_hits if h.kind == "phrase")
    source = _article(item)
    others = [e.score for e in ranked if _article(e) != source]
    # An article the ranking puts first with several of its parts is a stronger answer than
    # one part alone among other articles' (measured: +5 points confident at equal precision).
    siblings = sum(1 for e in ranked[:3] if e is not item and _article(e) == source)
    # empty places count as rivals of RIVAL_FLOOR: one weak match alone is not a whole share
    window = ranked[:ARTICLE_WINDOW]
    article_total = sum(max(0.0, e.score) for e in window if _article(e) == source)
    window_total = sum(max(0.0, e.score) for e in window) + RIVAL_FLOOR * (
        ARTICLE_WINDOW - len(window)
    )
    share = article_total / window_total if window_total > 0 else 0.0
    signature_events = item.entry.signatures.events
    signature_codes = set(item.entry.signatures.codes)
    kinds = {
        "message" if "message" in best else None,
        "event" if {"event", "event-source"} & set(best) else None,
        "code" if "code" in best else None,
        "rule" if {"generated", "writer"} & set(best) else None,
    } - {None}
    hit = item.search_hit
    return {
        "rule_message": message,
        "message_margin": max(0.0, message - rival_message),
        "message_size": max((h.size for h in item.rule_hits if h.kind == "message"), default=0.0),
        "rule_event_source": 1.0 if "event-source" in best else 0.0,
        "rule_event": 1.0 if "event" in best and "event-source" not in best else 0.0,
        "rule_code": 1.0 if "code" in best else 0.0,
        "rule_phrase": min(1.0, phrases / 2),
        "rule_generated": best.get("generated", 0.0),
        "rule_writer": best.get("writer", 0.0),
        "rules_fired": len(kinds) / 4,
        "search_coverage": hit.coverage if hit else 0.0,
        "search_entry_coverage": hit.entry_coverage if hit else 0.0,
        "search_relative": item.search_relative,
        "margin": max(-1.0, min(1.0, item.score - max(others, default=0.0))),
        # against a rival at least RIVAL_FLOOR: a weak match alone in a small KB is no lead
        "relative_margin": (
            max(0.0, 1.0 - max([*others, RIVAL_FLOOR]) / item.score) if item.score > 0 else 0.0
        ),
        "article_top3": siblings / 2,
        "article_share": share,
        # agreement counts for as much of the paste as the article explains: the nearest
        # article of a small feed leads a near miss too, with little of it covered
        "article_share_covered": share * (hit.coverage if hit else 0.0),
        "events_explained": 1.0 if shares_event(facts.events, signature_events) else 0.0,
        "event_mismatch": 1.0 if item.event_mismatch else 0.0,
        "event_unexplained": 1.0 if facts.event_ids and not signature_events else 0.0,
        "codes_explained": (
            len(set(facts.codes) & signature_codes) / len(facts.codes) if facts.codes else 0.0
        ),
        "code_mismatch": 1.0 if item.code_mismatch else 0.0,
        "product_mismatch": 1.0 if item.product_mismatch else 0.0,
        "language_match": 1.0 if facts.language == item.entry.language else 0.0,
        "question": 1.0 if facts.question else 0.0,
        "guide": 1.0 if item.entry.kind == "guide" else 0.0,
        # a paste too short to resample (one concept) has nothing to corroborate its answer
        "stability": (
            sum(1 for leader in leaders if leader == source) / len(leaders) if leaders else 0.0
        ),
    }
