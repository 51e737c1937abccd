"""Text conditions (phrase, message, regex) evaluated in Python, once per paste.

durable_rules' own ``matches`` is a regex dialect with wrong answers and a 64 KB blind spot
(see ``docs/rules.md``), so text is matched here and the rule engine only sees the outcome as
typed facts (``{"kind": "text", "ref": <leaf key>}``).

- phrases: one Aho-Corasick automaton for all of them, on the folded paste (both masked and
  unmasked, so a quoted phrase that masking turned into <NAME> still counts);
- messages: error lines as shown, found by token-level similarity after masking both sides
  (:mod:`.templates`: another Windows version's wording, another host's names);
- regexes: compiled once (already checked for catastrophic backtracking), run on the focus
  text, which is bounded in size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick

from ..hanzi import HAN_CHAR
from .regex_safety import check_regex, required_literal
from .spec import Leaf, fold_phrase
from .templates import TemplateIndex
from .templates import paste_tokens as cut_paste


def _bounded(word: str) -> bool:
    """Latin text is matched on word boundaries; CJK has no spaces to sit between."""
    return not HAN_CHAR.search(word)


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


@dataclass(frozen=True)
class TextMatch:
    key: str
    quality: float  # 1.0 for phrases and regexes; token similarity for messages
    size: float = 0.0  # messages: how much the message says (templates.TemplateMatch.size)
    skipped: frozenset[str] = frozenset()  # messages: templates.TemplateMatch.skipped


class TextMatcher:
    """All text leaves of a rule book, matched against a paste in one pass each."""

    def __init__(self, leaves: list[Leaf], rarity: bool = True):
        # The automaton maps each word to its index; per word: the (leaf key, weight) pairs it
        # counts for, and the regexes it anchors.
        self._automaton = ahocorasick.Automaton()
        self._payloads: list[list[tuple[str, float]]] = []
        self._anchors: list[list[int]] = []
        self._regexes: list[tuple[str, re.Pattern[str]]] = []
        self._unanchored: list[int] = []  # regexes with no literal to look for first
        unique = {l.key: l for l in leaves}.values()
        self._templates = TemplateIndex(
            [(l.key, l.value) for l in unique if l.kind == "message"], rarity
        )
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

    def match(
        self,
        masked: str,
        unmasked: str,
        paste_tokens: list[str] | None = None,
        folded: tuple[str, str] | None = None,
    ) -> list[TextMatch]:
        """Every text leaf found in the paste, with its quality.

        Messages are compared on the paste's template tokens (:func:`.templates.tokens`, which
        masks the text itself), phrases on the folded texts (:func:`.spec.fold_phrase`); a
        caller that matches the same paste many times (vetting) passes both, computed once.
        """
        words: set[int] = set()  # a word found twice (masked and unmasked) counts once
        regexes = set(self._unanchored)
        if not self._empty:
            for text in folded or (fold_phrase(masked), fold_phrase(unmasked)):
                for end, (index, size, bounded) in self._automaton.iter(text):
                    anchored = self._anchors[index]
                    if anchored:
                        regexes.update(anchored)  # the regex checks its own context
                    # "event 11" must not be found in "event 1196": Latin words end on a boundary
                    if bounded and not _on_boundaries(text, end - size + 1, end + 1):
                        continue
                    words.add(index)
        found = {key for index in words for key, _ in self._payloads[index]}
        out = [TextMatch(key, 1.0) for key in sorted(found)]
        if len(self._templates):
            seeds = None
            if paste_tokens is None:  # normalise masked the paste already
                paste_tokens, seeds = cut_paste(masked)
            out.extend(
                TextMatch(m.key, m.quality, m.size, m.skipped)
                for m in self._templates.match_tokens(paste_tokens, seeds)
            )
        for index in sorted(regexes):
            key, pattern = self._regexes[index]
            if pattern.search(masked) or pattern.search(unmasked):
                out.append(TextMatch(key, 1.0))
        return out
