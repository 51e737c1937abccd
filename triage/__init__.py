"""Log triage: a whole event log or log bundle in, every distinct problem out, with its count
and remedy.

    file -> detect (evtx | zip/tar/gz | wevtutil | Format-List | CSV | XML | cluster.log | text)
         -> reader yields Events -> group (source + event ID + masked template)
         -> diagnose each group once (engine.Diagnoser) -> Report

Like ``ingest/``, this package sits beside the engine: it imports ``engine``, and ``engine``
never imports it. The CLI (``kb triage``) and the web app (``/triage``, ``/api/v1/triage``)
render the same :class:`Report`.
"""

from __future__ import annotations

from .errors import NotALog, Refused, TriageError
from .limits import Limits, limits_from_environ
from .report import GroupResult, Report
from .run import triage_paths, triage_streams

__all__ = [
    "GroupResult",
    "Limits",
    "NotALog",
    "Refused",
    "Report",
    "TriageError",
    "limits_from_environ",
    "triage_paths",
    "triage_streams",
]
