"""Step 4 of the pipeline: full-text search over the entries (the only package importing Whoosh).

Normalised paste --paste_query--> weighted concepts --Whoosh BM25F--> [SearchHit]
"""

from __future__ import annotations

import threading
from pathlib import Path

from ..entry import Entry
from ..glossary import Glossary
from ..model import Normalised, SearchHit
from . import index as index_store
from .analysis import segmenting_with
from .index import DEFAULT_INDEX_DIR, entry_document, glossary_segmenter, with_prose_names
from .query import BOILERPLATE_WORDS, paste_query
from .scorer import Scorer
from .stats import TermStats

__all__ = ["DEFAULT_INDEX_DIR", "SearchIndex", "build_index", "build_index_folder"]

MAX_CORES = 50_000  # entries whose title and message terms a searcher keeps (then starts over)


def resampled(count: int) -> list[list[int]]:
    """The subsets of a query's concepts (indexes, strongest first) a search is repeated with:
    every other concept from the strongest (the 1st, 3rd, 5th ...), the others (2nd, 4th ...),
    and all but the strongest. None for a paste of one concept. (Halves of the paste's text,
    each diagnosed whole, measured alike but cost two more diagnoses a paste.)

    >>> resampled(4)
    [[0, 2], [1, 3], [1, 2, 3]]
    """
    if count < 2:
        return []
    indexes = list(range(count))
    return [indexes[0::2], indexes[1::2], indexes[1:]]


# A resampled search needs only its leader after fusion with the rule hits: its first few.
RESAMPLED_DEPTH = 5


def build_index(
    entries: list[Entry], root: Path, kb_fingerprint: str, glossary: Glossary, progress=None
) -> Path:
    """Build the index of a KB (see :func:`index.build`), keeping the cuts searches reuse."""
    return index_store.build(
        entries,
        root,
        kb_fingerprint,
        progress=progress,
        glossary=glossary,
        searched_words=[BOILERPLATE_WORDS],
    )


def build_index_folder(
    entries: list[Entry], folder: Path, kb_fingerprint: str, glossary: Glossary, progress=None
) -> Path:
    """Build a KB version's index into its own *folder* (see :func:`index.build_folder`)."""
    return index_store.build_folder(
        entries, folder, kb_fingerprint, progress, glossary, [BOILERPLATE_WORDS]
    )


