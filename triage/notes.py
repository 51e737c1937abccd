"""What a triage run could not read: skipped inputs and warnings, bounded in number."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_NOTES = 200


@dataclass
class Notes:
    """Skipped items (``{"name", "reason"}``) and warnings (``{"file", "message"}``).

    A hostile archive can hold a million bad members; past :data:`MAX_NOTES` of each kind only
    a count is kept, and one last line says how many more there were.
    """

    skipped: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    more_skipped: int = 0
    more_warnings: int = 0

    def skip(self, name: str, reason: str) -> None:
        if len(self.skipped) < MAX_NOTES:
            self.skipped.append({"name": name, "reason": reason})
        else:
            self.more_skipped += 1

    def warn(self, file: str, message: str) -> None:
        if len(self.warnings) < MAX_NOTES:
            self.warnings.append({"file": file, "message": message})
        else:
            self.more_warnings += 1

    def closed(self) -> tuple[list[dict], list[dict]]:
        """The two lists, each with a last line counting what did not fit."""
        skipped, warnings = list(self.skipped), list(self.warnings)
        if self.more_skipped:
            skipped.append({"name": "...", "reason": f"and {self.more_skipped} more skipped"})
        if self.more_warnings:
            warnings.append({"file": "...", "message": f"and {self.more_warnings} more warnings"})
        return skipped, warnings
