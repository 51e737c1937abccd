"""The splitting heuristics on articles other than the seed's, English and Chinese, plus the
small pieces they are built from (cue words, blocks, ids, URL policy, the edit fingerprint)."""

from __future__ import annotations

import doctest
import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.kb import parse_entry
from ingest.blocks import parse_blocks
from ingest.classify import looks_like_command
from ingest.cues import cue_of_line
from ingest.entries import is_edited, render_generated, text_hash
from ingest.feed import Article
from ingest.ids import article_slug, disambiguate, entry_id
from ingest.split import NO_CAUSE, split_article

MODULES = [
    "blocks",
    "classify",
    "cues",
    "html",
    "ids",
    "render",
    "text",
    "urls",
    "mining.messages",
    "mining.logtext",
    "mining.phrases",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_examples_run(name):
    module = importlib.import_module(f"ingest.{name}")
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0


def article(
    html: str, title: str = "T", link: str = "http://example.com/kb/some-article"
) -> Article:
    return Article(
        index=1,
        guid=link,
        link=link,
        title=title,
        html=html,
        base=link,
        tags=(),
        content_hash="sha256:x",
    )


def drafts_of(html: str, title: str = "T") -> dict:
    return {d.part: d for d in split_article(article(html, title))}


def sections(draft) -> dict[str, str]:
    return dict(draft.sections)


def test_english_kb_article_with_event_log_text():
    html = (
        "<h2>Symptoms</h2><p>When you start the Cluster service, the following error is logged:</p>"
        "<p>Log Name: System<br/>Source: Microsoft-Windows-FailoverClustering<br/>Event ID: 1069<br/>Level: Error<br/>"
        "Description:<br/>Cluster resource 'IP Address' in clustered service or application 'SQL' failed.</p>"
        "<h2>Cause</h2><p>This issue occurs because the IP address is already in use on the network.</p>"
        "<h2>Resolution</h2><p>To resolve this issue, follow these steps:</p><ol><li>Ping the address.</li>"
        "<li>Assign a free address to the resource.</li><li>Bring the resource online:</li></ol>"
        '<pre>Start-ClusterResource "IP Address"</pre>'
        "<h2>More Information</h2><p>See <a href='https://learn.example.com/kb/1069'>event 1069</a>.</p>"
    )
    (main,) = drafts_of(html, "Event 1069: IP address resource fails").values()
    body = sections(main)
    assert main.kind == "troubleshooting"
    assert main.messages == (
        "Cluster resource 'IP Address' in clustered service or application 'SQL' failed.",
    )
    assert (
        "```\nLog Name: System\nSource: Microsoft-Windows-FailoverClustering\nEvent ID: 1069"
        in body["Symptom"]
    )
    assert (
        body["Cause"]
        == "This issue occurs because the IP address is already in use on the network."
    )
    assert body["Fix"] == (
        "1. To resolve this issue, follow these steps:\n"
        "   1. Ping the address.\n"
        "   2. Assign a free address to the resource.\n"
        "   3. Bring the resource online:\n"
        '      ```\n      Start-ClusterResource "IP Address"\n      ```'
    )
    assert body["References"] == "- [event 1069](https://learn.example.com/kb/1069)"


def test_chinese_article_with_bold_labels_and_numbered_lines():
    html = (
        "<p><b>问题现象</b></p><p>打开 Hyper-V 管理器时提示：</p><p>“无法连接到虚拟机管理服务。”</p>"
        "<p><b>原因</b></p><p>Hyper-V 虚拟机管理服务没有启动。</p><p><b>解决方法</b></p>"
        "<p>1. 打开服务管理器<br/>2. 启动 Hyper-V Virtual Machine Management 服务<br/>3. 重新打开 Hyper-V 管理器</p>"
    )
    (main,) = drafts_of(html, "Hyper-V 管理器无法连接").values()
    body = sections(main)
    assert main.messages == ("无法连接到虚拟机管理服务。",)
    assert body["Cause"] == "Hyper-V 虚拟机管理服务没有启动。"
    assert (
        body["Fix"]
        == "1. 打开服务管理器\n2. 启动 Hyper-V Virtual Machine Management 服务\n3. 重新打开 Hyper-V 管理器"
    )


def test_scenarios_become_separate_entries_with_their_own_fix():
    html = (
        "<p>Scenario 1:</p><p>Error 0x80070005: Access is denied.</p><p>Run the console as administrator.</p>"
        "<p>Scenario 2:</p><p>Error 0x800706BA: The RPC server is unavailable.</p>"
        "<p>Start the Remote Procedure Call service.</p>"
    )
    drafts = drafts_of(html, "Backup fails")
    assert list(drafts) == ["main", "scenario-2"]
    assert sections(drafts["main"])["Fix"] == "1. Run the console as administrator."
    assert sections(drafts["scenario-2"])["Fix"] == "1. Start the Remote Procedure Call service."
    assert sections(drafts["scenario-2"])["Cause"] == NO_CAUSE
    assert (
        drafts["scenario-2"].title
        == "Backup fails: scenario 2 (Error 0x800706BA: The RPC server is unavailable)"
    )


def test_a_statement_keeps_the_paragraphs_it_stands_in():
    """Shaped like the seed's live-migration guide (step 9): the statement alone does not say
    which wizard it is about; the paragraph before it does, and a paste names the wizard."""
    html = (
        "<p>This guide explains how to enable virtual machines for live migration.</p>"
        "<h2>Enabling VMs for Live Migration</h2><p>Open the Failover Cluster Management console. "
        "Select Configure Service or Application to start the High Availability wizard.</p>"
        "<p>Scroll through the list of VMs until you find the one you want. The VM can’t be "
        "running while you perform this operation—it must be in the Off or Saved state.</p>"
        "<h2>Migrate</h2><p>Start a live migration from the console.</p>"
    )
    drafts = drafts_of(html, "Live migration step by step")
    (part,) = [d for d in drafts.values() if d.kind == "troubleshooting"]
    notes = sections(part)["Notes"]
    assert notes.startswith("From the section “Enabling VMs for Live Migration”:")
    assert "to start the High Availability wizard." in notes
    assert "Scroll through the list of VMs" in notes
    assert "High Availability" not in sections(part)["Symptom"]


def test_a_second_unrelated_symptom_section_starts_a_second_entry():
    html = (
        "<h3>Symptom</h3><p>Setup fails with error 1603.</p><h3>Resolution</h3><p>Install the prerequisites.</p>"
        "<h3>Symptom</h3><p>The console crashes when it opens the Reports tab.</p><h3>Resolution</h3>"
        "<p>Apply update 4.2.</p>"
    )
    drafts = list(split_article(article(html, "Setup problems")))
    assert [d.kind for d in drafts] == ["troubleshooting", "troubleshooting"]
    assert sections(drafts[1])["Fix"] == "1. Apply update 4.2."


def test_how_to_gives_a_guide_and_a_statement_entry():
    html = (
        "<p>This guide explains how to set up replication between two hosts.</p>"
        "<h2>Prepare</h2><p>Install the role on both hosts.</p><h2>Configure</h2><ol><li>Open the console.</li>"
        "<li>Click Enable Replication.</li></ol><p><strong>NOTE:</strong> Replication over WAN links is not supported "
        "without compression. Enable compression in the replication settings.</p><h2>Test</h2><p>Start a test failover.</p>"
    )
    drafts = drafts_of(html, "Set up replication")
    guide, statement = drafts["main"], drafts["replication-wan-links-not-supported"]
    assert guide.kind == "guide"
    assert sections(guide)["Steps"] == (
        "1. Prepare: Install the role on both hosts.\n2. Configure\n   1. Open the console.\n"
        "   2. Click Enable Replication.\n3. Test: Start a test failover."
    )
    assert sections(statement) == {
        "Symptom": "Replication over WAN links is not supported without compression.",
        "Cause": NO_CAUSE,
        "Fix": "1. Enable compression in the replication settings.",
    }


def test_chinese_guide_statement():
    html = (
        "<p>本文介绍如何配置 ESXi 主机的 SSH。</p><p><b>步骤</b></p><p>1. 登录主机控制台<br/>2. 打开故障排除选项<br/>3. 启用 SSH</p>"
        "<p>注意：如果不启用 SSH，将无法连接 ESX 主机。请先在主机上启用 SSH 服务。</p>"
    )
    drafts = list(split_article(article(html, "配置 SSH")))
    assert [d.kind for d in drafts] == ["guide", "troubleshooting"]
    body = sections(drafts[1])
    assert body["Symptom"] == "如果不启用 SSH，将无法连接 ESX 主机。"
    assert body["Fix"] == "1. 请先在主机上启用 SSH 服务。"
    assert "原文没有说明原因" in body["Cause"]


def test_a_plain_post_without_cues_is_a_guide_with_steps():
    html = "<p>Backups are slow on Mondays.</p><p>Check the job schedule first. Then move the full backup to Sunday.</p>"
    (main,) = drafts_of(html, "Slow backups").values()
    assert main.kind == "guide"
    assert (
        sections(main)["Steps"]
        == "1. Check the job schedule first. Then move the full backup to Sunday."
    )


def test_an_article_without_text_yields_nothing():
    assert split_article(article('<p><img src="http://x.example/a.png"></p>')) == []


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "<p>Symptoms</p>",
                "<h2>Cause</h2>",
                "<p>解决办法：</p>",
                "<p>场景2：</p>",
                "<p>Option two:</p>",
                "<p>[Window Title]<br/>Error<br/>[Content]<br/>Access denied.<br/>[OK]</p>",
                "<ol><li>Restart it.</li></ol>",
                "<pre>net start vds</pre>",
                "<p>NOTE: X is not supported. Use Y.</p>",
                "<p>Some prose that explains things.</p>",
                "<p>1.Examine the log<br/>2.Fix it</p>",
                "<table><tr><td>a</td><td>b</td></tr></table>",
                "<p>---------</p>",
                "<p>Otherwise you will get errors like, Setup failed, and stop.</p>",
                "<p></p>",
                "<blockquote>iscsicpl</blockquote>",
            ]
        ),
        max_size=12,
    ),
    st.text(max_size=40),
)
def test_splitting_never_raises_and_always_gives_valid_entries(pieces, noise):
    html = "".join(pieces) + f"<p>{noise}</p>"
    for draft in split_article(article(html, "Any")):
        names = [n for n, _ in draft.sections]
        required = (
            ("Symptom", "Cause", "Fix") if draft.kind == "troubleshooting" else ("Summary", "Steps")
        )
        assert set(required) <= set(names)


