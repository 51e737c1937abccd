"""What re-ingesting does to the KB folder: nothing when nothing changed, never touching an
entry a writer edited or owns, never deleting."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace

from conftest import SEED_FEED, read_kb, run_cli, run_ingest, snapshot, summary_line

from engine.entry import Entry
from engine.kb import parse_entry
from ingest.entries import render_generated
from ingest.writer import NEW, UPDATED, KBWriter

CONVERTER = "vcenter-converter-network-error.md"
DNS = "cluster-name-resource-failed-registeration-in-dns.md"


def edit(path, old: str, new: str) -> str:
    """Replace *old* (which must be there) by *new* in the file at *path*, as a writer would;
    return the new text."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def test_reingesting_the_same_feed_changes_no_byte(kb_dir):
    first, _ = run_ingest([SEED_FEED], kb_dir)
    before = snapshot(kb_dir)
    second, _lines = run_ingest([SEED_FEED], kb_dir)
    assert snapshot(kb_dir) == before
    n = first.counts["new"]
    assert n == 23
    assert second.summary() == summary_line(unchanged=n)


def test_a_changed_item_updates_its_own_files_only(kb_dir, tmp_path):
    run_ingest([SEED_FEED], kb_dir)
    before = snapshot(kb_dir)
    changed = tmp_path / "changed.xml"
    data = SEED_FEED.read_bytes().replace("重启以下服务".encode(), "请重新启动以下服务".encode())
    changed.write_bytes(data)
    result, _ = run_ingest([changed], kb_dir)
    after = snapshot(kb_dir)
    assert result.counts["updated"] == 23  # `ingest.feed` names the new file everywhere
    assert "请重新启动以下服务".encode() in after[CONVERTER]
    assert set(after) == set(before)
    # Back to the original feed: the original bytes come back.
    run_ingest([SEED_FEED], kb_dir)
    assert snapshot(kb_dir) == before


def test_an_edited_entry_is_kept_and_reported(kb_dir):
    run_ingest([SEED_FEED], kb_dir)
    path = kb_dir / CONVERTER
    edited = edit(path, "## Cause\n\n", "## Cause\n\nThe Converter helper service hung.\n\n")
    result, lines = run_ingest([SEED_FEED], kb_dir)
    assert path.read_text(encoding="utf-8") == edited
    assert result.counts["kept (edited)"] == 1 and result.counts["unchanged"] == 22
    assert f"{path}: kept (edited): edited since it was generated; not overwritten" in lines
    assert result.exit_code == 0


def test_show_diff_prints_what_the_feed_would_write_and_writes_nothing(kb_dir):
    run_ingest([SEED_FEED], kb_dir)
    path = kb_dir / CONVERTER
    edited = edit(path, "请检查网络连接并重试。\n---", "请检查网络连接并重试。\n(edited)\n---")
    result = run_cli(str(SEED_FEED), "--kb-dir", str(kb_dir), "--show-diff")
    assert result.exit_code == 0
    assert f"--- {path} (current)" in result.stdout
    assert f"+++ {path} (from the feed)" in result.stdout
    assert "-(edited)" in result.stdout
    assert path.read_text(encoding="utf-8") == edited


def test_an_entry_without_generated_hash_counts_as_edited(kb_dir):
    run_ingest([SEED_FEED], kb_dir)
    path = kb_dir / CONVERTER
    text = re.sub(
        r"^  generated_hash: .*\n", "", path.read_text(encoding="utf-8"), flags=re.MULTILINE
    )
    path.write_text(text, encoding="utf-8")
    result, _ = run_ingest([SEED_FEED], kb_dir)
    assert result.counts["kept (edited)"] == 1 and path.read_text(encoding="utf-8") == text


def test_a_writer_owned_entry_is_never_touched(kb_dir, tmp_path):
    run_ingest([SEED_FEED], kb_dir)
    path = kb_dir / DNS
    owned = edit(path, "owner: ingest", "owner: writer")
    changed = tmp_path / "changed.xml"
    changed.write_bytes(
        SEED_FEED.read_bytes().replace(b"DNS signature failed to verify.", b"DNS signature failed.")
    )
    result, lines = run_ingest([changed], kb_dir)
    assert path.read_text(encoding="utf-8") == owned
    assert result.counts["kept (owned)"] == 1
    assert f"{path}: kept (owned): owner: writer; the feed no longer updates it" in lines
    assert parse_entry(owned).owner == "writer"


def test_a_broken_entry_file_is_kept_not_overwritten_or_duplicated(kb_dir):
    run_ingest([SEED_FEED], kb_dir)
    path = kb_dir / CONVERTER
    broken = edit(path, "kind: troubleshooting", "kind: [troubleshooting")
    names = sorted(p.name for p in kb_dir.iterdir())
    _result, lines = run_ingest([SEED_FEED], kb_dir)
    assert path.read_text(encoding="utf-8") == broken
    assert sorted(p.name for p in kb_dir.iterdir()) == names
    assert any(line.startswith(f"{path}: kept (edited): does not parse") for line in lines)


def test_items_that_left_the_feed_keep_their_entries(kb_dir, tmp_path):
    run_ingest([SEED_FEED], kb_dir)
    before = snapshot(kb_dir)
    text = SEED_FEED.read_text(encoding="utf-8")
    first_item = text[text.index("<item>") : text.index("</item>") + len("</item>")]
    shorter = tmp_path / "shorter.xml"
    shorter.write_text(text.replace(first_item, ""), encoding="utf-8")
    run_ingest([shorter], kb_dir)
    assert set(snapshot(kb_dir)) == set(before)
    assert snapshot(kb_dir)[CONVERTER] == before[CONVERTER]


