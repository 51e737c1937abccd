"""Chat-ops: the endpoints Slack, Microsoft Teams and Mattermost call, on one blueprint.

Each verifies its sender first (Slack's request signature, Teams' HMAC, Mattermost's token),
then answers with the same compact answer (:mod:`webapp.chatanswer`) in its own format. With
no secret configured an endpoint refuses every request (503): it is never open.

    /api/v1/slack                Slack slash command: ack now, answer via response_url
    /api/v1/slack/interactions   Slack buttons (block_actions)
    /api/v1/teams                Teams outgoing webhook: answered in the response
    /api/v1/mattermost           Mattermost slash command or outgoing webhook
    /api/v1/mattermost/actions   Mattermost buttons (integration actions, signed context)
"""

from __future__ import annotations

from flask import Blueprint

from . import chatbase, mattermost, slack, teams

bp = Blueprint("chatops", __name__, url_prefix="/api/v1")
bp.add_url_rule("/slack", "slack", slack.command, methods=["GET", "POST"])
bp.add_url_rule("/slack/interactions", "slack_interactions", slack.interactions, methods=["POST"])
bp.add_url_rule("/teams", "teams", teams.webhook, methods=["POST"])
bp.add_url_rule("/mattermost", "mattermost", mattermost.command, methods=["POST"])
bp.add_url_rule("/mattermost/actions", "mattermost_actions", mattermost.actions, methods=["POST"])
bp.record_once(lambda state: chatbase.init_app(state.app))
