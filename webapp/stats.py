"""Deflection figures: how many pastes, how many answered confidently, how the votes went,
which gaps are asked most, and how many were dropped. ``/kb/_stats`` and ``kb stats``.

The chart is SVG written here (bars per day: pastes, and the confident part of them), so the
page needs no chart library and no script.

>>> svg = chart([("2026-01-01", 4, 3), ("2026-01-02", 2, 0)])
>>> svg.count("<rect"), "2026-01-02" in svg
(4, True)
"""

from __future__ import annotations

from flask import Blueprint, render_template
from markupsafe import Markup, escape

from . import feedback
from .gap_views import gap_dict
from .results import status
from .store import Store

bp = Blueprint("stats", __name__)
DAYS = 30
TOP_GAPS = 10
WIDTH, HEIGHT, PAD = 640, 180, 24


def figures(target: Store, days: int = DAYS) -> dict:
    """Everything the page and ``kb stats --json`` show, as plain data."""
    daily = target.daily_pastes(days=days)
    pastes = sum(p for _, p, _ in daily)
    confident = sum(c for _, _, c in daily)
    return {
        "days": days,
        "pastes": pastes,
        "answered_confidently": confident,
        "confident_share": round(confident / pastes, 3) if pastes else None,
        "per_day": [{"day": d, "pastes": p, "confident": c} for d, p, c in daily],
        "votes": target.feedback_totals(),
        "top_gaps": [gap_dict(g) for g in target.list_gaps(limit=TOP_GAPS)],
        "gaps": target.gap_total(),
        "gaps_dropped": target.gaps_dropped(),
    }


def chart(daily: list[tuple[str, int, int]]) -> Markup:
    """Bars per day: the whole bar is the day's pastes, its dark part those answered."""
    if not daily:
        return Markup("")
    most = max(p for _, p, _ in daily) or 1
    step = (WIDTH - 2 * PAD) / len(daily)
    bar = max(step * 0.7, 1)
    scale = (HEIGHT - 2 * PAD) / most
    head = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"'
    parts = [head + ' class="chart" aria-label="pastes per day">']
    for n, (day, pastes, confident) in enumerate(daily):
        x = PAD + n * step
        for value, css in ((pastes, "pastes"), (confident, "confident")):
            h = value * scale
            parts.append(
                f'<rect class="{css}" x="{x:.1f}" y="{HEIGHT - PAD - h:.1f}" width="{bar:.1f}"'
                f' height="{h:.1f}"><title>{escape(day)}: {value}</title></rect>'
            )
    parts.append(f'<text x="{PAD}" y="{HEIGHT - 6}">{escape(daily[0][0])}</text>')
    parts.append(
        f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" text-anchor="end">{escape(daily[-1][0])}</text>'
    )
    parts.append(f'<text x="{PAD}" y="{PAD - 8}">{most}</text></svg>')
    return Markup("".join(parts))


@bp.get("/kb/_stats")
def page():
    found = figures(feedback.store())
    daily = [(d["day"], d["pastes"], d["confident"]) for d in found["per_day"]]
    return render_template("stats.html", figures=found, chart=chart(daily), **status())
