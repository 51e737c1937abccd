"""Writing entries into the KB folder without ever losing a writer's work.

For each entry the ingester would write:

- no file yet -> write it (**new**);
- the file says ``owner: writer`` -> leave it (**kept (owned)**): a writer took it over;
- the file's text no longer matches its ``generated_hash`` (or has none, or does not parse)
  -> leave it (**kept (edited)**), optionally showing the diff of what the feed would write;
- otherwise the file is ours: same bytes -> **unchanged**, different -> rewrite (**updated**).

Nothing is ever deleted. Files are found again by ``ingest.guid`` + ``ingest.part`` (the KB
folder is scanned once), so a re-ingest maps every item to the file it produced before,
whatever that file is called.
"""

from __future__ import annotations

import difflib
import os
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from engine.entry import Entry
from engine.errors import EntryError
from engine.kb import (
    dump_yaml,
    entry_files,
    parse_entry,
    read_text,
    remove_stale_temp_files,
    write_atomic_many,
)

from .entries import is_edited, render_generated
from .ids import disambiguate

WRITE_THREADS = 1
WRITE_BATCH = 64  # files written and flushed to disk together
# A temporary file of an atomic write untouched this long before a run starts was left by a
# killed run (a write takes milliseconds); the next run removes it.
STALE_TEMP_AGE = 60.0
NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
KEPT_EDITED, KEPT_OWNED, REJECTED = "kept (edited)", "kept (owned)", "rejected"
# Provenance of a file that no longer parses, so that it is still recognised as ours.
_GUID_LINE = re.compile(r"^[ \t]+guid:[ \t]*(.+?)[ \t]*$", re.MULTILINE)
_PART_LINE = re.compile(r"^[ \t]+part:[ \t]*(.+?)[ \t]*$", re.MULTILINE)


@dataclass
class Outcome:
    status: str
    path: Path
    reason: str = ""
    diff: str = ""


@dataclass
class _Known:
    """An entry file found in the KB folder (with what the scan read, to avoid a re-parse)."""

    path: Path
    entry_id: str | None
    owner: str | None
    broken: str | None = None  # why it does not parse
    text: str | None = None
    entry: Entry | None = None


