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

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ahocorasick

from .errors import EntryError, did_you_mean

GLOSSARY_KEYS = ("products", "terms")
PRODUCT_KEYS = ("name", "aliases", "generic")
# (line, col) of the value at a path of keys and list indexes, e.g. ("products", 2, "aliases"),
# or of the last key itself when the flag is set
Where = Callable[[tuple, bool], tuple[int, int]]
# The built-in glossary: products and domain terms of the Windows Server / virtualisation
# world in English and Chinese, so that a KB made by `kb ingest` alone (no glossary of its
# own) still knows its products and crosses languages. A KB's own glossary adds to it.
BUILTIN_FILE = Path(__file__).resolve().parent / "data" / "glossary.yaml"
_SPACES = re.compile(r"\s+")


def _word_char(c: str) -> bool:
    """What ``\\w`` matches (checked over every code point), without a regex call per character."""
    return c.isalnum() or c == "_"


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def fold(text: str) -> str:
    """Case- and space-folding used on both sides of every glossary match."""
    return _SPACES.sub(" ", text.casefold()).strip()


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
            # (length, payloads, whether it must sit on word boundaries): decided once here,
            # not per occurrence (a paste holds a hundred occurrences of glossary words)
            self._automaton.add_word(key, (len(key), payloads, not _CJK.search(key)))
            count += 1
        self._empty = count == 0
        if not self._empty:
            self._automaton.make_automaton()

    def find(self, folded_text: str) -> list[tuple[int, int, Any]]:
        """(start, end, payload) of every phrase occurrence in *folded_text*."""
        if self._empty:
            return []
        found = []
        last = len(folded_text) - 1
        for end, (size, payloads, bounded) in self._automaton.iter(folded_text):
            start = end - size + 1
            if bounded and (
                (start > 0 and _word_char(folded_text[start - 1]))
                or (end < last and _word_char(folded_text[end + 1]))
            ):
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
    def from_data(
        cls, data: Any, path: Path | str | None = None, where: Where | None = None
    ) -> Glossary:
        """The glossary a ``glossary.yaml`` holds; the first of :func:`problems` is raised.

        *where* gives the (line, col) of a value by its path of keys (the file's reader passes
        one; without it every problem is reported at line 1).
        """
        found = problems(data, path, where)
        if found:
            raise found[0]
        if data is None:
            return cls.empty()
        products = [
            Product(
                item["name"],
                tuple(str(a) for a in item.get("aliases") or ()),
                bool(item.get("generic")),
            )
            for item in data.get("products") or ()
        ]
        groups = [tuple(str(t) for t in group) for group in data.get("terms") or ()]
        return cls(products, groups)

    @classmethod
    def load(cls, kb_dir: Path) -> Glossary:
        """Read ``kb_dir/glossary.yaml`` (kept for ``ingest``; new code calls ``engine.kb.load_glossary``)."""
        from .kb import load_glossary  # engine.kb builds glossaries: it imports this module

        return load_glossary(kb_dir)

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

    def canonical_product(self, name: str) -> str | None:
        """The glossary's name for *name* (itself or an alias), or None."""
        hits = self._product_matcher.find(fold(name))
        whole = [p for (s, e, p) in hits if e - s == len(fold(name))]
        return whole[0] if whole else None

    def nearest_product(self, word: str) -> str | None:
        """The name of the product whose name or an alias is closest to *word* (a typo), or None.

        >>> Glossary([Product("Hyper-V", ("HyperV",))], []).nearest_product("Hyper V2")
        'Hyper-V'
        """
        owners = {alias: p.name for p in self.products for alias in (p.name, *p.aliases)}
        close = difflib.get_close_matches(str(word), sorted(owners), n=1, cutoff=0.6)
        return owners[close[0]] if close else None

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


def problems(
    data: Any, path: Path | str | None = None, where: Where | None = None
) -> list[EntryError]:
    """Everything that makes *data* (a parsed ``glossary.yaml``) unusable, each at its line."""
    at = where or (lambda keys, at_key=False: (1, 1))
    found: list[EntryError] = []

    def fail(message: str, *keys: str | int, at_key: bool = False) -> None:
        line, col = at(keys, at_key)
        found.append(EntryError(path, line, message, col))

    if data is None:
        return found
    if not isinstance(data, dict):
        fail("the glossary must be a mapping with 'products' and 'terms'")
        return found
    for key in data:
        if key not in GLOSSARY_KEYS:
            fail(
                f"unknown glossary key '{key}'{did_you_mean(key, GLOSSARY_KEYS)}", key, at_key=True
            )
    products = data.get("products")
    if products is not None and not isinstance(products, list):
        fail("'products' must be a list of {name, aliases}", "products", at_key=True)
    for index, item in enumerate(products if isinstance(products, list) else ()):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str) or not name.strip():
            fail(f"product {index + 1} needs a 'name'", "products", index)
            continue
        for key in item:
            if key not in PRODUCT_KEYS:
                fail(
                    f"unknown key '{key}' in product '{name}'{did_you_mean(key, PRODUCT_KEYS)}",
                    "products",
                    index,
                    key,
                    at_key=True,
                )
        if "generic" in item and not isinstance(item["generic"], bool):
            fail(
                f"generic of product '{name}' must be true or false",
                "products",
                index,
                "generic",
                at_key=True,
            )
        if not isinstance(item.get("aliases") or [], list):
            fail(
                f"aliases of product '{name}' must be a list",
                "products",
                index,
                "aliases",
                at_key=True,
            )
    terms = data.get("terms")
    if terms is not None and not isinstance(terms, list):
        fail("'terms' must be a list of groups such as [cluster, 群集]", "terms", at_key=True)
    for index, group in enumerate(terms if isinstance(terms, list) else ()):
        if not isinstance(group, list):
            fail(f"term group {index + 1} must be a list such as [cluster, 群集]", "terms", index)
        elif len([w for w in group if w is not None and str(w).strip()]) < 2:
            fail(
                f"term group {index + 1} needs two or more words that mean the same", "terms", index
            )
    return found


@lru_cache(maxsize=1)
def builtin() -> Glossary:
    """The built-in glossary (``engine/data/glossary.yaml``), parsed once per process."""
    import yaml

    data = yaml.safe_load(BUILTIN_FILE.read_text(encoding="utf-8"))
    found = problems(data, BUILTIN_FILE)
    if found:
        raise found[0]
    return Glossary.from_data(data, BUILTIN_FILE)
