"""ingest.html's shortcuts keep its output: sanitizers configured once, one converter copied
for each article."""

from __future__ import annotations

import html as htmllib
import re

import nh3
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.html import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    DROPPED_WITH_CONTENT,
    flatten_deep,
    plain_text,
    sanitize,
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
