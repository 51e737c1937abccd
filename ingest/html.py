"""Feed HTML -> safe Markdown, in two steps that must stay in this order.

1. :func:`sanitize` runs an allow-list sanitizer (nh3) over the article HTML: structure,
   emphasis, code, tables and ``a[href]``/``img[src]`` survive; ``script``/``style`` vanish with
   their content; every other tag is unwrapped; every attribute except those two is dropped.
2. :func:`to_markdown` reads what is left into a tree (:func:`soup`, without html.parser
   when it has the sanitizer's shape) and converts it with markdownify, re-checking every URL with
   :func:`ingest.urls.safe_url` (http/https only; images become ``[image](url)`` links) and
   escaping text so nothing in it can turn into HTML or a link when the Markdown is rendered.

:func:`plain_text` is for titles (feed titles are not sanitized by feedparser) and
:func:`defang` is the last line of defence over any text that is written to a KB file.

>>> md = to_markdown(sanitize('<p onclick="x()">Hi <a href="jav&#x09;ascript:alert(1)">there</a>'
...                           '<script>alert(1)</script><img src="http://e.com/a.png"></p>'))
>>> print(md)
Hi there[image](http://e.com/a.png)
>>> plain_text('<b>Unknown</b> &amp; <script>x</script>processor ')
'Unknown & processor'
"""

from __future__ import annotations

import copy
import html as htmllib
import re

import nh3
from bs4 import BeautifulSoup, Comment, Doctype, NavigableString, Tag
from bs4.builder import HTMLParserTreeBuilder
from markdownify import (
    MarkdownConverter,
    re_extract_newlines,
    re_html_heading,
    should_remove_whitespace_inside,
    should_remove_whitespace_outside,
)

from .urls import safe_url

# The allow-list. Beyond the list we keep a few tags without attributes because
# dropping them would glue paragraphs together (div, dl/dt/dd, hr) and img, which the
# converter turns into a plain link.
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "ul",
        "ol",
        "li",
        "a",
        "code",
        "pre",
        "b",
        "strong",
        "i",
        "em",
        "table",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "div",
        "dl",
        "dt",
        "dd",
        "hr",
        "img",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src"}}
# Removed together with everything inside them.
DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "form",
        "noscript",
        "template",
        "svg",
        "math",
        "select",
        "textarea",
        "title",
        "head",
    }
)

_WS = re.compile(r"\s+")
_ENTITY_LIKE = re.compile(r"&(?=#?\w+;)")

# Deeper nesting than any article has. nh3's HTML5 tree builder costs time quadratic in the
# depth of open elements (1 MB of "<div>" would take minutes), and the Markdown converter
# recurses once per level.
MAX_NESTING = 64
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,63})(?:[\s/][^<>]{0,2048})?>")
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()  # noqa: SIM905
)
# Closed by the next element of the same name, as an HTML parser does ("<li>a<li>b").
_SIBLINGS = frozenset("p li dt dd tr td th option thead tbody tfoot".split())  # noqa: SIM905


def flatten_deep(html: str, max_depth: int = MAX_NESTING) -> str:
    """*html* without the start tags that would open deeper than *max_depth* elements; their
    text stays. One scan, and the text is rebuilt only when something is dropped.

    >>> flatten_deep("<div>" * 4 + "text", max_depth=2)
    '<div><div>text'
    >>> flatten_deep("<ul><li>a<li>b</ul><p>c<p>d", max_depth=2)  # siblings do not nest
    '<ul><li>a<li>b</ul><p>c<p>d'
    """
    if html.count("<") <= max_depth:
        return html
    open_tags: list[str] = []
    dropped: list[tuple[int, int]] = []
    for match in _TAG.finditer(html):
        closing, name = match.group(1), match.group(2).lower()
        if name in _VOID or match.group(0).endswith("/>"):
            continue
        if closing:  # closes the nearest open element of that name, if it is near the top
            for depth in range(len(open_tags) - 1, max(-1, len(open_tags) - 9), -1):
                if open_tags[depth] == name:
                    del open_tags[depth:]
                    break
            continue
        if open_tags and name in _SIBLINGS and open_tags[-1] == name:
            open_tags.pop()
        if len(open_tags) >= max_depth:
            dropped.append(match.span())
            continue
        open_tags.append(name)
    if not dropped:
        return html
    kept, last = [], 0
    for start, end in dropped:
        kept.append(html[last:start])
        last = end
    kept.append(html[last:])
    return "".join(kept)


