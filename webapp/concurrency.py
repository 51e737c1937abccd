"""Where long work runs: in the calling thread, or, under gunicorn's gevent worker, in a real
thread of gevent's pool, so the event loop keeps answering meanwhile.

A gevent worker runs every request on one OS thread, switching between them only when one
waits on the network. Work that computes for seconds (building a KB version, loading one,
triaging a 100 MB log bundle) would stop every other connection of that worker for as long:
it is handed to a real thread, which the interpreter preempts every few milliseconds.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def under_gevent() -> bool:
    """True in a process whose threading gevent has patched (a gevent worker)."""
    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey and monkey.is_module_patched("threading"))


def run_blocking(work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)``, in a real thread when the caller is a greenlet of a gevent worker."""
    if under_gevent():
        import gevent

        return gevent.get_hub().threadpool.apply(work, args)
    return work(*args)
