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

import difflib
from collections.abc import Iterable
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
    """A knowledge-base file is wrong: where (path, line, column), what, and in which field.

    ``field`` is the front-matter key the problem is about (``"id"``, ``"rules"``, ...), or
    None for the file as a whole (no front matter, YAML that does not parse, a duplicate).
    ``kb lint`` uses it to tell which of the reader's verdicts it explains in more detail.

    >>> str(EntryError("kb/a.md", 4, "kind 'howto' must be one of troubleshooting, guide"))
    "kb/a.md:4:1: kind 'howto' must be one of troubleshooting, guide"
    """

    def __init__(
        self,
        path: Path | str | None,
        line: int,
        message: str,
        col: int = 1,
        field: str | None = None,
    ):
        self.path = str(path) if path is not None else "<text>"
        self.line = max(1, line)
        self.col = max(1, col)
        self.message = message
        self.field = field
        super().__init__(f"{self.path}:{self.line}:{self.col}: {message}")


class SearchIndexError(KBError):
    """The search index cannot be built or opened."""


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a choice is close to *word*, else '' (for error messages).

    >>> did_you_mean("titel", ["id", "title"]), did_you_mean("zzz", ["id", "title"])
    (" (did you mean 'title'?)", '')
    """
    close = difflib.get_close_matches(str(word), sorted(set(choices)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
