"""`kb serve`: a real gunicorn server over a tmp KB, and its one-line errors."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request

from click.testing import CliRunner
from samples import EVENT_1196
from webhelpers import get_json

from kbcli.main import cli

pytest_plugins = ["webfixtures"]


def test_served_app_is_ready_and_answers(served_small_kb):
    status, body = get_json(served_small_kb + "/healthz")
    assert status == 200 and body == {
        "status": "ok",
        "entries": 5,
        "broken_files": 0,
        "kb_version": body["kb_version"],
    }
    assert len(body["kb_version"]) == 16
    request = urllib.request.Request(
        served_small_kb + "/api/v1/diagnose",
        data=json.dumps({"text": EVENT_1196, "top": 1}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.headers["Server"] == "gunicorn"  # not the development server
        assert "script-src 'self';" in response.headers["Content-Security-Policy"]
        result = json.loads(response.read())["results"][0]
    assert result["id"] == "dns-signature"
    assert result["url"] == served_small_kb + "/kb/dns-signature"


def test_served_errors_are_plain_no_debugger(served_small_kb):
    try:
        urllib.request.urlopen(served_small_kb + "/kb/no-such-entry", timeout=10)
    except urllib.error.HTTPError as exc:
        with exc:  # an HTTPError holds the response's socket
            assert exc.code == 404
            page = exc.read().decode()
        assert "Traceback" not in page and "Werkzeug" not in page and "debugger" not in page.lower()
    else:
        raise AssertionError("expected a 404")


def run(*args, env=None):
    result = CliRunner().invoke(cli, ["serve", *args], env=env or {})
    assert "Traceback" not in result.output
    return result


def test_port_in_use_is_one_line_and_exit_1(small_kb):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run("--port", str(port), "--kb-dir", str(small_kb))
    assert result.exit_code == 1
    assert (
        result.output.strip() == f"Error: cannot serve on 127.0.0.1:{port}: Address already in use"
    )


def test_bad_kb_dir_is_one_line_and_exit_1(tmp_path):
    result = run("--port", "0", "--kb-dir", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: knowledge-base folder")
    assert len(result.output.strip().splitlines()) == 1


def test_bad_port_settings(tmp_path):
    assert run("--port", "70000").exit_code == 2  # click's usage error
    result = run(env={"KB_PORT": "http"})
    assert result.exit_code == 1 and "$KB_PORT must be a port number" in result.output
    result = run("--host", "no.such.host.invalid", "--port", "0")
    assert result.exit_code == 1 and result.output.startswith(
        "Error: cannot serve on no.such.host.invalid"
    )


def test_help_lists_the_options():
    result = CliRunner().invoke(cli, ["serve", "--help"])
    for option in (
        "--host",
        "--port",
        "--kb-dir",
        "--index-dir",
        "--threads",
        "$KB_HOST",
        "$KB_PORT",
    ):
        assert option in result.output
