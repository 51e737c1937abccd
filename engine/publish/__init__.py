"""KB versions: what a server answers from, built once per version into its own folder.

    kb/ --Gate.scan--> served entries + version id --build--> versions/<vid>-<code>/
                                                                index/, snapshot.pickle

- :mod:`.gate`: which entries a version serves (``kb lint`` clean and ``status: published``;
  a file that fails keeps its last good version), and the version id naming that set;
- :mod:`.store`: the index folder as the home of versions, pointers (``CURRENT``, ``NEXT``),
  the leader's lock and the worker processes' reports;
- :mod:`.snapshot`: a version's loaded state (entries, glossary, compiled rule book) in one
  file that loads in a second where compiling takes several;
- this module: building a version and loading one.

Versions are content-addressed: equal folders make equal ids on every node, and a version
built once is loaded by every process (and every later start) that needs it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..entry import Entry
from ..glossary import Glossary
from ..rules import RuleBook
from ..search import SearchIndex, build_index_folder
from ..search import index as index_store
from . import snapshot
from .gate import FolderState, Gate, Scan
from .store import CURRENT, NEXT, VersionStore

__all__ = [
    "CURRENT",
    "NEXT",
    "Built",
    "FolderState",
    "Gate",
    "Scan",
    "VersionStore",
    "build_version",
    "folder_name",
    "load_version",
]

SNAPSHOT = "snapshot.pickle"
INDEX = "index"


def folder_name(vid: str) -> str:
    """A version's folder: its id and the engine code that built it (an upgrade rebuilds)."""
    return f"{vid}-{snapshot.code_fingerprint()}"


@dataclass(frozen=True)
class Built:
    """A KB version in memory: what its snapshot holds, and where its folder is."""

    vid: str
    name: str
    folder: Path
    entries: dict[str, Entry]  # served, by id
    by_path: dict[str, Entry]  # served, by path relative to the KB folder
    glossary: Glossary
    rules: RuleBook
    glossary_sha: str | None
    built_at: float

    def open_search(self) -> SearchIndex:
        """This version's index, opened for the calling process (file handles are per process)."""
        return SearchIndex.at(self.folder / INDEX, self.glossary)


def build_version(
    store: VersionStore,
    scan: Scan,
    base: Built | None = None,
    progress=None,
    rebuild: bool = False,
) -> Built:
    """The version *scan* serves: loaded when its folder exists, else built into a new one.

    The index is a copy of *base*'s (hard links) with the changed entries updated when the
    glossary is the same, else built whole. Builds take turns across processes (a lock).
    """
    vid = scan.state.vid
    name = folder_name(vid)
    glossary_sha = scan.state.glossary.served_sha if scan.state.glossary else None
    with store.building():
        if store.has(name) and not rebuild:
            found = load_version(store, name)
            if found is not None:
                return found
        staging = store.staging(name)
        entries = scan.entries
        same_glossary = base is not None and base.glossary_sha == glossary_sha
        if base is not None and same_glossary and not rebuild and (base.folder / INDEX).is_dir():
            index_store.clone_folder(base.folder / INDEX, staging / INDEX)
            changed = [e for i, e in entries.items() if base.entries.get(i) != e]
            removed = [i for i in base.entries if i not in entries]
            search = SearchIndex.at(staging / INDEX, scan.glossary)
            try:
                search.update(changed, removed, vid)
            finally:
                search.close()
        else:
            build_index_folder(
                list(entries.values()), staging / INDEX, vid, scan.glossary, progress
            )
        rules = RuleBook(entries.values(), scan.glossary)
        built_at = time.time()
        snapshot.dump(
            {
                "vid": vid,
                "entries": entries,
                "by_path": scan.by_path,
                "glossary": scan.glossary,
                "rules": rules,
                "glossary_sha": glossary_sha,
                "built_at": built_at,
            },
            staging / SNAPSHOT,
        )
        about = {
            "vid": vid,
            "entries": len(entries),
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(built_at)),
            "code": snapshot.code_fingerprint(),
        }
        folder = store.commit(staging, name, about)
        return Built(
            vid, name, folder, entries, scan.by_path, scan.glossary, rules, glossary_sha, built_at
        )


def load_version(store: VersionStore, name: str) -> Built | None:
    """A built version, from its snapshot (None when it is missing or unreadable)."""
    folder = store.folder(name)
    try:
        data = snapshot.load(folder / SNAPSHOT)
        return Built(
            data["vid"],
            name,
            folder,
            data["entries"],
            data["by_path"],
            data["glossary"],
            data["rules"],
            data["glossary_sha"],
            data["built_at"],
        )
    except Exception:  # noqa: BLE001 - missing, partial, from another code: rebuilt instead
        return None
