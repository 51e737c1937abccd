"""Entry ids: stable across runs, readable, derived from the item's permalink.

``http://example.com/Article/Unknown-Processor-Error.aspx`` -> ``unknown-processor-error``;
a permalink whose last segment says nothing (``index.php``, ``?p=123``, ``/2009/``) or an
item without one gets ``item-`` plus 10 hex digits of the SHA-1 of its guid (or link, or
title). Further parts of the same article append their part name: ``<slug>-scenario-2``.

>>> article_slug("http://www.517sou.net/Article/vCenter-Converter-Network-Error.aspx", "g")
'vcenter-converter-network-error'
>>> article_slug("http://example.com/index.php?p=123", "http://example.com/?p=123")
'item-f9fff52ccc'
>>> entry_id("vcenter-converter-network-error", "main"), entry_id("dns", "scenario-2")
('vcenter-converter-network-error', 'dns-scenario-2')
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote, urlsplit

from .text import slugify

SLUG_LENGTH = 60
MAX_ID_LENGTH = 120  # engine.kb.ID_PATTERN
# Last path segments that name a page type rather than the article.
GENERIC_SEGMENTS = frozenset(
    """
        index default post posts article articles view item items entry entries page pages p
        story stories news blog blogs read show detail details content feed rss atom home
        main node topic topics thread threads viewtopic showthread forum forums archive
        archives wiki permalink comments comment print html htm php asp aspx jsp cgi readme
        changelog glossary kb
        """.split()  # noqa: SIM905 - a word list reads best as words
)
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def _hash_id(basis: str) -> str:
    return "item-" + hashlib.sha1(basis.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def article_slug(link: str | None, guid: str, title: str = "") -> str:
    """The id stem of an article: its permalink's last path segment, or a hash."""
    if link:
        segments = [s for s in urlsplit(link).path.split("/") if s]
        if segments:
            name = _EXTENSION.sub("", unquote(segments[-1]))
            slug = slugify(name, SLUG_LENGTH)
            if (
                len(slug) >= 3
                and slug not in GENERIC_SEGMENTS
                and not slug.replace("-", "").isdigit()
            ):
                return slug
    return _hash_id(guid or link or title)


def entry_id(slug: str, part: str) -> str:
    """The id of one part of an article: the slug for the main part, ``slug-part`` else."""
    if part == "main":
        return slug
    return f"{slug}-{part}"[:MAX_ID_LENGTH].rstrip("-")


def disambiguate(entry_id_: str, guid: str, part: str) -> str:
    """An id for an entry whose natural id belongs to another article already."""
    digest = hashlib.sha1((guid + part).encode("utf-8", "surrogatepass")).hexdigest()[:6]
    return f"{entry_id_[: MAX_ID_LENGTH - 7]}-{digest}"
