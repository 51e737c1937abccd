"""jieba's word frequencies in a memory-mapped trie, so that the first Chinese text of a
process does not wait for the dictionary.

jieba keeps its dictionary as a Python dict of ~500,000 words and word prefixes, read from a
marshal cache: 0.5-2 s and ~60 MB in every process that segments Chinese, which made a
``kb diagnose`` of a Chinese paste take 1.2 s where an English one takes 0.4 s. The same
frequencies in a marisa-trie (``marisa-trie``, a maintained binding of the MARISA library) are
a 2 MB file mapped in 0.1 ms; jieba's tokenizer reads them through :class:`Frequencies`, which
answers exactly what its dict answered (a test compares every cut), and keeps the words a
glossary adds in a small dict of its own.

The trie is built from jieba's own dictionary file the first time (about 1 s), written aside
and renamed into the temp directory (like jieba's cache), and found there by every later
process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

import marisa_trie

TRIE_VERSION = 1  # of the layout below: a new version makes a new file
_lock = threading.Lock()
_loaded: dict[Path, tuple[marisa_trie.RecordTrie, int]] = {}


class Frequencies:
    """jieba's ``FREQ`` mapping over the trie, with the words added to this tokenizer on top."""

    __slots__ = ("_added", "_trie")

    def __init__(self, trie: marisa_trie.RecordTrie):
        self._trie = trie
        self._added: dict[str, int] = {}

    def get(self, word: str, default=None):
        found = self._added.get(word)
        if found is not None:
            return found
        record = self._trie.get(word)
        return record[0][0] if record else default

    def __contains__(self, word: str) -> bool:
        return word in self._added or word in self._trie

    def __getitem__(self, word: str) -> int:
        found = self.get(word)
        if found is None:
            raise KeyError(word)
        return found

    def __setitem__(self, word: str, freq: int) -> None:
        self._added[word] = freq


def import_jieba():
    """jieba, imported without ``pkg_resources``: jieba 0.42 imports it only to open its own
    files (it opens them directly when the import fails), which cost 0.12 s of every first
    Chinese text and a deprecation warning."""
    if "jieba" in sys.modules:
        return sys.modules["jieba"]
    blocked = "pkg_resources" not in sys.modules
    if blocked:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import fails
    try:
        import jieba
    finally:
        if blocked:
            del sys.modules["pkg_resources"]
    jieba.setLogLevel(logging.WARNING)
    return jieba


def tokenizer():
    """A jieba ``Tokenizer`` reading the trie: initialised, ready for ``add_word``."""
    jieba = import_jieba()
    trie, total = _trie(Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME)
    found = jieba.Tokenizer()
    found.FREQ = Frequencies(trie)
    found.total = total
    found.initialized = True
    return found


def add_words(found, words: tuple[str, ...]) -> None:
    """Add a glossary's *words* to the tokenizer *found*, as ``add_word`` would one by one.

    jieba gives a word without a frequency the one its own cut suggests, which cuts the word
    against everything added before it: 0.06-0.08 s of CPU for the built-in glossary's 1,100
    words, in every process that segments Chinese (each ``kb diagnose`` of a Chinese paste).
    The frequencies it chose are kept in the temp directory, per dictionary and word list,
    and later processes add the words with them: the same state (a test compares it), in
    0.025-0.03 s."""
    if not words:
        return
    jieba = import_jieba()
    source = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
    digest = hashlib.sha1("\n".join(words).encode()).hexdigest()[:16]
    base = _cache_path(source)
    cache = base.with_name(f"{base.name}-words-{digest}.json")
    try:
        known = json.loads(cache.read_text(encoding="utf-8"))
        if isinstance(known, list) and [w for w, _ in known] == list(words):
            for word, freq in known:
                found.add_word(word, freq=freq)
            return
    except (OSError, ValueError, TypeError):
        pass
    chosen = []
    for word in words:
        found.add_word(word)
        chosen.append((word, found.FREQ[word]))
    try:
        aside = f"{cache}.{os.getpid()}.tmp"
        Path(aside).write_text(json.dumps(chosen, ensure_ascii=False), encoding="utf-8")
        os.replace(aside, cache)
    except OSError:
        pass  # computed again next time


def _trie(source: Path) -> tuple[marisa_trie.RecordTrie, int]:
    with _lock:
        if source not in _loaded:
            _loaded[source] = _load(source)
        return _loaded[source]


def _cache_path(source: Path) -> Path:
    stat = source.stat()
    key = f"{TRIE_VERSION}:{source}:{stat.st_size}:{stat.st_mtime_ns}".encode()
    name = f"troubleshoot-kb-jieba-{hashlib.sha1(key).hexdigest()[:12]}"
    return Path(tempfile.gettempdir()) / name


def _load(source: Path) -> tuple[marisa_trie.RecordTrie, int]:
    base = _cache_path(source)
    trie_file, total_file = base.with_suffix(".marisa"), base.with_suffix(".json")
    try:
        total = json.loads(total_file.read_text(encoding="utf-8"))["total"]
        trie = marisa_trie.RecordTrie("<I")
        trie.mmap(str(trie_file))
        return trie, total
    except (OSError, ValueError, KeyError):
        pass
    trie, total = _build(source)
    try:  # written aside and renamed: two processes starting together never read half a file
        pid = os.getpid()
        trie.save(f"{trie_file}.{pid}.tmp")
        os.replace(f"{trie_file}.{pid}.tmp", trie_file)
        Path(f"{total_file}.{pid}.tmp").write_text(json.dumps({"total": total}), encoding="utf-8")
        os.replace(f"{total_file}.{pid}.tmp", total_file)
    except OSError:
        pass  # built again next time
    return trie, total


def _build(source: Path) -> tuple[marisa_trie.RecordTrie, int]:
    """The frequencies exactly as jieba computes them (its own ``gen_pfdict``)."""
    with open(source, "rb") as file:
        freq, total = import_jieba().Tokenizer.gen_pfdict(file)
    return marisa_trie.RecordTrie("<I", ((w, (f,)) for w, f in freq.items())), total
