"""engine.kb.fastyaml writes front matter byte for byte as PyYAML with libyaml does, or
declines (None) and leaves it to PyYAML: checked on tricky text, on random shapes and on the
shipped entries, and read back by YAML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.kb import dump_yaml, entry_files, fastyaml, parse_entry, read_text
from engine.kb.render import _Dumper, front_matter_of

REPO = Path(__file__).resolve().parents[2]


def pyyaml(data) -> str:
    return yaml.dump(
        data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, indent=2
    )


def check(data) -> str | None:
    fast = fastyaml.dump(data)
    if fast is not None:
        assert fast == pyyaml(data)
        assert yaml.safe_load(fast) == data
    assert dump_yaml(data) == pyyaml(data)
    return fast


TRICKY = [
    "",
    " ",
    "a",
    "plain text, with commas",
    "Event 1196: name failed",
    "ends with a colon:",
    "a:b",
    "http://example.com/a?b=c#d",
    "C:\\Windows\\System32",
    "issue #12",
    "a#b",
    "# heading",
    "- item",
    "-item",
    "--- x",
    "---x",
    "...x",
    "? what",
    "?what",
    ": x",
    ":x",
    "'single'",
    "it's",
    '"double"',
    'say "hi"',
    "[x]",
    "x]",
    "{x}",
    "x, y",
    "&anchor",
    "*alias",
    "!tag",
    "|pipe",
    ">fold",
    "%percent",
    "@at",
    "`tick`",
    " leading",
    "trailing ",
    "yes",
    "No",
    "on",
    "OFF",
    "true",
    "False",
    "null",
    "Null",
    "~",
    "y",
    "n",
    "1",
    "-1",
    "0x1F",
    "0o17",
    "017",
    "1_000",
    "1.5",
    ".5",
    "1e5",
    "1.0e+5",
    ".inf",
    "-.Inf",
    ".NaN",
    "2024-01-02",
    "2024-01-02 10:20:30",
    "=",
    "<<",
    "<x>",
    "sha256:" + "0" * 64,
    "错误：拒绝访问。",
    "“Remote Volume Management”",
    "café",
    "\u00a0nbsp",
    "a\u2028b",
    "a\u0085b",
    "\ufeffbom",
    "\ue000private",
    "\ufffe",
    "emoji 😀",
    "tab\there",
    "line\nbreak",
    "line\nbreak\n",
    "\nleading break",
    "x" * 5000,
    ("word " * 2500).strip(),
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_text_as_a_value_a_list_item_and_a_key(text):
    check({"id": "x", "title": text, "tags": [text, "b"], "ingest": {"part": text}})
    check({"rules": [{"name": text, "all": [{"phrase": text}, {"event": 12}]}]})
    check({text: 1})


def test_numbers_and_the_other_scalars():
    for value in [0, 7, -3, 10**20, 0.95, 0.1 + 0.2, -1.5, 1e20, 1e-7, float("inf"), True, None]:
        assert check({"weight": value, "values": [value]}) is not None


def test_what_it_leaves_to_pyyaml():
    for data in [
        {"a": []},
        {"a": {}},
        {"a": [["nested"]]},
        {"a": b"bytes"},
        {1: "int key"},
        {"x" * 200: "long key"},
        ["a list"],
    ]:
        assert fastyaml.dump(data) is None


def test_a_list_or_mapping_used_twice_is_written_with_an_anchor_and_aliases():
    words = ["a", "b"]
    mapping = {"x": 1, "y": "z"}
    shared_any = [{"message": "The operation timed out."}, {"phrase": "vmms"}]
    for data in [
        {"k": words, "m": words},
        {"k": mapping, "m": mapping, "n": [mapping, mapping, {"q": words}], "o": {"p": words}},
        {"r": [mapping, mapping]},
        # numbered in the order each is met the second time: b's mapping first
        {"a": words, "b": mapping, "c": mapping, "d": words},
        {"a": {"x": words, "y": mapping}, "b": {"x": words, "y": mapping}},
        # what ingest writes: two generated rules sharing their "any" list
        {
            "generated_rules": [
                {"name": "auto-event-1", "all": [{"event": 1}, {"any": shared_any}]},
                {"name": "auto-code-2", "all": [{"code": "0x2"}, {"any": shared_any}]},
            ]
        },
    ]:
        fast = check(data)
        assert fast is not None and "&id001" in fast and "*id001" in fast


def test_a_mapping_that_holds_itself_is_left_to_pyyaml():
    data: dict = {"a": 1}
    data["self"] = [data]
    assert fastyaml.dump(data) is None


scalars = st.one_of(
    st.lists(st.sampled_from(TRICKY[:80] + list(" :#-'\"ab中,"))).map("".join),
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
)
keys = st.sampled_from(["id", "title", "a", "b_c", "generated_rules", "yes", "x y", "-k"])
data = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, min_size=1, max_size=4),
        st.dictionaries(keys, inner, min_size=1, max_size=4),
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(keys, data, min_size=1, max_size=6))
def test_random_shapes_are_written_as_pyyaml_writes_them(value):
    check(value)


# Mappings of plain keys, one-line text and numbers: the fast way writes most of them.
plain_keys = st.sampled_from(["id", "title", "a", "b_c", "all", "any", "message"])
one_line = st.one_of(
    st.sampled_from([t for t in TRICKY if "\n" not in t and len(t) < 100]),
    st.integers(),
    st.booleans(),
)
mappings = st.recursive(
    st.dictionaries(plain_keys, one_line, min_size=1, max_size=3),
    lambda inner: st.dictionaries(
        keys, st.one_of(one_line, inner, st.lists(inner, min_size=1, max_size=2)), min_size=1
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(mappings, min_size=1, max_size=4),
    st.lists(
        st.tuples(
            plain_keys, st.integers(0, 3), st.sampled_from(["value", "list", "item", "nested"])
        )
    ),
)
def test_random_shapes_sharing_lists_and_mappings_are_written_as_pyyaml_writes_them(parts, uses):
    lists = [[part, {"b_c": 1}] for part in parts]  # shared lists, as rules share "any"
    value: dict = {}
    for key, index, where in uses:
        part, shared_list = parts[index % len(parts)], lists[index % len(parts)]
        if where == "value":
            value[key] = part
        elif where == "list":
            value[f"{key}_list"] = shared_list
        elif where == "item":
            value.setdefault(f"{key}_items", []).append(part)
        else:
            value[f"{key}_nested"] = {"inner": part, "again": [part], "rules": shared_list}
    check(value or {"only": parts[0]})


def test_every_shipped_entry_takes_the_fast_way_but_for_text_of_several_lines():
    paths = list(entry_files(REPO / "kb"))
    assert paths
    for path in paths:
        front = front_matter_of(parse_entry(read_text(path), path))
        if check(front) is None:  # a writer's example paste, say, as a literal block
            assert re.search(r"[:-] \|", pyyaml(front)), path
