"""What a KB version serves: each entry file that passes every check of ``kb lint`` and says
``status: published`` (the default), and for a file that fails, its last good version.

A scan compares the folder with the previous scan (size and time first, then the content
hash), parses what changed (:class:`~engine.kb.cache.ReadCache`), and has ``kb lint`` judge
the changed files, with the rest of the KB as context: a file whose id appeared or vanished
also re-judges the files that mention it (their links or duplicate ids may have changed), and a
glossary change re-judges everything. Verdicts of unchanged files are kept from the previous
scan, so an edit costs the lint of one file, not of the KB.

The served set is named by a version id: a hash of every served path with its content hash,
the glossary's, and whether drafts are served. Equal folders give equal ids on every node.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..entry import Entry
from ..glossary import Glossary, builtin
from ..kb import GLOSSARY_FILE, EntryFile, read_glossary_file, require_folder
from ..kb.cache import ReadCache, ReadFile, content_hash
from ..kb.files import entry_signatures
from ..kb.folder import file_signature
from ..lint.problem import Problem


@dataclass(frozen=True)
class FileVerdict:
    """One entry file at the last scan."""

    signature: tuple[int, int]  # (mtime_ns, size)
    sha: str
    entry_id: str | None
    status: str | None  # None: it does not parse
    problems: tuple[Problem, ...]  # why the current content is refused (lint's words)
    served_sha: str | None  # the content served from this path: this one, a last good one, none

    @property
    def clean(self) -> bool:
        return self.status is not None and not self.problems


@dataclass(frozen=True)
class GlossaryVerdict:
    signature: tuple[int, int] | None
    sha: str | None
    problems: tuple[Problem, ...]
    served_sha: str | None  # the content whose glossary is used: this one or a last good one
    served_text: str | None  # that content (a glossary is small: kept to rebuild it)


@dataclass
class FolderState:
    """A scan's verdict on every file, and the version the served files make."""

    kb_dir: str
    drafts: bool
    files: dict[str, FileVerdict] = field(default_factory=dict)  # by path relative to kb_dir
    glossary: GlossaryVerdict | None = None
    vid: str | None = None
    scanned_at: float = 0.0

    def problems(self) -> list[Problem]:
        found = list(self.glossary.problems) if self.glossary else []
        for verdict in self.files.values():
            found.extend(verdict.problems)
        return sorted(found, key=lambda p: (p.path, p.line, p.col))

    def drafts_found(self) -> list[str]:
        """Files that are clean but drafts (not served unless drafts are)."""
        return sorted(rel for rel, v in self.files.items() if v.clean and v.status == "draft")

    def last_good(self) -> list[str]:
        """Files whose current content is refused while an earlier version serves."""
        return sorted(
            rel for rel, v in self.files.items() if v.served_sha and v.served_sha != v.sha
        )

    def status(self) -> dict:
        """What /kb/_status shows, as JSON-ready data."""
        return {
            "vid": self.vid,
            "scanned_at": self.scanned_at,
            "files": len(self.files),
            "problems": [str(p) for p in self.problems()],
            "drafts": self.drafts_found(),
            "last_good": self.last_good(),
        }


@dataclass(frozen=True)
class Scan:
    """What one scan found: the new state, the served entries and what changed among them."""

    state: FolderState
    entries: dict[str, Entry]  # served, by id
    by_path: dict[str, Entry]  # served, by path relative to kb_dir
    glossary: Glossary
    changed: tuple[str, ...]  # served ids whose entry changed (or appeared)
    removed: tuple[str, ...]  # ids no longer served
    glossary_changed: bool
    seconds: float


def version_id(state: FolderState) -> str:
    digest = hashlib.sha256(b"kb-version-1")
    digest.update(b"drafts" if state.drafts else b"published")
    for rel in sorted(state.files):
        served = state.files[rel].served_sha
        if served:
            digest.update(f"\0{rel}\0{served}".encode("utf-8", "surrogatepass"))
    digest.update(f"\0glossary\0{state.glossary.served_sha if state.glossary else ''}".encode())
    return digest.hexdigest()[:16]


