"""docs/chatops.md shows real messages: each example between ``<!-- example: NAME -->`` and
``<!-- /example -->`` is what the code sends or answers today, recorded here through the test
client and a real local stand-in for Slack's response_url. Random parts (permalink tokens,
signatures, the stand-in's address) are replaced by fixed placeholders.

After a deliberate change to a message, write the examples again:

    KB_WRITE_CHAT_EXAMPLES=1 pytest tests/test_webapp/test_web_chatops_doc.py
"""

from __future__ import annotations

import json
import os
import re
from urllib.parse import parse_qsl

from samples import EVENT_1196, NOT_COVERED
from services import Recorder
from testkb import REPO
from webhelpers import MM_TOKEN, block_actions, slack_headers, slash, teams_headers, teams_now

pytest_plugins = ["webfixtures"]

DOC = REPO / "docs" / "chatops.md"
BLOCK = re.compile(
    r"(<!-- example: ([a-z-]+) -->\n```(\w+)\n)(.*?)(```\n<!-- /example -->)", re.DOTALL
)
SLACK_HOOK = "https://hooks.slack.com/commands/T0001/1234/XXXXXXXX"
TEAMS_BODY = {
    "type": "message",
    "id": "1485983408511",
    "timestamp": "2026-12-02T18:03:28.508Z",  # made now when sent (webhelpers.teams_now)
    "channelId": "msteams",
    "from": {"id": "29:1XJKJMvc5GBtc2JwZq0oj8tHZmzrQgFmB", "name": "Ana"},
    "conversation": {"id": "19:253b1f341670408fb6fcb8d7dc1bd1f0@thread.skype"},
    "text": "<at>KB</at>&nbsp;Event ID 1196 DNS signature failed to verify.",
}


def record(make_app) -> dict[str, str]:
    """Every example, by name, as the code makes it now."""
    examples: dict[str, object] = {}
    with Recorder() as hook:
        app = make_app(
            KB_SLACK_RESPONSE_URL_ALLOW=hook.host, KB_PUBLIC_URL="https://kb.example.com"
        )
        client = app.test_client()
        body = slash(EVENT_1196, response_url=hook.url())
        examples["slack-command"] = dict(parse_qsl(body.decode()))
        examples["slack-ack"] = client.post(
            "/api/v1/slack", data=body, headers=slack_headers(body)
        ).get_json()
        examples["slack-answer"] = answer = hook.next()[1]
        value = next(b for b in answer["blocks"] if b["type"] == "actions")["elements"][0]["value"]
        press = block_actions("kb_solved", value, hook.url())
        payload = json.loads(dict(parse_qsl(press.decode()))["payload"])
        examples["slack-button"] = payload
        client.post("/api/v1/slack/interactions", data=press, headers=slack_headers(press))
        examples["slack-update"] = hook.next()[1]
        body = slash(NOT_COVERED, response_url=hook.url())
        client.post("/api/v1/slack", data=body, headers=slack_headers(body))
        examples["slack-not-confident"] = hook.next()[1]
        assert app.extensions["kb_followups"].wait_idle(30)
    teams = json.dumps({**TEAMS_BODY, "timestamp": teams_now()}).encode()
    examples["teams-message"] = TEAMS_BODY
    examples["teams-reply"] = client.post(
        "/api/v1/teams", data=teams, headers=teams_headers(teams)
    ).get_json()
    command = {"token": MM_TOKEN, "command": "/kb", "text": EVENT_1196, "user_name": "ana"}
    examples["mattermost-command"] = {**command, "text": "Event ID 1196 ..."}
    reply = client.post("/api/v1/mattermost", data=command).get_json()
    examples["mattermost-reply"] = reply
    context = reply["attachments"][0]["actions"][0]["integration"]["context"]
    examples["mattermost-button"] = action = {
        "user_id": "rnina9994bde8mua79zqcg5hmo",
        "user_name": "ana",
        "context": context,
    }
    examples["mattermost-update"] = client.post(
        "/api/v1/mattermost/actions", json=action
    ).get_json()
    text = {
        name: json.dumps(value, indent=2, ensure_ascii=False) + "\n"
        for name, value in examples.items()
    }
    text["slack-manifest"] = manifest_yaml()
    return {name: placeholders(value, hook.url("")) for name, value in text.items()}


def manifest_yaml() -> str:
    from click.testing import CliRunner

    from kbcli.main import cli

    return CliRunner().invoke(cli, ["slack-manifest", "--url", "https://kb.example.com"]).output


def placeholders(text: str, hook: str) -> str:
    text = text.replace(hook, SLACK_HOOK.rsplit("/commands", 1)[0])
    text = re.sub(r"/r/[A-Za-z0-9_-]{22,64}", "/r/RESULT_TOKEN", text)
    text = re.sub(r'(\\?"t\\?"\s*:\s*\\?")[A-Za-z0-9_-]{22,64}', r"\1RESULT_TOKEN", text)
    text = re.sub(r'("token": )"[A-Za-z0-9_-]{22}"', r'\1"RESULT_TOKEN"', text)
    text = re.sub(r'"signature": "[0-9a-f]{64}"', '"signature": "HMAC_OF_THE_CONTEXT"', text)
    text = re.sub(r'"action_ts": "[0-9.]+"', '"action_ts": "1712345679.000300"', text)
    return text.replace(MM_TOKEN, "MATTERMOST_TOKEN")


def write(found: dict[str, str]) -> str:
    return BLOCK.sub(lambda m: m[1] + found.get(m[2], m[4]) + m[5], DOC.read_text(encoding="utf-8"))


def test_every_example_in_the_doc_is_what_the_code_sends(make_app):
    found = record(make_app)
    if os.environ.get("KB_WRITE_CHAT_EXAMPLES") == "1":
        DOC.write_text(write(found), encoding="utf-8")
    shown = {m[2]: m[4] for m in BLOCK.finditer(DOC.read_text(encoding="utf-8"))}
    assert set(shown) == set(found), "examples missing from docs/chatops.md"
    stale = [name for name in found if shown[name] != found[name]]
    assert not stale, f"stale examples {stale}: see this module's docstring"
