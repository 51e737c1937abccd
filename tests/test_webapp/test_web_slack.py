"""The Slack slash command: signatures (valid, wrong, stale, future, missing, replayed),
ssl_check, unconfigured; the acknowledgement, and the answer posted to a real local HTTP
server standing in for Slack's response_url; where follow-ups may go."""

from __future__ import annotations

import json
import re
import time

import pytest
from samples import EVENT_1196, NOT_COVERED, UNRELATED
from services import Recorder
from webhelpers import SLACK_SECRET, slack_headers, slash

pytest_plugins = ["webfixtures"]

URL = "/api/v1/slack"


@pytest.fixture
def app(slack_app):
    return slack_app


def post(client, body: bytes, headers: dict):
    return client.post(URL, data=body, headers=headers)


def assert_refused(response) -> None:
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {"code": "unauthorized", "message": "The request could not be verified."}
    }


def assert_block_kit_limits(reply: dict) -> None:
    assert isinstance(reply["text"], str) and reply["text"]
    blocks = reply["blocks"]
    assert 1 <= len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            text = block["text"]["text"]
            assert len(text) <= 3000
            assert text.count("```") % 2 == 0, "a code block left open"
            assert text.count("<") == text.count(">"), "a link cut in half"
        if block["type"] == "context":
            assert 1 <= len(block["elements"]) <= 10
            assert all(len(e["text"]) <= 3000 for e in block["elements"])
        if block["type"] == "actions":
            assert all(len(e["value"]) <= 2000 for e in block["elements"])
    assert len(json.dumps(reply)) < 40_000


def answered(client, hook, text: str, **extra) -> tuple[dict, dict]:
    """Send the command; the acknowledgement and the follow-up the stand-in received."""
    body = slash(text, response_url=hook.url(), **extra)
    ack = post(client, body, slack_headers(body))
    assert ack.status_code == 200, ack.get_data(as_text=True)
    path, followup = hook.next()
    assert path == "/commands/T1/1/secret"
    return ack.get_json(), followup


def buttons(message: dict) -> dict[str, dict]:
    return {
        element["action_id"]: element
        for block in message["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
    }


def nothing_more_sent(app, hook) -> bool:
    assert app.extensions["kb_followups"].wait_idle(30)
    return hook.received.empty()


def test_a_command_is_acknowledged_then_answered_at_the_response_url(app, client, hook):
    ack, answer = answered(client, hook, EVENT_1196)
    assert ack["response_type"] == "ephemeral" and ack["text"] == "Looking that up…"
    assert_block_kit_limits(answer)
    assert answer["response_type"] == "ephemeral"
    first = answer["blocks"][0]["text"]["text"]
    assert "<http://localhost/kb/dns-signature|Event 1196" in first
    assert re.search(r"Confidence \*(9\d|100)%\* \(high\)", first)
    steps = answer["blocks"][1]["text"]["text"]
    assert steps.startswith("*First steps*\n1. In DNS Management, open the record's Security tab.")
    whys = [b for b in answer["blocks"] if "_Why:_" in json.dumps(b)]
    assert len(whys) == 1 and len(whys[0]["elements"][0]["text"]) <= 170
    pressed = buttons(answer)
    assert list(pressed) == ["kb_solved", "kb_not_solved", "kb_show"]
    value = json.loads(pressed["kb_solved"]["value"])
    assert value["e"] == "dns-signature"
    assert f"<http://localhost/r/{value['t']}|" in json.dumps(answer)
    with app.test_request_context():
        from webapp import permalinks

        assert permalinks.load(value["t"])["paste"] == EVENT_1196.strip()
    assert nothing_more_sent(app, hook)


def test_no_confident_answer_is_one_line_three_titles_and_a_request_button(app, client, hook):
    _ack, answer = answered(client, hook, NOT_COVERED)
    assert_block_kit_limits(answer)
    assert answer["text"] == "No confident answer for that paste."
    assert answer["blocks"][0]["text"]["text"] == "No confident answer for that paste."
    nearest = answer["blocks"][1]["text"]["text"]
    assert nearest.startswith("Nearest:\n• <http://localhost/kb/")
    assert 1 <= nearest.count("\n• ") <= 3
    assert list(buttons(answer)) == ["kb_request"]
    with app.app_context():
        from webapp.feedback import store

        gaps = store().list_gaps()
    assert len(gaps) == 1 and gaps[0].count == 1 and "0x0000232B" in gaps[0].template


def test_nothing_near_is_said_plainly(client, hook):
    _ack, answer = answered(client, hook, UNRELATED)
    assert answer["text"] == "No confident answer for that paste."
    assert "Nearest" not in json.dumps(answer)
    assert list(buttons(answer)) == ["kb_request"]


@pytest.mark.parametrize("text", ["", "   ", "help", " HELP "])
def test_help_and_an_empty_text_get_the_usage_at_once(app, client, hook, text):
    body = slash(text, response_url=hook.url())
    response = post(client, body, slack_headers(body))
    assert response.status_code == 200
    usage = response.get_json()["blocks"][0]["text"]["text"]
    for words in ("Paste an error after `/kb`", "`/kb search WORDS`", "*Solved it*"):
        assert words in usage
    assert "*Show to channel*" in usage and "http://localhost/" in usage
    assert nothing_more_sent(app, hook)


def test_search_lists_entries_by_title(app, client, hook):
    body = slash("search cluster DNS", response_url=hook.url())
    reply = post(client, body, slack_headers(body)).get_json()
    text = reply["blocks"][0]["text"]["text"]
    assert "<http://localhost/kb/dns-signature|Event 1196" in text
    assert all("dns" in line.lower() for line in text.split("\n")[1:])
    body = slash("search nothing-has-this-title", response_url=hook.url())
    assert post(client, body, slack_headers(body)).get_json()["text"].endswith(": none.")
    assert nothing_more_sent(app, hook)


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "https://evil.example/commands/1",
        "https://hooks.slack.com.evil.example/x",
        "http://hooks.slack.com/commands/1",  # Slack's host, but not https
        "https://user:pw@hooks.slack.com/x",
        "file:///etc/passwd",
        "https://hooks.slack.com:99999/x",
        "https://[::1/x",
        "https://hooks.slack.com/" + "x" * 3000,
    ],
)
def test_follow_ups_go_only_to_allowed_hosts(make_app, caplog, url):
    app = make_app()  # no allow-list: Slack's own hosts only
    body = slash(EVENT_1196, **({"response_url": url} if url is not None else {}))
    if url is None:
        body = body.replace(
            b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234%2F5678", b""
        )
        assert b"response_url" not in body
    reply = post(app.test_client(), body, slack_headers(body)).get_json()
    assert reply["text"] == "This command came without a reply address."
    assert app.extensions["kb_followups"].wait_idle(30)
    assert "follow-up dropped: response_url host" in caplog.text


