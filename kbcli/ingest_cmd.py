"""``kb ingest SOURCE...``: turn RSS/Atom feeds into knowledge-base entries.

The ingester (feed parser, HTML cleaner: 0.15 s of imports) is imported when the command
runs, not when ``kb`` starts: every other command would pay for it. Its defaults are named in
the help text; a test holds them equal to ``ingest.fetch``'s.
"""

from __future__ import annotations

import sys

import click

from .options import kb_dir_option, resolve_kb_dir, user_errors

# ingest.fetch's and ingest.feed's defaults, as text
DEFAULTS_HELP = {"--max-bytes": "20 MB", "--max-item-bytes": "1 MB", "--timeout": "20.0"}


class _Size(click.ParamType):
    name = "SIZE"

    def convert(self, value, param, ctx):
        from ingest.fetch import parse_max_bytes

        try:
            return parse_max_bytes(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def _progress(label: str, length: int):
    """A progress bar on stderr (used only when stderr is a terminal)."""
    return click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True)


def _interactive() -> bool:
    return sys.stderr.isatty()


@click.command("ingest")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@kb_dir_option
@click.option(
    "--max-bytes",
    type=_Size(),
    help="Refuse a source larger than this (e.g. 20MB, 512KB).",
    show_default=DEFAULTS_HELP["--max-bytes"],
)
@click.option(
    "--max-item-bytes",
    type=_Size(),
    help="Ingest at most this much of one item's HTML; a longer body is truncated and flagged.",
    show_default=DEFAULTS_HELP["--max-item-bytes"],
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    help="Seconds to wait for a URL.",
    show_default=DEFAULTS_HELP["--timeout"],
)
@click.option(
    "--encoding",
    default=None,
    metavar="CHARSET",
    help="Read every source as this charset (overrides the feed's own declaration).",
)
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
@click.option(
    "--show-diff", is_flag=True, help="Print a diff for each entry kept because it was edited."
)
@user_errors
def ingest_command(
    sources, kb_dir, max_bytes, max_item_bytes, timeout, encoding, dry_run, show_diff
):
    """Turn RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 feeds into KB entries.

    SOURCE is a feed file or an http(s) URL. Each source is ingested or rejected with one
    line saying why; the other sources still go through. Entries a writer edited or took
    over (owner: writer) are never overwritten; nothing is ever deleted.

    Exit code: 0 when nothing was rejected, 1 otherwise.
    """
    from ingest.run import IngestOptions, ingest

    headers = {"content-type": f"application/xml; charset={encoding}"} if encoding else None
    limits = {"max_bytes": max_bytes, "max_item_bytes": max_item_bytes, "timeout": timeout}
    options = IngestOptions(
        kb_dir=resolve_kb_dir(kb_dir),
        dry_run=dry_run,
        show_diff=show_diff,
        response_headers=headers,
        **{name: value for name, value in limits.items() if value is not None},
    )
    result = ingest(
        sources,
        options,
        emit=click.echo,
        progress=_progress if _interactive() else None,
        error=lambda line: click.echo(line, err=True),  # rejections on stderr, as documented
    )
    prefix = "dry run, nothing written: " if dry_run else ""
    click.echo(prefix + result.summary())
    sys.exit(result.exit_code)
