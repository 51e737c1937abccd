"""Signature mining on real articles: the shared development feed of 60 Microsoft support
articles (tests/data/support_feed.xml, CC-BY-4.0, see tests/data/README.md), ingested with no
glossary and no review, as a helpdesk would load a new feed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import read_kb, run_ingest

from engine.diagnoser import Diagnoser
from engine.masking import mask
from ingest.blocks import Block
from ingest.classify import classify
from ingest.mining import phrases
from ingest.mining.messages import mine_messages

SUPPORT_FEED = Path(__file__).resolve().parents[1] / "data" / "support_feed.xml"
LABELS = re.compile(
    r"^(?:Operation|Context|Title|Message Text|Event Type|Time|Writer Class Id)\s*:"
)


@pytest.fixture(scope="module")
def support(tmp_path_factory):
    """The feed ingested once: (entries by id, the ingest output lines, the KB folder)."""
    kb = tmp_path_factory.mktemp("support") / "kb"
    kb.mkdir()
    result, lines = run_ingest([SUPPORT_FEED], kb, jobs=1)
    assert result.exit_code == 0, lines
    return read_kb(kb), lines, kb, result.summary()


def entry(support, entry_id):
    return support[0][entry_id][0]


def diagnosed(support, tmp_path, paste):
    """The paste diagnosed against the ingested feed, with an index of its own."""
    diagnoser = Diagnoser(support[2], tmp_path / "index")
    try:
        return diagnoser.diagnose(paste)
    finally:
        diagnoser.close()


def test_no_mined_message_is_a_label_a_fragment_or_article_prose(support):
    messages = [m for e, _ in support[0].values() for m in e.signatures.messages]
    assert len(messages) > 60
    for message in messages:
        assert not LABELS.match(message), message
        assert not message.startswith(("This article", "If you")), message
        assert not message.rstrip().endswith(":"), message
        words = re.findall(r"[A-Za-z]{2,}", re.sub(r"<[A-Z]+>", " ", mask(message)[0]))
        assert len(words) >= 3 or re.search(r"[\u4e00-\u9fff]{5}", message), message


def test_the_event_text_of_a_vss_error_is_one_message_without_its_fields(support):
    vss = entry(support, "event-12289-vss-backup-restore")
    assert any(
        m.startswith("Volume Shadow Copy Service error: Unexpected error") and "0x80042409" in m
        for m in vss.signatures.messages
    ), vss.signatures.messages
    assert not any(m.startswith(("Old ", "Context", "Operation")) for m in vss.signatures.messages)
    assert 12289 in {e.id for e in vss.signatures.events}
    assert "0x80042409" in vss.signatures.codes


def test_a_hard_wrapped_event_description_is_one_message_with_its_source(support):
    node = entry(support, "cannot-join-a-node-into-a-cluster")
    joined = [m for m in node.signatures.messages if "failed to join the cluster" in m]
    assert len(joined) == 1 and "Validate a Configuration wizard" in joined[0]
    assert {(e.id, e.source) for e in node.signatures.events} == {
        (1572, "Microsoft-Windows-FailoverClustering")
    }
    assert "port 3343" in node.signatures.phrases


def test_escaped_placeholders_in_error_text_are_kept(support):
    # The feed's HTML says "Node \\<computer> failed to join" (the article's Markdown escape
    # left in): read as a tag, the name vanished and the message read "Node  failed to join".
    node = entry(support, "cannot-join-a-node-into-a-cluster")
    assert any(m.startswith("Node <computer> failed to join") for m in node.signatures.messages)
    assert "Computer: <computer>" in node.symptom
    statistics = entry(support, "error-2767-query-secondary-replica-fails")
    assert "Could not locate statistics '<StatisticsName>'" in statistics.symptom


def test_each_option_of_a_fix_keeps_its_own_command(support):
    # The article's workaround is a list of options (SQL Server, Azure SQL Database, ...), each
    # item a paragraph and a command: the command ran under the next option's name, and the
    # later steps came out numbered "6. 3. Modify ..." (blank lines inside list items).
    fix = entry(support, "error-2767-query-secondary-replica-fails").fix
    sql, azure = fix.index("- SQL Server"), fix.index("- Azure SQL Database")
    assert (
        sql < fix.index("DBCC FREESYSTEMCACHE") < azure < fix.index("Invoke-AzSqlDatabaseFailover")
    )
    assert not re.search(r"^\s*\d+\. (?:\d+\.|- )", fix, re.MULTILINE), fix
    notes = entry(support, "duplicate-address-error-validate-failover-cluster").section("Notes")
    assert "set state disabled" in notes  # the notes' cap ends after a procedure, not inside
    steps = entry(support, "hyper-v-virtual-machine-doesnt-start").fix
    assert not re.search(r"^\s*\d+\. (?:\d+\.|- )", steps, re.MULTILINE), steps


def test_names_of_the_articles_example_are_not_key_phrases(support):
    # 'AdminData' is the article's file server resource (a quoted name, masked in every paste);
    # 'NAMEOF FILESHARE RESOURCE' its share. A paste names its own resource: no key to it.
    share = entry(support, "not-see-cluster-disk-in-explorer-or-diskmgmt-failover")
    assert any("'AdminData'" in m for m in share.signatures.messages)
    phrases = {p.casefold() for e, _ in support[0].values() for p in e.signatures.phrases}
    assert not phrases & {"admindata", "nameof", "myDfsrMember".casefold(), "childdomain"}
    assert "warning" not in phrases


def test_cluster_log_lines_lose_their_prefix_and_keep_their_message(support):
    share = entry(support, "cluster-fileshare-resource-fails")
    assert any(m.startswith("Failed in NetShareGetInfo(") for m in share.signatures.messages)
    assert not any("00001b6c" in m or "[RES]" in m for m in share.signatures.messages)


def test_a_multi_word_event_source_is_kept_whole(support):
    kvp = entry(support, "event-id-4096")
    assert {(e.id, e.source) for e in kvp.signatures.events} == {
        (4096, "Microsoft-Windows-Hyper-V-Integration-KvpExchange")
    }


def test_quoted_log_excerpts_stay_in_the_symptom_fenced_and_prose_stays_prose(support):
    netname = entry(support, "network-name-resource-not-come-online")
    symptom = netname.section("Symptom")
    assert "```\nINFO [RES] Network Name" in symptom
    assert "Unable to Logon. winError 1326" in symptom
    prose = symptom.split("```")[0]
    assert "This article provides a solution" in prose  # prose, not fenced error text
    assert not any("This article" in m for m in netname.signatures.messages)


def test_an_article_without_a_resolution_heading_is_troubleshooting_with_its_remedy(support):
    kvp = entry(support, "event-id-4096")
    assert kvp.kind == "troubleshooting"
    assert "safely ignore" in kvp.fix
    assert all(e.kind == "troubleshooting" for e, _ in support[0].values())


def test_a_new_kb_folder_gets_products_from_the_built_in_glossary(support):
    assert "Failover Clustering" in entry(support, "cannot-join-a-node-into-a-cluster").products
    assert "SQL Server" in entry(support, "error-41131-create-availability-group").products
    with_products = sum(1 for e, _ in support[0].values() if e.products)
    assert with_products >= 0.9 * len(support[0])


def test_generated_rules_conjoin_an_event_with_the_messages_text(support):
    node = entry(support, "cannot-join-a-node-into-a-cluster")
    rules = {r["name"]: r for r in node.generated_rules}
    rule = rules["auto-event-1572-text"]
    assert rule["all"][0] == {"event": 1572}
    texts = rule["all"][1]["any"]
    assert {"phrase": "port 3343"} in texts and any("message" in t for t in texts)
    assert not node.rules  # the writer's key stays empty


def test_over_broad_mined_texts_are_dropped_and_named(support):
    start = entry(support, "fail-to-start-selected-virtual-machine")
    broad = "<Guest Virtual Machine Name> failed to start."  # masks to "<NAME> failed to start."
    assert broad not in start.signatures.messages
    dropped = [line for line in support[1] if "dropped" in line]
    assert any(f"'{broad}'" in line and "over-broad" in line for line in dropped)
    assert support[3].endswith("mined signatures or rules dropped as over-broad")


def test_the_ingested_feed_answers_a_ticket_by_its_generated_rule(support, tmp_path):
    diagnosis = diagnosed(
        support,
        tmp_path,
        "Event ID 1572 on node HV07: it cannot join the cluster. Our firewall team says "
        "UDP port 3343 is closed between the racks.",
    )
    best = diagnosis.remedies[0]
    assert best.entry.id == "cannot-join-a-node-into-a-cluster"
    assert "auto-event-1572-text" in {h.rule for h in best.rule_hits}
    assert diagnosis.confident


@pytest.mark.parametrize(
    "lines, expected",
    [
        # a dialog's content lines, its title and button left out
        (
            ["[Window Title]", "Virtual Disk Manager", "[Content]",
             ("A Virtual Disk Provider for the specified file was not found."), "[OK]"],
            ["A Virtual Disk Provider for the specified file was not found."],
        ),
        # Event Viewer text: the description joined, "User Action" advice left out
        (
            ["Log Name: System", "Source: Service Control Manager", "Event ID: 7000",
             "Description:", "The Foo service failed to start due to the following",
             "error: The system cannot find the file specified.", "User Action: restart it."],
            [("The Foo service failed to start due to the following error: The system cannot "
              "find the file specified.")],
        ),
    ],
)  # fmt: skip
def test_messages_are_read_by_the_shape_of_the_block(lines, expected):
    blocks = classify([Block("code", lines=lines)])
    assert [m.text for m in mine_messages(blocks)] == expected


def test_a_win32_error_number_in_an_article_and_in_a_paste_is_one_code(support, tmp_path):
    # The VPN article's title and text say "Error 633 - the modem ... is already in use"; the
    # dialog a user pastes says "Error 633: ...". Both are Win32 error 633, HRESULT 0x80070279.
    vpn = entry(support, "error-633-the-modem-is-already-in-use-vpn")
    assert "0x80070279" in vpn.signatures.codes
    diagnosis = diagnosed(
        support,
        tmp_path,
        "Connecting to Contoso VPN...\nError 633: The modem (or other connecting device) is "
        "already in use or is not configured properly.",
    )
    best = diagnosis.remedies[0]
    assert best.entry.id == vpn.id
    code_hits = [h for h in best.rule_hits if h.kind == "code" or "code" in h.rule]
    assert code_hits, best.rule_hits
    # why it matched names the number the agent pasted, not only the HRESULT
    assert any("Win32 error 633" in e for h in code_hits for e in h.evidence), code_hits


def test_key_phrases_mask_the_text_only_for_a_candidate_left_to_test(monkeypatch):
    """Masking the symptom tells a word of the article's example from a key; when the feed's
    counts have ruled out every candidate already, the text is not masked at all."""
    masked: list[str] = []

    def counted(text):
        masked.append(text)
        return mask(text)

    monkeypatch.setattr(phrases, "mask", counted)
    text = "Node cannot join: UDP port 3343 is blocked (VMQ on netft.sys)"
    common = {"port 3343": 2, "vmq": 5, "netft.sys": 3}
    assert phrases.key_phrases(text, common, feed_size=10) == [] and masked == []
    assert phrases.key_phrases(text, {}, feed_size=10) == ["port 3343", "VMQ", "netft.sys"]
    assert masked == [text]


def test_the_remembered_token_test_answers_as_the_test_itself():
    """phrases._is_candidate is cached: the cached answer is the uncached one, first and
    second time, on every token of the development feed and on tokens of each rejected shape."""
    text = SUPPORT_FEED.read_text(encoding="utf-8")
    tokens = {m.group(0) for m in phrases._IDENTIFIER.finditer(text)}
    tokens |= {"DNS", "0x80070005", "1A2B3C4D", "Server2008", "folder_name", "NetShareGetInfo"}
    assert len(tokens) > 500
    for _ in range(2):
        for token in tokens:
            assert phrases._is_candidate(token) == phrases._is_candidate.__wrapped__(token)
    assert not phrases._is_candidate("Server2008") and phrases._is_candidate("NetShareGetInfo")
