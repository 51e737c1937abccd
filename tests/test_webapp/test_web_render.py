"""Markdown -> safe HTML, and Markdown -> Slack mrkdwn: examples and properties."""

from __future__ import annotations

import doctest
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from webhelpers import active_content

from webapp import chatformat, render
from webapp.chatformat import clean_markdown, fit, to_mrkdwn
from webapp.render import highlight, mark_terms, markdown_html

pytest_plugins = ["webfixtures"]

FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[a](javascript:alert(1))",
    "<a href='jav&#x09;ascript:x'>t</a>",
    "```",
    "`",
    "**",
    "*",
    "_",
    "<",
    ">",
    "&",
    "&amp;",
    "|",
    "<https://example.com>",
    "[ok](https://example.com/?a=1&b=2)",
    "\n",
    "\n\n",
    "- ",
    "1. ",
    "# ",
    "> ",
    "事件 ID: 1196",
    "群集",
    " ",
    "<svg onload=x>",
    "<iframe>",
    "</code>",
    "<pre>",
    "<mark>",
]
markdownish = st.lists(
    st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=40
).map("".join)


@pytest.mark.parametrize("module", [render, chatformat])
def test_doctests(module):
    assert doctest.testmod(module).failed == 0


def test_markdown_features_render():
    html = str(
        markdown_html(
            "Intro **bold** and `code`.\n\n```powershell\nGet-ClusterResource | fl\n```\n\n"
            "| Col | Val |\n|---|---|\n| a | b |\n\n- one\n- two\n\n> quoted\n\n### Three\n\n---"
        )
    )
    for tag in (
        "<strong>bold</strong>",
        "<code>code</code>",
        "<pre><code>Get-ClusterResource | fl",
        "<table>",
        "<td>a</td>",
        "<li>one</li>",
        "<blockquote>",
        "<h3>Three</h3>",
        "<hr>",
    ):
        assert tag in html, tag
    assert "class=" not in html  # no attributes beyond a[href]


def test_chinese_survives_rendering():
    text = "1. 在 DNS 管理器中打开记录的“安全”选项卡。\n2. 授予群集名称对象完全控制权限。"
    html = str(markdown_html(text))
    assert "授予群集名称对象完全控制权限。" in html


def test_highlight_marks_words_outside_code_and_tags_only():
    html = markdown_html(
        "The DNS signature failed. `signature in code` [signature](https://x.example/signature)"
    )
    marked = str(highlight(html, ["signatur", "dns"]))
    assert "<mark>DNS</mark> <mark>signature</mark>" in marked
    assert "<code>signature in code</code>" in marked
    assert 'href="https://x.example/signature"' in marked  # the URL is untouched
    assert (
        '<a href="https://x.example/signature" rel="noopener noreferrer nofollow"><mark>signature</mark></a>'
        in marked
    )


def test_mark_terms_escapes_first():
    assert str(mark_terms("<b>cluster</b> 群集失败", ["cluster", "群集"])) == (
        "&lt;b&gt;<mark>cluster</mark>&lt;/b&gt; <mark>群集</mark>失败"
    )


@settings(max_examples=300, deadline=None)
@given(
    markdownish,
    st.lists(
        st.sampled_from(["a", "sc", "script", "onerror", "href", "mark", "群集", "code", "lt"]),
        max_size=4,
    ),
)
def test_rendering_never_raises_and_never_lets_active_content_through(text, terms):
    html = str(highlight(markdown_html(text), terms))
    assert active_content(html) == []


def test_to_mrkdwn_converts_the_common_markdown():
    md = (
        "## Resolution\n\n1. Open **DNS Manager** and select *the record*.\n- Run `ipconfig /registerdns`\n"
        '> note\n\n```powershell\nGet-X -Name "a<b>"\n```\n![shot](https://x.example/a.png) [bad](javascript:x)'
    )
    out = to_mrkdwn(md)
    assert "*Resolution*" in out
    assert "1. Open *DNS Manager* and select _the record_." in out
    assert "• Run `ipconfig /registerdns`" in out
    assert ">note" in out
    assert '```\nGet-X -Name "a&lt;b&gt;"\n```' in out
    assert "<https://x.example/a.png|shot>" in out
    assert "bad" in out and "javascript" not in out


@settings(max_examples=300, deadline=None)
@given(markdownish, st.integers(min_value=60, max_value=3000))
def test_fit_keeps_slack_limits_and_mrkdwn_whole(text, limit):
    out = fit(to_mrkdwn(text), limit, "<https://kb.example/kb/x|read the full entry>")
    assert len(out) <= limit
    body = out.rsplit("\n…", 1)[0]
    assert body.count("```") % 2 == 0
    assert body.rfind("<") <= body.rfind(">")
    assert body.rfind("&") <= body.rfind(";")


@settings(max_examples=200, deadline=None)
@given(markdownish)
def test_mattermost_markdown_keeps_only_http_links(text):
    out = clean_markdown(text)
    in_fence = False
    for line in out.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            assert re.fullmatch(r"\s*(```|~~~)[\w+#.-]*", line), line
        elif not in_fence:  # code is shown as code by Mattermost; outside it, no unsafe link
            assert "](javascript" not in line.replace("\\]", "") and "<script" not in line
