"""jieba's dictionary as a memory-mapped trie (engine/search/jiebadict.py): the same cuts as
jieba's own dictionary, glossary words included, without the 0.5-2 s load."""

from __future__ import annotations

import re
import subprocess
import sys

from testkb import REPO

from engine.glossary import builtin
from engine.search import jiebadict

HAN_RUN = re.compile(r"[\u3400-\u9fff]+")


def test_the_trie_cuts_every_chinese_run_of_the_seed_and_kb_as_jiebas_own_dictionary():
    jieba = jiebadict.import_jieba()
    own = jieba.Tokenizer()
    own.initialize()  # jieba's dict, as every version before this one used
    mapped = jiebadict.tokenizer()
    words = sorted({w for g in builtin().groups for w in g if HAN_RUN.search(w) and " " not in w})
    for word in words:  # a glossary's words, as the Segmenter adds them
        own.add_word(word)
        mapped.add_word(word)
    texts = [(REPO / "tests" / "data" / "seed_feed.xml").read_text(encoding="utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in sorted((REPO / "kb").glob("*.md"))]
    runs = sorted({run for text in texts for run in HAN_RUN.findall(text)})
    assert len(runs) > 400 and len(words) > 500
    for run in runs:
        assert list(mapped.cut_for_search(run)) == list(own.cut_for_search(run)), run


def test_frequencies_answer_like_jiebas_dict():
    freq = jiebadict.tokenizer().FREQ
    assert freq.get("虚拟机") > 0 and "虚拟" in freq and "虚拟机器人之歌" not in freq
    assert freq.get("虚拟机器人之歌", 7) == 7
    freq["虚拟机器人之歌"] = 3  # add_word writes, into this tokenizer's own words only
    assert freq["虚拟机器人之歌"] == 3
    assert "虚拟机器人之歌" not in jiebadict.tokenizer().FREQ


def test_a_fresh_process_segments_chinese_without_loading_jiebas_cache():
    """The first Chinese text of a process maps the trie: jieba's dict is never built, and
    pkg_resources (jieba's way to open its files) is not imported for it."""
    code = (
        "import sys, time\n"
        "from engine.search import jiebadict\n"
        "jiebadict.tokenizer()  # the trie is built and cached once, if it is not yet\n"
        "t = time.perf_counter(); tk = jiebadict.tokenizer()\n"
        "words = list(tk.cut_for_search('群集网络名称资源注册DNS名称失败'))\n"
        "assert '群集' in words and '网络' in words, words\n"
        "assert 'pkg_resources' not in sys.modules\n"
        "assert not isinstance(tk.FREQ, dict)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


def test_a_glossarys_words_are_added_with_the_frequencies_jieba_chose_the_first_time(
    tmp_path, monkeypatch
):
    """The first process lets jieba suggest each word's frequency and keeps them; the next adds
    the words with them, without a cut per word, into exactly the same state."""
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    words = tuple(
        sorted({w for g in builtin().groups for w in g if HAN_RUN.search(w) and " " not in w})
    )
    by_hand = jiebadict.tokenizer()
    for word in words:
        by_hand.add_word(word)
    first = jiebadict.tokenizer()
    jiebadict.add_words(first, words)
    assert list(tmp_path.glob("*-words-*.json"))  # kept for the next process
    second = jiebadict.tokenizer()
    monkeypatch.setattr(second, "suggest_freq", None)  # a cut per word would fail now
    jiebadict.add_words(second, words)
    for tokenizer in (first, second):
        assert tokenizer.total == by_hand.total
        assert all(tokenizer.FREQ[w] == by_hand.FREQ[w] for w in words)
    run = "群集网络名称资源注册DNS名称失败，虚拟机实时迁移到另一个节点时出错"
    assert list(second.cut_for_search(run)) == list(by_hand.cut_for_search(run))
