"""The feed ingester: RSS/Atom feeds in, knowledge-base entries (``kb/*.md``) out.

    fetch (file or http(s), size cap) -> feed (feedparser) -> html (nh3 + markdownify)
        -> split (cue words -> troubleshooting / guide drafts) -> entries (engine.entry)
        -> writer (engine.kb.write_atomic; edits and ownership respected)

Use :func:`ingest` from :mod:`ingest.run`; ``kb ingest`` is a thin command over it.
"""

from .run import IngestOptions, IngestResult, ingest

__all__ = ["IngestOptions", "IngestResult", "ingest"]
