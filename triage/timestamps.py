"""Timestamps as logs write them, read into one sortable ISO 8601 form (seconds).

Exports carry the exporting machine's culture: ``2/3/2012 3:20:11 AM`` (en-US),
``2012/2/3 15:20:11`` (zh-CN), ``03.02.2012 03:20:11`` (de-DE), ``2012-02-03T03:20:11.123Z``
(XML, wevtutil). Month-first is assumed for ``a/b/yyyy`` unless ``a`` cannot be a month.

>>> parse_time("2/3/2012 3:20:11 PM"), parse_time("2012/2/3 下午 3:20:11")
('2012-02-03T15:20:11', '2012-02-03T15:20:11')
>>> parse_time("2017-07-12T17:16:28.2141616Z"), parse_time("00000f2c.00000ea4::2012/02/03-03:20:11.123")
('2017-07-12T17:16:28Z', '2012-02-03T03:20:11')
>>> parse_time("no time here") is None
True
"""

from __future__ import annotations

import re

_CLOCK = r"(?P<h>\d{1,2}):(?P<mi>\d\d)(?::(?P<s>\d\d))?(?:[.,]\d+)?"
_AMPM = r"(?P<ampm>AM|PM|上午|下午|午前|午後)"
_PATTERNS = [
    # ISO 8601 and cluster.log (2012/02/03-03:20:11.123), year first
    re.compile(
        r"(?P<y>\d{4})[-/.](?P<mo>\d{1,2})[-/.](?P<d>\d{1,2})(?:[T\s-]+(?:"
        + _AMPM
        + r"\s*)?"
        + _CLOCK
        + r"(?:\s*"
        + _AMPM.replace("ampm", "ampm2")
        + r")?(?P<z>\s?(?:Z|UTC|[+-]\d\d:?\d\d))?)?",
        re.IGNORECASE,
    ),
    # a/b/yyyy or a.b.yyyy with a time
    re.compile(
        r"(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<y>\d{4})(?:[\s,]+(?:"
        + _AMPM
        + r"\s*)?"
        + _CLOCK
        + r"(?:\s*"
        + _AMPM.replace("ampm", "ampm2")
        + r")?)?",
        re.IGNORECASE,
    ),
    # 2012年2月3日 15:20:11
    re.compile(r"(?P<y>\d{4})年(?P<mo>\d{1,2})月(?P<d>\d{1,2})日\s*(?:" + _CLOCK + ")?"),
]


def parse_time(text: str | None) -> str | None:
    """The first timestamp in *text* as ``YYYY-MM-DDTHH:MM:SS`` (``Z`` appended for UTC)."""
    if not text:
        return None
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            value = _format(match)
            if value:
                return value
    return None


def _format(m: re.Match[str]) -> str | None:
    parts = m.groupdict()
    year = int(parts["y"])
    if parts.get("mo"):
        month, day = int(parts["mo"]), int(parts["d"])
    else:
        a, b = int(parts["a"]), int(parts["b"])
        separator = m.group(0)[len(parts["a"])]
        # "." is day-first (de-DE, ru-RU); "/" is month-first unless that cannot be
        month, day = (b, a) if separator == "." or a > 12 else (a, b)
    hour = int(parts.get("h") or 0)
    minute = int(parts.get("mi") or 0)
    second = int(parts.get("s") or 0)
    ampm = (parts.get("ampm") or parts.get("ampm2") or "").upper()
    if ampm in ("PM", "下午", "午後") and hour < 12:
        hour += 12
    elif ampm in ("AM", "上午", "午前") and hour == 12:
        hour = 0
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and second < 61):
        return None
    zone = (parts.get("z") or "").strip().upper()
    utc = "Z" if zone in ("Z", "UTC", "+00:00", "+0000", "-00:00") else ""
    return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{utc}"
