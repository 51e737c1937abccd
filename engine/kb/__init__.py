"""The knowledge base on disk: the one reader (and writer) of ``kb/``.

No other code opens a KB file. Every surface asks here and so reports the same
``path:line:col: message`` for the same mistake: ``kb lint``, live reload, ``kb index``,
``kb diagnose`` and the web app's status page.

- :mod:`.files`: which files are entries (:func:`entry_files`), reading one as UTF-8 text;
- :mod:`.yamltext`: YAML with positions, and syntax errors that say what to quote;
- :mod:`.fields`: front-matter values -> :class:`~engine.entry.Entry`, every wrong value an
  :class:`~engine.errors.EntryError` naming its ``field``;
- :mod:`.entryfile`: one entry file -> :class:`EntryFile` (the entry or all its errors, and
  where each key, value and section sits);
- :mod:`.folder`: the folder -> :class:`KBFolder` (entries by id, duplicate ids, the last good
  version of a broken file for live reload);
- :mod:`.glossary_file`: ``glossary.yaml`` -> :class:`~engine.glossary.Glossary` or its errors;
- :mod:`.render`: an entry's canonical text, and :func:`write_atomic` (one file) and
  :func:`write_atomic_many` (many, flushed to disk together).
"""

from __future__ import annotations

from pathlib import Path

from ..entry import Entry
from .entryfile import FENCE, HEADING, EntryFile, parse_entry_text, read_entry_file
from .fields import ID_PATTERN, ID_RULE
from .files import GLOSSARY_FILE, MAX_ENTRY_BYTES, entry_files, read_text, require_folder
from .folder import Changes, KBFolder, load_entries
from .glossary_file import GlossaryFile, load_glossary, read_glossary_file
from .render import (
    dump_yaml,
    remove_stale_temp_files,
    render_entry,
    write_atomic,
    write_atomic_many,
)

__all__ = [
    "FENCE",
    "GLOSSARY_FILE",
    "HEADING",
    "ID_PATTERN",
    "ID_RULE",
    "MAX_ENTRY_BYTES",
    "Changes",
    "EntryFile",
    "GlossaryFile",
    "KBFolder",
    "dump_yaml",
    "entry_files",
    "load_entries",
    "load_glossary",
    "parse_entry",
    "parse_entry_text",
    "read_entry_file",
    "read_glossary_file",
    "read_text",
    "remove_stale_temp_files",
    "render_entry",
    "require_folder",
    "write_atomic",
    "write_atomic_many",
]


def parse_entry(text: str, path: Path | str | None = None) -> Entry:
    """The entry in *text*, or its first :class:`~engine.errors.EntryError` raised.

    For callers that want one entry or an exception (the ingester); the others use
    :func:`parse_entry_text`, which keeps every error.
    """
    found = parse_entry_text(text, path)
    if found.errors:
        raise found.errors[0]
    return found.entry
