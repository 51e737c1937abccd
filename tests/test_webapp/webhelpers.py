"""Shared constants and helpers of the web tests (a uniquely named module: importable from any test)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

from testkb import DATA, write_kb

SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
MM_TOKEN = "zmigewsanbbsdf59xnmduzypjc"

# Every active-content trick we know, in every field a writer or a feed can fill.
XSS = (
    "<script>window.__pwned=1;alert(1)</script>"
    '<img src=x onerror="window.__pwned=2">'
    '<iframe src="https://evil.example/"></iframe>'
    '<form action="javascript:alert(3)"><button>go</button></form>'
    '<svg onload="alert(4)"><circle r=1></circle></svg>'
    '<a href="javascript:alert(5)">js link</a> '
    '<a href="jav&#x09;ascript:alert(6)">tab link</a> '
    "[md link](javascript:alert(7)) [data](data:text/html;base64,PHNjcmlwdD4=) "
    '<object data="https://evil.example/x.swf"></object><style>body{}</style>'
    '<p style="color:red" onclick="alert(8)">styled</p>'
)


def slack_headers(body: bytes, secret: str = SLACK_SECRET, timestamp: int | None = None) -> dict:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    sig = (
        "v0="
        + hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    )
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def wait_for_line(proc: subprocess.Popen, pattern: str, timeout: float = 60) -> str:
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            if proc.poll() is not None:
                path = getattr(proc, "log_path", None)
                stderr = (
                    proc.stderr.read()
                    if proc.stderr
                    else (path.read_text() if path else "(stderr went to the test's log file)")
                )
                raise RuntimeError(f"kb serve exited with {proc.returncode}: {stderr}")
            continue
        if re.search(pattern, line):
            return line
    raise TimeoutError(f"no line matching {pattern!r} in {timeout} s")


def start_server(
    root: Path, kb: Path, env: dict | None = None, stderr=None, args: tuple[str, ...] = ()
):
    """A real ``kb serve --port 0`` over *kb*, its index and feedback under *root*: the one way
    tests start a server. Returns the process and its base URL once it serves; the caller
    ends it with :func:`stop_server`. The environment's KB_/SLACK_/MATTERMOST_ settings are
    left out, *env* added; *args* are more options (``--workers 2``). The server's log goes to
    *stderr* when given, else to ``root/server.log`` (a pipe nobody reads would fill up)."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("KB_", "SLACK_", "MATTERMOST_"))
    }
    clean.update({"KB_FEEDBACK_DB": str(root / "feedback.sqlite3"), **(env or {})})
    kb_command = str(Path(sys.executable).parent / "kb")
    where = ["--kb-dir", str(kb), "--index-dir", str(root / "index")]
    log = None
    if stderr is None:
        log = stderr = open(root / "server.log", "a", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(
        [kb_command, "serve", "--port", "0", *where, *args],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env=clean,
        cwd=root,
    )
    proc.log_path = root / "server.log" if log is not None else None
    if log is not None:
        log.close()  # the child has its own copy
    try:
        line = wait_for_line(proc, r"^serving \d+ entries on http://")
    except BaseException:
        stop_server(proc)
        raise
    return proc, line.strip().rsplit(" ", 1)[1]


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM, then SIGKILL after 10 s; close the pipes."""
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pipe in (proc.stdout, proc.stderr):
        if pipe:
            pipe.close()


def worker_pids(proc: subprocess.Popen) -> set[int]:
    """The worker processes of a ``kb serve`` (gunicorn's master's children)."""
    found: set[int] = set()
    for task in Path(f"/proc/{proc.pid}/task").glob("*/children"):
        try:
            found |= {int(pid) for pid in task.read_text().split()}
        except OSError:
            pass
    return found


def get_json(url: str):
    import json

    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, json.loads(response.read())


ACTIVE_TAGS = {
    "script",
    "iframe",
    "frame",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "base",
    "meta",
    "applet",
    "video",
    "audio",
    "img",
    "input",
    "textarea",
    "button",
    "select",
}
OUR_TAGS = {"meta", "textarea", "input", "button"}  # the page's own head and forms


OUR_SCRIPT = "/static/page.js"


class _ActiveFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and names.get("src") == OUR_SCRIPT and len(attrs) == 2:
            return  # the site's own script file, the one the CSP lets run
        if tag in ACTIVE_TAGS and tag not in OUR_TAGS:
            self.problems.append(f"<{tag}>")
        if tag == "form" and not (names.get("action") or "").startswith("/"):
            self.problems.append(f"<form action={names.get('action')!r}>")
        for name, value in attrs:
            if name.startswith("on") or name in ("style", "srcdoc", "formaction"):
                self.problems.append(f"<{tag} {name}=...>")
            if (
                name in ("href", "src", "action", "xlink:href", "data", "poster")
                and value is not None
            ):
                squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
                safe = squeezed.startswith(("http://", "https://", "/"))
                safe = safe and not squeezed.startswith("//")
                favicon = tag == "link" and names.get("rel") == "icon" and value == "data:,"
                if not (safe or favicon):
                    self.problems.append(f"<{tag} {name}={value!r}>")


def active_content(html: str) -> list[str]:
    """Every real (parsed, not escaped) tag or attribute in *html* that could run code."""
    finder = _ActiveFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def write_hostile_kb(kb: Path) -> None:
    """kb_small plus an entry full of script payloads and one with a 10,000+ character fix."""
    from engine.entry import Entry, EventSignature, Signatures

    shutil.copytree(DATA / "kb_small", kb)
    hostile = Entry(
        id="hostile-entry",
        title='Event 4242: <script>alert("title")</script> "><img src=x onerror=alert(9)> service fails',
        # a URL lint accepts (a server serves only what lint passes), hostile inside: it must be
        # escaped in the link's attribute
        source='https://evil.example/x"onmouseover="alert(10)"><script>alert(10)</script>',
        products=("Hyper-V",),
        tags=("<b>tag</b>", "security"),
        signatures=Signatures(
            messages=("The hostile service failed <script>alert(11)</script>",),
            events=(EventSignature(4242, "Hostile-Provider"),),
        ),
        rules=({"name": "event-4242", "weight": 0.9, "all": [{"event": 4242}]},),
        examples=("<script>alert(12)</script> Event ID: 4242",),
        sections=(
            ("Symptom", "Event 4242: the hostile service fails.\n\n" + XSS),
            ("Cause", "A cause with " + XSS),
            (
                "Fix",
                "1. Restart the service.\n2. "
                + XSS
                + "\n\n```\n<script>alert('in code')</script>\n```",
            ),
            (
                "Notes",
                "# A top heading\n\n| a | b |\n|---|---|\n| <script>x</script> | [ok](https://safe.example/) |",
            ),
        ),
        owner="writer",
    )
    huge_fix = "\n".join(
        f"{i}. Run `Set-ClusterParameter -Name Step{i}` on every node, then check the log (size < 5 MB) "
        f"for event {i} & **confirm** [the doc](https://docs.example.com/step/{i}?a=1&b=2)."
        for i in range(1, 200)
    )
    assert len(huge_fix) > 10_000
    huge = Entry(
        id="huge-fix",
        title="Event 5151: " + "very long title " * 20,
        products=("Failover Clustering",),
        signatures=Signatures(
            events=(EventSignature(5151, "Microsoft-Windows-FailoverClustering"),)
        ),
        rules=({"name": "event-5151", "weight": 0.95, "all": [{"event": 5151}]},),
        sections=(
            ("Symptom", "Event 5151 " + "symptom text " * 400),
            ("Cause", "Cause."),
            ("Fix", huge_fix),
        ),
        owner="writer",
    )
    write_kb(kb, (hostile, huge))


def multipart(fields: dict[str, str]) -> dict:
    """Test-client kwargs for a multipart/form-data body built in memory (as the paste form sends
    it; Werkzeug's own encoder spools big bodies to a temp file it never closes)."""
    boundary = "----kbtestboundary7MA4YWxkTrZu0gW"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8")
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


TEAMS_SECRET = "bXktdGVhbXMtb3V0Z29pbmctd2ViaG9vay1zZWNyZXQ="  # base64, as Teams shows it


def teams_headers(body: bytes, secret: str = TEAMS_SECRET) -> dict:
    """The headers Teams sends: ``Authorization: HMAC`` + base64(HMAC-SHA256(b64decode(secret), body))."""
    import base64

    digest = hmac.new(base64.b64decode(secret), body, hashlib.sha256).digest()
    return {
        "Authorization": "HMAC " + base64.b64encode(digest).decode(),
        "Content-Type": "application/json",
    }


def slash(text: str, **extra) -> bytes:
    """A Slack slash command's form body, as Slack sends it (*extra* overrides fields)."""
    from urllib.parse import urlencode

    fields = {
        "token": "legacy-token",
        "team_id": "T0001",
        "team_domain": "example",
        "channel_id": "C2147483705",
        "channel_name": "helpdesk",
        "user_id": "U2147483697",
        "user_name": "steve",
        "command": "/kb",
        "text": text,
        "response_url": "https://hooks.slack.com/commands/1234/5678",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
    fields.update(extra)
    return urlencode(fields).encode()


_PRESSES = itertools.count()


def block_actions(
    action_id: str,
    value: str,
    response_url: str,
    user: str = "steve",
    user_id: str = "U2147483697",
    **extra,
) -> bytes:
    """A Slack ``block_actions`` interaction body (the form field ``payload``), as Slack sends
    it when a button of an ephemeral message is pressed."""
    import json
    from urllib.parse import urlencode

    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user, "name": user, "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy-token",
        "container": {"type": "message", "message_ts": "1712345678.000200", "is_ephemeral": True},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "team": {"id": "T0001", "domain": "example"},
        "channel": {"id": "C2147483705", "name": "helpdesk"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "kb_feedback",
                "text": {"type": "plain_text", "text": "Solved it", "emoji": False},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}{next(_PRESSES)}",  # each press is new
            }
        ],
        **extra,
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


def teams_now() -> str:
    """An activity's ``timestamp`` as Teams writes it, for now."""
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
