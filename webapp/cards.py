"""A result card's parts, fix first: what the results page and the permalink page show.

A card is title, confidence label, the fix, then the cause and the symptom; "why it matched"
is one plain sentence per reason (no rule names, regexes or stems: those belong to the writer
view of the entry, ``/kb/<id>``).
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from markupsafe import Markup

from engine.model import Remedy

from .render import highlight, markdown_html, safe_url

_QUOTED = re.compile(r"^(phrase|message|regex|text) (.*)$", re.DOTALL)


def _fact(evidence: str) -> str:
    """One piece of a rule's evidence in words: "phrase 'x'" -> "the text 'x'".

    >>> _fact("phrase 'dns signature failed to verify'")
    "the text 'dns signature failed to verify'"
    >>> _fact("source failoverclustering")
    'source failoverclustering'
    """
    found = _QUOTED.match(evidence)
    if found is None:
        return evidence
    kind, rest = found.groups()
    return (
        _("the message %(what)s", what=rest)
        if kind == "message"
        else _("the text %(what)s", what=rest)
    )


def why_sentences(remedy: Remedy) -> list[str]:
    """One sentence per reason, the same reason said once."""
    sentences: list[str] = []
    said: set[str] = set()
    for hit in remedy.rule_hits:  # "event 1196" once, not once per rule that used it
        facts = [_fact(e) for e in hit.evidence if e not in said]
        said.update(hit.evidence)
        if facts:
            sentences.append(_("The paste has %(facts)s.", facts=_(" and ").join(facts)))
    hit = remedy.search_hit
    if hit and hit.matched_terms:
        words = ", ".join(hit.matched_terms[:8])
        sentences.append(_("The paste and the entry share the words %(words)s.", words=words))
    if not sentences:
        sentences.append(_("Nothing specific: it is ranked by similarity only."))
    return sentences


def card(rank: int, remedy: Remedy, threshold: float) -> dict:
    entry = remedy.entry
    terms = remedy.why["terms"]
    label = remedy.confidence_label(threshold)
    return {
        "rank": rank,
        "entry": entry,
        "confidence": remedy.confidence,
        "percent": remedy.percent,
        "label": label,
        "label_text": {"high": _("High confidence"), "medium": _("Medium confidence")}.get(
            label, _("Low confidence")
        ),
        "nearest": remedy.confidence < threshold,
        "why": why_sentences(remedy),
        "symptom": highlight(markdown_html(entry.symptom), terms),
        "cause": highlight(markdown_html(entry.cause), terms),
        "fix": Markup(markdown_html(entry.fix)),
        "source": safe_url(entry.source),
    }
