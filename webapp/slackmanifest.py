"""The Slack app manifest for this server: paste it into api.slack.com/apps -> Create New App
-> From an app manifest, and the slash command and its buttons point here.

>>> m = manifest("https://kb.example.com/")
>>> m["features"]["slash_commands"][0]["url"], m["settings"]["interactivity"]["request_url"]
('https://kb.example.com/api/v1/slack', 'https://kb.example.com/api/v1/slack/interactions')
>>> m["oauth_config"]["scopes"]["bot"]
['commands']
"""

from __future__ import annotations

from urllib.parse import urlsplit

from engine.errors import KBError

DESCRIPTION = "Paste an error, get the remedy that fits"


def manifest(url: str, command: str = "/kb", name: str = "KB") -> dict:
    """The manifest for the server at *url* (https: Slack calls nothing else)."""
    parts = urlsplit(url.strip())
    if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
        raise KBError(f"--url must be the server's public https address, not {url!r}")
    if not command.startswith("/") or not 2 <= len(command) <= 32 or " " in command:
        raise KBError(f"--command must look like /kb, not {command!r}")
    base = url.strip().rstrip("/")
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {"name": name[:35], "description": DESCRIPTION},
        "features": {
            "bot_user": {"display_name": name[:80], "always_online": False},
            "slash_commands": [
                {
                    "command": command,
                    "url": f"{base}/api/v1/slack",
                    "description": DESCRIPTION,
                    "usage_hint": "[error text] | search WORDS | help",
                    "should_escape": False,
                }
            ],
        },
        "oauth_config": {"scopes": {"bot": ["commands"]}},
        "settings": {
            "interactivity": {
                "is_enabled": True,
                "request_url": f"{base}/api/v1/slack/interactions",
            },
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }
