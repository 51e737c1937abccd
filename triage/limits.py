"""The bounds every input is held to, as one value.

Uploads and bundles come from tickets: they may be damaged, huge, or hostile (a zip bomb, a
member named ``../../etc/passwd``). Each bound below turns one such case into a clear message
instead of unbounded memory or time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import TriageError

MB = 1024 * 1024
ENV_MAX_BYTES = "KB_TRIAGE_MAX_BYTES"


@dataclass(frozen=True)
class Limits:
    # Bytes read per upload (per FILE on the command line), counted after decompression.
    max_bytes: int = 200 * MB
    # An archive member that expands more than this many times is a bomb (deflate's own
    # ceiling is ~1032:1; real text logs compress 5-50:1). Checked for members over 1 MB.
    max_ratio: int = 200
    # Members per archive: each costs memory as soon as the directory is read.
    max_members: int = 10_000
    # Archives inside an archive are opened this many levels deep; deeper ones are skipped.
    max_nesting: int = 1
    # A longer line is cut (a warning says where): a log without newlines stays bounded.
    max_line_chars: int = 64 * 1024
    # Distinct groups kept; events beyond are counted, not grouped (a warning says so).
    max_groups: int = 5_000
    # Hosts listed per group (the count of events is exact either way).
    max_hosts: int = 50


def limits_from_environ(environ: Mapping[str, str] | None = None, **overrides) -> Limits:
    """:class:`Limits` with ``$KB_TRIAGE_MAX_BYTES`` applied, then *overrides*."""
    environ = os.environ if environ is None else environ
    raw = environ.get(ENV_MAX_BYTES)
    values = {}
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise TriageError(f"${ENV_MAX_BYTES} must be a whole number of bytes, not {raw!r}")
        values["max_bytes"] = int(raw)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Limits(**values)


def human_bytes(n: int) -> str:
    """'200 MB' for 200 * 2**20; '1,500 bytes' for 1500."""
    if n >= MB and n % MB == 0:
        return f"{n // MB} MB"
    if n >= MB:
        return f"{n / MB:.1f} MB"
    return f"{n:,} bytes"
