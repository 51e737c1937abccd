"""Hostile feeds: active content never reaches a KB file, XML attacks are neither expanded
nor fetched, and document content never causes network access."""

from __future__ import annotations

import re
import time
import tracemalloc

from conftest import read_kb, run_ingest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.html import defang, plain_text, sanitize, to_markdown
from ingest.urls import safe_url

ACTIVE = re.compile(
    r"<\s*/?\s*(?:script|iframe|style|object|embed|form|svg|math)\b|(?:java|vb)script\s*:|"
    r"\bdata:\s*[\w.+-]+/[\w.+-]+[;,]|\bon[a-z]{3,}\s*=|\bstyle\s*=",
    re.IGNORECASE,
)

HOSTILE_ITEM = """
<p onclick="alert(4)">When the service starts it fails with this error:</p>
<p>Error 0x80070005: Access is denied.</p>
<script>alert(5)</script><style>body{background:url(javascript:alert(6))}</style>
<iframe src="http://evil.example/"></iframe><object data="http://evil.example/x.swf"></object>
<embed src="http://evil.example/y.swf">
<form action="javascript:alert(7)"><input type="submit" value="Go"></form>
<p><a href="jav&#x09;ascript:alert(8)">tab link</a> <a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(9)">entity link</a>
<a href="JaVaScRiPt:alert(10)">mixed</a> <a href="data:text/html;base64,PHNjcmlwdD4=">data</a>
<a href="vbscript:msgbox(12)">vb</a> <a href=" &#x0A;javascript:alert(13)">newline</a> <a href="http://safe.example/kb/1">safe link</a></p>
<p>Screenshot: <img src="javascript:alert(14)"><img src="data:image/png;base64,AAAA"><img src="http://safe.example/pic.png" onerror="alert(15)"></p>
<p style="color:red" onmouseover="alert(16)">Text &lt;script&gt;alert(17)&lt;/script&gt; and onload=alert(18) and javascript:alert(19) and [x](javascript:alert(20))</p>
<!-- <script>alert(21)</script> -->
<h2>Resolution</h2><ol><li>Run <code>net start foo</code></li><li>Open <a href="https://safe.example/fix">the fix</a></li></ol>
<svg><script>alert(22)</script></svg><math><mi xlink:href="javascript:alert(23)">x</mi></math>
"""


def hostile_feed(path):
    description = HOSTILE_ITEM.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile</title>'
        '<item><title>&lt;script&gt;alert(1)&lt;/script&gt;"&gt;&lt;img src=x onerror=alert(2)&gt;Service fails'
        '</title><link>javascript:alert(3)</link><guid isPermaLink="false">hostile-1</guid>'
        f"<category>Security</category><category>SECURITY</category><description>{description}</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    return path


def test_hostile_html_becomes_clean_markdown(kb_dir, tmp_path):
    feed = hostile_feed(tmp_path / "hostile.xml")
    result, lines = run_ingest([feed], kb_dir)
    ((entry, text),) = read_kb(kb_dir).values()
    assert result.exit_code == 0
    assert not ACTIVE.search(text), ACTIVE.search(text)
    assert (
        "alert(5)" not in text and "alert(22)" not in text and "alert(21)" not in text
    )  # removed with content
    assert entry.source is None  # the javascript: link is no permalink
    assert f"{feed}: item 1 ('\">Service fails'): recovered: no permalink" in lines
    assert entry.title == '">Service fails'
    assert entry.tags == ("security",)
    assert "[safe link](http://safe.example/kb/1)" in text
    assert "tab link entity link" in text  # the text of dropped links stays, the link goes
    assert "1. Run `net start foo`\n2. Open [the fix](https://safe.example/fix)" in entry.section(
        "Fix"
    )
    assert "```\nError 0x80070005: Access is denied.\n```" in entry.section("Symptom")
    assert entry.signatures.codes == ("0x80070005",)


def test_images_become_http_links_or_vanish():
    html = (
        '<p>a <img src="javascript:alert(1)"> b <img src="data:image/png;base64,AAAA"> '
        'c <img src="http://x.example/p.png" onerror="alert(2)"> d <img src="//cdn.example/q.png"></p>'
    )
    assert to_markdown(sanitize(html)) == "a  b  c [image](http://x.example/p.png) d"
    assert to_markdown(sanitize(html), base="https://site.example/") == (
        "a  b  c [image](http://x.example/p.png) d [image](https://cdn.example/q.png)"
    )


def test_titles_are_plain_text():
    assert (
        plain_text(
            '<script>alert(1)</script>"><img src=x onerror=alert(2)>Fails &amp; <b>stops</b>'
        )
        == '">Fails & stops'
    )


