"""The helpdesk pages through Flask's test client, over a real Diagnoser of kb_small."""

from __future__ import annotations

import re

import pytest
from samples import EVENT_1196, NOT_COVERED, UNRELATED
from webhelpers import multipart

pytest_plugins = ["webfixtures"]

MB = 1024 * 1024


def card_ids(html: str) -> list[str]:
    return re.findall(r'<h2 id="title-\d+"[^>]*>.*?<a href="/kb/([^"]+)"', html, re.DOTALL)


def test_home_page_has_the_paste_form_and_the_limits(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert '<meta charset="utf-8">' in html and '<html lang="en">' in html
    assert re.search(r'<form class="paste" method="post" action="/"', html)
    assert '<textarea id="text" name="text"' in html
    assert 'name="top"' in html
    assert "1 MB" in html
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/page.js" defer>']
    assert re.search(r"<textarea[^>]*\sautofocus\s", html)


def test_event_1196_puts_its_remedy_first_with_why_and_facts(client):
    response = client.post("/diagnose", data={"text": EVENT_1196}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert card_ids(html)[0] == "dns-signature"
    assert "Confident answer" in html and "No confident answer" not in html
    # why: plain sentences in a closed <details>; rule names only on the entry's writer view
    assert "event-1196-signature" not in html and "signature-event-1196" not in html
    assert '<details class="why" data-part="why">' in html
    assert "The paste has the text &#39;dns signature failed to verify&#39; and event 1196." in html
    assert "<mark>signature</mark>" in html
    # facts echoed
    assert "1196 · Microsoft-Windows-FailoverClustering" in html
    # a feedback form per card, and the fix rendered from Markdown
    assert html.count('action="/feedback"') == len(card_ids(html))
    assert "<li>Give the cluster name object Full Control.</li>" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_the_form_may_be_multipart_or_urlencoded_and_top_limits_the_cards(client):
    as_multipart = client.post(
        "/diagnose", **multipart({"text": EVENT_1196, "top": "2"}), follow_redirects=True
    )
    urlencoded = client.post("/", data={"text": EVENT_1196, "top": "2"}, follow_redirects=True)
    assert card_ids(as_multipart.get_data(as_text=True)) == card_ids(
        urlencoded.get_data(as_text=True)
    )
    assert len(card_ids(urlencoded.get_data(as_text=True))) == 2


def test_no_confident_answer_shows_the_nearest_entries_as_links_and_no_fix(client):
    html = client.post("/", data={"text": NOT_COVERED}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "No confident answer." in html
    assert card_ids(html) == [] and 'data-part="fix"' not in html  # no fix steps at all
    nearest = re.findall(r'<ul class="nearest">(.*?)</ul>', html, re.DOTALL)[0]
    assert '<a href="/kb/dns-signature">Event 1196' in nearest
    assert 'data-action="request-article"' in html
    assert "<code>0x0000232b</code>" in html  # the code found is echoed


def test_a_paste_near_nothing_says_so(client):
    response = client.post("/diagnose", data={"text": UNRELATED}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No confident answer." in html and "No entry is near this paste" in html
    assert card_ids(html) == []
    assert "<code>0x00000709</code>" in html


def test_chinese_paste_renders_in_utf8_with_lang(client):
    paste = "事件 ID: 1196\n群集网络名称资源“CLUSTER01”注册一个或多个相关联的 DNS 名称失败。原因如下: DNS 服务器失败。"
    response = client.post("/diagnose", data={"text": paste}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype_params["charset"] == "utf-8"
    assert card_ids(html)[0] == "dns-server"
    assert paste.splitlines()[1] in html  # echoed in the textarea, intact
    assert 'lang="zh"' in html


def test_empty_paste_gives_the_form_again_with_a_message(client):
    for text in ("", "   \n\t "):
        response = client.post("/diagnose", data={"text": text})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert 'role="alert"' in html and "Paste the error message" in html
        assert '<textarea id="text" name="text"' in html
    assert client.post("/diagnose", data={}).status_code == 400


def test_bad_top_is_a_400_with_the_form(client):
    for top in ("0", "21", "abc", "-1"):
        response = client.post("/diagnose", data={"text": EVENT_1196, "top": top})
        assert response.status_code == 400
        assert "from 1 to 20" in response.get_data(as_text=True)


def test_paste_over_the_limit_is_a_413_page_naming_the_limit(client):
    response = client.post("/diagnose", **multipart({"text": "x" * (MB + 10)}))
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "the limit is 1,000,000 bytes" in html
    assert "x" * 1000 not in html  # not echoed back


def test_body_over_two_mb_is_a_413_html_page(client):
    response = client.post("/diagnose", **multipart({"text": "x" * (2 * MB + 10)}))
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "2 MB" in response.get_data(as_text=True)


def test_kb_list_filters_by_product_tag_and_words(client):
    html = client.get("/kb").get_data(as_text=True)
    assert all(
        f'href="/kb/{i}"' in html for i in ("dns-signature", "dns-server", "converter-network")
    )
    assert 'href="/kb?product=Hyper-V"' in html
    hyperv = client.get("/kb", query_string={"product": "hyper-v"}).get_data(as_text=True)
    assert 'href="/kb/unknown-processor"' in hyperv and 'href="/kb/dns-signature"' not in hyperv
    words = client.get("/kb", query_string={"q": "DNS signature"}).get_data(as_text=True)
    assert 'href="/kb/dns-signature"' in words and 'href="/kb/converter-network"' not in words
    none = client.get("/kb", query_string={"tag": "no-such-tag"}).get_data(as_text=True)
    assert "No entry matches." in none


def test_entry_page_shows_everything_and_feedback_counts(client):
    response = client.get("/kb/dns-signature")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in (
        "Event 1196: cluster network name",
        "<h2>Symptom</h2>",
        "<h2>Cause</h2>",
        "<h2>Fix</h2>",
        "Failover Clustering",
        "Microsoft-Windows-FailoverClustering",
        "Examples",
        "solved 0",
        "didn't help 0",
    ):
        assert text in html, text


def test_unknown_entry_is_a_404_page(client):
    response = client.get("/kb/no-such-entry")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "not found" in response.get_data(as_text=True)


def test_feedback_redirects_back_with_thanks_and_counts(client, app):
    response = client.post(
        "/feedback",
        data={"entry_id": "dns-signature", "verdict": "solved", "paste_sha256": "a" * 64},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/kb/dns-signature?feedback=thanks#feedback"
    client.post(
        "/feedback",
        data={"entry_id": "dns-signature", "verdict": "not_helpful"},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
    page = client.get("/kb/dns-signature?feedback=thanks").get_data(as_text=True)
    assert "Thank you" in page
    assert "solved 1" in page and "didn't help 1" in page


def test_a_second_vote_from_one_client_counts_once(client):
    vote = {"entry_id": "dns-signature", "verdict": "not_helpful"}
    assert (
        client.post("/feedback", data=vote).headers["Location"].endswith("feedback=thanks#feedback")
    )
    again = client.post("/feedback", data=vote)
    assert again.headers["Location"] == "/kb/dns-signature?feedback=already#feedback"
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "already gave feedback" in page and "didn't help 1" in page


def test_feedback_is_validated(client):
    assert (
        client.post("/feedback", data={"entry_id": "dns-signature", "verdict": "meh"}).status_code
        == 400
    )
    assert (
        client.post("/feedback", data={"entry_id": "nope", "verdict": "solved"}).status_code == 404
    )
    assert client.get("/feedback").status_code == 405


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "https://evil.example"},  # an older browser: no Sec-Fetch-Site
        {"Origin": "null"},  # a sandboxed frame or a data: page
        {"Origin": "http://localhost.evil.example"},
    ],
)
@pytest.mark.parametrize(
    "path, form",
    [
        ("/feedback", {"entry_id": "dns-signature", "verdict": "solved"}),
        ("/diagnose", {"text": EVENT_1196}),
        ("/api/v1/feedback", None),
        ("/triage", {"file": "x"}),
    ],
)
def test_state_changing_posts_from_another_site_are_refused(client, headers, path, form):
    if form is None:
        response = client.post(
            path, json={"entry": "dns-signature", "solved": True}, headers=headers
        )
    else:
        response = client.post(path, data=form, headers=headers)
    assert response.status_code == 403, response.get_data(as_text=True)[:200]
    assert "cross_site" in response.get_data(as_text=True)


def test_posts_from_this_site_or_from_non_browsers_pass(make_app):
    client = make_app(KB_PUBLIC_URL="https://kb.example.com").test_client()
    for headers in (
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed in the address bar, a bookmark
        {"Origin": "http://localhost"},  # this host, as the test client names it
        {"Origin": "https://kb.example.com"},  # the public address in front of a proxy
        {},  # curl, a script
    ):
        response = client.post("/diagnose", data={"text": EVENT_1196}, headers=headers)
        assert response.status_code == 303, headers


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "status": "ok",
        "entries": 5,
        "broken_files": 0,
        "kb_version": body["kb_version"],
    }
    assert response.headers["X-KB-Version"] == body["kb_version"]


def test_every_response_has_the_security_headers_and_no_cookie(client):
    with client.get("/static/style.css") as static:
        assert static.status_code == 200
    responses = [
        static,
        client.get("/"),
        client.get("/kb"),
        client.get("/kb/nope"),
        client.post("/diagnose", data={"text": EVENT_1196}),
        client.get("/api/v1/entries"),
        client.post("/api/v1/diagnose", data="x"),
        client.get("/openapi.json"),
    ]
    for response in responses:
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src 'self';" in csp
        assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "Set-Cookie" not in response.headers


def test_pages_load_only_their_own_script_and_css(client):
    html = client.post("/", data={"text": EVENT_1196}, follow_redirects=True).get_data(as_text=True)
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/page.js" defer>']
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["/static/style.css"]
    with client.get("/static/style.css") as response:
        css = response.get_data(as_text=True)
    assert "Microsoft YaHei" in css and "Noto Sans CJK SC" in css