@pytest.mark.parametrize(
    "line, role",
    [
        ("Symptoms", "symptom"),
        ("## 症状", None),
        ("现象：", "symptom"),
        ("Cause:", "cause"),
        ("原因：", "cause"),
        ("Resolution", "fix"),
        ("Workaround:", "fix"),
        ("解决方案", "fix"),
        ("解决办法：", "fix"),
        ("More Information", "notes"),
        ("IMPORTANT!", "notes"),
        ("NOTE: do this", "notes"),
        ("Scenario 1", "scenario"),
        ("场景2：", "scenario"),
        ("Option one:", "option"),
        ("References", "references"),
        ("相关资源：", "references"),
        ("Cause of the outage was a storm", None),
        ("The fix is easy", None),
        ("原因如下:", None),
    ],
)
def test_cue_words(line, role):
    cue = cue_of_line(line)
    assert (cue.role if cue else None) == role


def test_blocks_merge_numbered_paragraphs_into_one_list():
    blocks = parse_blocks("1. one\n\n2. two\n\n3. three\n\nafter")
    assert [b.kind for b in blocks] == ["list", "para"] and blocks[0].items == [
        "one",
        "two",
        "three",
    ]


@pytest.mark.parametrize(
    "line, expected",
    [
        ("net start vds", True),
        ("netsh advfirewall firewall set rule group=x new enable=yes", True),
        ("Get-ClusterLog -Destination C:\\temp", True),
        ("C:\\nvspbind /- x", True),
        ("iscsicpl", True),
        ("Start /w ocsetup FailoverCluster-Core", True),
        ("Start the virtual machine to verify it", False),
        ("Net income rose", False),
        ("server1;server2", False),
    ],
)
def test_command_detection(line, expected):
    assert looks_like_command(line) is expected


