"""`kb serve` as gunicorn runs it, with several worker processes: one KB version everywhere
(X-KB-Version), only publishable entries served, a killed worker replaced, SIGHUP, slow
clients. Each test starts its own server over a private KB."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest
from samples import EVENT_1196
from testkb import DATA, copy_kb, spooler_entry, write_atomic
from webhelpers import start_server, stop_server, worker_pids

pytest_plugins = ["webfixtures"]

WITHIN = 5.0  # a change serves within this many seconds
QUIET = {"KB_RATELIMIT_ENABLED": "0", "KB_WATCH_INTERVAL": "0.3"}


def ask(base: str, text: str, timeout: float = 10) -> tuple[str, str | None]:
    """(X-KB-Version, first entry id) for one paste, on a connection of its own."""
    request = urllib.request.Request(
        base + "/api/v1/diagnose",
        data=json.dumps({"text": text, "top": 1}).encode(),
        headers={"Content-Type": "application/json", "Connection": "close"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        results = json.loads(response.read())["results"]
        return response.headers["X-KB-Version"], (results[0]["id"] if results else None)


def get(base: str, path: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), exc.read().decode()


def eventually(check, what: str, within: float = WITHIN) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {within} s: {what}")


@contextmanager
def asking(base: str, clients: int):
    """*clients* threads pasting EVENT_1196 over and over until the block ends; yields the
    outcome of every request, in order (True: answered)."""
    results: list[bool] = []
    stop = threading.Event()

    def client():
        while not stop.is_set():
            try:
                ask(base, EVENT_1196)
                results.append(True)
            except Exception:  # noqa: BLE001 - counted
                results.append(False)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    try:
        yield results
    finally:
        stop.set()
        for thread in threads:
            thread.join()


@pytest.fixture
def served(tmp_path):
    kb = copy_kb(DATA / "kb_small", tmp_path)
    proc, url = start_server(tmp_path, kb, env=QUIET, args=("--workers", "2"))
    try:
        yield proc, url, kb
    finally:
        stop_server(proc)


def test_every_worker_answers_from_one_version_and_never_goes_back(served):
    proc, base, kb = served
    eventually(lambda: len(worker_pids(proc)) == 2, "two workers")
    _, health, body = get(base, "/healthz")
    old = json.loads(body)["kb_version"]
    assert health["X-KB-Version"] == old
    seen: list[tuple[float, float, str]] = []  # (sent, answered, version)
    failures: list[str] = []
    stop = threading.Event()

    def client():
        while not stop.is_set():
            sent = time.monotonic()
            try:
                version, _ = ask(base, EVENT_1196)
            except Exception as exc:  # noqa: BLE001 - any failed request is a bug here
                failures.append(repr(exc))
                continue
            seen.append((sent, time.monotonic(), version))

    clients = [threading.Thread(target=client) for _ in range(6)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(0.5)
        write_atomic(kb / "spooler-quasar.md", spooler_entry("quasar"))
        eventually(
            lambda: ask(base, "the quasar driver stopped the spooler")[1] == "spooler-quasar",
            "the new entry answers",
        )
        time.sleep(1.0)  # keep asking for a while after the swap
    finally:
        stop.set()
        for thread in clients:
            thread.join()
    assert failures == []
    versions = {v for _, _, v in seen}
    assert old in versions and len(versions) == 2
    new = (versions - {old}).pop()
    first_new = min(answered for _, answered, v in seen if v == new)
    late_old = [sent - first_new for sent, _, v in seen if v == old and sent > first_new]
    assert late_old == [], "a request sent after the new version was served got the old one"
    assert json.loads(get(base, "/healthz")[2])["kb_version"] == new


def test_only_published_entries_that_pass_lint_are_served(served):
    _proc, base, kb = served
    path = kb / "spooler-quasar.md"
    question = "the pulsar driver stopped the spooler"

    write_atomic(path, spooler_entry("pulsar", status="draft"))  # a draft: never served
    eventually(lambda: "spooler-quasar.md" in get(base, "/kb/_status")[2], "the draft is listed")
    assert ask(base, question)[1] != "spooler-quasar"
    assert get(base, "/api/v1/entries/spooler-quasar")[0] == 404

    write_atomic(
        path, spooler_entry("pulsar").replace("## Cause", "## Cuase")
    )  # published, fails lint
    eventually(lambda: "unknown section" in get(base, "/kb/_status")[2], "the problem is listed")
    status = get(base, "/kb/_status")[2]
    assert "spooler-quasar.md:15:1: unknown section &#39;Cuase&#39;" in status
    assert ask(base, question)[1] != "spooler-quasar"  # never good: absent

    write_atomic(path, spooler_entry("pulsar"))  # fixed: served within 5 s
    eventually(lambda: ask(base, question)[1] == "spooler-quasar", "the fixed entry answers")
    assert "No problems" in get(base, "/kb/_status")[2]

    write_atomic(path, spooler_entry("quasar").replace("phrase:", "phrse:"))  # broken again
    eventually(lambda: "spooler-quasar.md" in get(base, "/kb/_status")[2], "the problem is listed")
    assert ask(base, question)[1] == "spooler-quasar"  # the last good version serves
    served_entry = json.loads(get(base, "/api/v1/entries/spooler-quasar")[2])
    assert "pulsar" in served_entry["title"] and served_entry["status"] == "published"


def test_a_killed_worker_is_replaced_and_only_requests_in_flight_fail(served):
    proc, base, _kb = served
    eventually(lambda: len(worker_pids(proc)) == 2, "two workers")
    workers = worker_pids(proc)
    with asking(base, 4) as results:
        time.sleep(1.0)
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        eventually(
            lambda: len(worker_pids(proc) - {victim}) == 2, "gunicorn starts another worker", 20
        )
        time.sleep(1.0)
    failed = results.count(False)
    assert failed <= 4, f"{failed} failed requests: more than the ones in flight"
    assert results[-20:] == [True] * 20
    assert victim not in worker_pids(proc)


def test_sighup_replaces_the_workers_without_failing_a_request(served):
    proc, base, _kb = served
    eventually(lambda: len(worker_pids(proc)) == 2, "two workers")
    before = worker_pids(proc)
    version = json.loads(get(base, "/healthz")[2])["kb_version"]
    with asking(base, 3) as results:
        time.sleep(0.5)
        proc.send_signal(signal.SIGHUP)
        eventually(
            lambda: len(worker_pids(proc)) == 2 and not worker_pids(proc) & before,
            "new workers",
            30,
        )
        time.sleep(0.5)
    assert results and results.count(False) == 0
    assert json.loads(get(base, "/healthz")[2])["kb_version"] == version


def slow_clients(base: str, count: int) -> list[socket.socket]:
    """*count* connections that start a request and then send nothing more (slowloris)."""
    host, port = base.removeprefix("http://").split(":")
    opened = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.sendall(b"POST /api/v1/diagnose HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
        opened.append(sock)
    return opened


def assert_answered_promptly_despite_slow_clients(base: str) -> None:
    """With 300 slow clients open (more than 2 workers x 4 threads, many times), five pastes
    in a row are each answered, right, within 2 s."""
    opened: list[socket.socket] = []
    try:
        opened = slow_clients(base, 300)
        for _ in range(5):
            started = time.monotonic()
            assert ask(base, EVENT_1196, timeout=5)[1] == "dns-signature"
            assert time.monotonic() - started < 2.0
    finally:
        for sock in opened:
            sock.close()


@pytest.mark.parametrize("worker_class", ["gevent"])
def test_slow_clients_do_not_delay_a_normal_diagnose(tmp_path, worker_class):
    kb = copy_kb(DATA / "kb_small", tmp_path)
    proc, base = start_server(
        tmp_path, kb, env=QUIET, args=("--workers", "2", "--worker-class", worker_class)
    )
    try:
        assert_answered_promptly_despite_slow_clients(base)
    finally:
        stop_server(proc)


@pytest.fixture
def behind_nginx(tmp_path):
    """The production set-up: the shipped deploy/nginx.conf in front of kb serve (gthread)."""
    from services import Nginx, nginx_binary, require
    from testkb import REPO

    require("nginx", nginx_binary() is not None)
    kb = copy_kb(DATA / "kb_small", tmp_path)
    env = {**QUIET, "KB_TRUSTED_PROXIES": "1"}
    args = ("--workers", "2", "--worker-class", "gthread", "--threads", "4")
    proc, base = start_server(tmp_path, kb, env=env, args=args)
    port = int(base.rsplit(":", 1)[1])
    proxy = Nginx(tmp_path / "nginx", REPO / "deploy" / "nginx.conf", port).start()
    try:
        yield proxy.url, base
    finally:
        proxy.stop()
        stop_server(proc)


def test_behind_nginx_slow_clients_wait_in_nginx_not_in_a_worker(behind_nginx):
    front, _direct = behind_nginx
    assert_answered_promptly_despite_slow_clients(front)


def test_behind_nginx_the_client_address_and_the_site_are_the_proxys(behind_nginx):
    front, _direct = behind_nginx
    # a form from this site, as a browser sends it through the proxy: accepted
    request = urllib.request.Request(
        front + "/diagnose",
        data=b"text=Event+ID+1196+DNS+signature+failed+to+verify",
        headers={"Origin": front, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    # one vote per client: the client is the address nginx saw, not nginx itself
    vote = json.dumps({"entry": "dns-signature", "solved": True}).encode()

    def post(headers):
        request = urllib.request.Request(
            front + "/api/v1/feedback",
            data=vote,
            headers={"Content-Type": "application/json", **headers},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code

    assert post({}) == 201
    assert post({"X-Forwarded-For": "10.9.9.9"}) == 409  # a spoofed header changes nothing
