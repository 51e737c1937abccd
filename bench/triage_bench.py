"""Log triage benchmark: 200,000 lines of text log and a 100 MB .evtx, end to end.

    python bench/triage_bench.py                 # both figures, 3 runs each (~1 min)
    python bench/triage_bench.py --runs 5 --compare-python-evtx

End to end means what ``kb triage`` does after the KB is loaded: detect, read, group, and
diagnose every group against the shipped KB. Each run is a fresh process, so its peak memory
(ru_maxrss) is its own; memory is shown as the growth over the loaded KB. Prints medians
(the machines are shared and noisy). Targets (issue 13), on 2 cores: 200,000 text lines
<= 8 s; a 100 MB .evtx <= 60 s; memory bounded by streaming, not by file size.

The text log mixes 40 problems (errors and warnings, 15% of lines by default) into INFO
chatter, with varied hosts, numbers and timestamps; ``--error-share 1`` makes every line an
error (the worst case for masking). The .evtx is the real System sample of tests/data/evtx
with its 17 chunks repeated to 100 MB (header fixed up, so any parser reads them all).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SAMPLE = ROOT / "tests" / "data" / "evtx" / "System.evtx"
MB = 1024 * 1024

HOSTS = [f"node{i}.contoso.com" for i in range(1, 9)] + ["SQLNODE-03", "FS-02.corp.example.com"]
PROBLEMS = [
    (
        "ERROR Cluster network name resource '{name}' failed registration of one or more "
        "associated DNS name(s): DNS signature failed to verify."
    ),
    "ERROR Live migration of '{name}' failed: the virtual machine cannot be moved to {host}.",
    "WARN Disk {n} on {host} is {pct}% full",
    "ERROR Backup job {n} failed with error 0x80070005 after {n2} s",
    "WARNING Time service has not synchronized for {n} seconds",
] + [f"ERROR Component{i} request {{n}} failed on {{host}}: code {i * 7}" for i in range(35)]
INFO = [
    "INFO Request {n} from {host} served in {n2} ms",
    "INFO Heartbeat from {host} ok",
    "DEBUG cache hit ratio {pct}% on {host}",
]


def text_log(path: Path, lines: int, error_share: float, seed: int = 1) -> None:
    rng = random.Random(seed)
    start = 1_328_230_000
    with path.open("w", encoding="utf-8") as out:
        for i in range(lines):
            pool = PROBLEMS if rng.random() < error_share else INFO
            text = rng.choice(pool).format(
                name=f"VM-{rng.randint(1, 500)}",
                host=rng.choice(HOSTS),
                n=rng.randint(1, 10**6),
                n2=rng.randint(1, 5000),
                pct=rng.randint(1, 99),
            )
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(start + i // 3))
            out.write(f"{stamp},{rng.randint(0, 999):03d} [{rng.randint(1, 64)}] {text}\n")


def big_evtx(path: Path, size: int) -> None:
    """The sample's chunks repeated to *size* bytes, the header's chunk count and CRC set."""
    data = SAMPLE.read_bytes()
    header, chunks = bytearray(data[:4096]), data[4096:]
    repeats = max(1, (size - 4096) // len(chunks))
    count = min(65535, repeats * (len(chunks) // 65536))
    struct.pack_into("<QQ", header, 8, 0, count - 1)  # first and last chunk numbers
    struct.pack_into("<H", header, 42, count)
    struct.pack_into("<I", header, 120, 0)  # flags: not dirty
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])))
    with path.open("wb") as out:
        out.write(header)
        for _ in range(repeats):
            out.write(chunks)


def one_run(file: str, kb: str, index: str) -> None:
    """In a fresh process: load the KB, triage *file*, print the figures as JSON."""
    from engine import Diagnoser
    from triage import triage_paths

    diagnoser = Diagnoser(kb, index)
    loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = triage_paths([file], diagnoser)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "seconds": seconds,
                "events": report.events,
                "groups": len(report.groups),
                "kept": sum(g.group.count for g in report.groups),
                "growth_mb": (peak - loaded) / 1024,
            }
        )
    )


def measure(label: str, file: Path, runs: int, kb: str, index: str) -> None:
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(file), "--kb", kb, "--index", index],
            capture_output=True,
            text=True,
            check=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    last = results[-1]
    seconds = statistics.median(r["seconds"] for r in results)
    growth = statistics.median(r["growth_mb"] for r in results)
    print(
        f"{label:<34} {file.stat().st_size / MB:7.1f} MB  {last['events']:>9,} events "
        f"{last['kept']:>8,} kept {last['groups']:>5} groups   median {seconds:6.2f} s "
        f"({last['events'] / seconds:,.0f} events/s)   memory +{growth:.0f} MB"
    )


def compare_parsers(file: Path) -> None:
    """Records/s of evtx (pyevtx-rs) and python-evtx on the same clean file, each rendering
    every record to a string (JSON and XML: their cheapest whole-record output)."""
    import evtx

    started = time.perf_counter()
    count = sum(1 for _ in evtx.PyEvtxParser(str(file), number_of_threads=1).records_json())
    rust = time.perf_counter() - started
    print(
        f"evtx (pyevtx-rs), JSON records    {count:>7,} records  {count / rust:>10,.0f} records/s"
    )
    try:
        import Evtx.Evtx as python_evtx
    except ImportError:
        print("python-evtx: not installed (pip install python-evtx to compare)")
        return
    started = time.perf_counter()
    with python_evtx.Evtx(str(file)) as log:
        count = sum(1 for record in log.records() if record.xml())
    pure = time.perf_counter() - started
    print(
        f"python-evtx, XML records          {count:>7,} records  {count / pure:>10,.0f} records/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--error-share", type=float, default=0.15)
    parser.add_argument("--evtx-mb", type=int, default=100)
    parser.add_argument("--compare-python-evtx", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--kb", default=str(ROOT / "kb"), help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one_run(args.one, args.kb, args.index)
        return
    with tempfile.TemporaryDirectory(prefix="triage-bench-") as tmp:
        root = Path(tmp)
        from engine import Diagnoser

        Diagnoser(args.kb, root / "index").close()  # the KB version built once, not timed
        index = str(root / "index")
        text = root / "app.log"
        text_log(text, args.lines, args.error_share)
        measure(f"text log, {args.lines:,} lines", text, args.runs, args.kb, index)
        evtx_file = root / "System-big.evtx"
        big_evtx(evtx_file, args.evtx_mb * MB)
        measure(f".evtx, {args.evtx_mb} MB", evtx_file, args.runs, args.kb, index)
        if args.compare_python_evtx:
            small = root / "System-clean.evtx"
            big_evtx(small, SAMPLE.stat().st_size)
            compare_parsers(small)


if __name__ == "__main__":
    main()
