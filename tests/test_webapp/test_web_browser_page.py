"""The helpdesk page in a real headless Chromium (Debian's, driven by Playwright) against a real
`kb serve`: paste -> 303 -> permalink, the fix-first card, the copy button, the no-answer page
with "Request an article", suggestions as you type, the Chinese UI with its glyphs rendered
(not boxes), and no horizontal scrolling on a 390 px phone.

Skipped like test_web_browser.py when Chromium or Playwright is missing (KB_REQUIRE_BROWSER=1
fails instead). KB_UPDATE_SCREENSHOTS=1 also writes docs/helpdesk-en.png and -zh.png.
"""

from __future__ import annotations

import json
import os
import re
import urllib.request
from pathlib import Path

import pytest
from samples import EVENT_1196, NOT_COVERED
from test_web_browser import Watch, browser  # noqa: F401  (the fixture, shared)
from testkb import DATA, copy_kb
from webhelpers import start_server, stop_server

DOCS = Path(__file__).resolve().parents[2] / "docs"
CODE_FIX = "\nThen register the name again with `ipconfig`:\n\n```\nipconfig /registerdns\n```\n"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """kb_small, the 1196 entry's fix with a command block, served with an escalation link."""
    root = tmp_path_factory.mktemp("page-served")
    kb = copy_kb(DATA / "kb_small", root)
    entry = kb / "dns-signature.md"
    entry.write_text(entry.read_text(encoding="utf-8") + CODE_FIX, encoding="utf-8")
    env = {"KB_RATELIMIT_ENABLED": "0", "KB_ESCALATE_URL": "https://tickets.example.com/new"}
    proc, url = start_server(root, kb, env=env)
    try:
        yield url
    finally:
        stop_server(proc)


def paste(page, base: str, text: str) -> None:
    """Type a paste into the focused box and press Ctrl+Enter: 303 to the permalink."""
    page.goto(base + "/")
    assert page.evaluate("document.activeElement.id") == "text"  # focused on load
    page.keyboard.insert_text(text)
    with (
        page.expect_response(lambda r: r.request.method == "POST") as posted,
        page.expect_navigation(),
    ):
        page.keyboard.press("Control+Enter")
    assert posted.value.status == 303
    assert re.search(r"/r/[A-Za-z0-9_-]{22,}$", page.url), page.url


def test_paste_303_permalink_and_back_does_not_post_again(browser, served):  # noqa: F811
    page = browser.new_page()
    watch = Watch(page)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    paste(page, served, EVENT_1196)
    permalink = page.url
    assert page.locator(".permalink a").get_attribute("href") == permalink
    page.goto(served + "/kb")
    page.go_back()
    assert page.url == permalink and len(posts) == 1  # Back shows the page; nothing re-posted
    other = browser.new_page()  # shared: the address alone brings the same answer
    other.goto(permalink)
    assert other.locator("ol.results article h2 a").first.get_attribute("href") == (
        "/kb/dns-signature"
    )
    other.close()
    watch.assert_quiet()
    page.close()


def test_the_card_puts_the_fix_first_and_why_closed(browser, served):  # noqa: F811
    page = browser.new_page()
    paste(page, served, EVENT_1196)
    card = page.locator("ol.results article").first
    tops = [
        card.locator(f'[data-part="{part}"]').bounding_box()["y"]
        for part in ("fix", "cause", "symptom", "why")
    ]
    assert tops == sorted(tops)
    assert card.locator(".label").bounding_box()["y"] < tops[0]
    why = card.locator('details[data-part="why"]')
    assert why.get_attribute("open") is None and not why.locator("li").first.is_visible()
    why.locator("summary").click()
    assert why.locator("li").first.is_visible()
    assert "The paste has" in why.locator("li").first.inner_text()
    page.close()


