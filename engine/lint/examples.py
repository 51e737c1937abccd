"""``kb test``: every entry's ``examples`` must rank that entry first, and confidently.

An example is a paste the entry must answer, written by the entry's writer. Running them all
after every change shows at once when a new entry or rule steals another entry's pastes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import KBError
from .source import parse

NO_EXAMPLES = "no examples: add at least one paste it must answer under 'examples:'"


@dataclass(frozen=True)
class ExampleResult:
    """One example of one entry, diagnosed (``number`` 0: the entry has no example)."""

    path: str
    line: int
    entry_id: str
    number: int
    example: str
    rank: int | None = None  # 1-based; None when not in the results
    confidence: float | None = None  # the entry's own confidence, when ranked
    confident: bool = False  # whether the diagnosis as a whole is confident
    first_id: str | None = None
    first_confidence: float | None = None
    error: str | None = None  # why it could not be tested

    @property
    def passed(self) -> bool:
        return self.error is None and self.rank == 1 and self.confident


def check_examples(diagnoser, top: int = 5) -> list[ExampleResult]:
    """Diagnose every example of every entry of *diagnoser* (an :class:`engine.Diagnoser`)."""
    results: list[ExampleResult] = []
    for entry in sorted(diagnoser.entries.values(), key=lambda e: (e.path or "", e.id)):
        path = entry.path or entry.id
        lines = example_lines(Path(entry.path)) if entry.path else []
        if not entry.examples:
            results.append(
                ExampleResult(path, lines[0] if lines else 1, entry.id, 0, "", error=NO_EXAMPLES)
            )
            continue
        for number, example in enumerate(entry.examples, 1):
            line = lines[number] if number < len(lines) else (lines[0] if lines else 1)
            try:
                diagnosis = diagnoser.diagnose(example, top=top)
            except KBError as exc:
                results.append(ExampleResult(path, line, entry.id, number, example, error=str(exc)))
                continue
            ids = [r.entry.id for r in diagnosis.remedies]
            rank = ids.index(entry.id) + 1 if entry.id in ids else None
            first = diagnosis.remedies[0] if diagnosis.remedies else None
            results.append(
                ExampleResult(
                    path,
                    line,
                    entry.id,
                    number,
                    example,
                    rank=rank,
                    confidence=diagnosis.remedies[rank - 1].confidence if rank else None,
                    confident=diagnosis.confident,
                    first_id=first.entry.id if first else None,
                    first_confidence=first.confidence if first else None,
                )
            )
    return results


def example_lines(path: Path) -> list[int]:
    """[line of ``examples:``, line of example 1, of example 2, ...] ([] when unknown)."""
    src = parse(path)
    if src.node is None or "examples" not in src.key_lines:
        return []
    lines = [src.where_key("examples")[0]]
    examples = src.front_matter.get("examples")
    if isinstance(examples, list):
        lines += [
            src.where("examples", i)[0]
            for i, value in enumerate(examples)
            if isinstance(value, (str, int, float)) and str(value).strip()
        ]
    return lines
