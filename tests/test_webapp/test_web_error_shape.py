"""Every route, held to the contract: one error shape on /api, an HTML page elsewhere, and a
place in /openapi.json (after Datasette's tests/test_error_shape.py)."""

from __future__ import annotations

import re

import pytest

pytest_plugins = ["webfixtures"]

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def concrete(rule) -> str:
    """A URL for *rule*, with a sample value for each variable."""
    return re.sub(
        r"<(?:[a-z]+:)?([a-z_]+)>",
        lambda m: "dns-signature" if m[1] == "entry_id" else "x",
        rule.rule,
    )


def openapi_path(rule) -> str:
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)


def rules(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


def assert_error_shape(response, status: int) -> None:
    assert response.status_code == status, (response.request.path, response.status_code)
    assert response.mimetype == "application/json", response.request.path
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert all(isinstance(v, str) and v for v in body["error"].values())


def test_every_api_route_answers_wrong_methods_with_the_error_shape(client, app):
    checked = 0
    for rule in rules(app):
        if not rule.rule.startswith("/api/"):
            continue
        allowed = set().union(*(r.methods for r in app.url_map.iter_rules() if r.rule == rule.rule))
        for method in sorted(METHODS - allowed):  # "/" is GET (the form) and POST (a paste)
            response = client.open(concrete(rule), method=method)
            assert_error_shape(response, 405)
            assert response.headers["Allow"]
            checked += 1
    assert checked >= 15


def test_every_api_post_route_answers_garbage_with_the_error_shape(client, app):
    for rule in rules(app):
        if rule.rule.startswith("/api/") and "POST" in rule.methods:
            response = client.post(
                concrete(rule), data=b"\x00\xff garbage", content_type="application/json"
            )
            assert 400 <= response.status_code < 600
            assert_error_shape(response, response.status_code)


def test_every_api_route_is_closed_without_configuration(make_app):
    client = make_app(SLACK_SIGNING_SECRET=None, MATTERMOST_TOKEN=None).test_client()
    for path, name in (
        ("/api/v1/slack", "SLACK_SIGNING_SECRET"),
        ("/api/v1/mattermost", "MATTERMOST_TOKEN"),
    ):
        response = client.post(path, data={"text": "x", "token": "x"})
        assert_error_shape(response, 503)
        assert name in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "path", ["/api", "/api/", "/api/v1", "/api/v1/", "/api/v1/entries/a/b", "/api/v1/<script>"]
)
def test_unknown_api_paths_are_404_json(client, path):
    assert_error_shape(client.get(path), 404)


def test_html_routes_fail_with_html_pages(client, app):
    for rule in rules(app):
        if rule.rule.startswith(("/api/", "/static", "/openapi.json", "/healthz")):
            continue
        allowed = set().union(*(r.methods for r in app.url_map.iter_rules() if r.rule == rule.rule))
        for method in sorted(METHODS - allowed):  # "/" is GET (the form) and POST (a paste)
            response = client.open(concrete(rule), method=method)
            assert response.status_code == 405
            assert response.mimetype == "text/html"
            assert "method not allowed" in response.get_data(as_text=True)
    missing = client.get("/no/such/page")
    assert missing.status_code == 404 and missing.mimetype == "text/html"


def test_server_errors_are_generic(make_app):
    app = make_app()

    def boom():
        raise RuntimeError("secret internals: /etc/passwd")

    app.add_url_rule("/api/v1/boom", "boom", boom)
    app.add_url_rule("/boom", "boom_html", boom)
    client = app.test_client()
    api = client.get("/api/v1/boom")
    assert_error_shape(api, 500)
    assert api.get_json()["error"]["code"] == "internal_error"
    html = client.get("/boom")
    assert html.status_code == 500 and html.mimetype == "text/html"
    for response in (api, html):
        assert "secret internals" not in response.get_data(as_text=True)
        assert "Traceback" not in response.get_data(as_text=True)
        assert "Content-Security-Policy" in response.headers


def test_every_route_and_method_is_in_the_openapi_document(client, app):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    for rule in rules(app):
        path = openapi_path(rule)
        assert path in spec["paths"], path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in spec["paths"][path], (path, method)
    # and nothing documented that does not exist
    assert set(spec["paths"]) == {openapi_path(r) for r in rules(app)}


def test_every_schema_reference_resolves(client):
    spec = client.get("/openapi.json").get_json()

    def refs(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(spec))
    assert found
    for ref in found:
        _hash, components, kind, name = ref.split("/")
        assert components == "components" and name in spec["components"][kind], ref