def test_the_copy_button_copies_a_fix_command(browser, served):  # noqa: F811
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    watch = Watch(page)
    paste(page, served, EVENT_1196)
    fix = page.locator("ol.results article").first.locator('[data-part="fix"]')
    buttons = fix.locator('button[data-action="copy"]')
    commands = [c for c in fix.locator(":not(pre) > code").all_inner_texts() if " " in c.strip()]
    assert buttons.count() == fix.locator("pre").count() + len(commands) >= 1
    # a one-word inline `ipconfig` is part of a sentence, not a command to copy
    assert fix.locator(":not(pre) > code + button.copy").count() == len(commands)
    button = fix.locator('pre + button[data-action="copy"]').first
    button.click()
    # a locator waits without evaluating a string (the page's CSP forbids eval, so
    # wait_for_function failed whenever its first poll came before the click's promise)
    fix.locator('pre + button.copy:text-is("Copied")').first.wait_for(timeout=5000)
    assert page.evaluate("navigator.clipboard.readText()").strip() == "ipconfig /registerdns"
    watch.assert_quiet()
    context.close()


def test_the_no_answer_page_requests_an_article_in_place(browser, served):  # noqa: F811
    page = browser.new_page()
    watch = Watch(page)
    paste(page, served, NOT_COVERED)
    assert page.locator('[data-part="fix"]').count() == 0
    nearest = page.locator("ul.nearest a")
    assert nearest.count() >= 1 and nearest.first.get_attribute("href").startswith("/kb/")
    assert page.locator(".escalate a").get_attribute("href") == "https://tickets.example.com/new"
    url = page.url
    page.locator('form[data-action="request-article"] button').click()
    note = page.locator('form[data-action="request-article"] [role=status]')
    assert "writers" in note.inner_text() and page.url == url
    with urllib.request.urlopen(served + "/api/v1/gaps", timeout=10) as response:
        gaps = json.loads(response.read())["gaps"]
    mine = [g for g in gaps if "0x0000232B" in g["template"]]
    assert mine and mine[0]["count"] >= 2  # answered without confidence, then requested
    watch.assert_quiet()
    page.close()


def test_suggestions_appear_as_you_type(browser, served):  # noqa: F811
    page = browser.new_page()
    watch = Watch(page)
    page.goto(served + "/")
    page.locator("textarea[name=text]").press_sequentially("DNS signat", delay=20)
    link = page.locator("#suggestions a").first
    link.wait_for(state="visible")
    assert link.get_attribute("href").endswith("/kb/dns-signature")
    watch.assert_quiet()
    page.close()


def _glyph(page, text: str) -> bytes:
    page.evaluate(
        """text => {
            const probe = document.createElement('span');
            probe.id = 'probe';
            probe.textContent = text;
            probe.style.cssText = 'font-size:48px;display:inline-block;padding:4px;background:#fff';
            document.querySelector('#probe')?.remove();
            document.body.prepend(probe);
        }""",
        text,
    )
    return page.locator("#probe").screenshot()


def test_the_chinese_ui_renders_cjk_glyphs_not_boxes(browser, served):  # noqa: F811
    context = browser.new_context(locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN"})
    page = context.new_page()
    page.goto(served + "/")
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "错误信息是什么？"
    if os.environ.get("KB_UPDATE_SCREENSHOTS") == "1":
        _screenshots(browser, served)
    heading = page.locator("h1").screenshot()
    assert len(set(heading)) > 16  # not a blank box
    # Distinct characters must draw distinct glyphs: missing fonts draw every one as the same
    # box, the box a private-use character (which no font has) draws too.
    shots = {ch: _glyph(page, ch) for ch in ("错", "误", "信", "\ue000")}
    tofu = shots.pop("\ue000")
    assert len(set(shots.values())) == 3, "CJK characters render identically: boxes, no font"
    assert tofu not in shots.values()
    context.close()


def test_no_horizontal_overflow_at_390_px(browser, served):  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})
    paste(page, served, EVENT_1196)
    pages = [page.url]
    paste(page, served, NOT_COVERED)
    pages += [page.url, served + "/", served + "/kb/gaps", served + "/kb/_stats", served + "/kb"]
    for url in pages:
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (url, width)
    page.close()


def _screenshots(browser, served) -> None:  # noqa: F811
    """docs/helpdesk-en.png and -zh.png: a result page, phone-narrow to keep them small."""
    for lang, name in (("en", "helpdesk-en.png"), ("zh-CN", "helpdesk-zh.png")):
        context = browser.new_context(viewport={"width": 520, "height": 900})
        page = context.new_page()
        page.goto(f"{served}/?lang={lang}")
        paste(page, served, EVENT_1196)
        page.screenshot(path=str(DOCS / name), type="png")
        context.close()
