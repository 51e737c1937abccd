"""Document frequencies, read from Whoosh once per term and then remembered.

Whoosh answers ``doc_frequency`` by hashing the term and seeking in its term table (about
40 µs); a diagnosis asks for ~2,000 of them (query terms, three fields, the top hits' title
terms), which was a third of its time on a 10,000-entry KB (measured with cProfile). The
counts only change when the index does, and a new :class:`TermStats` comes with every new
searcher.
"""

from __future__ import annotations

import math

from .index import FIELD_BOOSTS


class TermStats:
    def __init__(self, reader):
        self.reader = reader
        self.n_docs = max(1, reader.doc_count())
        self._field_df: dict[tuple[str, str], int] = {}
        self._df: dict[str, int] = {}
        self._idf: dict[str, float] = {}

    def field_df(self, field: str, term: str) -> int:
        key = (field, term)
        found = self._field_df.get(key)
        if found is None:
            if field == "pairs" and "_" not in term:
                # every term of the pairs field is "word_word" (index.term_pairs): a term
                # without "_" is not there, and asking Whoosh was a quarter of its lookups
                return 0
            found = self._field_df[key] = self.reader.doc_frequency(field, term)
        return found

    def df(self, term: str) -> int:
        """Entries holding the term in any field (approximated by the largest field count)."""
        found = self._df.get(term)
        if found is None:
            found = self._df[term] = max(self.field_df(f, term) for f in FIELD_BOOSTS)
        return found

    def idf(self, term: str) -> float:
        """The rarity of a term across the entries (0 for a term no entry holds)."""
        found = self._idf.get(term)
        if found is None:
            df = self.df(term)
            found = math.log(1 + (self.n_docs - df + 0.5) / (df + 0.5)) if df else 0.0
            self._idf[term] = found
        return found
