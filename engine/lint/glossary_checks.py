"""Checks on ``kb/glossary.yaml`` (the reader's verdicts, and names or words that would
mislead), and on the product names entries use, which must be the glossary's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..glossary import Glossary, builtin
from ..kb import GLOSSARY_FILE, read_glossary_file
from ..kb.entryfile import node_at
from .problem import Problem
from .rule_checks import common_words_only
from .source import Source


def lint_glossary(path: Path) -> tuple[Glossary, list[Problem]]:
    """The glossary at *path* (empty when missing or broken) and its problems.

    The reader (:func:`engine.kb.read_glossary_file`) reports what makes the file unusable;
    lint adds what is legal but harmful: a name two products claim, a group of common words.
    """
    read = read_glossary_file(path)
    problems = [Problem(e.path, e.line, e.col, e.message) for e in read.errors]
    data, root = read.data, read.node
    if isinstance(data, dict) and isinstance(root, yaml.MappingNode):
        problems += _shared_names(read.path, root, data.get("products"))
        problems += _common_words(read.path, root, data.get("terms"))
    problems.sort(key=lambda p: (p.line, p.col))
    # entries are checked against what the KB is served with: the built-in glossary and its own
    return builtin().merged(read.glossary), problems


def _at(path: str, node: Any, message: str) -> Problem:
    return Problem(path, node.start_mark.line + 1, node.start_mark.column + 1, message)


def _shared_names(path: str, root: Any, products: Any) -> list[Problem]:
    found: list[Problem] = []
    owners: dict[str, str] = {}
    for index, item in enumerate(products if isinstance(products, list) else ()):
        name = item.get("name") if isinstance(item, dict) else None
        aliases = item.get("aliases") or [] if isinstance(item, dict) else []
        if not isinstance(name, str) or not name.strip() or not isinstance(aliases, list):
            continue
        for word in (name, *aliases):
            folded = re.sub(r"\s+", " ", str(word).casefold()).strip()
            if folded and owners.setdefault(folded, name) != name:
                found.append(
                    _at(
                        path,
                        node_at(root, ("products", index)),
                        f"product '{name}': '{word}' also names product '{owners[folded]}'",
                    )
                )
    return found


def _common_words(path: str, root: Any, terms: Any) -> list[Problem]:
    found: list[Problem] = []
    for index, group in enumerate(terms if isinstance(terms, list) else ()):
        words = (
            [str(w).strip() for w in group if w is not None and str(w).strip()]
            if isinstance(group, list)
            else []
        )
        common = [w for w in words if common_words_only(w)]
        if len(words) >= 2 and common:
            found.append(
                _at(
                    path,
                    node_at(root, ("terms", index)),
                    f"term group {index + 1} holds the very common word '{common[0]}': "
                    "every paste with it would pull the whole group into the search; "
                    "keep groups specific",
                )
            )
    return found


def check_products(src: Source, glossary: Glossary) -> None:
    """Each name under ``products:`` must be a glossary product's name (the facts found in a
    paste are those names): an alias or an unknown name is reported with the nearest name."""
    products = src.front_matter.get("products")
    listed = products if isinstance(products, list) else [products]
    names = {p.name for p in glossary.products}
    for index, name in enumerate(listed):
        if not isinstance(name, str) or not name.strip() or name.strip() in names:
            continue
        where = (
            src.where("products", index) if isinstance(products, list) else src.where("products")
        )
        canonical = glossary.canonical_product(name)
        if canonical:
            src.add(
                where,
                f"product '{name}' is an alias in {GLOSSARY_FILE}: write its name, '{canonical}'",
            )
        else:
            src.add(
                where,
                f"product '{name}' is not in {GLOSSARY_FILE}{nearest_product(name, glossary)}: "
                f"use a name it has, or add the product to it",
            )


def nearest_product(word: str, glossary: Glossary) -> str:
    """`` (did you mean 'Hyper-V'?)`` for the product whose name or alias is closest, or ''."""
    nearest = glossary.nearest_product(word)
    return f" (did you mean '{nearest}'?)" if nearest else ""
