"""Signature mining: what identifies an article's error, read from its typed blocks once.

    part's blocks --messages--> verbatim messages (event descriptions, dialogs, quoted text ...)
                  --events----> event IDs with their source/provider
                  --codes-----> error codes (0x8007..., E_/ERROR_/STATUS_ names, "error 8409")
                  --glossary--> product names
                  --phrases---> a few rare key phrases of the symptom
                  => Mined, written to the entry's ``signatures``; rules are derived from it
                     in :mod:`.rules`

The engine matches pastes with the same code (:mod:`engine.facts`, :mod:`engine.masking`), so
what mining extracts is exactly what a paste of the same error will be compared on.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from engine.entry import EventSignature, Signatures
from engine.facts import find_codes, find_events
from engine.glossary import Glossary

from ..blocks import Block
from .logtext import event_fields, is_event_block
from .messages import MAX_MESSAGES, mine_messages
from .phrases import feed_tokens, key_phrases

__all__ = ["FeedStats", "Mined", "count_phrases", "mine"]

_TAG = re.compile(r"<[^<>]*>")  # not across "<": "<<<<..." must not rescan to the end


@dataclass(frozen=True)
class FeedStats:
    """How many of the feed's articles hold each phrase candidate: what makes one rare."""

    size: int = 0
    df: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, articles: Iterable) -> FeedStats:
        """Counted over the articles' titles and text (tags stripped, no full parse)."""
        articles = list(articles)
        return cls.merged(len(articles), [count_phrases(articles)])

    @classmethod
    def merged(cls, size: int, counts: Iterable[Counter]) -> FeedStats:
        """The statistics of a feed of *size* articles from the :func:`count_phrases` of its
        parts (the worker pool counts each its own articles).

        Only the candidates held by more than one article are kept: a rare one is looked up
        as 1, the count it has (:func:`.phrases.key_phrases`), and the rare ones are most of
        them (a feed's numbers, names and versions), which every worker is sent.
        """
        df: Counter = Counter()
        for count in counts:
            df.update(count)
        return cls(size, {phrase: n for phrase, n in df.items() if n > 1})


def count_phrases(articles: Iterable) -> Counter:
    """For each phrase candidate, how many of *articles* hold it (:class:`FeedStats`)."""
    df: Counter = Counter()
    for article in articles:
        df.update(feed_tokens(f"{article.title}\n{_TAG.sub(' ', article.html)}"))
    return df


@dataclass(frozen=True)
class Mined:
    """What identifies one entry's error."""

    messages: tuple[str, ...] = ()
    events: tuple[EventSignature, ...] = ()
    codes: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()

    def signatures(self) -> Signatures:
        return Signatures(
            messages=self.messages, events=self.events, codes=self.codes, phrases=self.phrases
        )


def _block_lines(block: Block) -> list[str]:
    return block.text.split("\n")


def mine_events(blocks: list[Block], text: str) -> tuple[EventSignature, ...]:
    """Events from copied event blocks (exact source), then from the prose ("event ID 1289 is
    logged"), each ID once; a prose mention takes the source an event block gave it."""
    found: dict[int, EventSignature] = {}
    for block in blocks:
        lines = _block_lines(block)
        if block.kind in ("code", "quote", "para") and is_event_block(lines):
            fields = event_fields(lines)
            if fields.event_id is not None and fields.event_id not in found:
                found[fields.event_id] = EventSignature(fields.event_id, fields.source)
    for fact in find_events(text):
        if fact.id not in found:
            found[fact.id] = EventSignature(fact.id, fact.source)
    return tuple(found.values())


def mine(
    title: str,
    symptom: list[Block],
    fact_text: str,
    event_text: str,
    glossary: Glossary,
    feed: FeedStats | None = None,
    messages: tuple[str, ...] | None = None,
) -> Mined:
    """The signatures of one part.

    *symptom* holds the blocks messages and key phrases are read from; *fact_text* (the
    part's text) the codes and products; *event_text* the events (the whole article for a
    single-error article: its events are often named in the introduction or under "More
    information"); *feed* says which phrase candidates are rare in the feed; *messages* are
    the symptom's messages when the caller has found them already.
    """
    feed = feed or FeedStats()
    if messages is None:
        messages = tuple(m.text for m in mine_messages(symptom, MAX_MESSAGES))
    symptom_text = "\n".join([title, *(b.text for b in symptom)])
    return Mined(
        messages=messages,
        events=mine_events(symptom, event_text),
        codes=tuple(find_codes(fact_text)),
        products=tuple(glossary.products_in(fact_text)),
        phrases=tuple(key_phrases(symptom_text, feed.df, feed.size, messages)),
    )
