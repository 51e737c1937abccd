"""Traditional Chinese pastes (Taiwan, Hong Kong) find the Simplified entries they describe."""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest

from engine.entry import Entry
from engine.glossary import Glossary
from engine.hanzi import is_traditional, to_simplified
from engine.kb import KBFolder
from engine.normalise import normalise
from engine.rules import RuleBook
from engine.search.analysis import terms

REPO = Path(__file__).resolve().parents[2]
HAN = re.compile(r"[\u4e00-\u9fff]")

# The vCenter Converter dialog as the Traditional Chinese (zh-TW) edition words it.
CONVERTER_TW = (
    "VMware vCenter Converter\n發生錯誤。此錯誤可能是網路連線失敗所造成。\n"
    "精靈將立即關閉。\n請檢查網路連線，然後再試一次。"
)


def test_traditional_text_becomes_simplified_with_mainland_words():
    assert to_simplified("此錯誤可能是網路連線失敗所造成") == "此错误可能是网络连接失败所造成"
    assert to_simplified("叢集 伺服器 虛擬機器") == "集群 服务器 虚拟机"


@pytest.mark.parametrize(
    "simplified", ["程序文件已建立", "核心转储", "群集网络名称资源", "著名的问题"]
)
def test_simplified_text_is_left_exactly_as_it_is(simplified):
    # tw2sp would rewrite these (程序 -> 进程, 文件 -> 文档, 建立 -> 创建, 核心 -> 内核)
    assert not is_traditional(simplified)
    assert to_simplified(simplified) == simplified


def test_english_with_a_traditional_line_is_converted_and_english_kept():
    out = to_simplified("Event ID 1196\n發生錯誤")
    assert out == "Event ID 1196\n发生错误"


def test_the_paste_is_matched_as_simplified_and_facts_read_traditional_questions():
    n = normalise("請問叢集的網路名稱資源為什麼無法註冊到 DNS 嗎？")
    assert "集群" in n.masked and "網路" not in n.masked
    assert n.facts.question


def test_search_terms_are_the_same_for_both_scripts():
    assert terms("網路連線失敗") == terms("网络连接失败")


def test_a_rule_phrase_written_in_traditional_matches_a_simplified_paste():
    book = RuleBook(
        [Entry(id="tw", title="tw", rules=({"name": "tw-phrase", "phrase": "網路連線失敗"},))],
        Glossary.empty(),
    )
    try:
        hits = book.evaluate(normalise("向导报告：网络连接失败"))
        assert [(h.entry_id, h.rule) for h in hits] == [("tw", "tw-phrase")]
    finally:
        book.close()


@pytest.fixture
def shipped(shipped_diagnoser):
    return shipped_diagnoser


def test_the_converter_dialog_in_traditional_chinese_is_answered_confidently(shipped):
    diagnosis = shipped.diagnose(CONVERTER_TW)
    assert diagnosis.remedies[0].entry.id == "vcenter-converter-network-error"
    assert diagnosis.confident


def chinese_examples():
    """(entry id, example) for every shipped example written in Chinese."""
    entries, _ = KBFolder(REPO / "kb").entries()
    return [
        pytest.param(entry.id, example, id=f"{entry.id}-{n}")
        for entry in entries.values()
        for n, example in enumerate(entry.examples)
        if len(HAN.findall(example)) >= 4
    ]


@pytest.mark.parametrize("entry_id, example", chinese_examples())
def test_each_chinese_example_in_traditional_is_answered_like_the_simplified_one(
    shipped, entry_id, example
):
    # OpenCC's s2twp writes the example as a Taiwanese helpdesk would (網路, 伺服器, 叢集...)
    traditional = opencc.OpenCC("s2twp").convert(example)
    assert traditional != example
    diagnosis = shipped.diagnose(traditional)
    assert diagnosis.remedies[0].entry.id == entry_id
    assert diagnosis.confident
