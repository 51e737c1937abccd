"""Issue 15: malformed requests get a 4xx and one log line, never a 500 and a traceback.

The probe sent JSON nested 100,000 deep (a RecursionError in the parser: 500 on the diagnose
API and on Mattermost, before the token check) and a 5,000-digit Slack timestamp (``int()``
refuses more than 4,300 digits: 500). Each wrote a traceback to the log.
"""

from __future__ import annotations

import logging

import pytest
from samples import EVENT_1196
from webhelpers import MM_TOKEN, slack_headers

from webapp import mattermost
from webapp.requests import MAX_JSON_DEPTH, json_depth

pytest_plugins = ["webfixtures"]

DEEP_ARRAY = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
JSON = {"Content-Type": "application/json"}


def refused_lines(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("refused ")]


def assert_one_line_no_traceback(caplog, expected: str) -> None:
    assert [r.getMessage() for r in refused_lines(caplog)] == [expected]
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    "body",
    [DEEP_ARRAY, DEEP_OBJECT, b'{"text": "Event ID 1196", "x": ' + DEEP_ARRAY + b"}"],
    ids=["array", "object", "inside-a-field"],
)
def test_deep_json_on_the_diagnose_api_is_a_400(client, caplog, body):
    caplog.set_level(logging.INFO)
    response = client.post("/api/v1/diagnose", data=body, headers=JSON)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "json_too_deep"
    assert_one_line_no_traceback(caplog, "refused POST /api/v1/diagnose: 400 json_too_deep")


def test_brackets_inside_strings_are_text_not_nesting(client):
    paste = "[[[[ {{{{\n" * 2_000 + EVENT_1196 + "\n]]]] }}}}" * 2_000
    response = client.post("/api/v1/diagnose", json={"text": paste, "top": 3})
    assert response.status_code == 200
    assert response.get_json()["results"][0]["id"] == "dns-signature"


def test_the_depth_limit_is_a_setting(make_app):
    client = make_app(KB_MAX_JSON_DEPTH=3).test_client()
    at_limit = {"text": EVENT_1196, "extra": [[1]]}  # object, list, list: 3 deep
    assert client.post("/api/v1/diagnose", json=at_limit).status_code == 200
    over = {"text": EVENT_1196, "extra": [[[1]]]}
    assert client.post("/api/v1/diagnose", json=over).get_json()["error"]["code"] == (
        "json_too_deep"
    )


@pytest.mark.parametrize(
    ("raw", "depth"),
    [
        (b"{}", 1),
        (b'{"a": [1, {"b": [2]}]}', 4),
        (b'{"a": "[[[{{{", "b": "\\"]]]"}', 1),  # brackets and escaped quotes inside strings
        (b"[" * 40 + b"]" * 40, 40),
        (b"", 0),
    ],
)
def test_json_depth_counts_structure_only(raw, depth):
    assert json_depth(raw) == depth


def test_deep_json_to_mattermost_without_a_token_is_a_4xx(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.post("/api/v1/mattermost", data=DEEP_ARRAY, headers=JSON)
    assert response.status_code == 400
    assert_one_line_no_traceback(caplog, "refused POST /api/v1/mattermost: 400 json_too_deep")


def test_a_wrong_mattermost_token_header_is_refused_before_the_body_is_read(
    client, caplog, monkeypatch
):
    caplog.set_level(logging.INFO)

    def must_not_parse():
        raise AssertionError("the body was parsed before the token was checked")

    monkeypatch.setattr(mattermost, "json_body", must_not_parse)
    headers = {**JSON, "Authorization": "Token not-the-token"}
    response = client.post("/api/v1/mattermost", data=DEEP_ARRAY, headers=headers)
    assert response.status_code == 401
    assert_one_line_no_traceback(caplog, "refused POST /api/v1/mattermost: 401 unauthorized")


def test_a_right_mattermost_token_header_still_gets_its_body_bounded(client):
    headers = {**JSON, "Authorization": f"Token {MM_TOKEN}"}
    response = client.post("/api/v1/mattermost", data=DEEP_ARRAY, headers=headers)
    assert response.status_code == 400
    ok = client.post(
        "/api/v1/mattermost", json={"text": EVENT_1196, "command": "/kb"}, headers=headers
    )
    assert ok.status_code == 200


@pytest.mark.parametrize("timestamp", ["9" * 5_000, "1" * 13, "\u00b2", "-1", ""])
def test_a_slack_timestamp_is_bounded_before_int(client, caplog, timestamp):
    caplog.set_level(logging.INFO)
    body = b"text=Event+ID+1196&command=%2Fkb"
    headers = {**slack_headers(body), "X-Slack-Request-Timestamp": timestamp}
    response = client.post("/api/v1/slack", data=body, headers=headers)
    assert response.status_code == 401
    assert_one_line_no_traceback(caplog, "refused POST /api/v1/slack: 401 unauthorized")


@pytest.mark.parametrize("top", ["9" * 5_000, "\u00b2", "0", "21"])
def test_the_forms_top_is_bounded_before_int(client, top):
    response = client.post("/diagnose", data={"text": EVENT_1196, "top": top})
    assert response.status_code == 400
    assert "must be a whole number from 1 to 20" in response.get_data(as_text=True)
    assert "Exceeds the limit" not in response.get_data(as_text=True)


def test_the_default_depth_allows_every_body_the_api_documents():
    assert MAX_JSON_DEPTH >= 3  # {"text": ..., "top": ...} is 1; Mattermost's payloads are 1
