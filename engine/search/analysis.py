"""One analyzer for English and Chinese in the same field.

Chinese has no spaces, so runs of CJK characters are segmented with jieba (search mode, which
also emits the shorter words inside a long one: 故障转移群集 -> 故障, 转移, 群集, 故障转移群集).
Latin words are lower-cased, stop words dropped and English stemmed (Porter), so "failed",
"failing" and "failure" meet. Compounds keep their whole form and their parts
(``hyper-v`` -> ``hyper-v``, ``hyper``; ``netft.sys`` -> ``netft.sys``, ``netft``, ``sys``).
Placeholders left by masking (``<GUID>``) are not terms. Traditional Chinese text is segmented
as Simplified (:mod:`engine.hanzi`), so an entry or paste in either script meets the other.

jieba's dictionary is read on the first Chinese text only, as a memory-mapped trie
(:mod:`.jiebadict`: 0.1 ms, where jieba's own cache took 0.5-2 s): see :class:`Segmenter`,
whose glossary terms are used inside :func:`segmenting_with`.

>>> [t.text for t in bilingual_analyzer()("Cluster network name failed to register 群集网络名称资源")]
['cluster', 'network', 'name', 'fail', 'regist', '群集', '网络', '名称', '资源']
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from whoosh.analysis import Analyzer, Token
from whoosh.lang.porter import stem

from ..hanzi import HAN_CHAR, from_traditional, is_traditional
from . import jiebadict

ANALYZER_VERSION = 5  # 5: Traditional Chinese read as Simplified

_RUNS = re.compile(
    r"(?P<cjk>[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)"
    r"|(?P<ph><[A-Z]{2,6}>)"
    r"|(?P<word>[A-Za-z0-9_]+(?:[.\-'][A-Za-z0-9_]+)*)"
)
_SPLIT_COMPOUND = re.compile(r"[.\-']")

ENGLISH_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "following",
        "reason",
        "one",
        "also",
        "may",
        "might",
        "must",
        "shall",
        "s",
        "t",
        "d",
        "ll",
        "re",
        "ve",
        "m",
        "o",
        "y",
    ]
)
CHINESE_STOP = frozenset(
    [
        "的",
        "了",
        "是",
        "在",
        "和",
        "与",
        "或",
        "及",
        "将",
        "为",
        "对",
        "以",
        "于",
        "就",
        "也",
        "都",
        "而",
        "被",
        "把",
        "让",
        "从",
        "到",
        "由",
        "这",
        "那",
        "此",
        "其",
        "之",
        "个",
        "中",
        "上",
        "下",
        "等",
        "如",
        "若",
        "则",
        "但",
        "并",
        "且",
        "所",
        "因",
        "着",
        "过",
        "还",
        "又",
        "再",
        "很",
        "更",
        "最",
        "已",
        "已经",
        "可以",
        "可能",
        "如下",
        "以下",
        "下列",
        "一个",
        "一些",
        "这个",
        "那个",
        "我们",
        "你",
        "我",
        "他",
        "它",
        "们",
        "吗",
        "呢",
        "吧",
        "啊",
        "请",
        "时",
        "后",
        "前",
        "所致",
        "进行",
        "使用",
        "如果",
        "没有",
    ]
)
STOP_WORDS = ENGLISH_STOP | CHINESE_STOP


class Segmenter:
    """jieba with a glossary's Chinese terms, its dictionary loaded on the first Chinese text.

    Each glossary gets its own jieba ``Tokenizer`` (jieba's module-level one would keep the
    terms of every KB ever loaded in the process, and make a search depend on what was loaded
    before it). Its dictionary is jieba's, mapped from a trie (:mod:`.jiebadict`); teaching it
    a glossary's words (~0.1 s for a thousand) waits for the first Chinese text, and a server
    calls :meth:`warm_up` at start-up.
    """

    def __init__(self, words: Iterable[str] = ()):
        self.words = tuple(sorted({w for w in words if HAN_CHAR.search(w) and " " not in w}))
        self._lock = threading.Lock()
        self._tokenizer = None
        self._learnt: dict[str, tuple[str, ...]] = {}  # cuts the search index kept (see learn)
        self.cut = lru_cache(maxsize=65536)(self._cut)

    def cuts(self, texts: Iterable[str]) -> dict[str, list[str]]:
        """How this segmenter cuts every Chinese run of *texts* (for the index to keep)."""
        runs = {m.group(0) for text in texts for m in _RUNS.finditer(text) if m.lastgroup == "cjk"}
        return {run: list(self.cut(run)) for run in sorted(runs) if len(run) > 1}

    def learn(self, cuts: dict[str, list[str]]) -> None:
        """Take cuts this segmenter made before (kept by the index, :meth:`cuts`): a paste
        whose Chinese is only those runs (the glossary's translations of its English words,
        Event Viewer labels) is analysed without loading the dictionary."""
        self._learnt.update((run, tuple(words)) for run, words in cuts.items())

    def warm_up(self) -> None:
        """Load the dictionary now (servers: before the first request, not during it)."""
        self._jieba()

    def _jieba(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    tokenizer = jiebadict.tokenizer()  # its dictionary mapped, not loaded
                    jiebadict.add_words(tokenizer, self.words)
                    self._tokenizer = tokenizer
        return self._tokenizer

    def _cut(self, run: str) -> tuple[str, ...]:
        if run in self._learnt:
            return self._learnt[run]
        return tuple(w for w in self._jieba().cut_for_search(run) if w.strip())


@lru_cache(maxsize=8)
def segmenter(words: frozenset[str] = frozenset()) -> Segmenter:
    """The segmenter for a set of extra words (shared by every KB with the same glossary)."""
    return Segmenter(words)


# The segmenter the analyzer uses in this context (thread, request); plain jieba outside one.
_ACTIVE: ContextVar[Segmenter | None] = ContextVar("segmenter", default=None)


@contextmanager
def segmenting_with(active: Segmenter) -> Iterator[None]:
    """Analyse text with *active* inside the block (indexing and searching one KB)."""
    token = _ACTIVE.set(active)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def _cut(run: str) -> tuple[str, ...]:
    return (_ACTIVE.get() or segmenter()).cut(run)


def cut_words(run: str) -> tuple[str, ...]:
    """The words of a run of Chinese characters, as the analyzer cuts them (search mode)."""
    return _cut(from_traditional(run) if is_traditional(run) else run)


class BilingualAnalyzer(Analyzer):
    """Tokenize, lower-case, drop stop words and stem in one pass.

    The same steps as a Whoosh ``Tokenizer | LowercaseFilter | StopFilter | StemFilter``
    chain, in one generator: indexing spends most of its time here, and the chain of four
    generators per token cost twice as much (measured on the 10,000-entry synthetic KB).
    """

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        traditional = is_traditional(value)  # decided for the whole text, not per run
        for match in _RUNS.finditer(value):
            kind = match.lastgroup
            if kind == "ph":
                continue
            for word in _run_words(kind, match.group(0), traditional):
                if word in STOP_WORDS:
                    if removestops:
                        continue
                    token.stopped = True
                else:
                    token.stopped = False
                token.text = word
                token.boost = 1.0
                if keeporiginal:
                    token.original = word
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar = start_char + match.start()
                    token.endchar = start_char + match.end()
                yield token


def _run_words(kind: str, text: str, traditional: bool) -> tuple[str, ...]:
    """The words of one run of :data:`_RUNS` (not a placeholder), stop words included."""
    if kind == "cjk":
        if traditional:
            text = from_traditional(text)
        return _cut(text) if len(text) > 1 else (text,)
    if text.isdigit() and len(text) > 6:
        return ()  # long numbers are IDs and counters, not words
    return _latin(text.lower())


@lru_cache(maxsize=200_000)
def _latin(word: str) -> tuple[str, ...]:
    """A lower-cased Latin word as terms: stemmed, and a compound's parts after it."""
    if _SPLIT_COMPOUND.search(word):
        parts = [p for p in _SPLIT_COMPOUND.split(word) if len(p) > 1]
        return (word, *(_stem_one(p) for p in parts))
    return (_stem_one(word),)


