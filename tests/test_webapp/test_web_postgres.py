"""`kb serve` on a real PostgreSQL: two servers share their feedback at once; a database that is
down at start is one clear line; a database lost while serving costs feedback (503) but not
diagnoses, and is used again as soon as it is back."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from samples import EVENT_1196
from testkb import DATA, copy_kb
from webhelpers import start_server, stop_server

pytest_plugins = ["webfixtures"]


def call(base: str, path: str, body: dict | None = None, address: str | None = None):
    headers = {"Content-Type": "application/json"}
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, dict(exc.headers), json.loads(exc.read())


def test_two_servers_on_one_database_see_each_others_feedback_at_once(tmp_path, postgres_url):
    env = {"KB_DATABASE_URL": postgres_url, "KB_RATELIMIT_ENABLED": "0"}
    servers = []
    try:
        for name in ("a", "b"):
            root = tmp_path / name
            root.mkdir()
            servers.append(start_server(root, copy_kb(DATA / "kb_small", root), env=env))
        (_, first), (_, second) = servers
        vote = {"entry": "dns-signature", "solved": True}
        assert call(first, "/api/v1/feedback", vote)[0] == 201
        status, _, body = call(second, "/api/v1/entries/dns-signature")
        assert status == 200 and body["feedback"] == {"solved": 1, "not_helpful": 0}
        # one client, two nodes: still one vote
        assert call(second, "/api/v1/feedback", vote)[0] == 409
        assert call(second, "/api/v1/feedback", {**vote, "entry": "dns-server"})[0] == 201
        assert call(first, "/api/v1/entries/dns-server")[2]["feedback"]["solved"] == 1
        # and both nodes serve the same KB version
        assert call(first, "/healthz")[2]["kb_version"] == call(second, "/healthz")[2]["kb_version"]
    finally:
        for proc, _url in servers:
            stop_server(proc)


def test_a_database_down_at_start_is_one_line_without_the_password(tmp_path):
    kb = copy_kb(DATA / "kb_small", tmp_path)
    url = "postgresql://kb:hunter2@127.0.0.1:1/kb"
    result = subprocess.run(
        [str(Path(sys.executable).parent / "kb"), "serve", "--port", "0", "--kb-dir", str(kb)],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "KB_DATABASE_URL": url, "KB_INDEX_DIR": str(tmp_path / "ix")},
    )
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert errors == [errors[0]] and errors[0].startswith(
        "Error: cannot connect to the database postgresql://kb@127.0.0.1:1/kb: "
    )
    assert "hunter2" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


@pytest.fixture
def own_postgres():
    """A cluster of this test's own, to stop and start."""
    from services import Postgres, postgres_bindir, require

    require("postgres", postgres_bindir() is not None)
    cluster = Postgres().init()
    yield cluster
    cluster.destroy()


def test_a_database_lost_while_serving_costs_feedback_not_diagnoses(tmp_path, own_postgres):
    kb = copy_kb(DATA / "kb_small", tmp_path)
    env = {"KB_DATABASE_URL": own_postgres.url, "KB_RATELIMIT_ENABLED": "0"}
    proc, base = start_server(tmp_path, kb, env=env, args=("--workers", "1"))
    try:
        vote = {"entry": "dns-signature", "solved": True}
        assert call(base, "/api/v1/feedback", vote, address=None)[0] == 201

        own_postgres.stop()
        status, _, body = call(base, "/api/v1/diagnose", {"text": EVENT_1196})
        assert status == 200 and body["results"][0]["id"] == "dns-signature"
        status, headers, body = call(base, "/api/v1/feedback", {**vote, "entry": "dns-server"})
        assert status == 503 and body["error"]["code"] == "store_unavailable"
        assert set(body) == {"error"} and headers["Retry-After"] == "10"
        status, _, body = call(base, "/api/v1/entries/dns-signature")
        assert status == 200 and body["feedback"] is None  # the entry still shows
        assert call(base, "/healthz")[0] == 200

        own_postgres.start()
        deadline = time.monotonic() + 30
        while True:
            status, _, body = call(base, "/api/v1/feedback", {**vote, "entry": "dns-server"})
            if status == 201 or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        assert status == 201, body
        assert call(base, "/api/v1/entries/dns-signature")[2]["feedback"]["solved"] == 1
    finally:
        stop_server(proc)
