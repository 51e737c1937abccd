"""ingest.statements.features_of: the features a paragraph has, each regex tried only when one
of its words is in the text; the answer is the regexes' own."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest import statements
from ingest.statements import FEATURES, features_of

# Words and phrases of every feature, near-misses, and characters that match a Latin letter
# case-insensitively but lower-case to another one.
_FRAGMENTS = [
    *(phrase for phrases in statements._NEEDLES.values() for phrase in phrases),
    "can't",
    "can’t",
    "cannot",
    "won’t work",
    "doesn't support",
    "does not have",
    "isn’t supported",
    "not be supported",
    "troubleshooting problems",
    "point of failure",
    "issues of any",
    "named the same",
    "on all nodes",
    "across every",
    "because of",
    "caused by",
    "make sure",
    "it’s important",
    "needs to",
    "İf",
    "ıf",
    "ſhould",
    "muſt",
    "K",
    "node",
    "the cluster",
    "重启服务",
]
_SEPARATORS = [" ", ". ", ", ", "! ", "\n", "", "-", "。"]


@st.composite
def _paragraphs(draw) -> str:
    parts = draw(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=8))
    case = draw(st.sampled_from([str, str.upper, str.title, str.capitalize]))
    text = ""
    for part in parts:
        text += draw(st.sampled_from(_SEPARATORS)) + case(part)
    return text


def _by_regex(text: str) -> set[str]:
    return {name for name, (_, regex) in FEATURES.items() if regex.search(text)}


@settings(max_examples=500, deadline=None)
@given(_paragraphs())
def test_the_features_are_the_regexes_own(text):
    assert features_of(text) == _by_regex(text)


def test_the_features_of_sentences_like_the_guides():
    for text in [
        (
            "Create the virtual networks. They must have the same name on all nodes. Otherwise "
            "you will get errors like, Migration attempt failed, and the move stops."
        ),
        "NIC Teaming is not supported on iSCSI connections.",
        "Do not disable the adapter; it is required.",
        "如果节点无法联机，请确保所有节点的网络名称相同。",
        "İF THE NODE FAİLS, YOU ſHOULD RESTART IT.",
        "Install the role on every node first.",
    ]:
        assert features_of(text) == _by_regex(text), text


class _Counting:
    """A regex that counts its searches."""

    def __init__(self, regex: re.Pattern[str]):
        self.regex, self.searches = regex, 0

    def search(self, text: str):
        self.searches += 1
        return self.regex.search(text)


def test_a_regex_runs_only_when_one_of_its_words_is_there(monkeypatch):
    weight, regex = FEATURES["uniform"]
    counting = _Counting(regex)
    monkeypatch.setitem(FEATURES, "uniform", (weight, counting))
    assert "uniform" not in features_of("Install the role on every node first.")
    assert counting.searches == 0
    assert "uniform" in features_of("Name the switch the same on all nodes.")
    assert counting.searches == 1
    # a character that lower-cases to something else than the letter it matches: tried
    assert "uniform" not in features_of("Install the role on every node fırst.")
    assert counting.searches == 2