def test_an_id_taken_by_another_article_gets_a_suffix(kb_dir):
    (kb_dir / CONVERTER).write_text(
        "---\nid: vcenter-converter-network-error\ntitle: Written by hand\nkind: troubleshooting\n---\n\n"
        "## Symptom\n\nx\n\n## Cause\n\ny\n\n## Fix\n\n1. z\n",
        encoding="utf-8",
    )
    _result, _ = run_ingest([SEED_FEED], kb_dir)
    entries = read_kb(kb_dir)
    assert entries["vcenter-converter-network-error"][0].title == "Written by hand"
    suffixed = [
        i for i in entries if re.fullmatch(r"vcenter-converter-network-error-[0-9a-f]{6}", i)
    ]
    assert len(suffixed) == 1 and entries[suffixed[0]][0].ingest["guid"].endswith(
        "vCenter-Converter-Network-Error.aspx"
    )
    # ...and the next run finds that file again by guid and part.
    again, _ = run_ingest([SEED_FEED], kb_dir)
    assert again.counts["unchanged"] == 23 and again.counts["new"] == 0


def test_reingest_finds_entries_by_guid_even_after_a_rename(kb_dir):
    run_ingest([SEED_FEED], kb_dir)
    (kb_dir / "renamed").mkdir()
    shutil.move(kb_dir / CONVERTER, kb_dir / "renamed" / "converter.md")
    result, _ = run_ingest([SEED_FEED], kb_dir)
    assert result.counts["new"] == 0 and result.counts["unchanged"] == 23
    assert not (kb_dir / CONVERTER).exists()


def test_dry_run_reports_and_writes_nothing(kb_dir):
    result = run_cli(str(SEED_FEED), "--kb-dir", str(kb_dir), "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.rstrip().endswith("dry run, nothing written: " + summary_line(new=23))
    assert [p.name for p in kb_dir.iterdir()] == ["glossary.yaml"]


def test_large_feeds_prepared_on_a_process_pool_give_the_same_files(tmp_path):
    items = "".join(
        f"<item><title>Service {i} fails</title><link>http://example.com/kb/service-{i}</link>"
        f"<description>&lt;p&gt;Starting service {i} fails:&lt;/p&gt;&lt;p&gt;Error 0x8007000{i % 10}: "
        f"access is denied.&lt;/p&gt;&lt;h2&gt;Resolution&lt;/h2&gt;&lt;ol&gt;&lt;li&gt;Restart node {i}."
        "&lt;/li&gt;&lt;/ol&gt;</description></item>"
        for i in range(300)
    )
    feed = tmp_path / "big.xml"
    feed.write_text(
        f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>', encoding="utf-8"
    )
    serial, pooled = tmp_path / "serial", tmp_path / "pooled"
    one, _ = run_ingest([feed], serial, jobs=1)
    two, _ = run_ingest([feed], pooled, jobs=2)
    assert one.counts["new"] == two.counts["new"] == 300
    assert snapshot(serial) == snapshot(pooled)


def test_reingesting_an_edited_entry_refreshes_only_its_generated_rules(kb_dir):
    run_ingest([SEED_FEED], kb_dir)
    path = kb_dir / "cluster-name-resource-failed-registeration-in-dns.md"
    generated = path.read_text(encoding="utf-8")
    assert "\ngenerated_rules:\n" in generated
    # a writer adds a note and a rule of their own, and weakens a generated rule in place
    edited = generated.replace("## Cause\n", "## Cause\n\nWRITER: check the CNO first.\n", 1)
    edited = edited.replace("  weight: 0.95\n", "  weight: 0.3\n", 1)
    edited = edited.replace(
        "\nowner: ingest\n", "\nrules:\n- name: mine\n  event: 1196\nowner: ingest\n"
    )
    path.write_text(edited, encoding="utf-8")
    result, lines = run_ingest([SEED_FEED], kb_dir)
    after = path.read_text(encoding="utf-8")
    assert any("its generated rules refreshed" in line for line in lines)
    assert "WRITER: check the CNO first." in after and "- name: mine\n  event: 1196\n" in after
    assert "  weight: 0.3\n" not in after and after.count("  weight: 0.95\n") == generated.count(
        "  weight: 0.95\n"
    )
    # everything but the generated block is the writer's file, byte for byte
    block = re.compile(r"^generated_rules:\n(?:[ -].*\n)*", re.MULTILINE)
    assert block.sub("", after) == block.sub("", edited)
    assert result.exit_code == 0


def test_an_entry_written_twice_in_one_run_is_read_back_from_its_first_write(tmp_path):
    """Writes wait in a batch before they go to disk together; a second write of the same
    file first lets the batch land, so it finds the first text and updates it."""
    writer = KBWriter.open(tmp_path)
    provenance = {"feed": "f.xml", "guid": "http://example.com/1", "part": "main"}
    first = Entry(id="one", title="One", owner="ingest", ingest=provenance)
    assert writer.apply(first).status == NEW
    second = replace(first, title="One, again")
    assert writer.apply(second).status == UPDATED
    writer.close()
    assert (tmp_path / "one.md").read_text(encoding="utf-8") == render_generated(second)
    assert os.listdir(tmp_path) == ["one.md"]
