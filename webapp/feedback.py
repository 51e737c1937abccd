"""The web app's side of the store (:mod:`webapp.store`): opened once with the app, the voter's
pseudonym, and the counts an entry page or the API shows.

The store is PostgreSQL when ``KB_DATABASE_URL`` is set (several nodes share it), else the
SQLite file ``KB_FEEDBACK_DB`` (``.kb-feedback.sqlite3`` in ``KB_DATA_DIR``). Its schema is
created or upgraded here, before the app serves; a database that cannot be reached at start is
one :class:`~webapp.store.StoreUnavailable` naming it without its password.
"""

from __future__ import annotations

from flask import Flask, current_app, request

from .concurrency import InThread, under_gevent
from .store import VERDICTS, Store, StoreUnavailable, open_store

__all__ = ["VERDICTS", "counts", "init_app", "store", "voter"]


def init_app(app: Flask) -> None:
    found = open_store(app.config.get("KB_DATABASE_URL"), sqlite_path=app.config["KB_FEEDBACK_DB"])
    found.migrate()
    app.extensions["kb_store"] = found


def store() -> Store:
    """The store; under a gevent worker its calls run in a real thread (webapp.concurrency)."""
    found = current_app.extensions["kb_store"]
    return InThread(found) if under_gevent() else found


def voter() -> str:
    """This client's pseudonym: its address (the proxy's client, see KB_TRUSTED_PROXIES), salted."""
    return store().voter_id(request.remote_addr or "unknown")


def counts(entry_id: str) -> dict[str, int] | None:
    """The entry's feedback counts, or None while the database is unreachable (pages and the
    API still answer; only giving feedback needs the database)."""
    try:
        return store().feedback_counts(entry_id)
    except StoreUnavailable:
        current_app.logger.warning("feedback counts unavailable: the database is unreachable")
        return None
