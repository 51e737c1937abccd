"""Invalid UTF-8 in a feed: replaced with U+FFFD where it is, never by re-reading the whole
feed in another charset.

Given bytes that are not valid in the encoding they declare, feedparser decodes the *whole
document* again with another guess (chardet's, then windows-1252, then iso-8859-2): one bad
byte in one item turned the feed's clean Chinese items into mojibake, stored as English. A
document that is UTF-8 has its invalid sequences replaced with U+FFFD before it is parsed
instead; the items that hold one are flagged (:mod:`ingest.feed`), the others stay exactly as
written.

A document is UTF-8 when it says so (byte-order mark, HTTP charset, XML declaration) or says
nothing and is mostly valid UTF-8. One that declares another charset, or says nothing and is
not UTF-8 at all (the GB2312, Big5 and Shift_JIS feeds of the robustness corpus), is left to
feedparser's detection.

>>> repaired = repair_utf8(b'<?xml version="1.0" encoding="utf-8"?><rss>\\xe9\\x94\\x99 \\xff</rss>', {})
>>> repaired.data.decode("utf-8")[-14:], repaired.count, repaired.first_offset
('<rss>错 �</rss>', 1, 47)
>>> repair_utf8(b"<rss>\\xb2\\xbb\\xb9\\xe9</rss>", {}) is None  # not UTF-8: another charset
True
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from dataclasses import dataclass

_XML_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]{0,200}?\bencoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
)
_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Repaired:
    """A UTF-8 document with its invalid sequences replaced by U+FFFD."""

    data: bytes
    count: int  # sequences replaced
    first_offset: int  # byte offset of the first one in the original document

    @property
    def reason(self) -> str:
        """One line for the feed's report."""
        return (
            f"invalid UTF-8: {self.count} sequence(s) replaced with U+FFFD, "
            f"the first at byte {self.first_offset}"
        )


def declared_encoding(data: bytes, headers: Mapping[str, str]) -> str | None:
    """The charset the document or its HTTP response names (BOM first, as feedparser reads
    it), normalised by Python's codec registry; None when nothing names one, "" when what is
    named is no charset Python knows."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    content_type = headers.get("content-type", "")
    match = _CHARSET.search(content_type)
    if match is None and content_type.lower().startswith("text/"):
        return "ascii"  # RFC 3023: text/* without a charset is us-ascii (feedparser reads it so)
    if match is None:
        match = _XML_ENCODING.match(data[:300])
    if match is None:
        return None
    name = match.group(1)
    try:
        return codecs.lookup(name.decode("ascii") if isinstance(name, bytes) else name).name
    except LookupError:
        return ""


def repair_utf8(data: bytes, headers: Mapping[str, str]) -> Repaired | None:
    """*data* with invalid UTF-8 replaced, when it is a UTF-8 document with some; else None."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        first = exc.start
    declared = declared_encoding(data, headers)
    if declared not in (None, "utf-8"):
        return None
    text = data.decode("utf-8", "replace")
    count = text.count(_REPLACEMENT) - data.count(_REPLACEMENT.encode("utf-8"))
    if declared is None:
        # Said nothing: UTF-8 with a few bad bytes has many more valid multi-byte characters
        # than bad sequences; GB2312 or Big5 read as UTF-8 is nearly all bad sequences.
        non_ascii = len(text) - len(text.encode("ascii", "ignore"))
        if non_ascii - count <= count:
            return None
    return Repaired(text.encode("utf-8"), count, first)
