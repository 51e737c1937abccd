"""How long one ``kb diagnose`` call takes on the shipped KB, as a user at a terminal sees it.

Each call is a fresh process (imports, KB read, rule book, the persisted search index, one
diagnosis), so this is the latency of the command, not of a warm server. The index is built
once before timing; a call that rebuilt it would show up as an outlier here.

    python bench/cli_bench.py              # 10 calls per paste
    python bench/cli_bench.py --runs 30 --kb-dir kb --index-dir /tmp/ix

Prints, per paste, the median, best and worst wall-clock seconds.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASTES = {
    "english event 1196": "Event ID 1196 ... DNS signature failed to verify",
    "chinese converter": "出现错误。此错误的原因可能由网络连接故障所致。向导将立即关闭。",
    "unrelated": "The printer 'HP LaserJet 4' is offline. Error 0x00000709.",
}


def time_call(args: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(args, check=False, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):  # 1: no confident answer, a normal outcome
        raise SystemExit(f"{' '.join(args[:2])} failed ({result.returncode}): {result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--kb-dir", type=Path, default=ROOT / "kb")
    parser.add_argument("--index-dir", type=Path, default=None)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = options.index_dir or Path(tmp) / "index"
        # the `kb` this Python installed (pip install -e .), not another one on PATH
        base = [str(Path(sys.executable).parent / "kb")]
        where = ["--kb-dir", str(options.kb_dir), "--index-dir", str(index_dir)]
        subprocess.run([*base, "index", *where], check=True, capture_output=True)
        print(f"kb diagnose, one process per call, {options.runs} calls per paste")
        print(f"{'paste':<22}{'median s':>10}{'best s':>10}{'worst s':>10}")
        for name, paste in PASTES.items():
            times = [time_call([*base, "diagnose", paste, *where]) for _ in range(options.runs)]
            print(
                f"{name:<22}{statistics.median(times):>10.3f}{min(times):>10.3f}{max(times):>10.3f}"
            )


if __name__ == "__main__":
    main()
