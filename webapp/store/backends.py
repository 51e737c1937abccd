"""The two databases the store runs on: an SQLite file (embedded default) and PostgreSQL.

A backend hands out connections and knows its dialect; the SQL itself lives in
:mod:`webapp.store.store`, written once with ``?`` placeholders (PostgreSQL's ``%s`` is
substituted here). Both backends are safe to create before ``fork()``: SQLite connects per
call, and the PostgreSQL pool is opened lazily by the process that first uses it.
"""

from __future__ import annotations

import logging
import os
import random
import re
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .errors import StoreUnavailable

log = logging.getLogger(__name__)
INIT_TIMEOUT_S = 10.0
# A feedback request waits this long for a PostgreSQL connection before it answers 503.
POOL_TIMEOUT_S = 2.0
CONNECT_TIMEOUT_S = 3
SCHEMA_LOCK_ID = 0x6B62  # pg_advisory_xact_lock key: nodes migrating at once take turns


def redact(url: str) -> str:
    """*url* without its password, for messages and logs.

    >>> redact("postgresql://kb:s3cret@db.example:5432/kb?sslmode=require")
    'postgresql://kb@db.example:5432/kb?sslmode=require'
    """
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = (f"{parts.username}@" if parts.username else "") + host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


class Cursor:
    """The few cursor operations the store needs, over either driver."""

    def __init__(self, raw, translate):
        self._raw = raw
        self._translate = translate

    def execute(self, sql: str, params: tuple = ()) -> Cursor:
        self._raw.execute(self._translate(sql), params)
        return self

    def fetchone(self):
        return self._raw.fetchone()

    def fetchall(self):
        return self._raw.fetchall()

    @property
    def rowcount(self) -> int:
        return self._raw.rowcount


class SQLiteBackend:
    """One SQLite file (stdlib, WAL mode), a short-lived connection per transaction."""

    dialect = "sqlite"

    def __init__(self, path: str | Path):
        self.path = str(path)
        self.url = f"sqlite:///{Path(self.path).resolve()}"
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._wal()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA busy_timeout = 10000")
        return db

    def _wal(self) -> None:
        """Switch to WAL, even when every worker process does it at once.

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
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from None
                time.sleep(random.uniform(0.01, 0.1))

    @contextmanager
    def transaction(self, schema: bool = False) -> Iterator[Cursor]:
        """A transaction: committed when the block ends, rolled back when it raises."""
        try:
            db = self._connect()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"cannot open the database {self.path}: {exc}") from None
        with closing(db):
            db.execute("BEGIN IMMEDIATE" if schema else "BEGIN")
            try:
                yield Cursor(db.cursor(), lambda sql: sql)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            try:
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"the database {self.path} failed: {exc}") from None

    def close(self) -> None:
        pass


_PLACEHOLDER = re.compile(r"\?")


class PostgresBackend:
    """PostgreSQL through psycopg 3, a small connection pool per process (psycopg_pool).

    The pool is created by the first call in each process, never before ``fork()`` (a pool's
    connections and threads do not survive one); a dead connection is replaced on checkout.
    """

    dialect = "postgresql"

    def __init__(self, url: str, max_connections: int = 8):
        self.dsn = url
        self.url = redact(url)
        self.max_connections = max_connections
        self._pool = None
        self._pid = None
        self._lock = threading.Lock()

    def check(self) -> None:
        """Connect once, now: a clear :class:`StoreUnavailable` when the server cannot be reached."""
        import psycopg

        try:
            psycopg.connect(
                self.dsn, connect_timeout=CONNECT_TIMEOUT_S, application_name="troubleshoot-kb"
            ).close()
        except psycopg.Error as exc:
            raise StoreUnavailable(
                f"cannot connect to the database {self.url}: {_reason(exc)}"
            ) from None

    def _get_pool(self):
        with self._lock:
            if self._pool is None or self._pid != os.getpid():
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self.dsn,
                    min_size=1,
                    max_size=self.max_connections,
                    timeout=POOL_TIMEOUT_S,
                    # Give up a reconnection attempt early: its backoff doubles each time, and a
                    # later request starts a fresh one, so the store recovers as soon as the
                    # server is back instead of after minutes of backoff.
                    reconnect_timeout=5.0,
                    check=ConnectionPool.check_connection,
                    kwargs={
                        "connect_timeout": CONNECT_TIMEOUT_S,
                        "application_name": "troubleshoot-kb",
                    },
                    name=f"kb-store-{os.getpid()}",
                    open=False,
                )
                self._pool.open(wait=False)
                self._pid = os.getpid()
            return self._pool

    @contextmanager
    def transaction(self, schema: bool = False) -> Iterator[Cursor]:
        import psycopg
        from psycopg_pool import PoolTimeout

        try:
            if schema:  # once, at start-up: no pool yet (it may be made before a fork)
                manager = _single_connection(self.dsn)
            else:
                manager = self._get_pool().connection()
            with manager as conn, conn.transaction(), conn.cursor() as cur:
                if schema:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_ID,))
                yield Cursor(cur, lambda sql: _PLACEHOLDER.sub("%s", sql))
        except PoolTimeout:
            raise StoreUnavailable(f"the database {self.url} is not reachable") from None
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(f"the database {self.url} failed: {_reason(exc)}") from None

    def close(self) -> None:
        with self._lock:
            if self._pool is not None and self._pid == os.getpid():
                self._pool.close()
            self._pool = None


@contextmanager
def _single_connection(dsn: str):
    import psycopg

    conn = psycopg.connect(
        dsn, connect_timeout=CONNECT_TIMEOUT_S, application_name="troubleshoot-kb"
    )
    try:
        yield conn
    finally:
        conn.close()


def _reason(exc: Exception) -> str:
    """The driver's message, first line, with any password it might quote removed."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"password=\S+", "password=***", text)
