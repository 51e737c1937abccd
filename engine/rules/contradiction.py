"""What a paste says otherwise than an entry's message it holds: evidence against the entry.

A Windows message is a frame with values filled in, and an article is often about one value:
"The virtual machine '%1' is currently using an %2 processor, but physical computer '%3' has
an %4 processor" is the "Unknown processor" article's message when %4 is Unknown, and an AMD
host moved to an Intel one shows the same frame. "Failed to power on with Error '%1'" is the
dynamic-MAC article's message when the inner error is 'Attempt to access invalid address', and
a missing virtual switch shows the same frame with 'The system cannot find the file
specified.'. Matched on its frame, such a message made the article a confident wrong answer.

Two values are compared, both only where the paste fills them in otherwise (a paste cut short
or reworded says nothing against the entry):

- a named word of the message (capitalised mid-sentence, :mod:`.templates` ``skipped``) that
  the paste replaces word for word, when it is a word of the entry's title: what the article
  is about ("Unknown" of "Unknown processor error ...");
- the message's quoted error text (three words or more), when the paste quotes error text of
  its own and holds none of the message's.

Such a match is a contradiction, not evidence: :mod:`engine.rank` holds the entry back and
says why. A writer's rule is the writer's word and is not asked (see :class:`.RuleBook`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from ..entry import Entry
from ..masking import mask
from ..search.dictionary import english
from .templates import title_words

# A quoted value is error text ('Attempt to access invalid address', 'The system cannot find
# the file specified.') when it has this many words and reads as a sentence, with one of
# these words; otherwise it is an object's name ('External Virtual Network', 'Map HR share
# at logon') or an article's placeholder ('<GPP item name>').
QUOTED_WORDS = 3
_SENTENCE_WORDS = frozenset(
    [
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "not",
        "no",
        "cannot",
        "could",
        "does",
        "did",
        "to",
        "the",
        "unable",
    ]
)
# The paste holds the message's quoted text when it has this share of its words.
HELD_SHARE = 0.6
_WORD = re.compile(r"[A-Za-z]{3,}")
_QUOTE = re.compile("['\"\u2018\u2019\u201c\u201d\u300c]")


def quoted_errors(values: Iterable[str]) -> tuple[str, ...]:
    """The quoted values that are error text (see :data:`QUOTED_WORDS`)."""
    return tuple(v for v in values if _is_error_text(v))


def _is_error_text(value: str) -> bool:
    if "<" in value or len(_WORD.findall(value)) < QUOTED_WORDS:
        return False
    return bool(_SENTENCE_WORDS & set(re.findall(r"[a-z']+", value.casefold())))


@dataclass(frozen=True)
class SaidOtherwise:
    """What a paste says otherwise than one message it holds."""

    words: frozenset[str] = frozenset()  # the message's named words it replaces (stems)
    quoted: str = ""  # the message's quoted error text, where the paste quotes another
    instead: str = ""  # the paste's quoted error text


class Contradictions:
    """The entries' titles and the messages' quoted error texts, to check matches against."""

    def __init__(self, entries: Iterable[Entry], messages: Mapping[str, str]):
        """*messages*: message leaf key -> the message as written."""
        self._titles = {e.id: e.title for e in entries}
        self._messages = messages
        # a message's quoted error texts, worked out the first time a paste asks (masking
        # every message of a 100,000-entry KB at start-up cost 10 s)
        self._quoted: dict[str, tuple[str, ...]] = {}

    def _quoted_of(self, key: str) -> tuple[str, ...]:
        found = self._quoted.get(key)
        if found is None:
            text = self._messages.get(key, "")
            found = quoted_errors(mask(text)[1].get("name", ())) if _QUOTE.search(text) else ()
            self._quoted[key] = found
        return found

    def observe(
        self, key: str, skipped: frozenset[str], text: str, pasted: tuple[str, ...]
    ) -> SaidOtherwise | None:
        """What the paste (*text*, unmasked; *pasted*: its quoted error texts) says otherwise
        than the message *key* it holds, whose named words *skipped* it replaced."""
        quoted, instead = "", ""
        values = self._quoted_of(key) if pasted else ()
        if values:
            folded = text.casefold()
            if not any(_held(value, folded) for value in values):
                quoted, instead = values[0], pasted[0]
        if not (skipped or quoted):
            return None
        return SaidOtherwise(skipped, quoted, instead)

    def reason(self, entry_id: str, said: Iterable[SaidOtherwise]) -> str:
        """Why the paste contradicts the entry (for ``why``), or "" when it does not."""
        title_text = self._titles.get(entry_id, "")
        replaced: set[str] = set()
        for otherwise in said:
            if otherwise.quoted:
                return f"its message quotes '{otherwise.quoted}', the paste '{otherwise.instead}'"
            # cut only when asked (every title at start-up: 5 s at 100,000 entries)
            title = _title_words(title_text) if otherwise.words else frozenset()
            for word in otherwise.words:
                # a Chinese word names the title's word when its English does (未知: unknown)
                replaced |= {word} & title or title & _english_words(word)
        if not replaced:
            return ""
        # the title's own spelling of the words ("Unknown", not the stem "unknown")
        shown = [w for w in re.findall(r"\w+", title_text) if _title_words(w) & replaced]
        words = ", ".join(f"'{w}'" for w in dict.fromkeys(shown or sorted(replaced)))
        return f"its message, with something else where it says {words}"


def _held(value: str, folded_text: str) -> bool:
    words = _WORD.findall(value)
    return sum(w.casefold() in folded_text for w in words) >= HELD_SHARE * len(words)


@lru_cache(maxsize=4096)
def _title_words(title: str) -> frozenset[str]:
    return title_words(title)


@lru_cache(maxsize=4096)
def _english_words(word: str) -> frozenset[str]:
    """The title words (:func:`.templates.title_words`) of a Chinese word's English glosses."""
    if not ("\u3400" <= word[0] <= "\u9fff"):
        return frozenset()
    return frozenset().union(*(title_words(gloss) for gloss in english(word)))
