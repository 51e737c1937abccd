"""The domain glossary: product names and cross-language term groups, kept as data in ``kb/``.

``kb/glossary.yaml`` is a writer's file, read at start-up::

    products:
      - name: Failover Clustering
        aliases: [failover cluster, 故障转移群集]
    terms:
      - [cluster, 群集, 集群]
      - [DNS server, DNS 服务器]

A product alias found in a paste becomes a ``product`` fact; a term found in a paste brings
the other words of its group into the search query, which is how an English paste finds an
entry written in Chinese and the reverse.

>>> g = Glossary.from_data({"products": [{"name": "Hyper-V", "aliases": ["hyperv"]}],
...                         "terms": [["processor", "处理器"]]})
>>> g.products_in("live migration on HyperV failed")
['Hyper-V']
>>> [sorted(grp) for grp in g.groups_in("未知 处理器")]
[['processor', '处理器']]
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from .errors import EntryError

GLOSSARY_FILE = "glossary.yaml"
# The built-in glossary: products and domain terms of the Windows Server / virtualisation
# world in English and Chinese, so that a KB made by `kb ingest` alone (no glossary of its
# own) still knows its products and crosses languages. A KB's own glossary adds to it.
BUILTIN_FILE = Path(__file__).resolve().parent / "data" / GLOSSARY_FILE
_WORD = re.compile(r"\w", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def fold(text: str) -> str:
    """Case- and space-folding used on both sides of every glossary match."""
    return re.sub(r"\s+", " ", text.casefold()).strip()


@dataclass(frozen=True)
class Product:
    name: str
    aliases: tuple[str, ...]
    generic: bool = False  # a platform (Windows Server): never evidence of an off-topic paste


class _Matcher:
    """Find many literal phrases in a text at once (an Aho-Corasick automaton).

    Latin phrases must sit on word boundaries ("vm" must not match inside "vmware");
    CJK phrases have no spaces to sit between, so they match anywhere.
    """

    def __init__(self, phrases: Iterable[tuple[str, Any]]):
        self._automaton = ahocorasick.Automaton()
        count = 0
        for phrase, payload in phrases:
            key = fold(phrase)
            if not key:
                continue
            existing = self._automaton.get(key, None)
            payloads = existing[1] if existing else []
            payloads.append(payload)
            self._automaton.add_word(key, (key, payloads))
            count += 1
        self._empty = count == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, folded_text: str) -> list[tuple[int, int, Any]]:
        """(start, end, payload) of every phrase occurrence in *folded_text*."""
        if self._empty:
            return []
        found = []
        for end, (key, payloads) in self._automaton.iter(folded_text):
            start = end - len(key) + 1
            if not _CJK.search(key):
                before = folded_text[start - 1] if start > 0 else " "
                after = folded_text[end + 1] if end + 1 < len(folded_text) else " "
                if _WORD.match(before) or _WORD.match(after):
                    continue
            for payload in payloads:
                found.append((start, end + 1, payload))
        return found


class Glossary:
    """Products and term groups, with fast lookup in a paste."""

    def __init__(self, products: list[Product], groups: list[tuple[str, ...]]):
        self.products = products
        self.groups = groups
        self._product_matcher = _Matcher(
            (alias, p.name) for p in products for alias in (p.name, *p.aliases)
        )
        self._term_matcher = _Matcher(
            (term, index) for index, group in enumerate(groups) for term in group
        )

    @property
    def generic_products(self) -> frozenset[str]:
        return frozenset(p.name for p in self.products if p.generic)

    @classmethod
    def empty(cls) -> Glossary:
        return cls([], [])

    @classmethod
    def from_data(cls, data: Any, path: Path | str | None = None) -> Glossary:
        if data is None:
            return cls.empty()
        if not isinstance(data, dict):
            raise EntryError(path, 1, "the glossary must be a mapping with 'products' and 'terms'")
        unknown = set(data) - {"products", "terms"}
        if unknown:
            raise EntryError(path, 1, f"unknown glossary key(s): {', '.join(sorted(unknown))}")
        products = []
        for item in data.get("products") or []:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                raise EntryError(path, 1, f"glossary product {item!r} needs a 'name'")
            aliases = item.get("aliases") or []
            if not isinstance(aliases, list):
                raise EntryError(path, 1, f"aliases of product {item['name']!r} must be a list")
            unknown = set(item) - {"name", "aliases", "generic"}
            if unknown:
                raise EntryError(
                    path,
                    1,
                    f"glossary product {item['name']!r}: unknown key(s) {', '.join(sorted(unknown))}",
                )
            products.append(
                Product(item["name"], tuple(str(a) for a in aliases), bool(item.get("generic")))
            )
        groups = []
        for group in data.get("terms") or []:
            if not isinstance(group, list) or len(group) < 2:
                raise EntryError(path, 1, f"glossary term group {group!r} needs two or more words")
            groups.append(tuple(str(t) for t in group))
        return cls(products, groups)

    @classmethod
    def load(cls, kb_dir: Path) -> Glossary:
        """The built-in glossary plus ``kb_dir/glossary.yaml`` (the KB's own words win)."""
        own = cls.read(Path(kb_dir) / GLOSSARY_FILE)
        return builtin().merged(own)

    def merged(self, other: Glossary) -> Glossary:
        """This glossary with *other*'s products and groups added; a product both name takes
        the aliases of both and *other*'s ``generic`` flag."""
        products = {p.name: p for p in self.products}
        for product in other.products:
            base = products.get(product.name)
            aliases = (*base.aliases, *product.aliases) if base else product.aliases
            products[product.name] = Product(
                product.name, tuple(dict.fromkeys(aliases)), product.generic
            )
        groups = list(dict.fromkeys([*self.groups, *other.groups]))
        return Glossary(list(products.values()), groups)

    @classmethod
    def read(cls, path: Path) -> Glossary:
        """One glossary file; a missing file is an empty glossary."""
        if not path.exists():
            return cls.empty()
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark else 1
            raise EntryError(
                path, line, f"glossary is not valid YAML: {getattr(exc, 'problem', exc)}"
            )
        return cls.from_data(data, path)

    def canonical_product(self, name: str) -> str | None:
        """The glossary's name for *name* (itself or an alias), or None."""
        hits = self._product_matcher.find(fold(name))
        whole = [p for (s, e, p) in hits if e - s == len(fold(name))]
        return whole[0] if whole else None

    def products_in(self, text: str) -> list[str]:
        """Canonical names of the products mentioned in *text*, in order of first mention."""
        seen: dict[str, None] = {}
        for _, _, name in sorted(self._product_matcher.find(fold(text))):
            seen.setdefault(name, None)
        return list(seen)

    def groups_in(self, text: str) -> list[tuple[str, ...]]:
        """The term groups one of whose words occurs in *text*."""
        indexes: dict[int, None] = {}
        for _, _, index in sorted(self._term_matcher.find(fold(text))):
            indexes.setdefault(index, None)
        return [self.groups[i] for i in indexes]


@lru_cache(maxsize=1)
def _builtin_data() -> Glossary:
    return Glossary.read(BUILTIN_FILE)


def builtin() -> Glossary:
    """The built-in glossary (parsed once per process)."""
    return _builtin_data()
