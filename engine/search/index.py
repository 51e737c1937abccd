"""The Whoosh index of the knowledge base: built aside, swapped in atomically, kept fresh.

A server keeps one index per KB version, each in that version's own folder
(:func:`build_folder`, :func:`clone_folder` then an update; :mod:`engine.publish` makes
versions current). The older layout below, one root with a pointer, serves ``SearchIndex(root)``
and its tests.

Layout of an index folder::

    .kb-index/
      CURRENT                 <- the name of the version in use (replaced atomically)
      v1732612345-3f2a9c1b/   <- a complete Whoosh index + manifest.json
      v1732612001-77aa01de/   <- the previous version, kept while readers may hold it

A build writes a new version folder, then replaces ``CURRENT``; a crash mid-way leaves the old
version serving. The manifest records the fingerprint of the KB it was built from (content
hashes of every entry file and the glossary, plus the analyzer version), so a stale index is
detected and rebuilt automatically.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ..entry import Entry
from ..errors import SearchIndexError
from ..glossary import Glossary
from ..hanzi import HAN_CHAR
from ..masking import mask
from .analysis import (
    ANALYZER_VERSION,
    Segmenter,
    bilingual_analyzer,
    cut_words,
    segmenter,
    segmenting_with,
    term_pairs,
)
from .analysis import terms as analysis_terms
from .dictionary import glosses_of

# 6: English glosses of Chinese entries; 7: term pairs; 8: no glosses of single Chinese characters
SCHEMA_VERSION = 8
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
# Pairs of consecutive English terms of the title and key text (see analysis.term_pairs).
PAIRS_BOOST = 1.5
# How much each field weighs in BM25F. The title and the key (signatures, symptom, products,
# tags) say what the entry is about; the body (cause, fix, notes) talks about everything.
# Three fields, each text analysed once: indexing cost is mostly analysis (measured).
FIELD_BOOSTS = {"title": 3.0, "key": 2.0, "body": 0.8, "pairs": PAIRS_BOOST}
DEFAULT_INDEX_DIR = ".kb-index"

_IDENTIFIER = re.compile(r"\d|[a-z][A-Z]|[_.\\/@]")


def glossary_words(glossary: Glossary) -> list[str]:
    """Every word of the glossary: its term groups, product names and aliases."""
    words = [w for group in glossary.groups for w in group]
    return words + [a for p in glossary.products for a in (p.name, *p.aliases)]


def glossary_segmenter(glossary: Glossary | None) -> Segmenter:
    """The segmenter that keeps the glossary's Chinese terms and product names whole."""
    return segmenter(frozenset(glossary_words(glossary))) if glossary else segmenter()


def searchable(text: str) -> str:
    """Masked text for the index and the query alike, with prose-like quoted names kept.

    Masking drops quoted object names ('Win08R2Web', 'SQL Network Name (X)'), but a quoted
    name made of plain words ("Remote Volume Management", “群集名称”) is meaning, not noise.
    """
    masked, values = mask(text)
    return with_prose_names(masked, values.get("name", ()))


def with_prose_names(masked: str, names) -> str:
    """*masked* text plus the quoted names made of plain words (see :func:`searchable`)."""
    keep = [v for v in names if not _IDENTIFIER.search(v) and len(v.split()) <= 6]
    return masked + ("\n" + "\n".join(keep) if keep else "")


def make_schema() -> Schema:
    analyzer = bilingual_analyzer()
    fields = {
        name: TEXT(analyzer=analyzer, field_boost=boost, phrase=False)
        for name, boost in FIELD_BOOSTS.items()
        if name != "pairs"
    }
    fields["pairs"] = KEYWORD(scorable=True, field_boost=PAIRS_BOOST)
    return Schema(id=ID(stored=True, unique=True), kind=ID(stored=True), core=STORED, **fields)


