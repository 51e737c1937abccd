"""The one place the web app holds the engine: a :class:`KBState` in ``app.extensions["kb"]``.

The Diagnoser is loaded (index built or opened, rules warmed up) once, when the app is created,
never per request. Views fetch it through :func:`diagnoser` only, once per request, so a live
reload that swaps ``KBState.diagnoser`` is seen by the next request and never half-way through
one. Nothing else may keep a reference to the Diagnoser.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, g

from engine import Diagnoser
from engine.diagnoser import KBWatcher


class KBState:
    """Holds the current Diagnoser; swap it under ``lock``.

    Live reload happens inside the Diagnoser (it swaps its own snapshot when files change);
    the watcher thread that drives it lives here, with the app.
    """

    def __init__(self, diagnoser: Diagnoser, owned: bool = True):
        self.lock = threading.RLock()
        self.diagnoser = diagnoser
        self.owned = owned  # close it on shutdown only when we loaded it
        self.watcher: KBWatcher | None = None

    def watch(self, interval: float) -> None:
        """Pick up added, edited and deleted KB files every *interval* seconds."""
        if interval > 0 and self.watcher is None:
            self.watcher = KBWatcher(self.diagnoser, interval).start()

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
            )
        )
    state.diagnoser.warm_up()
    if given is None:  # a Diagnoser handed in by a test or an embedder is theirs to refresh
        state.watch(app.config["KB_WATCH_INTERVAL"])
    app.extensions["kb"] = state


def diagnoser() -> Diagnoser:
    """The Diagnoser serving this request (the same one for the whole request)."""
    if "kb_diagnoser" not in g:
        g.kb_diagnoser = current_app.extensions["kb"].current()
    return g.kb_diagnoser
