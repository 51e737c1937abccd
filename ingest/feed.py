"""Feed bytes -> :class:`Article` objects, via feedparser (the only module that imports it).

feedparser reads RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 in any declared or sniffed encoding and
strips DOCTYPEs, so entity bombs and external entities are neither expanded nor fetched. Its
HTML sanitizer is switched off: every piece of HTML is sanitized later with an allow-list
(:mod:`ingest.html`), which also catches what feedparser's sanitizer lets through.

What this module decides:

- whether the document is a feed at all (empty file, HTML page, not a feed -> rejected);
- whether it was *recovered* (feedparser's ``bozo`` flag: not well-formed or wrongly
  encoded, but items were read) and the one-line reason;
- each item's identity (guid, else link), its permalink (http/https only, and a guid only
  when it is a permalink), its plain-text title, its HTML and its categories;
- how much of an item is read: a body over ``max_item_bytes`` is cut at a block boundary
  and the item says so (:attr:`Article.damage`), so no later step ever reads more; titles,
  guids and categories are bounded too.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import io
import re
import xml.sax
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import feedparser
import feedparser.api

from . import saxdriver
from .encoding import repair_utf8
from .errors import SourceRejected
from .fetch import Fetched, human_size
from .html import plain_text
from .urls import is_http_url, safe_url

_HTML_PAGE = re.compile(rb"<\s*(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_WS = re.compile(r"\s+")

# What one item may hold. Splitting and mining cost 3-10 s per MB of article HTML, depending
# on its shape (bench/adversarial.py); a real article is rarely over 200 KB.
# `kb ingest --max-item-bytes` changes the body limit.
MAX_ITEM_BYTES = 1024 * 1024
MAX_TITLE_CHARS = 1_000
MAX_TAGS = 100
MAX_TAG_CHARS = 200
MAX_GUID_CHARS = 2_000
# Where a truncated body may end: after a paragraph, list item, cell, row, block or line break.
_BLOCK_END = re.compile(
    r"</(?:p|li|td|tr|table|div|pre|blockquote|h[1-6]|ul|ol|dl)\s*>|<br\s*/?>", re.IGNORECASE
)


@dataclass(frozen=True)
class Article:
    """One feed item, ready to be split into entries."""

    index: int  # 1-based position in the feed, for messages
    guid: str  # identity across runs: the item's guid, else its link, else a content hash
    link: str | None  # http(s) permalink, or None
    title: str  # plain text
    html: str  # the item's HTML, not yet sanitized
    base: str | None  # base URL for relative links inside html
    tags: tuple[str, ...]
    content_hash: str  # "sha256:..." of title + link + html as the feed gave them
    problems: tuple[str, ...] = ()  # e.g. "no permalink"
    # What was lost or altered in the item's text ("body truncated: ...", "invalid UTF-8
    # ..."): reported, and kept in each of its entries as ``ingest.problems``.
    damage: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """How messages name the item."""
        return f"item {self.index} ({self.title!r})" if self.title else f"item {self.index}"


@dataclass(frozen=True)
class ParsedFeed:
    """A readable feed: its version, its items, and why it needed recovering (if it did)."""

    version: str
    title: str
    articles: list[Article] = field(default_factory=list)
    recovered: str | None = None
    # how many of the articles were handed to parse_feed's on_articles while parsing
    streamed: int = 0


def bozo_reason(exc: BaseException | None) -> str:
    """feedparser's bozo exception as one short line."""
    if exc is None:
        return "not well-formed"
    if isinstance(exc, xml.sax.SAXParseException):
        return f"not well-formed XML (line {exc.getLineNumber()}: {exc.getMessage()})"
    name = type(exc).__name__
    text = _WS.sub(" ", str(exc)).strip()
    if name == "CharacterEncodingOverride":
        return f"encoding problem ({text})"
    if name == "CharacterEncodingUnknown":
        return f"unknown encoding ({text})"
    if name == "NonXMLContentType":
        return f"served as non-XML ({text})"
    return f"{name}: {text}"[:200] if text else name


