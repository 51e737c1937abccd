"""Ingest throughput on a generated 10,000-item feed (target: >= 500 items/s).

    .venv/bin/python bench/ingest_bench.py [--items 10000] [--runs 3] [--profile]

The feed is generated deterministically (same seed, same bytes): bilingual items shaped like
real troubleshooting posts - KB-style Symptoms/Cause/Resolution articles with dialog dumps
and event-log text, Chinese 问题现象/原因/解决方法 posts, multi-scenario posts and how-to
guides with NOTE/IMPORTANT statements - as escaped HTML in ``<description>``, like the seed.

Each run ingests the feed into a fresh temporary KB folder; the median items/s is compared
with the target. A re-ingest into the last folder (every entry unchanged) is timed too.

Wall time depends on what else the machine runs; CPU time per item does much less, so each
run also prints the CPU it used (this process and its pool workers, from getrusage) and the
rate the machine's cores would allow at that cost if nothing else ran.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from rssfeed import rss

from ingest.run import IngestOptions, ingest

TARGET = 500.0  # items per second
GLOSSARY = REPO_ROOT / "kb" / "glossary.yaml"

PRODUCTS = [
    "Hyper-V",
    "Failover Cluster",
    "Exchange 2010",
    "SQL Server",
    "VMware ESXi",
    "DNS Server",
    "Windows Server 2008 R2",
    "iSCSI Initiator",
    "Cluster Shared Volume",
    "vCenter Converter",
]
SERVICES = [
    "vmms",
    "clussvc",
    "MSExchangeIS",
    "MSSQLSERVER",
    "vds",
    "Dnscache",
    "W32Time",
    "iscsiprt",
]
EN_ERRORS = [
    "Access is denied.",
    "The RPC server is unavailable.",
    "The operation timed out.",
    "The cluster resource could not be brought online.",
    "Migration attempt failed.",
    "The virtual machine could not be started because the hypervisor is not running.",
    "DNS signature failed to verify.",
    "The network path was not found.",
]
ZH_ERRORS = [
    "拒绝访问。",
    "RPC 服务器不可用。",
    "操作超时。",
    "无法使群集资源联机。",
    "迁移尝试失败。",
    "由于虚拟机监控程序未运行，无法启动虚拟机。",
    "DNS 服务器失败。",
    "找不到网络路径。",
]
EVENTS = [
    (1196, "Microsoft-Windows-FailoverClustering"),
    (1069, "Microsoft-Windows-FailoverClustering"),
    (1135, "Microsoft-Windows-FailoverClustering"),
    (3, "Microsoft-Windows-Hyper-V-VMMS"),
    (7000, "Service Control Manager"),
    (4013, "DNS"),
]
CODES = ["0x80070005", "0x800706BA", "0x80004005", "0x8007045D", "0xC0000022"]


def _en_kb(rng: random.Random, i: int) -> str:
    product, service, error = rng.choice(PRODUCTS), rng.choice(SERVICES), rng.choice(EN_ERRORS)
    code = rng.choice(CODES)
    event, source = rng.choice(EVENTS)
    dialog = rng.random() < 0.5
    symptom = (
        f"<p>[Window Title]<br/>{product}<br/>[Main Instruction]<br/>The operation failed.<br/>"
        f"[Content]<br/>{error} Error code {code}.<br/>[OK]</p>"
        if dialog
        else f"<p>Log Name: System<br/>Source: {source}<br/>Event ID: {event}<br/>Level: Error<br/>"
        f"Description:<br/>{error} ({code})</p>"
    )
    return (
        f"<h2>Symptoms</h2><p>When you start the {service} service on a {product} node ({i}), "
        f"the following error is displayed:</p>{symptom}"
        f"<h2>Cause</h2><p>This problem occurs because the {service} account lacks the "
        f"required permission on node {i % 17}.</p>"
        f"<h2>Resolution</h2><ol><li>Open <b>Services</b> on the node.</li>"
        f"<li>Set the logon account of {service} to Local System.</li>"
        f"<li>Restart the service:</li></ol><pre>net stop {service}\nnet start {service}</pre>"
        f"<p><strong>NOTE:</strong> Validate the cluster after the change. See "
        f'<a href="http://support.example.com/kb/{200000 + i}">KB {200000 + i}</a>.</p>'
    )


def _zh_post(rng: random.Random, i: int) -> str:
    product, service, error = rng.choice(PRODUCTS), rng.choice(SERVICES), rng.choice(ZH_ERRORS)
    return (
        f"<p>{product} 在节点 {i} 上启动服务时出错，对话框内容如下：</p>"
        f"<p>---------------------------<br/>{product}<br/>---------------------------<br/>"
        f"{error}<br/>---------------------------<br/>确定<br/>---------------------------</p>"
        f"<p>原因：服务 {service} 的依赖项没有启动。</p>"
        f"<p>解决办法：</p><p>重启以下服务：</p><ul><li>{service}</li><li>{rng.choice(SERVICES)}</li></ul>"
    )


def _scenarios(rng: random.Random, i: int) -> str:
    event, source = rng.choice(EVENTS)
    a = rng.choice(EN_ERRORS)
    return (
        f"<p>The following errors were recorded in the event log (event {event}, {source}):</p>"
        f"<p>场景1：<br/><span>Cluster resource 'Res{i}' failed: {a}</span></p>"
        f"<p>Ensure that the resource has a dependency on its IP address.</p>"
        f"<ol><li>Open Failover Cluster Manager.</li><li>Right-click the resource, Properties.</li>"
        f"<li>Add the dependency and click OK.</li></ol>"
        f"<p>场景2：</p><p>群集资源“Res{i}”失败：{rng.choice(ZH_ERRORS)}</p>"
        f"<p>请确保群集网络已配置为允许客户端连接。</p>"
        f'<p>相关资源：</p><p><a href="http://docs.example.com/cluster/{i}">Cluster event {event}</a></p>'
    )


def _guide(rng: random.Random, i: int) -> str:
    product = rng.choice(PRODUCTS)
    return (
        f"<p>This guide shows how to configure {product} for lab {i}. It takes about an hour.</p>"
        f"<h2>Prepare the nodes</h2><p>Install the role on every node first.</p>"
        f"<ol><li>Open Server Manager.</li><li>Click Add Roles.</li><li>Select {product}.</li></ol>"
        f"<h2>Configure networking</h2><p>Create the virtual networks. They must have the same "
        f"name on all nodes. Otherwise you will get errors like, Migration attempt failed, and "
        f"the move stops.</p>"
        f"<p>Note, if you get any errors when connecting with Disk Management, that is probably "
        f"because you have not enabled \u201cRemote Volume Management\u201d. Enable it and run:</p>"
        f"<blockquote>net start vds</blockquote>"
        f"<h2>Validate</h2><p>Run the validation wizard and fix every warning.</p>"
        f'<p><img src="http://img.example.com/{i}.png"/></p>'
    )


KINDS = [_en_kb, _zh_post, _scenarios, _guide]


def generate_feed(items: int, seed: int = 20260730) -> bytes:
    """The benchmark feed; deterministic for a given (items, seed)."""
    rng = random.Random(seed)

    def item(i: int) -> tuple[str, str, str]:
        make = KINDS[i % len(KINDS)]
        title = f"Item {i}: {rng.choice(PRODUCTS)} " + (
            "错误" if make is _zh_post else "error and fix"
        )
        link = f"http://bench.example.com/Article/item-{i}-{make.__name__.strip('_')}.aspx"
        return title, link, make(rng, i)

    return rss("Benchmark feed", (item(i) for i in range(items)), category="Bench")


def _fresh_kb(root: Path, name: str) -> Path:
    kb = root / name
    kb.mkdir()
    if GLOSSARY.exists():
        shutil.copy(GLOSSARY, kb / "glossary.yaml")
    return kb


_JOBS: int | None = None


def _cpu_seconds() -> tuple[float, float]:
    """(this process, its finished children): user + system CPU seconds so far. The pool's
    workers are waited for before ingest() returns, so a run's workers are all counted."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _timed(feed: Path, kb: Path) -> tuple[float, dict, tuple[float, float]]:
    """Wall seconds, the run's counts, and the CPU seconds (parent, workers) it used."""
    lines: list[str] = []
    options = IngestOptions(kb_dir=kb) if _JOBS is None else IngestOptions(kb_dir=kb, jobs=_JOBS)
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    result = ingest([str(feed)], options, lines.append)
    wall = time.perf_counter() - start
    cpu_after = _cpu_seconds()
    cpu = (cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1])
    return wall, dict(result.counts), cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--profile", action="store_true", help="cProfile one run, print the top functions"
    )
    parser.add_argument(
        "--jobs", type=int, default=None, help="worker processes (default: one per core, max 4)"
    )
    args = parser.parse_args(argv)
    global _JOBS
    _JOBS = args.jobs

    with tempfile.TemporaryDirectory(prefix="ingest-bench-") as tmp:
        root = Path(tmp)
        feed = root / "bench_feed.xml"
        feed.write_bytes(generate_feed(args.items))
        print(f"feed: {args.items:,} items, {feed.stat().st_size / 1e6:.1f} MB")
        if args.profile:
            _JOBS = 1  # profile the work itself, not a parent waiting on its pool
            profiler = cProfile.Profile()
            profiler.enable()
            _timed(feed, _fresh_kb(root, "profile"))
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
            return 0
        rates, cpu_ms = [], []
        kb = root
        for run in range(1, args.runs + 1):
            kb = _fresh_kb(root, f"run{run}")
            seconds, counts, (parent, workers) = _timed(feed, kb)
            rates.append(args.items / seconds)
            cpu_ms.append((parent + workers) * 1000 / args.items)
            print(
                f"run {run}: {seconds:6.2f} s  {rates[-1]:7.0f} items/s  CPU {cpu_ms[-1]:.2f} ms/item "
                f"(parent {parent * 1000 / args.items:.2f}, workers {workers * 1000 / args.items:.2f})"
                f"  {counts}"
            )
        median = statistics.median(rates)
        cores = os.cpu_count() or 1
        bound = cores * 1000 / statistics.median(cpu_ms)
        print(
            f"fresh ingest: median {median:.0f} items/s = {median / TARGET:.2f} x the {TARGET:.0f} items/s target"
        )
        print(
            f"CPU: median {statistics.median(cpu_ms):.2f} ms/item; {cores} core(s) bound the run at "
            f"{bound:.0f} items/s = {bound / TARGET:.2f} x the target"
        )
        seconds, counts, _ = _timed(feed, kb)
        print(
            f"re-ingest (all unchanged): {seconds:.2f} s  {args.items / seconds:.0f} items/s  {counts}"
        )
    return 0 if median >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
