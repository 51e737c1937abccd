"""The JSON API: the Diagnosis shape plus urls, entries, and every failure in the error shape."""

from __future__ import annotations

import json

import pytest
from samples import EVENT_1196, NOT_COVERED, RESULT_FIELDS, UNRELATED

pytest_plugins = ["webfixtures"]

MB = 1024 * 1024


def error_of(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_diagnose_returns_the_engine_shape_with_urls(client, small_diagnoser):
    response = client.post("/api/v1/diagnose", json={"text": EVENT_1196, "top": 3})
    assert response.status_code == 200
    body = response.get_json()
    assert body["confident"] is True
    assert body["facts"]["events"] == [
        {"id": 1196, "source": "Microsoft-Windows-FailoverClustering"}
    ]
    assert len(body["results"]) == 3
    first = body["results"][0]
    assert first["id"] == "dns-signature"
    assert RESULT_FIELDS | {"url"} <= set(first)
    assert first["url"] == "http://localhost/kb/dns-signature"
    assert "event-1196-signature" in [r["rule"] for r in first["why"]["rules"]]
    # the web layer adds urls and nothing else: the rest is the engine's own dict
    engine = small_diagnoser.diagnose(EVENT_1196, top=3).to_dict()
    for result in body["results"]:
        result.pop("url")
    assert body == json.loads(json.dumps(engine))


def test_results_are_the_nearest_entries_when_not_confident(client):
    body = client.post("/api/v1/diagnose", json={"text": NOT_COVERED}).get_json()
    assert body["confident"] is False
    assert body["results"] and all("url" in r for r in body["results"])
    nothing = client.post("/api/v1/diagnose", json={"text": UNRELATED}).get_json()
    assert nothing["confident"] is False and nothing["results"] == []


def test_urls_use_kb_public_url_when_set(make_app):
    client = make_app(KB_PUBLIC_URL="https://kb.example.com/").test_client()
    body = client.post("/api/v1/diagnose", json={"text": EVENT_1196, "top": 1}).get_json()
    assert body["results"][0]["url"] == "https://kb.example.com/kb/dns-signature"
    entry = client.get("/api/v1/entries/dns-signature").get_json()
    assert entry["url"] == "https://kb.example.com/kb/dns-signature"


def test_chinese_comes_back_as_utf8(client):
    paste = "事件 ID: 1196\n群集网络名称资源“CLUSTER01”注册一个或多个相关联的 DNS 名称失败。原因如下: DNS 服务器失败。"
    response = client.post("/api/v1/diagnose", json={"text": paste})
    body = response.get_json()
    assert body["results"][0]["id"] == "dns-server"
    assert body["facts"]["language"] == "zh"
    assert body["results"][0]["title"].encode("utf-8") in response.data  # UTF-8, not escapes


@pytest.mark.parametrize(
    "body, code",
    [
        ({}, "missing_text"),
        ({"text": ""}, "empty_text"),
        ({"text": "  \n "}, "empty_text"),
        ({"text": 42}, "invalid_request"),
        ({"text": ["a"]}, "invalid_request"),
        ({"text": EVENT_1196, "top": 0}, "invalid_top"),
        ({"text": EVENT_1196, "top": 21}, "invalid_top"),
        ({"text": EVENT_1196, "top": "5"}, "invalid_top"),
        ({"text": EVENT_1196, "top": True}, "invalid_top"),
        ({"text": EVENT_1196, "top": 2.5}, "invalid_top"),
        ([EVENT_1196], "invalid_request"),
        ("just a string", "invalid_request"),
    ],
)
def test_bad_requests_are_400_in_the_error_shape(client, body, code):
    error_of(client.post("/api/v1/diagnose", json=body), 400, code)


def test_invalid_json_is_a_400(client):
    for data in (b"{not json", b"", '{"text": "\xff"'.encode("latin-1")):
        error_of(
            client.post("/api/v1/diagnose", data=data, content_type="application/json"),
            400,
            "invalid_json",
        )


def test_other_content_types_are_415(client):
    for content_type in (
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        None,
    ):
        kwargs = {"content_type": content_type} if content_type else {}
        response = client.post("/api/v1/diagnose", data=json.dumps({"text": EVENT_1196}), **kwargs)
        error_of(response, 415, "unsupported_media_type")
    ok = client.post(
        "/api/v1/diagnose",
        data=json.dumps({"text": EVENT_1196}),
        content_type="application/json; charset=utf-8",
    )
    assert ok.status_code == 200


def test_bodies_over_two_mb_are_413(client):
    body = json.dumps({"text": "x" * (2 * MB)})
    error = error_of(
        client.post("/api/v1/diagnose", data=body, content_type="application/json"),
        413,
        "payload_too_large",
    )
    assert "2 MB" in error["message"]


def test_pastes_over_the_paste_limit_are_413(client):
    error = error_of(
        client.post("/api/v1/diagnose", json={"text": "x" * (MB + 1)}), 413, "paste_too_large"
    )
    assert "limit is 1,000,000 bytes" in error["message"]


def test_entries_list_and_filters(client):
    body = client.get("/api/v1/entries").get_json()
    ids = [e["id"] for e in body["entries"]]
    assert ids == sorted(ids) and "dns-signature" in ids and len(ids) == 5
    first = body["entries"][0]
    assert set(first) == {"id", "title", "kind", "source", "products", "tags", "url"}
    hyperv = client.get("/api/v1/entries?product=HYPER-V").get_json()["entries"]
    assert [e["id"] for e in hyperv] == ["unknown-processor"]
    assert client.get("/api/v1/entries?tag=nothing").get_json() == {"entries": []}


def test_one_entry_is_the_whole_entry(client, small_diagnoser):
    body = client.get("/api/v1/entries/dns-signature").get_json()
    expected = small_diagnoser.entries["dns-signature"].to_dict()
    assert {k: body[k] for k in expected} == json.loads(json.dumps(expected))
    assert body["url"].endswith("/kb/dns-signature")
    assert body["feedback"] == {"solved": 0, "not_helpful": 0}


def test_unknown_entry_and_route_are_404(client):
    error_of(client.get("/api/v1/entries/nope"), 404, "unknown_entry")
    error_of(client.get("/api/v1/nope"), 404, "not_found")
    error_of(client.get("/api/v2/diagnose"), 404, "not_found")


def test_wrong_methods_are_405_with_allow(client):
    response = client.get("/api/v1/diagnose")
    error_of(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    error_of(client.delete("/api/v1/entries"), 405, "method_not_allowed")
    error_of(client.put("/api/v1/mattermost"), 405, "method_not_allowed")
