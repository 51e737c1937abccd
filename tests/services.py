"""Real servers for the tests, each in a temp dir on a free loopback port: PostgreSQL, Redis,
nginx (Debian's packages, which `.ci/run` installs).

A test that needs one asks for it through :func:`require`: on a machine without the binaries
it is skipped with the reason, unless ``KB_REQUIRE_<NAME>=1`` (set in CI) turns that into a
failure. A uniquely named module, importable from any test folder.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

INSTALL = {
    "postgres": "apt-get install postgresql",
    "redis": "apt-get install redis-server",
    "nginx": "apt-get install nginx",
}


def require(name: str, found: bool) -> None:
    """Skip (or, with KB_REQUIRE_<NAME>=1, fail) when the server's binaries are missing."""
    if found:
        return
    reason = f"{name} is not installed ({INSTALL[name]})"
    if os.environ.get(f"KB_REQUIRE_{name.upper()}") == "1":
        pytest.fail(f"{reason}, and KB_REQUIRE_{name.upper()}=1 says it must be")
    pytest.skip(f"{reason}; set KB_REQUIRE_{name.upper()}=1 to fail instead")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


# --- PostgreSQL ------------------------------------------------------------------------------


def postgres_bindir() -> Path | None:
    """Debian's server binaries (initdb, pg_ctl), newest version first."""
    for pattern in ("/usr/lib/postgresql/*/bin",):
        for folder in sorted(glob.glob(pattern), reverse=True):
            if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
                return Path(folder)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


class Postgres:
    """A throw-away PostgreSQL cluster: ``initdb`` in a temp dir, a free port, trust auth.

    As root the cluster runs as the ``postgres`` user (PostgreSQL refuses to run as root), in
    a folder of its own under the system temp dir (pytest's are private to root).
    """

    def __init__(self):
        self.bindir = postgres_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="kb-postgres-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql://kb@127.0.0.1:{self.port}/kb"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120)

    def init(self) -> Postgres:
        if self.as_postgres:
            shutil.chown(self.root, "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "kb", "--auth=trust", "-E", "UTF8", "--no-sync"
        )
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "kb", "kb")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def new_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "kb", name)
        return f"postgresql://kb@127.0.0.1:{self.port}/{name}"


# --- Redis -----------------------------------------------------------------------------------


class Redis:
    """A throw-away redis-server: no persistence, a free port."""

    def __init__(self, root: Path):
        self.port = free_port()
        self.root = Path(root)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        self.root.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


# --- nginx -----------------------------------------------------------------------------------


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )


class Nginx:
    """Debian's nginx running the shipped site config (``deploy/nginx.conf``) in a temp prefix,
    its upstream and listen ports replaced."""

    def __init__(self, root: Path, site_config: Path, backend_port: int):
        self.root = Path(root)
        self.port = free_port()
        self.site = site_config.read_text(encoding="utf-8")
        self.backend_port = backend_port
        self.proc: subprocess.Popen | None = None

    def start(self, worker_connections: int = 4096) -> Nginx:
        for folder in ("logs", "tmp"):
            (self.root / folder).mkdir(parents=True, exist_ok=True)
        site = self.site.replace("127.0.0.1:8000", f"127.0.0.1:{self.backend_port}")
        site = site.replace("listen 80;", f"listen 127.0.0.1:{self.port};")
        site = site.replace("listen [::]:80;", "")
        (self.root / "site.conf").write_text(site, encoding="utf-8")
        tmp = self.root / "tmp"
        main = f"""
worker_processes 1;
error_log {self.root}/logs/error.log warn;
pid {self.root}/nginx.pid;
events {{ worker_connections {worker_connections}; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {self.root}/site.conf;
}}
"""
        (self.root / "nginx.conf").write_text(main, encoding="utf-8")
        binary = nginx_binary()
        test = subprocess.run(
            [binary, "-t", "-p", str(self.root), "-c", str(self.root / "nginx.conf")],
            check=False,
            capture_output=True,
            text=True,
        )
        assert test.returncode == 0, test.stderr
        self.proc = subprocess.Popen(
            [
                binary,
                "-p",
                str(self.root),
                "-c",
                str(self.root / "nginx.conf"),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait_for_port(self.port)
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stderr:
                self.proc.stderr.close()


# --- a stand-in for a chat's response_url ----------------------------------------------------


class Recorder:
    """A real HTTP server on a free loopback port, in a thread, that records every POST (path
    and JSON body) and answers *status*: Slack's ``response_url`` for the chat tests.

        with Recorder() as hook:
            ...  # send hook.url("/commands/1") as the response_url
            path, body = hook.next()
    """

    def __init__(self, status: int = 200):
        import queue
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        received: queue.Queue = queue.Queue()
        self.received = received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                import json

                length = int(self.headers.get("Content-Length") or 0)
                received.put((self.path, json.loads(self.rfile.read(length) or b"null")))
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):  # quiet: the test reads what it needs
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str = "/commands/T1/1/secret") -> str:
        return f"http://{self.host}{path}"

    def next(self, timeout: float = 20.0) -> tuple[str, object]:
        """The next recorded POST (path, body); raises queue.Empty when none comes."""
        return self.received.get(timeout=timeout)

    def __enter__(self):
        import threading

        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
