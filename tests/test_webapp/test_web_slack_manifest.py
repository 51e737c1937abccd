"""`kb slack-manifest`: a manifest Slack accepts (YAML or JSON) pointing at this server."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from kbcli.main import cli


def run(*args: str):
    return CliRunner().invoke(cli, ["slack-manifest", *args])


@pytest.mark.parametrize("as_json", [False, True])
def test_the_manifest_parses_and_points_here(as_json):
    result = run("--url", "https://kb.example.com/", *(["--json"] if as_json else []))
    assert result.exit_code == 0, result.output
    found = json.loads(result.output) if as_json else yaml.safe_load(result.output)
    (command,) = found["features"]["slash_commands"]
    assert command["command"] == "/kb" and command["url"] == "https://kb.example.com/api/v1/slack"
    assert command["should_escape"] is False  # the text arrives as typed, not as <@U123> links
    interactivity = found["settings"]["interactivity"]
    assert interactivity == {
        "is_enabled": True,
        "request_url": "https://kb.example.com/api/v1/slack/interactions",
    }
    assert found["oauth_config"]["scopes"]["bot"] == ["commands"]
    assert found["display_information"]["name"] == "KB"


def test_the_command_and_name_can_be_chosen():
    result = run("--url", "https://helpdesk.example.org/kb", "--command", "/fix", "--name", "Fixer")
    found = yaml.safe_load(result.output)
    command = found["features"]["slash_commands"][0]
    assert command["command"] == "/fix"
    assert command["url"] == "https://helpdesk.example.org/kb/api/v1/slack"
    assert found["display_information"]["name"] == "Fixer"


@pytest.mark.parametrize(
    "args",
    [
        ["--url", "http://kb.example.com"],
        ["--url", "kb.example.com"],
        ["--url", "https://kb.example.com/?x=1"],
        ["--url", "https://kb.example.com", "--command", "kb"],
    ],
)
def test_bad_options_are_one_line(args):
    result = run(*args)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and result.output.startswith("Error: --")
