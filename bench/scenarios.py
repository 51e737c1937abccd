"""The knowledge bases and labelled sets that quality is measured on (bench/quality.py) and the
confidence model is fitted on (bench/calibrate.py).

A scenario is a KB plus the sets that fit it: a feed ingested into a fresh temporary folder
(no glossary, no review: what a helpdesk gets the moment it loads a feed), or the shipped,
reviewed ``kb/``. Sets labelled with entry ids of the shipped KB are scored by article: an
expected id stands for its entry's source URL, so an ingested KB that splits an article
differently is not penalised.

Sets ending in ``_untouched.jsonl`` are never fitted or tuned on: they are only scored, with
``--untouched``, to report how the engine does on pastes nobody looked at.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.diagnoser import Diagnoser
from engine.evaluate import Case, read_cases
from engine.kb import load_entries
from ingest import IngestOptions, ingest

DATA = ROOT / "tests" / "data"
SEED = DATA / "seed_feed.xml"
DEV_FEED = DATA / "support_feed.xml"  # the shared development feed, copied (tests/data/README.md)


@dataclass
class Scenario:
    name: str
    kb: str  # "shipped", or the feed to ingest into a fresh folder
    sets: list[Path] = field(default_factory=list)

    @contextmanager
    def diagnoser(self) -> Iterator[Diagnoser]:
        """The scenario's KB, loaded (and ingested first when it is a feed), then cleaned up."""
        work = Path(tempfile.mkdtemp(prefix="kbq-"))
        try:
            if self.kb == "shipped":
                kb_dir = ROOT / "kb"
            else:
                kb_dir = work / "kb"
                kb_dir.mkdir()
                build_kb(self.kb, kb_dir)
            diagnoser = Diagnoser(kb_dir, work / "index")
            try:
                yield diagnoser
            finally:
                diagnoser.close()
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def cases(self, path: Path) -> list[Case]:
        return by_article(read_cases(path), shipped_sources())


def scenarios(untouched: bool = False) -> list[Scenario]:
    """Every scenario with its tuning sets, or (``untouched``) with its untouched sets only."""

    def pick(pattern: str) -> list[Path]:
        found = sorted(DATA.glob(pattern))
        return [p for p in found if p.stem.endswith("_untouched") == untouched]

    seed_sets = (
        []
        if untouched
        else [DATA / f"{n}.jsonl" for n in ("eval", "eval_holdout", "eval_blind", "eval_final")]
    )
    seed_sets += pick("seed2_*.jsonl")
    out = [
        Scenario("seed-ingested", str(SEED), seed_sets),
        Scenario("dev-ingested", str(DEV_FEED), pick("devfeed_*.jsonl")),
        Scenario("shipped", "shipped", seed_sets),
    ]
    # the third feed was untouched until December 2026, when its failures were opened: a
    # tuning set since; the fourth feed took its place. The fifth and the sixth were scored
    # once unseen, then became tuning sets; the seventh is untouched (tests/data/README.md)
    for number in (3, 4, 5, 6, 7):
        feed = DATA / f"feed{number}" / f"support-articles-feed{number}.xml"
        sets = pick(f"feed{number}_*.jsonl")
        if feed.exists() and sets:
            out.append(Scenario(f"feed{number}-ingested", str(feed), sets))
    return out


@lru_cache(maxsize=1)
def shipped_sources() -> dict[str, str]:
    return {e.id: e.source for e in load_entries(ROOT / "kb")[0] if e.source}


def by_article(cases: list[Case], sources: dict[str, str]) -> list[Case]:
    """Expected entry ids replaced by their source URLs (URLs are kept as they are)."""
    return [
        Case(case.line, case.text, sorted({sources.get(e, e) for e in case.expect}), case.kind)
        for case in cases
    ]


def build_kb(feed: str, folder: Path) -> None:
    lines: list[str] = []
    result = ingest([feed], IngestOptions(kb_dir=folder, jobs=1), lines.append)
    if result.rejected:
        print("\n".join(lines), file=sys.stderr)
