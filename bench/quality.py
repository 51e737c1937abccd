"""Answer quality of KBs made by ``kb ingest`` alone (and of the shipped KB), on labelled sets.

    python bench/quality.py                        # every scenario below
    python bench/quality.py --only seed            # scenarios whose name contains "seed"
    python bench/quality.py --sets extra.jsonl     # also score these sets on every KB

Each scenario (:mod:`scenarios`) ingests a feed into a fresh temporary KB folder (no
glossary, no review), or uses the shipped ``kb/``, then scores labelled sets with
:func:`engine.evaluate.evaluate`, by article.

Figures per set: recall@1 and @3 (by article), cross-language recall@3, the share of
answerable pastes answered confidently, the share of confident answers that are right
(precision), the share of negatives left not confident, and the expected calibration error
of the first answers (``kb eval`` prints their reliability table). Quality, not speed: run it after
a change to mining, matching, ranking or calibration, and compare with the previous run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scenarios import Scenario, scenarios

from engine.evaluate import evaluate


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
        "ece": round(report.reliability.ece, 3),  # expected calibration error of first answers
    }


def run(scenario: Scenario, extra: list[Path], show_failures: bool) -> list[tuple[str, dict]]:
    rows = []
    with scenario.diagnoser() as diagnoser:
        for path in [*scenario.sets, *extra]:
            if not path.exists():
                continue
            report = evaluate(diagnoser, scenario.cases(path), top=5)
            rows.append((path.stem, figures(report)))
            if show_failures:
                for failure in report.to_dict()["failures"]:
                    print(f"  {path.stem}:{json.dumps(failure, ensure_ascii=False)}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run scenarios whose name contains this")
    parser.add_argument("--sets", nargs="*", type=Path, default=[], help="extra JSONL sets")
    parser.add_argument("--failures", action="store_true", help="print every failure")
    parser.add_argument(
        "--untouched", action="store_true", help="score the untouched sets (never tuned on)"
    )
    args = parser.parse_args()
    columns = ["cases", "r@1", "r@3", "xlang_r@3", "confident", "precision", "neg_ok", "ece"]
    for scenario in scenarios(untouched=args.untouched):
        if args.only not in scenario.name:
            continue
        print(f"\n{scenario.name}")
        print(f"  {'set':<22}" + "".join(f"{c:>11}" for c in columns))
        for name, row in run(scenario, args.sets, args.failures):
            cells = "".join(f"{'-' if row[c] is None else row[c]:>11}" for c in columns)
            print(f"  {name:<22}{cells}")


if __name__ == "__main__":
    main()
