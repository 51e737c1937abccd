"""Rate limits per client: 429 in the error shape with Retry-After, budgets shared by the page
and the API, configurable, and shared across nodes through a real Redis."""

from __future__ import annotations

import pytest
from samples import EVENT_1196
from webhelpers import slack_headers

from engine.errors import KBError

pytest_plugins = ["webfixtures"]


def post_diagnose(client, address="10.2.0.1"):
    return client.post(
        "/api/v1/diagnose",
        json={"text": EVENT_1196, "top": 1},
        environ_base={"REMOTE_ADDR": address},
    )


def test_over_the_budget_is_429_with_retry_after_in_the_error_shape(make_app):
    client = make_app(KB_RATELIMIT_DIAGNOSE="3/minute").test_client()
    assert [post_diagnose(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = post_diagnose(client)
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Retry-After" not in post_diagnose(client, address="10.2.0.2").headers  # another client
    # the page and the API share the budget; the page answers 429 as a page
    page = client.post(
        "/diagnose", data={"text": EVENT_1196}, environ_base={"REMOTE_ADDR": "10.2.0.1"}
    )
    assert page.status_code == 429 and page.mimetype == "text/html" and page.headers["Retry-After"]


def test_retry_after_never_exceeds_the_limits_window(make_app, monkeypatch):
    """flask-limiter's reset time is rounded up a second: 60.4 s to wait on a per-minute limit
    must say 60, not 61 (a CI run once met it)."""
    from types import SimpleNamespace

    from limits import RateLimitItemPerMinute

    from webapp import limits

    app = make_app()
    now = 1_000_000.0
    monkeypatch.setattr(limits.time, "time", lambda: now)
    current = SimpleNamespace(reset_at=int(now + 60.4 + 1), limit=RateLimitItemPerMinute(3))
    with app.app_context():
        app.extensions["kb_limiter"] = SimpleNamespace(current_limit=current)
        assert limits.retry_after() == 60
        current.reset_at = int(now) + 1
        assert limits.retry_after() == 1


def test_reading_is_never_limited(make_app):
    client = make_app(KB_RATELIMIT_DIAGNOSE="1/minute").test_client()
    post_diagnose(client)
    for _ in range(20):
        assert client.get("/api/v1/entries/dns-signature").status_code == 200
        assert client.get("/healthz").status_code == 200


def test_feedback_has_its_own_budget(make_app):
    client = make_app(KB_RATELIMIT_FEEDBACK="2/minute").test_client()
    entries = ["dns-signature", "dns-server", "unknown-processor"]
    codes = [
        client.post("/api/v1/feedback", json={"entry": e, "solved": True}).status_code
        for e in entries
    ]
    assert codes == [201, 201, 429]
    assert post_diagnose(client).status_code == 200


def test_chat_and_triage_are_limited_before_anything_else(make_app):
    client = make_app(KB_RATELIMIT_CHAT="1/minute", KB_RATELIMIT_TRIAGE="1/minute").test_client()
    body = b"text=hello&command=/kb"
    assert client.post("/api/v1/slack", data=body, headers=slack_headers(body)).status_code == 200
    refused = client.post("/api/v1/slack", data=body, headers=slack_headers(body))
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "rate_limited"
    assert client.post("/api/v1/triage").status_code == 400  # missing_file: counted
    assert client.post("/api/v1/triage").status_code == 429
    assert client.get("/triage").status_code == 200  # the form itself is not limited


def test_limits_can_be_turned_off(make_app):
    client = make_app(KB_RATELIMIT_DIAGNOSE="1/minute", KB_RATELIMIT_ENABLED=False).test_client()
    assert {post_diagnose(client).status_code for _ in range(5)} == {200}


def test_a_bad_limit_in_the_environment_is_one_clear_error(make_app, monkeypatch):
    monkeypatch.setenv("KB_RATELIMIT_DIAGNOSE", "lots")
    with pytest.raises(KBError, match=r"\$KB_RATELIMIT_DIAGNOSE must be a rate limit"):
        make_app()


def test_an_unreachable_storage_never_fails_a_request(make_app, caplog):
    # nothing listens on port 1: the limits fall back to memory, the request is answered
    client = make_app(KB_RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0").test_client()
    assert post_diagnose(client).status_code == 200


@pytest.fixture
def redis_url(tmp_path):
    import shutil

    from services import Redis, require

    require("redis", shutil.which("redis-server") is not None)
    server = Redis(tmp_path / "redis").start()
    yield server.url
    server.stop()


def test_two_nodes_share_their_budgets_through_redis(make_app, redis_url):
    settings = {"KB_RATELIMIT_DIAGNOSE": "4/minute", "KB_RATELIMIT_STORAGE_URI": redis_url}
    first, second = make_app(**settings).test_client(), make_app(**settings).test_client()
    codes = [post_diagnose(node).status_code for node in (first, second, first, second, first)]
    assert codes == [200, 200, 200, 200, 429]
    assert post_diagnose(second).status_code == 429
    assert post_diagnose(second, address="10.2.0.9").status_code == 200
