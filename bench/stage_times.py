"""CPU time per stage of ``diagnose``, for two engine trees side by side (A/B, interleaved).

    python bench/stage_times.py --size 10000 --trees /work/wt/premining . --rounds 3

The machine is shared, so this measures CPU time (``time.process_time``) around each stage,
not wall time, and runs the trees in lock-step: one process per tree per round, all loaded
at once, each paste diagnosed by every tree in turn (the first tree changing from paste to
paste), so that every tree meets the same load at the same moment. Same synthetic KB
(``bench/synth.py``, the seeds ``bench/diagnose_bench.py`` uses) and pastes for all. Per
tree it prints each stage's median over all pastes and rounds, the whole diagnose's p50 and
p99, and the median over pastes of each tree's time over the first tree's.

A stage is timed by wrapping the function that does it (inclusive: "rules" holds "text",
which holds "templates"); a stage a tree does not have is left out.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

# (label, module, attribute path): the functions each stage is made of
STAGES = [
    ("normalise", "engine.diagnoser", "normalise"),
    ("n.mask", "engine.normalise", "mask"),
    ("n.clean", "engine.normalise", "clean"),
    ("rules", "engine.rules", "RuleBook.evaluate"),
    ("text", "engine.rules.textmatch", "TextMatcher.match"),
    ("tmpl.cut", "engine.rules.textmatch", "cut_paste"),
    ("tmpl.match", "engine.rules.templates", "TemplateIndex.match_tokens"),
    ("search", "engine.search", "SearchIndex.search"),
    # since the stability feature the diagnoser searches through these two (a tree before it
    # has none: the stage is left out for it, as the docstring says)
    ("search+", "engine.search", "SearchIndex.search_resampled"),
    ("query", "engine.search", "paste_query"),
    ("q.lines", "engine.search.query", "_line_terms"),
    ("q.groups", "engine.glossary", "Glossary.groups_in"),
    ("q.pairs", "engine.search.query", "_pairs"),
    ("budget", "engine.search.scorer", "Scorer.budgeted"),
    ("score", "engine.search.scorer", "Scorer.score"),
    ("score+", "engine.search.scorer", "Scorer.score_subsets"),
    ("coverage", "engine.search", "SearchIndex._entry_coverage"),
    ("fuse", "engine.diagnoser", "fuse"),
    ("f.features", "engine.rank", "features"),
]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def prepare(size: int, pastes: int) -> tuple[Path, Path]:
    """The synthetic KB (made once) and the bench's pastes, written to a file both trees read."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    import synth

    kb = OUT / f"kb-{size}"
    material = synth.material(size)
    if not (kb / "glossary.yaml").exists() or len(list(kb.glob("*.md"))) != size:
        print(f"generating {size} entries into {kb} ...", file=sys.stderr, flush=True)
        synth.make_kb(size, kb)
    rng = random.Random(11)
    cases = [synth.make_paste(m, rng) for m in rng.sample(material, min(pastes, size))]
    path = OUT / f"pastes-{size}.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    return kb, path


def worker(tree: Path, kb: Path, index: Path, pastes_file: Path) -> None:
    """In a fresh process: load *tree*'s engine, then time every stage of each paste the
    driver names on stdin, one JSON line each."""
    sys.path.insert(0, str(tree))
    import importlib

    import engine
    from engine.diagnoser import Diagnoser

    assert Path(engine.__file__).resolve().is_relative_to(tree.resolve()), engine.__file__
    spent: dict[str, float] = {}

    def wrap(label: str, func):
        def timed(*args, **kwargs):
            started = time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.process_time() - started

        return timed

    for label, module_name, attr in STAGES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        owner_name, _, name = attr.rpartition(".")
        owner = getattr(module, owner_name) if owner_name else module
        if hasattr(owner, name):
            setattr(owner, name, wrap(label, getattr(owner, name)))

    diagnoser = Diagnoser(kb, index)
    diagnoser.rules.warm_up()  # as bench/diagnose_bench.py does
    cases = json.loads(pastes_file.read_text(encoding="utf-8"))
    for text in cases[:20]:  # first touches: jieba, postings, caches
        diagnoser.diagnose(text)
    print(json.dumps({"engine": engine.__file__}), flush=True)
    for line in sys.stdin:  # the driver names the next paste; the answer is its stage times
        spent.clear()
        started = time.process_time()
        diagnoser.diagnose(cases[int(line)])
        row = dict(spent)
        row["total"] = time.process_time() - started
        print(json.dumps(row), flush=True)
    diagnoser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--pastes", type=int, default=200)
    parser.add_argument("--trees", type=Path, nargs="+", default=[ROOT])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--passes", type=int, default=1, help="passes over the pastes per round")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*map(Path, args.worker))
        return
    kb, pastes = prepare(args.size, args.pastes)
    trees = [t.resolve() for t in args.trees]
    results: dict[Path, list[dict]] = {t: [] for t in trees}
    work = Path(tempfile.gettempdir()) / "stage-times"
    count = len(json.loads(pastes.read_text(encoding="utf-8")))
    ratios: dict[Path, list[float]] = {t: [] for t in trees}
    for round_ in range(args.rounds):
        workers = {}
        for n, tree in enumerate(trees):
            # each tree keeps its own index (formats differ) between rounds
            index = work / f"{tree.name}-{n}-{args.size}"
            command = [sys.executable, __file__, "--worker"]
            command += [str(tree), str(kb), str(index), str(pastes)]
            workers[tree] = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
        for tree, process in workers.items():
            line = process.stdout.readline()
            if not line:
                sys.exit(f"{tree}: worker failed")
            print(f"round {round_ + 1}: {json.loads(line)['engine']}", file=sys.stderr)
        for step in range(args.passes * count):
            turn = trees[step % len(trees) :] + trees[: step % len(trees)]
            rows = {}
            for tree in turn:
                workers[tree].stdin.write(f"{step % count}\n")
                workers[tree].stdin.flush()
                rows[tree] = json.loads(workers[tree].stdout.readline())
            for tree in trees:
                results[tree].append(rows[tree])
                ratios[tree].append(rows[tree]["total"] / rows[trees[0]]["total"])
        for process in workers.values():
            process.stdin.close()
            process.wait()
        for tree in trees:
            total = [r["total"] for r in results[tree][-args.passes * count :]]
            print(
                f"round {round_ + 1} {tree}: p50 {statistics.median(total) * 1000:.2f} ms, "
                f"p99 {pct(total, 99) * 1000:.2f} ms",
                file=sys.stderr,
                flush=True,
            )
    labels = [label for label, _, _ in STAGES] + ["total"]
    header = f"{'stage (median ms)':<20}" + "".join(f"{t.name[:14]:>16}" for t in trees)
    if len(trees) == 2:
        header += f"{'B/A':>8}"
    print(header)
    for label in [*labels, "p99"]:
        values = []
        for tree in trees:
            rows = results[tree]
            if label == "p99":
                values.append(pct([r["total"] for r in rows], 99))
            elif any(label in r for r in rows):
                values.append(statistics.median(r.get(label, 0.0) for r in rows))
            else:
                values.append(None)
        line = f"{label:<20}" + "".join(
            f"{'-':>16}" if v is None else f"{v * 1000:>16.3f}" for v in values
        )
        if len(trees) == 2 and values[0] and values[1]:
            line += f"{values[1] / values[0]:>8.2f}"
        print(line)
    print(
        f"{'time / first tree':<20}"
        + "".join(f"{statistics.median(ratios[t]):>16.3f}" for t in trees)
        + "   (median over pastes of the per-paste ratio)"
    )


if __name__ == "__main__":
    main()
