"""Cue words: how real articles, in English and Chinese, label their parts.

A cue is recognised at the start of a block only - a heading ("## Cause"), a bold line
("**FAQ**"), a line on its own ("Symptoms", "解决办法："), or a label with a colon that the
text follows ("Solution: make sure ...", "**NOTE:** ..."). Numbering and brackets around the
label are ignored ("二、解决方法", "【原因】", "1. Symptoms").

The vocabulary is data: extend the tables, not the code.

>>> cue_of_line("解决办法：").role
'fix'
>>> c = cue_of_line("Solution: make sure VT is enabled")
>>> (c.role, c.rest)
('fix', 'make sure VT is enabled')
>>> cue_of_line("场景2：").number
2
>>> cue_of_line("Option two:").role
'option'
>>> cue_of_line("原因如下:") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import Block, plain_inline

# The notes' labels that may also annotate one paragraph inline ("**NOTE:** text") rather
# than open a section (segments.INLINE_LABELS).
NOTE_LABELS = (
    "note",
    "notes",
    "important",
    "warning",
    "caution",
    "tip",
    "注意",
    "注",
    "说明",
    "备注",
    "提示",
    "重要",
    "警告",
)

# role -> label words, English and Chinese. Longer labels first is not required: the
# pattern sorts them.
CUE_WORDS: dict[str, tuple[str, ...]] = {
    "symptom": (
        "symptom",
        "symptoms",
        "problem",
        "problem description",
        "issue",
        "issue description",
        "error message",
        "error messages",
        "observed behavior",
        "description of the problem",
        "症状",
        "现象",
        "故障现象",
        "问题现象",
        "问题描述",
        "问题",
        "错误信息",
        "错误提示",
        "报错信息",
        "故障描述",
    ),
    "cause": (
        "cause",
        "causes",
        "root cause",
        "reason",
        "why this happens",
        "原因",
        "原因分析",
        "问题原因",
        "故障原因",
        "产生原因",
        "起因",
    ),
    "fix": (
        "resolution",
        "resolutions",
        "solution",
        "solutions",
        "workaround",
        "workarounds",
        "fix",
        "fixes",
        "how to fix",
        "how to resolve",
        "steps to resolve",
        "to resolve this issue",
        "to resolve this problem",
        "to fix this issue",
        "to fix this problem",
        "remedy",
        "解决办法",
        "解决方法",
        "解决方案",
        "解决步骤",
        "解决",
        "处理方法",
        "处理办法",
        "修复方法",
        "临时解决办法",
        "变通办法",
    ),
    "notes": (
        *NOTE_LABELS,
        "more information",
        "additional information",
        "faq",
        "frequently asked questions",
        "注意事项",
        "更多信息",
        "补充说明",
    ),
    "references": (
        "references",
        "reference",
        "see also",
        "related links",
        "related resources",
        "related articles",
        "related",
        "links",
        "applies to",
        "sources",
        "source",
        "相关资源",
        "相关链接",
        "参考",
        "参考资料",
        "参考文档",
        "参考链接",
        "延伸阅读",
        "适用于",
    ),
}

# "How can one get in trouble? 1. Disable ..." - a list of what NOT to do.
TROUBLE_LIST = re.compile(
    r"get in(?:to)? trouble|ways? to (?:break|get in trouble)|common (?:issues|problems|mistakes)|"
    r"常见(?:问题|错误)|容易出错",
    re.IGNORECASE,
)

# "Scenario 1", "Case 2", "场景1", "问题二" start a separate troubleshooting part.
_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "一": 1,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_NUMBER = r"(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|[一二三四五六七八九十])"
_SCENARIO = re.compile(
    r"^(?:scenario|case|situation|problem|issue|场景|情况|情形|案例|问题|故障)\s*"
    + _NUMBER
    + r"(?![\w.])\s*[:：.、)）]?\s*(.*)$",
    re.IGNORECASE,
)
# "Option one:", "Method 2", "方法一": alternatives inside one fix, not separate entries.
_OPTION = re.compile(
    r"^(?:option|method|approach|alternative|方法|选项|方案|办法)\s*"
    + _NUMBER
    + r"(?![\w.])\s*[:：.、)）]?\s*(.*)$",
    re.IGNORECASE,
)
# Numbering and brackets around a label: "1. ", "二、", "【", "[".
_LABEL_PREFIX = re.compile(
    r"^(?:(?:\d{1,2}|[一二三四五六七八九十]{1,2})\s*[、.．)）]\s*)?[【\[(（]?\s*"
)
_LABEL_SUFFIX = re.compile(r"\s{0,8}[】\])）]")


def _pattern(words: tuple[str, ...]) -> str:
    ordered = sorted(set(words), key=len, reverse=True)
    return "|".join(re.escape(w) for w in ordered)


_CUES = [
    (role, re.compile(r"^(" + _pattern(words) + r")(?=$|[\s:：,，!！.。)）\]】])", re.IGNORECASE))
    for role, words in CUE_WORDS.items()
]
_SEPARATOR = re.compile(r"^\s*[:：,，!！.。]*\s*")


_BRACKETED = re.compile(r"^[^】\])）]{1,30}[】\])）]")
_BOLD_LINE = re.compile(r"\*\*(.+?)\*\*\s*[:：]?")
_ITALIC_LINE = re.compile(r"\*([^*].*?)\*")
_SENTENCE_END = re.compile(r"[.。!?！？]\s*\*?$")


@dataclass(frozen=True)
class Cue:
    """A recognised label: its role, the label as written, the text after it on the line."""

    role: str  # symptom | cause | fix | notes | references | scenario | option
    label: str
    rest: str = ""
    number: int | None = None
    explicit: bool = False  # the label was followed by a colon (or was the whole line)


def cue_of_line(line: str, heading: bool = False) -> Cue | None:
    """The cue a line starts with, if any (*line* is plain text or inline Markdown).

    In a heading the label may be followed by any text ("## Cause Virtualization service
    is..."); in running text it must stand alone or be followed by a colon.
    """
    text = plain_inline(line).strip()
    text = _LABEL_PREFIX.sub("", text, count=1)
    text = _LABEL_SUFFIX.sub(" ", text, count=1).strip() if _BRACKETED.match(text) else text
    if not text:
        return None
    for regex, role in ((_SCENARIO, "scenario"), (_OPTION, "option")):
        match = regex.match(text)
        if match:
            # "Problem 1 is that..." is prose; a label ends the line or has a separator.
            rest = match.group(2).strip()
            label = text[: len(text) - len(match.group(2))].strip(" :：.、)）")
            labelled = re.search(r"[:：.、)）]\s*$", text[: len(text) - len(match.group(2))])
            if role == "scenario" and rest and not heading and not labelled:
                continue
            raw = match.group(1)
            number = int(raw) if raw.isdigit() else _NUMBER_WORDS[raw.lower()]
            return Cue(role, label, rest, number, explicit=True)
    for role, regex in _CUES:
        match = regex.match(text)
        if not match:
            continue
        after = text[match.end() :]
        separator = _SEPARATOR.match(after).group(0)
        rest = after[len(separator) :].strip()
        has_colon = any(c in separator for c in ":：")
        # "Note, if you get errors..." is a note; "Cause of the problem is ..." is prose.
        inline_note = role == "notes" and any(c in separator for c in ",，")
        if (
            rest
            and not heading
            and not has_colon
            and not any(c in separator for c in "!！")
            and not inline_note
        ):
            continue
        return Cue(role, match.group(1), rest, explicit=has_colon or not rest)
    return None


def heading_like(block: Block) -> str | None:
    """The label when *block* acts as a section heading: a Markdown heading, a bold line on
    its own, or a short italic line on its own. None for ordinary text."""
    if block.kind == "heading":
        return plain_inline(block.lines[0]).strip()
    if block.kind != "para" or not block.lines:
        return None
    first = block.lines[0].strip()
    bold = _BOLD_LINE.fullmatch(first)
    if bold and "**" not in bold.group(1):
        return plain_inline(bold.group(1)).strip()
    italic = _ITALIC_LINE.fullmatch(first)
    if italic and len(block.lines) == 1 and len(first) <= 90 and not _SENTENCE_END.search(first):
        return plain_inline(italic.group(1)).strip()
    return None


def cue_of_block(block: Block) -> Cue | None:
    """The cue that opens *block*: its heading, its bold first line or its first line."""
    label = heading_like(block)
    if label is not None:
        return cue_of_line(label, heading=True)
    if block.kind in ("para", "quote") and block.lines:
        return cue_of_line(block.lines[0])
    return None
