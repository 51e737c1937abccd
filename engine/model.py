"""The objects that flow through the pipeline, each with the ``to_dict()`` that is its JSON.

    paste --normalise--> Normalised(facts) --rules--> [RuleHit]  \\
                                           --search-> [SearchHit] > rank --> Diagnosis([Remedy])

Every surface (CLI, web page, JSON API, chat bots) renders a :class:`Diagnosis`; none of them
computes anything of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from .entry import Entry


def _plain(value: Any) -> Any:
    """*value* as JSON's types: a dataclass as a dict of its fields (in their order), tuples as
    lists, and the same inside them.

    >>> _plain(EventFact(1196, "FailoverClustering"))
    {'id': 1196, 'source': 'FailoverClustering'}
    >>> _plain({"host": ("node1",)})
    {'host': ['node1']}
    """
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


@dataclass(frozen=True)
class EventFact:
    """An event ID found in the paste, with the source/provider when the paste names one."""

    id: int
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)


@dataclass(frozen=True)
class Facts:
    """What the paste says, as typed values the rule engine can reason over."""

    language: str = "en"
    events: tuple[EventFact, ...] = ()
    sources: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    question: bool = False  # asked as a question ("how do I ...?") rather than pasted as an error
    howto: bool = False  # a question about doing something (set up, change): guides fit best
    words: int | None = None  # different words it holds, up to 10 (Chinese: 2 characters a word)
    # Masked variable parts by kind: {"host": ["node1.contoso.com"], "guid": [...], ...}
    masked: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def event_ids(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(e.id for e in self.events))

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)  # every field, by its name


@dataclass(frozen=True)
class Normalised:
    """The paste after cleaning and masking, plus the facts found in it."""

    original_size: int
    text: str  # cleaned, variable parts still in (a long paste: its cut, see normalise)
    masked: str  # cleaned, variable parts replaced by <PLACEHOLDERS>
    focus: str  # the error-bearing lines of a long paste (the whole paste when short)
    facts: Facts


# The kind of a RuleHit that speaks against its entry: the paste holds one of the entry's
# messages with a word of the entry's title replaced (engine.rules.RuleBook.evaluate).
CONTRADICTION = "contradiction"


@dataclass(frozen=True)
class RuleHit:
    """One rule that fired: which entry it points to, how much it weighs, on what evidence."""

    entry_id: str
    rule: str
    weight: float
    evidence: tuple[str, ...]  # human-readable facts the rule used, e.g. "event 1196"
    kind: str = "writer"  # what made the rule: engine.rules.spec.RULE_KINDS
    quality: float = 1.0  # how fully its texts matched (a message at 80% of its clauses: 0.8)
    size: float = 0.0  # how much its matched message says (0..1; 0 when it matched none)

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry_id,
            "rule": self.rule,
            "kind": self.kind,
            "weight": round(self.weight, 3),
            "facts": list(self.evidence),
        }


@dataclass(frozen=True)
class SearchHit:
    """One entry the full-text search found, with the query terms it matched."""

    entry_id: str
    score: float
    matched_terms: tuple[str, ...]
    coverage: float  # share of the paste's weighted concepts this entry matched, 0..1
    entry_coverage: float = 0.0  # share of the entry's title or best message the paste holds

    def to_dict(self) -> dict[str, Any]:
        return {
            "entry": self.entry_id,
            "score": round(self.score, 3),
            "terms": list(self.matched_terms),
            "coverage": round(self.coverage, 3),
            "entry_coverage": round(self.entry_coverage, 3),
        }


@dataclass(frozen=True)
class Remedy:
    """One ranked result: an entry, how sure we are, and why it matched."""

    entry: Entry
    score: float
    confidence: float
    rule_hits: tuple[RuleHit, ...] = ()
    search_hit: SearchHit | None = None
    # the calibration model's inputs (engine.calibration.FEATURES): kept for `kb eval` and fits
    features: Mapping[str, float] = field(default_factory=dict, compare=False, repr=False)
    # what speaks against it (CONTRADICTION hits), said after why it matched
    doubts: tuple[RuleHit, ...] = ()

    @property
    def reasons(self) -> list[str]:
        """Why it matched, one sentence per fired rule and one for the matched search terms;
        then what held it back."""
        reasons = [f"rule '{h.rule}' fired on " + ", ".join(h.evidence) for h in self.rule_hits]
        if self.search_hit and self.search_hit.matched_terms:
            reasons.append("matched terms: " + ", ".join(self.search_hit.matched_terms[:12]))
        reasons += [
            f"held back: rule '{h.rule}' found " + ", ".join(h.evidence) for h in self.doubts
        ]
        return reasons

    @property
    def short_why(self) -> str:
        """The reasons on one line, as chat replies and result cards show them."""
        return "; ".join(self.reasons)

    @property
    def percent(self) -> int:
        """The confidence as a whole percentage."""
        return round(self.confidence * 100)

    def confidence_label(self, threshold: float) -> str:
        """``high`` (confident), ``medium`` (at least half the threshold) or ``low``.

        >>> r = Remedy(entry=Entry(id="a", title="A"), score=1.0, confidence=0.4)
        >>> r.confidence_label(0.6), r.confidence_label(0.4), r.confidence_label(0.9)
        ('medium', 'high', 'low')
        """
        if self.confidence >= threshold:
            return "high"
        return "medium" if self.confidence >= threshold / 2 else "low"

    @property
    def why(self) -> dict[str, Any]:
        return {
            "summary": self.reasons,
            "rules": [h.to_dict() for h in self.rule_hits],
            "terms": list(self.search_hit.matched_terms) if self.search_hit else [],
            "search_score": round(self.search_hit.score, 3) if self.search_hit else None,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.entry.id,
            "title": self.entry.title,
            "kind": self.entry.kind,
            "source": self.entry.source,
            "score": round(self.score, 4),
            "confidence": round(self.confidence, 3),
            "why": self.why,
            "symptom": self.entry.symptom,
            "cause": self.entry.cause,
            "fix": self.entry.fix,
        }


@dataclass(frozen=True)
class Diagnosis:
    """The answer to one paste: ranked remedies, and whether the best one is trustworthy.

    ``confident`` is False when no remedy clears the calibrated threshold; the remedies are
    still the nearest entries, ranked, so a human can look.
    """

    confident: bool
    remedies: tuple[Remedy, ...]
    normalised: Normalised
    threshold: float

    @property
    def facts_line(self) -> str:
        """What was found in the paste, on one line: ``event 1196 (source); code 0x...; product X``."""
        facts = self.normalised.facts
        found = [f"event {e.id}" + (f" ({e.source})" if e.source else "") for e in facts.events]
        found += [f"code {c}" for c in facts.codes] + [f"product {p}" for p in facts.products]
        return "; ".join(found)

    def to_dict(self) -> dict[str, Any]:
        return {
            "confident": self.confident,
            "threshold": self.threshold,
            "facts": self.normalised.facts.to_dict(),
            "results": [r.to_dict() for r in self.remedies],
        }
