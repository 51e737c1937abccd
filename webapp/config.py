"""The web app's settings, in three layers: defaults, then environment variables, then the
``test_config`` mapping given to :func:`webapp.create_app` (tests and embedders).

Every key here is documented in ``docs/web.md``; a test holds the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.errors import KBError
from engine.normalise import MAX_PASTE_BYTES
from triage.limits import ENV_MAX_BYTES, Limits

MB = 1024 * 1024
MAX_JSON_DEPTH = 32  # our bodies are two levels deep, chat payloads three (webapp.requests)

# key -> (environment variable or None, default, parser)
SETTINGS: dict[str, tuple[str | None, Any, Any]] = {
    "KB_DIR": ("KB_DIR", "kb", str),
    "KB_INDEX_DIR": ("KB_INDEX_DIR", None, str),
    "KB_FEEDBACK_DB": ("KB_FEEDBACK_DB", None, str),
    "KB_PUBLIC_URL": ("KB_PUBLIC_URL", None, str),
    "KB_MAX_PASTE_BYTES": ("KB_MAX_PASTE_BYTES", MAX_PASTE_BYTES, int),  # the engine's 1 MB
    "MAX_CONTENT_LENGTH": ("KB_MAX_CONTENT_LENGTH", 2 * MB, int),
    # JSON bodies: arrays and objects at most this deep, checked before parsing
    "KB_MAX_JSON_DEPTH": ("KB_MAX_JSON_DEPTH", MAX_JSON_DEPTH, int),
    # Log triage: the upload body limit of /triage and /api/v1/triage, and what one upload may
    # expand to once its archives are unpacked.
    "KB_TRIAGE_MAX_UPLOAD": ("KB_TRIAGE_MAX_UPLOAD", 100 * MB, int),
    "KB_TRIAGE_MAX_BYTES": (ENV_MAX_BYTES, Limits().max_bytes, int),
    "SLACK_SIGNING_SECRET": ("SLACK_SIGNING_SECRET", None, str),
    "MATTERMOST_TOKEN": ("MATTERMOST_TOKEN", None, str),
    # Live reload: poll the KB folder every KB_WATCH_INTERVAL seconds; 0 turns it off.
    "KB_WATCH_INTERVAL": ("KB_WATCH_INTERVAL", 1.0, float),
    # An already loaded engine.Diagnoser to serve instead of loading KB_DIR (tests, embedders).
    "KB_DIAGNOSER": (None, None, None),
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
            what = "a whole number of bytes" if parse is int else "a number of seconds"
            raise KBError(f"${env} must be {what}, not {environ[env]!r}") from None
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
    if not config.get("KB_FEEDBACK_DB"):
        config["KB_FEEDBACK_DB"] = str(
            Path(config["KB_DIR"]).resolve().parent / ".kb-feedback.sqlite3"
        )
    # Flask 3.1 caps one form field at 500 kB by default; a paste may be as large as the body.
    config["MAX_FORM_MEMORY_SIZE"] = config["MAX_CONTENT_LENGTH"]
