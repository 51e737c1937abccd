"""Bytes to lines of text: which encoding, whether it is text at all, and lines of bounded size.

Windows writes logs in UTF-16 (Event Viewer's "Save as" text, ``Out-File`` in Windows
PowerShell), UTF-8 with or without a BOM, or the machine's ANSI code page (GBK on a Chinese
Windows). The encoding is read from the BOM, from the pattern of NUL bytes, or guessed by
chardet from the head; what decodes to mostly control characters is not text.

>>> detect_encoding("Event ID: 1196".encode("utf-16"))
'utf-16'
>>> detect_encoding("事件 ID: 1196 级别: 错误 描述: DNS 签名验证失败。".encode("gbk") * 20)
'gb18030'
>>> detect_encoding(bytes(range(256)) * 4) is None
True
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterator
from typing import BinaryIO, TextIO

import chardet

# Control characters a real log may hold: tab, newlines, form feed, and ESC (ANSI colours).
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1b")
MAX_JUNK_SHARE = 0.05
_EAST_ASIAN = {
    "gb2312",
    "gbk",
    "gb18030",
    "big5",
    "cp949",
    "euc-kr",
    "euc-jp",
    "shift_jis",
    "cp932",
}


def detect_encoding(head: bytes) -> str | None:
    """The encoding of a text file from its first bytes, or None when it is not text."""
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 8:
        even, odd = sample[0::2], sample[1::2]
        # Mostly-ASCII UTF-16 without a BOM: every other byte is NUL, the others are not.
        if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
            return "utf-16-be"
    if b"\x00" in sample:
        return None
    if _decodes(head, "utf-8"):
        return "utf-8"
    guess = chardet.detect(head[: 32 * 1024])
    encoding = (guess.get("encoding") or "").lower()
    if not encoding:  # chardet's confidence is low on short text: is_text() judges the result
        return None
    # Short Chinese text is often guessed as another East Asian code page; a Chinese Windows'
    # ANSI code page (GBK, read as its superset GB18030) is the likelier one for this KB's users.
    if encoding in _EAST_ASIAN and _decodes(head, "gb18030"):
        return "gb18030"
    try:
        "".encode(encoding)
    except LookupError:
        return None
    return encoding


def _decodes(head: bytes, encoding: str) -> bool:
    try:
        head.decode(encoding)
        return True
    except UnicodeDecodeError as exc:
        # the head may end inside a character
        return exc.start >= len(head) - 3 and "end of data" in exc.reason


def is_text(sample: str) -> bool:
    """Does decoded *sample* read as text (few control or undecodable characters)?"""
    if not sample:
        return True
    bad = sum(
        1
        for ch in sample
        if ch == "\ufffd"
        or (ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn"))
    )
    return bad <= MAX_JUNK_SHARE * len(sample)


def decode_sample(head: bytes, encoding: str) -> str:
    return head.decode(encoding, "replace")


def open_text(stream: BinaryIO, encoding: str) -> TextIO:
    """*stream* as text, universal newlines, undecodable bytes replaced (never an error)."""
    return io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline=None)


def bounded_lines(
    text: TextIO, max_chars: int, on_cut: Callable[[int], None] | None = None
) -> Iterator[str]:
    """The lines of *text* without their newline; a line longer than *max_chars* is cut there
    (and *on_cut* told its number), so a file without newlines never fills memory."""
    number = 0
    while True:
        line = text.readline(max_chars)
        if not line:
            return
        number += 1
        if len(line) >= max_chars and not line.endswith("\n"):
            while True:  # skip the rest of the long line, a piece at a time
                rest = text.readline(max_chars)
                if not rest or rest.endswith("\n"):
                    break
            if on_cut:
                on_cut(number)
        yield line.rstrip("\n")
