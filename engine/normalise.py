"""Step 1 of the pipeline: bound, clean and mask a paste, and pull out its facts.

What arrives is whatever a helpdesk agent copied: an Event Viewer export, a dialog's text, a
PowerShell error, a chat message, sometimes HTML from a web console, ANSI colours from a
terminal, full-width punctuation from a Chinese input method. What leaves is a
:class:`Normalised` with the clean text, the masked text, the error-bearing "focus" lines of a
long paste, and the :class:`Facts`.

>>> n = normalise("Event ID：1196\\nCluster network name resource 'SQL (X)' failed registration")
>>> print(n.masked.splitlines()[1])
Cluster network name resource <NAME> failed registration
>>> n.facts.event_ids
(1196,)
"""

from __future__ import annotations

import html
import re
import unicodedata

import nh3

from .errors import PasteTooLarge
from .facts import (
    count_words,
    detect_language,
    find_codes,
    find_events,
    find_sources,
    is_howto,
    is_question,
)
from .glossary import Glossary
from .hanzi import to_simplified
from .masking import CASE_ODD, mask
from .model import Facts, Normalised

MAX_PASTE_BYTES = 1_000_000
# Rules and search look at the whole paste up to this size; beyond it, at its focus lines.
FOCUS_CHARS = 16_000
# Work is bounded before it is done. A longer paste is cut to its error lines (and their
# neighbours) while it is still raw text, by C-speed scans only; cleaning, masking, rules and
# search then never see more than this, whatever the paste's size and shape.
CUT_CHARS = 4 * FOCUS_CHARS
# The HTML sanitiser (nh3, an HTML5 parser) costs time quadratic in the nesting of what it
# reads: 20,000 characters of nested lists take ~0.15 s, 100,000 take 2 s. HTML longer than
# this is cut to its error lines first.
SANITISE_CHARS = 20_000

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_LOOKS_LIKE_HTML = re.compile(
    r"</(?:p|div|span|td|tr|table|li|ul|ol|pre|code|font|html|body|a|b|i|strong|em|h[1-6])\s*>"
    r"|<br\s*/?>|<(?:html|body|div|p|table)[\s>]",
    re.IGNORECASE,
)
# Bounded attribute run: "<br<br<br..." must not rescan the rest of the paste at every "<".
_BLOCK_TAGS = re.compile(
    r"<\s*(?:br|/p|/div|/tr|/li|/h[1-6]|/pre|/table)\b[^>]{0,256}>", re.IGNORECASE
)
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_QUOTES = ("\u2032", "\u00b4", "\u201b")  # prime, acute accent, reversed quote: all "'"

# Words that mark a line as carrying the error rather than log chatter.
_ERROR_CUES = re.compile(
    r"error|fail|cannot|can't|could not|unable|not compatible|incompatible|denied|invalid|"
    r"exception|warning|critical|unknown|timed? ?out|not (?:found|available|responding)|"
    r"event ?id|事件|错误|失败|无法|不能|不兼容|异常|警告|未知|拒绝|超时|故障",
    re.IGNORECASE,
)
# The same cues for text already lower-cased: a case-insensitive alternation scans a megabyte
# in 150 ms, this one in 5 ms (focus_lines scans the whole of a long paste).
_LOWER_CUES = re.compile(_ERROR_CUES.pattern)


def is_error_line(line: str) -> bool:
    """Does this line carry an error (rather than log chatter)?

    Searched lower-cased (the same answer, measured 10x faster than the case-insensitive
    regex: rules and search ask this of every line of every paste).
    """
    if not line.isascii() and CASE_ODD.search(line):
        return bool(_ERROR_CUES.search(line))
    return bool(_LOWER_CUES.search(line.lower()))


