"""Text conditions (phrase, message, regex) evaluated in Python, once per paste.

durable_rules' own ``matches`` is a regex dialect with wrong answers and a 64 KB blind spot
(see ``docs/rules.md``), so text is matched here and the rule engine only sees the outcome as
typed facts (``{"kind": "text", "ref": <leaf key>}``).

- phrases: one Aho-Corasick automaton for all of them, on the folded paste (both masked and
  unmasked, so a quoted phrase that masking turned into <NAME> still counts);
- messages: error lines as shown, masked the same way as the paste and cut into clauses at
  punctuation and placeholders; a message matches by the share of its clause text found in
  the paste (another Windows version's wording keeps most clauses);
- regexes: compiled once (already checked for catastrophic backtracking), run on the focus
  text, which is bounded in size.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import ahocorasick

from ..masking import mask
from .regex_safety import check_regex, required_literal
from .spec import Leaf, fold_phrase

# A message is considered present when this share of its clause text is in the paste.
MESSAGE_MIN_QUALITY = 0.5
# Clauses end at punctuation, placeholders and the small words that versions of a message
# add or drop ("Please check ..." / "Check ..."; "... and try again").
_CLAUSE_SPLIT = re.compile(
    r"<[A-Z]+>|[.。!！?？;；:：,，、()（）\[\]【】\"'“”‘’]+|\s-\s|\n"
    r"|\b(?:please|and|but|or|then|however|because|so|which|that|also)\b|请|并且|但是|因为|或者",
    re.UNICODE | re.IGNORECASE,
)
_CJK = re.compile(r"[\u3400-\u9fff]")


def _clauses(message: str) -> list[str]:
    masked, _ = mask(message)
    folded = fold_phrase(masked)
    out = []
    for part in _CLAUSE_SPLIT.split(folded):
        part = part.strip()
        cjk = len(_CJK.findall(part))
        if (cjk >= 4) or (cjk == 0 and len(part) >= 12) or (cjk and len(part) >= 8):
            out.append(part)
    return out


def _bounded(word: str) -> bool:
    """Latin text is matched on word boundaries; CJK has no spaces to sit between."""
    return not _CJK.search(word)


_ENDING = re.compile(r"(?:s|es|ed|d|ing)\b")


def _word_char(c: str) -> bool:
    return c.isalnum() or c == "_"


def _on_boundaries(text: str, start: int, end: int) -> bool:
    """Whole words at both ends, except that an English word may take -s/-es/-ed/-ing.

    "network interface" finds "network interfaces"; "event 11" does not find "event 1196".
    """
    if start > 0 and _word_char(text[start - 1]) and _word_char(text[start]):
        return False
    if end < len(text) and _word_char(text[end]) and _word_char(text[end - 1]):
        return text[end - 1].isalpha() and bool(_ENDING.match(text, end))
    return True


def _message_clauses(message: str) -> set[str]:
    clauses = _clauses(message)
    if not clauses:  # a message too short to cut: match it whole
        clauses = [fold_phrase(mask(message)[0])]
    return set(clauses)


@dataclass(frozen=True)
class TextMatch:
    key: str
    quality: float  # 1.0 for phrases and regexes; share of clause text for messages


class TextMatcher:
    """All text leaves of a rule book, matched against a paste in one pass each."""

    def __init__(self, leaves: list[Leaf]):
        # The automaton maps each word to its index; per word: the (leaf key, weight) pairs it
        # counts for, and the regexes it anchors.
        self._automaton = ahocorasick.Automaton()
        self._payloads: list[list[tuple[str, float]]] = []
        self._anchors: list[list[int]] = []
        self._regexes: list[tuple[str, re.Pattern[str]]] = []
        self._unanchored: list[int] = []  # regexes with no literal to look for first
        self._message_size: dict[str, float] = {}
        unique = {l.key: l for l in leaves}.values()
        messages = {l.key: _message_clauses(l.value) for l in unique if l.kind == "message"}
        # A clause many messages share ("for the following reason") says little about which
        # message a paste holds: each clause weighs its length times its rarity among messages.
        clause_df = Counter(c for clauses in messages.values() for c in clauses)
        n_messages = max(1, len(messages))
        for key, clauses in messages.items():
            weights = {c: len(c) * math.log(1 + n_messages / clause_df[c]) for c in clauses}
            self._message_size[key] = sum(weights.values())
            for clause, weight in weights.items():
                self._payloads[self._word(clause)].append((key, weight))
        for leaf in unique:
            if leaf.kind == "phrase":
                self._payloads[self._word(leaf.value)].append((leaf.key, 1.0))
            elif leaf.kind == "regex":
                index = len(self._regexes)
                self._regexes.append((leaf.key, check_regex(leaf.value)))
                literal = required_literal(leaf.value)
                if literal:  # run the regex only where its literal occurs
                    self._anchors[self._word(fold_phrase(literal))].append(index)
                else:
                    self._unanchored.append(index)
        self._empty = not self._payloads
        if not self._empty:
            self._automaton.make_automaton()

    def _word(self, word: str) -> int:
        index = self._automaton.get(word, (None, None))[0]
        if index is None:
            index = len(self._payloads)
            self._automaton.add_word(word, (index, len(word), _bounded(word)))
            self._payloads.append([])
            self._anchors.append([])
        return index

    def match(self, masked: str, unmasked: str) -> list[TextMatch]:
        """Every text leaf found in the paste, with its quality."""
        words: set[int] = set()  # a word found twice (masked and unmasked) counts once
        regexes = set(self._unanchored)
        if not self._empty:
            for text in (fold_phrase(masked), fold_phrase(unmasked)):
                for end, (index, size, bounded) in self._automaton.iter(text):
                    anchored = self._anchors[index]
                    if anchored:
                        regexes.update(anchored)  # the regex checks its own context
                    # "event 11" must not be found in "event 1196": Latin words end on a boundary
                    if bounded and not _on_boundaries(text, end - size + 1, end + 1):
                        continue
                    words.add(index)
        found: dict[str, float] = {}
        for index in words:
            for key, weight in self._payloads[index]:
                found[key] = found.get(key, 0.0) + weight
        out: list[TextMatch] = []
        for key, weight in found.items():
            size = self._message_size.get(key)
            if size is None:
                out.append(TextMatch(key, 1.0))
                continue
            quality = min(1.0, weight / size) if size else 1.0
            if quality >= MESSAGE_MIN_QUALITY:
                out.append(TextMatch(key, round(quality, 3)))
        for index in sorted(regexes):
            key, pattern = self._regexes[index]
            if pattern.search(masked) or pattern.search(unmasked):
                out.append(TextMatch(key, 1.0))
        return out
