"""The page in English or Chinese: chosen by Accept-Language, ?lang= (remembered in a cookie),
<html lang> set, every word of the page's own translated, the catalogue compiled at start."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from samples import NOT_COVERED

from webapp.i18n import TRANSLATIONS, compile_catalogues

pytest_plugins = ["webfixtures"]

WEBAPP = Path(__file__).resolve().parents[2] / "webapp"
PO = TRANSLATIONS / "zh_CN" / "LC_MESSAGES" / "messages.po"


def test_accept_language_chooses_chinese(client):
    response = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    html = response.get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and "错误信息是什么？" in html and "诊断" in html
    assert "What does the error say?" not in html
    assert "Accept-Language" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers  # nothing chosen, nothing remembered
    english = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in english.get_data(as_text=True)


def test_lang_parameter_wins_and_is_remembered_in_a_cookie(client):
    zh = {"Accept-Language": "zh-CN"}
    response = client.get("/?lang=en", headers=zh)
    assert '<html lang="en">' in response.get_data(as_text=True)
    assert "kb_lang=en" in response.headers["Set-Cookie"]
    assert '<html lang="en">' in client.get("/", headers=zh).get_data(as_text=True)
    client.get("/kb?lang=zh-CN")
    html = client.get("/kb").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html and 'href="/kb?lang=en"' in html


def test_the_no_answer_page_and_errors_speak_chinese(client):
    client.get("/?lang=zh-CN")
    path = client.post("/", data={"text": NOT_COVERED}).headers["Location"]
    html = client.get(path).get_data(as_text=True)
    assert "没有可信的答案。" in html and "申请文章" in html and "最接近的条目" in html
    missing = client.get("/r/AAAAAAAAAAAAAAAAAAAAAA").get_data(as_text=True)
    assert "此地址没有保存的结果" in missing


def test_every_word_of_the_page_has_a_chinese_translation():
    method_map = [("**.py", "python"), ("templates/**.html", "jinja2")]
    found = {
        msgid if isinstance(msgid, str) else msgid[0]
        for _file, _line, msgid, _comments, _context in extract_from_dir(WEBAPP, method_map)
    }
    with PO.open("rb") as f:
        catalogue = read_po(f)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogue if m.string}
    assert len(found) > 80
    assert found - translated == set()


def test_the_catalogue_is_compiled_at_start_into_a_cache_named_by_its_digest(tmp_path):
    source = tmp_path / "translations"
    (source / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (source / "zh_CN" / "LC_MESSAGES" / "messages.po").write_bytes(PO.read_bytes())
    target = compile_catalogues(source)
    mo = target / "zh_Hans_CN" / "LC_MESSAGES" / "messages.mo"  # where Babel looks
    with mo.open("rb") as f:
        assert read_mo(f).get("Request an article").string == "申请文章"
    assert compile_catalogues(source) == target  # unchanged .po: the same folder, no work
    po = source / "zh_CN" / "LC_MESSAGES" / "messages.po"
    po.write_text(po.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert compile_catalogues(source) != target  # a changed .po is compiled again


def test_the_entry_page_speaks_chinese_and_shows_writers_the_rules(client):
    html = client.get("/kb/dns-signature?lang=zh-CN").get_data(as_text=True)
    assert "这个条目解决了您的问题吗？" in html and "特征" in html
    assert "供编写者参考：此条目背后的规则" in html and "event-1196-signature" in html
