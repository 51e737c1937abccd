"""Load benchmark of ``POST /api/v1/diagnose`` under ``kb serve`` (gunicorn) over HTTP.

    python bench/load_bench.py                       # 10k entries, 60 s, concurrency 8, wrk
    python bench/load_bench.py --entries 100000 --duration 60
    python bench/load_bench.py --duration 30 --kill-worker-at 10     # a worker kill -9'd
    python bench/load_bench.py --worker-class gthread --tool python

1. Writes the synthetic KB (``bench/synth.py``) to ``bench/out/kb-N`` unless it is there.
2. Cold start: starts ``kb serve`` once (a first start builds the KB version into
   ``bench/out/index-N``), stops it, then ``--cold-starts`` more times and prints the median
   time from the process start to the first answered paste (later starts read the version).
3. Starts ``kb serve`` on a free port and loads ``POST /api/v1/diagnose`` from another process
   on loopback: ``wrk`` (Debian's package) with a Lua script rotating realistic pastes (an Event
   Viewer export buried in ~300 words of log noise, a third of them Chinese), or a Python
   multi-process client. A short warm-up is not counted. Rate limits are off (one client).
4. With ``--kill-worker-at S``: S seconds into the run, one worker gets SIGKILL; gunicorn starts
   another. The errors line then counts the requests that failed (those in flight on it).
5. Prints requests/s, p50/p99 latency, errors, and the server's memory every 5 s: RSS summed
   over master and workers, and PSS (shared pages counted once: what the server really holds).

Targets (issue 4): >= 100 requests/s, p99 <= 250 ms, 0 errors, memory flat; (issue 10) first
answer <= 2 s after a later start of a 10,000-entry KB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import statistics
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


def start_server(
    kb: Path, index: Path, threads: int, workers: int, worker_class: str, quiet: bool = False
) -> tuple[subprocess.Popen, str, float]:
    """``kb serve`` on a free port; (process, URL, seconds from its start to its first answer)."""
    env = dict(os.environ)
    env["KB_FEEDBACK_DB"] = str(kb.parent / "bench-feedback.sqlite3")
    env["KB_RATELIMIT_ENABLED"] = "0"  # one client process sends everything: not a test of limits
    kb_cmd = Path(sys.executable).parent / "kb"
    command = [str(kb_cmd), "serve", "--kb-dir", str(kb), "--index-dir", str(index)]
    command += ["--port", "0", "--threads", str(threads), "--workers", str(workers)]
    command += ["--worker-class", worker_class]
    started = time.monotonic()
    log = open(index.parent / f"serve-{kb.name}.log", "a", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    log.close()
    line = proc.stdout.readline()
    if not line.startswith("serving"):
        proc.wait(5)
        raise SystemExit(f"kb serve did not start: {line}; see {log.name}")
    url = line.split()[-1]
    body = json.dumps({"text": "Event ID: 1196 DNS signature failed to verify", "top": 1}).encode()
    while True:
        try:
            post(url, body)
            break
        except OSError:
            time.sleep(0.01)
    first_answer = time.monotonic() - started
    with urllib.request.urlopen(url + "/healthz", timeout=10) as response:
        health = json.loads(response.read())
    if not quiet:
        print(
            f"first answer {first_answer:.2f} s after kb serve started: {health['entries']} "
            f"entries, KB version {health['kb_version']}, at {url}",
            flush=True,
        )
    return proc, url, first_answer


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        print("kb serve did not stop within 30 s of SIGTERM; killed", flush=True)
        proc.kill()
        proc.wait()
    proc.stdout.close()


def cold_starts(args, kb: Path, index: Path) -> None:
    """The first start (it may build the KB version), then later starts: median first answer."""
    proc, _url, first = start_server(kb, index, args.threads, args.workers, args.worker_class, True)
    stop(proc)
    print(f"cold start   first start (builds the version if new): {first:.2f} s", flush=True)
    times = []
    for _ in range(args.cold_starts):
        proc, _url, seconds = start_server(
            kb, index, args.threads, args.workers, args.worker_class, True
        )
        stop(proc)
        times.append(seconds)
    if times:
        print(
            f"cold start   later starts: median {statistics.median(times):.2f} s to the first "
            f"answer (runs: {', '.join(f'{t:.2f}' for t in times)}; target <= 2 s)",
            flush=True,
        )


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of the server, master and workers summed, in MB. RSS counts the pages the
    workers share with the master (the preloaded KB) once per process; PSS shares them out."""
    rss = pss = 0.0
    for proc in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{proc}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1]) / 1024
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1]) / 1024
        except OSError:
            pass
    return rss, pss


