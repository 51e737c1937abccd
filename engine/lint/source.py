"""One entry file, read the way ``engine.kb.read_entry`` reads it, with true positions.

The engine's reader is used piece by piece (its front-matter boundary, YAML loader, key
constructor, section splitter and entry builder), so lint and the engine cannot disagree on
what a file means. Two things differ:

- every line is counted from the file itself. (``read_entry`` counts key lines from the text
  after the opening ``---``, so they come out one line late, and section lines two);
- the builder stops at the first wrong key; here the key is set aside (or given a
  placeholder) and the builder runs again, so every wrong key is reported in its own words.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from .. import kb as kbfile
from ..entry import KINDS, Entry
from ..errors import EntryError
from .problem import Problem

PLACEHOLDER_ID = "lint-placeholder-id"


@dataclass
class Source:
    """One entry file, parsed as far as it goes, and the problems found in it so far."""

    path: str
    node: Any = None  # the front matter's YAML mapping node (None: it did not parse)
    fm_line: int = 1  # file line of the front-matter text's first line
    data: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1  # file line of the body text's first line
    first_body_line: int = 1  # the line after the closing '---'
    entry: Entry | None = None
    entry_id: str | None = None  # the id others may link to (None when it has no valid one)
    kind: str | None = None  # the kind whose sections apply (None when unknown)
    engine_errors: list[EntryError] = field(default_factory=list)  # the builder's verdicts
    covered: set[str] = field(default_factory=set)  # keys whose verdict lint gave in detail
    problems: list[Problem] = field(default_factory=list)

    def add(self, where: tuple[int, int] | int, message: str) -> None:
        line, col = where if isinstance(where, tuple) else (where, 1)
        self.problems.append(Problem(self.path, max(1, line), max(1, col), message))

    def where(self, *keys: Any) -> tuple[int, int]:
        """(line, col) of the front-matter value at *keys* (a path of keys and list indexes)."""
        node = node_at(self.node, keys)
        if node is None:
            return (self.key_lines.get(str(keys[0]), 1) if keys else 1), 1
        return self.position(node)

    def where_key(self, *keys: Any) -> tuple[int, int]:
        """(line, col) of the key itself: ``where_key('signatures', 'mesages')``."""
        node = key_node(self.node, keys[:-1], keys[-1])
        return self.position(node) if node is not None else self.where(*keys[:-1])

    def position(self, node: Any) -> tuple[int, int]:
        return self.fm_line + node.start_mark.line, node.start_mark.column + 1


def parse(path: Path) -> Source:
    """Read *path* as an entry; a file that does not parse carries its one problem."""
    src = Source(str(path))
    try:
        text = kbfile.read_text(path)
    except EntryError as exc:
        src.add((exc.line, exc.col), exc.message)
        return src
    except OSError as exc:
        src.add(1, f"cannot read this file: {exc.strerror or exc}")
        return src
    if len(text.encode("utf-8", "surrogatepass")) > kbfile.MAX_ENTRY_BYTES:
        src.add(1, f"file is larger than {kbfile.MAX_ENTRY_BYTES:,} bytes")
        return src
    text = text.lstrip("\ufeff")
    if not text.startswith("---"):
        src.add(1, "no front matter: an entry starts with a '---' line")
        return src
    bounds = list(itertools.islice(YAMLHandler.FM_BOUNDARY.finditer(text), 2))
    if len(bounds) < 2:
        src.add(1, "front matter is not closed: add a '---' line after it")
        return src
    src.fm_line = text.count("\n", 0, bounds[0].end()) + 1
    src.body = text[bounds[1].end() :]
    src.body_line = text.count("\n", 0, bounds[1].end()) + 1
    src.first_body_line = text.count("\n", 0, bounds[1].start()) + 2
    if _read_front_matter(src, text[bounds[0].end() : bounds[1].start()]):
        sections, _, _ = kbfile.split_sections(src.body, src.body_line)
        _build(src, sections)
    return src


def _read_front_matter(src: Source, fm_text: str) -> bool:
    loader = kbfile.YamlLoader(fm_text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            where = (src.fm_line + mark.line, mark.column + 1) if mark else src.fm_line
            src.add(where, f"front matter is not valid YAML: {problem}")
            return False
        if node is None:
            src.add(1, "front matter is empty: an entry needs at least id and title")
            return False
        if not isinstance(node, yaml.MappingNode):
            src.add(src.position(node)[0], "front matter must be a mapping of keys to values")
            return False
        src.node = node
        try:
            kbfile.construct_front_matter(
                loader, node, src.data, src.key_lines, src.fm_line, src.path
            )
        except EntryError as exc:
            src.add((exc.line, exc.col), exc.message)
            return False
        except (yaml.YAMLError, TypeError, ValueError) as exc:
            # a tag on a key (`!!python/object:x a: 1`) gets past the engine's own handler
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            src.add(src.position(node)[0], f"front matter is not valid YAML: {problem}")
            src.node = None
            return False
        return True
    finally:
        loader.dispose()


def _build(src: Source, sections) -> None:
    data = dict(src.data)
    blamed: set[str] = set()
    id_ok = kind_ok = True
    for _ in range(len(data) + 4):
        try:
            src.entry = kbfile.build_entry(data, src.key_lines, sections, src.path)
            break
        except EntryError as exc:
            src.engine_errors.append(exc)
            key = blamed_key(exc, data, src.key_lines)
            if key is None or key in blamed:
                break
            blamed.add(key)
            if key == "id":
                id_ok = False
                data["id"] = PLACEHOLDER_ID
            elif key == "title":
                data["title"] = "(no title)"
            elif key == "kind":
                close = difflib.get_close_matches(str(data.get("kind")), KINDS, n=1, cutoff=0.6)
                if close:  # check the sections the writer surely meant
                    data["kind"] = close[0]
                else:
                    data.pop("kind", None)
                    kind_ok = False
            else:
                data.pop(key, None)
    if src.entry is not None:
        src.kind = src.entry.kind if kind_ok else None
        if id_ok:
            src.entry_id = src.entry.id


def blamed_key(exc: EntryError, data: dict, key_lines: dict) -> str | None:
    """Which front-matter key an error of the engine's builder is about."""
    message = exc.message
    prefixes = (
        ("id", "missing 'id'"),
        ("title", "missing 'title'"),
        ("id", "id '"),
        ("kind", "kind '"),
        ("owner", "owner '"),
    )
    for key, prefix in prefixes:
        if message.startswith(prefix):
            return key
    on_line = [k for k in data if key_lines.get(k) == exc.line]
    for key in on_line:
        if f"'{key}'" in message or message.startswith(key):
            return key
    return on_line[0] if on_line else None


