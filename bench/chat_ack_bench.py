"""Slack: how fast is the acknowledgement, and when does the answer reach response_url?

    python bench/chat_ack_bench.py                    # gevent and gthread, 50 commands each
    python bench/chat_ack_bench.py --worker-class gevent --commands 200

For each worker class: ``kb serve`` over the shipped KB (one worker), a local HTTP server
standing in for Slack's response_url (allowed through KB_SLACK_RESPONSE_URL_ALLOW), then N
signed ``/kb`` commands one after another. Printed: the acknowledgement's median and worst
latency (Slack's limit: 3 s) and the time from sending a command to its answer arriving.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "test_webapp")]

from services import Recorder
from webhelpers import SLACK_SECRET, slack_headers, slash, start_server, stop_server

PASTE = "Event ID: 1196 Source: FailoverClustering ... DNS signature failed to verify"


def run(worker_class: str, commands: int) -> None:
    with tempfile.TemporaryDirectory() as tmp, Recorder() as hook:
        env = {
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "KB_SLACK_RESPONSE_URL_ALLOW": hook.host,
            "KB_RATELIMIT_ENABLED": "0",
        }
        args = ("--workers", "1", "--worker-class", worker_class)
        proc, base = start_server(Path(tmp), REPO / "kb", env=env, args=args)
        acks, answers = [], []
        try:
            for i in range(commands):
                body = slash(f"{PASTE} #{i}", response_url=hook.url(f"/commands/{i}"))
                request = urllib.request.Request(
                    base + "/api/v1/slack", data=body, headers=slack_headers(body)
                )
                started = time.perf_counter()
                with urllib.request.urlopen(request, timeout=10) as response:
                    response.read()
                acks.append(time.perf_counter() - started)
                hook.next(timeout=30)
                answers.append(time.perf_counter() - started)
        finally:
            stop_server(proc)
    print(
        f"{worker_class:8} {commands} commands: ack median {statistics.median(acks) * 1000:.1f} ms,"
        f" worst {max(acks) * 1000:.1f} ms; answer at response_url median"
        f" {statistics.median(answers) * 1000:.1f} ms, worst {max(answers) * 1000:.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker-class", choices=("gevent", "gthread"), nargs="*")
    parser.add_argument("--commands", type=int, default=50)
    options = parser.parse_args()
    for worker_class in options.worker_class or ("gevent", "gthread"):
        run(worker_class, options.commands)


if __name__ == "__main__":
    main()
