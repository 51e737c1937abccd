"""Step 3 of the pipeline: the rule book, compiled from the entries' front matter.

    Normalised paste --facts_for--> typed facts --durable_rules--> fired conjunctions --> RuleHit

Writers own the rules (``rules:`` and ``signatures:`` in each entry, see :mod:`.spec`); text
conditions are matched in Python (:mod:`.textmatch`); the boolean logic runs in
durable_rules (:mod:`.durable_engine`, the only module that imports it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..entry import Entry
from ..errors import EntryError
from ..facts import canonical_source
from ..glossary import Glossary
from ..model import CONTRADICTION, Normalised, RuleHit
from .contradiction import Contradictions, SaidOtherwise, quoted_errors
from .durable_engine import DurableRules, fact_expression
from .spec import TEXT_KINDS, Leaf, Rule, RuleError, entry_rules
from .textmatch import TextMatcher

__all__ = ["Leaf", "Rule", "RuleBook", "RuleError", "rule_label"]


def rule_label(index: int, spec: Any, generated: bool = False) -> str:
    """How messages name a rule: ``rule 2 ('name')``, ``rule 2`` without a name, ``generated
    rule 1 ('auto-...')`` for one of ``generated_rules``."""
    name = spec.get("name") if isinstance(spec, dict) else None
    kind = "generated rule" if generated else "rule"
    return f"{kind} {index + 1} ('{name}')" if name not in (None, "") else f"{kind} {index + 1}"


def _expression(leaf: Leaf) -> dict:
    if leaf.kind == "event":
        return fact_expression("event", "event_id", leaf.value)
    if leaf.kind in TEXT_KINDS or leaf.kind == "anytext":
        return fact_expression("text", "ref", leaf.key)
    return fact_expression(leaf.kind, leaf.kind, leaf.value)


# Which test of a conjunction to check first: the one least likely to hold for a random paste.
_SELECTIVITY = {
    "message": 0,
    "regex": 1,
    "phrase": 2,
    "anytext": 2,
    "code": 3,
    "event": 4,
    "product": 5,
    "source": 6,
}


def _selectivity(leaf: Leaf) -> int:
    return _SELECTIVITY.get(leaf.kind, 9)


@dataclass(frozen=True)
class _Alternative:
    rule: Rule
    leaves: tuple[Leaf, ...]


class RuleBook:
    """Every rule of a knowledge base, ready to evaluate pastes."""

    def __init__(self, entries: Iterable[Entry], glossary: Glossary | None = None):
        glossary = glossary or Glossary.empty()
        self.rules: list[Rule] = []
        # rules that do not compile, at their place in the file; the entry serves without them
        self.errors: list[EntryError] = []
        entries = list(entries)
        for entry in entries:
            rules, errors = entry_rules(entry, glossary.canonical_product)
            self.rules.extend(rules)
            for error in errors:
                index = error.rule_index or 0
                key = "generated_rules" if error.generated else "rules"
                specs = entry.generated_rules if error.generated else entry.rules
                line, col = entry.where(f"{key}.{index}")
                message = f"{rule_label(index, specs[index], error.generated)}: {error}"
                self.errors.append(EntryError(entry.path, line, message, col, key))
        self._alternatives = [
            _Alternative(rule, tuple(sorted(leaves, key=_selectivity)))
            for rule in self.rules
            for leaves in rule.alternatives()
        ]
        leaves = {leaf.key: leaf for alt in self._alternatives for leaf in alt.leaves}
        self._anytext = [l for l in leaves.values() if l.kind == "anytext"]
        texts = {l.key: l for l in leaves.values() if l.kind in TEXT_KINDS}
        texts.update((child.key, child) for group in self._anytext for child in group.value)
        self._text = TextMatcher(list(texts.values()))
        self._text_leaves = texts
        messages = {k: str(leaf.value) for k, leaf in texts.items() if leaf.kind == "message"}
        self._contradictions = Contradictions(entries, messages)
        # A conjunction of one test (every signature's rule, and most others) fires exactly
        # when its fact is present: that needs no reasoning, only a lookup. durable_rules gets
        # the conjunctions of two or more tests, which is where it earns its keep (and it costs
        # ~14 KB of C memory per rule it holds).
        self._single: dict[str, list[int]] = {}
        compound: list[int] = []
        for index, alt in enumerate(self._alternatives):
            if len(alt.leaves) == 1:
                self._single.setdefault(alt.leaves[0].key, []).append(index)
            else:
                compound.append(index)
        self._compound = compound
        self._durable = DurableRules(
            [tuple(leaf.key for leaf in self._alternatives[i].leaves) for i in compound],
            lambda key: _expression(leaves[key]),
        )

    def __len__(self) -> int:
        return len(self.rules)

    def facts_for(self, normalised: Normalised) -> dict[str, dict]:
        """The paste's facts as durable_rules facts, keyed like the leaves that test them.

        Facts no rule tests are left out (durable_rules would reject the whole batch).
        """
        return self._facts(normalised)[0]

    def _facts(self, normalised: Normalised) -> tuple[dict[str, dict], dict[str, SaidOtherwise]]:
        """:meth:`facts_for`, and what the paste says otherwise than each message it holds
        (:mod:`.contradiction`)."""
        facts: dict[str, dict] = {}
        said: dict[str, SaidOtherwise] = {}
        f = normalised.facts
        pasted = quoted_errors(f.masked.get("name", ()))
        for event in f.events:
            facts[f"event:{event.id}"] = {"kind": "event", "event_id": event.id}
        for source in f.sources:
            key = canonical_source(source)
            facts[f"source:{key}"] = {"kind": "source", "source": key}
        for code in f.codes:
            facts[f"code:{code}"] = {"kind": "code", "code": code}
        for product in f.products:
            facts[f"product:{product}"] = {"kind": "product", "product": product}
        matched: dict[str, float] = {}
        for match in self._text.match(normalised.masked, normalised.focus):
            matched[match.key] = match.quality
            if match.skipped or pasted:
                otherwise = self._contradictions.observe(
                    match.key, match.skipped, normalised.text, pasted
                )
                if otherwise:
                    said[match.key] = otherwise
            facts[match.key] = {
                "kind": "text",
                "ref": match.key,
                "quality": match.quality,
                "size": match.size,
            }
        for group in self._anytext:  # derived: any of its texts matched
            found = [(matched[c.key], c) for c in group.value if c.key in matched]
            if found:
                # the best match, and of equals the longest (the most specific) for `why`
                quality, child = max(found, key=lambda item: (item[0], len(str(item[1].value))))
                facts[group.key] = {
                    "kind": "text",
                    "ref": group.key,
                    "quality": quality,
                    "size": facts.get(child.key, {}).get("size", 0.0),
                    "via": child.key,
                }
                if child.key in said:
                    said[group.key] = said[child.key]
        wanted = self._durable.fact_keys
        facts = {k: v for k, v in facts.items() if k in wanted or k in self._single}
        return facts, said

    def evaluate(self, normalised: Normalised) -> list[RuleHit]:
        """Every rule that fires on the paste, best first; one hit per (entry, rule)."""
        facts, said = self._facts(normalised)
        best: dict[tuple[str, str], RuleHit] = {}
        fired_all = [
            (index, (fact,)) for key, fact in facts.items() for index in self._single.get(key, ())
        ]
        compound = {k: v for k, v in facts.items() if k in self._durable.fact_keys}
        fired_all += [(self._compound[i], found) for i, found in self._durable.evaluate(compound)]
        for index, fired in fired_all:
            alt = self._alternatives[index]
            replaced = ""
            if said and alt.rule.kind != "writer":  # a writer's rule is the writer's word
                found = [said[f["ref"]] for f in fired if f.get("ref") in said]
                replaced = self._contradictions.reason(alt.rule.entry_id, found)
            if replaced:
                # not evidence for the entry but against it: engine.rank holds it back
                key = (alt.rule.entry_id, alt.rule.name)
                if key not in best:
                    best[key] = RuleHit(
                        alt.rule.entry_id, alt.rule.name, 0.0, (replaced,), CONTRADICTION
                    )
                continue
            quality = min((fact.get("quality", 1.0) for fact in fired), default=1.0)
            size = max((fact.get("size", 0.0) for fact in fired), default=0.0)
            weight = alt.rule.weight * quality
            evidence = tuple(self._describe(leaf, fact) for leaf, fact in zip(alt.leaves, fired))
            key = (alt.rule.entry_id, alt.rule.name)
            if key not in best or best[key].weight < weight:
                best[key] = RuleHit(
                    alt.rule.entry_id, alt.rule.name, weight, evidence, alt.rule.kind, quality, size
                )
        return sorted(best.values(), key=lambda h: (-h.weight, h.entry_id, h.rule))

    def _describe(self, leaf: Leaf, fact: dict) -> str:
        """What a fired test saw, for ``why``: the phrase that matched, not "any of 6 texts"."""
        if leaf.kind == "anytext" and fact.get("via") in self._text_leaves:
            leaf = self._text_leaves[fact["via"]]
        quality = fact.get("quality", 1.0)
        return leaf.describe() + (f" ({quality:.0%} of it)" if quality < 1 else "")

    def warm_up(self) -> int:
        """Load durable_rules' engine now (servers call this at start-up)."""
        return self._durable.warm_up()

    def close(self) -> None:
        self._durable.close()
