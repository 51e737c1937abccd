"""The general Chinese-English dictionary (CC-CEDICT): a Chinese paste finds an English entry
and an English paste a Chinese one, with words no glossary (built-in or the KB's) holds."""

from __future__ import annotations

import pytest
from testkb import FlatStats, make_entry, write_kb

from engine.diagnoser import Diagnoser
from engine.glossary import Glossary, builtin
from engine.search.dictionary import clean_senses, english, glosses_of
from engine.search.query import SINGLE_HAN_FACTOR, paste_query

ENGLISH = make_entry(
    "fire-alarm",
    "The emergency generator did not start during the fire drill",
    "The emergency generator did not start during the fire drill.",
    "The fuel valve was closed.",
    "1. Open the fuel valve.",
)
CHINESE = make_entry(
    "elevator",
    "电梯在地震演习时停止",
    "电梯在地震演习时停止。",
    "原因不明。",
    "1. 联系维修人员。",
    language="zh",
)


def test_words_of_this_test_are_in_no_glossary():
    """Otherwise the glossary, not the dictionary, would be what the tests below show."""
    glossary = builtin()
    assert not glossary.groups_in("发电机 演习 电梯 地震 generator drill elevator earthquake")


def test_glosses_are_cleaned_to_what_a_technical_text_would_say():
    assert english("备份") == ("backup",)
    assert "to " not in " ".join(english("迁移"))
    assert clean_senses(["CL:個|个[ge4]", "surname Wang", "to migrate (data)", "to move"]) == [
        "migrate",
        "move",
    ]


def test_a_chinese_entry_is_indexed_with_its_english_glosses():
    glosses = glosses_of(CHINESE.title, lambda run: ("电梯", "地震", "演习", "停止"))
    assert {"elevator", "earthquake"} <= set(glosses.split())


def test_single_characters_add_no_glosses_to_the_index():
    """已 glosses as "already; stop; then", 该 as "should": indexed, such senses made a Chinese
    entry match English pastes that merely said "already" (measured on the seed)."""
    glosses = glosses_of("已保存", lambda run: ("已", "保存")).split()
    assert "already" not in glosses and "stop" not in glosses
    assert "preserve" in glosses


@pytest.fixture(scope="module")
def diagnoser(tmp_path_factory):
    kb = write_kb(tmp_path_factory.mktemp("dict") / "kb", (ENGLISH, CHINESE))
    found = Diagnoser(kb, kb.parent / "index")
    yield found
    found.close()


def test_a_chinese_paste_finds_the_english_entry_at_query_time(diagnoser):
    diagnosis = diagnoser.diagnose("消防演习的时候应急发电机没有启动")
    assert diagnosis.remedies[0].entry.id == "fire-alarm"
    assert "发电机" in diagnosis.remedies[0].search_hit.matched_terms


def test_an_english_paste_finds_the_chinese_entry_through_its_glosses(diagnoser):
    diagnosis = diagnoser.diagnose("The elevator stopped during the earthquake drill")
    assert diagnosis.remedies[0].entry.id == "elevator"


def test_a_single_character_of_a_paste_is_not_translated(diagnoser):
    """火 glosses as "fire; urgent; ammunition": a paste's single characters (要 "want; need",
    里 "inside") made English entries match Chinese pastes by such senses (measured on the
    seed's second labelled set); a word of two or more characters still is."""
    assert not diagnoser.diagnose("火").remedies
    assert diagnoser.diagnose("发电机").remedies[0].entry.id == "fire-alarm"


def test_a_single_character_counts_half_a_word():
    """要 and 里 are mostly grammar; in a mostly English KB they are as rare as 备份 ("backup")."""
    found = paste_query(
        "要 备份", "要 备份", Glossary.empty(), FlatStats(n_docs=1000, every_df=1, every_idf=5.0)
    )
    weights = {c.label: c.weight for c in found.concepts if not c.pair}
    assert weights["要"] == pytest.approx(weights["备份"] * SINGLE_HAN_FACTOR)
