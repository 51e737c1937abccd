"""Fit the confidence model (engine/data/calibration.json) on the labelled tuning sets.

    python bench/calibrate.py             # fit, report cross-validated figures, write the model
    python bench/calibrate.py --dry-run   # fit and report only

Every tuning set of every scenario (:mod:`scenarios`: KBs made by ``kb ingest`` alone and the
shipped KB) is diagnosed; each of the top five remedies of each paste becomes one row: its
features (:data:`engine.calibration.FEATURES`) and whether it is a right answer. A logistic
regression (scikit-learn) is fitted on the rows; pastes are split into five folds so that
every figure printed is measured on pastes the fit did not see:

- the reliability table of the top answer (10 bins: predicted vs observed) and the expected
  calibration error;
- the threshold: the lowest probability at which confident answers are right at least
  ``--precision`` of the time (0.96 by default, a margin over the 0.95 target);
- the share of answerable pastes that threshold makes confident, and of negatives it leaves
  alone;
- the same for each KB left out of the fit entirely, and pooled over the KBs made by
  ``kb ingest`` alone: how a feed the model never saw is answered (changes to features are
  decided on that pooled line, not on the five folds).

The untouched sets (``*_untouched.jsonl``) are never read here.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scenarios import scenarios
from sklearn.model_selection import GroupKFold

from engine.calibration import FEATURES, MODEL_FILE, Calibration, fit, pick_threshold
from engine.evaluate import calibration_rows, reliability

TOP = 5


@dataclass
class Row:
    scenario: str
    group: int  # one paste of one scenario
    position: int  # 1-based rank by the ranking score
    features: list[float]
    right: bool
    answerable: bool


def collect() -> list[Row]:
    rows: list[Row] = []
    group = 0
    for scenario in scenarios():
        with scenario.diagnoser() as diagnoser:
            for path in scenario.sets:
                if not path.exists():
                    continue
                found = calibration_rows(diagnoser, scenario.cases(path), top=TOP)
                for row in found:
                    rows.append(
                        Row(
                            scenario.name,
                            group + row.case,
                            row.position,
                            list(row.features),
                            row.right,
                            row.answerable,
                        )
                    )
                group += max((r.case for r in found), default=-1) + 1
        print(f"  {scenario.name}: {group} pastes so far", file=sys.stderr)
    return rows


def held_out_probabilities(model: Calibration, x: np.ndarray) -> np.ndarray:
    return np.array([model.probability(dict(zip(model.names, row))) for row in x])


def top_answers(rows: list[Row], probability: np.ndarray) -> list[tuple[float, bool, bool]]:
    """(probability, right, answerable) of each paste's first answer."""
    best: dict[int, tuple[int, float, bool, bool]] = {}
    for row, p in zip(rows, probability):
        if row.position == 0:
            best.setdefault(row.group, (0, 0.0, False, row.answerable))
        elif row.position == 1:
            best[row.group] = (1, float(p), row.right, row.answerable)
    return [(p, right, answerable) for _, p, right, answerable in best.values()]


def report(rows: list[Row], probability, threshold: float, table: bool = True) -> None:
    tops = top_answers(rows, probability)
    answerable = [t for t in tops if t[2]]
    negatives = [t for t in tops if not t[2]]
    confident = [t for t in tops if t[0] >= threshold]
    right = [t for t in confident if t[1]]
    print(
        f"threshold {threshold:.2f}: answerable confident {len([t for t in answerable if t[0] >= threshold]) / len(answerable):.3f}, "
        f"confident right {len(right) / max(1, len(confident)):.3f}, "
        f"negatives not confident {len([t for t in negatives if t[0] < threshold]) / max(1, len(negatives)):.3f}, "
        f"recall@1 {sum(1 for t in answerable if t[1]) / len(answerable):.3f}"
    )
    if table:
        print(reliability([p for p, _, _ in tops], [right for _, right, _ in tops]).render())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dry-run", action="store_true", help="report only; write nothing")
    parser.add_argument("--precision", type=float, default=0.96)
    # 0.5: over six shuffles of the folds, answerable confident .820 -> .824 (median) at the
    # same precision, negatives as many or fewer confident, ECE alike; 0.2 gained another point
    # for a worse calibration error (.026)
    parser.add_argument("-C", type=float, default=0.5, help="inverse regularisation strength")
    args = parser.parse_args()
    rows = collect()
    x = np.array([r.features for r in rows])
    y = np.array([r.right for r in rows])
    groups = np.array([r.group for r in rows])
    held_out = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=5).split(x, y, groups):
        held_out[test] = held_out_probabilities(fit(x[train], y[train], c=args.C), x[test])
    tops = top_answers(rows, held_out)
    threshold = pick_threshold([(p, right) for p, right, _ in tops], args.precision)
    print(f"{len(tops)} pastes, {len(rows)} rows; five-fold figures (pastes unseen by the fit):")
    report(rows, held_out, threshold)
    print("\nleave one scenario out (a KB the fit never saw, threshold as above):")
    names = [r.scenario for r in rows]
    unseen = np.zeros(len(rows))
    for left_out in dict.fromkeys(names):
        test = np.array([n == left_out for n in names])
        model = fit(x[~test], y[~test], c=args.C)
        unseen[test] = probability = held_out_probabilities(model, x[test])
        print(f"- {left_out}:", end=" ")
        report([r for r, t in zip(rows, test) if t], probability, threshold, table=False)
    # what a helpdesk gets from a feed the model never saw: the figure to decide changes on
    fed = np.array([n != "shipped" for n in names])
    print("- the KBs made by kb ingest alone, pooled:", end=" ")
    report([r for r, f in zip(rows, fed) if f], unseen[fed], threshold, table=False)
    calibration = fit(
        x,
        y,
        threshold=threshold,
        c=args.C,
        trained_on=f"{len(tops)} labelled pastes (tuning sets of {', '.join(s.name for s in scenarios())})",
    )
    for name, weight in zip(FEATURES, calibration.weights):
        print(f"  {name:<24}{weight:+.3f}")
    print(f"  {'bias':<24}{calibration.bias:+.3f}")
    if not args.dry_run:
        calibration.save(MODEL_FILE)
        print(f"wrote {MODEL_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