# A placeholder the article's Markdown escaped (``\<ServerName>``) but its HTML left as a
# tag: a browser shows nothing, and error text lost its names ("Line \ [Batch Start Line \]").
# Microsoft's support articles hold a hundred of them per 60 articles.
_ESCAPED_PLACEHOLDER = re.compile(r"\\<([A-Za-z][\w .:-]{0,40})>")


def unescape_placeholders(html: str) -> str:
    r"""Backslash-escaped placeholders as the text they were written as.

    >>> unescape_placeholders(r"Line \<LineNumber> on <b>\<computer></b> \\<b>share</b>")
    'Line &lt;LineNumber&gt; on <b>&lt;computer&gt;</b> \\\\<b>share</b>'
    """

    def as_text(match: re.Match) -> str:
        name = match.group(1)
        # a tag the sanitizer keeps is a real one: a UNC path before bold, ``\\<b>server</b>``
        return match.group(0) if name.lower() in ALLOWED_TAGS else f"&lt;{name}&gt;"

    return _ESCAPED_PLACEHOLDER.sub(as_text, html)


def sanitize(html: str) -> str:
    """Allow-listed HTML: the only tags left are structural ones, without attributes
    except ``a[href]`` and ``img[src]`` with http(s) URLs. Nesting deeper than
    :data:`MAX_NESTING` is flattened first (:func:`flatten_deep`); escaped placeholders are
    kept as text (:func:`unescape_placeholders`)."""
    if not html:
        return ""
    return _SANITIZER.clean(flatten_deep(unescape_placeholders(html)))


# The sanitizers, configured once: nh3.clean builds ammonia's configuration from its
# arguments on every call, half the cost of sanitizing a 1 KB article.
_SANITIZER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    url_schemes={"http", "https"},
    strip_comments=True,
    link_rel=None,
)
_TAGS_REMOVED = nh3.Cleaner(tags=set(), clean_content_tags=set(DROPPED_WITH_CONTENT))


def plain_text(text: str) -> str:
    """Text with tags removed, entities decoded and whitespace collapsed (for titles)."""
    if not text:
        return ""
    cleaned = _TAGS_REMOVED.clean(text)
    return _WS.sub(" ", htmllib.unescape(cleaned)).strip()


def escape_text(text: str) -> str:
    """Escape a text node for Markdown: no tag, entity, link or emphasis can start in it."""
    text = text.replace("\\", "\\\\")
    text = _ENTITY_LIKE.sub("&amp;", text)
    text = text.replace("<", "&lt;")
    for char in "*`[]":
        text = text.replace(char, "\\" + char)
    return text


