"""``kb triage FILE...``: every distinct problem in event logs and log bundles, with its count
and remedy (the library is :mod:`triage`; this module only parses options and formats)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import click

from triage import Report, limits_from_environ, triage_paths
from triage.limits import ENV_MAX_BYTES

from .engine_cmds import open_kb
from .options import index_dir_option, kb_dir_option, user_errors

BIG_INPUT = 8 * 1024 * 1024  # a progress bar is worth drawing from this size on
TEMPLATE_WIDTH = 96


class ProgressBars:
    """click progress bars on stderr, one per phase (reading bytes, diagnosing groups), drawn
    only on a terminal and only for big inputs."""

    def __init__(self, stream=None, min_bytes: int = BIG_INPUT):
        self.stream = stream or sys.stderr
        self.min_bytes = min_bytes
        self.enabled = self.stream.isatty()
        self.bar = None
        self.phase = None
        self.shown = 0

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if phase != self.phase:
            self.close()
            if phase == "read" and total < self.min_bytes:
                self.enabled = False  # a small input: no bar at all
                return
            label = "reading" if phase == "read" else "diagnosing"
            self.bar = click.progressbar(length=total, label=label, file=self.stream)
            self.bar.__enter__()
            self.phase, self.shown = phase, 0
        self.bar.update(done - self.shown)
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command("triage")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=None,
    help=f"Bytes to read per run, after decompression (default: ${ENV_MAX_BYTES}, else 200 MB).",
)
@kb_dir_option
@index_dir_option
@user_errors
def triage_cmd(files, as_json, max_bytes, kb_dir, index_dir):
    """Group the errors and warnings in event logs and bundles; one remedy per problem.

    FILE may be an .evtx, a wevtutil or Get-WinEvent export (text, Format-List, CSV, XML), an
    Event Viewer "Save as" file, a cluster.log, a plain text log, or a zip/tar/tar.gz of them;
    the format is read from the content.
    """
    limits = limits_from_environ(max_bytes=max_bytes)
    diagnoser = open_kb(kb_dir, index_dir)
    bars = ProgressBars()
    try:
        report = triage_paths([str(f) for f in files], diagnoser, limits=limits, progress=bars)
    finally:
        bars.close()
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_table(report))


def _remedy(result) -> str:
    if result.confident:
        return f"{result.entry.id}  ({result.confidence:.2f})"
    if result.entry is not None and round(result.confidence, 2) > 0:
        return f"no confident answer (nearest: {result.entry.id}, {result.confidence:.2f})"
    return "no confident answer"


def render_table(report: Report) -> str:
    """Groups as a table, confident ones first; then what was skipped and the warnings."""
    groups = report.groups
    summary = (
        f"{report.events:,} events read; {sum(g.group.count for g in groups):,} errors and "
        f"warnings in {len(groups)} groups; {len(report.confident)} with a confident remedy."
    )
    lines = [summary]
    sections = (("Known problems", report.confident), ("No confident answer", report.unanswered))
    for heading, results in sections:
        if not results:
            continue
        lines += [
            "",
            heading,
            f"{'count':>7}  {'level':<8}  {'event':>5}  source / template / remedy",
        ]
        for r in results:
            g = r.group
            event = str(g.event_id) if g.event_id is not None else "-"
            lines.append(f"{g.count:>7,}  {g.level:<8}  {event:>5}  {g.source or '(no source)'}")
            indent = " " * 27
            template = textwrap.shorten(
                g.template or "(no message)", TEMPLATE_WIDTH, placeholder=" ..."
            )
            lines.append(indent + template)
            seen = f"{g.first_seen or '?'} .. {g.last_seen or '?'}"
            hosts = ", ".join(sorted(g.hosts, key=str.casefold)[:5]) + (
                " ..." if len(g.hosts) > 5 else ""
            )
            lines.append(indent + f"seen {seen}" + (f" on {hosts}" if hosts else ""))
            lines.append(indent + "-> " + _remedy(r))
    if report.ungrouped:
        lines += [
            "",
            f"{report.ungrouped:,} more errors and warnings past the group limit (counted, not grouped).",
        ]
    if report.skipped:
        lines += ["", "Skipped:"] + [f"  {s['name']}: {s['reason']}" for s in report.skipped]
    if report.warnings:
        lines += ["", "Warnings:"] + [f"  {w['file']}: {w['message']}" for w in report.warnings]
    return "\n".join(lines)
