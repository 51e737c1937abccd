"""``kb triage``: the table, ``--json`` (the report's own dict), errors as one line, the
progress bar on a terminal."""

from __future__ import annotations

import io
import json
import os
import shutil

import logmaker as lm
from click.testing import CliRunner
from triagehelpers import EVTX, zip_bytes

from kbcli.main import cli
from kbcli.triage_cmd import ProgressBars
from triage import triage_paths

EVENTS = lm.make_events({lm.DNS_1196: 9, lm.SPOOLER_7031: 4, lm.RUNNING_7036: 20}, seed=3)


def kb_args(small_diagnoser):
    return ["--kb-dir", str(small_diagnoser.kb_dir), "--index-dir", str(small_diagnoser.index_dir)]


def test_json_is_the_report_of_the_library(tmp_path, small_diagnoser):
    log = tmp_path / "System.txt"
    log.write_text(lm.wevtutil_text(EVENTS), encoding="utf-16")
    result = CliRunner().invoke(cli, ["triage", str(log), "--json", *kb_args(small_diagnoser)])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body == triage_paths([log], small_diagnoser).to_dict()
    assert body["events"] == 33
    assert [(g["event_id"], g["count"], g["confident"]) for g in body["groups"]] == [
        (1196, 9, True),
        (7031, 4, False),
    ]


def test_the_table_lists_known_problems_first_then_skipped_and_warnings(tmp_path, small_diagnoser):
    bundle = tmp_path / "ticket.zip"
    bundle.write_bytes(
        zip_bytes(
            {
                "System.csv": lm.export_csv(EVENTS).encode(),
                "../escape.log": b"ERROR x\n",
                "bad.evtx": (EVTX / "bad_chunk_magic.evtx").read_bytes(),
            }
        )
    )
    result = CliRunner().invoke(cli, ["triage", str(bundle), *kb_args(small_diagnoser)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("Known problems") < out.index("1196") < out.index("No confident answer")
    assert out.index("No confident answer") < out.index("7031")
    assert "-> dns-signature" in out
    assert "ticket.zip!../escape.log: unsafe path" in out
    assert "ticket.zip!bad.evtx: chunk 6 has a bad header" in out


def test_junk_is_one_line_and_exit_1(tmp_path, small_diagnoser):
    junk = tmp_path / "x.log"
    junk.write_bytes(os.urandom(4096) + bytes(100))
    result = CliRunner().invoke(cli, ["triage", str(junk), *kb_args(small_diagnoser)])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: not a log I can read: x.log"


def test_a_bomb_is_refused_in_one_line(tmp_path, small_diagnoser):
    bomb = tmp_path / "b.zip"
    bomb.write_bytes(zip_bytes({"a.log": b"ERROR x\n" * 1_000_000}))
    args = ["triage", str(bomb), "--max-bytes", "100000", *kb_args(small_diagnoser)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "refused" in result.output and "Traceback" not in result.output


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_progress_bar_is_drawn_on_a_terminal_for_big_inputs(tmp_path, small_diagnoser):
    big = tmp_path / "System.evtx"
    shutil.copy(EVTX / "System.evtx", big)
    screen = Terminal()
    bars = ProgressBars(screen, min_bytes=1024)
    triage_paths([big], small_diagnoser, progress=bars)
    bars.close()
    assert "reading" in screen.getvalue() and "100%" in screen.getvalue()
    assert "diagnosing" in screen.getvalue()
    quiet = Terminal()
    small = ProgressBars(quiet)  # System.evtx is below the default threshold
    triage_paths([big], small_diagnoser, progress=small)
    small.close()
    assert quiet.getvalue() == ""