class _Converter(MarkdownConverter):
    """markdownify with our URL policy and escaping; ``base`` resolves relative links."""

    def __init__(self, base: str | None = None, **options):
        super().__init__(**options)
        self.base = base

    def process_tag(self, node, parent_tags=None):
        """markdownify 1.2's ``process_tag``, with one change for speed: "am I inside a
        <pre>?" is answered from *parent_tags* instead of walking up the tree for every
        element (a third of the conversion time on feed HTML)."""
        if parent_tags is None:
            parent_tags = set()
        remove_inside = should_remove_whitespace_inside(node)

        def can_ignore(el):
            if isinstance(el, Tag):
                return False
            if isinstance(el, (Comment, Doctype)):
                return True
            if isinstance(el, NavigableString):
                if str(el).strip() != "":
                    return False
                if remove_inside and (not el.previous_sibling or not el.next_sibling):
                    return True
                return should_remove_whitespace_outside(
                    el.previous_sibling
                ) or should_remove_whitespace_outside(el.next_sibling)
            return el is None

        children = [el for el in node.children if not can_ignore(el)]
        child_tags = set(parent_tags)
        child_tags.add(node.name)
        if re_html_heading.match(node.name) is not None or node.name in {"td", "th"}:
            child_tags.add("_inline")
        if node.name in {"pre", "code", "kbd", "samp"}:
            child_tags.add("_noformat")
        strings = [
            s for s in (self.process_element(el, parent_tags=child_tags) for el in children) if s
        ]
        if node.name != "pre" and "pre" not in parent_tags:
            collapsed = [""]
            for string in strings:
                leading, content, trailing = re_extract_newlines.match(string).groups()
                if collapsed[-1] and leading:
                    previous = collapsed.pop()
                    leading = "\n" * min(2, max(len(previous), len(leading)))
                collapsed.extend([leading, content, trailing])
            strings = collapsed
        text = "".join(strings)
        convert = self.get_conv_fn_cached(node.name)
        return convert(node, text, parent_tags=parent_tags) if convert is not None else text

    def escape(self, text, parent_tags):
        return escape_text(text) if text else ""

    def convert_a(self, el, text, parent_tags):
        if "_noformat" in parent_tags:
            return text
        href = safe_url(el.get("href"), self.base)
        stripped = text.strip()
        if not stripped:
            return ""
        if not href:
            return text
        if _IMAGE_LINK.fullmatch(stripped):
            # A thumbnail linking to the full picture: one link, not a link in a link.
            return f"[image]({href})"
        if stripped.replace("\\", "") == href:
            return f"<{href}>"
        return f"[{stripped}]({href})"

    def convert_img(self, el, text, parent_tags):
        src = safe_url(el.get("src"), self.base)
        return f"[image]({src})" if src else ""

    def convert_dt(self, el, text, parent_tags):
        return f"\n\n{text.strip()}\n\n" if text.strip() else ""

    def convert_dd(self, el, text, parent_tags):
        return f"\n\n{text.strip()}\n\n" if text.strip() else ""

    def convert_hr(self, el, text, parent_tags):
        return "\n\n"


_IMAGE_LINK = re.compile(r"\[image\]\([^)\s]+\)")


def to_markdown(clean_html: str, base: str | None = None) -> str:
    """Markdown for HTML that :func:`sanitize` has already cleaned."""
    if not clean_html.strip():
        return ""
    # a copy of one converter: building one reads its options with dir(), a tenth of
    # converting a small article. Not its cache of convert_* methods: they are bound to the
    # converter that cached them, and convert_a reads its base.
    converter = copy.copy(_CONVERTER)
    converter.base = base
    converter.convert_fn_cache = {}
    return converter.convert_soup(soup(clean_html)).strip()


_CONVERTER = _Converter(
    heading_style="ATX",
    bullets="-",
    escape_underscores=False,
    escape_asterisks=False,  # escape_text does it
    code_language="",
)


# --- reading sanitized HTML -------------------------------------------------------------------
#
# nh3 writes its output in one shape (html5ever's serializer): lower-case tag names, every
# attribute value in double quotes, text with ``&``, ``<``, ``>`` and U+00A0 written as named
# entities, no comments, no doctype, void elements without ``/``. Text of that shape is cut
# into tokens with one regular expression, and the tokens go to BeautifulSoup's tree-building
# calls exactly as bs4's html.parser builder hands them over (``bs4.builder._htmlparser``):
# the same tree, in four fifths of the time (html.parser is a fifth of a 1 KB article's
# conversion). Any other markup (sanitize never writes it, but :func:`soup` takes any string)
# is read by html.parser, as before.