@dataclass
class KBWriter:
    """The KB folder as the ingester sees it: who owns which file, which ids are taken."""

    kb_dir: Path
    dry_run: bool = False
    show_diff: bool = False
    by_key: dict[tuple[str, str], _Known] = field(default_factory=dict)
    ids: dict[str, Path] = field(default_factory=dict)
    paths: set[Path] = field(default_factory=set)
    written_keys: set[tuple[str, str]] = field(default_factory=set)
    # Writes go to disk in batches (engine.kb.write_atomic_many: one flush to disk for a
    # batch, not one fsync a file) on a thread of their own, so that the caller goes on while
    # the disk works. One thread: a second one creating files in the same folder spent CPU
    # waiting for the folder's lock. Decisions stay on the caller's thread.
    _io: ThreadPoolExecutor | None = None
    _pending: list[Future] = field(default_factory=list)
    _batch: list[tuple[Path, str]] = field(default_factory=list)  # not yet handed to a thread
    _written: set[Path] = field(default_factory=set)
    # what a killed run left and this one removed (write_atomic's temporary files)
    removed: list[Path] = field(default_factory=list)

    def _write(self, path: Path, text: str) -> None:
        if self.dry_run:
            return
        self._written.add(path)
        self._batch.append((path, text))
        if len(self._batch) >= WRITE_BATCH:
            self._submit()

    def _submit(self) -> None:
        """Hand the files waiting in the batch to a write thread."""
        if not self._batch:
            return
        if self._io is None:
            self._io = ThreadPoolExecutor(max_workers=WRITE_THREADS, thread_name_prefix="kb-write")
        self._pending.append(self._io.submit(write_atomic_many, self._batch))
        self._batch = []
        if len(self._pending) >= 2 * WRITE_THREADS:
            self._settle(len(self._pending) // 2)

    def _settle(self, count: int | None = None) -> None:
        """Wait for the first *count* batches handed to the threads; for every write so far,
        the files still waiting in the batch too, when *count* is None."""
        if count is None:
            self._submit()
        done, self._pending = (
            (self._pending, []) if count is None else (self._pending[:count], self._pending[count:])
        )
        for future in done:
            future.result()  # re-raise a failed write here, on the caller's thread

    def close(self) -> None:
        """Wait for every write; raise the first that failed."""
        try:
            self._settle()
        finally:
            if self._io is not None:
                self._io.shutdown(wait=True)
                self._io = None

    @classmethod
    def open(cls, kb_dir: Path, *, dry_run: bool = False, show_diff: bool = False) -> KBWriter:
        writer = cls(Path(kb_dir), dry_run=dry_run, show_diff=show_diff)
        if writer.kb_dir.is_dir():
            if not dry_run:
                cutoff = time.time() - STALE_TEMP_AGE
                writer.removed = remove_stale_temp_files(writer.kb_dir, cutoff)
            writer._scan()
        return writer

    def _scan(self) -> None:
        # Every name in the folder, entries or not: a new file must not replace any of them.
        self.paths.update(self.kb_dir / name for name in os.listdir(self.kb_dir))
        for path in entry_files(self.kb_dir):
            self.paths.add(path)
            try:
                text = read_text(path)
                entry = parse_entry(text, path)
            except EntryError as exc:
                # Still protected: a file that does not parse is never overwritten.
                self.ids.setdefault(path.stem, path)
                self._remember_broken(path, exc)
                continue
            self.ids.setdefault(entry.id, path)
            provenance = entry.ingest or {}
            guid, part = provenance.get("guid"), provenance.get("part")
            if isinstance(guid, str) and isinstance(part, str):
                self.by_key.setdefault(
                    (guid, part), _Known(path, entry.id, entry.owner, text=text, entry=entry)
                )

    def _remember_broken(self, path: Path, exc: EntryError) -> None:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return
        guid, part = _GUID_LINE.search(text), _PART_LINE.search(text)
        if guid and part:
            key = (_unquote(guid.group(1)), _unquote(part.group(1)))
            self.by_key.setdefault(key, _Known(path, None, None, exc.message))

    def seen_in_this_run(self, guid: str, part: str) -> bool:
        return (guid, part) in self.written_keys

    def apply(self, entry: Entry, text: str | None = None) -> Outcome:
        """Write *entry* if the rules above allow it; say what happened.

        *text* is ``render_generated(entry)`` when the caller has it already.
        """
        provenance = entry.ingest or {}
        key = (str(provenance.get("guid")), str(provenance.get("part")))
        self.written_keys.add(key)
        known = self.by_key.get(key)
        if known is None:
            return self._create(entry, key, text)
        return self._refresh(entry, known, text)

    def _create(self, entry: Entry, key: tuple[str, str], text: str | None) -> Outcome:
        entry_id = entry.id
        path = self.kb_dir / f"{entry_id}.md"
        if entry_id in self.ids or path in self.paths:
            entry_id = disambiguate(entry.id, *key)
            path = self.kb_dir / f"{entry_id}.md"
            if entry_id in self.ids or path in self.paths:
                return Outcome(
                    REJECTED, path, f"id '{entry_id}' is taken by another entry; not written"
                )
            entry = replace(entry, id=entry_id)
            text = None
        text = text if text is not None else render_generated(entry)
        self._write(path, text)
        self.ids[entry_id] = path
        self.paths.add(path)
        self.by_key[key] = _Known(path, entry_id, "ingest", text=text, entry=entry)
        return Outcome(NEW, path)

    def _refresh(self, entry: Entry, known: _Known, text: str | None) -> Outcome:
        path = known.path
        if path in self._written:
            self._settle()  # written earlier in this run: let that write land first
        try:
            current = read_text(path)
        except (EntryError, OSError) as exc:
            return Outcome(KEPT_EDITED, path, f"cannot be read back ({exc}); not overwritten")
        try:
            existing = (
                known.entry if current == known.text and known.entry else parse_entry(current, path)
            )
        except EntryError as exc:
            return Outcome(KEPT_EDITED, path, f"does not parse ({exc.message}); not overwritten")
        if existing.owner == "writer":
            return Outcome(KEPT_OWNED, path, "owner: writer; the feed no longer updates it")
        if existing.id != entry.id:
            entry = replace(entry, id=existing.id)  # the file keeps the id it was given
            text = None
        text = text if text is not None else render_generated(entry)
        if is_edited(current):
            diff = _diff(current, text, path) if self.show_diff else ""
            refreshed = with_generated_rules(current, existing, entry.generated_rules, path)
            if refreshed is not None and refreshed != current:
                self._write(path, refreshed)
                return Outcome(
                    KEPT_EDITED,
                    path,
                    "edited since it was generated; kept, its generated rules refreshed",
                    diff,
                )
            return Outcome(
                KEPT_EDITED, path, "edited since it was generated; not overwritten", diff
            )
        if text == current:
            return Outcome(UNCHANGED, path)
        self._write(path, text)
        return Outcome(UPDATED, path)


_TOP_KEY = re.compile(r"^(?:[A-Za-z_][\w-]*\s*:|---\s*$)")


def with_generated_rules(text: str, existing: Entry, rules, path: Path) -> str | None:
    """*text* (an edited entry file) with only its ``generated_rules`` block replaced by
    *rules*, or None when that cannot be done without touching anything else.

    The block is found line by line (from ``generated_rules:`` to the next top-level key) and
    the result must parse to the same entry but for its generated rules: a writer's edits,
    formatting and comments elsewhere in the file stay byte for byte.
    """
    lines = text.splitlines(keepends=True)
    end_of_front = next((i for i, line in enumerate(lines) if i and line.rstrip() == "---"), None)
    if end_of_front is None:
        return None
    start = next(
        (i for i in range(1, end_of_front) if lines[i].startswith("generated_rules:")), None
    )
    block = dump_yaml({"generated_rules": [dict(r) for r in rules]}) if rules else ""
    if start is None:
        if not rules:
            return text
        # a file without the block: it goes where the ingester writes it, before owner
        at = next(
            (
                i
                for i in range(1, end_of_front)
                if re.match(r"^(?:examples|see_also|owner):", lines[i])
            ),
            end_of_front,
        )
        new_lines = lines[:at] + [block] + lines[at:]
    else:
        stop = next(
            (i for i in range(start + 1, end_of_front + 1) if _TOP_KEY.match(lines[i])),
            end_of_front,
        )
        new_lines = lines[:start] + ([block] if block else []) + lines[stop:]
    new_text = "".join(new_lines)
    try:
        refreshed = parse_entry(new_text, path)
    except EntryError:
        return None
    if replace(refreshed, generated_rules=existing.generated_rules) != existing:
        return None
    return new_text


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _diff(current: str, proposed: str, path: Path) -> str:
    lines = difflib.unified_diff(
        current.splitlines(keepends=True),
        proposed.splitlines(keepends=True),
        fromfile=f"{path} (current)",
        tofile=f"{path} (from the feed)",
    )
    return "".join(lines)