def entry_document(entry: Entry) -> dict[str, str]:
    """The fields Whoosh indexes for one entry."""
    sig = entry.signatures
    signatures = "\n".join(
        [*sig.messages, *(f"event {e.id} {e.source or ''}" for e in sig.events), *sig.codes]
    )
    key = "\n".join([signatures, entry.symptom, " ".join(entry.products), " ".join(entry.tags)])
    if HAN_CHAR.search(entry.title) or HAN_CHAR.search(key):
        # English glosses of a Chinese entry's words: English pastes find it (dictionary.py)
        key += "\n" + glosses_of(entry.title + "\n" + key, cut_words)
    doc = {
        "title": entry.title,
        "key": key,
        "body": "\n".join([entry.cause, entry.fix, entry.section("Notes")]),
    }
    doc = {k: searchable(v) for k, v in doc.items() if v.strip()}
    pairs = term_pairs("\n".join([doc.get("title", ""), doc.get("key", "")]))
    if pairs:
        doc["pairs"] = " ".join(pairs)
    doc["core"] = core_segments(entry)
    doc["id"] = entry.id
    doc["kind"] = entry.kind
    return doc


def core_segments(entry: Entry) -> list[list[str]]:
    """What an entry is about, as term lists: its title and each signature message.

    A paste that covers most of one of them is about this entry; one that shares only
    generic words ("cluster", "failed") is not. See :mod:`engine.rank`.
    """
    # Product names say which product, not which error: "VMware vCenter Converter" in a paste
    # about another Converter error must not count as covering this entry's title.
    product_terms = {t for name in entry.products for t in analysis_terms(name)}
    segments = [entry.title, *entry.signatures.messages]
    out = []
    for text in segments:
        seg = sorted(set(analysis_terms(searchable(text))) - product_terms)
        if seg:
            out.append(seg)
    return out


