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

from .options import (
    index_dir_option,
    kb_dir_option,
    resolve_kb_dir,
    terminal_progress,
    user_errors,
)

# `kb diagnose` exit codes: a script can tell an answer from a guess from a mistake.
CONFIDENT, NOT_CONFIDENT, BAD_INPUT = 0, 1, 2
SHARE = click.FloatRange(0, 1)  # a figure of `kb eval`, 0 to 1


def open_kb(kb_dir: Path | None, index_dir: Path | None, rebuild: bool = False) -> Diagnoser:
    kb = resolve_kb_dir(kb_dir)
    diagnoser = Diagnoser(kb, index_dir, progress=terminal_progress(), rebuild_index=rebuild)
    for error in diagnoser.errors:
        click.echo(f"warning: {error} (run 'kb lint')", err=True)
    return diagnoser


@click.command("index")
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


@click.command("diagnose")
@click.argument("text", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the Diagnosis as JSON.")
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 50))
@kb_dir_option
@index_dir_option
@user_errors(exit_code=BAD_INPUT)
def diagnose_cmd(text, as_json, top, kb_dir, index_dir):
    """Rank the remedies for a pasted error (TEXT, or stdin when TEXT is '-' or absent).

    Exit code: 0 with a confident answer, 1 without one (the nearest entries are still
    shown), 2 on bad input (an empty or oversized paste, a missing or broken KB).
    """
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
    sys.exit(CONFIDENT if diagnosis.confident else NOT_CONFIDENT)


def render_text(diagnosis: Diagnosis) -> str:
    lines = []
    if diagnosis.confident:
        lines.append(f"Confident answer (confidence >= {diagnosis.threshold:.2f}).")
    else:
        lines.append("No confident answer. The nearest entries, for a human to judge:")
    if diagnosis.facts_line:
        lines.append("Facts: " + diagnosis.facts_line)
    for rank, remedy in enumerate(diagnosis.remedies, 1):
        entry = remedy.entry
        label = remedy.confidence_label(diagnosis.threshold)
        lines.append("")
        lines.append(
            f"{rank}. {entry.title}  [{entry.id}]  confidence {remedy.confidence:.2f} ({label})"
        )
        for reason in remedy.reasons:
            lines.append(f"   why: {reason}")
        if entry.source:
            lines.append(f"   source: {entry.source}")
        if rank == 1:
            lines.append("   Fix:")
            lines.append(textwrap.indent(entry.fix.strip() or "(no fix written)", "     "))
    if not diagnosis.remedies:
        lines.append("No entry matched anything in the paste.")
    return "\n".join(lines)


@click.command("eval")
@click.argument("cases_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--min-r1", type=SHARE, help="Exit 1 when the overall recall@1 is below this.")
@click.option(
    "--min-confident",
    type=SHARE,
    help="Exit 1 when the share of covered pastes answered confidently is below this.",
)
@kb_dir_option
@index_dir_option
@user_errors(exit_code=BAD_INPUT)
def eval_cmd(cases_file, as_json, min_r1, min_confident, kb_dir, index_dir):
    """Score the engine on a labelled JSONL set: recall@1/@3, MRR by kind, negatives flagged.

    Columns: R@1/R@3 recall at 1 and 3, MRR, A@1 recall at 1 counting any entry of the expected
    entry's source article, conf the share of covered pastes answered confidently, neg the
    uncovered pastes, flagged the share of them answered "not confident". Then the share of
    confident answers that are right, and the reliability table: the first answers in ten
    bins of confidence, each bin's mean confidence against how often it was right, and the
    expected calibration error.

    Exit code: 0; 1 when a figure is under its --min-r1 / --min-confident threshold; 2 on bad
    input (a malformed case file, a missing KB).
    """
    from engine.evaluate import evaluate, read_cases

    cases = read_cases(cases_file)
    result = evaluate(open_kb(kb_dir, index_dir), cases)
    report = result.to_dict()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print_report(report)
        right = report["confident_right"]
        click.echo(
            "\nconfident answers that are right: "
            + ("none confident" if right is None else f"{right:.3f}")
        )
        click.echo("reliability of the first answer (confidence vs. how often it was right):")
        click.echo(result.reliability.render())
    short = under_thresholds(report["overall"], min_r1, min_confident)
    for line in short:
        click.echo(f"below the threshold: {line}", err=True)
    sys.exit(1 if short else 0)


def under_thresholds(overall: dict, min_r1: float | None, min_confident: float | None) -> list[str]:
    """Each figure under its threshold, as ``recall@1 0.812 < 0.850``.

    >>> under_thresholds({"recall@1": 0.8, "covered_confident": 0.9}, 0.85, 0.9)
    ['recall@1 0.800 < 0.850']
    """
    short = []
    for name, minimum in (("recall@1", min_r1), ("covered_confident", min_confident)):
        value = overall.get(name)
        if minimum is not None and (value is None or value < minimum):
            shown = "none" if value is None else f"{value:.3f}"
            short.append(f"{name} {shown} < {minimum:.3f}")
    return short


def print_report(report: dict) -> None:
    """The report as the table ``kb eval`` prints, then the cases not answered right."""
    header = (
        f"{'kind':<16}{'cases':>6}{'R@1':>7}{'R@3':>7}{'MRR':>7}{'A@1':>7}{'conf':>7}"
        f"{'neg':>5}{'flagged':>9}"
    )
    click.echo(header)

    def fmt(value) -> str:
        return (
            f"{value:.3f}" if isinstance(value, float) else ("-" if value is None else str(value))
        )

    rows = [("overall", report["overall"]), *report["by_kind"].items()]
    for name, g in rows:
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
