"""/openapi.json against the real answers of every route: each sample request below is sent to
the app, and its status must be documented for its route and method, with its content type and
a body that validates against the documented schema, no undocumented key allowed. Every route
and method of the app must have a sample, so a new endpoint cannot go undocumented."""

from __future__ import annotations

import copy
import json
import re

import pytest
from jsonschema import Draft202012Validator
from samples import EVENT_1196
from webhelpers import MM_TOKEN, multipart, slack_headers, teams_headers, teams_now
from werkzeug.exceptions import MethodNotAllowed

pytest_plugins = ["webfixtures"]

TEAMS = json.dumps(
    {"type": "message", "text": "<at>KB</at> Event ID 1196 DNS", "timestamp": teams_now()}
).encode()
# (method, path, request keyword arguments) -> sent to the app, the answer checked
JSON = "application/json"
SAMPLES = [
    ("GET", "/", {}),
    ("POST", "/diagnose", {"data": {"text": EVENT_1196}}),
    ("POST", "/diagnose", {"data": {"text": " "}}),
    (
        "POST",
        "/diagnose",
        {"data": {"text": EVENT_1196}, "headers": {"Origin": "https://evil.example"}},
    ),
    ("POST", "/", {"data": {"text": EVENT_1196}}),
    ("GET", "/", {"query_string": {"q": EVENT_1196}}),
    ("GET", "/r/AAAAAAAAAAAAAAAAAAAAAA", {}),
    ("POST", "/request-article", {"data": {"text": "The printer 'HP 4' is offline."}}),
    (
        "POST",
        "/request-article",
        {"data": {"text": "The printer 'HP 4' is offline."}, "headers": {"Accept": JSON}},
    ),
    ("POST", "/request-article", {"data": {"text": " "}}),
    ("GET", "/kb/gaps", {}),
    ("GET", "/kb/_stats", {}),
    ("GET", "/api/v1/suggest", {"query_string": {"q": "dns sig"}}),
    ("GET", "/api/v1/gaps", {"query_string": {"limit": "10"}}),
    (
        "POST",
        "/feedback",
        {
            "data": {"entry_id": "dns-server", "verdict": "not_helpful"},
            "headers": {"Accept": JSON},
        },
    ),
    ("GET", "/kb", {"query_string": {"q": "dns"}}),
    ("GET", "/kb/dns-signature", {"query_string": {"feedback": "thanks"}}),
    ("GET", "/kb/no-such-entry", {}),
    ("GET", "/kb/_status", {}),
    ("POST", "/feedback", {"data": {"entry_id": "dns-signature", "verdict": "solved"}}),
    ("POST", "/feedback", {"data": {"entry_id": "dns-signature", "verdict": "meh"}}),
    ("POST", "/feedback", {"data": {"entry_id": "nope", "verdict": "solved"}}),
    ("GET", "/healthz", {}),
    ("GET", "/openapi.json", {}),
    ("GET", "/static/style.css", {}),
    ("GET", "/static/nothing.css", {}),
    ("GET", "/triage", {}),
    ("POST", "/triage", {}),
    ("POST", "/api/v1/diagnose", {"json": {"text": EVENT_1196, "top": 3}}),
    ("POST", "/api/v1/diagnose", {"json": {"text": "The printer 'HP 4' is offline."}}),
    ("POST", "/api/v1/diagnose", {"json": {"text": ""}}),
    ("POST", "/api/v1/diagnose", {"data": "x", "content_type": "text/plain"}),
    ("POST", "/api/v1/diagnose", {"json": {"text": "x" * 1_000_001}}),
    ("GET", "/api/v1/diagnose", {}),
    ("GET", "/api/v1/entries", {"query_string": {"product": "Hyper-V"}}),
    ("GET", "/api/v1/entries/dns-signature", {}),
    ("GET", "/api/v1/entries/nope", {}),
    (
        "POST",
        "/api/v1/feedback",
        {"json": {"entry": "dns-server", "solved": False, "reason": "no"}},
    ),
    ("POST", "/api/v1/feedback", {"json": {"entry": "dns-server", "solved": True}}),
    ("POST", "/api/v1/feedback", {"json": {"entry": "nope", "solved": True}}),
    ("POST", "/api/v1/feedback", {"json": {"entry": "dns-server"}}),
    ("POST", "/api/v1/triage", {}),
    ("POST", "/api/v1/triage", {**multipart({"file": "not a log at all, just words"})}),
    ("POST", "/api/v1/slack", {"data": b"text=", "headers": slack_headers(b"text=")}),
    ("POST", "/api/v1/slack", {"data": b"text=", "headers": {"X-Slack-Signature": "v0=x"}}),
    (
        "POST",
        "/api/v1/slack",
        {"data": b"text=Event+ID+1196+DNS", "headers": slack_headers(b"text=Event+ID+1196+DNS")},
    ),
    ("GET", "/api/v1/slack", {"query_string": {"ssl_check": "1"}}),
    ("POST", "/api/v1/mattermost", {"data": {"token": MM_TOKEN, "text": "Event ID 1196 DNS"}}),
    ("POST", "/api/v1/mattermost", {"data": {"token": "wrong", "text": "x"}}),
    ("POST", "/api/v1/slack/interactions", {"data": b"payload=%7B%7D"}),
    (
        "POST",
        "/api/v1/slack/interactions",
        {"data": b"payload=%7B%7D", "headers": slack_headers(b"payload=%7B%7D")},
    ),
    ("POST", "/api/v1/teams", {"data": TEAMS, "headers": teams_headers(TEAMS)}),
    ("POST", "/api/v1/teams", {"data": TEAMS, "headers": teams_headers(b"other")}),
    ("POST", "/api/v1/teams", {"data": b"[]", "headers": teams_headers(b"[]")}),
    ("POST", "/api/v1/mattermost/actions", {"json": {"context": {"action": "solved"}}}),
]


