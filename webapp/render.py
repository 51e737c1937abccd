"""Markdown from writers and feeds -> HTML that is safe to put in a page.

The ``markdown`` package turns Markdown into HTML (raw HTML in the source passes through it),
then nh3, an allow-list sanitizer, keeps only the tags below; links keep only http(s) hrefs and
get ``rel="noopener noreferrer nofollow"``. Nothing reaches a template as ``Markup`` without
passing :func:`markdown_html` or :func:`highlight`.

>>> str(markdown_html("1. Run `ipconfig /registerdns`\\n2. <script>alert(1)</script>Reboot"))
'<ol>\\n<li>Run <code>ipconfig /registerdns</code></li>\\n<li>Reboot</li>\\n</ol>'
>>> str(markdown_html("[x](javascript:alert(1)) [y](https://example.com/)"))
'<p><a rel="noopener noreferrer nofollow">x</a> <a href="https://example.com/" rel="noopener noreferrer nofollow">y</a></p>'
"""

from __future__ import annotations

import functools
import re
import threading

import markdown
import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    *("p", "br", "hr", "em", "strong", "b", "i", "mark", "code", "pre", "blockquote"),
    *("ul", "ol", "li", "a", "h3", "h4", "h5", "h6"),
    *("table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption"),
}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
LINK_REL = "noopener noreferrer nofollow"
_HTTP = re.compile(r"^https?://", re.IGNORECASE)
_EXTENSIONS = ["fenced_code", "tables", "sane_lists"]
_local = threading.local()
_TOP_HEADING = re.compile(r"<(/?)h([12])>")


def safe_url(url: str | None) -> str | None:
    """*url* when it is an absolute http(s) URL, else None (javascript:, data:, relative...)."""
    if not url:
        return None
    url = url.strip()
    if not _HTTP.match(url) or any(c in url for c in "\x00\t\n\r\"'<> "):
        return None
    return url


# A link from one entry to another, as writers write it: "other-id", "other-id.md" or
# "/kb/other-id". It becomes the other entry's page, a real address.
_ENTRY_LINK = re.compile(r"^(?:/kb/)?([a-z0-9][a-z0-9._-]{0,119}?)(?:\.md)?$")


def entry_link(href: str) -> str | None:
    """The page of the entry *href* names, or None when it names no entry.

    >>> entry_link("cluster-dns-1196"), entry_link("dns.md"), entry_link("../etc/passwd")
    ('/kb/cluster-dns-1196', '/kb/dns', None)
    """
    found = _ENTRY_LINK.match(href.strip())
    return f"/kb/{found[1]}" if found else None


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if safe_url(value) else entry_link(value)
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def _converter() -> markdown.Markdown:
    # A Markdown instance keeps state between calls: one per thread, reset before each use.
    md = getattr(_local, "md", None)
    if md is None:
        md = _local.md = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
    return md


@functools.lru_cache(maxsize=8192)
def _render(text: str) -> str:
    md = _converter()
    md.reset()
    html = md.convert(text)
    # A writer's "# Heading" inside a section would outrank the page's own h1/h2: shift it down.
    html = _TOP_HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 2}>", html)
    return sanitize(html)


def markdown_html(text: str | None) -> Markup:
    """Sanitized HTML for one Markdown section ('' for none)."""
    if not text or not text.strip():
        return Markup("")
    return Markup(_render(text))


_TAG = re.compile(r"(<[^>]*>)")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _term_pattern(terms: list[str]) -> re.Pattern[str] | None:
    parts = []
    for term in sorted({t for t in terms if t and len(t) >= 2}, key=len, reverse=True):
        if _CJK.search(term):
            parts.append(re.escape(term))
        else:
            # search terms are stems ("registr", "verifi"): mark the whole word that starts with one
            stem = (
                re.escape(term[:-1]) + "[iy]"
                if term.endswith("i") and len(term) > 3
                else re.escape(term)
            )
            parts.append(r"\b" + stem + r"\w*")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def highlight(html: Markup | str, terms: list[str]) -> Markup:
    """Wrap the words of *html* that match search *terms* in <mark> (text only, never tags)."""
    pattern = _term_pattern(terms)
    if pattern is None or not html:
        return Markup(html)
    out = []
    inside_code = 0
    for part in _TAG.split(str(html)):
        if part.startswith("<"):
            name = part[1:].lstrip("/").split(">")[0].split()[0].lower() if len(part) > 2 else ""
            if name in ("code", "pre"):
                inside_code += -1 if part.startswith("</") else 1
            out.append(part)
        elif inside_code > 0:
            out.append(part)
        else:
            out.append(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", part))
    # The text was already escaped; sanitize again so no edge case can leave a broken tag.
    return Markup(sanitize("".join(out)))


def mark_terms(text: str, terms: list[str]) -> Markup:
    """Plain *text* escaped, with search *terms* in <mark>."""
    return highlight(escape(text), terms)
