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
from .spec import TEXT_KINDS, Leaf, Rule
from .textmatch import TextMatcher

CORPUS_FILE = Path(__file__).resolve().parent.parent / "data" / "unrelated_pastes.yaml"


@lru_cache(maxsize=1)
def unrelated_pastes() -> tuple[str, ...]:
    """The built-in corpus of pastes no entry should claim."""
    with open(CORPUS_FILE, encoding="utf-8") as fh:
        return tuple(str(p) for p in yaml.safe_load(fh) if str(p).strip())


@lru_cache(maxsize=4)
def _normalised(glossary: Glossary | None) -> tuple[Normalised, ...]:
    return tuple(normalise(p, glossary) for p in unrelated_pastes())


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


def vet(rules: Iterable[Rule], glossary: Glossary | None = None) -> list[Verdict]:
    """Which unrelated pastes each rule holds for (none, for a rule narrow enough to keep)."""
    rules = list(rules)
    texts: dict[str, Leaf] = {}
    for rule in rules:
        for alternative in rule.alternatives():
            for leaf in alternative:
                for child in leaf.value if leaf.kind == "anytext" else (leaf,):
                    if child.kind in TEXT_KINDS:
                        texts[child.key] = child
    matcher = TextMatcher(list(texts.values()))
    fired: dict[int, list[int]] = {i: [] for i in range(len(rules))}
    for number, paste in enumerate(_normalised(glossary)):
        present = _fact_keys(paste)
        present |= {m.key for m in matcher.match(paste.masked, paste.focus)}
        for i, rule in enumerate(rules):
            if any(all(_holds(leaf, present) for leaf in alt) for alt in rule.alternatives()):
                fired[i].append(number)
    return [Verdict(rule, tuple(fired[i])) for i, rule in enumerate(rules)]


def _holds(leaf: Leaf, present: set[str]) -> bool:
    if leaf.kind == "anytext":
        return any(child.key in present for child in leaf.value)
    return leaf.key in present  # facts and text matches are keyed like the leaves test them
