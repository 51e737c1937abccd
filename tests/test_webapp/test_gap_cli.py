"""kb gaps, kb stats and kb new --from-gap, over the store the web app wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from testkb import DATA, copy_kb

from engine.kb import parse_entry
from kbcli.main import cli

pytest_plugins = ["webfixtures"]

PASTE = "Backup job 'Nightly' on fs01.corp.example.com stopped: quota exceeded on volume E."


@pytest.fixture
def written(make_app, tmp_path):
    """A store with one gap counted twice, a confident paste and a vote, as a server leaves it."""
    client = make_app().test_client()
    client.post("/", data={"text": PASTE})
    client.post("/request-article", data={"text": PASTE})
    client.post("/api/v1/diagnose", json={"text": "Event ID: 1196 DNS signature failed to verify"})
    client.post("/feedback", data={"entry_id": "dns-signature", "verdict": "solved"})
    return {"KB_FEEDBACK_DB": str(tmp_path / "feedback.sqlite3"), "KB_DATABASE_URL": ""}


def run(env, *args):
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_kb_gaps_lists_them_as_text_and_as_the_api_json(written):
    body = json.loads(run(written, "gaps", "--json"))
    (gap,) = body["gaps"]
    assert set(gap) >= {"id", "count", "template", "first_seen", "last_seen", "answered_by"}
    assert gap["count"] == 2 and "fs01" not in gap["template"]
    text = run(written, "gaps")
    assert gap["id"] in text and "<HOST>" in text


def test_kb_stats_prints_the_deflection_figures(written):
    figures = json.loads(run(written, "stats", "--json"))
    assert (figures["pastes"], figures["answered_confidently"]) == (2, 1)
    assert figures["votes"] == {"solved": 1, "not_helpful": 0}
    assert figures["top_gaps"][0]["count"] == 2 and figures["gaps_dropped"] == 0
    assert "2 pastes, 1 answered confidently (50%)" in run(written, "stats")


def test_kb_new_from_a_gap_writes_a_draft_with_its_message_that_lints(written, tmp_path):
    kb = copy_kb(DATA / "kb_small", tmp_path / "writer")
    gap_id = json.loads(run(written, "gaps", "--json"))["gaps"][0]["id"]
    path = run(written, "new", "--from-gap", gap_id, "--kb-dir", str(kb)).strip().splitlines()[0]
    text = Path(path).read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---")[1])
    assert front["status"] == "draft"
    (message,) = front["signatures"]["messages"]
    assert message.startswith("Backup job <NAME> on <HOST> stopped") and "fs01" not in text
    assert front["title"].startswith("Backup job")
    parse_entry(text)  # reads back as an entry
    run(written, "lint", "--kb-dir", str(kb))  # exit 0: it passes kb lint
    missing = CliRunner().invoke(
        cli, ["new", "--from-gap", "g-nope", "--kb-dir", str(kb)], env=written
    )
    assert missing.exit_code == 1 and "no gap with id 'g-nope'" in missing.output
