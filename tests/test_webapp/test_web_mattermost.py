"""Mattermost: outgoing webhooks and slash commands, form and JSON, token checks."""

from __future__ import annotations

import pytest
from samples import EVENT_1196, NOT_COVERED, UNRELATED
from webhelpers import MM_TOKEN

pytest_plugins = ["webfixtures"]

URL = "/api/v1/mattermost"


def webhook(text: str, token: str | None = MM_TOKEN, trigger: str = "#kb") -> dict:
    payload = {
        "channel_id": "hawos4dqtby53pd64o4a4cmeoo",
        "channel_name": "town-square",
        "team_domain": "someteam",
        "team_id": "kwoknj9nwpypzgzy78wkw516qe",
        "post_id": "axdygg1957njfe5pu38saikdho",
        "text": f"{trigger} {text}",
        "timestamp": "1445532266",
        "trigger_word": trigger,
        "user_id": "rnina9994bde8mua79zqcg5hmo",
        "user_name": "somename",
    }
    if token is not None:
        payload["token"] = token
    return payload


def slash(text: str, token: str | None = MM_TOKEN) -> dict:
    payload = {
        "channel_id": "abc",
        "channel_name": "helpdesk",
        "command": "/kb",
        "team_domain": "someteam",
        "team_id": "t1",
        "text": text,
        "response_url": "https://mm.example/hooks/commands/x",
        "user_id": "u1",
        "user_name": "somename",
        "trigger_id": "tr1",
    }
    if token is not None:
        payload["token"] = token
    return payload


@pytest.mark.parametrize("as_json", [False, True])
def test_outgoing_webhook_form_and_json(client, as_json):
    payload = webhook(EVENT_1196)
    response = client.post(URL, json=payload) if as_json else client.post(URL, data=payload)
    assert response.status_code == 200
    reply = response.get_json()
    assert reply["response_type"] == "comment"  # a webhook can only answer in the channel
    text = reply["text"]
    assert text.startswith("**[Event 1196: cluster network name")
    assert "(http://localhost/kb/dns-signature)** · confidence " in text
    assert "**First steps**\n1. In DNS Management, open the record's Security tab." in text
    assert (
        text.count("_Why:_") == 1
        and "[The whole answer, other remedies, why](http://localhost/r/" in text
    )
    assert len(text) < 4000


def test_the_trigger_word_is_stripped(client):
    # only the trigger word: nothing left to diagnose, so the usage comes back
    text = client.post(URL, data=webhook("")).get_json()["text"]
    assert text.startswith("Paste an error after `#kb`") and "`#kb search WORDS`" in text


def test_slash_command_reply_is_ephemeral_with_buttons(client):
    reply = client.post(URL, data=slash(EVENT_1196)).get_json()
    assert reply["response_type"] == "ephemeral"
    actions = reply["attachments"][0]["actions"]
    assert [a["name"] for a in actions] == ["Solved it", "Didn't solve it"]
    assert {a["integration"]["url"] for a in actions} == {
        "http://localhost/api/v1/mattermost/actions"
    }
    context = actions[0]["integration"]["context"]
    assert context["entry"] == "dns-signature" and context["action"] == "solved"


def test_no_confident_answer_is_one_line_nearest_titles_and_a_request(client):
    reply = client.post(URL, data=slash(NOT_COVERED)).get_json()
    assert reply["response_type"] == "ephemeral"
    lines = reply["text"].split("\n")
    assert lines[0] == "No confident answer for that paste." and lines[1] == "Nearest:"
    assert 1 <= sum(line.startswith("- [") for line in lines) <= 3
    assert "(http://localhost/kb/" in lines[2]
    assert [a["name"] for a in reply["attachments"][0]["actions"]] == ["Request an article"]
    nothing = client.post(URL, data=slash(UNRELATED)).get_json()
    assert nothing["text"].startswith("No confident answer for that paste.")
    assert "Nearest" not in nothing["text"]


def test_help_and_search(client):
    usage = client.post(URL, data=slash("help")).get_json()
    assert usage["response_type"] == "ephemeral" and "`/kb search WORDS`" in usage["text"]
    found = client.post(URL, data=slash("search cluster dns")).get_json()["text"]
    assert (
        "[Event 1196: cluster network name" in found
        and "(http://localhost/kb/dns-signature)" in found
    )


def test_slash_command_token_in_the_authorization_header(client):
    response = client.post(
        URL, data=slash(EVENT_1196, token=None), headers={"Authorization": f"Token {MM_TOKEN}"}
    )
    assert response.status_code == 200


def test_several_tokens_may_be_configured(make_app):
    client = make_app(MATTERMOST_TOKEN=f"other-token, {MM_TOKEN}").test_client()
    assert client.post(URL, data=slash(EVENT_1196)).status_code == 200
    assert client.post(URL, data=slash(EVENT_1196, token="other-token")).status_code == 200
    assert client.post(URL, data=slash(EVENT_1196, token="third")).status_code == 401


