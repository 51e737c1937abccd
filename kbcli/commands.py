"""Importing a subcommand module registers its commands on the ``kb`` group."""

# One import per module of subcommands; each module does `@cli.command()`.
from . import (
    engine_cmds,  # noqa: F401
    ingest_cmd,  # noqa: F401
    serve_cmd,  # noqa: F401
    triage_cmd,  # noqa: F401
    writer_cmds,  # noqa: F401
)
