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
[('m1', 0.826, 0.583)]
"""

from __future__ import annotations

import heapq
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Indel, Levenshtein

from ..hanzi import to_simplified
from ..masking import masked_text
from ..normalise import CUT_CHARS, is_error_line
from ..search.analysis import stem_word

# A message counts as present from this quality on (share of its token weight, order-scaled).
MIN_QUALITY = 0.6
# Each message is found through its rarest few tokens.
KEY_TOKENS = 3
# The window of the paste a message is looked for in: this many times the message's length.
WINDOW_FACTOR = 1.6
# How much a word inside the matched stretch that the message lacks counts against it, as a
# share of the message's mean word weight.
EXTRA_WEIGHT = 0.5
# A message (or a sentence of it) this much present tells which of its named words the paste
# says otherwise, once the message is found at MIN_QUALITY (by itself or another sentence).
REPLACED_QUALITY = 0.5
# At most this many messages are found in one paste, within NEAR of the best one's quality
# (a near-duplicate 0.3 behind the message the paste holds says nothing more about it).
MAX_MATCHES = 8
NEAR = 0.25
# At most this many messages are scored exactly per paste (those whose words it holds most).
MAX_SCORED = 16
# At most this many candidates (most filing words present first) get that upper bound.
MAX_BOUNDED = 64
# A word in more than this share of the messages (and this many) does not file a message.
COMMON_FILE_SHARE = 0.01
COMMON_FILE_SIZE = 50
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
# "didn't" -> did not: the verb and "n't"; only can't, cannot and won't are spelled otherwise.
_REGULAR_NT = ("could", "did", "does", "do", "is", "was", "would", "are", "has", "have")
_CONTRACTIONS = {f"{verb}n't": (verb, "not") for verb in _REGULAR_NT} | {
    "can't": ("can", "not"),
    "cannot": ("can", "not"),
    "won't": ("will", "not"),
}


@lru_cache(maxsize=50_000)
def _word_tokens(word: str) -> tuple[str, ...]:
    """The tokens of one folded Latin word or number: contractions expanded, words stemmed.

    A paste is mostly words seen before, so each is worked out once (a cut paste spent two
    thirds of its time on this per word, measured on the 10,000-entry bench)."""
    return tuple(
        stem_word(part) if part.isalpha() else part for part in _CONTRACTIONS.get(word, (word,))
    )


def tokens(text: str, masked: bool = False) -> list[str]:
    """Masked, folded tokens: stemmed English words, numbers, Chinese character pairs.

    Placeholders (<NAME>, <HOST>) are dropped: they stand for what differs between pastes.
    *masked*: the text is a paste already masked and simplified by :mod:`engine.normalise`.
    At most :data:`engine.normalise.CUT_CHARS` characters are read: pastes arrive cut to that
    already, and no message is as long.
    """
    text = text[:CUT_CHARS]
    if not masked:
        text = masked_text(to_simplified(text))
    out: list[str] = []
    for word in _TOKEN.findall(text.casefold()):
        if word.startswith("<"):
            continue
        if "\u3400" <= word[0] <= "\u9fff":
            out.extend(word[i : i + 2] for i in range(max(1, len(word) - 1)))
            continue
        out.extend(_word_tokens(word))
    return out


def title_words(title: str) -> frozenset[str]:
    """A title's tokens as :func:`tokens` cuts them, other than the words every message has."""
    return frozenset(tokens(title)) - _STOP


# A message with this many different content words (or more) is as specific as they come.
SPECIFIC_TOKENS = 12


# A paste of more lines than this looks messages up by the words of its error lines only.
SEED_LINES = 12


def paste_tokens(masked: str) -> tuple[list[str], set[str] | None]:
    """A masked paste's tokens, and the seeds candidate messages are looked up by: for a long
    paste, the tokens of its error-bearing lines and their neighbours (a message may wrap onto
    a line without an error word); None for a short one (all of it counts). Cut once."""
    lines = masked.split("\n")
    per_line = [tokens(line, masked=True) for line in lines]
    flat = [t for line in per_line for t in line]
    if len(lines) <= SEED_LINES:
        return flat, None
    keep = {j for i, line in enumerate(lines) if is_error_line(line) for j in (i - 1, i, i + 1)}
    return flat, {t for i in keep if 0 <= i < len(lines) for t in per_line[i]}


