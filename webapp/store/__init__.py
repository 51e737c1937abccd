"""The web app's shared state behind one interface: feedback, result permalinks, the
knowledge-gap queue and chat replay protection.

    store = open_store("postgresql://kb@db.example/kb")    # PostgreSQL (several nodes share it)
    store = open_store(None, sqlite_path="data/kb.sqlite3") # SQLite (one node, the default)
    store.migrate()                                        # create or upgrade the schema

Methods (each raises :class:`StoreUnavailable` when the database cannot be reached):

- feedback: ``voter_id(address)``, ``add_feedback(entry_id, verdict, voter=, result=, reason=,
  paste_sha256=)`` -> counted or not (one vote per voter per result, or per entry per hour),
  ``feedback_counts(entry_id)``;
- permalinks: ``save_result(payload, ttl_s=)`` -> :class:`Permalink` (a 128-bit token),
  ``load_result(token)``, ``expire_results()``;
- knowledge gaps: ``record_gap(cluster_key, template, Unanswered(text, event_id, source))``,
  ``list_gaps(limit=, offset=, include_answered=)``, ``answer_gap(cluster_key, entry_id)``,
  ``trim_gaps(max_gaps)`` (each drop counted: ``gaps_dropped()``), ``get_gap(key)``,
  ``gaps_since(first_seen)``, ``retemplate_gap(key, template)``, ``gap_total()``;
- deflection figures: ``count_paste(confident=)``, ``daily_pastes(days=)``,
  ``feedback_totals()``;
- chat replays: ``remember_request(timestamp, signature)`` -> False for a replay;
- ``ping()``, ``migrate()``, ``close()``.
"""

from __future__ import annotations

from pathlib import Path

from engine.errors import KBError

from .backends import PostgresBackend, SQLiteBackend, redact
from .errors import StoreUnavailable
from .store import MAX_GAPS, RESULT_TTL_S, TOKEN, VERDICTS, Gap, Permalink, Store, Unanswered

__all__ = [
    "MAX_GAPS",
    "RESULT_TTL_S",
    "TOKEN",
    "VERDICTS",
    "Gap",
    "Permalink",
    "Store",
    "StoreUnavailable",
    "Unanswered",
    "open_store",
    "redact",
]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(url: str | None, *, sqlite_path: str | Path | None = None) -> Store:
    """The store at *url* (``postgresql://...``), else the SQLite file *sqlite_path*.

    Nothing is connected yet for PostgreSQL beyond a first check (see :meth:`Store.migrate`).
    """
    if url:
        if not url.startswith(POSTGRES_SCHEMES):
            raise KBError(
                f"$KB_DATABASE_URL must be a postgresql:// URL, not {redact(url)!r} "
                "(leave it unset for the embedded SQLite store)"
            )
        backend = PostgresBackend(url)
        backend.check()
        return Store(backend)
    if sqlite_path is None:
        raise KBError("no database: give a postgresql:// URL or an SQLite file")
    return Store(SQLiteBackend(sqlite_path))
