"""Follow-up messages to a chat's ``response_url``: where they may go, and who sends them.

Slack wants an answer to a slash command within 3 seconds; the answer itself is sent later,
as a POST to the ``response_url`` the command carried. That URL comes in the request body, so
it is checked before anything is sent: ``https`` to one of Slack's own hosts, or a host named
in ``KB_SLACK_RESPONSE_URL_ALLOW`` (tests, private deployments; only there is plain ``http``
allowed). Anything else is logged and dropped: this server is never an open proxy.

The work (diagnose, store the permalink, POST) runs in a small pool of real threads, not on a
queue drained by a separate process, because the server keeps no broker and the work is short
(a diagnosis: tens of milliseconds; the POST: at most ``POST_TIMEOUT_S``). The pool is bounded:
at most ``max_pending`` jobs wait or run; past that the command is told to try again instead
of piling up. One attempt per follow-up, never a retry: a response_url that refuses is logged
once. Threads are real under gunicorn's gevent worker too (webapp.server patches sockets, not
threads), so the diagnosis in them never holds up the event loop.

>>> allowed("https://hooks.slack.com/commands/T1/2/x", ())
True
>>> allowed("https://evil.example/hooks.slack.com", ()), allowed("http://hooks.slack.com/x", ())
(False, False)
>>> allowed("http://127.0.0.1:8123/r", ("127.0.0.1:8123",))
True
"""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

log = logging.getLogger("webapp.followup")

# Where Slack sends response_urls from (its docs: hooks.slack.com; Enterprise Grid and
# GovSlack use the other two).
SLACK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com", "hooks.enterprise.slack.com")
POST_TIMEOUT_S = 5.0
MAX_URL_CHARS = 2000
MAX_PENDING = 32
WORKERS = 4


def allowed(url: object, extra_hosts: Iterable[str]) -> bool:
    """Whether a follow-up may be sent to *url*: https to Slack's hosts, or any scheme of
    http(s) to a host (``name`` or ``name:port``) in *extra_hosts*."""
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a port that is not a number, a broken IPv6 address
        return False
    host = (parts.hostname or "").lower()
    if parts.username or parts.password or not host:
        return False
    extra = {h.strip().lower() for h in extra_hosts if h.strip()}
    if parts.scheme in ("http", "https") and (host in extra or f"{host}:{port}" in extra):
        return True
    return parts.scheme == "https" and port in (None, 443) and host in SLACK_HOSTS


def allow_list(setting: str | None) -> tuple[str, ...]:
    """``KB_SLACK_RESPONSE_URL_ALLOW`` as hosts: comma-separated, blanks dropped."""
    return tuple(h.strip() for h in (setting or "").split(",") if h.strip())


def post_json(url: str, body: dict, timeout: float = POST_TIMEOUT_S) -> bool:
    """POST *body* once; True on a 2xx. A refusal or a timeout is logged, never retried."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    where = urlsplit(url).hostname  # the path of a response_url is a credential: not logged
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
            return True
    except urllib.error.HTTPError as exc:
        log.warning("follow-up to %s refused: HTTP %d (not retried)", where, exc.code)
    except (OSError, ValueError) as exc:
        log.warning("follow-up to %s failed: %s (not retried)", where, type(exc).__name__)
    return False


class Followups:
    """A bounded pool of follow-up jobs (one per app, in ``app.extensions``)."""

    def __init__(self, max_pending: int = MAX_PENDING, workers: int = WORKERS):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="kb-followup")
        self._slots = threading.BoundedSemaphore(max_pending)
        self._idle = threading.Condition()
        self._pending = 0

    def submit(self, job: Callable[[], None]) -> bool:
        """Run *job* in the pool; False (and nothing run) when ``max_pending`` are waiting."""
        if not self._slots.acquire(blocking=False):
            log.warning("follow-up dropped: too many pending")
            return False
        with self._idle:
            self._pending += 1
        try:
            self._pool.submit(self._run, job)
        except RuntimeError:  # the pool was shut down (the app is closing)
            self._done()
            return False
        return True

    def _run(self, job: Callable[[], None]) -> None:
        try:
            job()
        except Exception:
            log.exception("follow-up job failed")
        finally:
            self._done()

    def _done(self) -> None:
        self._slots.release()
        with self._idle:
            self._pending -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Block until no job is pending (tests, shutdown); False if *timeout* passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
