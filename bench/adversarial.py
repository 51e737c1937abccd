"""Adversarial inputs: pastes shaped to make the engine work hard, and feeds with one huge item.

    python bench/adversarial.py                     # both parts (pastes ~1 min, feeds ~2 min)
    python bench/adversarial.py pastes --runs 5     # 1 MB pastes only, 5 runs each
    python bench/adversarial.py feeds --only single-item-prose
    python bench/adversarial.py pastes --size 100000   # the same shapes at 100 KB

**Pastes** (issue 15: "any 1 MB paste, whatever its shape, answers within 1 s"): each shape is
built to just under ``--size`` bytes of UTF-8 and diagnosed with the shipped KB by a loaded
:class:`engine.Diagnoser`, as the web app and the API do. Prints the median and worst
wall-clock time per shape; a paste over the engine's limit shows as ``refused``.

**Feeds** (issue 15: "the 20 MB single-item feed finishes in < 60 s and < 1 GB"): each feed
is written to a temporary folder and ingested by a fresh ``kb ingest`` process into an empty
KB; prints the median wall-clock time and the peak resident memory of that process (and of
any worker it started), and the report's summary line. A run is stopped at ``--timeout``
seconds and ``--memory`` bytes of address space, so a regression shows as a line, not as a
machine out of memory.

The machines are shared and noisy: compare medians, and ratios more than single figures.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from rssfeed import rss

KB = "import sys; from kbcli.main import cli; sys.exit(cli())"
PASTE_SIZE = 1_000_000
FEED_SIZE = 20 * 1024 * 1024 - 4096  # just under kb ingest's default --max-bytes
ITEM_LINK = "http://bench.example.com/Article/item-0.aspx"  # the one item's link and guid


# --- pastes --------------------------------------------------------------------------------


def _fill(unit: str | Callable[[int], str], size: int, sep: str = "") -> str:
    """*unit* (a string, or a function of the repeat number) repeated to at most *size* bytes."""
    parts: list[str] = []
    used = 0
    i = 0
    while True:
        piece = (unit if isinstance(unit, str) else unit(i)) + sep
        length = len(piece.encode("utf-8"))
        if used + length > size:
            return "".join(parts)
        parts.append(piece)
        used += length
        i += 1


EVENT = (
    "Log Name: System\nSource: Microsoft-Windows-FailoverClustering\nEvent ID: 1196\n"
    "Level: Error\nDescription:\nCluster network name resource 'SQL Network Name (SQLCLU01)' "
    "failed registration of one or more associated DNS name(s) for the following reason:\n"
    "DNS signature failed to verify.\n"
)


def paste_shapes(size: int) -> Iterator[tuple[str, str]]:
    """(name, paste) for every adversarial shape, each just under *size* bytes."""
    yield "nested <div>", _fill("<div>", size)
    yield "nested table cells", _fill("<table><tr><td>", size)
    yield "unclosed <br", _fill("<br", size)
    yield "html entities", _fill("&amp;&#x41;&lt;", size)
    yield "one long token", "A" * size
    yield "1 MB of Chinese", _fill("群集网络名称资源注册失败错误", size)
    yield "1M Chinese characters", "错" * 1_000_000  # 3 MB of UTF-8: over the paste limit
    yield "Traditional Chinese", _fill("發生錯誤。此錯誤可能是網路連線失敗所造成。", size)
    yield "ANSI storm", _fill("\x1b[1;31m\x1b[0m\x1b]0;t\x07\x1b[", size)
    yield "'error' words", _fill("error ", size)
    width = max(8, size // 50_000) - 1  # 50,000 lines of 20 bytes at 1 MB
    lines = _fill(lambda i: f"E{i}: error in step"[:width].ljust(width), size, "\n")
    yield f"{lines.count(chr(10)):,} short lines", lines
    yield "NFKC expansion", _fill("\ufdfa", size)  # one character, 18 once normalised
    yield "quoted names", _fill("'a' ", size)
    yield "hyphenated names", _fill("a-", size - 8) + "@ x.com"  # e-mail and host masks
    yield "dotted names", _fill("a.", size)
    yield "deep path", "C:\\" + _fill("a\\", size - 3)
    yield "distinct IPs", _fill(lambda i: f"10.{i >> 16 & 255}.{i >> 8 & 255}.{i & 255}", size, " ")
    yield "event log, 1 MB", _fill(lambda i: EVENT.replace("SQLCLU01", f"SQLCLU{i:05d}"), size)


def bench_pastes(size: int, runs: int) -> None:
    from engine.diagnoser import Diagnoser
    from engine.errors import PasteTooLarge

    with tempfile.TemporaryDirectory(prefix="adversarial-index-") as index_dir:
        diagnoser = Diagnoser(ROOT / "kb", index_dir)
        diagnoser.warm_up()
        diagnoser.diagnose(EVENT)  # first-use costs (segmenter, caches) are not the paste's
        print(f"pastes: {size:,} bytes each, shipped KB, {runs} runs, median (worst)")
        for name, paste in paste_shapes(size):
            times, outcome = [], ""
            for _ in range(runs):
                started = time.perf_counter()
                try:
                    diagnosis = diagnoser.diagnose(paste)
                    outcome = "confident" if diagnosis.confident else "answered"
                except PasteTooLarge:
                    outcome = "refused (over the paste limit)"
                times.append(time.perf_counter() - started)
            nbytes = len(paste.encode("utf-8"))
            print(
                f"  {name:24} {nbytes:>10,} B  {statistics.median(times) * 1000:8.1f} ms "
                f"({max(times) * 1000:8.1f})  {outcome}",
                flush=True,
            )
        diagnoser.close()


# --- feeds ---------------------------------------------------------------------------------


def _article_html(size: int) -> str:
    """Real-looking troubleshooting and how-to HTML (the ingest benchmark's shapes)."""
    import ingest_bench

    rng = random.Random(15)
    return _fill(lambda i: ingest_bench.KINDS[i % len(ingest_bench.KINDS)](rng, i), size)


def _prose_html(size: int) -> str:
    """One section of paragraphs that each read like a troubleshooting statement."""
    return _fill(
        lambda i: (
            f"<p>Install the role on node {i}. It must be named the same on all nodes, "
            "otherwise you get errors like, Migration attempt failed.</p>"
        ),
        size,
    )


def _fitted(title: str, html_of: Callable[[int], str], size: int) -> bytes:
    """A one-item feed of just under *size* bytes: escaping grows HTML by a shape-dependent
    factor, so the body is sized, measured and sized again."""
    body = size
    for _ in range(4):
        feed = rss("Adversarial feed", [(title, ITEM_LINK, html_of(body))])
        if size - 64 * 1024 <= len(feed) <= size:
            break
        body = int(body * (size - 32 * 1024) / len(feed))
    return feed


def feed_shapes(size: int) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(name, feed builder): feeds of one huge item, each just under *size* bytes."""
    yield "single-item-article", lambda: _fitted("Huge article", _article_html, size)
    yield "single-item-prose", lambda: _fitted("Huge how-to", _prose_html, size)
    yield "single-item-nested-div", lambda: _fitted("Nested", lambda n: _fill("<div>x", n), size)
    yield "single-item-one-token", lambda: _fitted("Token", lambda n: "A" * n, size)


def _run_ingest(feed: Path, kb: Path, timeout: float, memory: int) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in bytes and the last report line of one `kb ingest` process
    (run from the one-run process, whose address-space limit it inherits)."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # `kb ingest` of the tree this script is in (not whichever `kb` is installed)
    command = [sys.executable, "-c", KB, "ingest", str(feed), "--kb-dir", str(kb)]
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = proc.communicate(timeout=timeout)
        tail = out.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no output)"]
        line = tail[0]
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        line = f"stopped: still running after {timeout:g} s"
    seconds = time.perf_counter() - started
    # ru_maxrss of the children waited for so far: the largest process, in KB on Linux
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    if proc.returncode not in (0, 1, None) and not line.startswith("stopped"):
        line = f"exit {proc.returncode}: {line}"
    return seconds, peak, line


def bench_feeds(size: int, runs: int, only: str | None, timeout: float, memory: int) -> None:
    print(f"feeds: one item each, feed file just under {size / 2**20:.0f} MB, {runs} run(s)")
    for name, build in feed_shapes(size):
        if only and only != name:
            continue
        with tempfile.TemporaryDirectory(prefix="adversarial-feed-") as tmp:
            feed = Path(tmp) / f"{name}.xml"
            feed.write_bytes(build())
            times, peaks, line = [], [], ""
            for run in range(runs):
                kb = Path(tmp) / f"kb{run}"
                kb.mkdir()
                # peak memory is per process: measure each run in a fresh grandchild
                seconds, peak, line = _measured(feed, kb, timeout, memory)
                times.append(seconds)
                peaks.append(peak)
            print(
                f"  {name:24} {feed.stat().st_size / 2**20:5.1f} MB  "
                f"{statistics.median(times):6.1f} s  peak {statistics.median(peaks) / 2**20:6.0f} MB"
                f"  | {line}",
                flush=True,
            )


def _measured(feed: Path, kb: Path, timeout: float, memory: int) -> tuple[float, int, str]:
    """One run from a fresh process of this script, so that its RUSAGE_CHILDREN peak is this
    run's alone."""
    command = [sys.executable, __file__, "one-run", str(feed), str(kb), str(timeout), str(memory)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    seconds, peak, line = out.rstrip("\n").split("\t", 2)
    return float(seconds), int(peak), line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("part", nargs="?", choices=["pastes", "feeds", "all"], default="all")
    parser.add_argument("--runs", type=int, default=None, help="runs per shape (3 / 1)")
    parser.add_argument("--size", type=int, default=None, help="bytes per paste or feed")
    parser.add_argument("--only", default=None, help="one feed shape by name")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per feed run")
    parser.add_argument("--memory", type=int, default=4 << 30, help="address space per run")
    if argv is None and sys.argv[1:2] == ["one-run"]:  # internal: see _measured
        feed, kb, timeout, memory = sys.argv[2:6]
        seconds, peak, line = _run_ingest(Path(feed), Path(kb), float(timeout), int(memory))
        print(f"{seconds}\t{peak}\t{line}")
        return 0
    args = parser.parse_args(argv)
    if args.part in ("pastes", "all"):
        bench_pastes(args.size or PASTE_SIZE, args.runs or 3)
    if args.part in ("feeds", "all"):
        bench_feeds(args.size or FEED_SIZE, args.runs or 1, args.only, args.timeout, args.memory)
    return 0


if __name__ == "__main__":
    sys.exit(main())
