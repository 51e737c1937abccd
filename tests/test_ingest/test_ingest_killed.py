"""Issue 15: a killed ingest leaves nothing running and nothing lying around.

The probe killed `kb ingest` with SIGKILL: its pool workers lived on (blocked on a queue the
dead parent could no longer close), the atomic writer's hidden temporary files stayed even
after a later successful run, and rejection lines went to stdout although the README says
stderr. These tests use real processes and a real KB folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from conftest import (
    REPO_ROOT,
    SEED_FEED,
    assert_reported,
    read_kb,
    run_cli,
    run_ingest,
    summary_line,
)

from ingest.prepare import POOL_THRESHOLD
from ingest.writer import STALE_TEMP_AGE

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads process states from /proc (Linux)"
)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:  # field 4: the parent's pid
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running or sleeping; a zombie (dead, waiting to be reaped) or a missing pid is not."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _big_feed(path: Path, items: int) -> None:
    body = "".join(
        f"&lt;p&gt;When you start the service on node {{i}}, error {n} is logged: access is "
        f"denied.&lt;/p&gt;&lt;h2&gt;Resolution&lt;/h2&gt;&lt;ol&gt;&lt;li&gt;Restart node {n}."
        "&lt;/li&gt;&lt;/ol&gt;"
        for n in range(40)
    )
    path.write_text(
        '<rss version="2.0"><channel><title>t</title>'
        + "".join(
            f"<item><title>Service {i} fails</title><link>http://example.com/kb/s-{i}</link>"
            f"<description>{body.replace('{i}', str(i))}</description></item>"
            for i in range(items)
        )
        + "</channel></rss>",
        encoding="utf-8",
    )


RUN_WITH_A_POOL = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from ingest.run import IngestOptions, ingest

    ingest([sys.argv[1]], IngestOptions(kb_dir=Path(sys.argv[2]), jobs=2), print)
    """
)


def test_pool_workers_die_with_a_killed_ingest(kb_dir, tmp_path):
    feed = tmp_path / "big.xml"
    _big_feed(feed, 3 * POOL_THRESHOLD)
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN_WITH_A_POOL, str(feed), str(kb_dir)],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and proc.poll() is None:
            workers = _children(proc.pid)
            time.sleep(0.02)
        assert len(workers) == 2, "the pool never started"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [w for w in workers if _alive(w)], "pool workers outlived their parent"
    finally:
        for worker in workers:
            try:
                os.kill(worker, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _temp_file(kb: Path, name: str, age: float) -> Path:
    """A temporary file as engine.kb.write_atomic names it, last written *age* seconds ago."""
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=kb)
    os.write(fd, b"---\nid: half-written")
    os.close(fd)
    when = time.time() - age
    os.utime(tmp, (when, when))
    return Path(tmp)


def test_the_next_run_removes_the_temporary_files_a_killed_run_left(kb_dir):
    stale = _temp_file(kb_dir, "converter.md", STALE_TEMP_AGE + 3600)
    fresh = _temp_file(kb_dir, "cluster.md", 1)  # another writer, busy right now: not ours
    others = [kb_dir / ".notes.tmp", kb_dir / "draft.md.tmp", kb_dir / ".glossary.yaml.x.tmp"]
    for other in others:
        other.write_text("a writer's file")
        os.utime(other, (0, 0))

    result, lines = run_ingest([SEED_FEED], kb_dir)

    assert result.exit_code == 0
    assert not stale.exists()
    assert fresh.exists() and all(o.exists() for o in others)
    assert f"{kb_dir}: removed 1 temporary file(s) an interrupted run left behind" in lines
    assert len(read_kb(kb_dir)) == 23


def test_a_dry_run_removes_nothing(kb_dir):
    stale = _temp_file(kb_dir, "converter.md", STALE_TEMP_AGE + 3600)
    run_ingest([SEED_FEED], kb_dir, dry_run=True)
    assert stale.exists()


def test_rejections_go_to_stderr_and_the_report_to_stdout(kb_dir, tmp_path):
    feed = tmp_path / "mixed.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>t</title>'
        "<item><title>Only a title</title><link>http://example.com/a/1</link></item>"
        "<item><title>Disk full</title><link>http://example.com/a/2</link>"
        "<description>&lt;p&gt;The disk is full. Delete old logs.&lt;/p&gt;</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    result = run_cli(str(feed), str(tmp_path / "missing.xml"), "--kb-dir", str(kb_dir))
    assert_reported(
        result,
        1,
        stdout=[
            f"{feed}: 1 of 2 items ingested (1 entries)",
            summary_line(new=1, rejected=2),
        ],
        stderr=[
            f"{feed}: item 1 ('Only a title'): rejected: no article text",
            f"{tmp_path / 'missing.xml'}: rejected: no such file",
        ],
    )
