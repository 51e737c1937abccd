"""The helpdesk page (issue 11): a paste answered with 303 to a permalink, fix-first cards, the
honest no-answer page with "Request an article", feedback that feeds the gap queue, the
writers' gap list and API, suggestions, deflection figures, and the result store's expiry."""

from __future__ import annotations

import re
import time

import pytest
from samples import EVENT_1196, NOT_COVERED, UNRELATED
from webhelpers import multipart

from webapp import permalinks
from webapp.store import TOKEN

pytest_plugins = ["webfixtures"]

MB = 1024 * 1024


def post_paste(client, text: str, **form) -> str:
    """POST a paste to /, check the 303, return the permalink path."""
    response = client.post("/", data={"text": text, **form})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]
    location = response.headers["Location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{22,}", location), location
    return location


def test_a_paste_is_answered_with_303_to_a_stable_permalink(client):
    path = post_paste(client, EVENT_1196, top="2")
    token = path.rsplit("/", 1)[1]
    assert TOKEN.match(token) and len(token) >= 22  # 16 random bytes: 128 bits
    first, again = client.get(path), client.get(path)
    assert first.status_code == again.status_code == 200
    html = first.get_data(as_text=True)
    assert html.count('<article class="card') == 2  # the stored 'top' is kept
    assert f"http://localhost{path}" in html  # the page shows its own address
    assert EVENT_1196.splitlines()[-1] in html  # and the paste
    assert first.headers["Cache-Control"] == "no-store"
    assert post_paste(client, EVENT_1196) != path  # a new paste, a new address


@pytest.mark.parametrize("token", ["AAAAAAAAAAAAAAAAAAAAAA", "short", "..%2F..%2Fetc"])
def test_an_unknown_token_is_a_404_page_in_the_error_shape(client, token):
    response = client.get(f"/r/{token}")
    assert response.status_code == 404 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<section class="error"' in html and "Traceback" not in html


def test_an_expired_result_is_gone(app, client):
    store = app.extensions["kb_store"]
    link = store.save_result({"paste": EVENT_1196, "top": 1}, ttl_s=10, now=time.time() - 60)
    assert client.get(f"/r/{link.token}").status_code == 404


def test_expired_results_are_deleted_by_the_next_save_once_an_interval(make_app):
    app = make_app(KB_RESULT_EXPIRE_EVERY_S=3600)
    store = app.extensions["kb_store"]
    old = time.time() - 100
    stale = store.save_result({"paste": "x"}, ttl_s=1, now=old)
    client = app.test_client()
    post_paste(client, EVENT_1196)  # the first save after a start expires
    assert store.load_result(stale.token, now=old) is None  # deleted, not just hidden
    late = store.save_result({"paste": "y"}, ttl_s=1, now=old)
    post_paste(client, EVENT_1196)  # within the hour: not again
    assert store.load_result(late.token, now=old) is not None
    with app.app_context():
        monotonic = app.extensions["kb_results_expired_at"]
        assert permalinks.expire_now_and_then(now=monotonic + 3601) == 1
    assert store.load_result(late.token, now=old) is None


def test_get_with_q_shows_the_results_directly(client):
    response = client.get("/", query_string={"q": EVENT_1196})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="/kb/dns-signature"' in html and "Confident answer" in html


def test_the_card_is_fix_first_and_why_is_closed_plain_sentences(client):
    html = client.get(post_paste(client, EVENT_1196)).get_data(as_text=True)
    card = html[html.index('<article class="card') : html.index("</article>")]
    order = [card.index(f'data-part="{part}"') for part in ("fix", "cause", "symptom", "why")]
    assert order == sorted(order)
    assert card.index('class="label"') < order[0]  # title and label above the fix
    why = re.search(r'<details class="why" data-part="why">(.*?)</details>', card, re.DOTALL)[1]
    assert "<details open" not in card
    sentences = re.findall(r"<li>(.*?)</li>", why)
    assert sentences and all(s.endswith(".") for s in sentences)
    assert not re.search(r"signature-event|event-1196-signature|regex", why)


def test_no_answer_page_has_no_fix_nearest_links_and_a_request_form(make_app):
    client = make_app(KB_ESCALATE_URL="https://tickets.example.com/new").test_client()
    html = client.get(post_paste(client, NOT_COVERED)).get_data(as_text=True)
    assert "No confident answer." in html and 'data-part="fix"' not in html
    assert re.search(r'<ul class="nearest"><li lang="(?:en|zh)"><a href="/kb/[a-z0-9-]+">', html)
    form = re.search(r'<form class="request-article" method="post" action="/request-article"', html)
    assert form and 'data-action="request-article"' in html
    assert 'href="https://tickets.example.com/new"' in html
    nothing = client.get(post_paste(client, UNRELATED)).get_data(as_text=True)
    assert "No entry is near this paste" in nothing and 'class="nearest"' not in nothing
    assert "tickets.example.com" not in make_app().test_client().get(
        post_paste(client, NOT_COVERED)
    ).get_data(as_text=True)


