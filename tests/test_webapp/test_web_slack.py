"""The Slack slash command: signatures (valid, wrong, stale, future, missing), ssl_check,
unconfigured, and Block Kit replies within Slack's limits."""

from __future__ import annotations

import json
import re
import time
from urllib.parse import urlencode

import pytest
from samples import EVENT_1196, NOT_COVERED, UNRELATED
from webhelpers import SLACK_SECRET, slack_headers

pytest_plugins = ["webfixtures"]

URL = "/api/v1/slack"


def slash(text: str, **extra) -> bytes:
    fields = {
        "token": "legacy-token",
        "team_id": "T0001",
        "team_domain": "example",
        "channel_id": "C2147483705",
        "channel_name": "helpdesk",
        "user_id": "U2147483697",
        "user_name": "steve",
        "command": "/kb",
        "text": text,
        "response_url": "https://hooks.slack.com/commands/1234/5678",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
    fields.update(extra)
    return urlencode(fields).encode()


def post(client, body: bytes, headers: dict):
    return client.post(URL, data=body, headers=headers)


def assert_refused(response) -> None:
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {"code": "unauthorized", "message": "The request could not be verified."}
    }


def assert_block_kit_limits(reply: dict) -> None:
    assert reply["response_type"] == "ephemeral"
    assert isinstance(reply["text"], str) and reply["text"]
    blocks = reply["blocks"]
    assert 1 <= len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert block["text"]["type"] == "plain_text" and len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            text = block["text"]["text"]
            assert len(text) <= 3000
            assert text.count("```") % 2 == 0, "a code block left open"
            assert text.count("<") == text.count(">"), "a link cut in half"
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
    assert len(json.dumps(reply)) < 40_000


def test_a_signed_command_gets_the_top_remedies_as_block_kit(client):
    body = slash(EVENT_1196)
    started = time.perf_counter()
    response = post(client, body, slack_headers(body))
    assert time.perf_counter() - started < 3  # Slack's deadline
    assert response.status_code == 200 and response.mimetype == "application/json"
    reply = response.get_json()
    assert_block_kit_limits(reply)
    assert reply["blocks"][0]["text"]["text"].startswith("Top remedies")
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    assert "dns-signature" in sections[0] and re.search(r"Confidence \*(9\d|100)%\*", sections[0])
    assert "Give the cluster name object Full Control." in sections[1]
    assert "<http://localhost/kb/dns-signature|Full entry>" in json.dumps(reply)
    assert "Event 1196" in reply["text"]
    assert sum(1 for s in sections if "Confidence" in s) <= 3


def test_no_confident_answer_has_a_clear_header(client):
    body = slash(NOT_COVERED)
    reply = post(client, body, slack_headers(body)).get_json()
    assert_block_kit_limits(reply)
    assert reply["blocks"][0]["text"]["text"] == "No confident answer: the nearest entries"
    assert "nearest, not a confident match" in json.dumps(reply)


def test_nothing_matched_is_said_plainly(client):
    body = slash(UNRELATED)
    reply = post(client, body, slack_headers(body)).get_json()
    assert_block_kit_limits(reply)
    assert reply["text"].startswith("No entry matched anything")


def test_empty_text_gets_the_usage(client):
    body = slash("   ")
    response = post(client, body, slack_headers(body))
    assert response.status_code == 200
    reply = response.get_json()
    assert reply["response_type"] == "ephemeral" and reply["text"].startswith("Usage: /kb")


def test_wrong_signature_is_refused(client):
    body = slash(EVENT_1196)
    assert_refused(post(client, body, slack_headers(body, secret="not-the-secret")))
    headers = slack_headers(body)
    headers["X-Slack-Signature"] = headers["X-Slack-Signature"][:-1] + (
        "0" if headers["X-Slack-Signature"][-1] != "0" else "1"
    )
    assert_refused(post(client, body, headers))
    headers["X-Slack-Signature"] = "v0=ünïcode"
    assert_refused(post(client, body, headers))


