"""``kb slack-manifest``: the Slack app manifest for a server, to paste into Slack."""

from __future__ import annotations

import json

import click

from .options import user_errors


@click.command("slack-manifest")
@click.option("--url", required=True, help="The server's public https address.")
@click.option("--command", "command", default="/kb", show_default=True, help="The slash command.")
@click.option("--name", default="KB", show_default=True, help="The app's name in Slack.")
@click.option("--json", "as_json", is_flag=True, help="JSON instead of YAML (Slack takes both).")
@user_errors
def slack_manifest_cmd(url: str, command: str, name: str, as_json: bool) -> None:
    """Print the Slack app manifest: the slash command, its buttons' URL, the scopes."""
    import yaml

    from webapp.slackmanifest import manifest

    found = manifest(url, command, name)
    if as_json:
        click.echo(json.dumps(found, indent=2))
    else:
        click.echo(yaml.safe_dump(found, sort_keys=False, allow_unicode=True), nl=False)