class RssSampler(threading.Thread):
    def __init__(self, pid: int, every: float = 5.0):
        super().__init__(daemon=True)
        self.pid, self.every, self.samples = pid, every, []
        self._stop_event = threading.Event()

    def run(self) -> None:
        start = time.time()
        while not self._stop_event.is_set():
            self.samples.append((round(time.time() - start), *memory_mb(self.pid)))
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


def kill_a_worker_later(pid: int, after: float, killed: list[int]) -> threading.Timer:
    def kill() -> None:
        workers = sorted(_children(pid))
        if workers:
            os.kill(workers[0], signal.SIGKILL)
            killed.append(workers[0])

    timer = threading.Timer(after, kill)
    timer.daemon = True
    timer.start()
    return timer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="kb serve --threads (gthread)")
    parser.add_argument(
        "--workers", type=int, default=min(4, os.cpu_count() or 1), help="kb serve --workers"
    )
    parser.add_argument("--worker-class", choices=["gevent", "gthread"], default="gevent")
    parser.add_argument("--pastes", type=int, default=40)
    parser.add_argument("--tool", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--cold-starts", type=int, default=3, help="later starts timed (0: none)")
    parser.add_argument("--kill-worker-at", type=float, default=None, metavar="SECONDS")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()

    material = ensure_kb(args.entries, args.out)
    bodies = make_bodies(material, args.pastes)
    print(
        f"{len(bodies)} pastes, {sum(map(len, bodies)) // len(bodies)} bytes each on average",
        flush=True,
    )
    kb, index = args.out / f"kb-{args.entries}", args.out / f"index-{args.entries}"
    cold_starts(args, kb, index)
    proc, url, _first = start_server(kb, index, args.threads, args.workers, args.worker_class)
    killed: list[int] = []
    try:
        for body in bodies * 2:  # warm-up, not counted
            assert post(url, body) == 200
        sampler = RssSampler(proc.pid)
        sampler.start()
        if args.kill_worker_at is not None:
            kill_a_worker_later(proc.pid, args.kill_worker_at, killed)
        tool = args.tool if args.tool != "auto" else ("wrk" if shutil.which("wrk") else "python")
        result = (run_wrk if tool == "wrk" else run_python)(
            url, bodies, args.duration, args.concurrency
        )
        sampler.stop()
    finally:
        stop(proc)

    if result["raw"]:
        print(result["raw"])
    rss = sampler.samples
    print(
        f"tool         {result['tool']} (concurrency {args.concurrency}, {args.duration} s, "
        f"server: {args.workers} {args.worker_class} workers"
        + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
        + f", {os.cpu_count()} cores)"
    )
    print(f"requests     {result['requests']}")
    print(f"requests/s   {result['rps']:.1f}   (target >= 100)")
    print(f"p50 latency  {result['p50_ms']:.1f} ms")
    print(f"p99 latency  {result['p99_ms']:.1f} ms   (target <= 250)")
    print(f"errors       {result['errors']}   (target 0)")
    if args.kill_worker_at is not None:
        print(
            f"kill -9      worker {killed[0] if killed else '(none found)'} at "
            f"{args.kill_worker_at:.0f} s; the errors above are the requests it had in flight"
        )
    print("server RSS   " + ", ".join(f"{t}s {r:.0f} MB" for t, r, _p in rss))
    print("server PSS   " + ", ".join(f"{t}s {p:.0f} MB" for t, _r, p in rss))
    growth = rss[-1][2] - rss[1][2] if len(rss) >= 2 else 0.0
    if len(rss) >= 2:
        # "flat": at most 5% of the server's size (caches filling) over the run
        print(f"PSS growth   {growth:+.1f} MB from 5 s to the end   (target: flat, <= 5%)")
    flat = len(rss) < 2 or growth <= 0.05 * rss[1][2]
    ok = result["rps"] >= 100 and result["p99_ms"] <= 250 and flat
    ok = ok and (result["errors"] == 0 or args.kill_worker_at is not None)
    print("PASS" if ok else "BELOW TARGET")


if __name__ == "__main__":
    main()
