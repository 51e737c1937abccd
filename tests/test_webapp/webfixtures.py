"""Fixtures for the web tests (a plugin module, loaded by `pytest_plugins = ["webfixtures"]` in each
test module: a conftest.py here would shadow the `conftest` other test folders import)."""

from __future__ import annotations

import pytest
from testkb import DATA, copy_kb
from webhelpers import (
    MM_TOKEN,
    SLACK_SECRET,
    TEAMS_SECRET,
    start_server,
    stop_server,
    write_hostile_kb,
)


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
            "TEAMS_WEBHOOK_SECRET": TEAMS_SECRET,
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
    proc, url = start_server(root, copy_kb(DATA / "kb_small", root))
    try:
        yield url
    finally:
        stop_server(proc)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    """A migrated store on each backend: an SQLite file, then a real PostgreSQL database."""
    from webapp.store import open_store

    if request.param == "sqlite":
        found = open_store(None, sqlite_path=tmp_path / "kb.sqlite3")
    else:
        found = open_store(request.getfixturevalue("postgres_url"))
    found.migrate()
    yield found
    found.close()


@pytest.fixture
def slack_app(make_app, hook):
    """The app, Slack follow-ups allowed to the stand-in *hook*; every follow-up finished
    before teardown."""
    app = make_app(KB_SLACK_RESPONSE_URL_ALLOW=hook.host)
    yield app
    assert app.extensions["kb_followups"].wait_idle(30)


@pytest.fixture
def hook():
    """A real HTTP server standing in for Slack's response_url."""
    from services import Recorder

    with Recorder() as recorder:
        yield recorder