def test_the_signature_covers_the_raw_body(client):
    body = slash(EVENT_1196)
    headers = slack_headers(body)
    tampered = body.replace(b"helpdesk", b"helpdesx")
    assert_refused(post(client, tampered, headers))


@pytest.mark.parametrize("offset", [-301, -3600, 301, 86400])
def test_stale_or_future_timestamps_are_refused(client, offset):
    body = slash(EVENT_1196)
    assert_refused(post(client, body, slack_headers(body, timestamp=int(time.time()) + offset)))


def test_timestamps_within_five_minutes_are_accepted(client):
    body = slash(EVENT_1196)
    for offset in (-290, 290):
        assert (
            post(client, body, slack_headers(body, timestamp=int(time.time()) + offset)).status_code
            == 200
        )


@pytest.mark.parametrize("drop", ["X-Slack-Signature", "X-Slack-Request-Timestamp"])
def test_missing_headers_are_refused(client, drop):
    body = slash(EVENT_1196)
    headers = slack_headers(body)
    del headers[drop]
    assert_refused(post(client, body, headers))


def test_malformed_timestamps_are_refused(client):
    body = slash(EVENT_1196)
    for ts in ("", "abc", "1e9", "-1", "１２３"):
        headers = slack_headers(body)
        headers["X-Slack-Request-Timestamp"] = ts
        assert_refused(post(client, body, headers))


def test_ssl_check_gets_an_empty_200(client):
    response = client.post(URL, data={"ssl_check": "1", "token": "legacy-token"})
    assert response.status_code == 200 and response.data == b""
    response = client.get(URL + "?ssl_check=1")
    assert response.status_code == 200 and response.data == b""


def test_get_without_ssl_check_is_405(client):
    response = client.get(URL)
    assert (
        response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    )


def test_unconfigured_slack_refuses_everything(make_app):
    client = make_app(SLACK_SIGNING_SECRET=None).test_client()
    body = slash(EVENT_1196)
    response = post(client, body, slack_headers(body))
    assert response.status_code == 503
    assert response.get_json()["error"] == {
        "code": "not_configured",
        "message": "Slack is not configured on this server: set SLACK_SIGNING_SECRET.",
    }
    assert client.post(URL, data={"ssl_check": "1"}).status_code == 503


def test_a_huge_entry_stays_within_block_kit_limits(make_app, hostile_diagnoser):
    client = make_app(diagnoser=hostile_diagnoser).test_client()
    body = slash("Event ID: 5151 Source: Microsoft-Windows-FailoverClustering")
    reply = post(client, body, slack_headers(body)).get_json()
    assert_block_kit_limits(reply)
    sections = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "section"]
    fix = next(s for s in sections if s.startswith("*Fix*"))
    assert 2500 < len(fix) <= 3000
    assert fix.rstrip().endswith("|read the full entry>")
    assert "(size &lt; 5 MB)" in fix and " &amp; " in fix  # Slack's escaping
    assert "<https://docs.example.com/step/1?a=1&amp;b=2|the doc>" in fix


def test_hostile_text_is_escaped_for_slack(make_app, hostile_diagnoser):
    client = make_app(diagnoser=hostile_diagnoser).test_client()
    body = slash("Event ID: 4242 the hostile service failed")
    reply = post(client, body, slack_headers(body)).get_json()
    assert_block_kit_limits(reply)
    text = json.dumps(reply)
    assert "<script" not in text and "javascript:" not in text and "<img" not in text
    assert "|Source>" not in text  # the javascript: source is not linked


def test_the_secret_is_never_echoed(client):
    body = slash(EVENT_1196)
    for response in (post(client, body, {}), post(client, body, slack_headers(body))):
        assert SLACK_SECRET not in response.get_data(as_text=True)


def test_slack_escaping_is_undone_before_diagnosing(client):
    from webapp.chatops import unescape_slack

    assert unescape_slack("a &lt;b&gt; &amp;lt; c") == "a <b> &lt; c"
    escaped = EVENT_1196.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = slash(escaped + " <Computer> & more")
    reply = post(client, body, slack_headers(body)).get_json()
    assert "dns-signature" in reply["blocks"][2]["text"]["text"]
