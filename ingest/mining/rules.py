"""Generated rules: conjunctions derived from an entry's mined signatures, and their vetting.

Each signature already works as a rule alone (engine.rules.spec.implicit_rules). What a
single signature cannot say is "these two together": an event ID *and* the message's text,
an error code *and* the symptom's key phrase, two rare phrases of the symptom at once. Those
conjunctions are what writers hand-wrote for the shipped KB; here they are derived, written
under ``generated_rules`` (so writers and ``kb lint`` tell them from their own) and
regenerated on every re-ingest. A writer's rule of the same name replaces one, and
``{name: ..., disabled: true}`` switches one off.

Every signature text and every generated rule is vetted before it is written: compiled by
the engine's own parser, checked for over-breadth from its text (a product or common words
alone), and run against the built-in corpus of unrelated pastes (engine.rules.vetting). What
fails is dropped and named, so the ingest summary says what was left out and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.entry import Entry, EventSignature, Signatures
from engine.glossary import Glossary
from engine.rules.spec import Rule, RuleError, implicit_rules, parse_rule
from engine.rules.vetting import fires_on, presence

from . import Mined

WEIGHT_EVENT_TEXT = 0.95
WEIGHT_CODE_TEXT = 0.9
WEIGHT_CODE_PRODUCT = 0.85
WEIGHT_PHRASES = 0.8
MAX_TEXTS = 4  # messages and phrases in one rule's "any"
MAX_EVENTS = 2
MAX_CODES = 2


@dataclass
class Vetted:
    """The signatures and generated rules to write, and what was dropped and why."""

    mined: Mined
    rules: list[dict] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _event_leaf(event: EventSignature) -> dict:
    """The event ID alone: a ticket quoting "event 1572" rarely names the source, and the
    text the rule also asks for already says which event it is."""
    return {"event": event.id}


def _texts(mined: Mined) -> list[dict]:
    messages = [{"message": m} for m in mined.messages[:MAX_TEXTS]]
    phrases = [{"phrase": p} for p in mined.phrases]
    return (messages + phrases)[:MAX_TEXTS]


def _any(texts: list[dict]) -> dict:
    return texts[0] if len(texts) == 1 else {"any": texts}


def generate(mined: Mined, glossary: Glossary) -> list[dict]:
    """Rule specs (as written to the file) derived from *mined*."""
    rules: list[dict] = []
    texts = _texts(mined)
    specific = [p for p in mined.products if p not in glossary.generic_products]
    if texts:
        for event in mined.events[:MAX_EVENTS]:
            rules.append(
                {
                    "name": f"auto-event-{event.id}-text",
                    "weight": WEIGHT_EVENT_TEXT,
                    "all": [_event_leaf(event), _any(texts)],
                }
            )
    for code in mined.codes[:MAX_CODES]:
        if texts:
            rules.append(
                {
                    "name": f"auto-code-{code.lower()}-text",
                    "weight": WEIGHT_CODE_TEXT,
                    "all": [{"code": code}, _any(texts)],
                }
            )
        elif specific:
            rules.append(
                {
                    "name": f"auto-code-{code.lower()}-product",
                    "weight": WEIGHT_CODE_PRODUCT,
                    "all": [{"code": code}, {"product": specific[0]}],
                }
            )
    if len(mined.phrases) >= 2:
        rules.append(
            {
                "name": "auto-key-phrases",
                "weight": WEIGHT_PHRASES,
                "all": [{"phrase": mined.phrases[0]}, {"phrase": mined.phrases[1]}],
            }
        )
    return rules


def vetted(mined: Mined, glossary: Glossary, entry_id: str = "probe") -> Vetted:
    """*mined* without the signature texts that hold for unrelated pastes, and the generated
    rules that compile and stay narrow; every drop is named."""
    return vetted_all([(mined, entry_id)], glossary)[0]


def vetted_all(items: list[tuple[Mined, str]], glossary: Glossary) -> list[Vetted]:
    """:func:`vetted` for many entries at once: one pass over the corpus for the whole batch
    (the tests of every entry's signatures and rules are matched together).

    Signatures and the rules generated from all of them are checked; the rules are then
    generated again from the signatures kept and judged on the same pass (their tests are a
    subset of the first ones). When every signature is kept (most entries), the rules are the
    first ones and are not generated and compiled again.
    """
    plans = []
    batch: list[Rule] = []
    for mined, entry_id in items:
        probe = Entry(id=entry_id, title="probe", signatures=mined.signatures())
        signature_rules = [r for r in implicit_rules(probe) if r.kind in ("message", "phrase")]
        first = _compiled(generate(mined, glossary), entry_id, glossary)
        batch.extend(signature_rules)
        batch.extend(rule for _, rule in first[0])
        plans.append((mined, entry_id, signature_rules, first))
    pastes = presence(batch, glossary)
    return [_decide(*plan, pastes, glossary) for plan in plans]


def _decide(
    mined: Mined,
    entry_id: str,
    signature_rules: list[Rule],
    first: tuple[list[tuple[dict, Rule]], list[str]],
    pastes,
    glossary: Glossary,
) -> Vetted:
    result = Vetted(mined)
    broad = {r.name for r in signature_rules if fires_on(r, pastes)}
    messages = tuple(
        m for i, m in enumerate(mined.messages) if f"signature-message-{i + 1}" not in broad
    )
    phrases = tuple(
        p for i, p in enumerate(mined.phrases) if f"signature-phrase-{i + 1}" not in broad
    )
    for i, message in enumerate(mined.messages):
        if message not in messages:
            result.dropped.append(f"signature message {i + 1} ('{_short(message)}'): over-broad")
    for phrase in mined.phrases:
        if phrase not in phrases:
            result.dropped.append(f"key phrase '{phrase}': over-broad")
    kept = Mined(messages, mined.events, mined.codes, mined.products, phrases)
    result.mined = kept
    compiled, errors = (
        first if kept == mined else _compiled(generate(kept, glossary), entry_id, glossary)
    )
    result.dropped.extend(errors)
    for spec, rule in compiled:
        fired = fires_on(rule, pastes)
        if fired:
            result.dropped.append(
                f"generated rule '{spec['name']}': over-broad (holds for {fired} unrelated paste(s))"
            )
        else:
            result.rules.append(spec)
    return result


def _compiled(
    specs: list[dict], entry_id: str, glossary: Glossary
) -> tuple[list[tuple[dict, Rule]], list[str]]:
    """The specs the engine's own parser accepts, and a line for each it refuses."""
    out, errors = [], []
    for index, spec in enumerate(specs):
        try:
            out.append((spec, parse_rule(spec, entry_id, index, glossary.canonical_product)))
        except RuleError as exc:
            errors.append(f"generated rule '{spec['name']}': {exc}")
    return out, errors


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["Signatures", "Vetted", "generate", "vetted", "vetted_all"]
