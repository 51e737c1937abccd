"""One reader per log format; each turns its input into :class:`triage.event.Event` values.

Text readers take an iterator of lines (already decoded, bounded in length) and a
:class:`triage.notes.Notes` for what they could not read; the evtx reader takes a seekable
binary file. :data:`TEXT_READERS` maps the names :func:`triage.detect.text_format` returns to
the reader functions.
"""

from __future__ import annotations

from . import clusterlog, csvlog, formatlist, plaintext, wevtutil, xmllog

TEXT_READERS = {
    "wevtutil": wevtutil.read,
    "format-list": formatlist.read,
    "export-csv": csvlog.read,
    "eventviewer-csv": csvlog.read,
    "xml": xmllog.read,
    "cluster-log": clusterlog.read,
    "text": plaintext.read,
}
