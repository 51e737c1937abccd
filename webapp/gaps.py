"""The knowledge-gap queue's entrance: what the KB could not answer, masked and clustered.

Every paste answered "not confident", every "did not solve it" vote and every "request an
article" comes through :func:`record_unanswered`, from the page, the API and the chat
endpoints alike. Only masked text is kept (names, hosts, addresses, GUIDs become
placeholders: :mod:`engine.masking`); the raw paste never reaches the gap store.

Clustering is by the masked template of the paste's error lines, so one error pasted from 50
hosts is one gap counting 50.
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app

from engine.masking import mask
from engine.model import Diagnosis

from .feedback import store
from .store import Gap, StoreUnavailable

REASONS = ("not_confident", "not_solved", "requested")
MAX_TEMPLATE_CHARS = 500
_SPACE = re.compile(r"\s+")


def template_of(diagnosis: Diagnosis) -> str:
    """The paste's error lines, masked, one space between words, cut to a bounded length."""
    masked, _ = mask(diagnosis.normalised.focus)
    return _SPACE.sub(" ", masked).strip()[:MAX_TEMPLATE_CHARS]


def record_unanswered(diagnosis: Diagnosis, *, reason: str) -> Gap | None:
    """Count the paste behind *diagnosis* in its gap; None when it holds no text or the store
    is away (a gap is worth recording, never worth failing an answer for)."""
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {REASONS}, not {reason!r}")
    template = template_of(diagnosis)
    if not template:
        return None
    facts = diagnosis.normalised.facts
    event = facts.events[0] if facts.events else None
    key = hashlib.sha256(template.encode("utf-8")).hexdigest()[:32]
    try:
        return store().record_gap(
            key,
            template=template,
            example=template,
            event_id=event.id if event else None,
            source=(event.source if event and event.source else None)
            or (facts.sources[0] if facts.sources else None),
        )
    except StoreUnavailable:
        current_app.logger.warning("gap not recorded: the database is unreachable")
        return None
