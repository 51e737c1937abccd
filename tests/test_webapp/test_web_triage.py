"""Log triage on the web: POST /api/v1/triage (the JSON of kb triage --json), the /triage upload
page with links to the entries, and every failure in the one error shape."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

# the triage tests' log generator and helpers, also when this file runs alone
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "test_triage"))
import logmaker as lm
from triagehelpers import EVTX, zip_bytes

from triage import triage_streams

pytest_plugins = ["webfixtures"]

EVENTS = lm.make_events({lm.DNS_1196: 6, lm.SPOOLER_7031: 3, lm.RUNNING_7036: 10}, seed=11)


def upload(files: list[tuple[str, bytes]], field: str = "file") -> dict:
    """Test-client kwargs for a multipart body built in memory (Werkzeug's encoder spools big
    bodies to a temp file it never closes)."""
    boundary = "----kbtriageboundary9f3a"
    parts = []
    for name, data in files:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def error_of(response, status: int, code: str) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body == {"error": {"code": code, "message": body["error"]["message"]}}
    return body["error"]["message"]


def test_the_api_returns_the_report_of_the_library(client, small_diagnoser):
    data = lm.export_csv(EVENTS).encode()
    response = client.post("/api/v1/triage", **upload([("System.csv", data)]))
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body == triage_streams([("System.csv", io.BytesIO(data))], small_diagnoser).to_dict()
    first = body["groups"][0]
    assert (first["event_id"], first["count"], first["entry"]) == (1196, 6, "dns-signature")


def test_several_files_are_one_upload(client):
    files = [
        ("System.evtx", (EVTX / "System.evtx").read_bytes()),
        ("logs/bundle.zip", zip_bytes({"../x.log": b"ERROR x\n"})),
    ]
    body = client.post("/api/v1/triage", **upload(files)).get_json()
    assert body["events"] == 1881
    assert body["skipped"] == [
        {"name": "bundle.zip!../x.log", "reason": "unsafe path (absolute or with '..'): not read"}
    ]


def test_an_upload_over_the_limit_is_413_in_the_error_shape(make_app):
    client = make_app(KB_TRIAGE_MAX_UPLOAD=50_000).test_client()
    big = (EVTX / "System.evtx").read_bytes()
    message = error_of(
        client.post("/api/v1/triage", **upload([("S.evtx", big)])), 413, "payload_too_large"
    )
    assert message == "The upload is larger than the 50,000 bytes limit."
    page = client.post("/triage", **upload([("S.evtx", big)]))
    assert page.status_code == 413 and page.mimetype == "text/html"
    assert "50,000 bytes limit" in page.get_data(as_text=True)


def test_a_bomb_is_refused_with_413(make_app):
    client = make_app(KB_TRIAGE_MAX_BYTES=1_000_000).test_client()
    bomb = zip_bytes({"a.log": b"ERROR again\n" * 200_000})
    message = error_of(
        client.post("/api/v1/triage", **upload([("b.zip", bomb)])), 413, "input_refused"
    )
    assert message.startswith("b.zip!a.log: refused")


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ([("junk.bin", os.urandom(3000) + bytes(64))], 422, "not_a_log"),
        ([("empty.log", b"")], 400, "empty_file"),
        ([], 400, "missing_file"),
    ],
    ids=["junk", "empty", "none"],
)
def test_bad_uploads_get_the_error_shape(client, files, status, code):
    kwargs = upload(files) if files else upload([("x", b"ERROR x")], field="other")
    error_of(client.post("/api/v1/triage", **kwargs), status, code)


def test_the_upload_page_and_its_report_link_to_the_entries(client, small_diagnoser):
    page = client.get("/triage").get_data(as_text=True)
    assert 'type="file" multiple' in page and 'enctype="multipart/form-data"' in page
    data = lm.wevtutil_text(EVENTS).encode("utf-16")
    html = client.post("/triage", **upload([("System.txt", data)])).get_data(as_text=True)
    assert "19 events read" in html
    assert html.index("Known problems") < html.index("No confident answer")
    assert '<a href="/kb/dns-signature">' in html
    source = small_diagnoser.entries["dns-signature"].source
    if source:
        assert source in html
    assert "Cluster network name resource &lt;NAME&gt; failed registration" in html


def test_the_upload_page_and_its_report_speak_chinese(client):
    page = client.get("/triage?lang=zh-CN").get_data(as_text=True)
    assert "分析日志" in page and "日志文件" in page and "Log files" not in page
    data = lm.wevtutil_text(EVENTS).encode("utf-16")
    html = client.post("/triage", **upload([("System.txt", data)])).get_data(as_text=True)
    assert "已读取 19 个事件" in html and "已知问题" in html and "没有可信的答案" in html
    assert "events read" not in html and "Known problems" not in html


def test_a_cross_site_upload_form_is_refused(client):
    kwargs = upload([("a.log", b"ERROR x\n")])
    response = client.post("/triage", headers={"Sec-Fetch-Site": "cross-site"}, **kwargs)
    assert response.status_code == 403


def test_unanswered_groups_join_the_gap_queue_and_known_ones_do_not(client):
    data = lm.export_csv(EVENTS).encode()
    report = client.post("/api/v1/triage", **upload([("System.csv", data)])).get_json()
    unanswered = {g["event_id"] for g in report["groups"] if not g["confident"]}
    assert unanswered and 1196 not in unanswered
    gaps = client.get("/api/v1/gaps").get_json()["gaps"]
    assert {g["event_id"] for g in gaps} == unanswered
    assert all(g["count"] == 1 for g in gaps)  # one upload: each group counted once
    client.post("/api/v1/triage", **upload([("System.csv", data)]))
    assert {g["count"] for g in client.get("/api/v1/gaps").get_json()["gaps"]} == {2}
