"""Slow clients: does a normal diagnose still answer while 1,000 connections dribble headers?

    python bench/slow_clients_bench.py                          # every set-up, 1,000 clients
    python bench/slow_clients_bench.py --setups gevent nginx+gthread --connections 300

For each set-up: ``kb serve`` on the shipped KB (2 workers), with Debian's nginx running the
shipped ``deploy/nginx.conf`` in front when the set-up says so. Then N connections each send
the start of a request and one more header line every 5 s, forever (a connection the server
drops is opened again: the attacker keeps the pressure). Meanwhile a normal client sends a
paste every half second on a connection of its own; the bench prints its median and worst
latency and its failures. The target (issue 15): no normal diagnose slower than 2 s.

Set-ups: ``gevent`` and ``gthread`` are ``kb serve`` alone with that gunicorn worker class;
``nginx+gthread`` and ``nginx+gevent`` put nginx in front (KB_TRUSTED_PROXIES=1).
"""

from __future__ import annotations

import argparse
import json
import os
import selectors
import socket
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
sys.path.insert(0, str(REPO / "tests"))

from services import Nginx, nginx_binary

PASTE = json.dumps({"text": "Event ID: 1196 ... DNS signature failed to verify", "top": 1}).encode()
SETUPS = ("gevent", "gthread", "nginx+gthread", "nginx+gevent")


def start_server(root: Path, worker_class: str, behind_proxy: bool) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, KB_RATELIMIT_ENABLED="0", KB_FEEDBACK_DB=str(root / "fb.sqlite3"))
    if behind_proxy:
        env["KB_TRUSTED_PROXIES"] = "1"
    command = [str(Path(sys.executable).parent / "kb"), "serve", "--port", "0"]
    command += ["--kb-dir", str(REPO / "kb"), "--index-dir", str(root / "index")]
    command += ["--workers", "2", "--worker-class", worker_class, "--threads", "8"]
    log = open(root / "serve.log", "w", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
    log.close()
    line = proc.stdout.readline()
    if not line.startswith("serving"):
        raise SystemExit(f"kb serve did not start: {line}")
    return proc, line.split()[-1]


class Dribblers(threading.Thread):
    """N connections sending one header line every *every* seconds, reopened when dropped."""

    def __init__(self, url: str, count: int, every: float = 5.0):
        super().__init__(daemon=True)
        host, port = url.removeprefix("http://").split(":")
        self.address = (host, int(port))
        self.count, self.every = count, every
        self.selector = selectors.DefaultSelector()
        self.socks: dict[socket.socket, int] = {}
        self.reopened = 0
        self.refused = 0
        self._halt = threading.Event()

    def _open(self) -> None:
        try:
            sock = socket.create_connection(self.address, timeout=5)
            sock.sendall(b"POST /api/v1/diagnose HTTP/1.1\r\nHost: bench\r\n")
        except OSError:
            self.refused += 1
            return
        sock.setblocking(False)
        self.selector.register(sock, selectors.EVENT_READ)
        self.socks[sock] = 0

    def _drop(self, sock: socket.socket) -> None:
        self.selector.unregister(sock)
        self.socks.pop(sock, None)
        sock.close()

    def open_all(self) -> None:
        while len(self.socks) < self.count:
            self._open()

    def run(self) -> None:
        next_round = time.monotonic() + self.every
        while not self._halt.is_set():
            for key, _ in self.selector.select(timeout=0.2):  # the server closed or answered
                self._drop(key.fileobj)
            if time.monotonic() >= next_round:
                for sock in list(self.socks):
                    self.socks[sock] += 1
                    try:
                        sock.send(f"X-Dribble-{self.socks[sock]}: x\r\n".encode())
                    except OSError:
                        self._drop(sock)
                next_round += self.every
            while len(self.socks) < self.count and not self._halt.is_set():
                self._open()
                self.reopened += 1

    def stop(self) -> None:
        self._halt.set()
        self.join()
        for sock in list(self.socks):
            self._drop(sock)


def measure(url: str, seconds: float) -> tuple[list[float], int]:
    latencies, failures = [], 0
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        started = time.monotonic()
        request = urllib.request.Request(
            url + "/api/v1/diagnose",
            data=PASTE,
            headers={"Content-Type": "application/json", "Connection": "close"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
            latencies.append(time.monotonic() - started)
        except OSError:
            failures += 1
        time.sleep(max(0.0, 0.5 - (time.monotonic() - started)))
    return latencies, failures


def run_setup(name: str, connections: int, seconds: float) -> str:
    behind_proxy = name.startswith("nginx+")
    worker_class = name.removeprefix("nginx+")
    with tempfile.TemporaryDirectory(prefix="kb-slow-") as folder:
        root = Path(folder)
        proc, direct = start_server(root, worker_class, behind_proxy)
        proxy = None
        try:
            url = direct
            if behind_proxy:
                port = int(direct.rsplit(":", 1)[1])
                proxy = Nginx(root / "nginx", REPO / "deploy" / "nginx.conf", port).start()
                url = proxy.url
            baseline, _ = measure(url, 3)
            dribblers = Dribblers(url, connections)
            started = time.monotonic()
            dribblers.open_all()
            opened_in = time.monotonic() - started
            dribblers.start()
            latencies, failures = measure(url, seconds)
            dribblers.stop()
        finally:
            if proxy is not None:
                proxy.stop()
            proc.terminate()
            proc.wait(30)
    worst = max(latencies) if latencies else float("nan")
    median = statistics.median(latencies) if latencies else float("nan")
    verdict = "ok" if latencies and worst < 2.0 and not failures else "BELOW TARGET"
    return (
        f"{name:14} {connections} slow clients (opened in {opened_in:.1f} s, "
        f"{dribblers.reopened} reopened after the server dropped them): normal diagnose median "
        f"{median * 1000:.0f} ms, worst {worst * 1000:.0f} ms, {failures} failed of "
        f"{len(latencies) + failures} (alone: median {statistics.median(baseline) * 1000:.0f} ms)"
        f"  {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring time per set-up")
    parser.add_argument("--setups", nargs="+", choices=SETUPS, default=list(SETUPS))
    args = parser.parse_args()
    for name in args.setups:
        if name.startswith("nginx+") and nginx_binary() is None:
            print(f"{name:14} skipped: nginx is not installed (apt-get install nginx)")
            continue
        print(run_setup(name, args.connections, args.seconds), flush=True)


if __name__ == "__main__":
    main()
