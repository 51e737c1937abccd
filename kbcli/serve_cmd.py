"""``kb serve``: the helpdesk page, the JSON API and the chat endpoints under gunicorn.

The port is bound first (so "address in use" fails at once), the KB version is loaded next
(built on a first start), and only then does the socket listen: no request ever waits for, or
sees, a half-loaded knowledge base. The server itself is :mod:`webapp.server`.
"""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import socket
import sys

import click

from engine.errors import KBError

from .options import index_dir_option, kb_dir_option, resolve_kb_dir, user_errors

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _port_from_env() -> int:
    raw = os.environ.get("KB_PORT")
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or int(raw) > 65535:
        raise KBError(f"$KB_PORT must be a port number (0-65535), not {raw!r}")
    return int(raw)


# gunicorn worker classes (see webapp.server): gevent holds slow clients, gthread wants a proxy
WORKER_CLASSES = ("gevent", "gthread")
DEFAULT_WORKER_CLASS = "gevent"


def _bind(host: str, port: int) -> socket.socket:
    """A bound (not yet listening) socket; connections are refused until gunicorn listens."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise KBError(f"cannot serve on {host}: {exc.strerror}") from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise KBError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
    return sock


@click.command("serve")
@click.option(
    "--host", default=None, help=f"Address to listen on (default: $KB_HOST, else {DEFAULT_HOST})."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help=f"Port (default: $KB_PORT, else {DEFAULT_PORT}; 0 picks a free one).",
)
@kb_dir_option
@index_dir_option
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: $KB_WORKERS, else one per CPU, at most 4).",
)
@click.option(
    "--worker-class",
    type=click.Choice(WORKER_CLASSES),
    default=None,
    help="gevent holds slow clients without tying up a worker; gthread wants a buffering "
    "proxy in front (default: $KB_WORKER_CLASS, else gevent).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Threads per worker process (gthread only).",
)
@click.option(
    "--timeout",
    type=click.IntRange(5, 3600),
    default=None,
    help="Seconds a worker may be silent before it is killed and replaced "
    "(default: $KB_WORKER_TIMEOUT, else 60).",
)
@user_errors
def serve_cmd(host, port, kb_dir, index_dir, workers, worker_class, threads, timeout):
    """Serve the helpdesk page, the JSON API and the Slack/Mattermost endpoints (gunicorn).

    Settings such as SLACK_SIGNING_SECRET, MATTERMOST_TOKEN, KB_PUBLIC_URL, KB_DATABASE_URL and
    the rate limits come from the environment (see docs/web.md and docs/deploy.md).
    SIGHUP replaces the workers gracefully; SIGTERM or Ctrl-C stops.
    """
    from webapp.server import KBServer, exit_now

    # One line per event on stderr: reloads, broken KB files, gunicorn's own messages.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    host = host or os.environ.get("KB_HOST") or DEFAULT_HOST
    port = _port_from_env() if port is None else port
    workers = workers or _number_from_env("KB_WORKERS", "processes", default_workers(), 1, 64)
    worker_class = worker_class or _worker_class_from_env()
    timeout = timeout or _number_from_env("KB_WORKER_TIMEOUT", "seconds", 60, 5, 3600)
    kb = resolve_kb_dir(kb_dir)
    config = {"KB_DIR": str(kb)}
    if index_dir is not None:
        config["KB_INDEX_DIR"] = str(index_dir)
    _raise_open_files_limit()
    sock = _bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host

    def announce(app) -> None:
        state = app.extensions["kb"]
        for error in state.diagnoser.errors:
            click.echo(f"warning: {error} (not served; run 'kb lint')", err=True)
        click.echo(
            f"{workers} {worker_class} worker process{'es' if workers > 1 else ''}, "
            f"KB version {state.diagnoser.vid}",
            err=True,
        )
        click.echo(f"serving {len(state.diagnoser.entries)} entries on http://{shown}:{bound_port}")
        sys.stdout.flush()

    try:
        KBServer(
            sock,
            config,
            workers=workers,
            worker_class=worker_class,
            threads=threads,
            timeout=timeout,
            announce=announce,
        ).run()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise KBError(
                f"kb serve stopped (gunicorn exit code {exc.code}; see the log)"
            ) from None
    finally:
        with contextlib.suppress(OSError):  # gunicorn closed it already
            sock.close()
    # stopped cleanly: leave without tearing the loaded KB down object by object (tens of
    # seconds at 100,000 entries)
    exit_now(0)


def default_workers() -> int:
    """One worker per core (a diagnosis is CPU-bound Python), at most 4."""
    return max(1, min(4, os.cpu_count() or 1))


def _number_from_env(name: str, unit: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise KBError(f"${name} must be a number of {unit} ({low}-{high}), not {raw!r}")
    return int(raw)


def _worker_class_from_env() -> str:
    raw = os.environ.get("KB_WORKER_CLASS") or DEFAULT_WORKER_CLASS
    if raw not in WORKER_CLASSES:
        raise KBError(f"$KB_WORKER_CLASS must be one of {', '.join(WORKER_CLASSES)}, not {raw!r}")
    return raw


def _raise_open_files_limit() -> None:
    """Each connection is a file descriptor: allow as many as the system lets this process
    (a gevent worker holds up to 1,000 connections; Debian's default soft limit is 1,024)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
