"""``kb new``, ``kb lint``, ``kb test``: the writers' commands (see ``kb/README.md``)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import click

from engine.diagnoser import Diagnoser
from engine.entry import KINDS, REQUIRED_SECTIONS, SECTIONS
from engine.errors import KBError
from engine.facts import detect_language
from engine.kb import ID_PATTERN, ID_RULE, dump_yaml, entry_files, read_entry_file, write_atomic
from engine.kb.ids import free_id, id_from_title
from engine.lint import ExampleResult, check_examples, lint_kb

from .options import (
    index_dir_option,
    kb_dir_option,
    resolve_kb_dir,
    terminal_progress,
    user_errors,
)

# --- kb new ----------------------------------------------------------------------------------

_FRONT_MATTER = """\
---
{identity}\
# source: https://...   the article this entry comes from, if any
products: []  # names from kb/glossary.yaml, e.g. [Failover Clustering]
tags: []
signatures:
  # What identifies the error; each signature also works as a rule (see kb/README.md).
  messages:
    # - "The error line as the user sees it, e.g. DNS signature failed to verify."
  events:
    # - {{id: 1196, source: Microsoft-Windows-FailoverClustering}}
  codes:
    # - '0x80070005'                # quoted: unquoted, YAML reads 0x... as a number
rules:
  # "A paste with these facts is about this entry." Remove the '# ' to use one.
  # - name: event-1196-signature        # a short name, shown in "why"
  #   weight: 0.95                      # above 0, at most 1 (default 0.8)
  #   all:                              # every item must hold ...
  #     - event: {{id: 1196, source: Microsoft-Windows-FailoverClustering}}
  #     - any:                          # ... and at least one of these
  #         - phrase: DNS signature failed to verify
  #         - regex: 'signature (?:failed|did not) (?:to )?verify'
  #         - code: '0x80070005'
  # - name: converter-network-failure
  #   weight: 0.9
  #   all:
  #     - product: VMware vCenter Converter
  #     - phrase: network connection failure
examples:
  # Pastes this entry must answer; `kb test` checks each ranks it first, confidently.
  # - |
  #   Paste the error here, as a user would,
  #   on as many lines as it takes.
see_also: []
owner: writer
---
"""

_TODO = {
    "Symptom": "TODO: what the user sees: the error message, dialog or event, verbatim in a "
    "fenced code block, and when it happens.",
    "Cause": "TODO: why it happens.",
    "Fix": "TODO: the steps that solve it, as a numbered list.",
    "Summary": "TODO: what this guide is for, in a sentence or two.",
    "Steps": "TODO: the steps, as a numbered list.",
}


def skeleton(entry_id: str, title: str, kind: str = "troubleshooting") -> str:
    """A new entry's text: every key (the optional ones as comments) and every section."""
    identity = (
        dump_yaml({"id": entry_id, "title": title, "kind": kind})
        + "status: draft  # not served until this reads 'published' (or the line goes)\n"
        + dump_yaml({"language": detect_language(title)})
    )
    parts = [_FRONT_MATTER.format(identity=identity)]
    for name in SECTIONS[kind]:
        todo = _TODO.get(name) if name in REQUIRED_SECTIONS[kind] else None
        parts.append(f"\n## {name}\n" + (f"\n{todo}\n" if todo else ""))
    return "".join(parts)


def taken_ids(kb_dir: Path) -> dict[str, Path]:
    """Every id in use in *kb_dir*, by a file's name or by the id written in it (broken files too)."""
    taken: dict[str, Path] = {}
    for path in entry_files(kb_dir) if kb_dir.is_dir() else ():
        taken.setdefault(path.stem, path)
        entry_id = read_entry_file(path).entry_id
        if entry_id:
            taken.setdefault(entry_id, path)
    return taken


def from_gap(text: str, message: str) -> str:
    """*text* (a :func:`skeleton`) with *message* as its first signature message."""
    example = '    # - "The error line as the user sees it, e.g. DNS signature failed to verify."\n'
    line = "    - " + dump_yaml([message]).strip()[2:] + "\n"
    return text.replace(example, line, 1)


def _gap_message(gap_id: str, kb: Path) -> tuple[str, str]:
    """The gap's masked example and a title made from it."""
    from .gap_cmds import configured_store

    with configured_store(kb) as store:
        gap = store.get_gap(gap_id)
    if gap is None:
        raise KBError(f"there is no gap with id '{gap_id}' (see 'kb gaps')")
    message = gap.example.strip()
    return message, textwrap.shorten(message, 100, placeholder="...")


