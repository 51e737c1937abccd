"""``kb serve``: the helpdesk page, the JSON API and the chat endpoints under waitress.

The port is bound first (so "address in use" fails at once), the engine is loaded next (index
built or opened, rules warmed up), and only then does the socket listen: no request ever waits
for, or sees, a half-loaded knowledge base.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
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


def _bind(host: str, port: int) -> socket.socket:
    """A bound (not yet listening) socket; connections are refused until waitress listens."""
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
    "--threads",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Threads per worker process.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: $KB_WORKERS, else one per CPU, at most 4).",
)
@user_errors
def serve_cmd(host, port, kb_dir, index_dir, threads, workers):
    """Serve the helpdesk page, the JSON API and the Slack/Mattermost endpoints.

    Settings such as SLACK_SIGNING_SECRET, MATTERMOST_TOKEN, KB_PUBLIC_URL and KB_FEEDBACK_DB
    come from the environment (see docs/web.md).
    """
    from waitress import create_server

    from engine.diagnoser import prepare_index
    from webapp import create_app, prefork

    # One line per event on stderr: reloads, broken KB files, waitress's own warnings.
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    host = host or os.environ.get("KB_HOST") or DEFAULT_HOST
    port = _port_from_env() if port is None else port
    workers = workers or _workers_from_env()
    kb = resolve_kb_dir(kb_dir)
    config = {"KB_DIR": str(kb)}
    if index_dir is not None:
        config["KB_INDEX_DIR"] = str(index_dir)
    sock = _bind(host, port)
    try:
        # Built once here, not by every worker at once.
        entry_count = prepare_index(kb, index_dir or os.environ.get("KB_INDEX_DIR") or None)
    except BaseException:
        sock.close()
        raise
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    quiet = {"warned": workers > 1}

    def build():
        app = create_app(config)
        app.debug = app.testing = False  # never, whatever the environment says
        state = app.extensions["kb"]
        if not quiet["warned"]:
            for error in state.diagnoser.errors:
                click.echo(f"warning: {error} (run 'kb lint')", err=True)
        server = create_server(app, sockets=[sock], threads=threads, ident="troubleshoot-kb")
        # The loaded KB (1.3 million objects on a 10,000-entry KB) never becomes garbage as a
        # whole: keep it out of the cyclic collector, whose full passes paused a worker for
        # 0.7 s (measured) and made the p99 latency.
        gc.collect()
        gc.freeze()
        if workers > 1:  # a worker that stops is a process that ends: the OS frees the KB
            return server, server.close
        return server, lambda: (server.close(), state.close())

    def announce():
        if workers > 1:
            click.echo(f"{workers} worker processes, {threads} threads each", err=True)
        click.echo(f"serving {entry_count} entries on http://{shown}:{bound_port}")
        sys.stdout.flush()

    if workers == 1:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        prefork.serve(build, workers, announce)
    except prefork.WorkerFailed as exc:
        raise KBError(f"kb serve: {exc}") from None
    finally:
        sock.close()


def _workers_from_env() -> int:
    raw = os.environ.get("KB_WORKERS")
    if not raw:
        return max(1, min(4, os.cpu_count() or 1))
    if not raw.isdigit() or not 1 <= int(raw) <= 64:
        raise KBError(f"$KB_WORKERS must be a number of processes (1-64), not {raw!r}")
    return int(raw)
