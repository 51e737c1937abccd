"""The web app's settings, in three layers: defaults, then environment variables, then the
``test_config`` mapping given to :func:`webapp.create_app` (tests and embedders).

Every key here is documented in ``docs/web.md``; a test holds the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from engine.errors import KBError
from engine.normalise import MAX_PASTE_BYTES
from triage.limits import ENV_MAX_BYTES, Limits

MB = 1024 * 1024
MAX_JSON_DEPTH = 32  # our bodies are two levels deep, chat payloads three (webapp.requests)


class _Parser:
    """Reads one setting from its text; ``what`` is how an error message names what it wants."""

    def __init__(self, what: str, parse: Callable[[str], Any]):
        self.what = what
        self.parse = parse

    def __call__(self, raw: str) -> Any:
        return self.parse(raw)


def _flag(raw: str) -> bool:
    folded = raw.strip().lower()
    if folded in ("1", "true", "yes", "on"):
        return True
    if folded in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def _rate(raw: str) -> str:
    """A rate limit such as ``120/minute`` or ``120 per minute; 2000 per day``."""
    from limits import parse_many

    try:
        parse_many(raw)
    except ValueError:
        raise ValueError(raw) from None
    return raw


def _count(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError(raw)
    return value


TEXT = _Parser("a text", str)
BYTES = _Parser("a whole number of bytes", int)
SECONDS = _Parser("a number of seconds", float)
FLAG = _Parser("1 or 0 (on or off)", _flag)
RATE = _Parser("a rate limit such as '120/minute' or '30 per minute; 500 per day'", _rate)
COUNT = _Parser("a whole number (0 or more)", _count)

# key -> (environment variable or None, default, parser)
SETTINGS: dict[str, tuple[str | None, Any, Any]] = {
    "KB_DIR": ("KB_DIR", "kb", TEXT),
    "KB_INDEX_DIR": ("KB_INDEX_DIR", None, TEXT),
    # The store: PostgreSQL when a URL is given (nodes share it), else SQLite in KB_DATA_DIR.
    "KB_DATABASE_URL": ("KB_DATABASE_URL", None, TEXT),
    "KB_DATA_DIR": ("KB_DATA_DIR", None, TEXT),
    "KB_FEEDBACK_DB": ("KB_FEEDBACK_DB", None, TEXT),
    "KB_PUBLIC_URL": ("KB_PUBLIC_URL", None, TEXT),
    # How many reverse proxies in front add X-Forwarded-For/-Proto/-Host (0: trust none).
    "KB_TRUSTED_PROXIES": ("KB_TRUSTED_PROXIES", 0, COUNT),
    "KB_MAX_PASTE_BYTES": ("KB_MAX_PASTE_BYTES", MAX_PASTE_BYTES, BYTES),  # the engine's 1 MB
    "MAX_CONTENT_LENGTH": ("KB_MAX_CONTENT_LENGTH", 2 * MB, BYTES),
    # JSON bodies: arrays and objects at most this deep, checked before parsing
    "KB_MAX_JSON_DEPTH": ("KB_MAX_JSON_DEPTH", MAX_JSON_DEPTH, COUNT),
    # Log triage: the upload body limit of /triage and /api/v1/triage, and what one upload may
    # expand to once its archives are unpacked.
    "KB_TRIAGE_MAX_UPLOAD": ("KB_TRIAGE_MAX_UPLOAD", 100 * MB, BYTES),
    "KB_TRIAGE_MAX_BYTES": (ENV_MAX_BYTES, Limits().max_bytes, BYTES),
    "SLACK_SIGNING_SECRET": ("SLACK_SIGNING_SECRET", None, TEXT),
    "MATTERMOST_TOKEN": ("MATTERMOST_TOKEN", None, TEXT),
    # Microsoft Teams outgoing webhook: the base64 security token Teams shows when it is made.
    "TEAMS_WEBHOOK_SECRET": ("TEAMS_WEBHOOK_SECRET", None, TEXT),
    # More hosts (host or host:port, comma-separated) Slack follow-ups may be sent to, beside
    # Slack's own; only these may be plain http (tests, private deployments).
    "KB_SLACK_RESPONSE_URL_ALLOW": ("KB_SLACK_RESPONSE_URL_ALLOW", None, TEXT),
    # Live reload: poll the KB folder every KB_WATCH_INTERVAL seconds; 0 turns it off.
    "KB_WATCH_INTERVAL": ("KB_WATCH_INTERVAL", 1.0, SECONDS),
    # Rate limits per client address (see webapp.limits).
    "KB_RATELIMIT_ENABLED": ("KB_RATELIMIT_ENABLED", True, FLAG),
    "KB_RATELIMIT_STORAGE_URI": ("KB_RATELIMIT_STORAGE_URI", "memory://", TEXT),
    "KB_RATELIMIT_DIAGNOSE": ("KB_RATELIMIT_DIAGNOSE", "120/minute", RATE),
    "KB_RATELIMIT_FEEDBACK": ("KB_RATELIMIT_FEEDBACK", "30/minute", RATE),
    "KB_RATELIMIT_TRIAGE": ("KB_RATELIMIT_TRIAGE", "20/minute", RATE),
    "KB_RATELIMIT_CHAT": ("KB_RATELIMIT_CHAT", "120/minute", RATE),
    # Result permalinks (/r/<token>): how long one is kept, and how often expired ones go.
    "KB_RESULT_TTL_S": ("KB_RESULT_TTL_S", 30 * 24 * 3600.0, SECONDS),
    "KB_RESULT_EXPIRE_EVERY_S": ("KB_RESULT_EXPIRE_EVERY_S", 3600.0, SECONDS),
    # The no-answer page's "ask a person" link (a ticket form, a chat channel); unset: none.
    "KB_ESCALATE_URL": ("KB_ESCALATE_URL", None, TEXT),
    # An already loaded engine.Diagnoser to serve instead of loading KB_DIR (tests, embedders).
    "KB_DIAGNOSER": (None, None, None),
    # Set by `kb serve`: the app is made in gunicorn's master; each worker starts its part.
    "KB_START_LATER": (None, False, None),
}


def human_bytes(n: int) -> str:
    """'1 MB' for 1,000,000 or 1,048,576 bytes; '1,500 bytes' otherwise."""
    for unit in (1024 * 1024, 1000 * 1000):
        if n >= unit and n % unit == 0:
            return f"{n // unit} MB"
    return f"{n:,} bytes"


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, (env, _default, parse) in SETTINGS.items():
        if env is None or not environ.get(env):
            continue
        try:
            found[key] = parse(environ[env])
        except ValueError:
            raise KBError(f"${env} must be {parse.what}, not {environ[env]!r}") from None
    return found


def load_config(
    config: dict,
    test_config: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Fill Flask's *config* from the three layers, then derive what depends on them."""
    config.update({key: default for key, (_env, default, _parse) in SETTINGS.items()})
    config.update(_from_environment(os.environ if environ is None else environ))
    if test_config:
        config.update(test_config)
    if not config.get("KB_DATA_DIR"):
        config["KB_DATA_DIR"] = str(Path(config["KB_DIR"]).resolve().parent)
    if not config.get("KB_FEEDBACK_DB"):
        config["KB_FEEDBACK_DB"] = str(Path(config["KB_DATA_DIR"]) / ".kb-feedback.sqlite3")
    # Flask 3.1 caps one form field at 500 kB by default; a paste may be as large as the body.
    config["MAX_FORM_MEMORY_SIZE"] = config["MAX_CONTENT_LENGTH"]
