"""Where long work runs: in the calling thread, or, under gunicorn's gevent worker, in a real
thread of gevent's pool, so the event loop keeps answering meanwhile.

A gevent worker runs every request on one OS thread, switching between them only when one
waits on the network. Work that computes (a diagnosis: 10-50 ms; building or loading a KB
version, triaging a 100 MB log bundle: seconds) would stop every other connection of that
worker for as long, and requests would queue behind each other in whatever order the event
loop picks (measured: 4 keep-alive connections to one worker, p99 720 ms, against 50 ms with
threads). It is handed to a real thread of gevent's pool instead, which the interpreter
preempts every few milliseconds: connections are held by the event loop, computing is shared
out as gunicorn's threaded worker shares it.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import Any


def under_gevent() -> bool:
    """True in a gevent worker (its sockets patched; threads stay real: webapp.server)."""
    monkey = sys.modules.get("gevent.monkey")
    return bool(monkey and monkey.is_module_patched("socket"))


def run_blocking(work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)``, in a real thread when the caller is a greenlet of a gevent worker
    (the event loop's thread); called from a real thread already, it runs there."""
    if under_gevent() and threading.current_thread() is threading.main_thread():
        import gevent

        return gevent.get_hub().threadpool.apply(work, args)
    return work(*args)


class InThread:
    """*target*'s methods, each run through :func:`run_blocking` (the store: a database call
    that waits, for a connection or for a database that is away, must not stop the loop)."""

    def __init__(self, target: Any):
        self._target = target

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if not callable(value):
            return value

        def call(*args: Any, **kwargs: Any) -> Any:
            return run_blocking(lambda: value(*args, **kwargs))

        return call