@dataclass(frozen=True)
class TemplateMatch:
    key: str
    quality: float
    size: float  # how much the message says: its content words / SPECIFIC_TOKENS, at most 1
    # the message's words the paste does not have, between words it has ("has an Unknown
    # processor" where the paste says "has an Intel processor"): what the paste says otherwise
    skipped: frozenset[str] = frozenset()


@dataclass
class _Template:
    key: str
    tokens: list[str]
    weights: dict[str, float]
    total: float
    share: float = 1.0  # of its message's token weight (a sentence of a longer message: less)
    filed: int = 0  # under how many words it is filed
    named: frozenset[str] = frozenset()  # its words capitalised mid-sentence: names and values

    @property
    def replaceable(self) -> bool:
        """It has words a paste can say otherwise (:func:`_replaced`): names, or Chinese."""
        return bool(self.named) or any(_is_han(t) for t in self.tokens)

    def weight_of(self, present) -> float:
        """The weight of its words found among *present* (a set-like of paste tokens).

        fsum: exact whatever the order, and a set's order changes with the hash seed (a plain
        sum made two processes answer 0.7578 and 0.7569 for the same paste)."""
        return math.fsum(map(self.weights.__getitem__, self.weights.keys() & present))


# A message of several sentences is also found by one of them ("... The cluster resource could
# not be found."), when that sentence says enough on its own; such a match counts for less.
MIN_SENTENCE_TOKENS = 5
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+(?=\S)|(?<=[。！？])")


# A word capitalised after a word or a comma ("has an Unknown processor", "The Local Security
# Authority"): a name or a value the message was filled in with, not its wording.
_NAMED = re.compile(r"(?<=[\w,;)] )[A-Z][a-z]+\b")


def _named(text: str) -> frozenset[str]:
    return frozenset(t for word in _NAMED.findall(text) for t in tokens(word)) - _STOP


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
        named: dict[str, frozenset[str]] = {}
        for key, text in messages:
            whole = tokens(text)
            if not whole:
                continue
            named[key] = _named(text)
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
        files: dict[str, list[int]] = defaultdict(list)
        for key, toks, share in parsed:
            weights = {
                t: (0.3 if t in _STOP else 1.0)
                * (math.log(1 + n / max(1, df[t])) if rarity else 1.0)
                for t in set(toks)
            }
            index = len(self._templates)
            self._templates.append(
                _Template(key, toks, weights, math.fsum(weights.values()), share, 0, named[key])
            )
            # filed under its rarest words, but never under one most messages have ("failed")
            # when a rarer one can find it: a paste then scores few candidates, at any size
            common = max(COMMON_FILE_SIZE, n * COMMON_FILE_SHARE)
            ranked = sorted((t for t in weights if t not in _STOP), key=lambda t: (df[t], t))
            rare = [t for t in ranked if df[t] <= common]
            filed = (rare or ranked or sorted(weights))[:KEY_TOKENS]
            for token in filed:
                files[token].append(index)
            self._templates[index].filed = len(filed)
        self._files: dict[str, np.ndarray] = {
            token: np.array(indexes, dtype=np.int32) for token, indexes in files.items()
        }
        self._by_key: dict[str, list[int]] = defaultdict(list)
        for index, template in enumerate(self._templates):
            self._by_key[template.key].append(index)
        self._needed = np.array([min(2, t.filed) for t in self._templates], dtype=np.int64)

    def __len__(self) -> int:
        return len(self._templates)

    def match(self, text: str) -> list[TemplateMatch]:
        """The messages found in the paste *text*, each with its best quality."""
        return self.match_tokens(tokens(text))

    def match_tokens(self, paste: list[str], seeds: set[str] | None = None) -> list[TemplateMatch]:
        """The same, for a paste already cut by :func:`tokens` (vetting cuts its corpus once).

        *seeds*: the tokens candidate messages are looked up by (default: all of the paste's);
        :func:`seed_tokens` gives those of its error lines, so log chatter finds nothing.
        """
        best: dict[str, float] = {}
        sizes: dict[str, float] = {}
        skipped: dict[str, frozenset[str]] = {}
        positions: dict[str, list[int]] = defaultdict(list)
        for i, token in enumerate(paste):
            positions[token].append(i)
        lookup = positions.keys() if seeds is None else seeds & positions.keys()
        # how many of each message's filing words the paste has (counted in C, by numpy)
        files = [self._files[t] for t in lookup if t in self._files]
        if not files:
            return []
        filed_hits = np.bincount(np.concatenate(files), minlength=len(self._templates))
        # a message whose rarest words are not here cannot be this message: it needs two of
        # them (all of them when it is filed under fewer)
        found = np.flatnonzero(filed_hits >= self._needed)
        if len(found) > MAX_BOUNDED:
            # on a KB of look-alike messages a long paste holds two filing words of hundreds:
            # those holding most of theirs first, MAX_BOUNDED of them get a bound
            order = np.lexsort((found, -filed_hits[found]))
            found = found[order[:MAX_BOUNDED]]
        present = positions.keys()
        bounded: list[tuple[float, int]] = []
        for index in found.tolist():
            template = self._templates[index]
            # an upper bound first (set operations in C): the paste's share of its weight
            bound = template.weight_of(present) / template.total
            if bound >= MIN_QUALITY:
                bounded.append((bound, index))
        # the messages that could match best, at most MAX_SCORED of them, are scored exactly
        scored = heapq.nlargest(MAX_SCORED, bounded)
        for _, index in scored:
            template = self._templates[index]
            quality, missing = _quality(template, paste, positions)
            if quality >= REPLACED_QUALITY and missing:
                # a sentence of it is here with a value changed, whichever sentence matched best
                skipped[template.key] = skipped.get(template.key, frozenset()) | missing
            if template.share < 1.0:
                quality *= 0.6 + 0.4 * template.share
            if quality >= MIN_QUALITY and quality > best.get(template.key, 0.0):
                best[template.key] = quality
                content = sum(1 for t in template.weights if t not in _STOP)
                sizes[template.key] = min(1.0, content / SPECIFIC_TOKENS)
        if not best:
            return []
        # a paste holds a few messages: the best ones, and the near misses close behind them
        top = max(best.values())
        kept = heapq.nlargest(MAX_MATCHES, ((q, k) for k, q in best.items() if q >= top - NEAR))
        # a message found by one sentence may hold its value in another, whose own rarest words
        # the paste lacks (the value among them): those sentences are looked at too
        done = {index for _, index in scored}
        for _, key in kept:
            for index in self._by_key[key]:
                template = self._templates[index]
                if index not in done and template.replaceable:
                    quality, missing = _quality(template, paste, positions)
                    if quality >= REPLACED_QUALITY and missing:
                        skipped[key] = skipped.get(key, frozenset()) | missing
        return [
            TemplateMatch(k, round(q, 3), round(sizes[k], 3), skipped.get(k, frozenset()))
            for q, k in sorted(kept, key=lambda x: x[1])
        ]


