"""Reading and writing knowledge-base files.

An entry file looks like this::

    ---
    id: cluster-dns-1196-signature
    title: "Event 1196: cluster network name failed DNS registration"
    kind: troubleshooting
    products: [Failover Clustering]
    signatures:
      events: [{id: 1196, source: Microsoft-Windows-FailoverClustering}]
    ---

    ## Symptom
    ...

Parsing is strict about structure (a file that does not parse raises :class:`EntryError`
with the line of the offending key) and lenient about extras (unknown keys and sections are
kept for ``kb lint`` to report). Rendering is deterministic, so writing the same entry twice
gives byte-identical files. Every write goes through :func:`write_atomic`.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from .entry import (
    FRONT_MATTER_KEYS,
    KINDS,
    OWNERS,
    SECTIONS,
    Entry,
    EventSignature,
    Signatures,
)
from .errors import EntryError

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,119}$")
HEADING = re.compile(r"^##[ \t]+(.+?)[ \t#]*$")
FENCE = re.compile(r"^\s*(```|~~~)")
# Files in the KB folder that are not entries.
NOT_ENTRIES = {"readme.md", "changelog.md"}

# libyaml's C loader when PyYAML has it (30x faster on a 10,000-entry KB), same results.
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Front matter may not exceed this; an entry is prose, not a data dump.
MAX_ENTRY_BYTES = 1_000_000


@dataclass
class ParsedEntry:
    """An entry plus where each front-matter key and section sits in the file (1-based)."""

    entry: Entry
    key_lines: dict[str, int] = field(default_factory=dict)
    section_lines: dict[str, int] = field(default_factory=dict)
    unknown_keys: list[str] = field(default_factory=list)
    preamble_line: int | None = None
    body_line: int = 1
    front_matter: dict[str, Any] = field(default_factory=dict)


def parse_entry(text: str, path: Path | str | None = None) -> Entry:
    """Parse one entry file's text; raise :class:`EntryError` naming the line when it is wrong."""
    return read_entry(text, path).entry


def read_entry(text: str, path: Path | str | None = None) -> ParsedEntry:
    """Parse one entry and keep the positions ``kb lint`` reports against."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_ENTRY_BYTES:
        raise EntryError(path, 1, f"file is larger than {MAX_ENTRY_BYTES:,} bytes")
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        raise EntryError(path, 1, "no front matter: an entry starts with a '---' line")
    try:
        fm_text, body = YAMLHandler().split(text)
    except ValueError:
        raise EntryError(path, 1, "front matter is not closed: add a '---' line after it")
    # The front matter handed to YAML starts with the newline that ends the opening '---'
    # line: YAML's line 0 is file line 1.
    fm_start = 1
    loader = YamlLoader(fm_text)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as exc:
        loader.dispose()
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = fm_start + (mark.line if mark else 0)
        col = (mark.column + 1) if mark else 1
        problem = getattr(exc, "problem", None) or str(exc)
        raise EntryError(path, line, f"front matter is not valid YAML: {problem}", col)
    if node is None or not isinstance(node, yaml.MappingNode):
        loader.dispose()
        if node is None:
            raise EntryError(path, 1, "front matter is empty: an entry needs at least id and title")
        raise EntryError(path, fm_start, "front matter must be a mapping of keys to values")

    data: dict[str, Any] = {}
    key_lines: dict[str, int] = {}
    try:
        construct_front_matter(loader, node, data, key_lines, fm_start, path)
    finally:
        loader.dispose()

    # The body starts with the newline that ends the closing '---' line.
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    sections, section_lines, preamble_line = split_sections(body, body_line)
    entry = build_entry(data, key_lines, sections, path)
    return ParsedEntry(
        entry=entry,
        key_lines=key_lines,
        section_lines=section_lines,
        unknown_keys=[k for k in data if k not in FRONT_MATTER_KEYS],
        preamble_line=preamble_line,
        body_line=body_line,
        front_matter=data,
    )


def construct_front_matter(loader, node, data: dict, key_lines: dict, fm_start: int, path) -> None:
    """Build the front-matter dict key by key, remembering the line of each key."""
    for key_node, value_node in node.value:
        line = fm_start + key_node.start_mark.line
        try:
            key = loader.construct_object(key_node, deep=True)
        except yaml.YAMLError as exc:
            raise EntryError(
                path, line, f"front-matter key cannot be read: {getattr(exc, 'problem', exc)}"
            )
        if not isinstance(key, str):
            raise EntryError(path, line, f"front-matter key {key!r} must be a word")
        if key in data:
            raise EntryError(path, line, f"front-matter key '{key}' appears twice")
        try:
            data[key] = loader.construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:
            raise EntryError(path, line, f"'{key}': {exc}")
        key_lines[key] = line


def split_sections(
    body: str, first_line: int
) -> tuple[list[tuple[str, str]], dict[str, int], int | None]:
    """Cut the body at ``## Heading`` lines (not inside code fences)."""
    sections: list[tuple[str, list[str]]] = []
    lines_at: dict[str, int] = {}
    preamble: list[str] = []
    preamble_line: int | None = None
    in_fence = False
    for offset, line in enumerate(body.split("\n")):
        if FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else HEADING.match(line)
        if heading:
            name = heading.group(1).strip()
            sections.append((name, []))
            lines_at.setdefault(name, first_line + offset)
        elif sections:
            sections[-1][1].append(line)
        else:
            if line.strip() and preamble_line is None:
                preamble_line = first_line + offset
            preamble.append(line)
    return [(n, "\n".join(b).strip("\n")) for n, b in sections], lines_at, preamble_line


