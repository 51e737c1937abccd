"""The store: every piece of state the web app keeps, over either backend, in one SQL dialect.

Callers see plain methods and small frozen records; the SQL is written once (``?``
placeholders, ``INSERT ... ON CONFLICT``, ``RETURNING``: both SQLite 3.35+ and PostgreSQL
speak them). Every method raises :class:`~webapp.store.errors.StoreUnavailable` when the
database cannot be reached, and nothing else for a database problem.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from .errors import StoreUnavailable
from .schema import LATEST, MIGRATIONS, VERSION_TABLE

VERDICTS = ("solved", "not_helpful")
RESULT_TTL_S = 30 * 24 * 3600  # a permalink lives 30 days unless told otherwise
MAX_RESULT_BYTES = 4 * 1024 * 1024  # a paste (1 MB) and its results, as JSON
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22,64}$")  # secrets.token_urlsafe(16) or longer
REPLAY_WINDOW_S = 5 * 60
MAX_GAPS = 10_000
MAX_REASON_CHARS = 1000
MAX_TEMPLATE_CHARS = 2000
MAX_EXAMPLE_CHARS = 4000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Permalink:
    """A stored result: what a ``/r/<token>`` page shows until ``expires_at``."""

    token: str
    payload: dict
    created_at: float
    expires_at: float


@dataclass(frozen=True)
class Unanswered:
    """One paste counted in the knowledge-gap queue: its masked text (a new gap keeps it as its
    example) and the event ID and source it names, if any."""

    text: str
    event_id: int | None = None
    source: str | None = None


@dataclass(frozen=True)
class Gap:
    """A cluster of unanswered pastes (a knowledge gap), keyed by its masked template."""

    cluster_key: str
    template: str
    example: str
    event_id: int | None
    source: str | None
    count: int
    first_seen: float
    last_seen: float
    answered_by: str | None

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


class Store:
    """Feedback, permalinks, knowledge gaps and chat replays in one database.

    >>> import tempfile
    >>> from webapp.store.backends import SQLiteBackend
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     store = Store(SQLiteBackend(f"{folder}/kb.sqlite3"))
    ...     store.migrate()
    ...     store.add_feedback("dns-signature", "solved", voter=store.voter_id("10.0.0.1"))
    ...     store.add_feedback("dns-signature", "solved", voter=store.voter_id("10.0.0.1"))
    ...     store.feedback_counts("dns-signature")
    3
    True
    False
    {'solved': 1, 'not_helpful': 0}
    """

    def __init__(self, backend):
        self.backend = backend
        self.url = backend.url
        self._salt: str | None = None

    # --- schema --------------------------------------------------------------------------

    def migrate(self) -> int:
        """Create or upgrade the schema (each version once, in order); return the version."""
        dialect = self.backend.dialect
        with self.backend.transaction(schema=True) as cur:
            cur.execute(VERSION_TABLE[dialect])
            applied = {
                row[0] for row in cur.execute("SELECT version FROM schema_migrations").fetchall()
            }
            newest = max(applied, default=0)
            if newest > LATEST:
                raise StoreUnavailable(
                    f"the database {self.url} has schema version {newest}; this version of kb "
                    f"knows up to {LATEST}: upgrade kb before serving from it"
                )
            for migration in MIGRATIONS:
                if migration.version in applied:
                    continue
                for statement in migration.statements(dialect):
                    cur.execute(statement)
                cur.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, time.time()),
                )
            cur.execute(
                "INSERT INTO meta (key, value) VALUES ('voter_salt', ?) ON CONFLICT (key) DO NOTHING",
                (secrets.token_hex(16),),
            )
            self._salt = cur.execute("SELECT value FROM meta WHERE key = 'voter_salt'").fetchone()[
                0
            ]
        return LATEST

    def ping(self) -> None:
        """Raise :class:`StoreUnavailable` unless the database answers now."""
        with self.backend.transaction() as cur:
            cur.execute("SELECT 1").fetchone()

    def close(self) -> None:
        self.backend.close()

    # --- feedback ------------------------------------------------------------------------

    def voter_id(self, client: str) -> str:
        """A stable pseudonym for a client address (salted per database: no address is stored)."""
        if self._salt is None:
            with self.backend.transaction() as cur:
                self._salt = cur.execute(
                    "SELECT value FROM meta WHERE key = 'voter_salt'"
                ).fetchone()[0]
        return hashlib.sha256(f"{self._salt}:{client}".encode()).hexdigest()[:32]

    def add_feedback(
        self,
        entry_id: str,
        verdict: str,
        *,
        voter: str | None = None,
        result: str | None = None,
        reason: str | None = None,
        paste_sha256: str | None = None,
        now: float | None = None,
    ) -> bool:
        """Count one vote; False when *voter* already voted on this entry for this *result*
        (a permalink token) or, without one, within this hour. Votes without a voter (tests,
        imports) are always counted."""
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}")
        if paste_sha256 is not None and not _SHA256.match(paste_sha256):
            paste_sha256 = None
        moment = datetime.fromtimestamp(time.time() if now is None else now, UTC)
        ballot = f"r:{result}" if result else f"h:{moment:%Y%m%d%H}"
        with self.backend.transaction() as cur:
            if voter and not result:
                # the hour is a rolling one: a vote at 10:59:59 and another at 11:00:01 are one
                # (the unique ballot index alone would count both: they fall in two clock hours)
                since = (moment - timedelta(hours=1)).isoformat(timespec="seconds")
                recent = cur.execute(
                    "SELECT 1 FROM feedback WHERE entry_id = ? AND voter = ?"
                    " AND result_token IS NULL AND created_at > ? LIMIT 1",
                    (entry_id, voter, since),
                ).fetchone()
                if recent:
                    return False
            cur.execute(
                "INSERT INTO feedback (entry_id, verdict, created_at, paste_sha256, voter, ballot,"
                " result_token, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (entry_id, voter, ballot) DO NOTHING",
                (
                    entry_id,
                    verdict,
                    moment.isoformat(timespec="seconds"),
                    paste_sha256,
                    voter,
                    ballot if voter else None,
                    result,
                    (reason or None) and reason[:MAX_REASON_CHARS],
                ),
            )
            return cur.rowcount == 1

    def feedback_counts(self, entry_id: str) -> dict[str, int]:
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT verdict, COUNT(*) FROM feedback WHERE entry_id = ? GROUP BY verdict",
                (entry_id,),
            ).fetchall()
        found = dict(rows)
        return {verdict: int(found.get(verdict, 0)) for verdict in VERDICTS}

    # --- permalinks ----------------------------------------------------------------------

    def save_result(
        self, payload: dict, *, ttl_s: float = RESULT_TTL_S, now: float | None = None
    ) -> Permalink:
        """Store *payload* (JSON-able) under a new unguessable token (128 bits)."""
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        if len(text.encode("utf-8")) > MAX_RESULT_BYTES:
            raise ValueError(f"a stored result is at most {MAX_RESULT_BYTES:,} bytes of JSON")
        now = time.time() if now is None else now
        link = Permalink(secrets.token_urlsafe(16), payload, now, now + ttl_s)
        with self.backend.transaction() as cur:
            cur.execute(
                "INSERT INTO permalinks (token, payload, created_at, expires_at) VALUES (?, ?, ?, ?)",
                (link.token, text, link.created_at, link.expires_at),
            )
        return link

    def load_result(self, token: str, now: float | None = None) -> Permalink | None:
        """The stored result, or None when the token is malformed, unknown or expired."""
        if not isinstance(token, str) or not TOKEN.match(token):
            return None
        with self.backend.transaction() as cur:
            row = cur.execute(
                "SELECT payload, created_at, expires_at FROM permalinks WHERE token = ? AND expires_at > ?",
                (token, time.time() if now is None else now),
            ).fetchone()
        if row is None:
            return None
        return Permalink(token, json.loads(row[0]), float(row[1]), float(row[2]))

    def expire_results(self, now: float | None = None) -> int:
        """Delete expired results; return how many."""
        with self.backend.transaction() as cur:
            cur.execute(
                "DELETE FROM permalinks WHERE expires_at <= ?",
                (time.time() if now is None else now,),
            )
            return cur.rowcount

    # --- knowledge gaps ------------------------------------------------------------------

    def record_gap(
        self,
        cluster_key: str,
        template: str,
        paste: Unanswered,
        *,
        now: float | None = None,
        max_gaps: int | None = MAX_GAPS,
    ) -> Gap:
        """Count one more unanswered *paste* in its cluster (a new cluster starts at 1, with
        *template*); then, over *max_gaps* clusters, drop the oldest that were seen once."""
        now = time.time() if now is None else now
        with self.backend.transaction() as cur:
            row = cur.execute(
                "INSERT INTO gaps (cluster_key, template, example, event_id, source, count,"
                " first_seen, last_seen) VALUES (?, ?, ?, ?, ?, 1, ?, ?)"
                " ON CONFLICT (cluster_key) DO UPDATE SET count = gaps.count + 1,"
                " last_seen = excluded.last_seen"
                " RETURNING " + _GAP_COLUMNS,
                (
                    cluster_key[:200],
                    template[:MAX_TEMPLATE_CHARS],
                    paste.text[:MAX_EXAMPLE_CHARS],
                    paste.event_id,
                    paste.source[:200] if paste.source else None,
                    now,
                    now,
                ),
            ).fetchone()
        if max_gaps is not None:
            self.trim_gaps(max_gaps)
        return _gap(row)

    def list_gaps(
        self, *, limit: int = 50, offset: int = 0, include_answered: bool = False
    ) -> list[Gap]:
        """Clusters by count, most frequent first (then most recently seen)."""
        where = "" if include_answered else " WHERE answered_by IS NULL"
        with self.backend.transaction() as cur:
            rows = cur.execute(
                f"SELECT {_GAP_COLUMNS} FROM gaps{where}"
                " ORDER BY count DESC, last_seen DESC, cluster_key LIMIT ? OFFSET ?",
                (max(0, int(limit)), max(0, int(offset))),
            ).fetchall()
        return [_gap(row) for row in rows]

    def answer_gap(self, cluster_key: str, entry_id: str) -> bool:
        """Mark a cluster answered by an entry; False when there is no such cluster."""
        with self.backend.transaction() as cur:
            cur.execute(
                "UPDATE gaps SET answered_by = ? WHERE cluster_key = ?", (entry_id, cluster_key)
            )
            return cur.rowcount == 1

    def trim_gaps(self, max_gaps: int) -> int:
        """Over *max_gaps* clusters, delete the oldest unanswered ones seen only once."""
        with self.backend.transaction() as cur:
            total = cur.execute("SELECT COUNT(*) FROM gaps").fetchone()[0]
            if total <= max_gaps:
                return 0
            cur.execute(
                "DELETE FROM gaps WHERE cluster_key IN (SELECT cluster_key FROM gaps"
                " WHERE count = 1 AND answered_by IS NULL ORDER BY last_seen, cluster_key LIMIT ?)",
                (total - max_gaps,),
            )
            dropped = cur.rowcount
            if dropped > 0:  # counted for the deflection figures: writers see what was lost
                cur.execute(
                    "INSERT INTO meta (key, value) VALUES ('gaps_dropped', ?) ON CONFLICT (key)"
                    " DO UPDATE SET value = CAST(CAST(meta.value AS BIGINT) + ? AS TEXT)",
                    (str(dropped), dropped),
                )
            return dropped

    def gaps_dropped(self) -> int:
        """How many single-occurrence gaps :meth:`trim_gaps` dropped, ever."""
        with self.backend.transaction() as cur:
            row = cur.execute("SELECT value FROM meta WHERE key = 'gaps_dropped'").fetchone()
        return int(row[0]) if row else 0

    def get_gap(self, cluster_key: str) -> Gap | None:
        with self.backend.transaction() as cur:
            row = cur.execute(
                f"SELECT {_GAP_COLUMNS} FROM gaps WHERE cluster_key = ?", (cluster_key[:200],)
            ).fetchone()
        return _gap(row) if row else None

    def gaps_since(self, first_seen: float, *, limit: int = MAX_GAPS) -> list[Gap]:
        """Clusters started after *first_seen*, oldest first: what another process added (a
        template miner catching up with its peers)."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                f"SELECT {_GAP_COLUMNS} FROM gaps WHERE first_seen > ?"
                " ORDER BY first_seen, cluster_key LIMIT ?",
                (first_seen, max(0, int(limit))),
            ).fetchall()
        return [_gap(row) for row in rows]

    def retemplate_gap(self, cluster_key: str, template: str) -> bool:
        """Give a cluster its miner's newer, more general template (its key stays)."""
        with self.backend.transaction() as cur:
            cur.execute(
                "UPDATE gaps SET template = ? WHERE cluster_key = ?",
                (template[:MAX_TEMPLATE_CHARS], cluster_key),
            )
            return cur.rowcount == 1

    def gap_total(self) -> int:
        with self.backend.transaction() as cur:
            return int(cur.execute("SELECT COUNT(*) FROM gaps").fetchone()[0])

    # --- deflection figures --------------------------------------------------------------

    def count_paste(self, *, confident: bool, now: float | None = None) -> None:
        """Count one diagnosed paste on its (UTC) day, and whether it was answered confidently."""
        day = datetime.fromtimestamp(time.time() if now is None else now, UTC).date().isoformat()
        with self.backend.transaction() as cur:
            cur.execute(
                "INSERT INTO daily_pastes (day, pastes, confident) VALUES (?, 1, ?)"
                " ON CONFLICT (day) DO UPDATE SET pastes = daily_pastes.pastes + 1,"
                " confident = daily_pastes.confident + excluded.confident",
                (day, int(confident)),
            )

    def daily_pastes(self, *, days: int = 30) -> list[tuple[str, int, int]]:
        """(day, pastes, answered confidently) for the last *days* days that had pastes."""
        with self.backend.transaction() as cur:
            rows = cur.execute(
                "SELECT day, pastes, confident FROM daily_pastes ORDER BY day DESC LIMIT ?",
                (max(0, int(days)),),
            ).fetchall()
        return [(day, int(p), int(c)) for day, p, c in reversed(rows)]

    def feedback_totals(self) -> dict[str, int]:
        """Votes on every entry together, by verdict."""
        with self.backend.transaction() as cur:
            rows = cur.execute("SELECT verdict, COUNT(*) FROM feedback GROUP BY verdict").fetchall()
        found = dict(rows)
        return {verdict: int(found.get(verdict, 0)) for verdict in VERDICTS}

    # --- chat replays --------------------------------------------------------------------

    def remember_request(
        self,
        timestamp: int,
        signature: str,
        *,
        window_s: float = REPLAY_WINDOW_S,
        now: float | None = None,
    ) -> bool:
        """True the first time a signed request is seen within *window_s*; False for a replay."""
        if isinstance(timestamp, bool) or not 0 <= int(timestamp) < 10**12:
            raise ValueError("timestamp must be seconds since the epoch")
        now = time.time() if now is None else now
        with self.backend.transaction() as cur:
            cur.execute("DELETE FROM chat_replays WHERE seen_at < ?", (now - window_s,))
            cur.execute(
                "INSERT INTO chat_replays (signature, timestamp, seen_at) VALUES (?, ?, ?)"
                " ON CONFLICT (signature) DO NOTHING",
                (f"{int(timestamp)}:{signature[:200]}", int(timestamp), now),
            )
            return cur.rowcount == 1


_GAP_COLUMNS = (
    "cluster_key, template, example, event_id, source, count, first_seen, last_seen, answered_by"
)


def _gap(row) -> Gap:
    key, template, example, event_id, source, count, first, last, answered = row
    return Gap(
        key, template, example, event_id, source, int(count), float(first), float(last), answered
    )
