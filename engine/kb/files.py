"""Which files in a KB folder are entries, and reading one as text.

The only code in the project that opens a KB file is in this package; everything else asks
it for entries, errors or text.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..errors import EntryError, KBError

GLOSSARY_FILE = "glossary.yaml"
# Files in the KB folder that are not entries.
NOT_ENTRIES = {"readme.md", "changelog.md"}
# An entry is prose, not a data dump: a larger file is refused with one clear line.
MAX_ENTRY_BYTES = 1_000_000


def require_folder(kb_dir: Path | str) -> Path:
    """*kb_dir* as a Path, or :class:`KBError` saying how to point at the right one."""
    kb_dir = Path(kb_dir)
    if not kb_dir.is_dir():
        raise KBError(f"knowledge-base folder {kb_dir} does not exist (set --kb-dir or KB_DIR)")
    return kb_dir


def entry_files(kb_dir: Path | str) -> Iterator[Path]:
    """Every entry file under *kb_dir*, sorted (README and hidden files are not entries)."""
    kb_dir = Path(kb_dir)
    for path in sorted(kb_dir.rglob("*.md")):
        rel = path.relative_to(kb_dir)
        if any(part.startswith((".", "_")) for part in rel.parts):
            continue
        if path.name.lower() in NOT_ENTRIES:
            continue
        yield path


def read_text(path: Path | str) -> str:
    """A KB file's text; bad UTF-8 or an unreadable file is an :class:`EntryError`."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise EntryError(path, 1, f"cannot read this file: {exc.strerror or exc}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EntryError(
            path, line, f"not valid UTF-8 (byte {exc.start}); save the file as UTF-8"
        ) from None
