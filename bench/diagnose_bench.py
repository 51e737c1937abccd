"""Engine benchmark: index build, diagnose latency, rules alone, cold start - at 1k/10k/100k.

    python bench/diagnose_bench.py                      # 1k and 10k (a few minutes)
    python bench/diagnose_bench.py --sizes 1000 10000 100000   # adds 100k (~30 min, ~6 GB disk)

Prints medians and p99 (the machines are shared and noisy: compare ratios, not single runs).
Targets (issue 3): diagnose of a 300-word paste p99 <= 50 ms at 10k entries and <= 200 ms at
100k; index build >= 500 entries/s; rules alone with 1,000 rules <= 5 ms per paste; cold
start (first diagnose in a fresh process) <= 2 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synth

from engine.diagnoser import Diagnoser
from engine.kb import load_entries, load_glossary
from engine.normalise import normalise
from engine.rules import RuleBook
from engine.search import index as index_store

OUT = ROOT / "bench" / "out"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def ensure_kb(size: int) -> tuple[Path, list[dict]]:
    kb = OUT / f"kb-{size}"
    material = synth.material(size)
    if not (kb / "glossary.yaml").exists() or len(list(kb.glob("*.md"))) != size:
        print(f"  generating {size} entries into {kb} ...", flush=True)
        synth.make_kb(size, kb)
    return kb, material


def bench_size(size: int, pastes: int) -> None:
    print(f"\n== {size:,} entries")
    kb, material = ensure_kb(size)
    entries, errors = load_entries(kb)
    assert not errors, errors[:3]
    glossary = load_glossary(kb)

    # index build: entries/s, median of 2 builds (largest KB: 1)
    builds = []
    for _ in range(1 if size >= 100_000 else 2):
        started = time.perf_counter()
        index_store.build(
            entries, OUT / f"index-build-{size}", f"bench-{time.time_ns()}", glossary=glossary
        )
        builds.append(time.perf_counter() - started)
    rate = size / statistics.median(builds)
    print(
        f"  index build: {statistics.median(builds):.1f} s = {rate:,.0f} entries/s (target >= 500)"
    )

    diagnoser = Diagnoser(kb, OUT / f"index-{size}")
    started = time.perf_counter()
    diagnoser.rules.warm_up()
    print(f"  rules: {len(diagnoser.rules):,} rules; warm-up {time.perf_counter() - started:.2f} s")

    rng = random.Random(11)
    cases = [(m["id"], synth.make_paste(m, rng)) for m in rng.sample(material, min(pastes, size))]
    words = statistics.median(len(p.split()) for _, p in cases)
    diagnoser.diagnose(cases[0][1])  # jieba caches, first-touch of files
    latencies, top1, confident = [], 0, 0
    for expected, paste in cases:
        started = time.perf_counter()
        diagnosis = diagnoser.diagnose(paste)
        latencies.append(time.perf_counter() - started)
        top1 += bool(diagnosis.remedies) and diagnosis.remedies[0].entry.id == expected
        confident += diagnosis.confident
    print(
        f"  diagnose ({len(cases)} pastes of ~{words:.0f} words): p50 {ms(pct(latencies, 50))}, "
        f"p99 {ms(pct(latencies, 99))}; right entry first {top1}/{len(cases)}, confident {confident}/{len(cases)}"
    )
    rule_latencies = []  # the rules step alone, on the same pastes
    for _, paste in cases:
        normalised = normalise(paste, glossary)
        started = time.perf_counter()
        diagnoser.rules.evaluate(normalised)
        rule_latencies.append(time.perf_counter() - started)
    print(f"  of which rules: p50 {ms(pct(rule_latencies, 50))}, p99 {ms(pct(rule_latencies, 99))}")
    diagnoser.close()


def bench_rules(count: int = 1000, pastes: int = 300) -> None:
    """1,000 rules from the synthetic generator (about 140 entries x 7 rules), rules alone."""
    print(f"\n== rules alone, {count:,} rules")
    rng = random.Random(5)
    entries, material = [], []
    i = 0
    while sum(len(e.rules) + 4 for e in entries) < count:
        entry, facts = synth.make_entry(i, rng)
        facts["id"] = entry.id
        entries.append(entry)
        material.append(facts)
        i += 1
    glossary = load_glossary(ROOT / "kb")
    book = RuleBook(entries, glossary)
    book.warm_up()
    normalised = [
        normalise(synth.make_paste(rng.choice(material), rng), glossary) for _ in range(pastes)
    ]
    times = []
    for n in normalised:
        started = time.perf_counter()
        book.evaluate(n)
        times.append(time.perf_counter() - started)
    print(
        f"  {len(book):,} rules: p50 {ms(pct(times, 50))}, p99 {ms(pct(times, 99))} per paste (target <= 5 ms)"
    )
    book.close()


COLD = """
import time, sys
t0 = time.perf_counter()
from engine import Diagnoser
d = Diagnoser(sys.argv[1], sys.argv[2])
d.diagnose("Event ID: 1196 Cluster network name resource failed registration: DNS signature failed to verify")
print(f"{time.perf_counter() - t0:.2f}")
d.close()
"""


def bench_cold(kb: Path, index: Path, runs: int = 5) -> None:
    """A fresh interpreter: import, load the KB version (built by a first start, untimed:
    later starts read its snapshot), open the index, first diagnose (an English paste: jieba's
    dictionary is not needed, so not loaded)."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", COLD, str(kb), str(index)], check=True, cwd=ROOT)
    print(f"  first start on {kb.name} (builds the version): {time.perf_counter() - started:.1f} s")
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", COLD, str(kb), str(index)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        times.append(time.perf_counter() - started)
        inner = float(out.stdout.strip().splitlines()[-1])
    print(
        f"  later start on {kb.name}: median {statistics.median(times):.2f} s wall "
        f"(last run {inner:.2f} s from first import to first answer) (target <= 2 s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="troubleshoot-kb engine benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--pastes", type=int, default=200)
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    print(
        f"python {sys.version.split()[0]}; synthetic KB (bench/synth.py), pastes of an event export in ~300 words of log noise"
    )
    bench_rules()
    print("\n== cold start")
    bench_cold(ROOT / "kb", OUT / "index-shipped")
    for size in args.sizes:
        bench_size(size, args.pastes)
    for size in args.sizes:
        if size >= 10_000:
            bench_cold(OUT / f"kb-{size}", OUT / f"index-{size}", runs=3)


if __name__ == "__main__":
    main()
