"""POST /api/v1/feedback: 201 and the entry's counts move; one vote per client per result or
per entry per hour; every bad body in the error shape."""

from __future__ import annotations

import pytest

pytest_plugins = ["webfixtures"]


def vote(client, body, address="10.1.1.1", **kwargs):
    return client.post(
        "/api/v1/feedback", json=body, environ_base={"REMOTE_ADDR": address}, **kwargs
    )


def error_code(response) -> str:
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]["code"]


def test_a_vote_is_201_and_shows_in_the_entry(client):
    before = client.get("/api/v1/entries/dns-signature").get_json()["feedback"]
    assert before == {"solved": 0, "not_helpful": 0}
    response = vote(client, {"entry": "dns-signature", "solved": True, "reason": "fixed it"})
    assert response.status_code == 201
    assert response.get_json() == {
        "entry": "dns-signature",
        "verdict": "solved",
        "feedback": {"solved": 1, "not_helpful": 0},
    }
    assert response.headers["Cache-Control"] == "no-store"
    vote(client, {"entry": "dns-signature", "solved": False}, address="10.1.1.2")
    after = client.get("/api/v1/entries/dns-signature").get_json()["feedback"]
    assert after == {"solved": 1, "not_helpful": 1}


def test_one_vote_per_client_per_entry_and_hour(client):
    assert vote(client, {"entry": "dns-signature", "solved": True}).status_code == 201
    again = vote(client, {"entry": "dns-signature", "solved": False})
    assert again.status_code == 409 and error_code(again) == "already_counted"
    assert vote(client, {"entry": "dns-server", "solved": True}).status_code == 201
    counts = client.get("/api/v1/entries/dns-signature").get_json()["feedback"]
    assert counts == {"solved": 1, "not_helpful": 0}


def test_one_vote_per_client_per_result(client, app):
    store = app.extensions["kb_store"]
    first, second = store.save_result({"results": []}), store.save_result({"results": []})
    assert (
        vote(client, {"entry": "dns-signature", "solved": True, "result": first.token}).status_code
        == 201
    )
    assert (
        vote(client, {"entry": "dns-signature", "solved": True, "result": first.token}).status_code
        == 409
    )
    assert (
        vote(client, {"entry": "dns-signature", "solved": True, "result": second.token}).status_code
        == 201
    )
    unknown = vote(client, {"entry": "dns-signature", "solved": True, "result": "B" * 22})
    assert unknown.status_code == 404 and error_code(unknown) == "unknown_result"


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({}, 400, "invalid_entry"),
        ({"entry": "", "solved": True}, 400, "invalid_entry"),
        ({"entry": ["x"], "solved": True}, 400, "invalid_entry"),
        ({"entry": "no-such-entry", "solved": True}, 404, "unknown_entry"),
        ({"entry": "dns-signature"}, 400, "invalid_solved"),
        ({"entry": "dns-signature", "solved": "yes"}, 400, "invalid_solved"),
        ({"entry": "dns-signature", "solved": 1}, 400, "invalid_solved"),
        ({"entry": "dns-signature", "solved": True, "reason": 5}, 400, "invalid_reason"),
        ({"entry": "dns-signature", "solved": True, "reason": "x" * 1001}, 400, "invalid_reason"),
        ({"entry": "dns-signature", "solved": True, "result": "short"}, 400, "invalid_result"),
        (
            {"entry": "dns-signature", "solved": True, "result": "../etc/passwd-xxxxxxxxxx"},
            400,
            "invalid_result",
        ),
        (["dns-signature"], 400, "invalid_request"),
    ],
)
def test_bad_votes_are_refused_in_the_error_shape(client, body, status, code):
    response = vote(client, body)
    assert response.status_code == status and error_code(response) == code


def test_not_json_is_415_and_bad_json_400(client):
    response = client.post("/api/v1/feedback", data={"entry": "dns-signature", "solved": "true"})
    assert response.status_code == 415 and error_code(response) == "unsupported_media_type"
    response = client.post("/api/v1/feedback", data=b"{", content_type="application/json")
    assert response.status_code == 400 and error_code(response) == "invalid_json"
