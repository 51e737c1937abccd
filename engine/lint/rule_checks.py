"""Checks on an entry's rules: each compiles (the engine's ``parse_rule`` decides) and is narrow.

A rule is over-broad when it would answer pastes it knows nothing about. Two ways to tell:

- from its text: a ``product:`` or ``source:`` alone, or a phrase of stop words or very
  common words ("error", "failed", "没有") that nothing else in the rule narrows;
- by running it, alone, against a built-in corpus of unrelated pastes (other events, other
  tools' errors, chat questions, in English and Chinese): firing on more than a third of them
  means it would fire on most pastes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..entry import Entry, Signatures
from ..errors import did_you_mean
from ..glossary import Glossary
from ..kb import GLOSSARY_FILE
from ..model import CONTRADICTION
from ..normalise import normalise
from ..rules import RuleBook, rule_label
from ..rules.spec import LEAF_KINDS, Leaf, Rule, RuleError, parse_rule
from .entry_checks import describe
from .source import PLACEHOLDER_ID, Source, find_leaf, node_at

OVER_BROAD_SHARE = 1 / 3
CORPUS_FILE = Path(__file__).resolve().parent.parent / "data" / "unrelated_pastes.yaml"

# A phrase made only of these words holds for almost any paste: it may narrow a rule that
# something else decides ("missing" / "没有" after an IP-address phrase), never decide alone.
STOP_WORDS = frozenset(
    """a an the and or but if then else of to in on at by for with from into onto as is are
    was were be been being it its this that these those there here has have had do does did
    not no yes so than too very can could will would should may might must shall i you he she
    we they me my your our their his her them us what which who whom when where why how all
    any some each every other such only own same just also
    的 了 是 在 和 与 或 及 我 你 他 她 它 我们 你们 他们 这 那 这个 那个 一个 有 没有 就 也 都 而 被 把 请""".split()  # noqa: SIM905
)
COMMON_WORDS = frozenset(
    """error errors fail fails failed failing failure failures warning warnings problem
    problems issue issues cannot can't unable working work works help please try again
    occurred occur occurs unknown invalid message messages code windows microsoft computer
    system
    错误 失败 问题 无法 不能 警告 帮助 出现 发生 未知 无效 重试 消息 代码 系统 计算机""".split()  # noqa: SIM905
)
_TOKENS = re.compile(r"[\u3400-\u9fff]+|[^\W\d_]+(?:'[a-z]+)?|\d+")


@dataclass
class Probe:
    """A rule (or message signature) to run against the corpus, and where to report it."""

    src: Source
    label: str
    where: tuple[int, int]
    rule: dict | None = None  # the writer's spec, as the rule book compiles specs
    message: str | None = None

    def entry(self, entry_id: str) -> Entry:
        """A one-rule entry: the probe alone, as the engine would compile it."""
        if self.rule is not None:
            return Entry(id=entry_id, title="probe", rules=(self.rule,))
        return Entry(id=entry_id, title="probe", signatures=Signatures(messages=(self.message,)))


def check_rules(src: Source, glossary: Glossary, glossary_ok: bool) -> list[Probe]:
    """Report rules (the writer's and the generated ones) that do not compile or are
    over-broad from their text; return the probes."""
    probes: list[Probe] = []
    front = src.front_matter if src.node is not None else {}
    generated = front.get("generated_rules")
    generated_names = (
        {str(spec.get("name")) for spec in generated if isinstance(spec, dict) and spec.get("name")}
        if isinstance(generated, list)
        else set()
    )
    for key in ("rules", "generated_rules"):
        specs = front.get(key)
        names: dict[str, int] = {}
        for index, spec in enumerate(specs if isinstance(specs, list) else ()):
            probe = _check_one(src, key, index, spec, names, generated_names, glossary, glossary_ok)
            if probe is not None:
                probes.append(probe)
    signatures = front.get("signatures")
    messages = signatures.get("messages") if isinstance(signatures, dict) else None
    for index, message in enumerate(messages if isinstance(messages, list) else ()):
        if isinstance(message, (str, int, float)) and str(message).strip():
            where = src.where("signatures", "messages", index)
            probes.append(
                Probe(src, f"signature message {index + 1}", where, message=str(message).strip())
            )
    return probes


def _check_one(
    src, key, index, spec, names, generated_names, glossary, glossary_ok
) -> Probe | None:
    """One rule of *key* (``rules`` or ``generated_rules``): problems added, its probe back."""
    where = src.where(key, index)
    label = rule_label(index, spec, generated=key == "generated_rules")
    switch_off = isinstance(spec, dict) and spec.get("disabled") is True
    if key == "rules" and switch_off and not set(spec) - {"name", "disabled"}:
        if str(spec.get("name")) not in generated_names:
            src.add(
                where,
                f"{label} switches off a generated rule, but no generated rule is named "
                f"'{spec.get('name')}'" + did_you_mean(str(spec.get("name")), generated_names),
            )
        return None
    if spec is None or (isinstance(spec, dict) and not set(spec) - {"name", "weight", "disabled"}):
        kinds = ", ".join(k for k in LEAF_KINDS if k != "message")
        src.add(where, f"{label} has no condition: give it one of {kinds}, message, all or any")
        src.covered.add(key)
        return None
    if not isinstance(spec, dict):
        fix = f": write '- phrase: {spec}'" if isinstance(spec, str) else ""
        src.add(
            where,
            f"{label} must be a mapping such as {{phrase: ...}}, not {describe(spec)}{fix}",
        )
        src.covered.add(key)
        return None
    name = str(spec.get("name") or f"rule-{index + 1}")
    if name in names:
        src.add(
            where,
            f"{label}: the name '{name}' is already used by rule {names[name] + 1}; "
            "give each rule its own name",
        )
    names.setdefault(name, index)
    rule = _compile(src, spec, index, label, where, glossary, key)
    if rule is None:
        return None
    if glossary_ok:
        _check_products(src, rule, index, label, where, glossary, key)
    problem = static_breadth(rule, label)
    if problem:
        src.add(where, problem)
        return None
    return Probe(src, label, where, rule={k: v for k, v in spec.items() if k != "disabled"})


def _leaf_where(
    src: Source, index: int, kind: str, value: str, default: tuple[int, int], key: str = "rules"
) -> tuple[int, int]:
    node = find_leaf(node_at(src.node, (key, index)), kind, value)
    return src.position(node) if node is not None else default


def _compile(src, spec, index, label, where, glossary: Glossary, key: str = "rules") -> Rule | None:
    try:
        return parse_rule(spec, src.entry_id or PLACEHOLDER_ID, index, glossary.canonical_product)
    except RuleError as exc:
        # a bad regex is reported on its own line, anything else on the rule's
        regex = re.match(r"regex /(.*)/: ", str(exc), re.DOTALL)
        at = _leaf_where(src, index, "regex", regex.group(1), where, key) if regex else where
        src.add(at, f"{label}: {exc}")
        return None


def _check_products(
    src, rule: Rule, index, label, where, glossary: Glossary, key: str = "rules"
) -> None:
    names = {p.name for p in glossary.products}
    for leaf in leaves(rule):
        if leaf.kind == "product" and leaf.value not in names:
            nearest = glossary.nearest_product(str(leaf.value))
            src.add(
                _leaf_where(src, index, "product", str(leaf.value), where, key),
                f"{label}: product '{leaf.value}' is not in {GLOSSARY_FILE}, so it never matches"
                + (f" (did you mean '{nearest}'?)" if nearest else ""),
            )


def leaves(rule: Rule) -> list[Leaf]:
    """Every test in a rule, with "any of these texts" opened up."""
    out: list[Leaf] = []
    for alternative in rule.alternatives():
        for leaf in alternative:
            out.extend(leaf.value if leaf.kind == "anytext" else (leaf,))
    return list(dict.fromkeys(out))


def _words(text: str) -> list[str]:
    return _TOKENS.findall(str(text).casefold())


def common_words_only(text: str) -> bool:
    """Made of words any error paste has ("error", "failed", "无法")?"""
    words = _words(text)
    return bool(words) and all(w in STOP_WORDS or w in COMMON_WORDS for w in words)


def _weak(leaf: Leaf) -> bool:
    """Can this test hold for almost any paste? Then it must not decide a rule alone."""
    if leaf.kind in ("product", "source"):
        return True
    if leaf.kind == "phrase":
        return common_words_only(leaf.value)
    if leaf.kind == "anytext":  # any of several texts: as weak as its weakest
        return any(_weak(child) for child in leaf.value)
    return False


def static_breadth(rule: Rule, label: str) -> str | None:
    """Why *rule* is over-broad judging from its text alone, or None."""
    for alternative in rule.alternatives():
        if all(_weak(leaf) for leaf in alternative):
            common = [
                t
                for leaf in alternative
                for t in (leaf.value if leaf.kind == "anytext" else (leaf,))
                if t.kind == "phrase" and common_words_only(t.value)
            ]
            if not common:
                return (
                    f"{label} is over-broad: a product or source alone matches every paste "
                    "that names it; combine it with a phrase, event or code under 'all:'"
                )
            return (
                f"{label} is over-broad: phrase '{common[0].value}' is made of common words "
                "and nothing else in the rule narrows it"
            )
    return None


@lru_cache(maxsize=1)
def unrelated_pastes() -> tuple[str, ...]:
    """The built-in corpus: pastes no entry should claim (``engine/data/unrelated_pastes.yaml``)."""
    with open(CORPUS_FILE, encoding="utf-8") as fh:
        return tuple(str(p) for p in yaml.safe_load(fh) if str(p).strip())


def check_breadth(probes: list[Probe], glossary: Glossary) -> None:
    """Run every probe alone against the corpus (one rule book, one entry per probe)."""
    if not probes:
        return
    pastes = unrelated_pastes()
    entries = [p.entry(f"probe-{i}") for i, p in enumerate(probes)]
    fired: dict[str, int] = {}
    book = RuleBook(entries, glossary)
    try:
        for paste in pastes:
            hits = book.evaluate(normalise(paste, glossary))
            # a contradiction is the paste speaking against the entry, not the rule firing
            for entry_id in {hit.entry_id for hit in hits if hit.kind != CONTRADICTION}:
                fired[entry_id] = fired.get(entry_id, 0) + 1
    finally:
        book.close()
    for i, probe in enumerate(probes):
        count = fired.get(f"probe-{i}", 0)
        if count > len(pastes) * OVER_BROAD_SHARE:
            probe.src.add(
                probe.where,
                f"{probe.label} is over-broad: it fires on {count} of "
                f"{len(pastes)} unrelated pastes",
            )
