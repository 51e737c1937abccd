"""Sources that are not feeds, too large, or not allowed: one line each, the other sources
still ingested, the exit code telling whether anything was rejected. Plus the CLI's output
contract: the summary line, progress only on a terminal."""

from __future__ import annotations

import pytest
from conftest import (
    SEED_FEED,
    assert_reported,
    read_kb,
    run_cli,
    run_ingest,
    snapshot,
    summary_line,
)

SUMMARY_ZERO = summary_line(rejected=1)


@pytest.fixture
def seeded(kb_dir):
    run_ingest([SEED_FEED], kb_dir)
    return kb_dir


def _write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("empty.xml", b"", "empty file"),
        ("blank.xml", b"  \n\t\n", "empty file"),
        (
            "page.html",
            b"<!DOCTYPE html><html><head><title>Blog</title></head><body><p>Hi</p></body></html>",
            "an HTML page, not a feed",
        ),
        ("notes.txt", b"just some notes, not XML at all", "not a feed"),
        ("other.xml", b'<?xml version="1.0"?><config><item>1</item></config>', "not a feed"),
    ],
)
def test_non_feeds_are_rejected_in_one_line_and_change_nothing(
    seeded, tmp_path, name, data, reason
):
    before = snapshot(seeded)
    path = _write(tmp_path, name, data)
    result = run_cli(str(path), "--kb-dir", str(seeded))
    assert result.exit_code == 1
    # the rejection on stderr, the summary on stdout (as the README says)
    assert result.stderr.splitlines()[0].startswith(f"{path}: rejected: {reason}")
    assert result.stdout.splitlines() == [SUMMARY_ZERO]
    assert snapshot(seeded) == before


def test_a_feed_without_items_is_reported_and_changes_nothing(seeded, tmp_path):
    before = snapshot(seeded)
    path = _write(
        tmp_path, "zero.xml", b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    )
    result = run_cli(str(path), "--kb-dir", str(seeded))
    assert_reported(
        result,
        0,
        stdout=[
            f"{path}: no items in this rss20 feed; nothing changed",
            summary_line(),
        ],
    )
    assert snapshot(seeded) == before


def test_a_good_source_after_a_bad_one_is_still_ingested(kb_dir, tmp_path):
    bad = _write(tmp_path, "bad.xml", b"")
    result = run_cli(
        str(bad), str(tmp_path / "missing.xml"), str(SEED_FEED), "--kb-dir", str(kb_dir)
    )
    assert_reported(
        result,
        1,
        stdout=[
            f"{SEED_FEED}: 10 of 10 items ingested (23 entries)",
            summary_line(new=23, rejected=2),
        ],
        stderr=[
            f"{bad}: rejected: empty file",
            f"{tmp_path / 'missing.xml'}: rejected: no such file",
        ],
    )
    assert len(read_kb(kb_dir)) == 23


def test_size_cap_on_files_is_checked_before_reading(kb_dir):
    result = run_cli(str(SEED_FEED), "--kb-dir", str(kb_dir), "--max-bytes", "100KB")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{SEED_FEED}: rejected: too large (192 KB, the limit is 100 KB; raise it with --max-bytes)"
    )
    assert [p.name for p in kb_dir.iterdir()] == ["glossary.yaml"]


def test_max_bytes_accepts_units_and_refuses_nonsense(kb_dir):
    assert run_cli(str(SEED_FEED), "--kb-dir", str(kb_dir), "--max-bytes", "1MB").exit_code == 0
    bad = run_cli(str(SEED_FEED), "--kb-dir", str(kb_dir), "--max-bytes", "lots")
    assert bad.exit_code == 2 and "is not a size" in bad.stderr


@pytest.mark.parametrize(
    "url, scheme",
    [
        ("file:///etc/passwd", "file"),
        ("ftp://example.com/feed.xml", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("data:text/xml,<rss/>", "data"),
    ],
)
def test_urls_other_than_http_are_refused(kb_dir, url, scheme, no_network):
    result = run_cli(url, "--kb-dir", str(kb_dir))
    assert result.exit_code == 1
    assert (
        result.stderr.splitlines()[0]
        == f"{url}: rejected: '{scheme}:' URLs are not fetched; only http and https are"
    )


def test_a_folder_is_not_a_feed(kb_dir, tmp_path):
    result = run_cli(str(tmp_path), "--kb-dir", str(kb_dir))
    assert result.stderr.splitlines()[0] == f"{tmp_path}: rejected: is a folder, not a feed file"


def test_encoding_override(kb_dir, tmp_path):
    feed = _write(
        tmp_path,
        "latin1.xml",
        '<rss version="2.0"><channel><title>t</title><item><title>Café</title>'
        "<description>Le café est froid: erreur de service.</description></item></channel></rss>".encode(
            "latin-1"
        ),
    )
    result = run_cli(str(feed), "--kb-dir", str(kb_dir), "--encoding", "iso-8859-1")
    assert result.exit_code == 0
    ((entry, _),) = read_kb(kb_dir).values()
    assert entry.title == "Café"


def test_progress_is_silent_when_not_on_a_terminal(kb_dir):
    result = run_cli(str(SEED_FEED), "--kb-dir", str(kb_dir))
    assert_reported(
        result,
        0,
        stdout=[
            f"{SEED_FEED}: 10 of 10 items ingested (23 entries)",
            summary_line(new=23),
        ],
        stderr=[],
    )


def test_progress_shows_on_a_terminal(kb_dir, monkeypatch):
    import contextlib

    import kbcli.ingest_cmd as cmd

    bars = []

    class Bar:
        def __init__(self, label, length):
            self.label, self.length, self.done = label, length, 0

        def update(self, n):
            self.done += n

    @contextlib.contextmanager
    def fake_progress(label, length):
        bars.append(Bar(label, length))
        yield bars[-1]

    monkeypatch.setattr(cmd, "_interactive", lambda: True)
    monkeypatch.setattr(cmd, "_progress", fake_progress)
    result = run_cli(str(SEED_FEED), "--kb-dir", str(kb_dir))
    assert result.exit_code == 0
    assert [(b.label, b.length, b.done) for b in bars] == [(str(SEED_FEED), 10, 10)]


def test_errors_are_one_line_never_a_traceback(tmp_path):
    glossary_dir = tmp_path / "kb"
    glossary_dir.mkdir()
    (glossary_dir / "glossary.yaml").write_text("products: [unclosed\n", encoding="utf-8")
    result = run_cli(str(SEED_FEED), "--kb-dir", str(glossary_dir))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
