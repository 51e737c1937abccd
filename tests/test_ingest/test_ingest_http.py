"""Fetching feeds over HTTP from a local server: headers reach the parser, limits hold, and
redirects never leave http(s)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import SEED_FEED, read_kb, run_cli, run_ingest

LATIN1_FEED = (
    '<rss version="2.0"><channel><title>t</title><item><title>Caf\xe9 cr\xe8me</title>'
    "<link>/posts/cafe</link><description>Le service a \xe9chou\xe9: erreur 5.</description></item></channel></rss>"
).encode("latin-1")


class Handler(BaseHTTPRequestHandler):
    """Routes for the tests; each one is a situation a real server can produce."""

    def log_message(self, *args):  # keep test output clean
        pass

    def _send(
        self, body: bytes, content_type: str = "application/rss+xml; charset=utf-8", **headers
    ):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test): expected

    def _redirect(self, target: str):
        self.send_response(302)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        path = self.path
        if path == "/feed.xml":
            self._send(SEED_FEED.read_bytes())
        elif path == "/latin1":
            self._send(
                LATIN1_FEED,
                "text/xml; charset=iso-8859-1",
                Content_Location="http://blog.example/feeds/",
            )
        elif path == "/unsafe-location":
            self._send(
                LATIN1_FEED, "text/xml; charset=iso-8859-1", Content_Location="javascript:alert(1)"
            )
        elif path == "/page":
            self._send(b"<!DOCTYPE html><html><body><p>Not a feed</p></body></html>", "text/html")
        elif path == "/slow":
            time.sleep(2)
            self._send(SEED_FEED.read_bytes())
        elif path == "/big":
            self._send(b" " * 300_000)
        elif path == "/big-stream":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()  # no Content-Length: the cap must hold while reading
            try:
                for _ in range(40):
                    self.wfile.write(b"<!-- " + b"x" * 10_000 + b" -->")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.end_headers()
            try:
                for _ in range(20):  # a byte at a time: every read succeeds, the whole never ends
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/to-feed":
            self._redirect("/feed.xml")
        elif path == "/to-file":
            self._redirect("file:///etc/passwd")
        elif path == "/to-ftp":
            self._redirect("ftp://127.0.0.1/feed.xml")
        else:
            self.send_error(404, "Not Found")


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_feed_over_http(server, kb_dir):
    url = f"{server}/feed.xml"
    result, lines = run_ingest([url], kb_dir)
    assert result.exit_code == 0 and result.counts["new"] == 23
    entries = read_kb(kb_dir)
    assert {e.ingest["feed"] for e, _ in entries.values()} == {url}
    assert lines[-1] == f"{url}: 10 of 10 items ingested (23 entries)"


def test_http_charset_and_content_location_reach_the_parser(server, kb_dir):
    run_ingest([f"{server}/latin1"], kb_dir)
    ((entry, _),) = read_kb(kb_dir).values()
    assert entry.title == "Café crème"
    assert entry.source == "http://blog.example/posts/cafe"  # resolved against Content-Location
    assert entry.id == "cafe"


def test_an_unsafe_content_location_is_ignored(server, kb_dir):
    url = f"{server}/unsafe-location"
    _result, _lines = run_ingest([url], kb_dir)
    ((entry, text),) = read_kb(kb_dir).values()
    assert entry.source == f"{server}/posts/cafe"  # the document's own URL is the base
    assert "javascript" not in text


def test_an_html_page_is_rejected(server, kb_dir):
    result, lines = run_ingest([f"{server}/page"], kb_dir)
    assert lines == [f"{server}/page: rejected: an HTML page, not a feed"] and result.exit_code == 1


def test_http_errors_are_one_line(server, kb_dir):
    _result, lines = run_ingest([f"{server}/missing"], kb_dir)
    assert lines == [f"{server}/missing: rejected: HTTP 404 Not Found"]


def test_timeout(server, kb_dir):
    started = time.perf_counter()
    result = run_cli(f"{server}/slow", "--kb-dir", str(kb_dir), "--timeout", "0.5")
    assert time.perf_counter() - started < 1.9
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{server}/slow: rejected: timed out after 0.5 s"


def test_timeout_covers_the_whole_download(server, kb_dir):
    started = time.perf_counter()
    result, lines = run_ingest([f"{server}/drip"], kb_dir, timeout=1)
    assert result.exit_code == 1
    assert time.perf_counter() - started < 2.5
    assert lines == [f"{server}/drip: rejected: timed out after 1 s"]


def test_size_cap_from_content_length(server, kb_dir):
    _result, lines = run_ingest([f"{server}/big"], kb_dir, max_bytes=100_000)
    assert lines == [
        f"{server}/big: rejected: too large (293 KB, the limit is 98 KB; raise it with --max-bytes)"
    ]


def test_size_cap_while_streaming(server, kb_dir):
    _result, lines = run_ingest([f"{server}/big-stream"], kb_dir, max_bytes=100_000)
    assert lines == [
        f"{server}/big-stream: rejected: too large (more than that, the limit is 98 KB; raise it with --max-bytes)"
    ]


def test_redirect_within_http_is_followed(server, kb_dir):
    result, _ = run_ingest([f"{server}/to-feed"], kb_dir)
    assert result.counts["new"] == 23


@pytest.mark.parametrize("route, scheme", [("/to-file", "file"), ("/to-ftp", "ftp")])
def test_redirects_to_other_schemes_are_refused(server, kb_dir, route, scheme):
    result, lines = run_ingest([f"{server}{route}"], kb_dir)
    assert lines == [
        f"{server}{route}: rejected: redirected to a '{scheme}:' URL, which is not fetched"
    ]
    assert result.exit_code == 1


def test_unreachable_host(kb_dir):
    _result, lines = run_ingest(["http://127.0.0.1:9/feed.xml"], kb_dir, timeout=2)
    assert len(lines) == 1 and lines[0].startswith(
        "http://127.0.0.1:9/feed.xml: rejected: cannot fetch ("
    )
