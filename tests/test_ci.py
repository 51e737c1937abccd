"""CI runs the README's test command: .ci/run holds it verbatim, and the check catches drift."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def check(script: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / ".ci" / "quickstart.py"), "check", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_ci_run_holds_the_readmes_test_block_line_for_line():
    assert check(REPO / ".ci" / "run").returncode == 0


def test_a_ci_script_that_drifted_from_the_readme_is_refused(tmp_path):
    drifted = tmp_path / "run"
    drifted.write_text(
        (REPO / ".ci" / "run").read_text().replace("\npytest\n", "\npytest -x tests/test_ci.py\n")
    )
    result = check(drifted)
    assert result.returncode != 0
    assert "does not run the README's test block" in result.stderr and "'pytest'" in result.stderr
