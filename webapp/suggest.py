"""Suggestions as you type: entries whose title words, event IDs or error codes start with
what was typed. ``GET /api/v1/suggest?q=...`` -> ``{"suggestions": [{"id", "title", "url"}]}``.

The index is a sorted list of (key, entry) pairs built once per KB version; a word of the query
is a prefix range found by bisection, so a lookup costs a few range scans whatever the KB's
size (``bench/suggest_bench.py``: 10,000 entries). Chinese titles have no spaces: every
position of a run of Chinese characters starts a key, so "群集" finds "故障转移群集...".

>>> from engine.entry import Entry
>>> index = SuggestIndex([Entry(id="dns", title="Event 1196: DNS signature failed"),
...                       Entry(id="vss", title="VSS writer failed")])
>>> [e.id for e in index.suggest("dns sig")], [e.id for e in index.suggest("fail")]
(['dns'], ['dns', 'vss'])
>>> [e.id for e in index.suggest("1196")], index.suggest("")
(['dns'], [])
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left
from collections import Counter

from flask import Blueprint, current_app, jsonify, request

from engine.entry import Entry

from .kbstate import diagnoser

bp = Blueprint("suggest", __name__, url_prefix="/api/v1")

MAX_QUERY_CHARS = 200
MAX_WORDS = 8
LIMIT = 8
_WORD = re.compile(r"0x[0-9a-f]+|[^\W_]+", re.IGNORECASE)
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_CJK_KEY = 6  # characters per key from each position of a Chinese run
# a word so common (in more entries than this) says nothing when other words are given
COMMON = 500


def _keys(text: str) -> set[str]:
    folded = text.casefold()
    keys = {w for w in _WORD.findall(folded) if not _CJK_RUN.fullmatch(w)}
    for run in _CJK_RUN.findall(folded):
        keys.update(run[i : i + _CJK_KEY] for i in range(len(run)))
    return keys


def _query_words(q: str) -> list[str]:
    folded = q[:MAX_QUERY_CHARS].casefold()
    words = [w for w in _WORD.findall(folded) if not _CJK_RUN.fullmatch(w)]
    words += [run[:_CJK_KEY] for run in _CJK_RUN.findall(folded)]
    return [w for w in words if len(w) >= 2 or w.isdigit()][:MAX_WORDS]


class SuggestIndex:
    """Title words, event IDs, error codes and ids of every entry, sorted for prefix search."""

    def __init__(self, entries):
        self.entries: list[Entry] = sorted(entries, key=lambda e: (e.title.casefold(), e.id))
        pairs = set()
        for n, entry in enumerate(self.entries):
            keys = _keys(entry.title) | {entry.id.casefold()}
            keys.update(str(e.id) for e in entry.signatures.events)
            keys.update(c.casefold() for c in entry.signatures.codes)
            pairs.update((key, n) for key in keys)
        ordered = sorted(pairs)
        self._keys = [k for k, _ in ordered]
        self._owners = [n for _, n in ordered]

    def _starting(self, prefix: str) -> set[int]:
        start = bisect_left(self._keys, prefix)
        end = bisect_left(self._keys, prefix + "\U0010ffff", start)
        return set(self._owners[start:end])

    def suggest(self, q: str, limit: int = LIMIT) -> list[Entry]:
        """Entries matching the most words of *q* (each word a prefix), best first."""
        words = _query_words(q)
        if not words:
            return []
        found = [self._starting(w) for w in words]
        specific = [s for s in found if s and len(s) <= COMMON] or [s for s in found if s]
        scores: Counter[int] = Counter()
        for matched in specific:
            scores.update(matched)
        if not scores:
            return []
        best = max(scores.values())
        need = best if len(specific) > 1 else 1
        ranked = sorted((n for n, s in scores.items() if s >= need), key=lambda n: (-scores[n], n))
        return [self.entries[n] for n in ranked[:limit]]


_lock = threading.Lock()


def index_for(d) -> SuggestIndex:
    """The index of the KB version *d* serves (built on first use after a reload)."""
    cache = current_app.extensions.setdefault("kb_suggest", {})
    with _lock:
        found = cache.get(d.vid)
        if found is None:
            cache.clear()
            found = cache[d.vid] = SuggestIndex(d.entries.values())
        return found


@bp.get("/suggest")
def suggest():
    from .views import entry_url

    q = request.args.get("q", "")
    entries = index_for(diagnoser()).suggest(q)
    return jsonify(
        {"suggestions": [{"id": e.id, "title": e.title, "url": entry_url(e.id)} for e in entries]}
    )