def gaps(client) -> list[dict]:
    return client.get("/api/v1/gaps").get_json()["gaps"]


def test_request_article_puts_the_masked_paste_in_the_gap_queue(client):
    paste = "Backup job 'Nightly' on fs01.corp.example.com stopped: quota exceeded."
    path = post_paste(client, paste)  # not confident: counted once already
    assert [g["count"] for g in gaps(client)] == [1]
    token = path.rsplit("/", 1)[1]
    response = client.post("/request-article", data={"result": token})
    assert response.status_code == 201 and "writers" in response.get_data(as_text=True)
    in_place = client.post(
        "/request-article", data={"text": paste}, headers={"Accept": "application/json"}
    )
    assert in_place.status_code == 201 and in_place.get_json()["count"] == 3
    (gap,) = gaps(client)
    assert gap["count"] == 3 and "fs01" not in gap["example"] and "<HOST>" in gap["example"]
    assert "Nightly" not in gap["template"]


@pytest.mark.parametrize(
    ("form", "status"),
    [({"text": ""}, 400), ({"text": "   "}, 400), ({}, 400), ({"result": "A" * 22}, 400)],
)
def test_request_article_without_a_paste_is_400_in_the_error_shape(client, form, status):
    response = client.post("/request-article", data=form)
    assert response.status_code == status and response.mimetype == "text/html"
    assert '<section class="error"' in response.get_data(as_text=True)
    assert gaps(client) == []


def test_request_article_over_two_mb_is_413_in_the_error_shape(client):
    response = client.post("/request-article", **multipart({"text": "x" * (2 * MB + 10)}))
    assert response.status_code == 413 and '<section class="error"' in response.get_data(
        as_text=True
    )
    too_long = client.post("/request-article", **multipart({"text": "x " * (MB // 2 + 10)}))
    assert too_long.status_code == 413
    assert gaps(client) == []


def test_didnt_help_on_a_result_feeds_the_gap_queue_and_works_in_place(client):
    token = post_paste(client, EVENT_1196).rsplit("/", 1)[1]
    assert gaps(client) == []  # confident: no gap
    vote = {"entry_id": "dns-signature", "verdict": "not_helpful", "result": token}
    response = client.post("/feedback", data=vote, headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.get_json()["counted"] is True
    (gap,) = gaps(client)
    assert gap["event_id"] == 1196 and "NODE1.corp.contoso.com" not in gap["example"]
    again = client.post("/feedback", data=vote)  # the same voter, the same result: once
    assert again.status_code == 303 and "feedback=already" in again.headers["Location"]
    assert gaps(client)[0]["count"] == 1


def test_a_not_confident_api_answer_is_a_gap_and_every_paste_is_counted(client):
    client.post("/api/v1/diagnose", json={"text": NOT_COVERED})
    client.post("/api/v1/diagnose", json={"text": EVENT_1196})
    post_paste(client, EVENT_1196)
    assert [g["count"] for g in gaps(client)] == [1]
    html = client.get("/kb/_stats").get_data(as_text=True)
    assert "3 pastes, 2 answered confidently" in html and "(67%)" in html
    assert "<svg" in html and html.count('<rect class="pastes"') == 1


def test_a_gap_shows_the_entry_that_answers_it_later(app, client):
    from webapp.gaps import record_template

    with app.test_request_context():
        record_template(EVENT_1196)  # as if recorded before the entry existed
        record_template("Printer <NAME> jammed in tray 2")
    listed = {g["template"][:7]: g for g in gaps(client)}
    assert listed["Log Nam"]["answered_by"] == "dns-signature"
    assert listed["Printer"]["answered_by"] is None
    page = client.get("/kb/gaps").get_data(as_text=True)
    assert 'href="/kb/dns-signature"' in page and "Printer &lt;NAME&gt; jammed" in page


def test_suggestions_come_from_titles_event_ids_and_codes(client):
    def ids(q):
        response = client.get("/api/v1/suggest", query_string={"q": q})
        assert response.status_code == 200
        found = response.get_json()["suggestions"]
        assert all(set(s) == {"id", "title", "url"} for s in found)
        return [s["id"] for s in found]

    assert ids("dns sig")[0] == "dns-signature"
    assert "dns-signature" in ids("1196") and "dns-server" in ids("1196")
    assert ids("群集网络")[:1] and all(i.startswith("dns-") for i in ids("群集网络"))
    assert ids("") == [] and ids("zzzzqqq") == []
    assert ids("x" * 10_000) == []  # bounded


def test_links_between_entries_are_real_links():
    from webapp.render import markdown_html

    html = str(markdown_html("See [the DNS entry](dns-signature) and [b](dns-server.md)."))
    assert 'href="/kb/dns-signature"' in html and 'href="/kb/dns-server"' in html
