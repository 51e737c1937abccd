"""``kb gaps`` and ``kb stats``: the knowledge-gap queue and the deflection figures, read from
the store the server writes (``$KB_DATABASE_URL``, else the SQLite file in ``$KB_DATA_DIR``:
the same settings as ``kb serve``, see docs/web.md). ``kb new --from-gap ID`` is in
:mod:`kbcli.writer_cmds`."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import click

from .options import kb_dir_option, resolve_kb_dir, user_errors


@contextmanager
def configured_store(kb_dir: Path | None):
    """The store ``kb serve`` would open with the same environment and KB folder."""
    from webapp.config import load_config
    from webapp.store import open_store

    config: dict = {}
    load_config(config, {"KB_DIR": str(resolve_kb_dir(kb_dir))})
    store = open_store(config.get("KB_DATABASE_URL"), sqlite_path=config["KB_FEEDBACK_DB"])
    try:
        store.migrate()
        yield store
    finally:
        store.close()


def store_command(name: str, *, json_help: str, number: str, most: int, default: int):
    """A command reading the store, as ``kb gaps`` and ``kb stats`` are: ``--json``, one whole
    *number* option from 1 to *most*, ``--kb-dir``, and library errors as one line."""
    decorators = (
        click.command(name),
        click.option("--json", "as_json", is_flag=True, help=json_help),
        click.option(number, type=click.IntRange(1, most), default=default, show_default=True),
        kb_dir_option,
        user_errors,
    )

    def decorate(func):
        for decorator in reversed(decorators):  # as if stacked above *func* in this order
            func = decorator(func)
        return func

    return decorate


@store_command(
    "gaps", json_help="The shape of GET /api/v1/gaps.", number="--limit", most=10_000, default=50
)
def gaps_cmd(as_json, limit, kb_dir):
    """The knowledge gaps, most asked first: what the KB could not answer.

    Each is a cluster of masked pastes (see docs/gaps.md). Write an entry for one with
    `kb new --from-gap ID`.
    """
    from webapp.gap_views import gap_dict

    with configured_store(kb_dir) as store:
        found = [gap_dict(g) for g in store.list_gaps(limit=limit, include_answered=True)]
    if as_json:
        click.echo(json.dumps({"gaps": found}, ensure_ascii=False, indent=2))
        return
    if not found:
        click.echo("no gaps: every paste so far was answered confidently")
        return
    for gap in found:
        answered = f"  answered by {gap['answered_by']}" if gap["answered_by"] else ""
        click.echo(f"{gap['count']:>6}  {gap['id']}  last {gap['last_seen']}{answered}")
        click.echo(f"        {gap['template'][:200]}")


@store_command("stats", json_help="Every figure as JSON.", number="--days", most=3660, default=30)
def stats_cmd(as_json, days, kb_dir):
    """Deflection figures: pastes per day, the share answered confidently, votes, top gaps."""
    from webapp.stats import figures

    with configured_store(kb_dir) as store:
        found = figures(store, days)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    share = found["confident_share"]
    click.echo(
        f"last {days} days: {found['pastes']} pastes, {found['answered_confidently']} answered "
        f"confidently" + (f" ({share:.0%})" if share is not None else "")
    )
    for day in found["per_day"]:
        click.echo(f"  {day['day']}  {day['pastes']:>6}  {day['confident']:>6} confident")
    votes = found["votes"]
    click.echo(f"votes: {votes['solved']} solved, {votes['not_helpful']} didn't help")
    click.echo(f"gaps: {found['gaps']} in the queue, {found['gaps_dropped']} dropped (bounded)")
    for gap in found["top_gaps"]:
        click.echo(f"{gap['count']:>6}  {gap['id']}  {gap['template'][:100]}")
