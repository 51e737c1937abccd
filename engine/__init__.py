"""troubleshoot-kb's engine: a pure library (no Flask, no feed parsing).

    paste -> normalise -> rules + search -> rank -> Diagnosis

Callers want :class:`Diagnoser`: load a KB once, diagnose many pastes.
"""

from __future__ import annotations

from .diagnoser import Diagnoser
from .model import Diagnosis

__all__ = ["Diagnoser", "Diagnosis"]
