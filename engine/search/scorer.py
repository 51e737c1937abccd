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
        """The *limit* best documents for the concepts, best first."""
        return self.score_subsets(concepts, limit, ())[0]

    def score_subsets(
        self,
        concepts: list[Concept],
        limit: int,
        subsets: list[list[int]],
        subset_limit: int | None = None,
    ) -> list[list[Scored]]:
        """The best documents for the concepts, then for each subset of them (indexes into
        *concepts*; the first *subset_limit* of each). Each concept's scores are computed once;
        a subset's totals are the whole query's less what the other concepts add, whichever
        costs fewer postings to add up (the odd half is the whole less the even half, all but
        the strongest the whole less the strongest): a subset costs a fraction of a search
        (see SearchIndex.search_resampled)."""
        parts = [self._concept_scores(concept) for concept in concepts]
        everything = range(len(concepts))
        full = self._total(parts, everything)
        ranked = [self._best(full, limit)]
        for subset in subsets:
            chosen = set(subset)
            left_out = [i for i in everything if i not in chosen]
            if sum(len(parts[i][0]) for i in left_out) < sum(len(parts[i][0]) for i in subset):
                total = full - self._total(parts, left_out)
            else:
                total = self._total(parts, subset)
            ranked.append(self._best(total, subset_limit or limit))
        # which concepts each top document matched: each concept's documents looked up once
        # in a row-per-document table of every list's top documents (np.isin sorted every
        # concept's postings: a tenth of a search)
        tops = sorted({docnum for order, _ in ranked for docnum in order})
        row_of = np.full(self.n, -1, dtype=np.int32)
        row_of[tops] = np.arange(len(tops), dtype=np.int32)
        holds = [set(np.unique(row_of[docs]).tolist()) for docs, _ in parts]
        out = []
        for (order, scores), indexes in zip(ranked, [everything, *subsets]):
            rows = row_of[order].tolist() if order else []
            out.append(
                [
                    Scored(docnum, score, tuple(i for i in indexes if row in holds[i]))
                    for docnum, score, row in zip(order, scores, rows)
                ]
            )
        return out

    def _total(self, parts, indexes) -> np.ndarray:
        """Every document's score for the concepts at *indexes* (deleted documents: 0)."""
        total = np.zeros(self.n, dtype=np.float32)
        for index in indexes:
            docs, scores = parts[index]
            total[docs] += scores
        total[~self.live] = 0.0
        return total

    def _concept_scores(self, concept: Concept) -> tuple[np.ndarray, np.ndarray]:
        """(documents, their score) for one concept: its best term and field counting fully,
        the others a tie-break."""
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
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        if len(docs_parts) == 1:
            # One term in one field (every term pair): each document is there once, so its
            # best score and its sum are that score, and the cost does not grow with the KB
            # (at 100,000 entries each full-size array costs more than a rare pair's postings).
            return docs_parts[0], score_parts[0].astype(np.float32)
        docs = np.concatenate(docs_parts)
        scores = np.concatenate(score_parts)
        best = np.zeros(self.n, dtype=np.float32)
        np.maximum.at(best, docs, scores)
        summed = np.bincount(docs, weights=scores, minlength=self.n).astype(np.float32)
        found = np.flatnonzero(best)  # every posting scores above 0: no sort needed
        return found, best[found] + TIE_BREAK * (summed[found] - best[found])

    def _best(self, total: np.ndarray, limit: int) -> tuple[list[int], list[float]]:
        """The *limit* documents of highest total, best first, and their totals. A total the
        subtraction left at a rounding error above zero is no match."""
        candidates = np.flatnonzero(total > 1e-6)
        if candidates.size > limit:
            candidates = candidates[np.argpartition(-total[candidates], limit - 1)[:limit]]
        order = sorted(candidates.tolist(), key=lambda d: (-float(total[d]), d))
        return order, [float(total[d]) for d in order]


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
