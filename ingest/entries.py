"""Draft + article -> :class:`engine.entry.Entry`, and the generated-file fingerprint.

Every file the ingester writes carries ``ingest.generated_hash``: the SHA-256 of the file's
text without that one line. A file whose text no longer matches its hash was edited by
someone, and the ingester leaves it alone (see :mod:`ingest.writer`).

Facts come from :mod:`engine.facts` and products from the KB's glossary, so the ingester and
the engine agree on what an event, a code or a product is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from engine.entry import Entry, Signatures
from engine.facts import detect_language
from engine.glossary import Glossary
from engine.kb import render_entry

from .feed import Article
from .html import defang
from .mining import FeedStats, Mined, mine
from .mining.rules import Vetted, vetted
from .split import Draft

HASH_KEY = "generated_hash"
_HASH_LINE = re.compile(r"^[ \t]*generated_hash:.*\n", re.MULTILINE)
_HASH_VALUE = re.compile(
    r"^[ \t]*generated_hash:[ \t]*['\"]?(sha256:[0-9a-f]{64})['\"]?[ \t]*$", re.MULTILINE
)
_PLACEHOLDER = "sha256:" + "0" * 64


def text_hash(text: str) -> str:
    """``sha256:<hex>`` of *text* with its ``generated_hash`` line removed."""
    body = _HASH_LINE.sub("", text, count=1)
    return "sha256:" + hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


def is_edited(text: str) -> bool:
    """True unless *text* is exactly what the ingester wrote (its hash still matches)."""
    match = _HASH_VALUE.search(text)
    return match is None or match.group(1) != text_hash(text)


def render_generated(entry: Entry) -> str:
    """The file text for an ingested entry, with its ``generated_hash`` filled in."""
    provenance = dict(entry.ingest or {})
    provenance[HASH_KEY] = _PLACEHOLDER
    text = render_entry(replace(entry, ingest=provenance))
    digest = text_hash(text)
    line = _HASH_LINE.search(text)
    assert line is not None and _PLACEHOLDER in line.group(0)
    return text[: line.start()] + line.group(0).replace(_PLACEHOLDER, digest) + text[line.end() :]


def mine_draft(draft: Draft, glossary: Glossary, feed: FeedStats | None = None) -> Mined:
    """The signatures of one draft, before vetting (:mod:`ingest.mining`)."""
    return mine(
        draft.title,
        list(draft.symptom),
        draft.fact_text,
        draft.event_text,
        glossary,
        feed,
        draft.messages,
    )


def build_entry(
    draft: Draft,
    article: Article,
    feed_source: str,
    entry_id: str,
    glossary: Glossary,
    feed: FeedStats | None = None,
    checked: Vetted | None = None,
) -> tuple[Entry, list[str]]:
    """The entry for one draft of one article (provenance without the hash), and what mining
    dropped from it (over-broad signatures and rules), one line each.

    *checked* is the draft's vetted signatures when the caller vetted a batch at once.
    """
    if checked is None:
        checked = vetted(mine_draft(draft, glossary, feed), glossary, entry_id)
    mined = checked.mined
    signatures = Signatures(
        messages=tuple(dict.fromkeys(defang(m) for m in mined.messages if m.strip())),
        events=mined.events,
        codes=mined.codes,
        phrases=tuple(defang(p) for p in mined.phrases),
    )
    return Entry(
        id=entry_id,
        title=defang(draft.title),
        kind=draft.kind,
        language=detect_language(draft.fact_text),
        source=article.link,
        products=mined.products,
        tags=tuple(dict.fromkeys(defang(t) for t in article.tags)),
        signatures=signatures,
        generated_rules=tuple(checked.rules),
        owner="ingest",
        ingest={
            "feed": feed_source,
            "guid": article.guid,
            "part": draft.part,
            "content_hash": article.content_hash,
            # what was lost from the article's text: a writer reviewing the entry must know
            **({"problems": list(article.damage)} if article.damage else {}),
        },
        sections=tuple((name, defang(text)) for name, text in draft.sections),
    ), checked.dropped
