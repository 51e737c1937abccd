"""Load benchmark of ``POST /api/v1/diagnose`` under ``kb serve`` over a 10k-entry synthetic KB.

    python bench/load_bench.py                       # 60 s, concurrency 8, wrk when installed
    python bench/load_bench.py --duration 20 --tool python

1. Writes the synthetic KB (``bench/synth.py``) to ``bench/out/kb-10000`` unless it is there.
2. Starts ``kb serve`` on it in a subprocess (a free port; the index is built on first start
   into ``bench/out/index-10000``) and waits for ``/healthz``.
3. Loads ``POST /api/v1/diagnose`` from a second process on loopback: ``wrk`` (Debian's
   package) with a Lua script rotating realistic pastes (an Event Viewer export buried in ~300
   words of log noise, a third of them Chinese), or a Python multi-process client when wrk is
   missing. A short warm-up is not counted.
4. Prints requests/s, p50/p99 latency, errors, and the server's RSS every 5 s.

Targets (issue 4): >= 100 requests/s, p99 <= 250 ms, 0 errors, memory flat.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import synth

PATH = "/api/v1/diagnose"


def ensure_kb(n: int, out: Path) -> list[dict]:
    """The synthetic KB (written once) and its paste material (regenerated, deterministic)."""
    kb = out / f"kb-{n}"
    if len(list(kb.glob("synthetic-*.md"))) != n:
        if kb.exists():
            shutil.rmtree(kb)
        print(f"writing {n} synthetic entries to {kb} ...", flush=True)
        return synth.make_kb(n, kb)
    rng = random.Random(7)  # make_kb's seed: the same entries, so the same facts
    material = []
    for i in range(n):
        entry, facts = synth.make_entry(i, rng)
        facts["id"] = entry.id
        material.append(facts)
    return material


def make_bodies(material: list[dict], count: int) -> list[bytes]:
    rng = random.Random(11)
    picks = rng.sample(material, count)
    return [json.dumps({"text": synth.make_paste(f, rng), "top": 5}).encode() for f in picks]


def start_server(kb: Path, index: Path, threads: int, workers: int) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ)
    env["KB_FEEDBACK_DB"] = str(kb.parent / "bench-feedback.sqlite3")
    kb_cmd = Path(sys.executable).parent / "kb"
    proc = subprocess.Popen(
        [
            str(kb_cmd),
            "serve",
            "--kb-dir",
            str(kb),
            "--index-dir",
            str(index),
            "--port",
            "0",
            "--threads",
            str(threads),
            "--workers",
            str(workers),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    started = time.time()
    line = proc.stdout.readline()
    if not line.startswith("serving"):
        proc.wait(5)
        raise SystemExit(f"kb serve did not start: {line}{proc.stderr.read()}")
    url = line.split()[-1]
    with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
        health = json.loads(response.read())
    print(
        f"server ready in {time.time() - started:.1f} s: {health['entries']} entries at {url}",
        flush=True,
    )
    return proc, url


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of the server: the supervisor and its worker processes."""
    total = 0.0
    for proc in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 5.0):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, []
        self._stop_event = threading.Event()

    def run(self) -> None:
        start = time.time()
        while not self._stop_event.is_set():
            self.samples.append((round(time.time() - start), rss_mb(self.pid)))
            self._stop_event.wait(self.every)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def post(url: str, body: bytes) -> int:
    request = urllib.request.Request(
        url + PATH, data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        return response.status


# --- wrk -----------------------------------------------------------------------------------------

LUA = """
local bodies = {%s}
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "%s", {["Content-Type"] = "application/json"}, bodies[(n %% #bodies) + 1])
end
"""


def lua_string(data: bytes) -> str:
    text = data.decode("utf-8")
    level = 0
    while f"]{'=' * level}]" in text:
        level += 1
    return f"[{'=' * level}[{text}]{'=' * level}]"


def run_wrk(url: str, bodies: list[bytes], duration: int, concurrency: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as fh:
        fh.write(LUA % (", ".join(lua_string(b) for b in bodies), PATH))
        script = fh.name
    try:
        command = [
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            script,
            url,
        ]
        print("$ " + " ".join(command), flush=True)
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script)

    def ms(value: str) -> float:
        number, unit = re.match(r"([\d.]+)(us|ms|s|m)", value).groups()
        return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    requests = int(re.search(r"(\d+) requests in", out)[1])
    errors = 0
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx[1])
    return {
        "tool": "wrk",
        "requests": requests,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50_ms": ms(re.search(r"\s50%\s+(\S+)", out)[1]),
        "p99_ms": ms(re.search(r"\s99%\s+(\S+)", out)[1]),
        "errors": errors,
        "raw": out,
    }


