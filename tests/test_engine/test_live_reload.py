"""Live reload in the engine: edits serve without a restart, broken files keep their last good version."""

from __future__ import annotations

import re
import threading
import time

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


def test_add_edit_break_fix_delete(small_kb, tmp_path):
    d = Diagnoser(small_kb, tmp_path / "ix")
    try:
        version = d.vid
        path = small_kb / "printer-spooler.md"

        touch_later(path, NEW_ENTRY)  # add
        reload = d.refresh()
        assert reload.changed == ("printer-spooler",) and not reload.full
        assert first(d, "the quasar driver crashed the spooler again") == "printer-spooler"
        assert d.vid != version  # a new version, in a folder of its own
        assert len(list((tmp_path / "ix" / "versions").iterdir())) == 2  # the old one is kept

        touch_later(path, NEW_ENTRY.replace("quasar", "pulsar"))  # edit
        d.refresh()
        assert first(d, "the pulsar driver crashed the spooler") == "printer-spooler"
        assert d.diagnose("the quasar driver crashed the spooler").remedies[0].rule_hits == ()

        touch_later(
            path,
            NEW_ENTRY.replace("pulsar", "pulsar").replace("kind: troubleshooting", "kind: [broken"),
        )
        reload = d.refresh()  # break: the last good version keeps serving, the error is reported
        assert reload.errors and str(path) in reload.errors[0]
        assert re.search(
            r"printer-spooler\.md:\d+:\d+: front matter is not valid YAML", str(reload.errors[0])
        )
        assert first(d, "the quasar driver crashed the spooler again") == "printer-spooler"
        assert d.errors

        touch_later(path, NEW_ENTRY)  # fix
        d.refresh()
        assert d.errors == []

        path.unlink()  # delete
        reload = d.refresh()
        assert reload.removed == ("printer-spooler",)
        assert "printer-spooler" not in d.entries
        assert all(
            r.entry.id != "printer-spooler"
            for r in d.diagnose("quasar driver crashed the spooler").remedies
        )
        assert d.refresh() is None  # nothing changed since
    finally:
        d.close()


def test_only_published_entries_that_pass_lint_are_served(small_kb, tmp_path):
    d = Diagnoser(small_kb, tmp_path / "ix")
    try:
        path = small_kb / "printer-spooler.md"
        touch_later(
            path, NEW_ENTRY.replace("kind: troubleshooting", "kind: troubleshooting\nstatus: draft")
        )
        d.refresh()
        assert "printer-spooler" not in d.entries  # a draft is not served
        assert d.status["drafts"] == ["printer-spooler.md"] and d.errors == []

        touch_later(path, NEW_ENTRY.replace("## Cause", "## Cuase"))  # published, lint fails
        reload = d.refresh()
        assert "printer-spooler" not in d.entries  # never good: absent
        assert any(
            "printer-spooler.md" in e and "unknown section 'Cuase'" in e for e in reload.errors
        )
        assert first(d, "the quasar driver crashed the spooler") != "printer-spooler"

        touch_later(path, NEW_ENTRY)  # fixed: served
        d.refresh()
        assert "printer-spooler" in d.entries and d.errors == []

        touch_later(path, NEW_ENTRY.replace("## Cause", "## Cuase").replace("quasar", "pulsar"))
        d.refresh()  # broken again: the last good version (quasar) keeps serving
        assert "quasar" in d.entries["printer-spooler"].title
        assert d.status["last_good"] == ["printer-spooler.md"] and d.errors

        touch_later(
            path, NEW_ENTRY.replace("kind: troubleshooting", "kind: troubleshooting\nstatus: draft")
        )
        d.refresh()  # unpublished on purpose: gone, not its last good version
        assert "printer-spooler" not in d.entries
    finally:
        d.close()


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


def test_a_glossary_change_rebuilds_everything(small_kb, tmp_path):
    d = Diagnoser(small_kb, tmp_path / "ix")
    try:
        glossary = small_kb / "glossary.yaml"
        touch_later(
            glossary, glossary.read_text(encoding="utf-8") + "  - [spooler, 打印后台处理程序]\n"
        )
        reload = d.refresh()
        assert reload.full
        assert any("spooler" in group for group in d.glossary.groups)
    finally:
        d.close()


def test_queries_never_fail_while_the_kb_reloads(small_kb, tmp_path):
    d = Diagnoser(small_kb, tmp_path / "ix")
    watcher = KBWatcher(d, interval=0.05).start()
    failures: list[str] = []
    stop = threading.Event()

    def ask():
        while not stop.is_set():
            try:
                assert first(d, "DNS signature failed to verify, event 1196") == "dns-signature"
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
            "quasar7 driver" not in str(d.entries.get("printer-spooler")) and time.time() < deadline
        ):
            time.sleep(0.05)
        assert "quasar7" in d.entries["printer-spooler"].title
    finally:
        stop.set()
        for t in askers:
            t.join()
        watcher.stop()
        d.close()
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
