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
from .facts import detect_language, find_codes, find_events, find_sources, is_howto, is_question
from .glossary import Glossary
from .hanzi import to_simplified
from .masking import mask
from .model import Facts, Normalised

MAX_PASTE_BYTES = 1_000_000
# Rules and search look at the whole paste up to this size; beyond it, at its focus lines.
FOCUS_CHARS = 16_000

_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")
_LOOKS_LIKE_HTML = re.compile(
    r"</(?:p|div|span|td|tr|table|li|ul|ol|pre|code|font|html|body|a|b|i|strong|em|h[1-6])\s*>"
    r"|<br\s*/?>|<(?:html|body|div|p|table)[\s>]",
    re.IGNORECASE,
)
_BLOCK_TAGS = re.compile(r"<\s*(?:br|/p|/div|/tr|/li|/h[1-6]|/pre|/table)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\u00a0\u3000]+")
_QUOTES = str.maketrans({"\u2032": "'", "\u00b4": "'", "\u201b": "'"})

# Words that mark a line as carrying the error rather than log chatter.
_ERROR_CUES = re.compile(
    r"error|fail|cannot|can't|could not|unable|not compatible|incompatible|denied|invalid|"
    r"exception|warning|critical|unknown|timed? ?out|not (?:found|available|responding)|"
    r"event ?id|事件|错误|失败|无法|不能|不兼容|异常|警告|未知|拒绝|超时|故障",
    re.IGNORECASE,
)


def is_error_line(line: str) -> bool:
    """Does this line carry an error (rather than log chatter)?"""
    return bool(_ERROR_CUES.search(line))


def clean(text: str) -> str:
    """Strip HTML, ANSI escapes, control and zero-width characters; fold full-width forms."""
    if _LOOKS_LIKE_HTML.search(text):
        text = _BLOCK_TAGS.sub("\n", text)
        text = html.unescape(nh3.clean(text, tags=set(), strip_comments=True))
    text = _ANSI.sub("", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    # NFKC folds full-width letters, digits and punctuation (：１１９６) to ASCII, but leaves
    # CJK ideographs and the curly quotes masking relies on alone.
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def focus_lines(text: str, budget: int = FOCUS_CHARS) -> str:
    """The lines of a long paste most likely to carry the error, in their original order.

    A 50-page log holds a few lines that matter; rules and search look at those (plus their
    neighbours) rather than at every INFO line.
    """
    if len(text) <= budget:
        return text
    lines = text.split("\n")
    keep: set[int] = set()
    for i, line in enumerate(lines):
        if is_error_line(line):
            keep.update((i - 1, i, i + 1))
    chosen, used = [], 0
    for i in sorted(k for k in keep if 0 <= k < len(lines)):
        if used + len(lines[i]) + 1 > budget:
            break
        chosen.append(lines[i])
        used += len(lines[i]) + 1
    if not chosen:  # no cue anywhere: the head of the paste is the best guess
        return text[:budget]
    return "\n".join(chosen)


def normalise(
    text: str, glossary: Glossary | None = None, max_bytes: int = MAX_PASTE_BYTES
) -> Normalised:
    """Clean, mask and extract facts from one paste; raise :class:`PasteTooLarge` above the limit."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    size = len(text.encode("utf-8", "replace"))
    if size > max_bytes:
        raise PasteTooLarge(size, max_bytes)
    cleaned = clean(text)
    readable = to_simplified(cleaned)  # Traditional Chinese is matched as Simplified
    focus = focus_lines(readable)
    masked, values = mask(focus)
    glossary = glossary or Glossary.empty()
    facts = Facts(
        language=detect_language(focus),
        events=tuple(find_events(focus)),
        sources=tuple(find_sources(focus)),
        codes=tuple(find_codes(focus)),
        products=tuple(glossary.products_in(focus)),
        question=is_question(readable) or is_howto(readable),
        howto=is_howto(readable),
        masked={k: tuple(v) for k, v in values.items()},
    )
    return Normalised(original_size=size, text=cleaned, masked=masked, focus=focus, facts=facts)
