""" "Solved it" / "Didn't help", stored in SQLite (stdlib, WAL mode) and counted per entry.

One table; one row per click. The paste itself is never stored, only its SHA-256 when the
form carried one, so repeated votes on the same paste can be told apart later.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     store = FeedbackStore(f"{folder}/feedback.sqlite3")
...     store.add("dns-signature", "solved")
...     store.counts("dns-signature")
{'solved': 1, 'not_helpful': 0}
"""

from __future__ import annotations

import random
import re
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app

VERDICTS = ("solved", "not_helpful")
INIT_TIMEOUT_S = 10.0
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    entry_id TEXT NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('solved', 'not_helpful')),
    created_at TEXT NOT NULL,
    paste_sha256 TEXT
);
CREATE INDEX IF NOT EXISTS feedback_entry ON feedback (entry_id);
"""


class FeedbackStore:
    """The feedback table in one SQLite file; a short-lived connection per call (thread-safe)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._create()

    def _create(self) -> None:
        """Create the table and switch to WAL, even when every worker process does it at once.

        Switching a new database to WAL takes an exclusive lock and answers "database is locked"
        at once, busy timeout or not, while another process does the same (seen when two
        `kb serve` workers started together), so that case is retried.
        """
        deadline = time.monotonic() + INIT_TIMEOUT_S
        while True:
            try:
                with closing(self._connect()) as db:
                    if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                        db.execute("PRAGMA journal_mode=WAL")
                    db.executescript(SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(random.uniform(0.01, 0.1))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10)
        db.execute("PRAGMA busy_timeout = 10000")
        return db

    def add(self, entry_id: str, verdict: str, paste_sha256: str | None = None) -> None:
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")
        if paste_sha256 is not None and not _SHA256.match(paste_sha256):
            paste_sha256 = None
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT INTO feedback (entry_id, verdict, created_at, paste_sha256) VALUES (?, ?, ?, ?)",
                (entry_id, verdict, now, paste_sha256),
            )

    def counts(self, entry_id: str) -> dict[str, int]:
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT verdict, COUNT(*) FROM feedback WHERE entry_id = ? GROUP BY verdict",
                (entry_id,),
            ).fetchall()
        found = dict(rows)
        return {verdict: found.get(verdict, 0) for verdict in VERDICTS}


def init_app(app: Flask) -> None:
    app.extensions["kb_feedback"] = FeedbackStore(app.config["KB_FEEDBACK_DB"])


def store() -> FeedbackStore:
    return current_app.extensions["kb_feedback"]