def test_ids():
    assert (
        article_slug("http://www.517sou.net/Article/vCenter-Converter-Network-Error.aspx", "g")
        == "vcenter-converter-network-error"
    )
    assert article_slug("http://blog.example/2009/07/17/9836756.aspx", "g").startswith("item-")
    assert article_slug("http://blog.example/index.php?p=123", "g").startswith("item-")
    assert article_slug(None, "tag:example.com,2006:1") == article_slug(
        None, "tag:example.com,2006:1"
    )
    assert len(article_slug("http://x.example/" + "very-long-" * 20, "g")) <= 60
    assert entry_id("dns", "main") == "dns" and entry_id("dns", "scenario-2") == "dns-scenario-2"
    assert disambiguate("dns", "guid", "main") != disambiguate("dns", "other", "main")


def test_generated_hash_detects_any_edit():
    from engine.entry import Entry

    entry = Entry(
        id="x",
        title="X",
        kind="guide",
        owner="ingest",
        ingest={"feed": "f", "guid": "g", "part": "main", "content_hash": "sha256:0"},
        sections=(("Summary", "s"), ("Steps", "1. a")),
    )
    text = render_generated(entry)
    assert not is_edited(text)
    assert parse_entry(text).ingest["generated_hash"] == text_hash(text)
    assert render_generated(entry) == text  # deterministic
    assert is_edited(text.replace("1. a", "1. b"))
    assert is_edited(text.replace("\n", "\r\n"))
    assert is_edited(text.replace("owner: ingest", "owner: writer"))