def stem_word(word: str) -> str:
    """One lower-case English word, stemmed as the index stems it (Porter)."""
    return stem(word)


def _stem_one(word: str) -> str:
    if word.isascii() and word.isalpha() and len(word) > 3:
        return stem(word)
    return word


def bilingual_analyzer() -> BilingualAnalyzer:
    return BilingualAnalyzer()


_PAIR_WORD = re.compile(r"^[a-z][a-z-]*[a-z]$")


def term_pairs(text: str) -> list[str]:
    """Pairs of consecutive English terms of each line (``virtual_adapt``): a two-word term
    ("virtual adapter", "duplicate address") says more than its words apart, in any article,
    without a glossary. Chinese is left to the segmenter and the dictionary.

    >>> term_pairs("Found duplicate physical address on node")
    ['found_duplic', 'duplic_physical', 'physical_address', 'address_node']
    """
    out: list[str] = []
    for line in text.split("\n"):
        out.extend(pairs_of(terms(line)))
    return out


def pairs_of(line_terms: list[str]) -> list[str]:
    """The pairs of consecutive English terms in one line's terms (see :func:`term_pairs`)."""
    words = [t for t in line_terms if _PAIR_WORD.match(t)]
    return [f"{a}_{b}" for a, b in itertools.pairwise(words) if a != b]


def terms(text: str) -> list[str]:
    """The index terms of *text*, in order (what a query built from it can match).

    The analyzer's words without its Token objects: a query analyses every line of a paste,
    and setting a Token's fields per word was half of that (measured).
    """
    traditional = is_traditional(text)  # decided for the whole text, as the analyzer does
    out: list[str] = []
    for match in _RUNS.finditer(text):
        kind = match.lastgroup
        if kind == "ph":
            continue
        for word in _run_words(kind, match.group(0), traditional):
            if word not in STOP_WORDS:
                out.append(word)
    return out