def raw_id(src: Source) -> str | None:
    """The id as written, when it is a valid one (for files the engine refuses)."""
    value = src.data.get("id")
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        value = str(value).strip()
        return value if kbfile.ID_PATTERN.match(value) else None
    return None


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


def key_node(node: Any, keys: Sequence[Any], name: Any) -> Any:
    """The key node *name* of the mapping at *keys* (the position of a nested key)."""
    mapping = node_at(node, keys)
    if isinstance(mapping, yaml.MappingNode):
        for k, _ in mapping.value:
            if getattr(k, "value", None) == str(name):
                return k
    return None


def find_leaf(node: Any, kind: str, value: str) -> Any:
    """The value node of the first ``kind: value`` pair anywhere under *node*."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if (
                getattr(k, "value", None) == kind
                and isinstance(v, yaml.ScalarNode)
                and v.value == value
            ):
                return v
        children = [v for _, v in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = node.value
    else:
        return None
    for child in children:
        found = find_leaf(child, kind, value)
        if found is not None:
            return found
    return None


def unquoted_codes(node: Any) -> Iterable[Any]:
    """Scalar nodes under *node* written as error codes but read by YAML as numbers.

    ``code: 0x80070005`` is the integer 2147942405 to YAML, which no paste contains.
    """
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if getattr(k, "value", None) in ("code", "codes") and _is_int(v):
                yield v
            elif getattr(k, "value", None) == "codes" and isinstance(v, yaml.SequenceNode):
                yield from (item for item in v.value if _is_int(item))
            else:
                yield from unquoted_codes(v)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from unquoted_codes(item)


def _is_int(node: Any) -> bool:
    """A plain scalar YAML reads as an integer whose digits differ from the text (0x..., 0o...)."""
    return (
        isinstance(node, yaml.ScalarNode)
        and node.tag == "tag:yaml.org,2002:int"
        and not node.style
        and re.fullmatch(r"-?(?:[1-9][0-9]*|0)", node.value) is None
    )


def hint(word: Any, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to *word*, else ''."""
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
