"""The exception policy of log triage, in one place.

- A log that is odd, damaged or partly unreadable never raises: what could be read is read,
  and the rest becomes a warning or a skipped item in the report.
- An input that is not a log at all raises :class:`NotALog` ("not a log I can read").
- An input over a size limit, or an archive that looks like a bomb, raises :class:`Refused`
  before it is expanded.

Both derive from :class:`engine.errors.KBError`, so the CLI prints them as one line and the
web app turns them into its one error shape.
"""

from __future__ import annotations

from engine.errors import KBError


class TriageError(KBError):
    """Base class of every triage error a user can cause."""


class NotALog(TriageError):
    """The input is binary junk, or a format no reader knows."""

    def __init__(self, name: str, why: str = ""):
        self.name = name
        super().__init__(f"not a log I can read: {name}" + (f" ({why})" if why else ""))


class Refused(TriageError):
    """The input is over a size limit or looks like a decompression bomb; nothing was expanded."""
