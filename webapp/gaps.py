"""The knowledge-gap queue's entrance: what the KB could not answer, masked and clustered.

Every paste answered "not confident", every "did not solve it" vote and every "request an
article" comes through :func:`record_unanswered`, from the page, the API and the chat
endpoints alike; log triage's unanswered groups through :func:`record_template`. Only masked
text is kept (names, hosts, addresses, GUIDs become placeholders: :mod:`engine.masking`); the
raw paste never reaches the gap store.

Clustering is Drain3's (:class:`GapMiner`) over the masked text, so one error pasted from 50
hosts is one gap counting 50, and messages that differ only in a number or a code that masking
did not catch fall into one cluster too. Why the key is what it is: ``docs/gaps.md``.
"""

from __future__ import annotations

import re
import threading

from flask import current_app

from engine.masking import mask
from engine.model import Diagnosis

from .feedback import store
from .gapminer import GapMiner
from .store import Gap, Store, StoreUnavailable, Unanswered

REASONS = ("not_confident", "not_solved", "requested")
MAX_TEMPLATE_CHARS = 500
_SPACE = re.compile(r"\s+")


def template_of(diagnosis: Diagnosis) -> str:
    """The paste's error lines, masked, one space between words, cut to a bounded length."""
    return masked_line(diagnosis.normalised.focus)


def masked_line(text: str) -> str:
    """*text* masked, on one line, bounded.

    >>> masked_line("VM 'web01' on node7.corp.example.com\\n  failed")
    'VM <NAME> on <HOST> failed'
    """
    masked, _ = mask(text)
    return _SPACE.sub(" ", masked).strip()[:MAX_TEMPLATE_CHARS]


def record_unanswered(diagnosis: Diagnosis, *, reason: str) -> Gap | None:
    """Count the paste behind *diagnosis* in its gap; None when it holds no text or the store
    is away (a gap is worth recording, never worth failing an answer for)."""
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {REASONS}, not {reason!r}")
    facts = diagnosis.normalised.facts
    event = facts.events[0] if facts.events else None
    source = (event.source if event and event.source else None) or (
        facts.sources[0] if facts.sources else None
    )
    return record_template(
        template_of(diagnosis), event_id=event.id if event else None, source=source
    )


def record_template(masked: str, *, event_id: int | None = None, source: str | None = None):
    """Count already masked text (a triage group's template) in its gap; None as above."""
    masked = masked_line(masked)  # masking twice changes nothing; unmasked text is never kept
    if not masked:
        return None
    try:
        return miner().record(store(), Unanswered(masked, event_id, source))
    except StoreUnavailable:
        current_app.logger.warning("gap not recorded: the database is unreachable")
        return None


_miner_lock = threading.Lock()


def miner() -> GapMiner:
    """This process's template miner (one per app: it catches up with the store itself)."""
    with _miner_lock:
        found = current_app.extensions.get("kb_gap_miner")
        if found is None:
            found = current_app.extensions["kb_gap_miner"] = GapMiner()
        return found


def check_answers(
    gaps: list[Gap], diagnose, kb_version: str, target: Store, memory: dict
) -> list[Gap]:
    """Mark the gaps a (newer) entry now answers confidently, and return the list with
    ``answered_by`` filled in. Each gap is diagnosed again once per KB version (*diagnose* is
    ``Diagnoser.diagnose``; *memory* remembers what was checked), so a listing costs nothing
    until the KB changes."""
    for old in [v for v in memory if v != kb_version]:  # an older version's memory is no use
        del memory[old]
    checked = memory.setdefault(kb_version, set())
    out = []
    for gap in gaps:
        if gap.answered_by is None and gap.cluster_key not in checked:
            checked.add(gap.cluster_key)
            diagnosis = diagnose(gap.example, 1)
            if diagnosis.confident and diagnosis.remedies:
                entry_id = diagnosis.remedies[0].entry.id
                target.answer_gap(gap.cluster_key, entry_id)
                gap = Gap(**{**gap.to_dict(), "answered_by": entry_id})
        out.append(gap)
    return out
