"""troubleshoot-kb's engine: a pure library (no Flask, no feed parsing).

    paste -> normalise -> rules + search -> rank -> Diagnosis

Most callers want :class:`Diagnoser` (load a KB once, diagnose many pastes) or the
:func:`diagnose` shortcut below.
"""

from __future__ import annotations

from pathlib import Path

from .diagnoser import Diagnoser
from .model import Diagnosis

__all__ = ["Diagnoser", "Diagnosis", "diagnose"]

_loaded: dict[Path, Diagnoser] = {}


def diagnose(text: str, top: int = 5, kb_dir: str | Path = "kb") -> Diagnosis:
    """Diagnose one paste against the KB in *kb_dir* (loaded on first use, then reused)."""
    key = Path(kb_dir).resolve()
    if key not in _loaded:
        _loaded[key] = Diagnoser(key)
    return _loaded[key].diagnose(text, top)