def _quality(
    template: _Template, paste: list[str], positions: dict[str, list[int]]
) -> tuple[float, frozenset[str]]:
    """Share of the template's token weight in the best window of the paste, order-scaled; and
    the template's words missing from that window between the first and last it holds."""
    hits = sorted((p, t) for t in template.weights.keys() & positions.keys() for p in positions[t])
    if not hits:
        return 0.0, frozenset()
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
    inside = paste[best_start : best_start + span]
    window = [t for t in inside if t in template.weights]
    order = Indel.normalized_similarity(template.tokens, window)
    # words inside the matched stretch that the message does not have ("start the selected"
    # where it says "export"): a different message, not another wording of this one
    last = max((i for i, t in enumerate(inside) if t in template.weights), default=-1)
    mean = template.total / max(1, len(template.weights))
    extra = sum(0.3 if t in _STOP else 1.0 for t in inside[: last + 1] if t not in template.weights)
    quality = best_cover / (template.total + EXTRA_WEIGHT * mean * extra) * (0.8 + 0.2 * order)
    return quality, _replaced(template, inside[: last + 1])


def _replaced(template: _Template, stretch: list[str]) -> frozenset[str]:
    """The message's named words ("has an Unknown processor") that the paste's stretch says
    otherwise, word for word, between words it shares ("has an Intel processor")."""
    out = set()
    for op in Levenshtein.opcodes(template.tokens, stretch):
        if op.tag == "replace" and op.src_end - op.src_start == op.dest_end - op.dest_start == 1:
            word, instead = template.tokens[op.src_start], stretch[op.dest_start]
            if word in stretch:
                continue
            # Chinese has no capitals: a word filled in by a Latin name or value ("处理器为
            # 未知" where the paste says "处理器为 Intel") is its message's value too
            if word in template.named or (
                _is_han(word) and instead.isalpha() and instead.isascii()
            ):
                out.add(word)
    return frozenset(out)


def _is_han(token: str) -> bool:
    return "\u3400" <= token[0] <= "\u9fff"