# --- Python fallback ---------------------------------------------------------------------------


def _client(url: str, bodies: list[bytes], until: float, offset: int, queue) -> None:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    latencies, errors, i = [], 0, offset
    while time.time() < until:
        body = bodies[i % len(bodies)]
        i += 1
        started = time.perf_counter()
        try:
            conn.request("POST", PATH, body=body, headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors += 1
        except OSError:
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            continue
        latencies.append(time.perf_counter() - started)
    queue.put((latencies, errors))


def run_python(url: str, bodies: list[bytes], duration: int, concurrency: int) -> dict:
    queue = multiprocessing.Queue()
    started = time.time()
    until = started + duration
    workers = [
        multiprocessing.Process(target=_client, args=(url, bodies, until, k * 7, queue))
        for k in range(concurrency)
    ]
    for w in workers:
        w.start()
    results = [queue.get() for _ in workers]
    for w in workers:
        w.join()
    elapsed = time.time() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)

    def pct(p: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0
        )

    return {
        "tool": "python",
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "errors": errors,
        "raw": "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="kb serve --threads")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="kb serve --workers"
    )
    parser.add_argument("--pastes", type=int, default=40)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()

    material = ensure_kb(args.entries, args.out)
    bodies = make_bodies(material, args.pastes)
    print(
        f"{len(bodies)} pastes, {sum(map(len, bodies)) // len(bodies)} bytes each on average",
        flush=True,
    )
    proc, url = start_server(
        args.out / f"kb-{args.entries}",
        args.out / f"index-{args.entries}",
        args.threads,
        args.workers,
    )
    try:
        for body in bodies * 2:  # warm-up, not counted
            assert post(url, body) == 200
        sampler = RssSampler(proc.pid)
        sampler.start()
        tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
        result = (run_wrk if tool == "wrk" else run_python)(
            url, bodies, args.duration, args.concurrency
        )
        sampler.stop()
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            print("kb serve did not stop within 30 s of SIGTERM; killed", flush=True)
            proc.kill()
            proc.wait()

    if result["raw"]:
        print(result["raw"])
    rss = sampler.samples
    print(
        f"tool         {result['tool']} (concurrency {args.concurrency}, {args.duration} s, "
        f"server: {args.workers} workers x {args.threads} threads, {os.cpu_count()} cores)"
    )
    print(f"requests     {result['requests']}")
    print(f"requests/s   {result['rps']:.1f}   (target >= 100)")
    print(f"p50 latency  {result['p50_ms']:.1f} ms")
    print(f"p99 latency  {result['p99_ms']:.1f} ms   (target <= 250)")
    print(f"errors       {result['errors']}   (target 0)")
    print("server RSS   " + ", ".join(f"{t}s {mb:.0f} MB" for t, mb in rss))
    growth = rss[-1][1] - rss[1][1] if len(rss) >= 2 else 0.0
    if len(rss) >= 2:
        # "flat": at most 5% of the server's size (caches filling) over the run
        print(f"RSS growth   {growth:+.1f} MB from 5 s to the end   (target: flat, <= 5%)")
    flat = len(rss) < 2 or growth <= 0.05 * rss[1][1]
    ok = result["rps"] >= 100 and result["p99_ms"] <= 250 and result["errors"] == 0 and flat
    print("PASS" if ok else "BELOW TARGET")


if __name__ == "__main__":
    main()
