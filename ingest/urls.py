"""URL safety: the one place that decides whether a link may appear in the knowledge base.

Feed parsers pass hostile links through (``javascript:`` item links, tab-obfuscated or
entity-encoded hrefs; see ``shared/notes/feedparser.md``), so every URL the ingester keeps -
item permalinks, ``href``, ``img src`` - goes through :func:`safe_url` first. Only absolute
``http``/``https`` URLs with a host survive; anything else is dropped, never "fixed".

>>> safe_url("jav&#x09;ascript:alert(1)") is None
True
>>> safe_url("/relative/uri", base="http://example.com/feed.xml")
'http://example.com/relative/uri'
>>> safe_url("http://example.com/a b")
'http://example.com/a%20b'
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

ALLOWED_SCHEMES = frozenset({"http", "https"})

# Whitespace and control characters browsers ignore inside a URL (the trick behind
# "jav&#x09;ascript:"), plus the invisible Unicode ones.
_INVISIBLE = re.compile(
    r"[\x00-\x20\x7f-\x9f\u00a0\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f\u2060\u3000\ufeff]"
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_STRIP = " \t\r\n\f\v\u00a0\u3000"
# Characters kept as they are when re-quoting; everything else is percent-encoded so the URL
# cannot break out of a Markdown link or an HTML attribute.
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~-._"


def _unescape(raw: str) -> str:
    """Decode HTML entities until stable: feeds double-escape (``&amp;#106;``)."""
    for _ in range(3):
        decoded = html.unescape(raw)
        if decoded == raw:
            break
        raw = decoded
    return raw


def is_http_url(value: str | None) -> bool:
    """True for an absolute http(s) URL with a host, as given (no cleaning)."""
    if not value:
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme.lower() in ALLOWED_SCHEMES and bool(parts.hostname)


def safe_url(raw: str | None, base: str | None = None) -> str | None:
    """The http(s) URL *raw* points to, or None when it is anything else.

    Entities are decoded and whitespace/control characters removed before the scheme is
    checked; a relative URL is resolved against *base* only when *base* is itself http(s).
    """
    if not raw:
        return None
    decoded = _unescape(raw)
    # The scheme is judged with every invisible character gone (what a browser would run);
    # the URL kept has only its inner spaces, which quote() encodes.
    if not _INVISIBLE.sub("", decoded):
        return None
    value = _CONTROL.sub("", decoded.strip(_STRIP))
    try:
        scheme = urlsplit(_INVISIBLE.sub("", value)).scheme.lower()
        if not scheme:
            if not is_http_url(base):
                return None
            value = urljoin(base, value)  # type: ignore[arg-type]
        elif scheme not in ALLOWED_SCHEMES:
            return None
        value = quote(value, safe=_URL_SAFE)
        parts = urlsplit(value)
        if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
            return None
    except ValueError:  # e.g. a bracket in the host: not a URL we can vouch for
        return None
    # Brackets belong only around an IPv6 host; unbalanced parentheses would end a Markdown
    # link early. Encode both in the rest of the URL.
    rest = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    rest = rest.replace("[", "%5B").replace("]", "%5D")
    if rest.count("(") != rest.count(")"):
        rest = rest.replace("(", "%28").replace(")", "%29")
    return f"{parts.scheme.lower()}://{parts.netloc}{rest}"