def clean(text: str) -> str:
    """Strip HTML, ANSI escapes, control and zero-width characters; fold full-width forms.

    Only the HTML sanitiser costs more than linear time, so only what it reads is bounded
    here (:data:`SANITISE_CHARS`); :func:`normalise` bounds the whole paste before this.
    """
    if _LOOKS_LIKE_HTML.search(text):
        text = _BLOCK_TAGS.sub("\n", text)
        if len(text) > SANITISE_CHARS:
            text = focus_lines(text, SANITISE_CHARS, max_line=SANITISE_CHARS // 4)
        text = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
    text = _ANSI.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if not text.isascii():
        # NFKC folds full-width letters, digits and punctuation (：１１９６) to ASCII, but leaves
        # CJK ideographs and the curly quotes masking relies on alone.
        text = unicodedata.normalize("NFKC", text)
        for quote in _QUOTES:
            text = text.replace(quote, "'")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _line_at(text: str, index: int) -> tuple[int, int]:
    """The start and end of the line holding *text[index]* (end: its newline, or len(text))."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return start, len(text) if end < 0 else end


def focus_lines(text: str, budget: int = FOCUS_CHARS, max_line: int | None = None) -> str:
    """The lines of a long paste most likely to carry the error, in their original order.

    A 50-page log holds a few lines that matter; rules and search look at those (plus their
    neighbours) rather than at every INFO line. The error cues are found by one regex scan
    and the lines around them are taken until *budget* is full, so the work is the scan plus
    the budget, never a pass per line in Python. *max_line* cuts a longer line to that many
    characters around its cue (a 1 MB line with no newline is still a paste).

    >>> focus_lines("INFO a\\nINFO b\\nINFO c\\nERROR d\\nINFO e\\nINFO f", budget=24)
    'INFO c\\nERROR d\\nINFO e'
    """
    if len(text) <= budget:
        return text
    chosen: dict[int, str] = {}  # line start -> the line (or its window): ordered, unique
    used = 0

    def take(start: int, end: int, around: int) -> bool:
        """Add the line [start, end) unless taken; False once the budget is full."""
        nonlocal used
        if start in chosen:
            return True
        if max_line is not None and end - start > max_line:
            left = max(start, min(around - max_line // 2, end - max_line))
            line = text[left : left + max_line]
        else:
            line = text[start:end]
        if used + len(line) + 1 > budget:
            return False
        chosen[start] = line
        used += len(line) + 1
        return True

    lowered = text.lower()
    # a character that lowers to two (U+0130) would shift every position after it
    scan, cues = (lowered, _LOWER_CUES) if len(lowered) == len(text) else (text, _ERROR_CUES)
    position = 0
    while (match := cues.search(scan, position)) is not None:
        start, end = _line_at(text, match.start())
        # (start, end, where to centre a window): the line before keeps its tail, the line
        # after its head, the cue's own line the part around the cue
        lines = [(start, end, match.start())]
        if start > 0:
            before = _line_at(text, start - 1)
            lines.insert(0, (*before, before[1]))
        if end < len(text):
            after = _line_at(text, end + 1)
            lines.append((*after, after[0]))
        if not all(take(*line) for line in lines):
            break
        position = end + 1
    if not chosen:  # no cue anywhere: the head of the paste is the best guess
        return text[:budget]
    return "\n".join(chosen[start] for start in sorted(chosen))


def _question_of(readable: str, was_cut: bool) -> tuple[bool, bool]:
    """(question, howto): only a short paste can be a question; a cut one never is."""
    if was_cut:
        return False, False
    howto = is_howto(readable)
    return is_question(readable) or howto, howto


def normalise(
    text: str, glossary: Glossary | None = None, max_bytes: int = MAX_PASTE_BYTES
) -> Normalised:
    """Clean, mask and extract facts from one paste; raise :class:`PasteTooLarge` above the limit.

    A paste longer than :data:`CUT_CHARS` is cut to its error lines first, while it is raw
    text: every later step then costs the same for a 1 MB paste as for a 64 KB one.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    size = len(text.encode("utf-8", "replace"))
    if size > max_bytes:
        raise PasteTooLarge(size, max_bytes)
    was_cut = len(text) > CUT_CHARS
    if was_cut:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        if _LOOKS_LIKE_HTML.search(text):  # one line of HTML is many lines of text
            text = _BLOCK_TAGS.sub("\n", text)
        text = focus_lines(text, CUT_CHARS, max_line=FOCUS_CHARS)
    cleaned = clean(text)
    if len(cleaned) > CUT_CHARS:  # NFKC writes some characters as up to 18
        was_cut = True
        cleaned = focus_lines(cleaned, CUT_CHARS, max_line=FOCUS_CHARS)
    readable = to_simplified(cleaned)  # Traditional Chinese is matched as Simplified
    focus = focus_lines(readable)
    masked, values = mask(focus)
    glossary = glossary or Glossary.empty()
    question, howto = _question_of(readable, was_cut)
    facts = Facts(
        language=detect_language(focus),
        events=tuple(find_events(focus)),
        sources=tuple(find_sources(focus)),
        codes=tuple(find_codes(focus)),
        products=tuple(glossary.products_in(focus)),
        question=question,
        howto=howto,
        words=count_words(focus),
        masked={k: tuple(v) for k, v in values.items()},
    )
    return Normalised(original_size=size, text=cleaned, masked=masked, focus=focus, facts=facts)
