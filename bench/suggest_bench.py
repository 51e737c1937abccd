"""Suggestions as you type (``GET /api/v1/suggest``) at 10,000 entries: index build, and the
latency of one request, medians and p99.

    python bench/suggest_bench.py                    # 10,000 synthetic entries (bench/synth.py)
    python bench/suggest_bench.py --kb bench/out/kb-10000   # a KB folder on disk instead

Two figures per query kind: the index lookup alone, and a whole request through Flask's
routing and JSON (the route's own code, with the served KB replaced by the entries above, so
no search index has to be built). Target (issue 11): p99 <= 30 ms at 10,000 entries. Machines
are shared and noisy: compare ratios, not single runs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synth
from flask import Flask

from engine.kb import load_entries
from webapp import suggest


def entries_of(args) -> list:
    if args.kb:
        found, errors = load_entries(args.kb)
        print(f"{len(found):,} entries from {args.kb} ({len(errors)} broken)")
        return found
    rng = random.Random(7)
    return [synth.make_entry(i, rng)[0] for i in range(args.entries)]


def queries(entries: list, rng: random.Random, n: int) -> dict[str, list[str]]:
    """What people type: a title's first words (cut mid-word), an event ID, an error code's
    start, a line of a pasted message, and a Chinese fragment."""
    picked = [rng.choice(entries) for _ in range(n)]
    chinese = [e for e in entries if e.language == "zh"] or entries
    return {
        "title prefix": [" ".join(e.title.split()[:3])[:-2] for e in picked],
        "event id": [str(e.signatures.events[0].id) for e in picked if e.signatures.events],
        "error code": [e.signatures.codes[0][:7] for e in picked if e.signatures.codes],
        "pasted line": [e.signatures.messages[0][:120] for e in picked if e.signatures.messages],
        "chinese": [rng.choice(chinese).title[-12:-6] for _ in range(n)],
        "one letter": [rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n)],
    }


def measure(func, items: list[str]) -> tuple[float, float]:
    times = []
    for item in items:
        start = time.perf_counter()
        func(item)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))]


def app_for(entries: list) -> Flask:
    """The suggest route in a bare app, serving *entries* as the KB."""
    app = Flask(__name__)
    served = SimpleNamespace(vid="bench", entries={e.id: e for e in entries})
    suggest.diagnoser = lambda: served  # the route's one dependency on the loaded engine
    app.register_blueprint(suggest.bp)
    app.add_url_rule("/kb/<entry_id>", "web.entry", lambda entry_id: "")
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--kb", type=Path, help="a KB folder instead of synthetic entries")
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    entries = entries_of(args)
    start = time.perf_counter()
    index = suggest.SuggestIndex(entries)
    print(f"index of {len(entries):,} entries built in {time.perf_counter() - start:.2f} s")
    app = app_for(entries)
    client = app.test_client()
    with app.app_context():
        app.extensions["kb_suggest"] = {"bench": index}
        print(
            f"{'query':<14} {'n':>5} {'lookup median':>14} {'p99':>8} {'request median':>15} {'p99':>8}"
        )
        for kind, items in queries(entries, random.Random(11), args.queries).items():
            lookup = measure(index.suggest, items)
            request = measure(lambda q: client.get("/api/v1/suggest", query_string={"q": q}), items)
            print(
                f"{kind:<14} {len(items):>5} {lookup[0]:>11.3f} ms {lookup[1]:>5.2f} ms"
                f" {request[0]:>12.3f} ms {request[1]:>5.2f} ms"
            )


if __name__ == "__main__":
    main()