# tests/data/feed5/support-articles-feed5.xml (Microsoft and contributors, MicrosoftDocs/
# SupportArticles-docs, CC-BY-4.0; see its SOURCES.md): an article of no headings at all.
FIBRE_CHANNEL = (
    "<p>When trying to add a second Fibre Channel adapter to a Hyper-V virtual machine in "
    "Windows Server 2019, the <strong>Fibre Channel Adapter</strong> option isn't available and "
    "this error message is displayed:</p>\n<blockquote>\n<p>Cannot add Fibre Channel Adapter<br>\n"
    "Maximum of 1 Fibre Channel Adapters per virtual machine</p>\n</blockquote>\n<p>Windows "
    "Server 2019 allows only one Fibre Channel adapter per virtual machine.</p>\n<p>To add a "
    "second virtual Fibre Channel host bus adapter to a virtual machine, use the <a href="
    '"https://learn.microsoft.com/en-us/powershell/module/hyper-v/add-vmfibrechannelhba">'
    "Add-VMFibreChannelHba</a> PowerShell cmdlet.</p>"
)


def test_an_article_of_no_headings_states_its_error_cause_and_fix():
    """Before, this became a guide whose summary ended at "this error message is displayed:"
    and lost the message and the cause; no message signature was mined, so no rule could
    fire. The error, what is said after it, and the sentence that turns to the remedy are
    its symptom, cause and fix."""
    (main,) = drafts_of(
        FIBRE_CHANNEL, "Can't add a second Fibre Channel adapter to a Hyper-V virtual machine"
    ).values()
    body = sections(main)
    assert main.kind == "troubleshooting"
    assert "Maximum of 1 Fibre Channel Adapters per virtual machine" in body["Symptom"]
    assert body["Cause"] == (
        "Windows Server 2019 allows only one Fibre Channel adapter per virtual machine."
    )
    assert body["Fix"].startswith("1. To add a second virtual Fibre Channel host bus adapter")
    assert "Cannot add Fibre Channel Adapter" in main.messages


def test_an_article_of_no_headings_without_a_remedy_or_an_error_stays_as_it_was():
    # the error, but nothing turns to a remedy after it: the guide it was
    no_remedy = FIBRE_CHANNEL.split("<p>To add")[0]
    title = "Can't add a second Fibre Channel adapter to a Hyper-V virtual machine"
    assert [d.kind for d in drafts_of(no_remedy, title).values()] == ["guide"]
    # a remedy-like sentence but no error before it: a how-to's intro
    how_to = "<p>Hyper-V supports virtual Fibre Channel.</p><p>To add an adapter, use Hyper-V Manager.</p>"
    assert [d.kind for d in drafts_of(how_to, "Add an adapter").values()] == ["guide"]
