"""Live reload in the engine: edits serve without a restart, broken files keep their last good version."""

from __future__ import annotations

import re
import threading
import time

import pytest

from engine import Diagnoser
from engine.diagnoser import KBWatcher

NEW_ENTRY = """---
id: printer-spooler
title: "Print spooler crashes when the quasar driver loads"
kind: troubleshooting
rules:
  - name: quasar
    weight: 0.9
    phrase: quasar driver crashed the spooler
examples:
  - "quasar driver crashed the spooler"
---

## Symptom

The quasar driver crashed the spooler.

## Cause

A broken quasar driver.

## Fix

1. Remove the quasar driver.
"""


def first(diagnoser, text):
    diagnosis = diagnoser.diagnose(text)
    return diagnosis.remedies[0].entry.id if diagnosis.remedies else None


def touch_later(path, text):
    """Write and make sure the modification time moves (coarse file-system clocks)."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        time.sleep(0.01)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def live(small_kb, tmp_path):
    """A Diagnoser over the test's private kb_small, closed after the test."""
    diagnoser = Diagnoser(small_kb, tmp_path / "ix")
    yield diagnoser
    diagnoser.close()


def test_add_edit_break_fix_delete(small_kb, tmp_path, live):
    version = live.vid
    path = small_kb / "printer-spooler.md"

    touch_later(path, NEW_ENTRY)  # add
    reload = live.refresh()
    assert reload.changed == ("printer-spooler",) and not reload.full
    assert first(live, "the quasar driver crashed the spooler again") == "printer-spooler"
    assert live.vid != version  # a new version, in a folder of its own
    assert len(list((tmp_path / "ix" / "versions").iterdir())) == 2  # the old one is kept

    touch_later(path, NEW_ENTRY.replace("quasar", "pulsar"))  # edit
    live.refresh()
    assert first(live, "the pulsar driver crashed the spooler") == "printer-spooler"
    assert live.diagnose("the quasar driver crashed the spooler").remedies[0].rule_hits == ()

    touch_later(
        path,
        NEW_ENTRY.replace("pulsar", "pulsar").replace("kind: troubleshooting", "kind: [broken"),
    )
    reload = live.refresh()  # break: the last good version keeps serving, the error is reported
    assert reload.errors and str(path) in reload.errors[0]
    assert re.search(
        r"printer-spooler\.md:\d+:\d+: front matter is not valid YAML", str(reload.errors[0])
    )
    assert first(live, "the quasar driver crashed the spooler again") == "printer-spooler"
    assert live.errors

    touch_later(path, NEW_ENTRY)  # fix
    live.refresh()
    assert live.errors == []

    path.unlink()  # delete
    reload = live.refresh()
    assert reload.removed == ("printer-spooler",)
    assert "printer-spooler" not in live.entries
    assert all(
        r.entry.id != "printer-spooler"
        for r in live.diagnose("quasar driver crashed the spooler").remedies
    )
    assert live.refresh() is None  # nothing changed since


def test_only_published_entries_that_pass_lint_are_served(small_kb, live):
    path = small_kb / "printer-spooler.md"
    touch_later(
        path, NEW_ENTRY.replace("kind: troubleshooting", "kind: troubleshooting\nstatus: draft")
    )
    live.refresh()
    assert "printer-spooler" not in live.entries  # a draft is not served
    assert live.status["drafts"] == ["printer-spooler.md"] and live.errors == []

    touch_later(path, NEW_ENTRY.replace("## Cause", "## Cuase"))  # published, lint fails
    reload = live.refresh()
    assert "printer-spooler" not in live.entries  # never good: absent
    assert any("printer-spooler.md" in e and "unknown section 'Cuase'" in e for e in reload.errors)
    assert first(live, "the quasar driver crashed the spooler") != "printer-spooler"

    touch_later(path, NEW_ENTRY)  # fixed: served
    live.refresh()
    assert "printer-spooler" in live.entries and live.errors == []

    touch_later(path, NEW_ENTRY.replace("## Cause", "## Cuase").replace("quasar", "pulsar"))
    live.refresh()  # broken again: the last good version (quasar) keeps serving
    assert "quasar" in live.entries["printer-spooler"].title
    assert live.status["last_good"] == ["printer-spooler.md"] and live.errors

    touch_later(
        path, NEW_ENTRY.replace("kind: troubleshooting", "kind: troubleshooting\nstatus: draft")
    )
    live.refresh()  # unpublished on purpose: gone, not its last good version
    assert "printer-spooler" not in live.entries


def test_a_later_start_reads_nothing_again(small_kb, tmp_path):
    d = Diagnoser(small_kb, tmp_path / "ix")
    version = d.vid
    d.close()
    again = Diagnoser(small_kb, tmp_path / "ix")
    try:
        assert again.vid == version
        assert again.cache.misses == 0 and again.cache.hits == 0  # no file parsed at all
        assert first(again, "Event ID 1196 DNS signature failed to verify") == "dns-signature"
    finally:
        again.close()


def test_a_glossary_change_rebuilds_everything(small_kb, live):
    glossary = small_kb / "glossary.yaml"
    touch_later(
        glossary, glossary.read_text(encoding="utf-8") + "  - [spooler, 打印后台处理程序]\n"
    )
    reload = live.refresh()
    assert reload.full
    assert any("spooler" in group for group in live.glossary.groups)


def test_queries_never_fail_while_the_kb_reloads(small_kb, live):
    watcher = KBWatcher(live, interval=0.05).start()
    failures: list[str] = []
    stop = threading.Event()

    def ask():
        while not stop.is_set():
            try:
                assert first(live, "DNS signature failed to verify, event 1196") == "dns-signature"
            except Exception as exc:  # noqa: BLE001 - any failure is the bug we look for
                failures.append(repr(exc))

    askers = [threading.Thread(target=ask) for _ in range(3)]
    for t in askers:
        t.start()
    try:
        path = small_kb / "printer-spooler.md"
        for i in range(8):
            touch_later(path, NEW_ENTRY.replace("quasar", f"quasar{i}"))
            time.sleep(0.12)
        deadline = time.time() + 5
        while (
            "quasar7 driver" not in str(live.entries.get("printer-spooler"))
            and time.time() < deadline
        ):
            time.sleep(0.05)
        assert "quasar7" in live.entries["printer-spooler"].title
    finally:
        stop.set()
        for t in askers:
            t.join()
        watcher.stop()
    assert failures == []


def test_a_replaced_version_stays_open_while_a_request_holds_it(small_kb, tmp_path, monkeypatch):
    import engine.diagnoser as diagnoser_module

    monkeypatch.setattr(diagnoser_module, "RETIRE_AFTER_S", 0.0)
    d = Diagnoser(small_kb, tmp_path / "ix")
    try:
        held = d.pin()  # a long request (a big triage upload) on the current version
        touch_later(small_kb / "printer-spooler.md", NEW_ENTRY)
        d.refresh()
        assert d.vid != held.vid
        d._free_retired()
        # its version was replaced but not closed: the request finishes on it
        assert first(held, "DNS signature failed to verify, event 1196") == "dns-signature"
        held.release()
        held.release()  # a second release changes nothing
        d._free_retired()
        assert d._retired == []  # closed once nobody holds it
    finally:
        d.close()
