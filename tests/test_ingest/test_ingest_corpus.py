"""The robustness corpus: 78 feeds from feedparser's own test suite (shared/testdata/feeds,
described in its INDEX.md), each ingested into a fresh KB folder.

Every file must end as exactly one of the outcomes in EXPECTED, with a one-line report that
names the file; nothing may crash, hang or reach the network; and no written file may hold
active content. The files are read where they are: INDEX.md forbids copying them here.
"""

from __future__ import annotations

import re

import pytest
from conftest import CORPUS_DIR, read_kb, run_ingest

pytestmark = pytest.mark.skipif(
    not (CORPUS_DIR / "INDEX.md").exists(),
    reason=f"feed corpus not found at {CORPUS_DIR} (set KB_SHARED_DIR to the shared folder)",
)

# Outcomes, as the ingester reports them:
#   no-items            a valid feed without items: reported, nothing written, exit 0
#   no-items-recovered  the same, from a document that was not well-formed (bozo)
#   entries             items ingested
#   entries-recovered   items ingested from a not-well-formed or wrongly-encoded document
#   item-rejected       a feed whose item has nothing to ingest (no text): one line, exit 1
#   rejected            the source itself is rejected with one line, exit 1
# Checks: title / text = must appear in the written entry; line = must appear in the report;
# headers = HTTP headers replayed from the file's `Header:` line.
EXPECTED: dict[str, tuple[str, dict]] = {
    "encoding/big5.xml": ("no-items", {}),
    "encoding/bozo_bogus_encoding.xml": ("no-items-recovered", {"line": "declared as bogus"}),
    "encoding/bozo_encoding_mismatch_crash.xml": ("entries-recovered", {}),
    # UTF-8 (by BOM or declaration) with a bad byte: replaced with U+FFFD where it is, the
    # rest read as UTF-8 (feedparser alone re-read the whole file as windows-1252)
    "encoding/bozo_invalid-bytes-with-bom.xml": (
        "no-items-recovered",
        {"line": "invalid UTF-8: 1 sequence(s) replaced with U+FFFD, the first at byte 203"},
    ),
    "encoding/bozo_linenoise.xml": (
        "entries-recovered",
        {
            "line": "item 1: recovered: invalid UTF-8: 1 character(s) shown as U+FFFD",
            "text": "’<>”",
        },
    ),
    "encoding/demoronize-1.xml": ("entries", {"text": "don’t"}),
    "encoding/double-encoded-html.xml": ("entries", {"text": "…"}),
    "encoding/http_application_atom_xml_gb2312_charset.xml": (
        "no-items",
        {"headers": {"Content-Type": "application/atom+xml;charset='gb2312'"}},
    ),
    "encoding/http_text_xml_charset_overrides_encoding_2.xml": (
        "entries",
        {
            "headers": {"Content-Type": "text/xml; charset=windows-1252"},
            "text": "This is a £“test.”",
        },
    ),
    "encoding/utf-16be.xml": ("no-items", {}),
    "encoding/utf-16le-bom.xml": ("no-items", {}),
    "encoding/utf-32be-autodetect.xml": ("no-items", {}),
    "encoding/utf-8-bom.xml": ("no-items", {}),
    "entities/160.xml": ("no-items-recovered", {}),
    "entities/doesnotexist.xml": ("no-items-recovered", {"line": "undefined entity"}),
    "entities/hellip.xml": ("no-items-recovered", {}),
    "illformed/aaa_illformed.xml": ("no-items-recovered", {"line": "not well-formed XML"}),
    "illformed/always_strip_doctype.xml": ("no-items", {}),
    "illformed/chardet/big5.xml": ("no-items-recovered", {"line": "parsed as Big5"}),
    # Sniffed GB2312: the title must come out as Chinese, not mojibake.
    "illformed/chardet/gb2312.xml": ("item-rejected", {"line": "不归移民漫画系列：专业工作"}),
    "illformed/chardet/shiftjis.xml": (
        "entries-recovered",
        {"title": "DrecomRSSに記事投稿が反映されない…", "text": "色々調べてたら"},
    ),
    # text/xml without a charset means us-ascii; the Greek bytes make it a recovered read.
    "illformed/http_high_bit_date.xml": (
        "no-items-recovered",
        {"headers": {"Content-Type": "text/xml"}, "line": "iso-8859-7"},
    ),
    "illformed/rdf_channel_empty_textinput.xml": ("item-rejected", {"line": "crashes here"}),
    "illformed/rss_empty_document.xml": ("rejected", {"line": "not a feed"}),
    "illformed/rss_incomplete_cdata.xml": ("item-rejected", {}),
    "illformed/rss_item_link_corrupted_ampersands.xml": ("item-rejected", {}),
    "illformed/undeclared_namespace.xml": ("no-items-recovered", {"line": "unbound prefix"}),
    "wellformed/amp/amp01.xml": ("item-rejected", {}),
    "wellformed/atom/atom_namespace_1.xml": ("no-items", {}),
    # Atom 0.3 content without a type is text/plain: the tags are text, shown, not run.
    "wellformed/atom/entry_content_mode_base64.xml": (
        "entries",
        {"text": "Example &lt;b>Atom&lt;/b>"},
    ),
    "wellformed/atom/feed_info_inline_markup.xml": ("no-items", {}),
    "wellformed/atom/relative_uri_inherit.xml": ("no-items", {}),
    "wellformed/atom10/atom10_version.xml": ("no-items", {}),
    "wellformed/atom10/entry_content_base64.xml": ("entries", {"text": "Example **Atom**"}),
    "wellformed/atom10/entry_content_escaped_markup.xml": ("entries", {"text": "Example **Atom**"}),
    "wellformed/atom10/entry_content_inline_markup.xml": ("entries", {"text": "Example **Atom**"}),
    "wellformed/atom10/entry_content_src.xml": ("item-rejected", {"line": "no article text"}),
    "wellformed/atom10/entry_id_no_normalization_1.xml": ("item-rejected", {}),
    "wellformed/atom10/missing_quote_in_attr.xml": ("no-items", {}),
    "wellformed/atom10/relative_uri.xml": ("no-items", {}),
    "wellformed/atom10/tag_in_attr.xml": ("no-items", {}),
    "wellformed/base/http_item_description_base_content_location.xml": (
        "entries",
        {
            "headers": {"Content-Location": "http://example.com/"},
            "text": "[click here](http://example.com/relative/uri)",
        },
    ),
    "wellformed/base/http_item_link_base_docuri.xml": ("item-rejected", {}),
    "wellformed/base/malformed_base.xml": ("item-rejected", {}),
    "wellformed/base/rel_uri_with_unicode_character.xml": (
        "entries",
        {"text": "(http://any.test/%C3%80)"},
    ),
    "wellformed/base/relative_xml_base.xml": ("item-rejected", {}),
    "wellformed/base/unsafe_base.xml": ("item-rejected", {}),
    "wellformed/http/headers_content_location-unsafe.xml": (
        "no-items",
        {"headers": {"Content-Location": "javascript:alert('unsafe');"}},
    ),
    "wellformed/namespace/rss1.0withModules.xml": ("entries", {"title": "Test Item - RSS 1.0"}),
    "wellformed/namespace/rss2.0withAtomNS.xml": ("item-rejected", {"line": "rsync and vfat"}),
    "wellformed/rdf/doctype_contains_entity_decl.xml": ("no-items", {}),
    "wellformed/rdf/rss_version_10.xml": ("no-items", {}),
    "wellformed/rdf/rss_version_10_not_default_ns.xml": ("no-items", {}),
    "wellformed/rss/entity_in_doctype.xml": ("item-rejected", {}),
    "wellformed/rss/item_content_encoded.xml": ("entries", {"text": "Example content"}),
    "wellformed/rss/item_description_br.xml": ("entries", {"text": "article byline"}),
    "wellformed/rss/item_description_escaped_markup.xml": (
        "entries",
        {"text": "Example description"},
    ),
    "wellformed/rss/item_description_naked_markup.xml": (
        "entries",
        {"text": "Example description"},
    ),
    # `<!'` opens a bogus comment in HTML5, so the description has no text left.
    "wellformed/rss/item_description_not_a_doctype.xml": ("item-rejected", {}),
    "wellformed/rss/item_guid_isPermaLink_ValueError.xml": ("item-rejected", {}),
    "wellformed/rss/item_guid_not_permalink.xml": ("item-rejected", {}),
    "wellformed/rss/rss_version_090.xml": ("no-items", {"line": "rss090"}),
    "wellformed/rss/rss_version_091_netscape.xml": ("no-items", {"line": "rss091n"}),
    "wellformed/rss/rss_version_091_userland.xml": ("no-items", {"line": "rss091u"}),
    "wellformed/rss/rss_version_092.xml": ("no-items", {"line": "rss092"}),
    "wellformed/rss/rss_version_093.xml": ("no-items", {"line": "rss093"}),
    "wellformed/rss/rss_version_094.xml": ("no-items", {"line": "rss094"}),
    "wellformed/rss/rss_version_20.xml": ("no-items", {"line": "rss20"}),
    "wellformed/rss/rss_version_21.xml": ("no-items", {"line": "rss20"}),
    "wellformed/rss/rss_version_missing.xml": ("no-items", {}),
    "wellformed/sanitize/entry_content_crazy.xml": (
        "entries",
        {"text": "I will execute here, too, if you mouse over me"},
    ),
    # Only a picture: nothing to ingest once the onerror handler is gone.
    "wellformed/sanitize/entry_content_onerror.xml": ("item-rejected", {}),
    "wellformed/sanitize/entry_content_script_base64.xml": (
        "entries",
        {"text": "safe description"},
    ),
    "wellformed/sanitize/feed_title_unacceptable_uri.xml": ("no-items", {}),
    "wellformed/sanitize/item_content_encoded_style.xml": (
        "entries",
        {"text": "never trust your upstream platypus"},
    ),
    # HTML5 reads everything after an unclosed <iframe> as its (never shown) content.
    "wellformed/sanitize/item_description_iframe.xml": (
        "entries",
        {"text": "## Summary\n\nsafe\n"},
    ),
    "wellformed/sanitize/item_description_script_cdata.xml": (
        "entries",
        {"text": "safe description"},
    ),
    "wellformed/sgml/charref_uppercase_x.xml": ("entries", {"text": "## Summary\n\na\n"}),
}

