"""Verbatim error messages in an article: what a user would see, and so what they will paste.

Where articles put them, in the order we look:

- **event blocks** (``Log Name:`` ... ``Description:``): the description, joined;
- **log lines** (cluster.log, setup logs): each line without its pid/time/level prefix;
- **dialogs** (``[Window Title]``, ruled boxes): the content lines;
- **code blocks and block quotes**: their lines, hard-wrapped lines joined;
- **the block after a lead-in** ("you receive the following error message:");
- **quoted strings** after an error cue ('the error "Access is denied"', 错误"...");
- **error paragraphs**: a short declarative paragraph that is a message, not prose about one.

Then every candidate is cleaned (labels, quotes and stray escapes removed) and kept only when
it reads like a message: enough words once masked, not a field label (``Operation:``,
``Context: Execution``), not a lead-in ("This article helps fix ..."), not a command, not
talk to the reader. Candidates that came from a place that *is* error text (an event's
description, a dialog, the block after "the following error") need no error word; anything
else does.

>>> [m.text for m in mine_messages([Block("quote", lines=["An error occurred while creating the",
...     "cluster. The service has not been started."])])]
['An error occurred while creating the cluster. The service has not been started.']
>>> [m.text for m in mine_messages([Block("code", lines=["Operation:", "   PreRestore Event",
...     "Context:", "   Execution Context: Writer"])])]
[]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from engine.hanzi import HAN_CHAR
from engine.masking import masked_text

from ..blocks import Block, plain_inline
from ..classify import (
    BUTTON_LINE,
    BUTTON_WORDS,
    DIALOG_LABEL,
    ERROR,
    RULE_LINE,
    _plain_lines,
    classify,
    looks_like_command,
)
from ..text import has_error_words, split_sentences
from .logtext import event_fields, is_event_block, strip_log_prefix

MAX_MESSAGES = 12
MAX_MESSAGE_CHARS = 400
MIN_WORDS = 3  # Latin words of 2+ letters left after masking
MIN_CJK = 5

# Where a candidate came from; the first ones are error text by position alone.
TRUSTED = ("event", "dialog", "after-lead-in", "quoted", "continued")


@dataclass(frozen=True)
class Message:
    text: str
    origin: str  # event | dialog | after-lead-in | quoted | log | code | quote | paragraph


_QUOTES = "\"'“”‘’「」『』"
_STRAY = re.compile(r"\*\\\*|\\\*|\\+(?=[\s'\"]|$)|(?:^|(?<=\s))\\+|\*\*")
_SPACES = re.compile(r"\s+")
# "Operation:", "Error value:", "Context: Execution", "Writer Class Id: {guid}"
_LABEL = re.compile(
    r"^(?P<label>[A-Za-z][\w ()./-]{0,40}?|[\u4e00-\u9fff]{1,8})\s*[:：]\s*(?P<rest>.*)$"
)
_LABEL_IS_ERROR = re.compile(r"^(?:error|err|warning|错误|警告)(?: message| text)?$", re.IGNORECASE)
_PROSE_START = re.compile(
    r"^(?:this (?:article|issue|problem|behavior|section|method|step)|these (?:steps|errors)|"
    r"if |when |in this scenario|for example|for more information|additionally|however|"
    r"note|to (?:resolve|fix|work around)|you (?:may|might|can|will|receive|see|get)|"
    r"本文|此问题|如果|当您|例如|有关详细信息)",
    re.IGNORECASE,
)
# Prompts and PowerShell's error tail, LDAP names, column headers: not what a user pastes as
# the error (the PowerShell message itself is on the line before "+ CategoryInfo").
_NOT_A_MESSAGE = re.compile(
    r"^(?:>|PS\b|\+ |(?:CN|DC|OU)=|[A-Z][a-z]+(?:[A-Z][a-z]+)+(?:\s+[A-Z][a-z]+(?:[A-Z][a-z]+)+){2,}\s*$)"
)
_READER = re.compile(r"\b(?:you|your|we|our)\b|您|你", re.IGNORECASE)
_LATIN_WORD = re.compile(r"(?<![<\w])[A-Za-z]{2,}(?![\w>])")
_PLACEHOLDER = re.compile(r"<[A-Z]{2,6}>")
_TERMINAL = re.compile(r"[.!?。！？:：;；]\s*$")
_ERROR_QUOTE = [
    re.compile(
        r"\b(?:error|message|warning|text|says|reads)s?\s*(?:message)?\s*[:：]?\s*"
        r"[\"“]([^\"”]{8,300})[\"”]",
        re.IGNORECASE,
    ),
    re.compile(r"(?:错误|提示|报错|消息)[:：]?\s*[“\"]([^”\"]{4,200})[”\"]"),
    # 'You receive "Error applying virtual switch properties changes" error'
    re.compile(r"[\"“]([^\"”]{8,300})[\"”]\s+(?:error|message|warning)", re.IGNORECASE),
]


def _lines(block: Block) -> list[str]:
    if block.kind == "code":
        return [line.rstrip() for line in block.lines]
    if block.kind == "list":
        return [plain_inline(line) for item in block.items for line in item.split("\n")]
    return [plain_inline(line).rstrip() for line in block.lines]


def _dialog_content(lines: list[str]) -> list[str]:
    """Content lines of a dialog: labels, rules, buttons and the window title removed."""
    if any(DIALOG_LABEL.match(line.strip()) for line in lines):
        out: list[str] = []
        section = None
        for line in lines:
            stripped = line.strip()
            label = DIALOG_LABEL.match(stripped)
            if label:
                section = label.group(1).lower()
                continue
            if BUTTON_LINE.match(stripped) or not stripped:
                continue
            if section in ("window title", "title", "标题"):
                continue
            out.append(stripped)
        return out
    # A ruled box: title | body | buttons, separated by lines of dashes.
    segments: list[list[str]] = [[]]
    for line in lines:
        if RULE_LINE.match(line):
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


def dialog_lines(block: Block) -> list[str]:
    """The lines of a dialog a user would paste: labels, rules, buttons and title removed."""
    out = []
    for line in _dialog_content(_plain_lines(block)):
        line = re.sub(r"\s+", " ", line).strip().strip(_QUOTES).strip()
        if len(line) >= 6 and not BUTTON_LINE.match(line):
            out.append(line)
    return out


def _quoted_lines(block: Block) -> list[list[str]]:
    """Quote lines nested in list items ("- You receive:\\n  >Cluster 'X' is no longer ...")."""
    groups: list[list[str]] = []
    for item in block.items if block.kind == "list" else ():
        current: list[str] = []
        for line in item.split("\n"):
            stripped = line.strip()
            if stripped.startswith(">"):
                current.append(plain_inline(stripped.lstrip("> ")))
            elif current:
                groups.append(current)
                current = []
        if current:
            groups.append(current)
    return groups


def join_wrapped(lines: list[str]) -> list[str]:
    """Lines of natural text as logical lines: a line that does not end a sentence and is
    followed by one starting in lower case (or a continuation word) is the same line."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        if out and out[-1] and not _TERMINAL.search(out[-1]) and _continues(line):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return [line for line in out if line]


