"""``kb``: one command with a subcommand per job (ingest, index, diagnose, eval, serve, ...).

The CLI only parses arguments, calls the library (``engine``, ``ingest``, ``webapp``) and
formats the result. Every error a user can cause arrives here as a :class:`engine.errors.KBError`
and leaves as one line on stderr with a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import click

from engine.errors import KBError

DEFAULT_KB_DIR = "kb"


def default_kb_dir() -> Path:
    """``$KB_DIR``, else ``./kb``."""
    return Path(os.environ.get("KB_DIR") or DEFAULT_KB_DIR)


def kb_dir_option(func):
    """The ``--kb-dir`` option every subcommand takes."""
    return click.option(
        "--kb-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Knowledge-base folder (default: $KB_DIR, else ./kb).",
    )(func)


def user_errors(func):
    """Turn library errors into ``click`` errors: one line, exit code 1 (2 for usage)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KBError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            name = f" {exc.filename}" if getattr(exc, "filename", None) else ""
            raise click.ClickException(
                f"{exc.strerror or exc}{':' if name else ''}{name}"
            ) from None

    return wrapper


def resolve_kb_dir(kb_dir: Path | None) -> Path:
    return kb_dir if kb_dir is not None else default_kb_dir()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="troubleshoot-kb")
def cli() -> None:
    """troubleshoot-kb: paste an error, get the remedies that fit."""


def _register() -> None:
    """Attach the subcommands; each lives in its own module beside this one."""
    from . import commands  # noqa: F401  (registers on import)


_register()
