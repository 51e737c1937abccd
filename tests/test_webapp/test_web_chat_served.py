"""The Slack follow-up under a real `kb serve`, with each of gunicorn's worker classes: the
acknowledgement comes back and the answer reaches a real local response_url, so the pool of
threads works where the event loop holds the connections (gevent) and where threads do."""

from __future__ import annotations

import json
import urllib.request

import pytest
from samples import EVENT_1196
from services import Recorder
from testkb import DATA, copy_kb
from webhelpers import SLACK_SECRET, slack_headers, slash, start_server, stop_server

pytest_plugins = ["webfixtures"]


@pytest.mark.parametrize("worker_class", ["gevent", "gthread"])
def test_a_slack_command_is_answered_through_response_url(tmp_path, worker_class):
    with Recorder() as hook:
        env = {"SLACK_SIGNING_SECRET": SLACK_SECRET, "KB_SLACK_RESPONSE_URL_ALLOW": hook.host}
        kb = copy_kb(DATA / "kb_small", tmp_path)
        proc, base = start_server(tmp_path, kb, env=env, args=("--worker-class", worker_class))
        try:
            body = slash(EVENT_1196, response_url=hook.url())
            request = urllib.request.Request(
                base + "/api/v1/slack", data=body, headers=slack_headers(body)
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                assert json.loads(response.read())["text"] == "Looking that up…"
            path, answer = hook.next(timeout=60)
        finally:
            stop_server(proc)
    assert path == "/commands/T1/1/secret"
    assert "/kb/dns-signature|" in answer["blocks"][0]["text"]["text"]
    assert f"<{base}/r/" in json.dumps(answer)