def fingerprint(files: Iterable[Path], root: Path) -> str:
    """What the index was built from: every KB file's path and content, and the analyzer."""
    digest = hashlib.sha256(f"schema={SCHEMA_VERSION};analyzer={ANALYZER_VERSION}".encode())
    for path in sorted(files):
        digest.update(str(Path(path).relative_to(root)).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(hashlib.sha256(Path(path).read_bytes()).digest())
    return digest.hexdigest()


@dataclass
class IndexVersion:
    path: Path
    manifest: dict


def _read_current(root: Path) -> IndexVersion | None:
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return read_folder(root / name)


def read_folder(path: Path) -> IndexVersion | None:
    """The complete index in *path* and its manifest, or None (missing, partial or stale)."""
    path = Path(path)
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    # An index from another schema or analyzer is stale, whatever its fingerprint says.
    if manifest.get("schema") != SCHEMA_VERSION or manifest.get("analyzer") != ANALYZER_VERSION:
        return None
    if not any(path.glob("*.toc")):
        return None
    return IndexVersion(path, manifest)


def current_fingerprint(root: Path) -> str | None:
    version = _read_current(Path(root))
    return version.manifest.get("fingerprint") if version else None


def build(entries: list[Entry], root: Path, kb_fingerprint: str, **options: Any) -> Path:
    """Build a new index version beside the current one (:func:`build_folder`, into a staging
    folder renamed when complete), then make it current. *options* are build_folder's own
    (progress, glossary, searched_words)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    name = f"v{time.time_ns()}-{kb_fingerprint[:8]}"
    staging = root / f".building-{name}"
    try:
        build_folder(entries, staging, kb_fingerprint, **options)
        final = root / name
        os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _point_current(root, name)
    _prune(root, keep={name})
    return final


def build_folder(
    entries: list[Entry],
    folder: Path,
    kb_fingerprint: str,
    progress: Callable[[int, int], None] | None = None,
    glossary: Glossary | None = None,
    searched_words: Iterable[str] = (),
) -> Path:
    """Build a complete index into the empty or new *folder* (a KB version's own folder; the
    caller makes the folder current, see :mod:`engine.publish`).

    Text is segmented with the glossary's terms (the searches of this KB use the same). The
    manifest keeps how the glossary's words and *searched_words* (words every search analyses)
    are cut, so a search whose paste has no other Chinese never loads the dictionary.
    """
    active = glossary_segmenter(glossary)
    with segmenting_with(active):
        words = [*(glossary_words(glossary) if glossary else ()), *searched_words]
        Path(folder).mkdir(parents=True, exist_ok=True)
        _write_index(Path(folder), entries, kb_fingerprint, progress, active.cuts(words))
    return Path(folder)


def clone_folder(base: Path, folder: Path) -> None:
    """A copy of the index in *base* at *folder*, made of hard links where the file system
    allows (segment files are never written again once made; an update adds new ones)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    for child in Path(base).iterdir():
        if child.is_dir() or "LOCK" in child.name.upper() or child.name.startswith("."):
            continue
        target = Path(folder) / child.name
        try:
            os.link(child, target)
        except OSError:
            shutil.copy2(child, target)
    # the manifest is rewritten by an update: it must be a file of its own, not a link
    manifest = Path(folder) / MANIFEST
    text = manifest.read_text(encoding="utf-8")
    manifest.unlink()
    manifest.write_text(text, encoding="utf-8")


def _write_index(folder: Path, entries, kb_fingerprint: str, progress, cuts) -> None:
    ix = whoosh_index.create_in(str(folder), make_schema())
    writer = ix.writer(limitmb=256)
    try:
        for done, entry in enumerate(entries, 1):
            writer.add_document(**entry_document(entry))
            if progress and (done % 200 == 0 or done == len(entries)):
                progress(done, len(entries))
        writer.commit(optimize=False)
    except BaseException:
        writer.cancel()
        raise
    ix.close()
    manifest = {
        "fingerprint": kb_fingerprint,
        "entries": len(entries),
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "schema": SCHEMA_VERSION,
        "analyzer": ANALYZER_VERSION,
        "segments": cuts,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _point_current(root: Path, name: str) -> None:
    previous = _read_current(root)
    tmp = root / f".{CURRENT}.{os.getpid()}.tmp"
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, root / CURRENT)
    if previous:
        (root / "PREVIOUS").write_text(previous.path.name + "\n", encoding="utf-8")


def _prune(root: Path, keep: set[str]) -> None:
    """Remove versions older than the previous one (a running reader may still hold that)."""
    try:
        keep = keep | {(root / "PREVIOUS").read_text(encoding="utf-8").strip()}
    except OSError:
        pass
    for child in root.iterdir():
        if child.is_dir() and child.name.startswith("v") and child.name not in keep:
            shutil.rmtree(child, ignore_errors=True)
        elif child.name.startswith(".building-") and _age(child) > 3600:
            shutil.rmtree(child, ignore_errors=True)  # left behind by a crashed build


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def open_current(root: Path):
    """The current Whoosh index and its manifest, or raise :class:`SearchIndexError`."""
    version = _read_current(Path(root))
    if version is None:
        raise SearchIndexError(f"no search index in {root}: run 'kb index'")
    return open_version(version)


def open_folder(folder: Path):
    """The Whoosh index in a KB version's folder and its manifest, or :class:`SearchIndexError`."""
    version = read_folder(Path(folder))
    if version is None:
        raise SearchIndexError(f"no complete search index in {folder}: run 'kb index'")
    return open_version(version)


def open_version(version: IndexVersion):
    try:
        # Our schema, not the one Whoosh pickled into the folder: unpickling what is on disk
        # would run code named there, and breaks when the analyzer class is renamed.
        return whoosh_index.open_dir(str(version.path), schema=make_schema()), version
    except Exception as exc:  # whoosh raises a zoo of exceptions on damaged folders
        raise SearchIndexError(f"search index in {version.path} cannot be opened: {exc}") from exc


def write_manifest_fingerprint(version: IndexVersion, kb_fingerprint: str) -> None:
    """Record that an in-place update brought the index up to *kb_fingerprint*."""
    version.manifest["fingerprint"] = kb_fingerprint
    tmp = version.path / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(version.manifest, indent=2), encoding="utf-8")
    os.replace(tmp, version.path / MANIFEST)
