"""Several worker processes on one listening socket: use every core despite the GIL.

A diagnosis is pure-Python CPU work (about 9 ms on a 10,000-entry KB), so one process serves
one core. ``kb serve --workers N`` binds the socket once, then forks N workers; each loads its
own engine and runs waitress on the inherited socket, and the kernel hands each connection to
one of them. The parent only supervises:

- it announces readiness once every worker has loaded its engine (before that, connections
  wait in the listen backlog; none is refused or answered half-loaded);
- a worker that dies is started again (unless it dies at start-up, which stops the server:
  a broken configuration must not loop);
- SIGTERM or Ctrl-C stops every worker.

Live reload runs in each worker; they share the index folder, whose writes are serialised
by Whoosh's lock (see engine.search.SearchIndex.update).
"""

from __future__ import annotations

import logging
import os
import select
import signal
import sys
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
STARTUP_TIMEOUT_S = 600.0


class WorkerFailed(RuntimeError):
    """A worker could not start (its reason is in the log)."""


def _child(build: Callable[[], tuple[object, Callable[[], None]]], ready_fd: int) -> None:
    """In the forked worker: load, signal readiness, serve until told to stop. Never returns."""
    code = 0
    try:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when to stop
        server, close = build()
        os.write(ready_fd, b"1")
        os.close(ready_fd)
        try:
            server.run()
        finally:
            close()
    except SystemExit:
        pass
    except BaseException:
        log.exception("worker %d failed", os.getpid())
        code = 1
    finally:
        logging.shutdown()
        os._exit(code)


def serve(
    build: Callable[[], tuple[object, Callable[[], None]]],
    workers: int,
    announce: Callable[[], None],
) -> None:
    """Run *workers* copies of the server *build* makes; call *announce* when all are ready."""
    if workers <= 1:
        server, close = build()
        announce()
        try:
            server.run()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            close()
        return

    ready_r, ready_w = os.pipe()
    children: dict[int, float] = {}  # pid -> start time

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            _child(build, ready_w)
        children[pid] = time.monotonic()

    for _ in range(workers):
        spawn()
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True
        for pid in list(children):
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        _await_ready(ready_r, workers, children)
        announce()
        while children:
            try:
                pid, status = os.wait()
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            started = children.pop(pid, None)
            if stopping or started is None:
                continue
            if time.monotonic() - started < 30:
                stop()
                raise WorkerFailed(
                    f"a worker exited {os.waitstatus_to_exitcode(status)} while starting; see the log"
                )
            log.warning(
                "worker %d exited (%s); starting another", pid, os.waitstatus_to_exitcode(status)
            )
            spawn()
    finally:
        stop()
        for pid in list(children):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        os.close(ready_r)
        os.close(ready_w)


def _await_ready(ready_r: int, workers: int, children: dict[int, float]) -> None:
    """Block until every worker has written its readiness byte, or one has died."""
    got = 0
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while got < workers:
        if time.monotonic() > deadline:
            raise WorkerFailed("workers did not become ready in time")
        readable, _, _ = select.select([ready_r], [], [], 0.2)
        if readable:
            got += len(os.read(ready_r, workers - got))
            continue
        pid, status = os.waitpid(-1, os.WNOHANG)
        if pid:
            children.pop(pid, None)
            raise WorkerFailed(
                f"a worker exited {os.waitstatus_to_exitcode(status)} while starting; see the log"
            )
