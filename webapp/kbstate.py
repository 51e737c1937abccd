"""The one place the web app holds the engine: a :class:`KBState` in ``app.extensions["kb"]``.

The Diagnoser is loaded (a KB version built or read) once, when the app is created, never per
request. Each request holds one KB version from start to end (:func:`diagnoser` pins it), and
every response says which (``X-KB-Version``). Under ``kb serve`` the app is created once in
gunicorn's master and each worker process then calls :meth:`KBState.start` (its own index
handles, its report to the leader, its watcher); elsewhere :func:`init_app` starts it at once.
"""

from __future__ import annotations

import os
import threading

from flask import Flask, current_app, g

from engine import Diagnoser
from engine.diagnoser import KBWatcher, Pinned

from .concurrency import run_blocking


class KBState:
    """Holds the current Diagnoser; swap it under ``lock``.

    Live reload happens inside the Diagnoser (it swaps its own snapshot when a new KB version
    is current); the watcher thread that drives it lives here, with the app.
    """

    def __init__(self, diagnoser: Diagnoser, owned: bool = True):
        self.lock = threading.RLock()
        self.diagnoser = diagnoser
        self.owned = owned  # close it on shutdown only when we loaded it
        self.watcher: KBWatcher | None = None
        self.started_in: int | None = None

    def adopt(self) -> None:
        """In a process forked from the one that loaded the KB: open its own index handles."""
        if self.owned and self.diagnoser._pid != os.getpid():
            self.diagnoser.after_fork()

    def start(self, interval: float) -> None:
        """This process serves: its own index handles (:meth:`adopt`), its version reported,
        and the KB watched every *interval* seconds."""
        if self.started_in == os.getpid() or not self.owned:
            return
        self.adopt()
        self.diagnoser.report()
        self.started_in = os.getpid()
        self.watcher = None  # a watcher inherited through fork is a thread that is not here
        if interval > 0:
            self.watcher = KBWatcher(self.diagnoser, interval, run=run_blocking).start()
        # jieba's dictionary (0.9 s with the interpreter held, 70 MB) loads on the first paste
        # that needs Chinese segmentation, not at start: a start answers within 2 s, and a
        # server that sees only English pastes never pays for it

    def current(self) -> Diagnoser:
        with self.lock:
            return self.diagnoser

    def close(self) -> None:
        with self.lock:
            if self.watcher is not None:
                self.watcher.stop()
                self.watcher = None
            if self.owned:
                self.diagnoser.close()


def init_app(app: Flask) -> None:
    given = app.config.get("KB_DIAGNOSER")
    if given is not None:
        state = KBState(given, owned=False)
    else:
        state = KBState(
            Diagnoser(
                app.config["KB_DIR"],
                app.config.get("KB_INDEX_DIR") or None,
                max_paste_bytes=app.config["KB_MAX_PASTE_BYTES"],
                serve=True,
            )
        )
    app.extensions["kb"] = state
    if given is None and not app.config.get("KB_START_LATER"):
        state.start(app.config["KB_WATCH_INTERVAL"])

    @app.teardown_request
    def release_kb_version(_exc=None):
        pinned = g.pop("kb_diagnoser", None)
        if pinned is not None:
            pinned.release()

    @app.after_request
    def kb_version(response):
        pinned = g.get("kb_diagnoser")
        response.headers["X-KB-Version"] = (pinned or state.current()).vid
        return response


def diagnoser() -> Pinned:
    """The KB version serving this request (the same one for the whole request)."""
    if "kb_diagnoser" not in g:
        g.kb_diagnoser = current_app.extensions["kb"].current().pin()
    return g.kb_diagnoser
