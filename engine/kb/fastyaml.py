"""The front matter's YAML without PyYAML's representer, for the shapes entries have.

:func:`engine.kb.render.dump_yaml` writes with libyaml's emitter, but PyYAML builds a node
for every value first and asks its resolver about each scalar twice, in Python: ~0.1 ms an
entry, most of rendering one. An entry's front matter is a mapping of plain keys to text,
numbers, lists of text and small mappings (signatures, generated rules), and for those
libyaml's block layout is fixed: this module writes it directly.

:func:`dump` gives exactly libyaml's bytes or None. It returns None (the caller then asks
PyYAML) for anything it does not know: a key that is not plain text, an empty list or mapping
(PyYAML writes ``[]``), a list in a list, text with a line break, a tab, a character outside the BMP or another that libyaml quotes in double quotes, text
long enough for libyaml to fold, other types. The text it does write is written as libyaml
decides (``yaml_emitter_analyze_scalar`` and ``yaml_emitter_select_scalar_style``): plain
unless it starts with an indicator, holds ": " or " #", starts or ends with a space, or reads
as another type (``true``, ``1.5``, ``null``, ``~``: PyYAML's own resolvers say), and then in
single quotes.

A list or mapping met more than once (the same object: generated rules share their ``any``
list) is written as PyYAML writes it, an anchor where it is first written and an alias after,
numbered as PyYAML's serializer numbers them (:func:`_anchors`). An ingested feed has such
rules in about two entries of five, and PyYAML's path is ~5x slower than this one.
``tests/test_engine/test_fastyaml.py`` checks all this against PyYAML byte for byte.
"""

from __future__ import annotations

import re
from typing import Any

from yaml.representer import SafeRepresenter
from yaml.resolver import Resolver

# Characters libyaml writes as they are (IS_PRINTABLE, no break; allow_unicode is on).
_PRINTABLE = re.compile(r"[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]*")
# What makes libyaml quote text that has only such characters: an indicator at the start
# (the "-", "?" and ":" ones before a space or the end only), "---" or "..." at the start, ": "
# or ":" at the end, " #", a space at either end.
_QUOTED = re.compile(r"\A(?:[#,\[\]{}&*!|>'\"%@` ]|[-?:](?: |\Z)|---|\.\.\.)|.:(?: |\Z)| #| \Z")
_MAX_TEXT = 4_000  # well under the emitter's width (10,000): libyaml folds past it
_MAX_KEY = 128  # bytes: a longer key is not a simple key (keys here are ASCII)
_STR = "tag:yaml.org,2002:str"
_RESOLVERS = Resolver.yaml_implicit_resolvers
_FLOAT = SafeRepresenter()
_PLAIN_KEYS: set[str] = set()  # keys already found plain (an entry has a few dozen)


def _resolves_as(value: str) -> str:
    """The tag PyYAML's resolver gives *value* written plain (what ``implicit`` says)."""
    for tag, regexp in _RESOLVERS.get(value[:1] if value else "", []) + _RESOLVERS.get(None, []):
        if regexp.match(value):
            return tag
    return _STR


# The first characters a resolver looks at (all of them when one looks at every text).
_RESOLVED = None if None in _RESOLVERS else frozenset(k for k in _RESOLVERS if k)


def _text(value: str) -> str | None:
    """*value* as libyaml writes it in block context, or None (not one of the cases here)."""
    if not value:
        return "''"
    if len(value) > _MAX_TEXT or not _PRINTABLE.fullmatch(value):
        return None
    if _QUOTED.search(value) or (
        (_RESOLVED is None or value[0] in _RESOLVED) and _resolves_as(value) != _STR
    ):
        return "'" + value.replace("'", "''") + "'"
    return value


