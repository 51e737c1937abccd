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
from engine.rules.vetting import vet

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
    return {"event": {"id": event.id, "source": event.source} if event.source else event.id}


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
    result = Vetted(mined)
    probe = Entry(id=entry_id, title="probe", signatures=mined.signatures())
    signature_rules = [r for r in implicit_rules(probe) if r.kind in ("message", "phrase")]
    broad = {v.rule.name for v in vet(signature_rules, glossary) if v.broad}
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
    compiled: list[tuple[dict, Rule]] = []
    for index, spec in enumerate(generate(kept, glossary)):
        try:
            compiled.append((spec, parse_rule(spec, entry_id, index, glossary.canonical_product)))
        except RuleError as exc:
            result.dropped.append(f"generated rule '{spec['name']}': {exc}")
    for (spec, _), verdict in zip(compiled, vet([r for _, r in compiled], glossary)):
        if verdict.broad:
            result.dropped.append(
                f"generated rule '{spec['name']}': over-broad (holds for "
                f"{len(verdict.fired_on)} unrelated paste(s))"
            )
        else:
            result.rules.append(spec)
    return result


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["Signatures", "Vetted", "generate", "vetted"]
