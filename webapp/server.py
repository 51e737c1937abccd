"""``kb serve``'s server: gunicorn running the app factory, one worker process per core.

gunicorn's master creates the app once (``preload_app``: the KB version and jieba's dictionary
are loaded before the fork and shared by the workers' memory), then forks the workers. Each
worker, once set up, opens its own index handles, reports its KB version to the leader and
watches the KB (:meth:`webapp.kbstate.KBState.start`); its durable_rules rulesets are its own, made on first
use (they are never created in the master: durable_rules keeps process-global state).

Worker classes, and why the default is gevent:

- ``gevent`` (default): one event loop per worker holds many connections; a client that sends
  its headers slowly costs a greenlet, not a worker, and is dropped after ``keepalive``
  seconds. Long computations (KB builds, triage) are handed to real threads
  (:mod:`webapp.concurrency`), so the loop keeps answering.
- ``gthread``: threads read request headers themselves, so slow clients can tie them all up;
  use it behind a buffering reverse proxy (nginx, see ``deploy/nginx.conf``), as gunicorn's
  documentation asks.

gunicorn also gives: a worker that dies (even ``kill -9``) is replaced; SIGHUP starts new
workers and lets the old ones finish their requests; a worker stuck past ``timeout`` seconds
is killed and replaced; SIGTERM stops gracefully.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Callable, Mapping
from typing import Any

from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter

log = logging.getLogger(__name__)

KEEPALIVE_S = 5  # also the time a gevent worker gives a client to send its request headers


def gevent_worker_class():
    """gunicorn's gevent worker, with real threads kept real.

    The stock worker patches everything, ``threading`` included: every lock made after the fork
    (a KB version's index opened by a worker, Whoosh's own locks) becomes a gevent lock, and
    one shared by the real threads that compute diagnoses (webapp.concurrency) hangs them
    (seen: two threads waiting for ever in SearchIndex.search). Here sockets, select, time and
    the rest are patched, threads and locks and queues are not: the event loop holds the
    connections, real threads with real locks do the computing.
    """
    from gevent import monkey, socket
    from gunicorn.workers.ggevent import GeventWorker

    class KBGeventWorker(GeventWorker):
        def patch(self) -> None:
            monkey.patch_all(thread=False, Event=False, queue=False)
            self.sockets = [
                socket.socket(s.FAMILY, socket.SOCK_STREAM, fileno=s.sock.detach())
                for s in self.sockets
            ]

    return KBGeventWorker


class KBServer(BaseApplication):
    """gunicorn over :func:`webapp.create_app`, on a socket bound by the caller."""

    def __init__(
        self,
        sock: socket.socket,
        app_config: Mapping[str, Any],
        *,
        workers: int,
        worker_class: str = "gevent",
        threads: int = 8,
        worker_connections: int = 1000,
        timeout: int = 30,
        announce: Callable[[Any], None] | None = None,
    ):
        self.sock = sock
        self.app_config = dict(app_config)
        self.announce = announce
        self.options = {
            "bind": [f"fd://{sock.fileno()}"],
            "workers": workers,
            "worker_class": gevent_worker_class() if worker_class == "gevent" else worker_class,
            "threads": threads,
            "worker_connections": worker_connections,
            "preload_app": True,
            "timeout": timeout,
            "graceful_timeout": 30,
            "keepalive": KEEPALIVE_S,
            "backlog": 2048,
            "proc_name": "kb-serve",
            "errorlog": "-",
            "loglevel": "info",
            "when_ready": self._when_ready,
            "post_worker_init": self._post_worker_init,
            "worker_exit": self._worker_exit,
            # gunicorn 25+ opens a control socket in ~/.gunicorn by default: one per user,
            # which two servers on one machine would fight over; nothing here uses it
            "control_socket_disable": True,
        }
        self.app = None
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from . import create_app

        app = create_app({**self.app_config, "KB_START_LATER": True})
        app.debug = app.testing = False  # never, whatever the environment says
        self.app = app
        return app

    def run(self) -> None:  # no sys.exit on errors: the caller reports them in one line
        Arbiter(self).run()

    # --- hooks (gunicorn calls them with the arbiter or the worker) -------------------------

    def _when_ready(self, arbiter) -> None:
        if self.announce is not None:
            self.announce(self.app)

    def _post_worker_init(self, worker) -> None:
        """In the new worker, once it is set up (its signal handlers too: a SIGTERM that came
        during a slower start-up used to be lost, and the worker lived on for the graceful
        timeout): its own index handles, its report to the leader, its KB watcher."""
        state = self.app.extensions["kb"]
        state.start(self.app.config["KB_WATCH_INTERVAL"])

    def _worker_exit(self, arbiter, worker) -> None:
        """The worker's last act: close the KB, then leave at once. Tearing down the objects of
        a large KB one by one takes the interpreter tens of seconds at 100,000 entries, past
        gunicorn's graceful timeout; the kernel frees them in one go."""
        try:
            self.app.extensions["kb"].close()
        except Exception:  # a worker on its way out must not fail its exit
            log.exception("worker %s: closing the KB failed", worker.pid)
        leaving = sys.exc_info()[1]  # gunicorn calls this while the worker's exit is raised
        code = leaving.code if isinstance(leaving, SystemExit) else (1 if leaving else 0)
        exit_now(code if isinstance(code, int) else 1)


def exit_now(code: int) -> None:
    """End this process now, its output flushed, without tearing its objects down."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    logging.shutdown()
    os._exit(code)
