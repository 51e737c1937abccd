"""ingest.html's shortcuts keep its output: sanitizers configured once, one converter copied
for each article, sanitized HTML read into a tree without html.parser."""

from __future__ import annotations

import html as htmllib
import re

import nh3
from bs4 import BeautifulSoup
from bs4.builder import HTMLParserTreeBuilder
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.html import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    DROPPED_WITH_CONTENT,
    flatten_deep,
    plain_text,
    sanitize,
    soup,
    to_markdown,
    unescape_placeholders,
)

# characters, and the tags and entities feeds are made of
PIECES = [*"<>/=\"' &#;:abdhilpr0123\n\u00a0", "<p>", "</p>", "<b>", "<a href=", "<br>", "<pre>"]
PIECES += ["<script>", "<li>", "<ul>", "&nbsp;", "&amp;", "<!--", "-->", "<img src="]
FRAGMENTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


def test_each_conversion_resolves_links_against_its_own_base():
    """The converter is copied for each article, and each copy reads its own base: a
    convert_* method cached by an earlier copy would resolve against the earlier article's."""
    html = sanitize('<p><a href="/kb/1">one</a> <img src="pic.png"></p>')
    first = to_markdown(html, base="https://one.example/a/")
    second = to_markdown(html, base="https://two.example/b/")
    assert first == "[one](https://one.example/kb/1) [image](https://one.example/a/pic.png)"
    assert second == "[one](https://two.example/kb/1) [image](https://two.example/b/pic.png)"
    assert to_markdown(html) == "one"


@settings(max_examples=300, deadline=None)
@given(FRAGMENTS)
def test_the_configured_sanitizers_clean_as_nh3_clean_with_the_same_options(fragment):
    expected = nh3.clean(
        flatten_deep(unescape_placeholders(fragment)),
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes={"http", "https"},
        strip_comments=True,
        link_rel=None,
    )
    assert sanitize(fragment) == (expected if fragment else "")
    title = nh3.clean(fragment, tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))
    assert plain_text(fragment) == (
        re.sub(r"\s+", " ", htmllib.unescape(title)).strip() if fragment else ""
    )


def _tree(document) -> list[tuple]:
    """Everything markdownify reads of a tree: each node's type, name, attributes, text."""
    return [
        (type(node).__name__, node.name, dict(getattr(node, "attrs", {}) or {}), str(node))
        for node in document.descendants
    ]


SAMPLES = [
    '<p>One &amp; <b>two</b><br>three&nbsp;<a href="http://e.com/?a=1&amp;b=&quot;2&quot;">x</a></p>',
    '<ul><li>a<li>b</ul><pre>\n\n  code &lt;here&gt;\n</pre><hr><img src="http://e.com/i.png">',
    "<table><tr><td>1</td><th>2</th></tr></table><h2>Cause</h2><dl><dt>t</dt><dd>d</dd></dl>",
    "text only, no tags",
    "",
]


@settings(max_examples=300, deadline=None)
@given(FRAGMENTS)
def test_sanitized_html_makes_the_tree_html_parser_makes(fragment):
    for html in (sanitize(fragment), sanitize(f"<p>{fragment}</p><ul><li>{fragment}</ul>")):
        assert _tree(soup(html)) == _tree(BeautifulSoup(html, "html.parser"))


def test_other_markup_is_left_to_html_parser():
    """What sanitize never writes (raw-text elements, comments, self-closing or upper-case
    tags, unquoted attributes) is read by html.parser: the same tree either way."""
    for html in [
        "<script>a<b>c</b></script>",
        "<title>a &amp; <b></title>",
        "<p>a<!-- c --></p>",
        "<br/>x",
        "<P>x</P>",
        "<a href=x>y</a>",
        "a & b",
        "</br>x<br></br>",
    ]:
        assert _tree(soup(html)) == _tree(BeautifulSoup(html, "html.parser")), html


def test_sanitized_html_is_read_without_html_parser(monkeypatch):
    def refuse(self, markup):
        raise AssertionError(f"html.parser read {markup!r}")

    samples = [sanitize(html) for html in SAMPLES]
    expected = [_tree(BeautifulSoup(html, "html.parser")) for html in samples]
    monkeypatch.setattr(HTMLParserTreeBuilder, "feed", refuse)
    assert [_tree(soup(html)) for html in samples] == expected
