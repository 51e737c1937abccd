"""The store's one failure a caller must handle: the database cannot be reached or failed."""

from __future__ import annotations

from engine.errors import KBError


class StoreUnavailable(KBError):
    """The database cannot be reached or failed; the message names it without a password."""