def _str_list(data: dict, key: str, key_lines: dict, path) -> tuple[str, ...]:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
        raise EntryError(path, key_lines.get(key, 1), f"'{key}' must be a list of texts")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _signatures(data: dict, key_lines: dict, path) -> Signatures:
    raw = data.get("signatures")
    line = key_lines.get("signatures", 1)
    if raw is None:
        return Signatures()
    if not isinstance(raw, dict):
        raise EntryError(path, line, "'signatures' must be a mapping with messages, events, codes")
    messages = _str_list(raw, "messages", {"messages": line}, path)
    # YAML reads an unquoted 0x80070005 as the integer 2147942405: give it back its hex form.
    raw_codes = (
        [
            f"0x{c:08x}" if isinstance(c, int) and not isinstance(c, bool) else c
            for c in (raw.get("codes") or [])
        ]
        if isinstance(raw.get("codes"), list)
        else raw.get("codes")
    )
    codes = _str_list({"codes": raw_codes}, "codes", {"codes": line}, path)
    events: list[EventSignature] = []
    for item in raw.get("events") or []:
        if isinstance(item, bool):
            item = None
        if isinstance(item, (int, str)) and str(item).strip().isdigit():
            events.append(EventSignature(int(item)))
        elif isinstance(item, dict) and str(item.get("id", "")).strip().isdigit():
            source = item.get("source")
            events.append(EventSignature(int(item["id"]), str(source) if source else None))
        else:
            raise EntryError(
                path, line, f"signatures.events: {item!r} is not an event ID or {{id, source}}"
            )
    phrases = _str_list(raw, "phrases", {"phrases": line}, path)
    return Signatures(messages=messages, events=tuple(events), codes=codes, phrases=phrases)


def build_entry(data: dict, key_lines: dict, sections, path) -> Entry:
    def line_of(key: str) -> int:
        return key_lines.get(key, 1)

    entry_id = data.get("id")
    if entry_id is None or str(entry_id).strip() == "":
        raise EntryError(path, 1, "missing 'id': every entry needs a unique id")
    entry_id = str(entry_id).strip()
    if not ID_PATTERN.match(entry_id):
        raise EntryError(
            path,
            line_of("id"),
            f"id '{entry_id}' must be lowercase letters, digits, '.', '_' or '-' "
            "(at most 120 characters, starting with a letter or digit)",
        )
    title = data.get("title")
    if not isinstance(title, (str, int, float)) or not str(title).strip():
        raise EntryError(path, line_of("title") if "title" in data else 1, "missing 'title'")
    kind = str(data.get("kind") or "troubleshooting").strip()
    if kind not in KINDS:
        raise EntryError(path, line_of("kind"), f"kind '{kind}' must be one of {', '.join(KINDS)}")
    ingest = data.get("ingest")
    if ingest is not None and not isinstance(ingest, dict):
        raise EntryError(path, line_of("ingest"), "'ingest' must be a mapping (provenance)")
    owner = str(data.get("owner") or ("ingest" if ingest else "writer")).strip()
    if owner not in OWNERS:
        raise EntryError(
            path, line_of("owner"), f"owner '{owner}' must be one of {', '.join(OWNERS)}"
        )
    rules = data.get("rules") or []
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise EntryError(path, line_of("rules"), "'rules' must be a list of rule mappings")
    generated = data.get("generated_rules") or []
    if not isinstance(generated, list) or not all(isinstance(r, dict) for r in generated):
        raise EntryError(
            path, line_of("generated_rules"), "'generated_rules' must be a list of rule mappings"
        )
    source = data.get("source")
    if source is not None and not isinstance(source, str):
        raise EntryError(path, line_of("source"), "'source' must be a URL")
    return Entry(
        id=entry_id,
        title=str(title).strip(),
        kind=kind,
        language=str(data.get("language") or "en").strip(),
        source=source.strip() if source else None,
        products=_str_list(data, "products", key_lines, path),
        tags=_str_list(data, "tags", key_lines, path),
        signatures=_signatures(data, key_lines, path),
        rules=tuple(rules),
        generated_rules=tuple(generated),
        examples=_str_list(data, "examples", key_lines, path),
        see_also=_str_list(data, "see_also", key_lines, path),
        owner=owner,
        ingest=ingest,
        sections=tuple(sections),
        path=str(path) if path is not None else None,
    )


