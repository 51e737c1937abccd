"""CI holds the shipped KB to `kb lint` and `kb test`: no problem, every example answered."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from kbcli.main import cli

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_kb_lints_clean():
    result = CliRunner().invoke(cli, ["lint", "--kb-dir", str(REPO / "kb")])
    assert result.exit_code == 0, result.output
    assert result.output.count("\n") == 1 and result.output.endswith("glossary: no problems\n")


def test_every_shipped_example_ranks_its_entry_first_and_confidently(tmp_path):
    result = CliRunner().invoke(
        cli, ["test", "--kb-dir", str(REPO / "kb"), "--index-dir", str(tmp_path / "index")]
    )
    assert result.exit_code == 0, result.output
    assert result.output.endswith("all pass\n")
