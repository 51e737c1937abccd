"""Scoring the engine on a labelled set: recall@1, recall@3, MRR, and honesty about ignorance.

The set is JSON Lines, one case per line::

    {"text": "...", "expect": ["entry-id" or "source URL", ...], "kind": "verbatim"}

``expect: []`` means no entry covers the paste: the right answer is "not confident".
``kind`` groups the figures (verbatim, paraphrase, noisy, cross-language, question, uncovered...).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .diagnoser import Diagnoser
from .errors import KBError


@dataclass
class Case:
    line: int
    text: str
    expect: list[str]
    kind: str


@dataclass
class Outcome:
    case: Case
    rank: int | None  # 1-based rank of the first expected entry, None when absent
    article_rank: int | None  # the same, counting any entry of an expected entry's source article
    confident: bool
    top_ids: list[str]
    top_confidence: float


@dataclass
class Group:
    cases: int = 0
    hit1: int = 0
    hit3: int = 0
    article1: int = 0
    rr: float = 0.0
    confident: int = 0
    negatives: int = 0
    negatives_flagged: int = 0

    def to_dict(self) -> dict:
        positives = self.cases - self.negatives
        return {
            "cases": self.cases,
            "recall@1": round(self.hit1 / positives, 3) if positives else None,
            "recall@3": round(self.hit3 / positives, 3) if positives else None,
            "article_recall@1": round(self.article1 / positives, 3) if positives else None,
            "mrr": round(self.rr / positives, 3) if positives else None,
            "covered_confident": round(self.confident / positives, 3) if positives else None,
            "negatives": self.negatives,
            "negatives_flagged": round(self.negatives_flagged / self.negatives, 3)
            if self.negatives
            else None,
        }


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int
    predicted: float  # mean confidence of the answers in the bin
    observed: float  # share of them that were right

    def to_dict(self) -> dict:
        return {
            "bin": f"{self.low:.1f}-{self.high:.1f}",
            "count": self.count,
            "predicted": round(self.predicted, 3),
            "observed": round(self.observed, 3),
        }


@dataclass(frozen=True)
class Reliability:
    """Predicted confidence against observed accuracy, in equal-width bins, and the expected
    calibration error (the bins' |predicted - observed| weighted by their share of answers)."""

    bins: tuple[Bin, ...]
    ece: float

    def render(self) -> str:
        lines = ["confidence   answers  predicted  observed"]
        for b in self.bins:
            if b.count:
                lines.append(
                    f"{b.low:.1f}-{b.high:.1f}   {b.count:>8}  {b.predicted:>9.3f}  {b.observed:>8.3f}"
                )
            else:
                lines.append(f"{b.low:.1f}-{b.high:.1f}   {0:>8}          -         -")
        lines.append(f"expected calibration error: {self.ece:.3f}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"bins": [b.to_dict() for b in self.bins], "ece": round(self.ece, 4)}


def reliability(predicted: list[float], observed: list[bool], bins: int = 10) -> Reliability:
    """The reliability table of answers given with *predicted* confidence.

    >>> table = reliability([0.95, 0.9, 0.15, 0.1], [True, True, False, True])
    >>> [(b.count, b.observed) for b in table.bins if b.count]
    [(2, 0.5), (2, 1.0)]
    >>> round(table.ece, 3)
    0.225
    """
    out = []
    total = max(1, len(predicted))
    ece = 0.0
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        members = [
            (p, o)
            for p, o in zip(predicted, observed)
            if low <= p < high or (i == bins - 1 and p == 1.0)
        ]
        if members:
            mean_p = sum(p for p, _ in members) / len(members)
            mean_o = sum(1 for _, o in members if o) / len(members)
            ece += len(members) / total * abs(mean_p - mean_o)
        else:
            mean_p = mean_o = 0.0
        out.append(Bin(low, high, len(members), mean_p, mean_o))
    return Reliability(tuple(out), ece)


@dataclass
class Report:
    groups: dict[str, Group] = field(default_factory=dict)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def reliability(self) -> Reliability:
        """Of the first answer to every paste: right means the expected entry came first."""
        return reliability(
            [o.top_confidence for o in self.outcomes],
            [bool(o.case.expect) and o.rank == 1 for o in self.outcomes],
        )

    @property
    def confident_right(self) -> float | None:
        """Share of confident first answers that are right."""
        confident = [o for o in self.outcomes if o.confident]
        if not confident:
            return None
        return sum(1 for o in confident if o.case.expect and o.rank == 1) / len(confident)

    def to_dict(self) -> dict:
        right = self.confident_right
        return {
            "overall": self.groups["overall"].to_dict(),
            "confident_right": round(right, 3) if right is not None else None,
            "reliability": self.reliability.to_dict(),
            "by_kind": {k: g.to_dict() for k, g in sorted(self.groups.items()) if k != "overall"},
            "failures": [
                {
                    "line": o.case.line,
                    "kind": o.case.kind,
                    "expect": o.case.expect,
                    "rank": o.rank,
                    "confident": o.confident,
                    "got": o.top_ids[:3],
                    "confidence": round(o.top_confidence, 3),
                }
                for o in self.outcomes
                if (o.case.expect and (o.rank != 1 or not o.confident))
                or (not o.case.expect and o.confident)
            ],
        }


def read_cases(path: Path) -> list[Case]:
    cases = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KBError(f"{path}: {exc.strerror}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise KBError(f"{path}:{number}: not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict) or not isinstance(data.get("text"), str):
            raise KBError(f'{path}:{number}: each line needs a "text" string')
        expect = data.get("expect", [])
        if not isinstance(expect, list) or not all(isinstance(e, str) for e in expect):
            raise KBError(f'{path}:{number}: "expect" must be a list of entry ids or URLs')
        kind = str(data.get("kind") or ("uncovered" if not expect else "other"))
        cases.append(Case(number, data["text"], expect, kind))
    if not cases:
        raise KBError(f"{path}: no cases")
    return cases


def _first(remedies, ids: set[str], sources: set[str]) -> int | None:
    """1-based rank of the first remedy whose entry id is in *ids* or source in *sources*."""
    for position, remedy in enumerate(remedies, 1):
        if remedy.entry.id in ids or remedy.entry.source in sources:
            return position
    return None


def evaluate(diagnoser: Diagnoser, cases: list[Case], top: int = 5) -> Report:
    """Diagnose every case. An expected URL matches an entry's source; an id, the entry itself.

    ``article_rank`` also counts any entry from the same source article as an expected entry
    (several entries are often split from one article): that is what a set labelled with
    source URLs measures.
    """
    report = Report()
    entries = diagnoser.entries
    for case in cases:
        diagnosis = diagnoser.diagnose(case.text, top=top)
        ids = [r.entry.id for r in diagnosis.remedies]
        expected = set(case.expect)
        articles = {e for e in expected if "://" in e} | {
            entries[e].source for e in expected if e in entries and entries[e].source
        }
        rank = _first(diagnosis.remedies, expected, expected)
        article_rank = _first(diagnosis.remedies, expected, articles)
        top_conf = diagnosis.remedies[0].confidence if diagnosis.remedies else 0.0
        outcome = Outcome(case, rank, article_rank, diagnosis.confident, ids, top_conf)
        report.outcomes.append(outcome)
        for name in ("overall", case.kind):
            group = report.groups.setdefault(name, Group())
            group.cases += 1
            if case.expect:
                group.hit1 += rank == 1
                group.hit3 += rank is not None and rank <= 3
                group.article1 += article_rank == 1
                group.rr += 1.0 / rank if rank else 0.0
                group.confident += diagnosis.confident
            else:
                group.negatives += 1
                group.negatives_flagged += not diagnosis.confident
    return report


@dataclass(frozen=True)
class Row:
    """One remedy of one paste, as the confidence model is fitted on it."""

    case: int  # index of the paste in its set
    position: int  # 1-based rank by the ranking score; 0: the paste got no remedy at all
    features: tuple[float, ...]  # in engine.calibration.FEATURES order
    right: bool  # the remedy is an expected answer
    answerable: bool  # the paste has an expected answer


def calibration_rows(diagnoser: Diagnoser, cases: list[Case], top: int = 5) -> list[Row]:
    """Every remedy of every paste, with its features and whether it was right."""
    from .calibration import FEATURES

    rows: list[Row] = []
    for number, case in enumerate(cases):
        expected = set(case.expect)
        remedies = diagnoser.diagnose(case.text, top=top).remedies
        for position, remedy in enumerate(remedies, 1):
            values = tuple(remedy.features.get(name, 0.0) for name in FEATURES)
            right = remedy.entry.id in expected or remedy.entry.source in expected
            rows.append(Row(number, position, values, right, bool(expected)))
        if not remedies:
            rows.append(Row(number, 0, (0.0,) * len(FEATURES), False, bool(expected)))
    return rows