def _continues(line: str) -> bool:
    first = line[0]
    return first.islower() or first in "(,'\"" or bool(HAN_CHAR.match(first)) or first.isdigit()


def _candidates(blocks: list[Block]) -> list[Message]:
    if any(not b.role for b in blocks):
        classify(blocks)  # blocks made outside an article (tests, statements)
    found: list[Message] = []
    for block in blocks:
        if block.role == ERROR:
            found.extend(_from_error_block(block))
        for group in _quoted_lines(block):
            found.extend(_from_lines(group, "after-lead-in"))
        if block.kind in ("para", "list", "quote"):
            found.extend(_quoted_in_prose(block.text))
    return found


def _from_error_block(block: Block) -> list[Message]:
    """The messages of one block of error text, read by its shape (ingest.classify)."""
    lines = _lines(block)
    kind = block.error_kind
    if kind == "dialog":
        return [Message(line, "dialog") for line in dialog_lines(block)]
    if kind == "event" or is_event_block(lines):
        fields = event_fields(lines)
        return [Message(s, "event") for s in _sentences(fields.description)]
    origin = {"continued": "continued", "message": "paragraph", "log": "log"}.get(kind, kind)
    if kind not in ("continued", "message", "log", "after-lead-in"):
        origin = block.kind
    # log lines are recognised whatever the block's shape (a quote of cluster.log lines)
    return _from_lines(lines, origin)


def _from_lines(lines: list[str], origin: str) -> list[Message]:
    stripped = [strip_log_prefix(line) for line in lines if line.strip()]
    logged = [(text, level) for text, level in stripped if level is not None]
    if logged and len(logged) >= len(stripped) / 2:
        return [
            Message(text, "log")
            for text, level in logged
            if level not in ("info", "dbg", "verbose", "trace") or has_error_words(text)
        ]
    return [Message(line, origin) for line in join_wrapped([t for t, _ in stripped])]


def _quoted_in_prose(text: str) -> list[Message]:
    out = []
    for pattern in _ERROR_QUOTE:
        for match in pattern.finditer(text):
            out.append(Message(match.group(1), "quoted"))
    return out


def _sentences(text: str) -> list[str]:
    """A long message cut into pieces of at most :data:`MAX_MESSAGE_CHARS`, at sentences."""
    if len(text) <= MAX_MESSAGE_CHARS:
        return [text] if text else []
    pieces: list[str] = []
    for sentence in split_sentences(text):
        if pieces and len(pieces[-1]) + len(sentence) < MAX_MESSAGE_CHARS:
            pieces[-1] = f"{pieces[-1]} {sentence}"
        else:
            pieces.append(sentence[:MAX_MESSAGE_CHARS])
    return pieces


