"""Checks on ``kb/glossary.yaml``: its shape, each product and term group, at their lines.

``Glossary.load`` stops at the first problem and reports line 1 for most; here every problem is
reported at its own line, and ``Glossary.from_data`` still has the last word (a file it refuses
always has a problem reported).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import yaml

from .. import kb as kbfile
from ..errors import EntryError
from ..glossary import Glossary, Product
from .problem import Problem
from .rule_checks import common_words_only
from .source import hint, key_node, node_at

GLOSSARY_KEYS = ("products", "terms")
PRODUCT_KEYS = tuple(f.name for f in dataclasses.fields(Product))  # name, aliases, ...


class _Report:
    def __init__(self, path: Path):
        self.path = str(path)
        self.problems: list[Problem] = []

    def add(self, node_or_line: Any, message: str) -> None:
        if isinstance(node_or_line, int):
            line, col = node_or_line, 1
        elif node_or_line is None:
            line, col = 1, 1
        else:
            line, col = node_or_line.start_mark.line + 1, node_or_line.start_mark.column + 1
        self.problems.append(Problem(self.path, max(1, line), max(1, col), message))


def lint_glossary(path: Path) -> tuple[Glossary, list[Problem]]:
    """The glossary at *path* (empty when missing or broken) and its problems."""
    report = _Report(path)
    if not path.exists():
        return Glossary.empty(), []
    try:
        text = kbfile.read_text(path)
        node = yaml.compose(text, Loader=kbfile.YamlLoader)
        data = yaml.load(text, Loader=kbfile.YamlLoader)
    except EntryError as exc:
        report.problems.append(Problem(report.path, exc.line, exc.col, exc.message))
        return Glossary.empty(), report.problems
    except OSError as exc:
        report.add(1, f"cannot read this file: {exc.strerror or exc}")
        return Glossary.empty(), report.problems
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        report.problems.append(
            Problem(
                report.path,
                mark.line + 1 if mark else 1,
                mark.column + 1 if mark else 1,
                f"glossary is not valid YAML: {problem}",
            )
        )
        return Glossary.empty(), report.problems
    if node is None:
        return Glossary.empty(), []
    if not isinstance(node, yaml.MappingNode) or not isinstance(data, dict):
        report.add(node, "the glossary must be a mapping with 'products' and 'terms'")
        return Glossary.empty(), report.problems
    for key, _ in node.value:
        if key.value not in GLOSSARY_KEYS:
            report.add(key, f"unknown glossary key '{key.value}'{hint(key.value, GLOSSARY_KEYS)}")
    _check_products(report, node, data.get("products"))
    _check_terms(report, node, data.get("terms"))
    try:
        glossary = Glossary.from_data(data, report.path)
    except EntryError as exc:
        if not report.problems:  # refused for a reason lint did not foresee: still say so
            report.add(exc.line, exc.message)
        return Glossary.empty(), report.problems
    return glossary, report.problems


def _check_products(report: _Report, root, products: Any) -> None:
    if products is None:
        return
    if not isinstance(products, list):
        report.add(key_node(root, (), "products"), "'products' must be a list of {name, aliases}")
        return
    listing = node_at(root, ("products",))
    owners: dict[str, str] = {}
    for index, item in enumerate(products):
        item_node = node_at(listing, (index,))
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            report.add(item_node, f"product {index + 1} needs a 'name'")
            continue
        for key in item:
            if key not in PRODUCT_KEYS:
                report.add(
                    key_node(listing, (index,), key),
                    f"unknown key '{key}' in product '{name}'{hint(key, PRODUCT_KEYS)}",
                )
        if "generic" in item and not isinstance(item["generic"], bool):
            report.add(
                key_node(listing, (index,), "generic"),
                f"generic of product '{name}' must be true or false",
            )
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list):
            report.add(
                key_node(listing, (index,), "aliases"),
                f"aliases of product '{name}' must be a list",
            )
            continue
        for word in (name, *aliases):
            folded = re.sub(r"\s+", " ", str(word).casefold()).strip()
            if folded and owners.setdefault(folded, name) != name:
                report.add(
                    item_node, f"product '{name}': '{word}' also names product '{owners[folded]}'"
                )


def _check_terms(report: _Report, root, terms: Any) -> None:
    if terms is None:
        return
    if not isinstance(terms, list):
        report.add(
            key_node(root, (), "terms"), "'terms' must be a list of groups such as [cluster, 群集]"
        )
        return
    listing = node_at(root, ("terms",))
    for index, group in enumerate(terms):
        group_node = node_at(listing, (index,))
        if not isinstance(group, list):
            report.add(group_node, f"term group {index + 1} must be a list such as [cluster, 群集]")
            continue
        words = [str(w).strip() for w in group if w is not None and str(w).strip()]
        if len(words) < 2:
            report.add(
                group_node, f"term group {index + 1} needs two or more words that mean the same"
            )
            continue
        common = [w for w in words if common_words_only(w)]
        if common:
            report.add(
                group_node,
                f"term group {index + 1} holds the very common word '{common[0]}': "
                "every paste with it would pull the whole group into the search; "
                "keep groups specific",
            )
