"""``kb``: one command with a subcommand per job (ingest, index, diagnose, eval, serve, ...).

The subcommands live in the modules beside this one, each a plain ``click`` command that
imports nothing from here; this module adds them to the group, in one place. Heavy libraries
(the ingester's feed parser, the web app) are imported by the commands that use them, so
``kb diagnose`` does not load them.
"""

from __future__ import annotations

import click

from .chat_cmds import slack_manifest_cmd
from .engine_cmds import diagnose_cmd, eval_cmd, index_cmd
from .gap_cmds import gaps_cmd, stats_cmd
from .ingest_cmd import ingest_command
from .serve_cmd import serve_cmd
from .triage_cmd import triage_cmd
from .writer_cmds import lint_cmd, new_cmd, test_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="troubleshoot-kb")
def cli() -> None:
    """troubleshoot-kb: paste an error, get the remedies that fit."""


for command in (
    ingest_command,
    index_cmd,
    diagnose_cmd,
    eval_cmd,
    serve_cmd,
    new_cmd,
    lint_cmd,
    test_cmd,
    triage_cmd,
    gaps_cmd,
    stats_cmd,
    slack_manifest_cmd,
):
    cli.add_command(command)