def strict(schema):
    """*schema* with every object closed: a key the document does not name is an error."""
    schema = copy.deepcopy(schema)

    def close(node):
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node.setdefault("additionalProperties", False)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


@pytest.fixture
def answers(make_app):
    app = make_app()
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    adapter = app.url_map.bind("localhost")
    found = []
    for method, path, kwargs in SAMPLES:
        response = client.open(path, method=method, **kwargs)
        try:
            rule, _args = adapter.match(path, method=method, return_rule=True)
        except MethodNotAllowed as exc:  # a wrong method: the route is the path's
            rule, _args = adapter.match(path, method=exc.valid_methods[0], return_rule=True)
        found.append((method, openapi_path(rule.rule), path, response))
    return app, spec, found


def test_every_route_and_method_has_a_sample(answers):
    app, _spec, found = answers
    sampled = {(method, route) for method, route, _path, _response in found}
    for rule in app.url_map.iter_rules():
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, openapi_path(rule.rule)) in sampled, (method, rule.rule)


def test_every_real_answer_is_the_documented_one(answers):
    _app, spec, found = answers
    document = {"components": spec["components"]}
    problems = []
    for method, route, path, response in found:
        try:
            check_answer(spec, document, method, route, path, response)
        except AssertionError as exc:
            problems.append(str(exc).splitlines()[0])
    assert problems == []


def check_answer(spec, document, method, route, path, response) -> None:
    operations = spec["paths"][route]
    if method.lower() not in operations:  # a wrong method: 405, held to the error shape elsewhere
        assert response.status_code == 405, f"{method} {path}: {response.status_code}"
        return
    status = str(response.status_code)
    responses = operations[method.lower()]["responses"]
    assert status in responses, f"{method} {path}: {status} is not documented"
    documented = responses[status]
    assert "X-KB-Version" in documented.get("headers", {}), f"{method} {path} {status}: header"
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-KB-Version"])
    if "Retry-After" in documented.get("headers", {}):
        assert int(response.headers["Retry-After"]) >= 1
    content = documented.get("content")
    if not content:
        return
    assert response.mimetype in content, f"{method} {path} {status}: {response.mimetype}"
    schema = content[response.mimetype].get("schema")
    if schema and response.mimetype == "application/json":
        validator = Draft202012Validator({**strict(schema), **strict(document)})
        errors = sorted(validator.iter_errors(response.get_json()), key=str)
        assert not errors, (
            f"{method} {path} {status}: {errors[0].message} at {list(errors[0].absolute_path)}"
        )


def test_the_rate_limits_and_the_database_answers_are_documented(make_app, postgres_url):
    app = make_app(KB_RATELIMIT_FEEDBACK="1/minute", KB_RATELIMIT_DIAGNOSE="1/minute")
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    for path, body in (
        ("/api/v1/diagnose", {"text": EVENT_1196}),
        ("/api/v1/feedback", {"entry": "dns-server", "solved": True}),
    ):
        client.post(path, json=body)
        response = client.post(path, json=body)
        assert response.status_code == 429
        documented = spec["paths"][path]["post"]["responses"]["429"]
        assert "Retry-After" in documented["headers"] and response.headers["Retry-After"]
    # a real database at start, unreachable after: the store's next connection fails
    away = make_app(KB_DATABASE_URL=postgres_url, KB_RATELIMIT_ENABLED=False)
    away.extensions["kb_store"].backend.dsn = "postgresql://kb@127.0.0.1:1/kb"
    response = away.test_client().post(
        "/api/v1/feedback", json={"entry": "dns-server", "solved": True}
    )
    assert response.status_code == 503
    assert "503" in spec["paths"]["/api/v1/feedback"]["post"]["responses"]
