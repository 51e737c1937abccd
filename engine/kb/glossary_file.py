"""``kb/glossary.yaml``, read: the :class:`Glossary`, or every problem at its own line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import EntryError
from ..glossary import Glossary, builtin, problems
from .entryfile import node_at
from .files import GLOSSARY_FILE, read_text
from .yamltext import compose, construct


@dataclass
class GlossaryFile:
    """A glossary file as read; ``glossary`` is empty when the file is missing or refused."""

    path: str
    glossary: Glossary = field(default_factory=Glossary.empty)
    errors: list[EntryError] = field(default_factory=list)
    node: Any = None
    data: Any = None


def read_glossary_file(path: Path | str) -> GlossaryFile:
    """Read a glossary file (a missing file is an empty glossary, not an error)."""
    found = GlossaryFile(str(path))
    if not Path(path).exists():
        return found
    try:
        found.node = compose(read_text(path), path, "glossary")
    except EntryError as exc:
        found.errors.append(exc)
        return found
    try:
        found.data = construct(found.node) if found.node is not None else None
    except (yaml.YAMLError, TypeError, ValueError) as exc:  # a tag such as !!python/object
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        found.errors.append(EntryError(path, 1, f"glossary is not valid YAML: {problem}"))
        return found

    def where(keys: tuple, at_key: bool = False) -> tuple[int, int]:
        node = node_at(found.node, keys[:-1] if at_key else keys)
        if at_key and isinstance(node, yaml.MappingNode):
            node = next(
                (k for k, _ in node.value if getattr(k, "value", None) == str(keys[-1])), node
            )
        node = node if node is not None else found.node
        return node.start_mark.line + 1, node.start_mark.column + 1

    found.errors.extend(problems(found.data, found.path, where))
    if not found.errors:
        found.glossary = Glossary.from_data(found.data, found.path)
    return found


def load_glossary(kb_dir: Path | str) -> Glossary:
    """The glossary the KB in *kb_dir* is served with: the built-in one plus its own
    ``glossary.yaml`` (its words win); a broken file raises its first error."""
    read = read_glossary_file(Path(kb_dir) / GLOSSARY_FILE)
    if read.errors:
        raise read.errors[0]
    return builtin().merged(read.glossary)