# html.parser reads the content of these as text, or as text with entities (which ones
# depends on the Python version): sanitize drops them, and markup that has one is left to it
_RAW_TEXT = "script|style|xmp|iframe|noembed|noframes|noscript|plaintext|textarea|title"
_NAME = rf"(?!(?:{_RAW_TEXT})[ >])[a-z][a-z0-9]*"
_VALUE = r' [a-z][a-z-]*="[^"]*"'  # one attribute and its value
_ENTITY_NAMES = "amp|lt|gt|nbsp|quot"
# The whole text, checked first; possessive, so that a text it does not fit fails in linear
# time (and without capturing groups: Python 3.11's re mistakes them inside a possessive
# repeat)
_DOCUMENT = re.compile(rf"(?:[^<&]++|<{_NAME}(?:{_VALUE})*+>|</{_NAME}>|&(?:{_ENTITY_NAMES});)*+")
# ... then its tokens: text, start tag (name, attributes), end tag, entity
_TOKEN = re.compile(rf"([^<&]+)|<({_NAME})((?:{_VALUE})*)>|</({_NAME})>|&({_ENTITY_NAMES});")
_ATTRIBUTE = re.compile(r' ([a-z][a-z-]*)="([^"]*)"')
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "nbsp": "\u00a0", "quot": '"'}


class _SanitizedTreeBuilder(HTMLParserTreeBuilder):
    """html.parser's builder, reading markup of nh3's shape itself."""

    def feed(self, markup) -> None:
        if not isinstance(markup, str) or _DOCUMENT.fullmatch(markup) is None:
            super().feed(markup)
            return
        tree = self.soup
        # void elements closed at their start tag, whose end tag is then skipped once, as
        # html.parser's builder does (``already_closed_empty_element``)
        closed: list[str] = []
        for text, name, attributes, end, entity in _TOKEN.findall(markup):
            if text:
                tree.handle_data(text)
            elif name:
                attrs = {
                    key: htmllib.unescape(value) if "&" in value else value
                    for key, value in _ATTRIBUTE.findall(attributes)
                }
                tag = tree.handle_starttag(name, None, None, attrs)
                if tag is not None and tag.is_empty_element:
                    tree.handle_endtag(name)
                    closed.append(name)
            elif end:
                if end in closed:
                    closed.remove(end)
                else:
                    tree.handle_endtag(end)
            else:
                tree.handle_data(_ENTITIES[entity])


def soup(markup: str) -> BeautifulSoup:
    """*markup* as ``BeautifulSoup(markup, "html.parser")`` reads it (see above)."""
    return BeautifulSoup(markup, builder=_SanitizedTreeBuilder)


# --- the last line of defence ---------------------------------------------------------------

_ACTIVE_TAG = re.compile(
    r"<(?=\s*/?\s*(?:script|iframe|style|object|embed|form|svg|math|link|meta|base|frame)\b)",
    re.IGNORECASE,
)
_SCRIPT_SCHEME = re.compile(r"\b((?:java|vb|live)script)(\s*):", re.IGNORECASE)
_DATA_URL = re.compile(r"\b(data)(\s*):(?=\s*[\w.+-]+/[\w.+-]+|\s*,|\s*;)", re.IGNORECASE)
_HANDLER = re.compile(r"\b(on[a-z]{3,})(\s*)=", re.IGNORECASE)
# One cheap look first: most text has none of the above.
_SUSPECT = re.compile(r"<|script|data|\bon[a-z]{3,}\s*=", re.IGNORECASE)


def defang(text: str) -> str:
    """Neutralise anything in *text* that a Markdown renderer could turn into active
    content: tags that run code, script/data URL schemes, event-handler attributes.

    The replacements are character references, so the text still reads the same once
    rendered; it just cannot run.
    """
    if not _SUSPECT.search(text):
        return text
    text = _ACTIVE_TAG.sub("&lt;", text)
    text = _SCRIPT_SCHEME.sub(r"\1\2&#58;", text)
    text = _DATA_URL.sub(r"\1\2&#58;", text)
    return _HANDLER.sub(r"\1\2&#61;", text)
