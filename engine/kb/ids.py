"""Ids for new entries, made from their titles: readable, and never one already taken.

A Chinese title becomes pinyin (pypinyin, a maintained transliteration package with its own
phrase dictionary), so a writer can still read the id: ``转换器网络错误`` gives
``zhuan-huan-qi-wang-luo-cuo-wu``. A hash suffix would have been distinct too, but nobody can
tell two ``entry-3f2a9c1b`` files apart in a folder listing. Two titles that read the same
(homophones, or cut at the same 60 characters) get ``-2``, ``-3``...

>>> id_from_title("Event 1196: DNS signature failed"), id_from_title("群集 DNS 注册失败")
('event-1196-dns-signature-failed', 'qun-ji-dns-zhu-ce-shi-bai')
>>> free_id("qun-ji-dns-zhu-ce-shi-bai", {"qun-ji-dns-zhu-ce-shi-bai"})
'qun-ji-dns-zhu-ce-shi-bai-2'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Container

MAX_LENGTH = 60


def id_from_title(title: str, max_length: int = MAX_LENGTH) -> str:
    """Lowercase ASCII words joined by dashes; Chinese as pinyin; other scripts as a hash."""
    from pypinyin import lazy_pinyin  # loads its dictionary: only `kb new` needs it

    text = " ".join(lazy_pinyin(title))  # Han characters as syllables, anything else as is
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = (cut[: cut.rfind("-")] if "-" in cut[1:] else slug[:max_length]).strip("-")
    if not slug:  # a title in a script with no ASCII reading (Cyrillic, kana...)
        slug = "entry-" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]
    return slug


def free_id(wanted: str, taken: Container[str]) -> str:
    """*wanted*, or *wanted* with the first of ``-2``, ``-3``... that is not *taken*."""
    candidate, number = wanted, 1
    while candidate in taken:
        number += 1
        candidate = f"{wanted}-{number}"
    return candidate