# --- rendering ------------------------------------------------------------------------------


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Readable, stable YAML: block style for multi-line text, no line folding.

    libyaml's emitter when PyYAML has it: byte-identical output, about 7x faster (measured on
    the seed's 23 entries), which is most of an ingest's time.
    """


def _represent_str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def front_matter_of(entry: Entry) -> dict[str, Any]:
    """The entry's front matter in canonical key order, empty optional keys left out."""
    data: dict[str, Any] = {
        "id": entry.id,
        "title": entry.title,
        "kind": entry.kind,
        "language": entry.language,
    }
    if entry.source:
        data["source"] = entry.source
    for key in ("products", "tags"):
        if getattr(entry, key):
            data[key] = list(getattr(entry, key))
    if entry.signatures:
        data["signatures"] = entry.signatures.to_dict()
    if entry.rules:
        data["rules"] = [dict(r) for r in entry.rules]
    if entry.generated_rules:
        data["generated_rules"] = [dict(r) for r in entry.generated_rules]
    for key in ("examples", "see_also"):
        if getattr(entry, key):
            data[key] = list(getattr(entry, key))
    data["owner"] = entry.owner
    if entry.ingest:
        data["ingest"] = dict(entry.ingest)
    return data


def dump_yaml(data: Any) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, indent=2
    )


def render_entry(entry: Entry) -> str:
    """The file text for *entry*: same entry in, same bytes out."""
    order = SECTIONS.get(entry.kind, ())
    known = [(n, t) for n in order for (k, t) in entry.sections if k == n]
    extra = [(k, t) for (k, t) in entry.sections if k not in order]
    parts = ["---\n", dump_yaml(front_matter_of(entry)), "---\n"]
    for name, text in known + extra:
        parts.append(f"\n## {name}\n\n{text.strip()}\n" if text.strip() else f"\n## {name}\n")
    return "".join(parts)


def write_atomic(path: Path, text: str) -> None:
    """Write *text* to *path* so that a crash leaves either the old file or the new one.

    The text goes to a temporary file in the same folder, is flushed to disk, then renamed
    over the target (an atomic rename on POSIX and Windows).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# --- the KB folder --------------------------------------------------------------------------


def entry_files(kb_dir: Path) -> Iterator[Path]:
    """Every entry file under *kb_dir*, sorted (README and hidden files are not entries)."""
    kb_dir = Path(kb_dir)
    for path in sorted(kb_dir.rglob("*.md")):
        rel = path.relative_to(kb_dir)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.name.lower() in NOT_ENTRIES:
            continue
        yield path


def read_text(path: Path) -> str:
    """A KB file's text; bad UTF-8 is an :class:`EntryError`, not a crash."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EntryError(path, line, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8")


def load_entries(kb_dir: Path) -> tuple[list[Entry], list[EntryError]]:
    """Load every entry; a broken file is reported in the error list, the rest still load.

    Two files claiming the same id: the first (by path) wins and the second is an error.
    """
    kb_dir = Path(kb_dir)
    if not kb_dir.is_dir():
        from .errors import KBError

        raise KBError(f"knowledge-base folder {kb_dir} does not exist (set --kb-dir or KB_DIR)")
    entries: list[Entry] = []
    errors: list[EntryError] = []
    seen: dict[str, str] = {}
    for path in entry_files(kb_dir):
        try:
            entry = parse_entry(read_text(path), path)
        except EntryError as exc:
            errors.append(exc)
            continue
        if entry.id in seen:
            errors.append(
                EntryError(path, 1, f"duplicate id '{entry.id}': also used by {seen[entry.id]}")
            )
            continue
        seen[entry.id] = str(path)
        entries.append(entry)
    return entries, errors