def _scalar(value: Any) -> str | None:
    kind = type(value)
    if kind is str:
        return _text(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    if kind is float:
        written = SafeRepresenter.represent_float(_FLOAT, value).value
        return written if _resolves_as(written) == "tag:yaml.org,2002:float" else None
    return None


class _Unknown(Exception):
    """A shape this module leaves to PyYAML."""


def dump(data: Any) -> str | None:
    """*data* (a mapping) as ``yaml.dump(data, Dumper=engine.kb.render._Dumper,
    sort_keys=False, allow_unicode=True, width=10_000, indent=2)`` writes it, or None."""
    if type(data) is not dict or not data:
        return None
    anchors = _anchors(data)
    if id(data) in anchors:  # the mapping holds itself
        return None
    lines: list[str] = []
    try:
        _mapping(data, "", "", lines, _Aliases(anchors))
    except _Unknown:
        return None
    lines.append("")
    return "\n".join(lines)


def _anchors(data: Any) -> dict[int, str]:
    """The anchor name of each list or mapping in *data* that is met more than once, by id.

    PyYAML's representer gives one node to every use of the same list or mapping (text and
    numbers get a node each use), and its serializer walks the nodes depth first, keys then
    values, naming a node ``id001``, ``id002``, ... when it meets the node a second time;
    this is that walk (it does not enter a collection twice, so a cycle ends too).
    """
    seen: set[int] = set()
    names: dict[int, str] = {}

    def walk(node: dict | list) -> None:  # keys are never lists or mappings (unhashable)
        if id(node) in seen:
            if id(node) not in names:
                names[id(node)] = f"id{len(names) + 1:03d}"
            return
        seen.add(id(node))
        for child in node.values() if type(node) is dict else node:
            if type(child) is dict or type(child) is list:
                walk(child)

    walk(data)
    return names


class _Aliases:
    """The anchors of one dump (:func:`_anchors`) and which of them are written already."""

    def __init__(self, anchors: dict[int, str]):
        self.anchors = anchors
        self.written: set[int] = set()

    def mark(self, collection: dict | list) -> tuple[str, bool]:
        """What follows the ``key:`` or ``-`` that introduces *collection* (nothing, an
        anchor, an alias), and whether its content follows (not after an alias)."""
        name = self.anchors.get(id(collection)) if self.anchors else None
        if name is None:
            return "", True
        if id(collection) in self.written:
            return f" *{name}", False
        self.written.add(id(collection))
        return f" &{name}", True


def _mapping(data: dict, first: str, indent: str, lines: list[str], aliases: _Aliases) -> None:
    """*data*'s lines at *indent*; the first line starts with *first* (``"- "`` in a list)."""
    lead = first
    for key, value in data.items():
        if key not in _PLAIN_KEYS:
            if type(key) is not str or len(key) > _MAX_KEY or not key.isascii():
                raise _Unknown
            if _text(key) != key:  # a key libyaml quotes
                raise _Unknown
            if len(_PLAIN_KEYS) < 1_000:
                _PLAIN_KEYS.add(key)
        kind = type(value)
        if kind is dict or kind is list:
            if not value:
                raise _Unknown
            mark, content = aliases.mark(value)
            lines.append(f"{lead}{key}:{mark}")
            if content and kind is dict:
                _mapping(value, indent + "  ", indent + "  ", lines, aliases)
            elif content:
                _sequence(value, indent, lines, aliases)  # in a mapping, a list is not indented
        else:
            text = _scalar(value)
            if text is None:
                raise _Unknown
            lines.append(f"{lead}{key}: {text}")
        lead = indent


def _sequence(data: list, indent: str, lines: list[str], aliases: _Aliases) -> None:
    for item in data:
        kind = type(item)
        if kind is dict:
            if not item:
                raise _Unknown
            mark, content = aliases.mark(item)
            if not mark:
                _mapping(item, indent + "- ", indent + "  ", lines, aliases)
                continue
            lines.append(f"{indent}-{mark}")  # "- &id001": its keys on the next lines
            if content:
                _mapping(item, indent + "  ", indent + "  ", lines, aliases)
        elif kind is list:
            raise _Unknown
        else:
            text = _scalar(item)
            if text is None:
                raise _Unknown
            lines.append(f"{indent}- {text}")
