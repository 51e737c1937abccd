"""Message templates: is an entry's verbatim error message in the paste, in some wording?

The same error reaches us from another Windows version ("could not" / "was unable to"),
another host (every name different), hard-wrapped by a log viewer, or cut by the agent.
Both sides are masked the same way (:mod:`engine.masking`: names, hosts, GUIDs, paths,
times become placeholders), folded and cut into tokens (English words stemmed, Chinese as
character pairs). A message is then found by **token-level similarity**: how much of its
token weight the best window of the paste holds (rare tokens weigh more than "the" or
"error"), times how well that window keeps the message's order (an edit distance over token
sequences, from rapidfuzz).

It has to scale to 100,000 entries with several messages each, so no paste is compared with
every message. Each message is filed under its rarest tokens (:data:`KEY_TOKENS`); a paste
looks up its own tokens and only the messages filed under one of them are scored.

>>> index = TemplateIndex([("m1", "The virtual machine 'WEB01' failed to start because the "
...     "processor is not compatible"), ("m2", "The cluster service failed to start")])
>>> [(m.key, m.quality, m.size) for m in index.match("Hyper-V: The virtual machine 'SQL7' could not "
...     "start because the processor is not compatible.")]
[('m1', 0.864, 0.583)]
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel

from ..hanzi import to_simplified
from ..masking import mask
from ..normalise import CUT_CHARS
from ..search.analysis import stem_word

# A message counts as present from this quality on (share of its token weight, order-scaled).
MIN_QUALITY = 0.6
# Each message is found through its rarest few tokens.
KEY_TOKENS = 3
# The window of the paste a message is looked for in: this many times the message's length.
WINDOW_FACTOR = 1.6
# Words every message has: they still count for coverage, never for finding a message.
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "this",
        "that",
        "it",
        "its",
        "as",
        "not",
        "no",
        "please",
    ]
)
_TOKEN = re.compile(r"<[A-Z]{2,6}>|[\u3400-\u9fff]+|[a-z0-9]+(?:'[a-z]+)?", re.IGNORECASE)
_CONTRACTIONS = {
    "couldn't": ("could", "not"),
    "can't": ("can", "not"),
    "cannot": ("can", "not"),
    "didn't": ("did", "not"),
    "doesn't": ("does", "not"),
    "don't": ("do", "not"),
    "isn't": ("is", "not"),
    "wasn't": ("was", "not"),
    "won't": ("will", "not"),
    "wouldn't": ("would", "not"),
    "aren't": ("are", "not"),
    "hasn't": ("has", "not"),
    "haven't": ("have", "not"),
}


@lru_cache(maxsize=50_000)
def _stem(word: str) -> str:
    return stem_word(word)


def tokens(text: str) -> list[str]:
    """Masked, folded tokens: stemmed English words, numbers, Chinese character pairs.

    Placeholders (<NAME>, <HOST>) are dropped: they stand for what differs between pastes.
    At most :data:`engine.normalise.CUT_CHARS` characters are read: pastes arrive cut to that
    already, and no message is as long.
    """
    masked, _ = mask(to_simplified(text[:CUT_CHARS]))
    out: list[str] = []
    for match in _TOKEN.finditer(masked.casefold()):
        word = match.group(0)
        if word.startswith("<"):
            continue
        if "\u3400" <= word[0] <= "\u9fff":
            out.extend(word[i : i + 2] for i in range(max(1, len(word) - 1)))
            continue
        for part in _CONTRACTIONS.get(word, (word,)):
            out.append(_stem(part) if part.isalpha() else part)
    return out


# A message with this many different content words (or more) is as specific as they come.
SPECIFIC_TOKENS = 12


@dataclass(frozen=True)
class TemplateMatch:
    key: str
    quality: float
    size: float  # how much the message says: its content words / SPECIFIC_TOKENS, at most 1


@dataclass
class _Template:
    key: str
    tokens: list[str]
    weights: dict[str, float]
    total: float
    share: float = 1.0  # of its message's token weight (a sentence of a longer message: less)


# A message of several sentences is also found by one of them ("... The cluster resource could
# not be found."), when that sentence says enough on its own; such a match counts for less.
MIN_SENTENCE_TOKENS = 5
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+(?=\S)|(?<=[。！？])")


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in _SENTENCE.split(text) if p and p.strip()]
    return parts if len(parts) > 1 else []


class TemplateIndex:
    """Messages filed under their rarest tokens; :meth:`match` scores only what a paste can hold."""

    def __init__(self, messages: list[tuple[str, str]], rarity: bool = True):
        """*rarity*: weigh tokens by how rare they are among these messages (the rule book);
        False weighs every word alike, so that a message matches the same whatever else is
        indexed with it (vetting checks a batch of entries at once)."""
        self._templates: list[_Template] = []
        parsed: list[tuple[str, list[str], float]] = []
        for key, text in messages:
            whole = tokens(text)
            if not whole:
                continue
            parsed.append((key, whole, 1.0))
            for sentence in _sentences(text):
                part = tokens(sentence)
                if len(set(part) - _STOP) >= MIN_SENTENCE_TOKENS:
                    parsed.append((key, part, len(part) / len(whole)))
        df: dict[str, int] = defaultdict(int)
        for _, toks, share in parsed:
            if share == 1.0:  # rarity among messages, each message counted once
                for token in set(toks):
                    df[token] += 1
        n = max(1, sum(1 for _, _, share in parsed if share == 1.0))
        self._files: dict[str, list[int]] = defaultdict(list)
        for key, toks, share in parsed:
            weights = {
                t: (0.3 if t in _STOP else 1.0)
                * (math.log(1 + n / max(1, df[t])) if rarity else 1.0)
                for t in set(toks)
            }
            index = len(self._templates)
            self._templates.append(_Template(key, toks, weights, sum(weights.values()), share))
            filed = sorted((t for t in weights if t not in _STOP), key=lambda t: (df[t], t))
            for token in filed[:KEY_TOKENS] or sorted(weights)[:KEY_TOKENS]:
                self._files[token].append(index)

    def __len__(self) -> int:
        return len(self._templates)

    def match(self, text: str) -> list[TemplateMatch]:
        """The messages found in the paste *text*, each with its best quality."""
        return self.match_tokens(tokens(text))

    def match_tokens(self, paste: list[str]) -> list[TemplateMatch]:
        """The same, for a paste already cut by :func:`tokens` (vetting cuts its corpus once)."""
        best: dict[str, float] = {}
        sizes: dict[str, float] = {}
        positions: dict[str, list[int]] = defaultdict(list)
        for i, token in enumerate(paste):
            positions[token].append(i)
        candidates = {i for t in positions for i in self._files.get(t, ())}
        for index in candidates:
            template = self._templates[index]
            quality = _quality(template, paste, positions)
            if template.share < 1.0:
                quality *= 0.6 + 0.4 * template.share
            if quality >= MIN_QUALITY and quality > best.get(template.key, 0.0):
                best[template.key] = quality
                content = sum(1 for t in template.weights if t not in _STOP)
                sizes[template.key] = min(1.0, content / SPECIFIC_TOKENS)
        return [TemplateMatch(k, round(q, 3), round(sizes[k], 3)) for k, q in sorted(best.items())]


def _quality(template: _Template, paste: list[str], positions: dict[str, list[int]]) -> float:
    """Share of the template's token weight in the best window of the paste, order-scaled."""
    hits = sorted((p, t) for t in template.weights if t in positions for p in positions[t])
    if not hits:
        return 0.0
    if sum(template.weights[t] for t in {t for _, t in hits}) < MIN_QUALITY * template.total:
        return 0.0  # even the whole paste does not hold enough of it
    span = max(len(template.tokens), int(len(template.tokens) * WINDOW_FACTOR))
    best_cover, best_start = 0.0, 0
    counts: dict[str, int] = defaultdict(int)
    cover = 0.0
    left = 0
    for right in range(len(hits)):  # sliding window over the hit positions
        position, token = hits[right]
        counts[token] += 1
        if counts[token] == 1:
            cover += template.weights[token]
        while position - hits[left][0] >= span:
            old = hits[left][1]
            counts[old] -= 1
            if counts[old] == 0:
                cover -= template.weights[old]
            left += 1
        if cover > best_cover:
            best_cover, best_start = cover, hits[left][0]
    window = [t for t in paste[best_start : best_start + span] if t in template.weights]
    order = Indel.normalized_similarity(template.tokens, window)
    return (best_cover / template.total) * (0.8 + 0.2 * order)
