"""The ingester's exceptions: each one is a single line a user can act on."""

from __future__ import annotations

from engine.errors import KBError


class SourceRejected(KBError):
    """A source (file or URL) cannot be ingested; the message is the reason."""


class SourceTooLarge(SourceRejected):
    """A source is over the size limit."""


class SchemeRefused(SourceRejected):
    """A URL whose scheme is not http or https (or a redirect to one)."""
