"""kb lint: each check has a broken fixture and the exact problems it must give.

The fixtures live in ``fixtures/lint/`` (entries) and ``fixtures/glossary/`` (glossaries),
each folder with an ``expected.txt`` that lists, per file, the problems as ``line:col: message``.
Each is checked alone inside a copy of the clean ``fixtures/base/`` KB.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from testkb import copy_kb

from engine.entry import REQUIRED_SECTIONS
from engine.glossary import Glossary
from engine.kb import load_glossary, parse_entry
from engine.lint import lint_kb, lint_paths, rule_checks
from engine.lint.rule_checks import unrelated_pastes
from engine.rules.spec import entry_rules
from kbcli.main import cli

FIXTURES = Path(__file__).parent / "fixtures"


def read_expected(kind: str) -> dict[str, list[str]]:
    """``[file]`` headers, each followed by its problems (``#`` lines are comments)."""
    expected: dict[str, list[str]] = {}
    current: list[str] = []
    for line in (FIXTURES / kind / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("[") and line.endswith("]"):
            current = expected.setdefault(line[1:-1], [])
        else:
            current.append(line)
    return expected


def fill(line: str, kb: Path) -> str:
    n = str(len(unrelated_pastes()))
    return line.replace("{kb}", str(kb)).replace("{n}", n)


@pytest.fixture
def kb(tmp_path) -> Path:
    return copy_kb(FIXTURES / "base", tmp_path)


def as_lines(problems) -> list[str]:
    return [f"{p.line}:{p.col}: {p.message}" for p in problems]


LINT = read_expected("lint")
GLOSSARY = read_expected("glossary")


def test_every_fixture_has_its_expectation():
    assert set(LINT) == {p.name for p in (FIXTURES / "lint").glob("*.md")}
    assert set(GLOSSARY) == {p.name for p in (FIXTURES / "glossary").glob("*.yaml")}


def test_the_base_kb_is_clean(kb):
    report = lint_kb(kb)
    assert report.problems == []
    assert report.summary() == "2 entries, glossary: no problems"


@pytest.mark.parametrize("name", sorted(LINT))
def test_a_broken_entry_gives_exactly_its_problems(kb, name):
    target = kb / name
    shutil.copy(FIXTURES / "lint" / name, target)
    problems = lint_paths(kb, [target])
    assert {p.path for p in problems} == {str(target)}
    assert as_lines(problems) == [fill(line, kb) for line in LINT[name]]


@pytest.mark.parametrize("name", sorted(GLOSSARY))
def test_a_broken_glossary_gives_exactly_its_problems(kb, name):
    target = kb / "glossary.yaml"
    shutil.copy(FIXTURES / "glossary" / name, target)
    problems = lint_paths(kb, [target])
    assert {p.path for p in problems} == {str(target)}
    assert as_lines(problems) == [fill(line, kb) for line in GLOSSARY[name]]


def test_a_file_that_is_not_utf8(kb):
    target = kb / "latin1.md"
    target.write_bytes(b"---\nid: latin1\ntitle: caf\xe9 au lait\n---\n")
    assert as_lines(lint_paths(kb, [target])) == [
        "3:1: not valid UTF-8 (byte 25); save the file as UTF-8"
    ]


def test_a_tag_on_a_key_is_a_problem_not_a_crash(kb):
    target = kb / "tagged.md"
    target.write_text("---\n!!python/object:os.system a: 1\n---\n", encoding="utf-8")
    assert as_lines(lint_paths(kb, [target])) == [
        (
            "2:1: front-matter key cannot be read: could not determine a constructor for the tag "
            "'tag:yaml.org,2002:python/object:os.system'"
        )
    ]


def test_the_first_file_by_path_owns_a_duplicated_id(kb):
    """As when the engine loads: the later file is the duplicate, naming the first."""
    shutil.copy(FIXTURES / "lint" / "dup-id.md", kb / "aa-copy.md")
    problems = lint_paths(kb)
    assert [str(p) for p in problems] == [
        f"{kb}/base-dns.md:2:5: duplicate id 'base-dns': also used by {kb}/aa-copy.md"
    ]


def test_the_whole_kb_is_checked_and_sorted_by_path_and_line(kb):
    for name in ("values.md", "links.md", "unknown-key.md"):
        shutil.copy(FIXTURES / "lint" / name, kb / name)
    problems = lint_paths(kb)
    assert [(p.path, p.line) for p in problems] == sorted((p.path, p.line) for p in problems)
    assert {Path(p.path).name for p in problems} == {"values.md", "links.md", "unknown-key.md"}


def test_a_missing_kb_folder_is_an_error(tmp_path):
    result = CliRunner().invoke(cli, ["lint", "--kb-dir", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "does not exist" in result.output


# --- the command ---------------------------------------------------------------------------


def test_kb_lint_on_a_clean_kb_prints_one_line_and_exits_0(kb):
    result = CliRunner().invoke(cli, ["lint", "--kb-dir", str(kb)])
    assert result.exit_code == 0, result.output
    assert result.output == "2 entries, glossary: no problems\n"


def test_kb_lint_prints_each_problem_then_a_summary_and_exits_1(kb):
    shutil.copy(FIXTURES / "lint" / "unknown-key.md", kb / "unknown-key.md")
    shutil.copy(FIXTURES / "glossary" / "terms.yaml", kb / "glossary.yaml")
    result = CliRunner().invoke(cli, ["lint", "--kb-dir", str(kb)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert (
        lines[0]
        == f"{kb}/glossary.yaml:3:5: term group 2 needs two or more words that mean the same"
    )
    assert f"{kb}/unknown-key.md:3:1: unknown key 'titel' (did you mean 'title'?)" in lines
    assert lines[-1] == "3 entries, glossary: 7 problems in 2 files"


def test_kb_lint_with_paths_checks_only_those_files(kb):
    shutil.copy(FIXTURES / "lint" / "unknown-key.md", kb / "unknown-key.md")
    shutil.copy(FIXTURES / "lint" / "values.md", kb / "values.md")
    result = CliRunner().invoke(
        cli, ["lint", "--kb-dir", str(kb), str(kb / "values.md"), str(kb / "nope.md")]
    )
    assert result.exit_code == 1
    assert "unknown-key.md" not in result.output
    assert f"{kb}/nope.md:1:1: no such file" in result.output
    assert result.output.splitlines()[-1] == "1 entry: 5 problems in 2 files"


def test_kb_lint_finds_the_kb_of_the_file_it_is_given(kb, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no ./kb here (and no KB_DIR)
    monkeypatch.delenv("KB_DIR", raising=False)
    shutil.copy(FIXTURES / "lint" / "links.md", kb / "links.md")
    result = CliRunner().invoke(cli, ["lint", str(kb / "links.md")])
    assert "see_also: no entry has the id 'base-dsn' (did you mean 'base-dns'?)" in result.output


# --- lint never crashes, and agrees with the engine -------------------------------------------

FRAGMENTS = [
    "---",
    "id: fuzz",
    "id: Bad Id",
    "title: A title",
    "title:",
    "kind: guide",
    "kind: nope",
    "rules:",
    "  - phrase: DNS signature failed",
    "  - regex: '(a+)+'",
    "  - event: 1196",
    "  - {}",
    "  -",
    "  - all: []",
    "    weight: 2",
    "  - product: Hyper-V",
    "  - any: [{phrase: x}]",
    "examples:",
    "  - a paste",
    "  - 12",
    "see_also: [base-dns, nowhere]",
    "signatures:",
    "  messages: [Some error text that is long]",
    "  events: [{id: 1196, source: X}]",
    "  events: [abc]",
    "  codes: [0x80070005]",
    "ingest: {feed: f}",
    "owner: ingest",
    "source: http://x.org/a",
    "language: zh",
    "## Symptom",
    "## Cause",
    "## Fix",
    "## Summary",
    "## Steps",
    "# Fix",
    "text",
    "[link](nowhere)",
    "[ok](/kb/base-guide)",
    "```",
    "\t",
    "- [",
    "{",
    ": :",
    "!!python/object:os.system x: 1",
    "? [a]",
    "&a x",
    "*a",
    "\ufeff",
    "é",
    "",
]
VALID_RULES = [
    "  - phrase: DNS signature failed to verify",
    "  - {event: 1196}",
    "  - all: [{event: {id: 1196, source: FailoverClustering}}, {phrase: cluster network name}]",
    "  - regex: 'signature\\s+failed'",
    "  - {code: '0x80070005', weight: 0.7}",
    "  - any: [{phrase: live migration failed}, {phrase: 实时迁移失败}]",
    "  - all: [{product: Hyper-V}, {phrase: live migration failed}]",
]
words = st.text(
    st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
)


@st.composite
def near_entries(draw) -> str:
    """A valid entry, then up to two lines inserted from FRAGMENTS: often clean, often not."""
    kind = draw(st.sampled_from(["troubleshooting", "guide"]))
    title = draw(words.filter(str.strip))
    lines = ["---", "id: fuzz", "title: " + json.dumps(title), f"kind: {kind}"]
    rules = draw(st.lists(st.sampled_from(VALID_RULES), max_size=3))
    lines += ["rules:", *rules] if rules else []
    lines += ["see_also: [base-guide]", "---"]
    for name in REQUIRED_SECTIONS[kind]:
        lines += ["", f"## {name}", "", "Some text. " + draw(words)]
    for position, fragment in draw(
        st.lists(st.tuples(st.integers(0, 99), st.sampled_from(FRAGMENTS)), max_size=2)
    ):
        lines.insert(position % (len(lines) + 1), fragment)
    return "\n".join(lines) + "\n"


entry_texts = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=30).map(
        "\n".join
    ),
    st.lists(st.sampled_from(FRAGMENTS), max_size=30).map(lambda lines: "---\n" + "\n".join(lines)),
    near_entries(),
)


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=entry_texts)
def test_lint_never_crashes_and_a_clean_file_is_one_the_engine_loads(text):
    with tempfile.TemporaryDirectory() as folder:
        kb = Path(folder) / "kb"
        shutil.copytree(FIXTURES / "base", kb)
        target = kb / "fuzz.md"
        target.write_text(text, encoding="utf-8", errors="surrogatepass")
        problems = lint_paths(kb, [target])
        assert not [p for p in problems if "could not" in p.message and "report it" in p.message]
        assert all(p.line >= 1 and p.col >= 1 for p in problems)
        if not problems:  # lint passes it: the engine loads it, every rule compiles
            entry = parse_entry(target.read_text(encoding="utf-8"), target)
            _, errors = entry_rules(entry, load_glossary(kb).canonical_product)
            assert errors == []


def test_a_message_the_unrelated_pastes_hold_with_another_value_is_not_over_broad(monkeypatch):
    """The breadth check counts the pastes a rule fires on. A paste holding a message's frame
    with another quoted error is a contradiction (engine.rules.contradiction): the engine
    holds the entry back rather than answer it, so it is no firing."""

    class Found:
        def __init__(self):
            self.problems = []

        def add(self, where, message):
            self.problems.append(message)

    message = "Synthetic Ethernet Port: Failed to power on with Error 'Attempt to access invalid address'."
    errors = [
        "The system cannot find the file specified.",
        "The device is not ready for use.",
        "Insufficient system resources exist to complete the requested service.",
    ]
    others = tuple(f"Synthetic Ethernet Port: Failed to power on with Error '{e}'." for e in errors)

    def breadth(pastes):
        monkeypatch.setattr(rule_checks, "unrelated_pastes", lambda: pastes)
        src = Found()
        rule_checks.check_breadth(
            [rule_checks.Probe(src, "message 1", (1, 1), message=message)], Glossary.empty()
        )
        return src.problems

    assert breadth(others) == []
    assert "over-broad" in breadth((message,) * 3)[0]  # its own error: it fires
