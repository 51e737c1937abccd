"""``kb index``, ``kb diagnose``, ``kb eval``: the engine from the command line."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import click

from engine.diagnoser import Diagnoser, default_index_dir
from engine.errors import KBError
from engine.model import Diagnosis

from .main import cli, kb_dir_option, resolve_kb_dir, user_errors


def index_dir_option(func):
    return click.option(
        "--index-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Search index folder (default: $KB_INDEX_DIR, else .kb-index beside the KB).",
    )(func)


def _progress():
    """A progress callback for long builds, drawn only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        click.echo(f"\rindexing {done}/{total} entries", nl=done == total, err=True)

    return show


def open_kb(kb_dir: Path | None, index_dir: Path | None, rebuild: bool = False) -> Diagnoser:
    kb = resolve_kb_dir(kb_dir)
    diagnoser = Diagnoser(kb, index_dir, progress=_progress(), rebuild_index=rebuild)
    for error in diagnoser.errors:
        click.echo(f"warning: {error} (run 'kb lint')", err=True)
    return diagnoser


@cli.command("index")
@kb_dir_option
@index_dir_option
@user_errors
def index_cmd(kb_dir, index_dir):
    """Build the search index (aside, then swapped in atomically)."""
    diagnoser = open_kb(kb_dir, index_dir, rebuild=True)
    where = index_dir or default_index_dir(resolve_kb_dir(kb_dir))
    click.echo(
        f"indexed {diagnoser.search.doc_count} entries and {len(diagnoser.rules)} rules into {where}"
    )


@cli.command("diagnose")
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the Diagnosis as JSON.")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 50))
@kb_dir_option
@index_dir_option
@user_errors
def diagnose_cmd(text, as_json, top, kb_dir, index_dir):
    """Rank the remedies for a pasted error (TEXT, or stdin when TEXT is '-' or absent)."""
    if text is None or text == "-":
        if sys.stdin.isatty():
            click.echo("Paste the error, then press Ctrl-D:", err=True)
        text = sys.stdin.read()
    if not text.strip():
        raise KBError("nothing to diagnose: give the error text as an argument or on stdin")
    diagnosis = open_kb(kb_dir, index_dir).diagnose(text, top=top)
    if as_json:
        click.echo(json.dumps(diagnosis.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(diagnosis))


def render_text(diagnosis: Diagnosis) -> str:
    facts = diagnosis.normalised.facts
    lines = []
    if diagnosis.confident:
        lines.append(f"Confident answer (confidence >= {diagnosis.threshold:.2f}).")
    else:
        lines.append("No confident answer. The nearest entries, for a human to judge:")
    found = [f"event {e.id}" + (f" ({e.source})" if e.source else "") for e in facts.events]
    found += [f"code {c}" for c in facts.codes] + [f"product {p}" for p in facts.products]
    if found:
        lines.append("Facts: " + "; ".join(found))
    for rank, remedy in enumerate(diagnosis.remedies, 1):
        entry = remedy.entry
        lines.append("")
        lines.append(f"{rank}. {entry.title}  [{entry.id}]  confidence {remedy.confidence:.2f}")
        for reason in remedy.why["summary"]:
            lines.append(f"   why: {reason}")
        if entry.source:
            lines.append(f"   source: {entry.source}")
        if rank == 1:
            lines.append("   Fix:")
            lines.append(textwrap.indent(entry.fix.strip() or "(no fix written)", "     "))
    if not diagnosis.remedies:
        lines.append("No entry matched anything in the paste.")
    return "\n".join(lines)


@cli.command("eval")
@click.argument("cases_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@kb_dir_option
@index_dir_option
@user_errors
def eval_cmd(cases_file, as_json, kb_dir, index_dir):
    """Score the engine on a labelled JSONL set: recall@1/@3, MRR by kind, negatives flagged.

    Columns: R@1/R@3 recall at 1 and 3, MRR, A@1 recall at 1 counting any entry of the expected
    entry's source article, conf the share of covered pastes answered confidently, neg the
    uncovered pastes, flagged the share of them answered "not confident".
    """
    from engine.evaluate import evaluate, read_cases

    cases = read_cases(cases_file)
    report = evaluate(open_kb(kb_dir, index_dir), cases).to_dict()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    header = (
        f"{'kind':<16}{'cases':>6}{'R@1':>7}{'R@3':>7}{'MRR':>7}{'A@1':>7}{'conf':>7}"
        f"{'neg':>5}{'flagged':>9}"
    )
    click.echo(header)
    rows = [("overall", report["overall"]), *report["by_kind"].items()]
    for name, g in rows:

        def fmt(value):
            return (
                f"{value:.3f}"
                if isinstance(value, float)
                else ("-" if value is None else str(value))
            )

        click.echo(
            f"{name:<16}{g['cases']:>6}{fmt(g['recall@1']):>7}{fmt(g['recall@3']):>7}"
            f"{fmt(g['mrr']):>7}{fmt(g['article_recall@1']):>7}{fmt(g['covered_confident']):>7}{g['negatives']:>5}"
            f"{fmt(g['negatives_flagged']):>9}"
        )
    failures = report["failures"]
    if failures:
        click.echo(f"\n{len(failures)} case(s) not answered right:")
        for f in failures:
            click.echo(
                f"  line {f['line']} ({f['kind']}): expected {f['expect'] or 'not confident'}, "
                f"rank {f['rank']}, confident={f['confident']} ({f['confidence']:.2f}), got {f['got']}"
            )
