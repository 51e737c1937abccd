"""Error text in an article: dialog dumps, event-log text, quoted error lines - and the
message lines (signatures) the rule engine will match against a paste.

Three shapes are recognised, as helpdesk articles paste them:

- a dialog copied with Ctrl+C from a Windows message box::

      [Window Title]        ---------------------------
      Error                 VMware vCenter Converter
      [Main Instruction]    ---------------------------
      ...                   An error occurred. ...
      [OK]                  ---------------------------

- event-log text ("Log Name:", "Source:", "Event ID:" lines, or a cluster log's lines);
- a paragraph that *is* an error message: failure words, not an instruction, often quoted.

>>> block = Block("para", lines=["[Window Title]", "Error", "[Content]", "Access is denied.", "[OK]"])
>>> is_dialog(block), message_lines(block)
(True, ['Access is denied.'])
"""

from __future__ import annotations

import re

from .blocks import Block, plain_inline
from .text import has_error_words, is_imperative, split_sentences

_DIALOG_LABEL = re.compile(
    r"^\[(window title|main instruction|content|expanded information|footer|verification|"
    r"title|message|details|标题|内容|主要说明|详细信息)\]\s*$",
    re.IGNORECASE,
)
_BUTTON_LINE = re.compile(r"^\[[^\]\n]{1,24}\]\s*$")
_RULE = re.compile(r"^\s*[-=_*~]{5,}\s*$")
BUTTON_WORDS = {
    "ok",
    "cancel",
    "yes",
    "no",
    "retry",
    "abort",
    "ignore",
    "close",
    "continue",
    "help",
    "try again",
    "确定",
    "取消",
    "是",
    "否",
    "重试",
    "关闭",
    "忽略",
    "继续",
    "帮助",
    "终止",
}
_EVENT_FIELD = re.compile(
    r"^\s*(log name|source|date|event id|task category|level|keywords|user|computer|"
    r"description|日志名称|来源|日期|事件 ?id|任务类别|级别|关键字|用户|计算机|描述)\s*[:：]",
    re.IGNORECASE,
)
_LOG_LINE = re.compile(
    r"^\s*[0-9a-f]{8}\.[0-9a-f]{8}::\d{4}/\d{2}/\d{2}-|^\s*\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}"
)
_QUOTES = "\"'“”‘’「」『』"
_LEAD_IN = re.compile(
    r"(?:following|below|this|these|like|such as|as follows|如下|以下|下面|下列)\b[^.。]{0,90}[:：]\s*$|"
    r"(?:error|message|dialog|displayed|shown|generated|recorded|logged|reported|appears?|"
    r"错误|提示|对话框|报错|信息)[^.。]{0,80}[:：]\s*$",
    re.IGNORECASE,
)


