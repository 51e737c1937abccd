"""Is a rule too broad? Run it against pastes it knows nothing about, without durable_rules.

Rules mined at ingest (signature messages and phrases, generated rules) are checked before
they are written: one that holds for a paste from the built-in corpus of unrelated pastes
(``engine/data/unrelated_pastes.yaml``: other events, other tools' errors, chat questions,
English and Chinese) would answer pastes it has nothing to do with, so it is dropped and
named. The corpus is normalised once per process; each check builds a text matcher for the
rules' own texts only, so vetting one article's few rules costs well under a millisecond.

The boolean logic is evaluated here in Python over the same facts and text matches the rule
book would hand durable_rules: the answer is the engine's, without creating rulesets.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..facts import canonical_source
from ..glossary import Glossary
from ..model import Normalised
from ..normalise import normalise
from .spec import TEXT_KINDS, Leaf, Rule, fold_phrase
from .templates import tokens
from .textmatch import TextMatcher

CORPUS_FILE = Path(__file__).resolve().parent.parent / "data" / "unrelated_pastes.yaml"


@lru_cache(maxsize=1)
def unrelated_pastes() -> tuple[str, ...]:
    """The built-in corpus of pastes no entry should claim."""
    with open(CORPUS_FILE, encoding="utf-8") as fh:
        return tuple(str(p) for p in yaml.safe_load(fh) if str(p).strip())


@dataclass(frozen=True)
class _Prepared:
    """One corpus paste as every check reads it, computed once per process."""

    facts: frozenset[str]  # its facts, keyed like the leaves that test them
    masked: str
    focus: str
    folded: tuple[str, str]
    tokens: list[str]


@lru_cache(maxsize=4)
def _corpus(glossary: Glossary | None) -> tuple[_Prepared, ...]:
    out = []
    for paste in unrelated_pastes():
        n = normalise(paste, glossary)
        out.append(
            _Prepared(
                frozenset(_fact_keys(n)),
                n.masked,
                n.focus,
                (fold_phrase(n.masked), fold_phrase(n.focus)),
                tokens(n.focus),
            )
        )
    return tuple(out)


def _fact_keys(paste: Normalised) -> set[str]:
    f = paste.facts
    keys = {f"event:{e.id}" for e in f.events}
    keys |= {f"source:{canonical_source(s)}" for s in f.sources}
    keys |= {f"code:{c}" for c in f.codes}
    keys |= {f"product:{p}" for p in f.products}
    return keys


@dataclass(frozen=True)
class Verdict:
    rule: Rule
    fired_on: tuple[int, ...]  # indexes of the unrelated pastes it holds for

    @property
    def broad(self) -> bool:
        return bool(self.fired_on)


def presence(rules: Iterable[Rule], glossary: Glossary | None = None) -> list[frozenset[str]]:
    """For each corpus paste, the keys of the tests (facts and texts of *rules*) it passes.

    One text matcher and one pass over the corpus, however many rules: check a batch at once.
    """
    texts: dict[str, Leaf] = {}
    for rule in rules:
        for alternative in rule.alternatives():
            for leaf in alternative:
                for child in leaf.value if leaf.kind == "anytext" else (leaf,):
                    if child.kind in TEXT_KINDS:
                        texts[child.key] = child
    # every message weighed on its own words, as if vetted alone: the verdict on one entry
    # must not depend on the others of the batch
    matcher = TextMatcher(list(texts.values()), rarity=False) if texts else None
    out = []
    for paste in _corpus(glossary):
        found = set(paste.facts)
        if matcher is not None:
            found |= {
                m.key for m in matcher.match(paste.masked, paste.focus, paste.tokens, paste.folded)
            }
        out.append(frozenset(found))
    return out


def holds(rule: Rule, present: frozenset[str]) -> bool:
    """Does *rule* fire on a paste that passes the tests *present*?"""
    return any(all(_holds(leaf, present) for leaf in alt) for alt in rule.alternatives())


def fires_on(rule: Rule, pastes: list[frozenset[str]]) -> int:
    """On how many of *pastes* (from :func:`presence`) *rule* fires.

    A rule none of whose alternatives has all its tests among everything the corpus passed
    cannot fire on any paste of it: most rules stop there, without a paste-by-paste check.
    """
    union = frozenset().union(*pastes) if pastes else frozenset()
    if not holds(rule, union):
        return 0
    return sum(1 for present in pastes if holds(rule, present))


def vet(rules: Iterable[Rule], glossary: Glossary | None = None) -> list[Verdict]:
    """Which unrelated pastes each rule holds for (none, for a rule narrow enough to keep)."""
    rules = list(rules)
    pastes = presence(rules, glossary)
    return [
        Verdict(rule, tuple(i for i, present in enumerate(pastes) if holds(rule, present)))
        for rule in rules
    ]


def _holds(leaf: Leaf, present: frozenset[str]) -> bool:
    if leaf.kind == "anytext":
        return any(child.key in present for child in leaf.value)
    return leaf.key in present  # facts and text matches are keyed like the leaves test them
