"""Importing a subcommand module registers its commands on the ``kb`` group."""

# One import per module of subcommands; each module does `@cli.command()`.
from . import engine_cmds  # noqa: F401,E402
from . import ingest_cmd  # noqa: F401
from . import serve_cmd  # noqa: F401,E402
from . import writer_cmds  # noqa: F401,E402
