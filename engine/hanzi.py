"""Traditional Chinese, read as Simplified: pastes from Taiwan and Hong Kong find the same entries.

The KB, its glossary and its rules are written in Simplified Chinese; a helpdesk in Taipei pastes
``發生錯誤。此錯誤可能是網路連線失敗所造成。`` Converting characters is not enough, because the
vocabulary differs too (網路連線 is 网络连接, 伺服器 is 服务器, 虛擬機器 is 虚拟机), so text that
*is* Traditional goes through OpenCC's ``tw2sp`` (Taiwan to mainland, phrases included).

Text that is already Simplified is left exactly as it is: ``tw2sp`` also rewrites mainland words
it takes for Taiwanese ones (程序 -> 进程, 文件 -> 文档, 建立 -> 创建: measured on this KB), and a
conversion applied to one side of a match but not the other would break it.

>>> to_simplified("此錯誤可能是網路連線失敗所造成")
'此错误可能是网络连接失败所造成'
>>> to_simplified("程序文件")  # Simplified already: untouched
'程序文件'
"""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

# A Han character as search, rules and mining look for one: CJK Unified Ideographs and
# Extension A. (Telling Traditional text apart also counts the compatibility ideographs.)
HAN_CHAR = re.compile(r"[\u3400-\u9fff]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Share of the Han characters that only Traditional writes. Simplified text scores 0 on this KB
# and the labelled pastes (a stray 著 or 乾 in a long text stays far below); Traditional text
# scores 0.3-0.6.
TRADITIONAL_SHARE = 0.1


@lru_cache(maxsize=1)
def _converters() -> tuple[opencc.OpenCC, opencc.OpenCC]:
    return opencc.OpenCC("t2s"), opencc.OpenCC("tw2sp")


def is_traditional(text: str) -> bool:
    """Is this text written in Traditional Chinese (enough of it to convert)?"""
    if not _HAN.search(text):
        return False
    han = len(_HAN.findall(text))
    simple = _converters()[0].convert(text)
    if simple == text:
        return False
    if len(simple) == len(text):
        changed = sum(a != b for a, b in zip(text, simple))
    else:  # a phrase changed length: count characters not found in the conversion
        changed = len(set(_HAN.findall(text)) - set(_HAN.findall(simple)))
    return changed >= TRADITIONAL_SHARE * han


def from_traditional(text: str) -> str:
    """Traditional Chinese to Simplified, with mainland vocabulary (for text known to be Traditional)."""
    return _converters()[1].convert(text)


def to_simplified(text: str) -> str:
    """*text* in Simplified Chinese with mainland vocabulary when it is Traditional, else as is."""
    return from_traditional(text) if is_traditional(text) else text