@pytest.mark.parametrize(
    "token", [None, "", "wrong", MM_TOKEN[:-1], MM_TOKEN + "x", "ẑmigewsanbbsdf59xnmduzypjc"]
)
def test_wrong_or_missing_tokens_are_refused(client, token):
    for payload in (webhook(EVENT_1196, token=token), slash(EVENT_1196, token=token)):
        for response in (client.post(URL, data=payload), client.post(URL, json=payload)):
            assert response.status_code == 401
            assert response.get_json()["error"]["code"] == "unauthorized"
            assert MM_TOKEN not in response.get_data(as_text=True)


def test_non_string_json_token_is_refused(client):
    payload = webhook(EVENT_1196)
    payload["token"] = ["x"]
    assert client.post(URL, json=payload).status_code == 401
    assert client.post(URL, data=b"[1, 2]", content_type="application/json").status_code == 400


def test_unconfigured_mattermost_refuses(make_app):
    client = make_app(MATTERMOST_TOKEN=None).test_client()
    response = client.post(URL, data=webhook(EVENT_1196))
    assert response.status_code == 503
    assert response.get_json()["error"]["message"] == (
        "Mattermost is not configured on this server: set MATTERMOST_TOKEN."
    )


def test_huge_and_hostile_entries_fit_one_post(make_app, hostile_diagnoser):
    client = make_app(diagnoser=hostile_diagnoser).test_client()
    for paste in (
        "Event ID: 5151 Source: Microsoft-Windows-FailoverClustering",
        "Event ID: 4242 the hostile service failed",
    ):
        text = client.post(URL, data=slash(paste)).get_json()["text"]
        assert len(text) < 4000
        assert "(javascript:" not in text and "<img" not in text.split("\n", 1)[1]


ACTIONS = "/api/v1/mattermost/actions"


def press(
    client, context: dict, user: str = "somename", user_id: str = "rnina9994bde8mua79zqcg5hmo"
):
    """A button press as Mattermost sends it to the integration's URL."""
    payload = {
        "user_id": user_id,
        "user_name": user,
        "channel_id": "hawos4dqtby53pd64o4a4cmeoo",
        "team_id": "kwoknj9nwpypzgzy78wkw516qe",
        "post_id": "axdygg1957njfe5pu38saikdho",
        "trigger_id": "tr1",
        "type": "",
        "data_source": "",
        "context": context,
    }
    return client.post(ACTIONS, json=payload)


def contexts(client, text: str) -> dict[str, dict]:
    reply = client.post(URL, data=slash(text)).get_json()
    return {a["id"]: a["integration"]["context"] for a in reply["attachments"][0]["actions"]}


def counts(app) -> dict:
    with app.app_context():
        from webapp.feedback import store

        return store().feedback_counts("dns-signature")


def gap_counts(app) -> list[int]:
    with app.app_context():
        from webapp.feedback import store

        return [g.count for g in store().list_gaps()]


def test_solved_and_not_solved_count_and_update_the_post(app, client):
    found = contexts(client, EVENT_1196)
    response = press(client, found["solved"])
    assert response.status_code == 200
    update = response.get_json()["update"]
    assert update["message"].startswith("Marked solved by @somename: Event 1196")
    assert counts(app)["solved"] == 1
    again = press(client, found["solved"]).get_json()["update"]["message"]
    assert again.startswith("@somename already gave feedback")
    assert counts(app)["solved"] == 1
    not_solved = press(client, found["notsolved"], user="ana", user_id="u2").get_json()
    assert not_solved["update"]["message"].startswith("Marked not solved by @ana")
    assert counts(app) == {"solved": 1, "not_helpful": 1}
    assert gap_counts(app) == [1]


def test_request_an_article(app, client):
    found = contexts(client, NOT_COVERED)
    assert list(found) == ["request"] and gap_counts(app) == [1]
    update = press(client, found["request"]).get_json()["update"]
    assert update["message"] == "Article requested by @somename."
    assert gap_counts(app) == [2]


@pytest.mark.parametrize(
    "change",
    [
        {"entry": "dns-server"},  # another entry than the one signed
        {"action": "notsolved"},  # another verdict than the one signed
        {"token": "A" * 22},
        {"signature": "0" * 64},
        {"signature": None},
        {"signature": "ü"},
    ],
)
def test_a_forged_or_altered_context_is_refused(app, client, change):
    context = {**contexts(client, EVENT_1196)["solved"], **change}
    response = press(client, {k: v for k, v in context.items() if v is not None})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert counts(app) == {"solved": 0, "not_helpful": 0}


def test_a_press_without_a_context_is_refused(client):
    assert client.post(ACTIONS, json={"user_id": "u"}).status_code == 401
    assert client.post(ACTIONS, data={"context": "x"}).status_code == 401
    assert client.post(ACTIONS, json={"context": "x"}).status_code == 401


def test_buttons_are_signed_with_the_configured_token(make_app, client):
    context = contexts(client, EVENT_1196)["solved"]
    other = make_app(MATTERMOST_TOKEN="another-token").test_client()
    assert press(other, context).status_code == 401
