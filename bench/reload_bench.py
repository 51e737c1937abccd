"""How long a KB change takes to be served by every worker of ``kb serve``, at a KB size.

    python bench/reload_bench.py --entries 10000 --changes 3

Starts ``kb serve`` on the synthetic KB (``bench/synth.py``; its version built on a first
start), then edits one entry's title at a time and polls ``/healthz`` and the entry until every
answer carries the new version (``X-KB-Version``) and the new title. Prints the seconds from the
save to the first answer of the new version, and to the moment ten answers in a row (on new
connections, so on both workers) had it: the median over ``--changes`` edits.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from load_bench import ensure_kb, stop


def version(url: str, entry_id: str) -> tuple[str, str]:
    request = urllib.request.Request(
        f"{url}/api/v1/entries/{entry_id}", headers={"Connection": "close"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.headers["X-KB-Version"], json.loads(response.read())["title"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=3)
    parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()
    ensure_kb(args.entries, args.out)
    kb, index = args.out / f"kb-{args.entries}", args.out / f"index-{args.entries}"
    env = dict(os.environ, KB_RATELIMIT_ENABLED="0", KB_FEEDBACK_DB=str(args.out / "r.sqlite3"))
    command = [str(Path(sys.executable).parent / "kb"), "serve", "--port", "0"]
    command += ["--kb-dir", str(kb), "--index-dir", str(index), "--workers", str(args.workers)]
    log = open(args.out / "reload-bench.log", "a", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    log.close()
    url = proc.stdout.readline().split()[-1]
    path = kb / "synthetic-000042.md"
    original = path.read_text(encoding="utf-8")
    firsts, alls = [], []
    try:
        time.sleep(3)
        for n in range(args.changes):
            before, _ = version(url, "synthetic-000042")
            title = f"Reload bench edit {n} {time.time_ns()}"
            text = original.replace("title: ", f"title: '{title}' #", 1)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            saved = time.monotonic()
            os.replace(tmp, path)
            first = None
            streak = 0
            while streak < 10:
                now_version, now_title = version(url, "synthetic-000042")
                if now_version != before and now_title == title:
                    first = first or time.monotonic() - saved
                    streak += 1
                else:
                    streak = 0
                time.sleep(0.05)
            firsts.append(first)
            alls.append(time.monotonic() - saved)
            print(
                f"edit {n}: first answer of the new version after {first:.2f} s, "
                f"every answer after {alls[-1]:.2f} s",
                flush=True,
            )
            time.sleep(2)
    finally:
        path.write_text(original, encoding="utf-8")
        stop(proc)
    print(
        f"{args.entries} entries, {args.workers} workers: a change served after "
        f"{statistics.median(firsts):.2f} s (median), by every answer after "
        f"{statistics.median(alls):.2f} s"
    )


if __name__ == "__main__":
    main()
