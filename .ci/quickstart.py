"""Print one shell block of the README's Quick start: `serve` (the first) or `test` (the second).

The README's Quick start holds exactly two ```sh blocks; .ci/run executes the second one, so CI
runs what a newcomer runs. Fails loudly if the section does not have exactly two blocks.
"""

import re
import sys
from pathlib import Path

readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
section = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, re.S | re.M)
if not section:
    sys.exit("README.md has no '## Quick start' section")
blocks = re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", section.group(1), re.S | re.M)
if len(blocks) != 2:
    sys.exit(f"README.md's Quick start must hold exactly two shell blocks, found {len(blocks)}")
which = {"serve": 0, "test": 1}[sys.argv[1] if len(sys.argv) > 1 else "test"]
print(blocks[which].strip())
