"""One entry file as ``kb lint`` sees it: what the engine's reader made of it, plus lint's findings.

The file is read by :func:`engine.kb.read_entry_file`, the reader every other surface uses, so
lint and the engine cannot disagree on what a file means: every reason the reader has to
refuse a file is in ``errors`` (each naming its ``field``), and lint reports it unless one of
its own checks said the same thing in more detail (``covered``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..entry import KINDS
from ..errors import did_you_mean as hint
from ..kb import EntryFile, read_entry_file
from ..kb.entryfile import node_at
from .problem import Problem

__all__ = ["Source", "find_leaf", "hint", "node_at", "parse", "unquoted_codes"]

PLACEHOLDER_ID = "lint-placeholder-id"


@dataclass
class Source(EntryFile):
    """An :class:`EntryFile` and the problems lint found in it so far."""

    covered: set[str] = field(default_factory=set)  # fields whose verdict lint gave in detail
    problems: list[Problem] = field(default_factory=list)

    def add(self, where: tuple[int, int] | int, message: str) -> None:
        line, col = where if isinstance(where, tuple) else (where, 1)
        self.problems.append(Problem(self.path, max(1, line), max(1, col), message))

    def sections_kind(self) -> str | None:
        """The kind whose sections apply: the valid kind, or the one a misspelt kind meant."""
        if self.kind is not None or self.node is None:
            return self.kind
        written = self.front_matter.get("kind")
        close = difflib.get_close_matches(str(written), KINDS, n=1, cutoff=0.6)
        return close[0] if close else None


def parse(path: Path | str) -> Source:
    """Read *path* with the engine's reader."""
    found = read_entry_file(path)
    return Source(**{name: getattr(found, name) for name in EntryFile.__dataclass_fields__})


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