ACTIVE_CONTENT = re.compile(
    r"<\s*(?:script|iframe|style|object|embed|form)\b|(?:java|vb)script\s*:|\bdata:\s*[\w.+-]+/[\w.+-]+[;,]"
    r"|\bon[a-z]{3,}\s*=|\bstyle\s*=",
    re.IGNORECASE,
)


def corpus_files() -> list[str]:
    if not CORPUS_DIR.exists():
        return sorted(EXPECTED)
    return sorted(str(p.relative_to(CORPUS_DIR)) for p in CORPUS_DIR.rglob("*.xml"))


def test_the_table_covers_the_whole_corpus():
    assert corpus_files() == sorted(EXPECTED)
    assert len(EXPECTED) == 78


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file(name, kb_dir, no_network):
    outcome, checks = EXPECTED[name]
    path = CORPUS_DIR / name
    result, lines = run_ingest([path], kb_dir, response_headers=checks.get("headers"))
    report = "\n".join(lines)
    entries = read_kb(kb_dir)

    # One outcome per source, reported on lines that name the file.
    assert lines and all(line.startswith(str(path)) for line in lines), report
    if outcome.startswith("no-items"):
        assert entries == {} and result.exit_code == 0
        assert len(lines) == 1 and "no items" in lines[0] and "nothing changed" in lines[0]
    elif outcome.startswith("entries"):
        assert entries and result.exit_code == 0 and result.rejected == 0, report
    elif outcome == "item-rejected":
        assert entries == {} and result.exit_code == 1
        assert any(": rejected: " in line for line in lines)
    else:
        assert (
            entries == {}
            and result.exit_code == 1
            and lines == [f"{path}: rejected: {lines[0].split(': rejected: ')[1]}"]
        )
    if outcome.startswith(("no-items", "entries")):
        # The source's own line says whether the document had to be recovered.
        assert ("(recovered: " in lines[-1]) == outcome.endswith("recovered"), report

    texts = [text for _, text in entries.values()]
    if "title" in checks:
        assert any(e.title == checks["title"] for e, _ in entries.values()), [
            e.title for e, _ in entries.values()
        ]
    if "text" in checks:
        assert any(checks["text"] in t for t in texts), texts
    if "line" in checks:
        assert checks["line"] in report, report
    for entry, text in entries.values():
        assert not ACTIVE_CONTENT.search(text), text
        # no replacement characters unless the entry says its text was damaged
        damaged = any("U+FFFD" in p for p in (entry.ingest or {}).get("problems", []))
        assert damaged or "\ufffd" not in text
    for entry, _ in entries.values():
        # Only a permalink becomes `source`: never a guid that is not one, never a bad URL.
        assert entry.source is None or entry.source.startswith(("http://", "https://"))
        assert entry.id and entry.ingest["part"] == "main"
    assert "javascript" not in report.lower()


def test_guid_that_is_not_a_permalink_never_becomes_source(kb_dir):
    feed = kb_dir.parent / "guid.xml"
    feed.write_text(
        '<rss version="2.0"><channel><title>t</title><item><title>Disk full</title>'
        '<guid isPermaLink="false">http://guid.example.com/123</guid>'
        "<description>&lt;p&gt;The disk is full. Delete old logs.&lt;/p&gt;</description></item>"
        "<item><title>Permalink guid</title><guid>http://example.com/articles/disk-full-again</guid>"
        "<description>&lt;p&gt;The disk is full again.&lt;/p&gt;</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    _result, lines = run_ingest([feed], kb_dir)
    entries = {e.title: e for e, _ in read_kb(kb_dir).values()}
    assert entries["Disk full"].source is None
    assert entries["Disk full"].ingest["guid"] == "http://guid.example.com/123"
    assert f"{feed}: item 1 ('Disk full'): recovered: no permalink" in lines
    assert entries["Permalink guid"].source == "http://example.com/articles/disk-full-again"
    assert entries["Permalink guid"].id == "disk-full-again"
