"""Dump every answer the engine gives on the labelled sets, to prove a speed change changed none.

    python bench/answers_dump.py bench/out/answers-before.jsonl
    ... change the engine ...
    python bench/answers_dump.py bench/out/answers-after.jsonl
    cmp bench/out/answers-before.jsonl bench/out/answers-after.jsonl

Every set in ``tests/data/*.jsonl`` is diagnosed on the shipped ``kb/``, on a KB ingested from
``tests/data/seed_feed.xml`` and on one ingested from ``tests/data/support_feed.xml``, plus 200
synthetic pastes on the bench's 1,000-entry synthetic KB (the pastes the speed bench uses). One
line per paste: the top five entry ids with their score and confidence rounded to 1e-9, and
whether the answer is confident.

The ingested KBs are cached under ``bench/out/answers-kb/`` (ingest is not what is being
changed); every index is built afresh in a temporary folder, so a change to the analyzer or
the index is seen. ``--tree`` runs another checkout's engine (a baseline) on the same KBs.

The run is pinned to ``PYTHONHASHSEED=0`` unless the caller sets one: some answers depend on
the order of a set of strings (a message's quality is a float sum over a set: 0.7578 with
one seed, 0.7569 with another, on synthetic paste 182), and that order changes with the
seed. Compare dumps made with the same seed, and with more than one.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

if "PYTHONHASHSEED" not in os.environ:  # see the module docstring
    os.environ["PYTHONHASHSEED"] = "0"
    os.execv(sys.executable, [sys.executable, *sys.argv])

ROOT = Path(__file__).resolve().parents[1]


def _tree() -> Path:
    """The engine tree to run: --tree, or this checkout (read before anything imports engine)."""
    if "--tree" in sys.argv:
        return Path(sys.argv[sys.argv.index("--tree") + 1]).resolve()
    return ROOT


sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(_tree()))
sys.path.append(str(ROOT))  # so that scenarios.py does not put this checkout first

import scenarios
import synth

from engine.diagnoser import Diagnoser
from engine.evaluate import read_cases

OUT = ROOT / "bench" / "out"
CACHE = OUT / "answers-kb"


def kb_folder(name: str, feed: Path | None) -> Path:
    """The shipped KB, or the feed ingested once into the cache."""
    if feed is None:
        return ROOT / "kb"
    folder = CACHE / name
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        scenarios.build_kb(str(feed), folder)
        (folder / ".complete").touch()
    return folder


def synthetic(size: int = 1000, pastes: int = 200) -> tuple[Path, list[str]]:
    """The speed bench's synthetic KB and pastes (same seeds as bench/diagnose_bench.py)."""
    folder = CACHE / f"synthetic-{size}"
    material = synth.material(size)
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        synth.make_kb(size, folder)
        (folder / ".complete").touch()
    rng = random.Random(11)
    return folder, [synth.make_paste(m, rng) for m in rng.sample(material, pastes)]


def answer(diagnoser: Diagnoser, text: str) -> dict:
    diagnosis = diagnoser.diagnose(text, top=5)
    return {
        "confident": diagnosis.confident,
        "top": [
            [r.entry.id, round(r.score, 9), round(r.confidence, 9)] for r in diagnosis.remedies
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where to write the dump (JSON lines)")
    parser.add_argument("--no-synthetic", action="store_true", help="skip the synthetic KB")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose engine runs")
    args = parser.parse_args()
    import engine

    print(
        f"engine: {engine.__file__}, PYTHONHASHSEED={os.environ['PYTHONHASHSEED']}", file=sys.stderr
    )
    assert Path(engine.__file__).resolve().is_relative_to(args.tree.resolve()), engine.__file__
    sets = sorted((ROOT / "tests" / "data").glob("*.jsonl"))
    kbs = [
        ("shipped", kb_folder("shipped", None)),
        ("seed", kb_folder("seed", scenarios.SEED)),
        ("support", kb_folder("support", scenarios.DEV_FEED)),
    ]
    with args.out.open("w", encoding="utf-8") as out:

        def run(kb_name: str, kb_dir: Path, labelled: list[tuple[str, list[str]]]) -> None:
            work = Path(tempfile.mkdtemp(prefix="kb-answers-"))
            try:
                diagnoser = Diagnoser(kb_dir, work / "index")
                try:
                    for set_name, texts in labelled:
                        for n, text in enumerate(texts):
                            row = {"kb": kb_name, "set": set_name, "n": n}
                            row.update(answer(diagnoser, text))
                            out.write(json.dumps(row, ensure_ascii=False) + "\n")
                finally:
                    diagnoser.close()
            finally:
                shutil.rmtree(work, ignore_errors=True)
            print(f"  {kb_name}: done", file=sys.stderr)

        labelled = [(p.name, [c.text for c in read_cases(p)]) for p in sets]
        for kb_name, kb_dir in kbs:
            run(kb_name, kb_dir, labelled)
        if not args.no_synthetic:
            folder, pastes = synthetic()
            run("synthetic-1000", folder, [("bench", pastes)])


if __name__ == "__main__":
    main()
