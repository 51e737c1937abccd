"""ingest.html reads the sanitizer's output with its own tokenizer (_SanitizedTreeBuilder):
the BeautifulSoup tree, and so the Markdown, must be the one html.parser builds."""

from __future__ import annotations

from bs4 import BeautifulSoup
from conftest import SEED_FEED
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.feed import parse_feed
from ingest.fetch import Fetched
from ingest.html import _SanitizedTreeBuilder, sanitize


def same_tree(clean: str) -> None:
    expected = BeautifulSoup(clean, "html.parser")
    got = BeautifulSoup(clean, builder=_SanitizedTreeBuilder())
    assert got.decode() == expected.decode()
    assert [repr(n) for n in got.descendants] == [repr(n) for n in expected.descendants]


def test_the_seed_feeds_articles():
    parsed = parse_feed(Fetched(str(SEED_FEED), SEED_FEED.read_bytes()))
    for article in parsed.articles:
        same_tree(sanitize(article.html))


PIECES = [
    "<p>",
    "</p>",
    "<br>",
    "<br/>",
    "</br>",
    "<ul><li>",
    "</li></ul>",
    "<ol start=3><li>",
    "<pre>\n",
    "</pre>",
    "<code>",
    "</code>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<h2>",
    "</h2>",
    "<b>",
    "</b>",
    "<a href='http://e.com/?a=1&amp;b=&quot;2&quot;'>",
    '<a href="javascript:x">',
    "</a>",
    '<img src="http://e.com/i.png">',
    "<hr>",
    "<div>",
    "</div>",
    "<dl><dt>",
    "<dd>",
    "<!-- c -->",
    "<script>x</script>",
    "text",
    " spaced  text \n",
    "&amp;",
    "&lt;tag&gt;",
    "&nbsp;",
    "\u00a0",
    "&#169;",
    "&copy;",
    "&bogus",
    "a & b",
    '"quoted"',
    "1 < 2 > 0",
    "\\<Server>",
    "错误",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30))
def test_any_sanitized_html(pieces):
    same_tree(sanitize("".join(pieces)))
