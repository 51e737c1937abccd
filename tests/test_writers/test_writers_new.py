"""kb new: a skeleton that lints clean as written, never written over an existing entry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from testkb import copy_kb

from engine.entry import SECTIONS
from engine.kb import load_glossary, parse_entry
from engine.lint import lint_paths
from engine.rules.spec import parse_rule
from kbcli.main import cli
from kbcli.writer_cmds import skeleton

REPO = Path(__file__).resolve().parents[2]

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def kb(tmp_path) -> Path:
    return copy_kb(FIXTURES / "base", tmp_path)


def new(kb: Path, *args: str, input: str | None = None):
    return CliRunner().invoke(cli, ["new", "--kb-dir", str(kb), *args], input=input)


@pytest.mark.parametrize("kind", ["troubleshooting", "guide"])
def test_the_skeleton_lints_clean_and_has_every_section(kb, kind):
    result = new(kb, "--title", "Event 1196: DNS registration failed", "--kind", kind)
    assert result.exit_code == 0, result.output
    path = kb / "event-1196-dns-registration-failed.md"
    assert result.stdout == f"{path}\n"
    assert lint_paths(kb, [path]) == []
    entry = parse_entry(path.read_text(encoding="utf-8"), path)
    assert entry.title == "Event 1196: DNS registration failed"
    assert (entry.kind, entry.owner, entry.examples, entry.rules) == (kind, "writer", (), ())
    assert entry.status == "draft"  # never served half-written
    assert [name for name, _ in entry.sections] == list(SECTIONS[kind])


def test_chinese_titles_get_readable_pinyin_ids_and_never_collide(kb):
    result = new(kb, "--title", "实时迁移失败")
    assert result.exit_code == 0, result.output
    entry = parse_entry((kb / "shi-shi-qian-yi-shi-bai.md").read_text(encoding="utf-8"))
    assert (entry.id, entry.title, entry.language) == (
        "shi-shi-qian-yi-shi-bai",
        "实时迁移失败",
        "zh",
    )
    # another title: another id; the same title again: the next free one, nothing overwritten
    assert (
        new(kb, "--title", "群集网络名称注册失败").stdout
        == f"{kb}/qun-ji-wang-luo-ming-cheng-zhu-ce-shi-bai.md\n"
    )
    again = new(kb, "--title", "实时迁移失败")
    assert again.exit_code == 0 and again.stdout == f"{kb}/shi-shi-qian-yi-shi-bai-2.md\n"
    assert lint_paths(kb, [kb / "shi-shi-qian-yi-shi-bai-2.md"]) == []


def test_without_options_it_asks_for_the_title(kb):
    result = new(kb, input="Cluster validation fails\n")
    assert result.exit_code == 0, result.output
    assert (kb / "cluster-validation-fails.md").exists()


def test_it_never_overwrites_an_existing_file(kb):
    before = (kb / "base-dns.md").read_bytes()
    result = new(kb, "--id", "base-dns", "--title", "Again")
    assert result.exit_code == 1
    assert f"an entry with id 'base-dns' already exists: {kb}/base-dns.md" in result.output
    assert (kb / "base-dns.md").read_bytes() == before


def test_it_never_reuses_an_id_another_file_has(kb):
    (kb / "base-dns.md").rename(kb / "renamed.md")
    result = new(kb, "--id", "base-dns", "--title", "Again")
    assert result.exit_code == 1
    assert f"already exists: {kb}/renamed.md" in result.output
    assert not (kb / "base-dns.md").exists()


def test_a_bad_id_is_refused(kb):
    result = new(kb, "--id", "Not An Id", "--title", "x")
    assert result.exit_code == 1
    assert "id 'Not An Id' must be lowercase letters" in result.output


def test_kb_test_fails_the_skeleton_until_it_has_an_example(kb, tmp_path):
    new(kb, "--id", "fresh", "--title", "A fresh entry")
    result = CliRunner().invoke(
        cli, ["test", "--kb-dir", str(kb), "--index-dir", str(tmp_path / "ix")]
    )
    assert result.exit_code == 1
    assert f"{kb}/fresh.md:33: no examples: add at least one paste" in result.output


def uncommented(text: str) -> str:
    """The skeleton with its example lines ('# - ...', '#   ...') turned into YAML; prose stays."""
    return re.sub(r"^( +)# (-|\s)", r"\1\2", text, flags=re.MULTILINE)


def test_the_commented_examples_are_valid_once_uncommented():
    """A writer who removes the '# ' gets rules, signatures and examples that compile."""
    text = skeleton("x", "X")
    front = yaml.safe_load(uncommented(text).split("---\n")[1])
    glossary = load_glossary(REPO / "kb")
    rules = [
        parse_rule(spec, "x", i, glossary.canonical_product)
        for i, spec in enumerate(front["rules"])
    ]
    assert [r.name for r in rules] == ["event-1196-signature", "converter-network-failure"]
    assert all(
        leaf.value in {p.name for p in glossary.products}
        for r in rules
        for alt in r.alternatives()
        for leaf in alt
        if leaf.kind == "product"
    )
    assert front["examples"] == [
        "Paste the error here, as a user would,\non as many lines as it takes.\n"
    ]
    assert front["signatures"]["events"] == [
        {"id": 1196, "source": "Microsoft-Windows-FailoverClustering"}
    ]
    assert front["signatures"]["codes"] == ["0x80070005"]  # quoted: a string, not 2147942405