def test_defang_neutralises_what_a_renderer_could_run():
    text = (
        "<script>x</script> JavaScript : alert(1) onload=go() data:text/html;base64,xx online now"
    )
    out = defang(text)
    assert not ACTIVE.search(out)
    assert "online now" in out


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.text(
            alphabet=st.sampled_from(list("<>/=\"' &#;:abcdefhijlmnoprstvx0123456789\t\n")),
            max_size=120,
        ),
        st.sampled_from(
            [
                "javascript:alert(1)",
                "jav&#x09;ascript:x",
                "&#106;avascript:x",
                "data:text/html,x",
                "<script>x</script>",
                "<svg onload=x>",
                "vbscript:x",
                " javascript:x",
            ]
        ),
    )
)
def test_sanitized_markdown_never_holds_active_content(fragment):
    html = "<p>" + fragment + '<a href="' + fragment + '">l</a><img src="' + fragment + '"></p>'
    markdown = defang(to_markdown(sanitize(html)))
    assert not re.search(
        r"<\s*/?\s*(?:script|iframe|style|object|embed|form)\b|(?:java|vb)script\s*:",
        markdown,
        re.IGNORECASE,
    )
    for url in re.findall(r"\]\(([^)\s]*)\)", markdown):
        assert url.startswith(("http://", "https://")), url


@given(st.text(max_size=80))
def test_safe_url_only_ever_returns_http_urls(raw):
    url = safe_url(raw, base="http://base.example/dir/")
    assert url is None or re.match(r"https?://[^\s<>\"`]+$", url)


def _feed_with_doctype(doctype: str, body: str) -> str:
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<rss version="2.0"><channel><title>t</title>'
        f"<item><title>Item</title><link>http://example.com/a/bomb-item</link>"
        f"<description>Error text {body} and the rest.</description></item></channel></rss>"
    )


def test_billion_laughs_is_not_expanded(kb_dir, tmp_path, no_network):
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    feed = tmp_path / "laughs.xml"
    feed.write_text(
        _feed_with_doctype("<!DOCTYPE rss [\n" + "\n".join(entities) + "\n]>", "&lol9;"),
        encoding="utf-8",
    )
    tracemalloc.start()
    started = time.perf_counter()
    _result, lines = run_ingest([feed], kb_dir)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 10 and peak < 60_000_000
    for _, text in read_kb(kb_dir).values():
        assert "lollollol" not in text and len(text) < 20_000
    assert all("lollollol" not in line for line in lines)


def test_quadratic_blowup_stays_bounded(kb_dir, tmp_path, no_network):
    feed = tmp_path / "quadratic.xml"
    doctype = '<!DOCTYPE rss [<!ENTITY a "' + "A" * 50_000 + '">]>'
    feed.write_text(_feed_with_doctype(doctype, "&a;" * 2000), encoding="utf-8")
    tracemalloc.start()
    run_ingest([feed], kb_dir)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 150_000_000  # 100 MB would be expanded; expat's amplification limit stops it
    for _, text in read_kb(kb_dir).values():
        assert "A" * 100_001 not in text


def test_external_entities_are_not_read(kb_dir, tmp_path, no_network):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE", encoding="utf-8")
    feed = tmp_path / "xxe.xml"
    doctype = f'<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{secret}"><!ENTITY pw SYSTEM "file:///etc/passwd">]>'
    feed.write_text(_feed_with_doctype(doctype, "&xxe; &pw;"), encoding="utf-8")
    _result, lines = run_ingest([feed], kb_dir)
    for _, text in read_kb(kb_dir).values():
        assert "TOP-SECRET-VALUE" not in text and "root:" not in text
    assert not any("TOP-SECRET" in line for line in lines)


def test_external_dtds_and_parameter_entities_are_not_fetched(kb_dir, tmp_path, no_network):
    feed = tmp_path / "dtd.xml"
    doctype = (
        '<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd" [<!ENTITY % remote SYSTEM '
        '"http://attacker.example/x.dtd"> %remote;]>'
    )
    feed.write_text(_feed_with_doctype(doctype, "fine"), encoding="utf-8")
    result, _lines = run_ingest([feed], kb_dir)  # no_network fails the test on any connection
    assert result.counts["new"] == 1


def test_feed_content_never_causes_network_access(kb_dir, tmp_path, no_network):
    feed = tmp_path / "remote-bits.xml"
    feed.write_text(
        '<?xml version="1.0"?><?xml-stylesheet href="http://attacker.example/s.xsl"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://attacker.example/">'
        "<title>t</title><entry><title>Out of line</title><id>urn:x</id>"
        '<content src="http://attacker.example/content.html" type="text/html"/>'
        '<summary type="html">&lt;p&gt;Error: see &lt;img src="http://attacker.example/p.png"&gt;&lt;/p&gt;</summary>'
        '<link rel="alternate" href="/posts/out-of-line"/></entry></feed>',
        encoding="utf-8",
    )
    _result, _ = run_ingest([feed], kb_dir)
    ((entry, _),) = read_kb(kb_dir).values()
    assert entry.source == "http://attacker.example/posts/out-of-line"
