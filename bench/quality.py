"""Answer quality of KBs made by ``kb ingest`` alone (and of the shipped KB), on labelled sets.

    python bench/quality.py                        # every scenario below
    python bench/quality.py --only seed            # scenarios whose name contains "seed"
    python bench/quality.py --sets extra.jsonl     # also score these sets on every KB

Each scenario ingests a feed into a fresh temporary KB folder (no glossary, no review), or uses
the shipped ``kb/``, then scores labelled sets with :func:`engine.evaluate.evaluate`. Sets
labelled with entry ids of the shipped KB are scored by article: an expected id stands for its
entry's source URL, so an ingested KB that splits an article differently is not penalised.

Figures per set: recall@1 and @3 (by article), cross-language recall@3, the share of
answerable pastes answered confidently, the share of confident answers that are right
(precision), and the share of negatives left not confident. Quality, not speed: run it after
a change to mining, matching, ranking or calibration, and compare with the previous run.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.diagnoser import Diagnoser
from engine.evaluate import Case, evaluate, read_cases
from engine.kb import load_entries
from ingest import IngestOptions, ingest

SHARED = Path(__import__("os").environ.get("KB_SHARED_DIR", ROOT.parent / "shared"))
DATA = ROOT / "tests" / "data"
SEED = DATA / "seed_feed.xml"
DEV_FEED = SHARED / "feeds" / "support-articles-dev.xml"


@dataclass
class Scenario:
    name: str
    kb: str  # "shipped" or a feed path to ingest into a fresh folder
    sets: list[Path]


def scenarios() -> list[Scenario]:
    seed_sets = [DATA / f"{n}.jsonl" for n in ("eval", "eval_holdout", "eval_blind", "eval_final")]
    seed_sets += sorted(DATA.glob("seed2_*.jsonl"))
    dev_sets = sorted(DATA.glob("devfeed_*.jsonl"))
    return [
        Scenario("seed-ingested", str(SEED), seed_sets),
        Scenario("dev-ingested", str(DEV_FEED), dev_sets),
        Scenario("shipped", "shipped", seed_sets),
    ]


def by_article(cases: list[Case], shipped_sources: dict[str, str]) -> list[Case]:
    """Expected entry ids replaced by their source URLs (URLs are kept as they are)."""
    out = []
    for case in cases:
        expect = sorted({shipped_sources.get(e, e) for e in case.expect})
        out.append(Case(case.line, case.text, expect, case.kind))
    return out


def figures(report) -> dict:
    outcomes = report.outcomes
    positives = [o for o in outcomes if o.case.expect]
    negatives = [o for o in outcomes if not o.case.expect]
    cross = [o for o in positives if o.case.kind == "cross-language"]
    confident = [o for o in outcomes if o.confident]
    right = [o for o in confident if o.case.expect and o.rank == 1]

    def share(part, whole):
        return round(len(part) / len(whole), 3) if whole else None

    return {
        "cases": len(outcomes),
        "r@1": share([o for o in positives if o.rank == 1], positives),
        "r@3": share([o for o in positives if o.rank and o.rank <= 3], positives),
        "xlang_r@3": share([o for o in cross if o.rank and o.rank <= 3], cross),
        "confident": share([o for o in positives if o.confident], positives),
        "precision": share(right, confident),
        "neg_ok": share([o for o in negatives if not o.confident], negatives),
    }


def build_kb(feed: str, folder: Path) -> None:
    lines: list[str] = []
    result = ingest([feed], IngestOptions(kb_dir=folder, jobs=1), lines.append)
    if result.rejected:
        print("\n".join(lines), file=sys.stderr)


def run(scenario: Scenario, extra: list[Path], show_failures: bool) -> list[tuple[str, dict]]:
    shipped_sources = {e.id: e.source for e in load_entries(ROOT / "kb")[0] if e.source}
    work = Path(tempfile.mkdtemp(prefix="kbq-"))
    try:
        if scenario.kb == "shipped":
            kb_dir = ROOT / "kb"
        else:
            kb_dir = work / "kb"
            kb_dir.mkdir()
            build_kb(scenario.kb, kb_dir)
        diagnoser = Diagnoser(kb_dir, work / "index")
        rows = []
        for path in [*scenario.sets, *extra]:
            if not path.exists():
                continue
            cases = by_article(read_cases(path), shipped_sources)
            report = evaluate(diagnoser, cases, top=5)
            rows.append((path.stem, figures(report)))
            if show_failures:
                for failure in report.to_dict()["failures"]:
                    print(f"  {path.stem}:{json.dumps(failure, ensure_ascii=False)}")
        diagnoser.close()
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run scenarios whose name contains this")
    parser.add_argument("--sets", nargs="*", type=Path, default=[], help="extra JSONL sets")
    parser.add_argument("--failures", action="store_true", help="print every failure")
    args = parser.parse_args()
    columns = ["cases", "r@1", "r@3", "xlang_r@3", "confident", "precision", "neg_ok"]
    for scenario in scenarios():
        if args.only not in scenario.name:
            continue
        print(f"\n{scenario.name}")
        print(f"  {'set':<22}" + "".join(f"{c:>11}" for c in columns))
        for name, row in run(scenario, args.sets, args.failures):
            cells = "".join(f"{'-' if row[c] is None else row[c]:>11}" for c in columns)
            print(f"  {name:<22}{cells}")


if __name__ == "__main__":
    main()
