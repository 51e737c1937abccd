"""What ``kb lint`` reports: a :class:`Problem` per mistake, and the :class:`LintReport`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one file: where (1-based line and column) and what to do about it."""

    path: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "col": self.col, "message": self.message}


@dataclass
class LintReport:
    """The problems found (sorted by path, line, column) and what was checked."""

    problems: list[Problem]
    entries: int
    glossary: bool  # whether a glossary file was checked

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: ``26 entries, glossary: no problems`` or ``...: 3 problems in 2 files``."""
        checked = f"{self.entries} entr{'y' if self.entries == 1 else 'ies'}"
        if self.glossary:
            checked += ", glossary"
        if not self.problems:
            return f"{checked}: no problems"
        count = len(self.problems)
        files = len({p.path for p in self.problems})
        return (
            f"{checked}: {count} problem{'s' if count != 1 else ''} "
            f"in {files} file{'s' if files != 1 else ''}"
        )
