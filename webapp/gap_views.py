"""The writers' side of the knowledge-gap queue: ``/kb/gaps`` and ``GET /api/v1/gaps``.

Gaps are listed by count, most asked first. Before a listing, each unanswered gap is
diagnosed again once per KB version (:func:`webapp.gaps.check_answers`): a gap a newer entry
answers confidently shows that entry in ``answered_by``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, jsonify, render_template, request

from . import feedback
from .gaps import check_answers
from .kbstate import diagnoser
from .requests import bounded_int
from .results import status
from .store import Gap

bp = Blueprint("gaps", __name__)
PAGE = 100
MAX_PAGE = 1000


def iso(epoch: float) -> str:
    """UTC, to the second.

    >>> iso(0)
    '1970-01-01T00:00:00Z'
    """
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def listed(limit: int = PAGE, offset: int = 0) -> list[Gap]:
    d = diagnoser()
    target = feedback.store()
    found = target.list_gaps(limit=limit, offset=offset, include_answered=True)
    memory = current_app.extensions.setdefault("kb_gaps_checked", {})
    return check_answers(found, d.diagnose, d.vid, target, memory)


def gap_dict(gap: Gap) -> dict:
    return {
        "id": gap.cluster_key,
        "count": gap.count,
        "template": gap.template,
        "first_seen": iso(gap.first_seen),
        "last_seen": iso(gap.last_seen),
        "answered_by": gap.answered_by,
        "event_id": gap.event_id,
        "source": gap.source,
        "example": gap.example,
    }


def _paging() -> tuple[int, int]:
    limit = bounded_int(request.args.get("limit", ""), 4)
    offset = bounded_int(request.args.get("offset", ""), 7)
    return min(max(limit or PAGE, 1), MAX_PAGE), max(offset or 0, 0)


@bp.get("/kb/gaps")
def page():
    limit, offset = _paging()
    return render_template("gaps.html", gaps=listed(limit, offset), iso=iso, **status())


@bp.get("/api/v1/gaps")
def api():
    limit, offset = _paging()
    return jsonify({"gaps": [gap_dict(g) for g in listed(limit, offset)]})
