"""Microsoft Teams' outgoing webhook: HMAC right, wrong, missing, unconfigured; the mention
stripped; the answer as an Adaptive Card with the permalink; help, search, no confident answer."""

from __future__ import annotations

import json

import pytest
from samples import EVENT_1196, NOT_COVERED
from webhelpers import teams_headers, teams_now

pytest_plugins = ["webfixtures"]

URL = "/api/v1/teams"


def activity(text: str, timestamp: str | None = None) -> bytes:
    """An outgoing-webhook activity as Teams sends it (the fields that matter, and some more)."""
    return json.dumps(
        {
            "type": "message",
            "id": "1485983408511",
            "timestamp": teams_now() if timestamp is None else timestamp,
            "serviceUrl": "https://smba.trafficmanager.net/amer/",
            "channelId": "msteams",
            "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB", "name": "Ana"},
            "conversation": {"id": "19:253b1f341670408fb6fcb8d7dc1bd1f0@thread.skype"},
            "text": f"<at>KB</at>&nbsp;{text}",
            "entities": [{"type": "mention", "text": "<at>KB</at>"}],
        }
    ).encode()


def post(client, body: bytes, headers: dict | None = None):
    return client.post(URL, data=body, headers=teams_headers(body) if headers is None else headers)


def card_of(reply: dict) -> dict:
    assert reply["type"] == "message"
    (attachment,) = reply["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def test_a_signed_message_gets_the_best_remedy_and_the_permalink(client):
    response = post(client, activity(EVENT_1196.replace("\n", "<br>")))
    assert response.status_code == 200
    reply = response.get_json()
    card = card_of(reply)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    texts = [block["text"] for block in card["body"]]
    assert texts[0].startswith("[Event 1196: cluster network name")
    assert texts[0].endswith("](http://localhost/kb/dns-signature)")
    assert texts[1].startswith("Confidence ") and texts[1].endswith("(high)")
    assert "1. In DNS Management, open the record's Security tab." in texts[2]
    assert sum(t.startswith("Why:") for t in texts) == 1
    (action,) = card["actions"]
    assert action["type"] == "Action.OpenUrl" and action["url"].startswith("http://localhost/r/")
    assert reply["text"].startswith("Event 1196")


def test_no_confident_answer(client, app):
    card = card_of(post(client, activity(NOT_COVERED)).get_json())
    assert card["body"][0]["text"] == "No confident answer for that paste."
    nearest = card["body"][1]["text"].split("\n")
    assert nearest[0] == "Nearest:" and 1 <= len(nearest) - 1 <= 3
    assert all(line.startswith("- [") and "(http://localhost/kb/" in line for line in nearest[1:])
    assert card["actions"][0]["title"] == "Request an article"
    with app.app_context():
        from webapp.feedback import store

        assert [g.count for g in store().list_gaps()] == [1]


@pytest.mark.parametrize("text", ["", "help"])
def test_help(client, text):
    reply = post(client, activity(text)).get_json()
    assert reply["type"] == "message" and "attachments" not in reply
    assert reply["text"].startswith("Paste an error after `@KB`")
    assert "`@KB search WORDS`" in reply["text"]


def test_search(client):
    reply = post(client, activity("search cluster dns")).get_json()
    assert "[Event 1196: cluster network name" in reply["text"]
    assert "(http://localhost/kb/dns-signature)" in reply["text"]


def test_the_mention_and_html_are_stripped():
    from webapp.teams import strip_mentions

    assert strip_mentions('<at id="0">KB bot</at> <p>a &amp; b</p>') == "a & b"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "HMAC",
        "HMAC ",
        "Bearer abc",
        "HMAC " + "A" * 44,
        "HMAC " + "ü" * 44,
        "HMAC " + "A" * 5000,
    ],
)
def test_a_wrong_or_missing_hmac_is_refused(client, authorization):
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = post(client, activity(EVENT_1196), headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_the_hmac_covers_the_raw_body(client):
    body = activity(EVENT_1196)
    tampered = body.replace(b"Ana", b"Bob")
    assert post(client, tampered, teams_headers(body)).status_code == 401
    other_secret = teams_headers(body, secret="b3RoZXItc2VjcmV0")
    assert post(client, body, other_secret).status_code == 401


@pytest.mark.parametrize("secret", [None, "", "not base64 !"])
def test_unconfigured_teams_refuses(make_app, secret):
    client = make_app(TEAMS_WEBHOOK_SECRET=secret).test_client()
    response = post(client, activity(EVENT_1196))
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "not_configured"
    assert "TEAMS_WEBHOOK_SECRET" in response.get_json()["error"]["message"]


def test_a_signed_body_that_is_not_a_message_is_a_400(client):
    for body in (b"[]", b'{"text": 5}', b"not json"):
        response = post(client, body)
        assert response.status_code == 400
        assert set(response.get_json()["error"]) == {"code", "message"}


def test_a_message_is_answered_once_and_only_while_fresh(client):
    body = activity(EVENT_1196)
    assert post(client, body).status_code == 200
    replay = post(client, body)
    assert replay.status_code == 409 and replay.get_json()["error"]["code"] == "replayed"
    for stale in ("2020-01-01T00:00:00.000Z", "", "yesterday", "9" * 5000):
        assert post(client, activity(EVENT_1196, timestamp=stale)).status_code == 401
