"""Issue 15: invalid UTF-8 in one item is replaced there, flagged there, and nowhere else.

The security probe's ``invalid_utf8.xml`` (a UTF-8 feed with a clean Chinese item and an item
holding bytes that are not UTF-8) was decoded whole as ISO-8859-15: the Chinese item was stored
as mojibake marked ``language: en``, the bad item was not flagged, and the run said nothing.
That file is not in the shared corpus, so its shape is built here.
"""

from __future__ import annotations

import pytest
from conftest import read_kb, run_ingest

from ingest.encoding import declared_encoding, repair_utf8

ZH_TITLE = "群集网络名称资源注册失败"
ZH_BODY = (
    "<p>群集网络名称资源无法在 DNS 中注册，事件 ID 1196。</p>"
    "<p>原因：DNS 服务器拒绝了动态更新。</p>"
    "<p>解决方法：</p><ol><li>在 DNS 区域上允许安全动态更新。</li><li>重新启动群集服务。</li></ol>"
)
BAD = b"\xff\xfe"


def _feed(declaration: bool = True) -> bytes:
    head = b'<?xml version="1.0" encoding="UTF-8"?>' if declaration else b""
    item = (
        "<item><title>{title}</title><link>http://example.com/a/{slug}</link>"
        "<description><![CDATA[{body}]]></description></item>"
    )
    items = [
        item.format(title=ZH_TITLE, slug="zh", body=ZH_BODY).encode("utf-8"),
        item.format(title="Disk full on node", slug="bad", body="<p>The disk is {bad} full.</p>")
        .encode("utf-8")
        .replace(b"{bad}", BAD),
        item.format(
            title="Access is denied", slug="clean", body="<p>Access is denied. Run as admin.</p>"
        ).encode("utf-8"),
    ]
    return (
        head
        + b'<rss version="2.0"><channel><title>t</title>'
        + b"".join(items)
        + b"</channel></rss>"
    )


@pytest.mark.parametrize("declared", [True, False], ids=["declared", "undeclared"])
def test_a_bad_byte_in_one_item_leaves_the_others_as_written(kb_dir, declared):
    data = _feed(declared)
    feed = kb_dir.parent / "invalid_utf8.xml"
    feed.write_bytes(data)

    result, lines = run_ingest([feed], kb_dir)

    by_slug = {e.source.rsplit("/", 1)[1]: (e, t) for e, t in read_kb(kb_dir).values()}
    zh, zh_text = by_slug["zh"]
    assert zh.title == ZH_TITLE and zh.language == "zh"
    assert "DNS 服务器拒绝了动态更新" in zh_text  # as written, not mojibake
    assert "\ufffd" not in zh_text and "problems" not in zh.ingest
    clean, clean_text = by_slug["clean"]
    assert "\ufffd" not in clean_text and "problems" not in clean.ingest
    bad, bad_text = by_slug["bad"]
    assert "\ufffd" in bad_text
    assert bad.ingest["problems"] == ["invalid UTF-8: 2 character(s) shown as U+FFFD (\ufffd)"]

    offset = data.index(BAD)
    assert lines[-1] == (
        f"{feed}: 3 of 3 items ingested (3 entries) (recovered: invalid UTF-8: 2 sequence(s) "
        f"replaced with U+FFFD, the first at byte {offset})"
    )
    assert f"{feed}: item 2 ('Disk full on node'): recovered: invalid UTF-8: 2 character(s) " in (
        "\n".join(lines)
    )
    assert "1 item(s) ingested from damaged or truncated text" in result.summary()
    assert result.exit_code == 0  # recovered, like any feed read with a problem: not rejected


def test_a_feed_declared_in_another_charset_is_read_in_that_charset(kb_dir):
    data = _feed().replace(b'encoding="UTF-8"', b'encoding="windows-1252"')
    assert repair_utf8(data, {}) is None
    feed = kb_dir.parent / "cp1252.xml"
    feed.write_bytes(data)
    run_ingest([feed], kb_dir)
    titles = {e.title for e, _ in read_kb(kb_dir).values()}
    assert "Disk full on node" in titles  # read as declared, not repaired as UTF-8


@pytest.mark.parametrize(
    ("data", "headers", "expected"),
    [
        (b"\xef\xbb\xbf<rss/>", {}, "utf-8"),
        (b'<?xml version="1.0" encoding="utf8"?><rss/>', {}, "utf-8"),
        (b'<?xml version="1.0" encoding="GB2312"?><rss/>', {}, "gb2312"),
        (b"<rss/>", {"content-type": "application/rss+xml; charset=Big5"}, "big5"),
        (b"<rss/>", {"content-type": "text/xml"}, "ascii"),
        (b'<?xml version="1.0" encoding="bogus"?><rss/>', {}, ""),
        (b"<rss/>", {}, None),
    ],
)
def test_the_declared_charset_is_read_as_feedparser_reads_it(data, headers, expected):
    assert declared_encoding(data, headers) == expected


def test_undeclared_bytes_of_another_charset_are_left_to_detection():
    gb2312 = "<rss><channel><title>不归移民漫画系列：专业工作</title></channel></rss>"
    assert repair_utf8(gb2312.encode("gb2312"), {}) is None
    mostly_utf8 = "<rss><title>群集网络名称资源</title></rss>".encode() + BAD
    assert repair_utf8(mostly_utf8, {}).count == 2  # each of the two bad bytes
