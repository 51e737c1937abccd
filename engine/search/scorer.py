"""BM25 over Whoosh's postings, vectorised with NumPy and within a posting budget.

Whoosh stores the index (analyzed fields, postings, field lengths); this module scores.
Whoosh's own searcher walks its matcher tree in Python (``is_active``/``skip_to``/
``max_quality`` per posting): 200-380 ms for a 14-concept query on the 10,000-entry synthetic
KB. Here each term's postings are decoded once into NumPy arrays (and kept, up to
:data:`CACHE_POSTINGS`), and a query is a handful of array operations (figures in
``docs/engine.md``). Scoring is Whoosh's BM25F as Whoosh applies it: per-field BM25 times the
field boost, the best field and term of each concept counting fully (a DisjunctionMax with a
small tie-break), concepts summed.

The budget: a term in 10% of entries costs as much to read as 100 rare terms, and says less.
Concepts are taken strongest first until their postings exceed :data:`POSTING_BUDGET`,
which keeps latency flat as the KB grows while keeping the terms that discriminate.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .index import FIELD_BOOSTS
from .query import Concept
from .stats import TermStats

K1 = 1.2
B = 0.75
TIE_BREAK = 0.1
POSTING_BUDGET = 25_000
MIN_CONCEPTS = 6
CACHE_POSTINGS = 4_000_000  # decoded postings kept in memory (8 bytes each)


@dataclass(frozen=True)
class Scored:
    docnum: int
    score: float
    concepts: tuple[int, ...]  # indexes into the concept list that this document matched


class Scorer:
    """Reads stored ids and field lengths once per reader, then scores concept lists."""

    def __init__(self, reader, stats: TermStats):
        self.reader = reader
        self.stats = stats
        self.n = n = reader.doc_count_all()
        self.ids: list[str | None] = [None] * n
        for docnum, fields in reader.iter_docs():
            self.ids[docnum] = fields.get("id")
        self.norms: dict[str, np.ndarray] = {}
        for field in FIELD_BOOSTS:
            lengths = np.fromiter(
                (reader.doc_field_length(d, field, 0) for d in range(n)), dtype=np.float32, count=n
            )
            avg = (reader.field_length(field) / max(1, reader.doc_count())) or 1.0
            # BM25's length normalisation, K1 * (1 - B + B * length / avg), per document
            self.norms[field] = (K1 * (1 - B) + K1 * B * lengths / avg).astype(np.float32)
        self.live = np.ones(n, dtype=bool)
        if reader.has_deletions():
            self.live[[d for d in range(n) if reader.is_deleted(d)]] = False
        self._cache: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._lock = threading.Lock()

    def budgeted(self, concepts: list[Concept]) -> list[Concept]:
        """The concepts worth reading, strongest first, within the posting budget."""
        kept: list[Concept] = []
        spent = 0
        for concept in concepts:
            cost = sum(self.stats.field_df(f, t) for t in concept.terms for f in FIELD_BOOSTS)
            if kept and len(kept) >= MIN_CONCEPTS and spent + cost > POSTING_BUDGET:
                continue
            kept.append(concept)
            spent += cost
        return kept

    def _postings(self, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's (document numbers, term frequencies) in one field, decoded once."""
        key = (field, term)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        pairs = list(_postings(self.reader.postings(field, term)))
        docs = np.fromiter((d for d, _ in pairs), dtype=np.int32, count=len(pairs))
        tfs = np.fromiter((w for _, w in pairs), dtype=np.float32, count=len(pairs))
        with self._lock:
            self._cache[key] = (docs, tfs)
            self._cached += len(pairs)
            while self._cached > CACHE_POSTINGS and len(self._cache) > 1:
                _, (old, _) = self._cache.popitem(last=False)
                self._cached -= len(old)
        return docs, tfs

    def score(self, concepts: list[Concept], limit: int) -> list[Scored]:
        total = np.zeros(self.n, dtype=np.float32)
        concept_docs: list[np.ndarray] = []
        for concept in concepts:
            docs_parts, score_parts = [], []
            for term in concept.terms:
                for field, boost in FIELD_BOOSTS.items():
                    if self.stats.field_df(field, term) == 0:
                        continue
                    docs, tfs = self._postings(field, term)
                    weight = concept.weight * boost * (K1 + 1)
                    docs_parts.append(docs)
                    score_parts.append(weight * tfs / (tfs + self.norms[field][docs]))
            if not docs_parts:
                concept_docs.append(np.empty(0, dtype=np.int32))
                continue
            if len(docs_parts) == 1:
                # One term in one field (every term pair): each document is there once, so
                # its best score and its sum are that score. Only those documents change, by
                # the float32 operations below (the others would add 0.0), and the cost does
                # not grow with the KB: at 100,000 entries each full-size array costs more
                # than the postings of a rare pair.
                docs, scores = docs_parts[0], score_parts[0]
                total[docs] += scores + TIE_BREAK * (scores - scores)
                concept_docs.append(docs)
                continue
            docs = np.concatenate(docs_parts)
            scores = np.concatenate(score_parts)
            best = np.zeros(self.n, dtype=np.float32)
            np.maximum.at(best, docs, scores)
            summed = np.bincount(docs, weights=scores, minlength=self.n).astype(np.float32)
            total += best + TIE_BREAK * (summed - best)
            concept_docs.append(docs)
        total[~self.live] = 0.0
        candidates = np.flatnonzero(total > 0)
        if candidates.size > limit:
            candidates = candidates[np.argpartition(-total[candidates], limit - 1)[:limit]]
        order = sorted(candidates.tolist(), key=lambda d: (-float(total[d]), d))
        # which concepts each top document matched: each concept's documents looked up in
        # one row-per-document table (np.isin sorted every concept's postings: a tenth of a
        # search)
        row_of = np.full(self.n, -1, dtype=np.int32)
        row_of[order] = np.arange(len(order), dtype=np.int32)
        matched: list[list[int]] = [[] for _ in order]
        for index, docs in enumerate(concept_docs):
            for row in np.unique(row_of[docs]).tolist():
                if row >= 0:
                    matched[row].append(index)
        return [Scored(d, float(total[d]), tuple(matched[row])) for row, d in enumerate(order)]


def _postings(matcher):
    """(docnum, term frequency) pairs of a term's postings.

    Whoosh 3's leaf matcher decodes postings a block at a time; reading each block's arrays
    whole is 3x faster than four method calls per posting (measured). Any other matcher
    (several segments after live updates, deletions) goes through the public
    one-posting-at-a-time API.
    """
    if all(
        hasattr(matcher, a) for a in ("_read_ids", "_read_weights", "_next_block", "_ids", "_i")
    ):
        while matcher.is_active():
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            start = matcher._i
            yield from zip(matcher._ids[start:], matcher._weights[start:])
            matcher._next_block()
        return
    while matcher.is_active():
        yield matcher.id(), matcher.weight()
        matcher.next()
