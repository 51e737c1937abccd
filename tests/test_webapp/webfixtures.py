"""Fixtures for the web tests (a plugin module, loaded by `pytest_plugins = ["webfixtures"]` in each
test module: a conftest.py here would shadow the `conftest` other test folders import)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from webhelpers import DATA, MM_TOKEN, SLACK_SECRET, stop_server, wait_for_line, write_hostile_kb


@pytest.fixture
def make_app(tmp_path, small_diagnoser):
    """create_app over the shared small Diagnoser (no reload), feedback in tmp_path."""
    from webapp import create_app

    def make(diagnoser=None, **config):
        d = diagnoser or small_diagnoser
        settings = {
            "KB_DIAGNOSER": d,
            "KB_DIR": str(d.kb_dir),
            "KB_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"),
            "SLACK_SIGNING_SECRET": SLACK_SECRET,
            "MATTERMOST_TOKEN": MM_TOKEN,
            "KB_PUBLIC_URL": None,
        }
        settings.update(config)
        return create_app(settings)

    return make


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def hostile_diagnoser(tmp_path_factory):
    """kb_small plus an entry full of script payloads and one with a 10,000+ character fix."""
    from engine import Diagnoser

    root = tmp_path_factory.mktemp("hostile")
    write_hostile_kb(root / "kb")
    diagnoser = Diagnoser(root / "kb", root / "index")
    assert not diagnoser.errors, diagnoser.errors
    yield diagnoser
    diagnoser.close()


@pytest.fixture(scope="session")
def served_small_kb(tmp_path_factory):
    """A real `kb serve --port 0` over a tmp copy of kb_small; yields its base URL."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(DATA / "kb_small", root / "kb")
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("KB_", "SLACK_", "MATTERMOST_"))
    }
    env["KB_FEEDBACK_DB"] = str(root / "feedback.sqlite3")
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "kb"),
            "serve",
            "--port",
            "0",
            "--kb-dir",
            str(root / "kb"),
            "--index-dir",
            str(root / "index"),
            "--threads",
            "4",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )
    try:
        line = wait_for_line(proc, r"^serving \d+ entries on http://")
        url = line.strip().rsplit(" ", 1)[1]
        yield url
    finally:
        stop_server(proc)
