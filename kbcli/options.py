"""What every ``kb`` subcommand shares: the KB and index folder options, and the error edge.

The CLI only parses arguments, calls the library (``engine``, ``ingest``, ``webapp``) and
formats the result. Every error a user can cause arrives here as a :class:`engine.errors.KBError`
and leaves as one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from engine.errors import KBError

DEFAULT_KB_DIR = "kb"


def default_kb_dir() -> Path:
    """``$KB_DIR``, else ``./kb``."""
    return Path(os.environ.get("KB_DIR") or DEFAULT_KB_DIR)


def resolve_kb_dir(kb_dir: Path | None) -> Path:
    return kb_dir if kb_dir is not None else default_kb_dir()


def _folder_option(flag: str, help: str):
    return click.option(
        flag, type=click.Path(file_okay=False, path_type=Path), default=None, help=help
    )


# The --kb-dir option every subcommand takes, and the --index-dir of those that search.
kb_dir_option = _folder_option("--kb-dir", "Knowledge-base folder (default: $KB_DIR, else ./kb).")
index_dir_option = _folder_option(
    "--index-dir", "Search index folder (default: $KB_INDEX_DIR, else .kb-index beside the KB)."
)


def user_errors(func=None, *, exit_code: int = 1):
    """Turn library errors into one line on stderr and *exit_code* (click's usage errors: 2)."""
    if func is None:
        return functools.partial(user_errors, exit_code=exit_code)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (KBError, OSError) as exc:
            error = click.ClickException(one_line(exc))
            error.exit_code = exit_code
            raise error from None

    return wrapper


def one_line(exc: Exception) -> str:
    """The message of a library or file-system error, as the CLI prints it."""
    if isinstance(exc, OSError):
        name = f": {exc.filename}" if getattr(exc, "filename", None) else ""
        return f"{exc.strerror or exc}{name}"
    return str(exc)


def terminal_progress():
    """A progress callback for long index builds, drawn only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        click.echo(f"\rindexing {done}/{total} entries", nl=done == total, err=True)

    return show
