"""Slack's buttons (block_actions to /api/v1/slack/interactions): signed like commands,
feedback counted on the entry, the message updated in place through a real local stand-in
for response_url, the gap queue fed, "Show to channel", and what is not ours ignored."""

from __future__ import annotations

import json
import time

import pytest
from samples import EVENT_1196, NOT_COVERED
from webhelpers import block_actions, slack_headers, slash

pytest_plugins = ["webfixtures"]

URL = "/api/v1/slack/interactions"


@pytest.fixture
def app(slack_app):
    return slack_app


def answer(client, hook, text: str = EVENT_1196) -> dict[str, str]:
    """Run the command; the buttons of its follow-up, action id -> value."""
    body = slash(text, response_url=hook.url())
    assert client.post("/api/v1/slack", data=body, headers=slack_headers(body)).status_code == 200
    _path, message = hook.next()
    return {
        e["action_id"]: e["value"]
        for block in message["blocks"]
        if block["type"] == "actions"
        for e in block["elements"]
    }


def press(client, hook, action_id: str, value: str, **extra):
    body = block_actions(action_id, value, hook.url("/actions/T1/2/secret"), **extra)
    return client.post(URL, data=body, headers=slack_headers(body))


def counts(app, entry: str = "dns-signature") -> dict:
    with app.app_context():
        from webapp.feedback import store

        return store().feedback_counts(entry)


def gaps(app) -> list:
    with app.app_context():
        from webapp.feedback import store

        return store().list_gaps()


def test_solved_counts_on_the_entry_and_updates_the_message(app, client, hook):
    value = answer(client, hook)["kb_solved"]
    before = counts(app)
    response = press(client, hook, "kb_solved", value)
    assert response.status_code == 200 and response.data == b""
    path, update = hook.next()
    assert path == "/actions/T1/2/secret"
    assert update["replace_original"] is True
    assert update["text"].startswith("Marked solved by @steve: Event 1196")
    assert counts(app) == {**before, "solved": before["solved"] + 1}
    # the same user again: not counted twice, and told so
    assert press(client, hook, "kb_solved", value).status_code == 200
    assert hook.next()[1]["text"].startswith("@steve already gave feedback on Event 1196")
    assert counts(app)["solved"] == before["solved"] + 1
    # another user counts
    press(client, hook, "kb_solved", value, user="ana", user_id="U2")
    assert hook.next()[1]["text"].startswith("Marked solved by @ana")
    assert counts(app)["solved"] == before["solved"] + 2


def test_didnt_solve_it_counts_and_goes_to_the_gap_queue(app, client, hook):
    value = answer(client, hook)["kb_not_solved"]
    assert gaps(app) == []  # a confident answer is no gap by itself
    press(client, hook, "kb_not_solved", value)
    assert hook.next()[1]["text"].startswith("Marked not solved by @steve")
    assert counts(app)["not_helpful"] == 1
    found = gaps(app)
    assert len(found) == 1 and "DNS signature failed to verify" in found[0].template


def test_show_to_channel_reposts_for_everyone(app, client, hook):
    value = answer(client, hook)["kb_show"]
    press(client, hook, "kb_show", value)
    _path, shown = hook.next()
    assert shown["response_type"] == "in_channel" and shown["replace_original"] is False
    assert "dns-signature" in json.dumps(shown["blocks"][0])
    ids = [e["action_id"] for b in shown["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert ids == ["kb_solved", "kb_not_solved"]


def test_request_an_article_goes_to_the_gap_queue(app, client, hook):
    value = answer(client, hook, NOT_COVERED)["kb_request"]
    assert [g.count for g in gaps(app)] == [1]  # not confident: counted once already
    press(client, hook, "kb_request", value)
    assert hook.next()[1]["text"].startswith("Article requested by @steve")
    assert [g.count for g in gaps(app)] == [2]


@pytest.mark.parametrize(
    "action_id, value",
    [
        ("kb_delete_everything", None),  # an unknown action id
        ("kb_solved", "not json"),
        ("kb_solved", '{"t": "short", "e": "dns-signature"}'),  # not a token
        ("kb_solved", '{"t": "%s", "e": "no-such-entry"}'),
        ("kb_solved", '{"t": "%s"}'),  # no entry to vote on
        ("kb_solved", '["%s"]'),
    ],
)
def test_buttons_that_are_not_ours_are_ignored(app, client, hook, action_id, value):
    good = answer(client, hook)["kb_solved"]
    token = json.loads(good)["t"]
    value = good if value is None else value.replace("%s", token)
    assert press(client, hook, action_id, value).status_code == 200
    assert app.extensions["kb_followups"].wait_idle(30) and hook.received.empty()
    assert counts(app) == {"solved": 0, "not_helpful": 0}


def test_other_payloads_are_ignored(app, client, hook):
    for body in (b"payload=not+json", b"payload=%5B%5D", b"nothing=1", b"payload=" + b"%5B" * 5000):
        response = client.post(URL, data=body, headers=slack_headers(body))
        assert response.status_code == 200
    shortcut = block_actions("kb_solved", "{}", hook.url(), type="shortcut")
    assert client.post(URL, data=shortcut, headers=slack_headers(shortcut)).status_code == 200
    assert app.extensions["kb_followups"].wait_idle(30) and hook.received.empty()


def test_a_payload_as_big_as_slack_sends_is_handled(app, client, hook):
    """The pressed message comes back in the payload: 50 blocks of 3,000 characters."""
    value = answer(client, hook)["kb_solved"]
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3000}}] * 50
    response = press(client, hook, "kb_solved", value, message={"blocks": blocks})
    assert response.status_code == 200
    assert hook.next()[1]["text"].startswith("Marked solved by @steve")


def test_unsigned_stale_and_replayed_presses_are_refused(app, client, hook):
    value = answer(client, hook)["kb_solved"]
    body = block_actions("kb_solved", value, hook.url())
    assert client.post(URL, data=body).status_code == 401
    stale = slack_headers(body, timestamp=int(time.time()) - 600)
    assert client.post(URL, data=body, headers=stale).status_code == 401
    headers = slack_headers(body)
    assert client.post(URL, data=body, headers=headers).status_code == 200
    replay = client.post(URL, data=body, headers=headers)
    assert replay.status_code == 409 and replay.get_json()["error"]["code"] == "replayed"
    hook.next()
    assert app.extensions["kb_followups"].wait_idle(30) and hook.received.empty()
    assert counts(app)["solved"] == 1


def test_a_press_with_an_unlisted_response_url_changes_nothing(app, client, hook):
    value = answer(client, hook)["kb_solved"]
    body = block_actions("kb_solved", value, "https://evil.example/x")
    assert client.post(URL, data=body, headers=slack_headers(body)).status_code == 200
    assert counts(app)["solved"] == 0