@contextmanager
def buffered_sax(after_chunk: Callable[[object], None] | None = None) -> Iterator[None]:
    """feedparser parses with :mod:`ingest.saxdriver` (expat joining text) inside the block,
    calling *after_chunk* with its parser object after each chunk of the document.

    feedparser takes its SAX driver from ``feedparser.api.PREFERRED_XML_PARSERS`` (module
    names for :func:`xml.sax.make_parser`, tried in order); the list is restored after. (Two
    threads parsing at once could leave this driver first for good: it parses the same.)
    """
    before = feedparser.api.PREFERRED_XML_PARSERS
    feedparser.api.PREFERRED_XML_PARSERS = [saxdriver.__name__, *before]
    token = saxdriver.after_chunk.set(after_chunk)
    try:
        yield
    finally:
        saxdriver.after_chunk.reset(token)
        feedparser.api.PREFERRED_XML_PARSERS = before


def parse_feed(
    fetched: Fetched,
    max_item_bytes: int = MAX_ITEM_BYTES,
    on_articles: Callable[[list[Article]], None] | None = None,
) -> ParsedFeed:
    """Parse *fetched*; raise :class:`SourceRejected` when it is not a feed.

    An item body over *max_item_bytes* of UTF-8 is truncated (see :func:`truncate_html`).

    *on_articles*, when given, is handed the articles in feed order while the document is
    still being read, a few at a time (each item once its end tag is read): a caller starts
    on them before the parse ends. They are the same objects as the first
    :attr:`ParsedFeed.streamed` articles of the result; when the document turns out not to be
    well-formed XML, feedparser reads it again with its lenient parser, ``streamed`` is 0 and
    what was handed over is void.
    """
    data = fetched.data
    if not data.strip():
        raise SourceRejected("empty file" if fetched.url is None else "empty response")
    # Invalid UTF-8 is replaced where it is; feedparser would decode the whole feed again in
    # another charset and garble every clean item (ingest.encoding).
    repaired = repair_utf8(data, fetched.headers)
    if repaired is not None:
        data = repaired.data
    stream = _Stream(on_articles, max_item_bytes, repaired is not None)
    # A stream, never the bytes themselves: feedparser would try bytes as a file name first.
    with buffered_sax(stream.after_chunk if on_articles else None):
        result = feedparser.parse(
            io.BytesIO(data),
            response_headers=dict(fetched.headers),
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    version = result.get("version") or ""
    entries = result.get("entries") or []
    bozo = bool(result.get("bozo"))
    exception = result.get("bozo_exception")
    if (
        bozo
        and type(exception).__name__ == "NonXMLContentType"
        and "content-type" not in fetched.headers
    ):
        bozo = (
            False  # no Content-Type at all (a file, or a header replay without one): nothing wrong
        )
    reason = bozo_reason(exception) if bozo else None
    if repaired is not None:
        reason = f"{repaired.reason}; {reason}" if reason else repaired.reason
    if not version:
        # No RSS/Atom root: whatever feedparser scraped from it (an <item> in some other XML,
        # links in a web page) is not a feed's items.
        if _HTML_PAGE.search(data[:4096]):
            raise SourceRejected("an HTML page, not a feed")
        raise SourceRejected(
            f"not a feed ({reason})" if reason else "not a feed (no RSS or Atom root element)"
        )
    feed_title = plain_text(result.get("feed", {}).get("title", ""))
    # The articles handed over while parsing are kept when they came from this very list
    # (the strict parser's); a lenient re-parse has made new entries.
    articles = stream.articles if entries is stream.entries else []
    articles += [
        _article(i, e, max_item_bytes, repaired is not None)
        for i, e in enumerate(entries[len(articles) :], start=len(articles) + 1)
    ]
    return ParsedFeed(
        version=version,
        title=feed_title,
        articles=articles,
        recovered=reason,
        streamed=stream.handed if entries is stream.entries else 0,
    )


class _Stream:
    """Turns the items feedparser has finished into articles as the parse goes
    (:data:`ingest.saxdriver.after_chunk`), and hands them to *on_articles*.

    feedparser appends an item's dict when the item starts and, while it is inside the item
    (``inentry``), writes only to the last one: every item before it is complete, and so is
    the last once ``inentry`` is off.
    """

    def __init__(self, on_articles, max_item_bytes: int, repaired: bool):
        self.on_articles = on_articles
        self.max_item_bytes = max_item_bytes
        self.repaired = repaired
        self.entries: list | None = None  # the strict parser's list of items
        self.articles: list[Article] = []
        self.handed = 0

    def after_chunk(self, handler) -> None:
        entries = getattr(handler, "entries", None)
        if not isinstance(entries, list):
            return
        if self.entries is None:
            self.entries = entries
        elif entries is not self.entries:  # another parser object: nothing of ours
            return
        done = len(entries) - (1 if getattr(handler, "inentry", 0) else 0)
        start = len(self.articles)
        if done <= start:
            return
        new = [
            _article(i, entries[i - 1], self.max_item_bytes, self.repaired)
            for i in range(start + 1, done + 1)
        ]
        self.articles.extend(new)
        self.handed = len(self.articles)
        self.on_articles(new)


def _content(entry) -> tuple[str, str | None]:
    """The item's fullest HTML and its base URL: content (Atom, content:encoded), else summary."""
    best = None
    for item in entry.get("content") or []:
        if (item.get("value") or "").strip() and (
            best is None or len(item["value"]) > len(best["value"])
        ):
            best = item
    if best is None:
        detail = entry.get("summary_detail") or {}
        if (entry.get("summary") or "").strip():
            best = {
                "value": entry.get("summary"),
                "type": detail.get("type"),
                "base": detail.get("base"),
            }
    if best is None:
        return "", None
    value = best.get("value") or ""
    if (best.get("type") or "").lower() == "text/plain":
        value = htmllib.escape(value).replace("\n", "<br />\n")
    base = best.get("base")
    return value, base if is_http_url(base) else None


def truncate_html(html: str, limit: int) -> tuple[str, str | None]:
    """*html* cut to at most *limit* bytes of UTF-8, and a note saying so (None: not cut).

    The cut ends after the last paragraph, list item or line break in the last quarter of what
    fits, else before a tag it would split: the entry ends on whole sentences where it can.
    """
    if len(html) * 4 <= limit:  # UTF-8 takes at most four bytes a character
        return html, None
    data = html.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return html, None
    cut = data[:limit].decode("utf-8", "ignore")
    ends = [m.end() for m in _BLOCK_END.finditer(cut, len(cut) - len(cut) // 4)]
    if ends:
        cut = cut[: ends[-1]]
    elif cut.rfind("<") > cut.rfind(">"):
        cut = cut[: cut.rfind("<")]
    kept = len(cut.encode("utf-8", "surrogatepass"))
    return cut, (
        f"body truncated: {human_size(len(data))} of HTML, the first {human_size(kept)} "
        "ingested (the limit is --max-item-bytes)"
    )


def _article(
    index: int, entry, max_item_bytes: int = MAX_ITEM_BYTES, repaired: bool = False
) -> Article:
    raw_title = entry.get("title") or ""
    raw_link = entry.get("link") or ""
    whole_body, base = _content(entry)
    body, truncated = truncate_html(whole_body, max_item_bytes)
    title = plain_text(raw_title[:MAX_TITLE_CHARS])
    # feedparser sets `link` from the guid only when the guid is a permalink
    # (isPermaLink not "false"); a guid that is merely an identifier never becomes a link.
    link = safe_url(raw_link, base)
    guid = (entry.get("id") or "").strip() or (raw_link.strip()) or ""
    if len(guid) > MAX_GUID_CHARS:  # an identity, not a text: a digest of it says as much
        guid = "urn:sha1:" + hashlib.sha1(guid.encode("utf-8", "surrogatepass")).hexdigest()
    if not guid:
        whole = f"{title}\n{whole_body}".encode("utf-8", "surrogatepass")
        guid = "urn:sha1:" + hashlib.sha1(whole).hexdigest()[:20]
    tags: dict[str, None] = {}
    for tag in (entry.get("tags") or [])[:MAX_TAGS]:
        term = plain_text((tag.get("term") or tag.get("label") or "")[:MAX_TAG_CHARS]).lower()
        if term:
            tags.setdefault(term, None)
    digest = hashlib.sha256(  # of the whole body: a change past the cut is a change
        f"{raw_title}\n{raw_link}\n{whole_body}".encode("utf-8", "surrogatepass")
    ).hexdigest()
    problems = () if link else ("no permalink",)
    damage = (truncated,) if truncated else ()
    replaced = raw_title.count("\ufffd") + whole_body.count("\ufffd") if repaired else 0
    if replaced:
        damage += (f"invalid UTF-8: {replaced} character(s) shown as U+FFFD (\ufffd)",)
    return Article(
        index=index,
        guid=guid,
        link=link,
        title=title,
        html=body,
        base=base or (link if link else None),
        tags=tuple(tags),
        content_hash="sha256:" + digest,
        problems=problems,
        damage=damage,
    )