@click.command("new")
@click.option("--id", "entry_id", help="The entry's id (default: made from the title).")
@click.option("--title", help="The entry's title (asked for when not given).")
@click.option("--kind", type=click.Choice(KINDS), default="troubleshooting", show_default=True)
@click.option(
    "--from-gap",
    "gap_id",
    metavar="ID",
    help="Start from a knowledge gap (kb gaps): its masked message is the signature.",
)
@kb_dir_option
@user_errors
def new_cmd(entry_id, title, kind, gap_id, kb_dir):
    """Write a new entry skeleton to KB_DIR/ID.md and print its path.

    Every section is there with a TODO sentence, and the rule, signature and example keys
    with commented examples. It is a draft (`status: draft`): `kb serve` does not serve it
    until it says `published`. It passes `kb lint` as written; `kb test` fails until you add
    an example. With --from-gap, the gap's masked message is its first signature (and, without
    --title, its title), so the entry answers that gap once it is published. Without --id, the id is made from the title (Chinese as pinyin), with -2, -3...
    when it is taken. An existing id or file is never overwritten.
    """
    kb = resolve_kb_dir(kb_dir)
    message = None
    if gap_id:
        message, gap_title = _gap_message(gap_id, kb)
        title = (title or "").strip() or gap_title
    title = (title or "").strip() or click.prompt("Title").strip()
    taken = taken_ids(kb)
    if entry_id:
        entry_id = entry_id.strip()
        if not ID_PATTERN.match(entry_id):
            raise KBError(f"id '{entry_id}' {ID_RULE}")
        if entry_id in taken or (kb / f"{entry_id}.md").exists():
            raise KBError(
                f"an entry with id '{entry_id}' already exists: {taken.get(entry_id)}; "
                "choose another --id"
            )
    else:  # from the title: a second entry with the same title gets '-2'
        entry_id = free_id(id_from_title(title), taken)
    path = kb / f"{entry_id}.md"
    text = skeleton(entry_id, title, kind)
    write_atomic(path, from_gap(text, message) if message else text)
    click.echo(str(path))
    click.echo(
        "next: fill in the TODOs, add an example, run 'kb lint' and 'kb test', "
        "then set 'status: published'",
        err=True,
    )


# --- kb lint ---------------------------------------------------------------------------------


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH...]")
@kb_dir_option
@user_errors
def lint_cmd(paths, kb_dir):
    """Check every entry and the glossary (or only PATH...): path:line:col: message.

    Exit code: 0 when there is no problem, 1 otherwise.
    """
    kb = resolve_kb_dir(kb_dir)
    if kb_dir is None and paths and not kb.is_dir():
        # `kb lint other/kb/x.md` from elsewhere: judge it against its own folder
        first = Path(paths[0])
        kb = first if first.is_dir() else first.parent
    report = lint_kb(kb, list(paths) or None)
    for problem in report.problems:
        click.echo(str(problem))
    click.echo(report.summary())
    sys.exit(0 if report.ok else 1)


# --- kb test ---------------------------------------------------------------------------------


@click.command("test")
@kb_dir_option
@index_dir_option
@user_errors
def test_cmd(kb_dir, index_dir):
    """Check that each entry's examples rank it first, with a confident answer (drafts
    included: the KB is tested as it will be once they are published).

    Exit code: 0 when every example passes, 1 when one fails, an entry has no example or an
    entry does not load.
    """
    # drafts too: a writer tests an entry before publishing it
    diagnoser = Diagnoser(
        resolve_kb_dir(kb_dir), index_dir, progress=terminal_progress(), drafts=True
    )
    try:
        broken = diagnoser.errors
        results = check_examples(diagnoser)
        threshold = diagnoser.threshold
    finally:
        diagnoser.close()
    for error in broken:
        click.echo(f"{error} (not tested; run 'kb lint')")
    failed = [r for r in results if not r.passed]
    for result in failed:
        click.echo(describe_failure(result, threshold))
    click.echo(test_summary(results, len(broken)))
    sys.exit(1 if failed or broken else 0)


def describe_failure(r: ExampleResult, threshold: float) -> str:
    """``path:line: example N ("first line…"): what went wrong``."""
    if r.number == 0:
        return f"{r.path}:{r.line}: {r.error}"
    first_line = next((line for line in r.example.strip().splitlines() if line.strip()), "")
    head = f'{r.path}:{r.line}: example {r.number} ("{textwrap.shorten(first_line, 60, placeholder="…")}")'
    if r.error:
        return f"{head}: {r.error}"
    if r.rank == 1:
        return f"{head}: ranked first but not confident ({r.confidence:.2f}, needs {threshold:.2f})"
    got = f"ranked {r.rank} (confidence {r.confidence:.2f})" if r.rank else "not in the top 5"
    if r.first_id is None:
        return f"{head}: {got}; no entry matched"
    sure = "confident" if r.confident else "not confident"
    return f"{head}: {got}; first: {r.first_id} ({r.first_confidence:.2f}, {sure})"


def test_summary(results: list[ExampleResult], broken: int = 0) -> str:
    """``57 examples in 26 entries: all pass`` or ``...: 48 pass, 9 fail; ...``."""
    examples = [r for r in results if r.number]
    entries = len({r.path for r in results})
    without = len({r.path for r in results if r.number == 0})
    failed = sum(1 for r in examples if not r.passed)
    line = (
        f"{len(examples)} example{'s' if len(examples) != 1 else ''} in {entries} "
        f"entr{'y' if entries == 1 else 'ies'}: "
    )
    if failed:
        line += f"{len(examples) - failed} pass, {failed} fail"
    else:
        line += "all pass" if examples else "nothing to test"
    if without:
        line += f"; {without} entr{'y has' if without == 1 else 'ies have'} no examples"
    if broken:
        line += f"; {broken} entr{'y' if broken == 1 else 'ies'} not loaded"
    return line