class Gate:
    """Scans one KB folder; holds the served entries between scans (the leader's view)."""

    def __init__(
        self,
        kb_dir: Path | str,
        cache: ReadCache,
        *,
        drafts: bool = False,
        previous: FolderState | None = None,
        served: dict[str, Entry] | None = None,
        glossary: Glossary | None = None,
    ):
        self.kb_dir = require_folder(kb_dir)
        self.cache = cache
        self.drafts = drafts
        usable = (
            previous is not None
            and previous.drafts == drafts
            and previous.kb_dir == str(self.kb_dir.resolve())
        )
        self.state = previous if usable else FolderState(str(self.kb_dir.resolve()), drafts)
        self.by_path: dict[str, Entry] = dict(served or {}) if usable else {}
        self.glossary = glossary if usable and glossary is not None else None
        self._signatures: dict[str, tuple[int, int]] | None = None  # of state.files

    def unchanged(self) -> bool:
        """True when no file's size or time moved since the last scan (a stat per file)."""
        if not self.state.vid:
            return False
        if self._signatures is None:
            self._signatures = {rel: v.signature for rel, v in self.state.files.items()}
        glossary = self.state.glossary
        now = file_signature(self.kb_dir / GLOSSARY_FILE)
        if (glossary.signature if glossary else None) != now:
            return False
        return entry_signatures(self.kb_dir) == self._signatures

    def scan(self) -> Scan | None:
        """Compare the folder with the last scan; a new :class:`Scan` when anything changed."""
        started = time.perf_counter()
        if self.unchanged():  # the common case, once a second: one stat per file, no more
            return None
        old = self.state
        files: dict[str, FileVerdict] = {}
        reads: dict[str, ReadFile] = {}
        parsed: dict[str, EntryFile] = {}
        for rel, signature in sorted(entry_signatures(self.kb_dir).items()):
            before = old.files.get(rel)
            if before is not None and before.signature == signature:
                files[rel] = before
                continue
            path = self.kb_dir / rel
            try:
                data = path.read_bytes()
            except OSError:
                continue  # removed meanwhile: the next scan sees it gone
            if before is not None and before.sha == content_hash(data):
                files[rel] = replace(before, signature=signature)  # touched, not changed
                continue
            read, found = self.cache.read_file(path, data)
            reads[rel] = read
            if found is not None:
                parsed[rel] = found
            files[rel] = FileVerdict(
                signature,
                read.sha,
                read.entry_id,
                read.status,
                (),
                before.served_sha if before else None,
            )
        removed_paths = [rel for rel in old.files if rel not in files]
        glossary_verdict, glossary_changed = self._glossary(old.glossary)
        if not reads and not removed_paths and not glossary_changed and old.vid:
            if files != old.files:
                self.state = replace(old, files=files)  # only times moved
                self._signatures = None
            return None

        targets = self._targets(old, files, reads, removed_paths, glossary_changed)
        verdicts = self._lint(files, targets, reads, parsed)
        for rel in targets:
            verdict = files[rel]
            problems = tuple(verdicts.get(rel, ()))
            clean = verdict.status is not None and not problems
            if clean and (verdict.status == "published" or self.drafts):
                served = verdict.sha
            elif clean:  # a clean draft: deliberately not served, no last good either
                served = None
            else:  # refused: the last good version keeps serving
                served = verdict.served_sha
            files[rel] = replace(verdict, problems=problems, served_sha=served)

        state = FolderState(old.kb_dir, self.drafts, files, glossary_verdict, None, time.time())
        state.vid = version_id(state)
        by_path = self._served_entries(files, reads)
        entries = served_by_id(by_path)
        before_entries = {e.id: e for e in self.by_path.values()}
        changed = tuple(i for i, e in entries.items() if before_entries.get(i) != e)
        removed = tuple(i for i in before_entries if i not in entries)
        self.state, self.by_path = state, by_path
        self._signatures = None
        return Scan(
            state,
            entries,
            by_path,
            self.glossary,
            changed,
            removed,
            glossary_changed,
            time.perf_counter() - started,
        )

    # --- the parts of a scan ---------------------------------------------------------------

    def _glossary(self, before: GlossaryVerdict | None) -> tuple[GlossaryVerdict, bool]:
        path = self.kb_dir / GLOSSARY_FILE
        signature = file_signature(path)
        if before is not None and before.signature == signature and self.glossary is not None:
            return before, False
        from ..lint.glossary_checks import lint_glossary

        data = path.read_bytes() if signature is not None else b""
        sha = content_hash(data) if signature is not None else None
        if before is not None and before.sha == sha and self.glossary is not None:
            return replace(before, signature=signature), False
        read, problems = lint_glossary(path)
        if not problems:
            text = data.decode("utf-8") if sha else None
            verdict = GlossaryVerdict(signature, sha, (), sha, text)
            served_changed = before is None or before.served_sha != sha or self.glossary is None
            self.glossary = read
            return verdict, served_changed
        else:  # refused: the last good glossary stays, or none
            verdict = GlossaryVerdict(
                signature,
                sha,
                tuple(problems),
                before.served_sha if before else None,
                before.served_text if before else None,
            )
        served_changed = self.glossary is None or (
            before is None or before.served_sha != verdict.served_sha
        )
        if served_changed:
            self.glossary = _glossary_from(verdict, path)
        return verdict, served_changed

    def _targets(self, old, files, reads, removed_paths, glossary_changed) -> list[str]:
        """The files lint must judge again: the changed ones, and the ones an id change touches."""
        if glossary_changed or not old.vid:
            return sorted(files)
        targets = set(reads)
        ids_before = {v.entry_id for v in old.files.values() if v.entry_id}
        ids_after = {v.entry_id for v in files.values() if v.entry_id}
        moved = ids_before ^ ids_after
        for rel in removed_paths:
            if old.files[rel].entry_id:
                moved.add(old.files[rel].entry_id)
        if moved:
            for rel in files:
                if rel in targets:
                    continue
                try:
                    text = (self.kb_dir / rel).read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                if any(entry_id in text for entry_id in moved):
                    targets.add(rel)
        return sorted(targets)

    def _lint(self, files, targets: Iterable[str], reads, parsed) -> dict[str, list]:
        """``kb lint`` on *targets*, the other files given as already read."""
        from ..lint import key, lint_kb

        targets = list(targets)
        if not targets:
            return {}
        wanted = set(targets)
        known: dict = {key(self.kb_dir / rel): found for rel, found in parsed.items()}
        for rel, verdict in files.items():
            if rel not in wanted:
                known[key(self.kb_dir / rel)] = (
                    verdict.entry_id,
                    self._current(rel, verdict, reads),
                )
        report = lint_kb(self.kb_dir, [self.kb_dir / rel for rel in targets], known=known)
        by_file: dict[str, list] = {}
        root = self.kb_dir.resolve()
        for problem in report.problems:
            try:
                rel = Path(problem.path).resolve().relative_to(root).as_posix()
            except ValueError:
                continue  # the glossary's: judged on its own
            by_file.setdefault(rel, []).append(problem)
        return by_file

    def _current(self, rel: str, verdict: FileVerdict, reads) -> Entry | None:
        """The entry of a file's current content when it is clean (lint's context), else None."""
        if not verdict.clean:
            return None
        if rel in reads:
            return reads[rel].entry
        if verdict.served_sha == verdict.sha and rel in self.by_path:
            return self.by_path[rel]
        cached = self.cache.get(verdict.sha, self.kb_dir / rel)
        return cached.entry if cached is not None else None

    def _served_entries(self, files, reads) -> dict[str, Entry]:
        """The served entry of every path (by path): just read, kept, or from the cache."""
        by_path: dict[str, Entry] = {}
        for rel, verdict in sorted(files.items()):
            if not verdict.served_sha:
                continue
            read = reads.get(rel)
            if read is not None and read.sha == verdict.served_sha:
                entry = read.entry
            else:
                entry = self.by_path.get(rel)
                if entry is None or _sha_of(self.state, rel) != verdict.served_sha:
                    cached = self.cache.get(verdict.served_sha, self.kb_dir / rel)
                    entry = cached.entry if cached is not None else entry
            if entry is not None:
                by_path[rel] = entry
        return by_path


