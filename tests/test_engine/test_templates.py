"""Message templates: an entry's message found in a paste after masking, in another wording."""

from __future__ import annotations

import pytest

from engine.rules.templates import MIN_QUALITY, TemplateIndex, tokens

# Real messages, as articles quote them (tests/data/support_feed.xml, the seed feed).
JOIN = (
    "Node <computer> failed to join the cluster because it could not send and receive failure "
    "detection network messages with other cluster nodes. Please run the Validate a "
    "Configuration wizard to ensure network settings."
)
PROCESSOR = (
    "The virtual machine 'GuestName' is currently using an Intel processor, but physical "
    "computer 'Win2008R2-2' has an Unknown processor."
)
EXPORT = "An error occurred while attempting to export the virtual machine."


@pytest.fixture(scope="module")
def index():
    return TemplateIndex([("join", JOIN), ("processor", PROCESSOR), ("export", EXPORT)])


def found(index, paste) -> dict[str, float]:
    return {m.key: m.quality for m in index.match(paste)}


def test_names_hosts_and_guids_are_masked_on_both_sides(index):
    paste = (
        "Log Name: System\nSource: Microsoft-Windows-FailoverClustering\nEvent ID: 1572\n"
        "Description:\nNode HVNODE07.corp.fabrikam.com failed to join the cluster because it "
        "could not send and receive failure detection network messages with other cluster "
        "nodes. Please run the Validate a Configuration wizard to ensure network settings."
    )
    assert found(index, paste) == {"join": pytest.approx(1.0, abs=0.05)}


def test_another_windows_versions_wording_still_matches(index):
    # "couldn't" for "could not", "is using" for "is currently using", other names
    paste = (
        "Live migration failed: The virtual machine 'SQL-PROD' is using an Intel processor, but "
        "physical computer 'HV-NEW' has an Unknown processor."
    )
    assert MIN_QUALITY <= found(index, paste)["processor"] < 1.0


def test_a_log_viewers_line_breaks_do_not_hide_a_message(index):
    wrapped = JOIN.replace("<computer>", "N2").replace(
        " because it could not send", "\nbecause it\ncould not send"
    )
    assert found(index, wrapped)["join"] > 0.9


def test_one_sentence_of_a_longer_message_counts_for_less(index):
    first = "Node N2 failed to join the cluster because it could not send and receive failure detection network messages with other cluster nodes."
    assert MIN_QUALITY <= found(index, first)["join"] < 0.95


def test_a_different_message_sharing_most_words_scores_below_its_own():
    start = "An error occurred while attempting to start the selected virtual machine(s)."
    index = TemplateIndex([("export", EXPORT), ("start", start)])
    scores = found(
        index,
        "Hyper-V Manager: An error occurred while attempting to start the selected virtual machine(s).",
    )
    assert scores["start"] == pytest.approx(1.0, abs=0.02)
    assert (
        scores.get("export", 0.0) < 0.8
    )  # "start the selected" is not another wording of "export"


def test_a_message_sharing_only_common_words_is_not_found(index):
    assert found(index, "The cluster service failed to start.") == {}


def test_words_scattered_over_a_long_paste_do_not_make_a_message():
    index = TemplateIndex([("export", EXPORT)])
    words = ["error", "occurred", "while", "attempting", "export", "virtual", "machine"]
    scattered = "\n".join(f"INFO {w} " + "filler words here " * 12 for w in words)
    assert found(index, scattered) == {}


def test_chinese_messages_match_by_character_pairs():
    index = TemplateIndex([("zh", "虚拟机“Win08R2Web”与目标节点“node140.zzyddc.com”不兼容。")])
    assert found(index, "错误：虚拟机“SQL01”与目标节点“HV02”不兼容。") == {"zh": pytest.approx(1.0)}


def test_a_paste_is_compared_only_with_messages_filed_under_its_words():
    """100,000 messages: a paste looks up its own tokens and scores only what is filed there."""
    messages = [
        (f"m{i}", f"Service component{i} failed with status code{i} on startup")
        for i in range(100_000)
    ]
    index = TemplateIndex(messages)
    filed = {t for t, hits in index._files.items() for _ in hits}
    paste_tokens = tokens("Service component77 failed with status code77 on startup")
    candidates = {i for t in paste_tokens for i in index._files.get(t, ())}
    assert len(candidates) <= 3 and filed
    assert [m.key for m in index.match_tokens(paste_tokens)] == ["m77"]


def skipped(index, paste) -> dict[str, frozenset[str]]:
    return {m.key: m.skipped for m in index.match(paste)}


def test_a_named_word_said_otherwise_is_reported_with_the_match(index):
    """The seed's "Unknown processor" article quotes Windows' message with "Unknown" where a
    paste of an AMD host moved to an Intel one says "Intel" (eval.jsonl line 36): the same
    frame, another value. The match still counts as the message and says which of its named
    words (capitalised mid-sentence: names, values) the paste replaced."""
    other_vendor = (
        "The virtual machine 'SQL01' is currently using an AMD processor, but physical "
        "computer 'HVNEW01' has an Intel processor."
    )
    assert skipped(index, other_vendor) == {"processor": {"unknown"}}


def test_another_wording_replaces_no_named_word(index):
    # "is using" for "is currently using", and every name different: nothing said otherwise
    reworded = (
        "Live migration failed: The virtual machine 'SQL-PROD' is using an Intel processor, but "
        "physical computer 'HV-NEW' has an Unknown processor."
    )
    assert skipped(index, reworded) == {"processor": frozenset()}
    # a lowercase word said otherwise is wording, not a value ("could not" for "cannot")
    lsa = TemplateIndex([("lsa", "The Local Security Authority cannot be contacted")])
    assert skipped(lsa, "The Local Security Authority could not be contacted") == {
        "lsa": frozenset()
    }


def test_a_chinese_message_value_replaced_by_a_latin_one_is_reported():
    """Chinese has no capitals: a word of the message that the paste fills with a Latin name
    (未知, "unknown", where the paste says Intel) is its value (the seed article's Chinese
    dialog; eval_holdout.jsonl line 43)."""
    zh = TemplateIndex(
        [
            (
                "zh",
                "虚拟机“Win08R2Web”当前正在使用 Intel 处理器，但物理计算机“NODE140”具有的处理器为 未知。",
            )
        ]
    )
    paste = "虚拟机“MES-DB”当前正在使用 AMD 处理器，但物理计算机“HVHOST-05”具有的处理器为 Intel。"
    assert skipped(zh, paste) == {"zh": {"未知"}}
