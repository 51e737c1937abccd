"""A real headless Chromium (Debian's `chromium` package, driven by Playwright) against real
servers: the 1196 paste finds its remedy first, and an entry ingested from a feed full of
script payloads runs no script at all.

Skipped when Chromium or Playwright is missing, unless KB_REQUIRE_BROWSER=1 (then it fails).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from samples import EVENT_1196
from webhelpers import active_content, start_server, stop_server, write_hostile_kb

pytest_plugins = ["webfixtures"]

REPO_DATA = Path(__file__).resolve().parents[1] / "data"
CHROMIUM = os.environ.get("KB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _unavailable() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install playwright)"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _unavailable()
    if reason:
        if os.environ.get("KB_REQUIRE_BROWSER") == "1":
            pytest.fail(f"KB_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


class Watch:
    """Everything a page could do behind our back: dialogs, errors, console output."""

    def __init__(self, page):
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_quiet(self):
        assert self.dialogs == [], f"a script opened a dialog: {self.dialogs}"
        assert self.errors == [], f"a script ran and failed: {self.errors}"
        # A CSP report would be fine (blocked, not run); anything else in the console is not.
        noisy = [
            m
            for m in self.console
            if "Content Security Policy" not in m and not m.startswith("verbose")
        ]
        assert noisy == [], noisy


def test_the_1196_paste_finds_its_remedy_first(browser, served_small_kb):
    page = browser.new_page()
    watch = Watch(page)
    page.goto(served_small_kb + "/")
    page.fill("textarea[name=text]", EVENT_1196)
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Diagnose')")
    assert re.search(r"/r/[A-Za-z0-9_-]{22,}$", page.url)  # 303 to the result's permalink
    first = page.locator("ol.results article h2 a").first
    assert first.get_attribute("href") == "/kb/dns-signature"
    assert first.inner_text().startswith("Event 1196: cluster network name failed DNS registration")
    assert "Confident answer" in page.locator(".banner").inner_text()
    assert page.locator("ol.results mark").count() > 0
    # "Solved it" with JavaScript: recorded in place, the page stays
    result = page.url
    page.locator("ol.results article").first.locator("button[value=solved]").click()
    note = page.locator("ol.results article").first.locator("form.feedback [role=status]")
    assert "Thank you" in note.inner_text() and page.url == result
    # ... and without JavaScript: a plain form post, then back to the entry with thanks
    plain = browser.new_context(java_script_enabled=False).new_page()
    plain.goto(result)
    with plain.expect_navigation():
        plain.locator("ol.results article").nth(1).locator("button[value=solved]").click()
    assert "?feedback=thanks" in plain.url and "Thank you" in plain.content()
    plain.context.close()
    # CSS loaded from our own origin, and the page declares UTF-8
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"
    assert page.evaluate("document.characterSet") == "UTF-8"
    watch.assert_quiet()
    page.close()


HOSTILE_ITEM = """
<p onclick="window.__pwned='onclick'">When the hostile service starts it fails with this error:</p>
<p>Error 0x80070005: Access is denied.</p>
<script>window.__pwned='script';alert('script')</script>
<img src="x" onerror="window.__pwned='onerror';alert('onerror')">
<svg onload="window.__pwned='svg';alert('svg')"><script>alert('svg script')</script></svg>
<iframe src="javascript:alert('iframe')"></iframe><iframe srcdoc="<script>parent.__pwned='srcdoc'</script>"></iframe>
<form action="javascript:alert('form')"><input type="submit" value="Go"></form>
<p><a href="jav&#x09;ascript:alert('tab')">tab link</a> <a href="javascript:window.__pwned='href'">js link</a>
<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert('entity')">entity link</a>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data link</a></p>
<p style="background:url(javascript:alert('css'))" onmouseover="window.__pwned='hover'">Text &lt;script&gt;window.__pwned='text'&lt;/script&gt;
and &lt;img src=x onerror=alert('escaped')&gt; and [x](javascript:alert('md'))</p>
<h2>Resolution</h2><ol><li>Run <code>net start hostile</code></li><li>Open <a href="https://safe.example/fix">the fix</a></li></ol>
"""


def hostile_feed(path: Path) -> Path:
    description = HOSTILE_ITEM.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Hostile</title>'
        "<item><title>&lt;script&gt;alert('title')&lt;/script&gt;&lt;img src=x onerror=alert('t2')&gt;Hostile service fails"
        "</title><link>https://evil.example/post?x=&quot;&gt;&lt;script&gt;alert('link')&lt;/script&gt;</link><guid isPermaLink=\"false\">hostile-1</guid>"
        f"<category>&lt;b onmouseover=alert(1)&gt;Security</category><description>{description}</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def served_hostile_kb(tmp_path_factory):
    """kb_small, a writer's hostile entry and a hostile feed put through `kb ingest`, served by
    a real `kb serve`."""
    from kbcli.main import cli

    root = tmp_path_factory.mktemp("hostile-served")
    kb = root / "kb"
    write_hostile_kb(kb)  # kb_small + a writer's entry full of payloads
    before = {p.name for p in kb.glob("*.md")}
    result = CliRunner().invoke(
        cli, ["ingest", str(hostile_feed(root / "hostile.xml")), "--kb-dir", str(kb)]
    )
    assert result.exit_code == 0, result.output
    added = sorted({p.stem for p in kb.glob("*.md")} - {Path(n).stem for n in before})
    assert added, "the ingester wrote no entry"
    proc, url = start_server(root, kb, env={"KB_RATELIMIT_ENABLED": "0"})
    try:
        yield url, added + ["hostile-entry"]
    finally:
        stop_server(proc)


def test_an_entry_from_a_hostile_feed_runs_no_script(browser, served_hostile_kb):
    from playwright.sync_api import Error as PlaywrightError

    base, ids = served_hostile_kb
    page = browser.new_page()
    watch = Watch(page)
    for entry_id in ids:
        response = page.goto(f"{base}/kb/{entry_id}")
        assert response.status == 200
        assert "service fails" in page.locator("h1").inner_text()  # shown as text, escaped
        # give every element a chance to fire its handlers
        for element in page.locator("article :is(p, li, a, td, h1, pre, code)").all()[:80]:
            with contextlib.suppress(PlaywrightError):  # hidden or detached: nothing to hover
                element.hover(timeout=100)
        for link in page.locator("main a").all():
            href = link.get_attribute("href")
            assert href is None or href.startswith(("/", "http://", "https://")), href
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert (
            page.evaluate(
                "document.querySelectorAll("
                "'script:not([src=\"/static/page.js\"]), iframe, svg, object, embed').length"
            )
            == 0
        )
        assert (
            page.evaluate(
                "[...document.querySelectorAll('*')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length"
            )
            == 0
        )
        assert active_content(page.content()) == []
    # the results page renders the same entry: still nothing runs
    page.goto(base + "/")
    page.fill(
        "textarea[name=text]",
        "When the hostile service starts: Error 0x80070005: Access is denied.",
    )
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Diagnose')")
    assert any(page.locator(f"a[href='/kb/{i}']").count() for i in ids)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert active_content(page.content()) == []
    watch.assert_quiet()
    page.close()


def test_a_log_uploaded_on_the_triage_page_links_to_its_remedy(browser, served_small_kb, tmp_path):
    """A real upload through the page's own form: a bundle of a wevtutil export and a real
    .evtx in, the report out with the 1196 problem first, its link leading to the entry."""
    import io
    import zipfile

    log = (
        "Event[0]:\r\n  Log Name: System\r\n  Source: Microsoft-Windows-FailoverClustering\r\n"
        "  Date: 2012-02-03T03:20:11.123\r\n  Event ID: 1196\r\n  Level: Error\r\n"
        "  Computer: node2.contoso.com\r\n  Description: \r\n"
        "Cluster network name resource 'SQL Network Name (SQLCLU01)' failed registration of one "
        "or more associated DNS name(s) for the following reason:\r\nDNS signature failed to verify.\r\n"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("System.txt", log.encode("utf-16"))
        bundle.write(REPO_DATA / "evtx" / "System.evtx", "System.evtx")
    upload = tmp_path / "ticket-4711.zip"
    upload.write_bytes(buffer.getvalue())
    page = browser.new_page()
    watch = Watch(page)
    page.goto(served_small_kb + "/triage")
    page.set_input_files("input[name=file]", str(upload))
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('Triage')")
    assert "1,882 events read" in page.locator(".banner").inner_text()
    known = page.locator("table.known tr.group").first
    assert known.locator("td.count").inner_text() == "1"
    link = known.locator("td.remedy a").first
    assert link.get_attribute("href") == "/kb/dns-signature"
    assert page.locator("table.unanswered tr.group").count() > 0  # System.evtx's own problems
    with page.expect_navigation():
        link.click()
    assert page.url.endswith("/kb/dns-signature")
    watch.assert_quiet()
    page.close()
