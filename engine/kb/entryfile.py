"""One entry file, read: its entry (or every reason it is refused), and where each part sits.

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

Parsing is strict about structure (a file that does not parse is refused with the line of the
offending key) and lenient about extras (unknown keys and sections are kept for ``kb lint``).
Lines and columns are 1-based and counted in the file itself.

>>> f = parse_entry_text("---\\nid: a\\ntitle: A\\n---\\n\\n## Symptom\\n\\nIt fails.\\n", "kb/a.md")
>>> f.entry.id, f.where("title"), f.section_lines
('a', (3, 8), {'Symptom': 6})
>>> print(parse_entry_text("---\\nid: A B\\n---\\n", "kb/b.md").errors[0])
kb/b.md:2:1: id 'A B' must be lowercase letters, digits, '.', '_' or '-' (at most 120 characters, starting with a letter or digit)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from ..entry import Entry
from ..errors import EntryError
from .fields import build_entry
from .files import MAX_ENTRY_BYTES, read_text
from .yamltext import YamlLoader, yaml_error

HEADING = re.compile(r"^##[ \t]+(.+?)[ \t#]*$")
FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass
class EntryFile:
    """An entry file as read: the entry when it is right, else ``errors`` (every one of them)."""

    path: str
    entry: Entry | None = None
    errors: list[EntryError] = field(default_factory=list)
    entry_id: str | None = None  # the id as written, when valid (even if the file is refused)
    kind: str | None = None  # the kind, when valid
    node: Any = None  # the front matter's YAML mapping node (None: it did not parse)
    fm_line: int = 1  # file line of the front-matter text's first line
    front_matter: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # file line of the body text's first line
    first_body_line: int = 1  # the line after the closing '---'
    sections: list[tuple[str, str]] = field(default_factory=list)
    section_lines: dict[str, int] = field(default_factory=dict)

    def where(self, *keys: Any) -> tuple[int, int]:
        """(line, col) of the front-matter value at *keys* (a path of keys and list indexes)."""
        node = node_at(self.node, keys)
        if node is None:
            return (self.key_lines.get(str(keys[0]), 1) if keys else 1), 1
        return self.position(node)

    def where_key(self, *keys: Any) -> tuple[int, int]:
        """(line, col) of the key itself: ``where_key('signatures', 'mesages')``."""
        mapping = node_at(self.node, keys[:-1])
        if isinstance(mapping, yaml.MappingNode):
            for k, _ in mapping.value:
                if getattr(k, "value", None) == str(keys[-1]):
                    return self.position(k)
        return self.where(*keys[:-1])

    def position(self, node: Any) -> tuple[int, int]:
        """(line, col) in the file of a node of this file's front matter."""
        return self.fm_line + node.start_mark.line, node.start_mark.column + 1

    def _refuse(self, line: int, message: str, col: int = 1) -> EntryFile:
        self.errors.append(EntryError(self.path, line, message, col))
        return self


def read_entry_file(path: Path | str) -> EntryFile:
    """Read and parse one entry file; an unreadable file is an :class:`EntryFile` with its error."""
    try:
        text = read_text(path)
    except EntryError as exc:
        return EntryFile(str(path), errors=[exc])
    return parse_entry_text(text, path)


def parse_entry_text(text: str, path: Path | str | None = None) -> EntryFile:
    """Parse an entry file's text (see the module docstring)."""
    found = EntryFile(str(path) if path is not None else "<text>")
    if len(text.encode("utf-8", "surrogatepass")) > MAX_ENTRY_BYTES:
        return found._refuse(1, f"file is larger than {MAX_ENTRY_BYTES:,} bytes")
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        return found._refuse(1, "no front matter: an entry starts with a '---' line")
    bounds = list(itertools.islice(YAMLHandler.FM_BOUNDARY.finditer(text), 2))
    if len(bounds) < 2:
        return found._refuse(1, "front matter is not closed: add a '---' line after it")
    fm_line = found.fm_line = text.count("\n", 0, bounds[0].end()) + 1
    found.body = text[bounds[1].end() :]
    found.body_line = text.count("\n", 0, bounds[1].end()) + 1
    found.first_body_line = text.count("\n", 0, bounds[1].start()) + 2
    fm_text = text[bounds[0].end() : bounds[1].start()]
    try:
        _read_front_matter(found, fm_text, fm_line)
    except EntryError as exc:
        found.node = None
        found.errors.append(exc)
        return found
    found.sections, found.section_lines = split_sections(found.body, found.body_line)
    built = build_entry(found.front_matter, found.key_lines, found.sections, path)
    found.entry_id, found.kind = built.entry_id, built.kind
    found.errors.extend(built.errors)
    if built.entry is not None:
        positions = {"id": found.where("id")}
        for index in range(len(built.entry.rules)):
            positions[f"rules.{index}"] = found.where("rules", index)
        found.entry = replace(built.entry, positions=positions)
    return found


def _read_front_matter(found: EntryFile, fm_text: str, fm_line: int) -> None:
    """Fill ``node``, ``front_matter`` and ``key_lines``, key by key, or raise :class:`EntryError`."""
    path = found.path
    loader = YamlLoader(fm_text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise yaml_error(exc, fm_text, path, "front matter", fm_line) from None
        if node is None:
            raise EntryError(path, 1, "front matter is empty: an entry needs at least id and title")
        if not isinstance(node, yaml.MappingNode):
            raise EntryError(
                path,
                fm_line + node.start_mark.line,
                "front matter must be a mapping of keys to values",
            )
        found.node = node
        for key_node, value_node in node.value:
            line = fm_line + key_node.start_mark.line
            try:
                key = loader.construct_object(key_node, deep=True)
            except (yaml.YAMLError, TypeError, ValueError) as exc:
                problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
                raise EntryError(
                    path, line, f"front-matter key cannot be read: {problem}"
                ) from None
            if not isinstance(key, str):
                raise EntryError(path, line, f"front-matter key {key!r} must be a word")
            if key in found.front_matter:
                raise EntryError(path, line, f"front-matter key '{key}' appears twice", field=key)
            try:
                found.front_matter[key] = loader.construct_object(value_node, deep=True)
            except (yaml.YAMLError, TypeError, ValueError) as exc:
                problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
                raise EntryError(path, line, f"'{key}': {problem}", field=key) from None
            found.key_lines[key] = line
    finally:
        loader.dispose()


def split_sections(body: str, first_line: int) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Cut the body at ``## Heading`` lines (not inside code fences): (sections, their lines)."""
    sections: list[tuple[str, list[str]]] = []
    lines_at: dict[str, int] = {}
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
    return [(n, "\n".join(b).strip("\n")) for n, b in sections], lines_at


# --- positions in the YAML node tree ---------------------------------------------------------


def node_at(node: Any, keys: Sequence[Any]) -> Any:
    """The YAML node at a path of mapping keys and list indexes, or None."""
    for key in keys:
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if 0 <= key < len(node.value) else None
        else:
            return None
    return node