_READER = re.compile(r"\b(you|your|we|i|i'm|i've|my)\b|你|我", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _plain_lines(block: Block) -> list[str]:
    if block.kind == "code":
        return [line.rstrip() for line in block.lines]
    if block.kind == "list":
        return [plain_inline(item) for item in block.items]
    return [plain_inline(line).rstrip() for line in block.lines]


def is_dialog(block: Block) -> bool:
    """A dialog dump: [Window Title]-style labels, a lone [button], or a ruled box."""
    if block.kind not in ("para", "code", "quote"):
        return False
    lines = [line.strip() for line in _plain_lines(block)]
    if any(_DIALOG_LABEL.match(line) for line in lines):
        return True
    if len(lines) == 1 and _BUTTON_LINE.match(lines[0]):
        return lines[0].strip("[] ").lower() in BUTTON_WORDS
    return sum(1 for line in lines if _RULE.match(line)) >= 2


def is_event_text(block: Block) -> bool:
    """Event Viewer fields ("Source:", "Event ID:") or log lines with timestamps."""
    if block.kind not in ("para", "code", "quote"):
        return False
    lines = _plain_lines(block)
    fields = sum(1 for line in lines if _EVENT_FIELD.match(line))
    logs = sum(1 for line in lines if _LOG_LINE.match(line))
    return fields >= 2 or (logs >= 2 and logs >= len(lines) // 2)


def is_error_paragraph(block: Block) -> bool:
    """A paragraph that is an error message rather than prose about one."""
    if block.kind not in ("para", "quote"):
        return False
    text = block.text.strip()
    if not text or len(text) > 900 or not has_error_words(text):
        return False
    first = text.splitlines()[0]
    if is_imperative(first) or is_lead_in(text):
        return False
    if text[0] in _QUOTES:
        return True
    # Messages are short declarative lines; prose about an error has many sentences and
    # talks to the reader ("you", "we", "I").
    if _READER.search(text):
        return False
    sentences = split_sentences(text)
    return len(sentences) <= 4


def is_error_block(block: Block) -> bool:
    return is_dialog(block) or is_event_text(block) or is_error_paragraph(block)


def error_flags(blocks: list[Block]) -> list[bool]:
    """Which blocks are error text. A paragraph right after error text that still talks
    about the failure ("... cannot be migrated ...") is the rest of the same message."""
    flags: list[bool] = []
    for block in blocks:
        flag = is_error_block(block)
        if not flag and flags and flags[-1] and block.kind == "para":
            text = block.text
            flag = (
                has_error_words(text)
                and not is_lead_in(text)
                and not is_imperative(text)
                and len(text) <= 900
            )
        flags.append(flag)
    return flags


def is_lead_in(text: str) -> bool:
    """ "...the dialog says:", "对话框内容如下：" - a sentence that introduces error text."""
    lines = text.strip().splitlines()
    return bool(lines) and bool(_LEAD_IN.search(lines[-1].strip()))


def _dialog_messages(lines: list[str]) -> list[str]:
    """Content lines of a dialog: labels, rules, buttons and the window title removed."""
    if any(_DIALOG_LABEL.match(line.strip()) for line in lines):
        out: list[str] = []
        section = None
        for line in lines:
            stripped = line.strip()
            label = _DIALOG_LABEL.match(stripped)
            if label:
                section = label.group(1).lower()
                continue
            if _BUTTON_LINE.match(stripped) or not stripped:
                continue
            if section in ("window title", "title", "标题"):
                continue
            out.append(stripped)
        return out
    # A ruled box: title | body | buttons, separated by lines of dashes.
    segments: list[list[str]] = [[]]
    for line in lines:
        if _RULE.match(line):
            if segments[-1]:
                segments.append([])
        elif line.strip():
            segments[-1].append(line.strip())
    segments = [s for s in segments if s]
    segments = [
        s for s in segments if not all(x.lower().strip("[] \u00a0") in BUTTON_WORDS for x in s)
    ]
    if len(segments) >= 2 and len(segments[0]) == 1:
        segments = segments[1:]
    return [line for segment in segments for line in segment]


def message_lines(block: Block) -> list[str]:
    """The lines of an error block a user would paste: what the dialog or log says."""
    lines = _plain_lines(block)
    if is_dialog(block):
        found = _dialog_messages(lines)
    elif is_event_text(block):
        found = [
            line
            for line in lines
            if not _EVENT_FIELD.match(line)
            or re.match(r"^\s*(description|描述)", line, re.IGNORECASE)
        ]
        found = [
            re.sub(r"^\s*(description|描述)\s*[:：]\s*", "", line, flags=re.IGNORECASE)
            for line in found
        ]
    else:
        found = lines
    out = []
    for line in found:
        line = _SPACES.sub(" ", line).strip().strip(_QUOTES).strip()
        if len(line) >= 6 and not _BUTTON_LINE.match(line):
            out.append(line)
    return out


_ERROR_STRING = [
    # "you will get errors like, Migration attempt failed, and ..."
    re.compile(
        r"\berrors?\s+(?:like|such as)\s*[,:：]?\s*[\"“']?([^,;\"”]{6,120}?)[\"”']?(?:,|;|\.|$| and )",
        re.IGNORECASE,
    ),
    # 'the error "Access is denied"' / 'message: "..."'
    re.compile(
        r"\b(?:error|message|warning)s?\s*(?:message)?\s*[:：]?\s*[\"“]([^\"”]{6,200})[\"”]",
        re.IGNORECASE,
    ),
    re.compile(r"(?:错误|提示|报错)[:：]?\s*[“\"]([^”\"]{2,200})[”\"]"),
]


def error_strings(text: str) -> list[str]:
    """Error messages quoted inside prose ("errors like, Migration attempt failed")."""
    found: dict[str, None] = {}
    for pattern in _ERROR_STRING:
        for match in pattern.finditer(text):
            value = match.group(1).strip(" .,:;")
            if len(value) >= 6:
                found.setdefault(value, None)
    return list(found)