def test_an_unlisted_local_server_gets_no_request(make_app, hook):
    app = make_app()  # the stand-in is not on the allow-list
    body = slash(EVENT_1196, response_url=hook.url())
    assert post(app.test_client(), body, slack_headers(body)).status_code == 200
    assert nothing_more_sent(app, hook)


def test_a_replayed_command_is_answered_once(app, client, hook):
    body = slash(EVENT_1196, response_url=hook.url())
    headers = slack_headers(body)
    assert post(client, body, headers).status_code == 200
    replay = post(client, body, headers)
    assert replay.status_code == 409
    assert replay.get_json()["error"]["code"] == "replayed"
    hook.next()
    assert nothing_more_sent(app, hook)


def test_a_follow_up_slack_refuses_is_logged_not_retried(make_app, caplog):
    with Recorder(status=404) as refusing:
        app = make_app(KB_SLACK_RESPONSE_URL_ALLOW=refusing.host)
        body = slash(EVENT_1196, response_url=refusing.url())
        assert post(app.test_client(), body, slack_headers(body)).status_code == 200
        refusing.next()
        assert app.extensions["kb_followups"].wait_idle(30)
        assert refusing.received.empty()  # one attempt only
    assert "follow-up to 127.0.0.1 refused: HTTP 404 (not retried)" in caplog.text
    assert "/commands/T1/1/secret" not in caplog.text  # the URL's path is a credential


def test_a_full_pool_says_busy_instead_of_queueing(make_app, hook):
    import threading

    app = make_app(KB_SLACK_RESPONSE_URL_ALLOW=hook.host)
    from webapp.followup import Followups

    app.extensions["kb_followups"] = pool = Followups(max_pending=1, workers=1)
    release = threading.Event()
    assert pool.submit(release.wait)
    body = slash(EVENT_1196, response_url=hook.url())
    reply = post(app.test_client(), body, slack_headers(body)).get_json()
    assert reply["text"].startswith("Too many answers are on their way")
    release.set()
    assert pool.wait_idle(30) and hook.received.empty()
    assert pool.submit(lambda: None)  # the slot is free again


def test_a_huge_entry_stays_within_block_kit_limits(make_app, hostile_diagnoser, hook):
    app = make_app(diagnoser=hostile_diagnoser, KB_SLACK_RESPONSE_URL_ALLOW=hook.host)
    client = app.test_client()
    _ack, answer = answered(
        client, hook, "Event ID: 5151 Source: Microsoft-Windows-FailoverClustering"
    )
    assert_block_kit_limits(answer)
    steps = answer["blocks"][1]["text"]["text"]
    assert steps.count("\n") == 3  # the heading and three steps, not 199
    assert "(size &lt; 5 MB)" in steps and " &amp; " in steps  # Slack's escaping


def test_hostile_text_is_escaped_for_slack(make_app, hostile_diagnoser, hook):
    app = make_app(diagnoser=hostile_diagnoser, KB_SLACK_RESPONSE_URL_ALLOW=hook.host)
    _ack, answer = answered(app.test_client(), hook, "Event ID: 4242 the hostile service failed")
    assert_block_kit_limits(answer)
    text = json.dumps(answer)
    assert "<script" not in text and "javascript:" not in text and "<img" not in text


def test_timestamps_within_five_minutes_are_accepted(client, hook):
    body = slash(EVENT_1196, response_url=hook.url())
    for offset in (-290, 290):
        headers = slack_headers(body, timestamp=int(time.time()) + offset)
        assert post(client, body, headers).status_code == 200
        hook.next()


def test_slack_escaping_is_undone_before_diagnosing(client, hook):
    from webapp.slack import unescape_slack

    assert unescape_slack("a &lt;b&gt; &amp;lt; c") == "a <b> &lt; c"
    escaped = EVENT_1196.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    _ack, answer = answered(client, hook, escaped + " <Computer> & more")
    assert "dns-signature" in answer["blocks"][0]["text"]["text"]


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


def test_the_secret_is_never_echoed(client, hook, caplog):
    body = slash(EVENT_1196, response_url=hook.url())
    for response in (post(client, body, {}), post(client, body, slack_headers(body))):
        assert SLACK_SECRET not in response.get_data(as_text=True)
    assert SLACK_SECRET not in json.dumps(hook.next()) and SLACK_SECRET not in caplog.text