def served_by_id(by_path: dict[str, Entry]) -> dict[str, Entry]:
    """The served entries by id; of two files claiming one id, the first by path owns it (as
    :func:`engine.kb.folder.assign_ids` decides, without a Path per file: 10,000 of them cost
    a second a scan)."""
    entries: dict[str, Entry] = {}
    for _parts, entry in sorted((tuple(rel.split("/")), e) for rel, e in by_path.items()):
        entries.setdefault(entry.id, entry)
    return entries


def _sha_of(state: FolderState, rel: str) -> str | None:
    verdict = state.files.get(rel)
    return verdict.served_sha if verdict else None


def _glossary_from(verdict: GlossaryVerdict, path: Path) -> Glossary:
    """The served glossary: the built-in one plus the file's when clean, its last good text
    otherwise, or nothing of its own."""
    if verdict.served_sha is None or verdict.served_text is None:
        return builtin()
    if verdict.served_sha == verdict.sha:
        return builtin().merged(read_glossary_file(path).glossary)
    import tempfile

    with tempfile.TemporaryDirectory() as folder:  # the reader reads files: give it one
        copy = Path(folder) / GLOSSARY_FILE
        copy.write_text(verdict.served_text, encoding="utf-8")
        return builtin().merged(read_glossary_file(copy).glossary)
