"""The exception policy of the engine, in one place.

- Text a user pastes never raises: anything odd in it is normalised away, except a paste over
  the size limit, which raises :class:`PasteTooLarge` (a clear message, never a truncation the
  user did not ask for).
- A broken knowledge-base file raises :class:`EntryError`, naming the file, the line and what
  is wrong, in the ``path:line:col: message`` shape editors and ``kb lint`` understand.
- Everything a command-line user can cause derives from :class:`KBError`, which the CLI turns
  into one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

from pathlib import Path


class KBError(Exception):
    """Base class of every error a user can cause; the CLI prints it as one line."""


class PasteTooLarge(KBError):
    """The pasted text is larger than the configured limit."""

    def __init__(self, size: int, limit: int):
        self.size = size
        self.limit = limit
        super().__init__(
            f"the paste is {size:,} bytes; the limit is {limit:,} bytes - "
            "paste the error message and a few lines around it"
        )


class EntryError(KBError):
    """A knowledge-base file is wrong: where, and what."""

    def __init__(self, path: Path | str | None, line: int, message: str, col: int = 1):
        self.path = str(path) if path is not None else "<text>"
        self.line = line
        self.col = col
        self.message = message
        super().__init__(f"{self.path}:{line}:{col}: {message}")


class SearchIndexError(KBError):
    """The search index cannot be built or opened."""
