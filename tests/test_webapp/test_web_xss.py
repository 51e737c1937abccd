"""Active content from a writer or a feed never reaches the browser: every page that shows the
hostile entry is searched for scripts, handlers, javascript: URLs, frames, forms and svg."""

from __future__ import annotations

import re

import pytest
from webhelpers import active_content

from webapp.render import markdown_html, safe_url

pytest_plugins = ["webfixtures"]

HOSTILE_PASTE = "Event ID: 4242 Source: Hostile-Provider The hostile service failed"


@pytest.fixture
def hostile_client(make_app, hostile_diagnoser):
    return make_app(diagnoser=hostile_diagnoser).test_client()


def pages(client) -> dict[str, str]:
    return {
        "entry": client.get("/kb/hostile-entry").get_data(as_text=True),
        "results": client.post(
            "/diagnose", data={"text": HOSTILE_PASTE}, follow_redirects=True
        ).get_data(as_text=True),
        "list": client.get("/kb").get_data(as_text=True),
        "list-filtered": client.get("/kb", query_string={"tag": "<b>tag</b>"}).get_data(
            as_text=True
        ),
    }


def test_no_active_content_on_any_page(hostile_client):
    for name, html in pages(hostile_client).items():
        assert active_content(html) == [], name
        html = html.replace('<script src="/static/page.js" defer></script>', "", 1)
        assert (
            "<script" not in html.lower()
            and "<iframe" not in html.lower()
            and "<svg" not in html.lower()
        )


def test_the_hostile_entry_is_shown_not_dropped(hostile_client):
    html = pages(hostile_client)["entry"]
    # the title is escaped text, visible as written
    assert "Event 4242: &lt;script&gt;alert(&#34;title&#34;)&lt;/script&gt;" in html
    # the harmless parts of each section survive
    assert "Event 4242: the hostile service fails." in html
    assert "<li>Restart the service.</li>" in html
    assert "js link" in html and "tab link" in html and "md link" in html and "styled" in html
    # code stays code, escaped
    assert "<pre><code>&lt;script&gt;alert('in code')&lt;/script&gt;" in html
    # a top-level heading inside a section is demoted below the page's own headings
    assert "<h3>A top heading</h3>" in html
    # tables survive; the safe link keeps its href and gets rel
    assert '<a href="https://safe.example/" rel="noopener noreferrer nofollow">ok</a>' in html
    # the javascript: source is not linked
    assert 'href="javascript' not in html.lower()


def test_results_page_highlighting_cannot_be_abused(hostile_client):
    html = pages(hostile_client)["results"]
    assert 'href="/kb/hostile-entry"' in html
    assert active_content(html) == []
    assert "<mark>hostil" in html.lower()


def test_no_link_but_http_and_https_survives_the_sanitizer():
    samples = [
        "[a](javascript:alert(1))",
        "[a](JaVaScRiPt:alert(1))",
        "[a](jav&#x09;ascript:alert(1))",
        "[a](data:text/html,x)",
        "[a](vbscript:x)",
        "[a](//evil.example/)",
        "[a](/relative)",
        '<a href="javascript&colon;alert(1)">a</a>',
        '<a href=" javascript:alert(1)">a</a>',
        "<a href='\x01javascript:alert(1)'>a</a>",
        "[a](file:///etc/passwd)",
        "[a](mailto:x@example.com)",
    ]
    for sample in samples:
        html = str(markdown_html(sample))
        assert "href" not in html, (sample, html)
    html = str(markdown_html("[a](https://example.com/?q=1&r=2) [b](HTTP://EXAMPLE.COM)"))
    assert html.count("href=") == 2 and html.count('rel="noopener noreferrer nofollow"') == 2


def test_only_allowed_tags_survive():
    html = str(
        markdown_html(
            "<div><span>x</span><img src=https://example.com/a.png><video></video><details open>"
            "<summary>s</summary></details><h1>h</h1><input><textarea>t</textarea><base href=x><meta>"
            "<link rel=stylesheet href=x><table><tr><td align=left>c</td></tr></table></div>"
        )
    )
    tags = set(re.findall(r"<\s*([a-z0-9]+)", html))
    assert tags <= {"p", "table", "tbody", "tr", "td", "h3"}, tags
    assert "align" not in html


def test_safe_url():
    assert safe_url("https://example.com/x") == "https://example.com/x"
    assert safe_url("  http://example.com  ") == "http://example.com"
    for bad in (
        None,
        "",
        "javascript:alert(1)",
        "data:x",
        "//example.com",
        "/kb/x",
        "http://a b",
        'http://a"b',
    ):
        assert safe_url(bad) is None


def test_the_checker_itself_finds_active_content():
    assert active_content("<p><img src=x onerror=alert(1)></p>")
    assert active_content('<a href="jav&#x09;ascript:alert(1)">x</a>')
    assert active_content('<a href=" javascript:alert(1)">x</a>')
    assert active_content('<form action="javascript:alert(1)"></form>')
    assert active_content("<svg><circle></circle></svg>")
    assert active_content('<p style="x">y</p>')
    assert not active_content(
        '<a href="/kb/x">x</a><form action="/feedback"><button>b</button></form>'
    )