class SearchIndex:
    """An open index with one searcher, safe to share between threads (searches are serialised:
    they are CPU-bound, so a lock costs no throughput under the GIL)."""

    def __init__(self, root: Path, glossary: Glossary, *, folder: Path | None = None):
        self.root = Path(folder or root)
        self.glossary = glossary
        self.segmenter = glossary_segmenter(glossary)
        self._lock = threading.RLock()
        if folder is not None:
            self._ix, self._version = index_store.open_folder(Path(folder))
        else:
            self._ix, self._version = index_store.open_current(self.root)
        self.segmenter.learn(self._version.manifest.get("segments") or {})
        self._searcher = self._ix.searcher()
        self._stats = TermStats(self._searcher.reader())
        self._scorer = Scorer(self._searcher.reader(), self._stats)
        self._group_terms: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._cores: dict[int, tuple[tuple[tuple[str, ...], tuple[float, ...], float], ...]] = {}

    @classmethod
    def at(cls, folder: Path, glossary: Glossary) -> SearchIndex:
        """The index in one KB version's folder."""
        return cls(folder, glossary, folder=folder)

    @property
    def fingerprint(self) -> str | None:
        return self._version.manifest.get("fingerprint")

    @property
    def doc_count(self) -> int:
        with self._lock:
            return self._searcher.doc_count()

    @classmethod
    def ensure(
        cls,
        entries: list[Entry],
        root: Path,
        kb_fingerprint: str,
        glossary: Glossary,
        progress=None,
        rebuild: bool = False,
    ) -> SearchIndex:
        """Open the index, building it first when it is missing, stale or *rebuild* is set."""
        if rebuild or index_store.current_fingerprint(root) != kb_fingerprint:
            build_index(entries, root, kb_fingerprint, glossary, progress)
        return cls(root, glossary)

    def search(self, normalised: Normalised, limit: int = 20) -> list[SearchHit]:
        """The entries the paste's concepts find, best first."""
        return self.search_resampled(normalised, limit, resample=False)[0]

    def search_resampled(
        self, normalised: Normalised, limit: int = 20, resample: bool = True
    ) -> tuple[list[SearchHit], list[list[SearchHit]]]:
        """The hits; the hits of the same search with part of the paste's concepts left out
        (:func:`resampled`, the first :data:`RESAMPLED_DEPTH` of each): does the same entry
        come first when only half of what the paste says is asked? An answer that depends on
        one or two words of a paste changes, one the whole paste points to stays (measured:
        the strongest confidence feature since the article share, docs/mining.md).
        The subsets reuse each concept's scores and each hit's entry coverage, so they cost a
        fraction of the search."""
        with self._lock, segmenting_with(self.segmenter):
            search_text = with_prose_names(
                normalised.masked, normalised.facts.masked.get("name", ())
            )
            query = paste_query(
                search_text,
                normalised.focus,
                self.glossary,
                self._stats,
                normalised.facts.event_ids,
                self._group_terms,
            )
            concepts = query.concepts
            if not concepts:
                return [], []
            total = sum(c.weight for c in concepts)  # unknown words included: see query.py
            kept = self._scorer.budgeted([c for c in concepts if c.terms])
            subsets = resampled(len(kept)) if resample else []
            scored = self._scorer.score_subsets(kept, limit, subsets, RESAMPLED_DEPTH)
            coverage: dict[int, float] = {}
            lists = []
            for n, found in enumerate(scored):
                hits = []
                for item in found[: limit if n == 0 else RESAMPLED_DEPTH]:
                    matched = [kept[i] for i in item.concepts]
                    if item.docnum not in coverage:
                        coverage[item.docnum] = self._entry_coverage(item.docnum, query.terms)
                    hits.append(
                        SearchHit(
                            entry_id=self._scorer.ids[item.docnum],
                            score=item.score,
                            matched_terms=tuple(c.label for c in matched if not c.pair),
                            coverage=sum(c.weight for c in matched) / total,
                            entry_coverage=coverage[item.docnum],
                        )
                    )
                lists.append(hits)
            return lists[0], lists[1:]

    def _entry_coverage(self, docnum: int, paste_terms: frozenset[str]) -> float:
        """The best share (by rarity) of the entry's title or of one of its messages in the paste."""
        best = 0.0
        for segment, weights, total in self._core(docnum):
            found = sum(w for t, w in zip(segment, weights) if t in paste_terms)
            best = max(best, found / total)
        return best

    def _core(self, docnum: int):
        """An entry's title and messages as terms with their rarity, read once per searcher
        (a stored-fields read and an idf per term were a fifth of a search)."""
        found = self._cores.get(docnum)
        if found is None:
            found = []
            for segment in self._searcher.stored_fields(docnum).get("core") or ():
                weights = tuple(self._stats.idf(t) for t in segment)
                if sum(weights):
                    found.append((tuple(segment), weights, sum(weights)))
            found = tuple(found)
            if len(self._cores) >= MAX_CORES:
                self._cores.clear()
            self._cores[docnum] = found
        return found

    def update(self, changed: list[Entry], removed: list[str], kb_fingerprint: str) -> None:
        """Apply a few changed and removed entries in place (live reload), without a rebuild."""
        with self._lock, segmenting_with(self.segmenter):
            # Several server workers may apply the same change: Whoosh's lock serialises them
            # (and a change applied twice is still one document per id).
            writer = self._ix.writer(timeout=30.0)
            try:
                for entry_id in removed:
                    writer.delete_by_term("id", entry_id)
                for entry in changed:
                    writer.update_document(**entry_document(entry))
                writer.commit()
            except BaseException:
                writer.cancel()
                raise
            index_store.write_manifest_fingerprint(self._version, kb_fingerprint)
            # A new searcher, not Searcher.refresh(): refresh reuses the segment readers of
            # unchanged segments, deletions included, so deleted entries kept coming back.
            old, self._searcher = self._searcher, self._ix.searcher()
            old.close()
            self._stats = TermStats(self._searcher.reader())
            self._scorer = Scorer(self._searcher.reader(), self._stats)
            self._cores = {}

    def close(self) -> None:
        with self._lock:
            self._searcher.close()
            self._ix.close()
