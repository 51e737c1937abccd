"""The README's Quick start blocks: print one, or check that .ci/run runs the test block verbatim.

    python3 .ci/quickstart.py serve|test        # print the first (serve) or second (test) block
    python3 .ci/quickstart.py check .ci/run     # fail unless every line of the test block is a
                                                # line of .ci/run, so the two cannot drift apart

The README's Quick start holds exactly two ```sh blocks; fails loudly otherwise.
"""

import re
import sys
from pathlib import Path

readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
section = re.search(r"^## Quick start\n(.*?)(?=^## )", readme, re.DOTALL | re.MULTILINE)
if not section:
    sys.exit("README.md has no '## Quick start' section")
blocks = re.findall(r"^```(?:sh|bash|shell)\n(.*?)^```", section.group(1), re.DOTALL | re.MULTILINE)
if len(blocks) != 2:
    sys.exit(f"README.md's Quick start must hold exactly two shell blocks, found {len(blocks)}")
command = sys.argv[1] if len(sys.argv) > 1 else "test"
if command == "check":
    script = set(Path(sys.argv[2]).read_text(encoding="utf-8").splitlines())
    missing = [line for line in blocks[1].strip().splitlines() if line not in script]
    if missing:
        sys.exit(f"{sys.argv[2]} does not run the README's test block; missing: {missing}")
else:
    print(blocks[{"serve": 0, "test": 1}[command]].strip())
