"""Live reload against a running `kb serve`: add, edit, break, fix and delete an entry.

Each change must be served within 5 seconds, without a restart and without a failed request.
`kb serve` runs one worker process per core, each watching the folder on its own, so "served"
means served by every worker: a check passes once it holds for several requests in a row,
spread over more than one watch interval, not when the first worker to reload answers.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
from testkb import DATA, copy_kb, spooler_entry, write_atomic
from webhelpers import start_server, stop_server

pytest_plugins = ["webfixtures"]

WITHIN = 5.0
WATCH_INTERVAL = 0.5
IN_A_ROW = 8  # 8 polls 0.1 s apart span more than one watch interval of every worker


@pytest.fixture
def server(tmp_path):
    kb = copy_kb(DATA / "kb_small", tmp_path)
    with open(tmp_path / "server.log", "w") as log:
        proc, url = start_server(
            tmp_path,
            kb,
            env={"KB_WATCH_INTERVAL": str(WATCH_INTERVAL), "KB_RATELIMIT_ENABLED": "0"},
            stderr=log,
        )
        try:
            yield url, kb, tmp_path / "server.log"
        finally:
            stop_server(proc)


def post_json(url: str, data: dict) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(data).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())


def get_text(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def eventually(check, what: str) -> float:
    """Seconds until *check()* holds on IN_A_ROW polls in a row; fails after WITHIN seconds."""
    started = time.time()
    streak = 0
    while time.time() - started < WITHIN:
        streak = streak + 1 if check() else 0
        if streak >= IN_A_ROW:
            return time.time() - started
        time.sleep(0.1)
    raise AssertionError(f"not within {WITHIN} s: {what}")


def first_id(base: str, text: str) -> str | None:
    results = post_json(base + "/api/v1/diagnose", {"text": text, "top": 1})["results"]
    return results[0]["id"] if results else None


def entry_ids(base: str) -> list[str]:
    return [e["id"] for e in json.loads(get_text(base + "/api/v1/entries"))["entries"]]


def test_add_edit_break_fix_delete_without_restart_or_failed_request(server):
    base, kb, log = server
    path = kb / "spooler-quasar.md"
    failures: list[str] = []
    stop = threading.Event()

    def keep_asking():  # a helpdesk agent using the page all along
        while not stop.is_set():
            try:
                if (
                    first_id(base, "Event ID 1196 DNS signature failed to verify")
                    != "dns-signature"
                ):
                    failures.append("wrong answer")
            except Exception as exc:  # noqa: BLE001 - any failed request is the bug
                failures.append(repr(exc))

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        write_atomic(path, spooler_entry("quasar"))  # add
        eventually(
            lambda: first_id(base, "the quasar driver stopped the spooler") == "spooler-quasar",
            "the added entry answers",
        )
        eventually(lambda: "spooler-quasar" in entry_ids(base), "the added entry is listed")

        write_atomic(path, spooler_entry("pulsar"))  # edit
        eventually(
            lambda: first_id(base, "the pulsar driver stopped the spooler") == "spooler-quasar",
            "the edited rule answers",
        )

        write_atomic(
            path, spooler_entry("pulsar").replace("kind: troubleshooting", "kind: [oops")
        )  # break
        eventually(
            lambda: "spooler-quasar.md:" in get_text(base + "/kb/_status"),
            "the error on /kb/_status",
        )
        status = get_text(base + "/kb/_status")
        assert "front matter is not valid YAML" in status
        assert (
            first_id(base, "the pulsar driver stopped the spooler") == "spooler-quasar"
        )  # last good version
        assert "spooler-quasar.md" in log.read_text()  # and in the log

        write_atomic(path, spooler_entry("pulsar"))  # fix
        eventually(lambda: "No problems" in get_text(base + "/kb/_status"), "the error clears")

        path.unlink()  # delete
        eventually(
            lambda: first_id(base, "the pulsar driver stopped the spooler") != "spooler-quasar",
            "the deleted entry is gone",
        )
        with pytest.raises(urllib.error.HTTPError) as err:
            get_text(base + "/api/v1/entries/spooler-quasar")
        err.value.close()  # an HTTPError holds the response's socket
        assert err.value.code == 404
    finally:
        stop.set()
        asker.join()
    assert failures == []