def clean_message(text: str) -> str:
    """Escapes left by HTML-to-Markdown, quotes around the whole text and spacing removed."""
    text = _STRAY.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    while len(text) > 2 and text[0] in _QUOTES and text[-1] in _QUOTES:
        text = text[1:-1].strip()
    if text[:1] in _QUOTES and not any(q in text[1:] for q in _QUOTES):
        text = text[1:].strip()  # an opening quote the article never closed
    if text[-1:] in _QUOTES and not any(q in text[:-1] for q in _QUOTES):
        text = text[:-1].strip()
    return text.strip(" -–—•*>").lstrip(":;,.)] ").strip()


def _without_label(text: str) -> str | None:
    """'Error: X' -> 'X'; 'Operation: PreRestore Event' -> None (a field, not a message)."""
    match = _LABEL.match(text)
    if not match:
        return text
    label, rest = match.group("label").strip(), match.group("rest").strip()
    if len(label.split()) <= 4 and len(rest.split()) <= 3 and not _TERMINAL.search(rest):
        return None  # a field and its value: "Old extended failure hr: 0x1"
    if len(label.split()) > 4 or (has_error_words(label) and not _LABEL_IS_ERROR.match(label)):
        return text  # a sentence with a colon in it: "The operation failed because: ..."
    return rest or None


def content_words(text: str) -> tuple[int, int]:
    """(Latin words, CJK characters) left once names, numbers and paths are masked."""
    masked = _PLACEHOLDER.sub(" ", masked_text(text))
    return len(_LATIN_WORD.findall(masked)), len(HAN_CHAR.findall(masked))


def is_message(text: str, origin: str) -> bool:
    """Does this cleaned candidate read like an error message a user would paste?"""
    if len(text) > MAX_MESSAGE_CHARS * 2 or text.endswith((":", "：")):
        return False
    words, cjk = content_words(text)
    if words < MIN_WORDS and cjk < MIN_CJK:
        return False
    if _PROSE_START.match(text) or looks_like_command(text) or _NOT_A_MESSAGE.match(text):
        return False
    if origin in TRUSTED and not has_error_words(text) and not _TERMINAL.search(text) and words < 6:
        return False  # a title or a name ("Virtual Disk Manager"), not a message
    if _is_header(text):
        return False
    if origin not in TRUSTED and (_READER.search(text) or not has_error_words(text)):
        return False
    return not (origin in ("code", "quote") and not has_error_words(text))


def _is_header(text: str) -> bool:
    """Column headers and property lines ("Name IsManagementOs VMName SwitchName", "OS Name
    Microsoft Windows Server 2019 Standard"): every word capitalised, no punctuation."""
    tokens = text.split()
    return (
        len(tokens) >= 4
        and all(t[0].isupper() or t[0].isdigit() for t in tokens)
        and not re.search(r"[.,:;'\"()!?]", text)
    )


CANDIDATES_PER_MESSAGE = 8


def mine_messages(blocks: list[Block], limit: int = MAX_MESSAGES) -> list[Message]:
    """The verbatim messages of *blocks* (a symptom), best sources first, each once."""
    found: dict[str, Message] = {}  # by masked, folded text: one message once
    for candidate in _candidates(blocks):
        for piece in _sentences(clean_message(candidate.text)):
            text = _without_label(clean_message(piece))
            if text is None:
                continue
            text = clean_message(text)
            if is_message(text, candidate.origin):
                key = re.sub(r"\W+", " ", masked_text(text).casefold()).strip()
                found.setdefault(key, Message(text, candidate.origin))
    ranked = sorted(found.values(), key=lambda m: _ORIGIN_RANK.get(m.origin, 9))
    # only the best few are compared with each other: every pair of a huge symptom's
    # thousands of lines was quadratic
    return _drop_contained(ranked[: limit * CANDIDATES_PER_MESSAGE])[:limit]


_ORIGIN_RANK = {
    origin: rank
    for rank, origin in enumerate(
        ("event", "dialog", "after-lead-in", "quoted", "log", "quote", "code", "paragraph")
    )
}


def _drop_contained(messages: list[Message]) -> list[Message]:
    """A message that is part of a longer one found too ("Access is denied." inside "Error:
    Access is denied. (0x5)") adds nothing."""
    out: list[Message] = []
    folded = [m.text.casefold() for m in messages]
    for i, message in enumerate(messages):
        text = folded[i]
        if any(
            i != j and text in other and len(other) > len(text) for j, other in enumerate(folded)
        ):
            continue
        out.append(message)
    return out
