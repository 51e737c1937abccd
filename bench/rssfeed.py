"""The RSS 2.0 feeds the ingest benchmarks write: items of (title, link, HTML), each link its
item's guid too, the HTML escaped into <description> as feeds carry it.

>>> feed = rss("Bench", [("Disk full", "http://example.com/1", "<p>Delete old logs.</p>")])
>>> feed.split(b"<item>")[1].split(b"</guid>")[1]
b'<description>&lt;p&gt;Delete old logs.&lt;/p&gt;</description></item></channel></rss>\\n'
"""

from __future__ import annotations

import html
from collections.abc import Iterable


def rss(title: str, items: Iterable[tuple[str, str, str]], category: str | None = None) -> bytes:
    """A feed called *title* of (title, link, html) *items*, each in *category* when given."""
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{html.escape(title)}</title><link>http://bench.example.com/</link>"
    )
    parts = [head]
    tag = f"<category>{html.escape(category)}</category>" if category else ""
    for item_title, link, body in items:
        parts.append(
            f"<item><title>{html.escape(item_title)}</title><link>{link}</link><guid>{link}</guid>"
            f"{tag}<description>{html.escape(body)}</description></item>"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode("utf-8")
