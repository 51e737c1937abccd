"""Rule specs: what writers put under ``rules:`` in an entry, parsed into a condition tree.

A rule is a condition plus a weight::

    rules:
      - name: dns-signature            # optional; defaults to "rule-1", "rule-2", ...
        weight: 0.95                   # 0 < weight <= 1; default 0.8
        all:                           # every item must hold ...
          - event: 1196                # ... an event ID (optionally {id: 1196, source: ...})
          - any:                       # ... and at least one of these
              - phrase: DNS signature failed to verify
              - regex: 'DNS (?:signature|server) fail'

Leaf conditions: ``event``, ``source``, ``phrase``, ``regex``, ``code``, ``product``, and
``message`` (an error line as shown; matched clause by clause so that another Windows
version's wording still matches). A rule may also be a single leaf (``- phrase: ...``).

Each entry's ``signatures`` also become rules ("implicit rules"), so that an entry with a
message line or an event ID is matched even when its writer wrote no rule.

Everything here is pure Python: no durable_rules, no text matching.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..entry import Entry
from ..facts import WIN32_MAX, canonical_code, canonical_source
from ..hanzi import to_simplified
from .regex_safety import RegexRejected, check_regex

LEAF_KINDS = ("event", "source", "phrase", "regex", "code", "product", "message")
TEXT_KINDS = ("phrase", "message", "regex")
# ``disabled: true`` (writers only) switches off the generated rule of the same name.
RULE_KEYS = {"name", "weight", "all", "any", "disabled", *LEAF_KINDS}
# What produced a rule; calibration (engine.calibration) weighs each kind on its own record.
RULE_KINDS = (
    "message",  # a signature message
    "event-source",  # a signature event with its source
    "event",  # a signature event ID alone
    "code",  # a signature error code
    "phrase",  # a signature key phrase
    "generated",  # derived from the signatures by `kb ingest` (generated_rules)
    "writer",  # written by a writer (rules)
)
DEFAULT_WEIGHT = 0.8
# Implicit rules from signatures, weighted by how specific each kind of evidence is.
WEIGHT_MESSAGE = 0.9
WEIGHT_EVENT_WITH_SOURCE = 0.7
WEIGHT_EVENT = 0.5
WEIGHT_CODE = 0.7
WEIGHT_PHRASE = 0.4  # one rare phrase of the symptom: evidence, not proof
# A rule expands to at most this many alternatives (its disjunctive normal form).
MAX_ALTERNATIVES = 64
MIN_PHRASE_CHARS = 3


class RuleError(ValueError):
    """A rule that cannot be compiled; ``rule_index`` says which (0-based), for kb lint."""

    def __init__(self, message: str, rule_index: int | None = None):
        super().__init__(message)
        self.rule_index = rule_index
        self.generated = False  # the rule is one of generated_rules, not rules


@dataclass(frozen=True)
class Leaf:
    """One test on the paste. ``value`` is canonical: int event, folded phrase, etc."""

    kind: str
    value: Any

    @cached_property
    def key(self) -> str:
        """Identity of the test, shared by every rule that makes it (facts are routed by it).

        Text tests are keyed by a digest: facts stay small whatever the writer's text.
        """
        if self.kind == "anytext":
            parts = "\n".join(sorted(leaf.key for leaf in self.value))
            return "anytext:" + hashlib.sha1(parts.encode("utf-8")).hexdigest()[:16]
        if self.kind in TEXT_KINDS:
            digest = hashlib.sha1(str(self.value).encode("utf-8")).hexdigest()[:16]
            return f"{self.kind}:{digest}"
        return f"{self.kind}:{self.value}"

    def describe(self) -> str:
        if self.kind == "anytext":
            return f"any of {len(self.value)} texts"
        if self.kind == "event":
            return f"event {self.value}"
        if self.kind in ("phrase", "message"):
            text = self.value if len(self.value) <= 80 else self.value[:77] + "..."
            return f"{self.kind} '{text}'"
        if self.kind == "regex":
            return f"regex /{self.value}/"
        if self.kind == "code":
            return f"code {self.value}{win32_number(str(self.value))}"
        return f"{self.kind} {self.value}"


def win32_number(code: str) -> str:
    """' (Win32 error 1331)' for an HRESULT made from a Win32 error, else '': a paste saying
    "System error 1331" is matched as 0x80070533, and the agent should see the number they
    pasted.

    >>> win32_number("0x80070533"), win32_number("0x80004005")
    (' (Win32 error 1331)', '')
    """
    if code.startswith("0x8007") and len(code) == 10:
        number = int(code[6:], 16)
        if 0 < number <= WIN32_MAX:
            return f" (Win32 error {number})"
    return ""


@dataclass(frozen=True)
class Condition:
    """``op`` is "all", "any" or "leaf"."""

    op: str
    children: tuple[Condition, ...] = ()
    leaf: Leaf | None = None


@dataclass(frozen=True)
class Rule:
    entry_id: str
    name: str
    weight: float
    condition: Condition
    implicit: bool = False
    kind: str = "writer"

    def alternatives(self) -> list[tuple[Leaf, ...]]:
        """The rule as an OR of ANDs of leaves (each AND becomes one durable_rules rule)."""
        return list(self._alternatives)

    @cached_property
    def _alternatives(self) -> tuple[tuple[Leaf, ...], ...]:
        return tuple(_dnf(self.condition))


def fold_phrase(text: str) -> str:
    """The form phrases and pastes are compared in: case-folded, spaces collapsed, Simplified."""
    return re.sub(r"\s+", " ", to_simplified(str(text)).casefold()).strip()


def _leaf(kind: str, raw: Any, canonical_product) -> Condition:
    """A leaf condition; ``event: {id, source}`` becomes all(event, source)."""
    if kind == "event":
        if isinstance(raw, dict):
            unknown = set(raw) - {"id", "source"}
            if unknown:
                raise RuleError(f"event takes id and source, not {', '.join(sorted(unknown))}")
            source = raw.get("source")
            raw = raw.get("id")
        else:
            source = None
        if isinstance(raw, bool) or not str(raw).strip().isdigit():
            raise RuleError(f"event {raw!r} must be a number such as 1196")
        value = int(str(raw).strip())
        if not 0 < value < 65536:
            raise RuleError(f"event {value} is out of range (1-65535)")
        event = Condition("leaf", leaf=Leaf("event", value))
        if not source:
            return event
        return Condition(
            "all", (event, Condition("leaf", leaf=Leaf("source", canonical_source(str(source)))))
        )
    return Condition("leaf", leaf=_text_leaf(kind, raw, canonical_product))


def _text_leaf(kind: str, raw: Any, canonical_product) -> Leaf:
    if not isinstance(raw, (str, int, float)) or isinstance(raw, bool) or not str(raw).strip():
        raise RuleError(f"{kind} needs a non-empty text value")
    text = str(raw)
    if kind == "source":
        return Leaf("source", canonical_source(text))
    if kind == "code":
        if isinstance(raw, int):  # YAML read an unquoted 0x80070005 as a number
            return Leaf("code", f"0x{raw:08x}")
        return Leaf("code", canonical_code(text))
    if kind == "product":
        name = canonical_product(text) if canonical_product else None
        return Leaf("product", name or text.strip())
    if kind == "phrase":
        folded = fold_phrase(text)
        if len(folded) < MIN_PHRASE_CHARS and not re.search(r"[\u3400-\u9fff]{2}", folded):
            raise RuleError(
                f"phrase '{text}' is too short to mean anything (3 characters at least)"
            )
        return Leaf("phrase", folded)
    if kind == "message":
        return Leaf("message", text.strip())
    if kind == "regex":
        try:
            check_regex(text)
        except RegexRejected as exc:
            raise RuleError(f"regex /{text}/: {exc}") from None
        return Leaf("regex", text)
    raise RuleError(f"unknown condition '{kind}'")


def parse_condition(node: Any, canonical_product=None, depth: int = 0) -> Condition:
    if depth > 6:
        raise RuleError("conditions nest too deeply (6 levels at most)")
    if not isinstance(node, Mapping):
        raise RuleError(f"a condition must be a mapping such as {{phrase: ...}}, not {node!r}")
    keys = [k for k in node if k not in ("name", "weight")]
    if len(keys) != 1:
        listed = ", ".join(map(str, keys)) or "nothing"
        raise RuleError(
            f"a condition has exactly one of all, any, {', '.join(LEAF_KINDS)} (found: {listed})"
        )
    key = keys[0]
    value = node[key]
    if key in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise RuleError(f"'{key}' needs a non-empty list of conditions")
        children = tuple(parse_condition(c, canonical_product, depth + 1) for c in value)
        return Condition(key, children)
    if key not in LEAF_KINDS:
        hint = _did_you_mean(str(key), RULE_KEYS)
        raise RuleError(f"unknown condition '{key}'{hint}")
    return _leaf(key, value, canonical_product)


def _did_you_mean(word: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _dnf(cond: Condition) -> list[tuple[Leaf, ...]]:
    if cond.op == "leaf":
        return [(cond.leaf,)]
    if cond.op == "any":
        out: list[tuple[Leaf, ...]] = []
        children = list(cond.children)
        texts = [c.leaf for c in children if c.op == "leaf" and c.leaf.kind in TEXT_KINDS]
        if len(texts) > 1:
            # "any of these phrases" is one text test, matched in Python: a rule such as
            # all(any(6 phrases), any(11 phrases)) is one conjunction of two facts, not 66.
            out.append((Leaf("anytext", tuple(sorted(set(texts), key=lambda l: l.key))),))
            children = [c for c in children if not (c.op == "leaf" and c.leaf in texts)]
        for child in children:
            out.extend(_dnf(child))
            if len(out) > MAX_ALTERNATIVES:
                raise RuleError(f"rule expands to more than {MAX_ALTERNATIVES} alternatives")
        return _dedupe(out)
    combos: list[tuple[Leaf, ...]] = [()]
    for child in cond.children:
        combos = [a + b for a in combos for b in _dnf(child)]
        if len(combos) > MAX_ALTERNATIVES:
            raise RuleError(f"rule expands to more than {MAX_ALTERNATIVES} alternatives")
    return _dedupe(combos)


def _dedupe(alternatives: list[tuple[Leaf, ...]]) -> list[tuple[Leaf, ...]]:
    seen: dict[tuple[Leaf, ...], None] = {}
    for alt in alternatives:
        seen.setdefault(tuple(dict.fromkeys(alt)), None)
    return list(seen)


def parse_rule(
    spec: Any, entry_id: str, index: int, canonical_product=None, kind: str = "writer"
) -> Rule:
    """One rule; raises :class:`RuleError` (with the rule's index) when it is wrong."""
    try:
        if not isinstance(spec, Mapping):
            raise RuleError("a rule must be a mapping")
        unknown = [k for k in spec if k not in RULE_KEYS]
        if unknown:
            hint = _did_you_mean(str(unknown[0]), RULE_KEYS)
            raise RuleError(f"unknown rule key '{unknown[0]}'{hint}")
        weight = spec.get("weight", DEFAULT_WEIGHT)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 < weight <= 1:
            raise RuleError(f"weight {weight!r} must be a number above 0 and at most 1")
        name = str(spec.get("name") or f"rule-{index + 1}")
        condition = parse_condition(
            {k: v for k, v in spec.items() if k != "disabled"}, canonical_product
        )
        rule = Rule(entry_id, name, float(weight), condition, kind=kind)
        rule.alternatives()  # raises when the rule explodes
        return rule
    except RuleError as exc:
        exc.rule_index = index
        raise


def implicit_rules(entry: Entry) -> list[Rule]:
    """Rules that come from an entry's signatures, so every signature is matched."""
    rules: list[Rule] = []
    for i, message in enumerate(entry.signatures.messages):
        if message.strip():
            leaf = Leaf("message", message.strip())
            rules.append(
                Rule(
                    entry.id,
                    f"signature-message-{i + 1}",
                    WEIGHT_MESSAGE,
                    Condition("leaf", leaf=leaf),
                    True,
                    "message",
                )
            )
    for event in entry.signatures.events:
        bare = Condition("leaf", leaf=Leaf("event", event.id))
        if event.source:
            source = Condition("leaf", leaf=Leaf("source", canonical_source(event.source)))
            rules.append(
                Rule(
                    entry.id,
                    f"signature-event-{event.id}-{canonical_source(event.source)}",
                    WEIGHT_EVENT_WITH_SOURCE,
                    Condition("all", (bare, source)),
                    True,
                    "event-source",
                )
            )
        rules.append(
            Rule(entry.id, f"signature-event-{event.id}", WEIGHT_EVENT, bare, True, "event")
        )
    for code in entry.signatures.codes:
        leaf = Leaf("code", canonical_code(code))
        rules.append(
            Rule(
                entry.id,
                f"signature-code-{leaf.value}",
                WEIGHT_CODE,
                Condition("leaf", leaf=leaf),
                True,
                "code",
            )
        )
    for i, phrase in enumerate(entry.signatures.phrases):
        try:
            leaf = _text_leaf("phrase", phrase, None)
        except RuleError:
            continue  # too short to mean anything; kb lint names it
        rules.append(
            Rule(
                entry.id,
                f"signature-phrase-{i + 1}",
                WEIGHT_PHRASE,
                Condition("leaf", leaf=leaf),
                True,
                "phrase",
            )
        )
    return rules


def _switches_off(spec: Mapping) -> bool:
    """A writer's ``{name: auto-..., disabled: true}``: no rule, only a generated one removed."""
    return spec.get("disabled") is True and not set(spec) - {"name", "disabled"}


def entry_rules(entry: Entry, canonical_product=None) -> tuple[list[Rule], list[RuleError]]:
    """All rules of an entry (implicit, generated, written); broken ones come back as errors.

    A writer's rule replaces the generated rule of the same name (the writer's version wins,
    and re-ingesting leaves it alone); ``disabled: true`` under that name removes it.
    """
    rules = implicit_rules(entry)
    errors: list[RuleError] = []
    written = {str(spec.get("name")) for spec in entry.rules if spec.get("name")}
    for index, spec in enumerate(entry.generated_rules):
        if str(spec.get("name")) in written:
            continue
        try:
            rules.append(parse_rule(spec, entry.id, index, canonical_product, "generated"))
        except RuleError as exc:
            exc.generated = True
            errors.append(exc)
    for index, spec in enumerate(entry.rules):
        if _switches_off(spec):
            continue
        try:
            rule = parse_rule(spec, entry.id, index, canonical_product)
        except RuleError as exc:
            errors.append(exc)
            continue
        if spec.get("disabled") is not True:
            rules.append(rule)
    return rules, errors
