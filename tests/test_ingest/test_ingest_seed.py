"""Golden tests over the seed feed (tests/data/seed_feed.xml): which entries come out, with
which sections, signatures and remedies."""

from __future__ import annotations

import re

import pytest
from conftest import SEED_FEED, run_ingest

from engine.entry import REQUIRED_SECTIONS
from engine.kb import load_entries

DNS = "cluster-name-resource-failed-registeration-in-dns"
CONVERTER = "vcenter-converter-network-error"
PROCESSOR = "unknown-processor-error-when-performing-live-migration-on"
ADAPTER = "microsoft-failover-cluster-virtual-adapter"
LIVE = "hyper-v-live-migration-step-by-step"
NETWORKING = "windows-server-2008-failover-clusters-networking"
HVSERVER = "microsoft-hyper-v-server-2008-r2-with-failover-cluster"

# The golden list: every entry the seed yields, and its kind.
EXPECTED = {
    CONVERTER: "troubleshooting",
    "using-vm-explorer-backup-and-manage-vmware-esx-virtual": "guide",
    DNS: "troubleshooting",
    f"{DNS}-scenario-2": "troubleshooting",
    "hyper-v-v2-guest-only-external-networks-add-roles-wizard": "guide",
    "changing-the-ip-address-of-an-exchange-cluster": "guide",
    PROCESSOR: "troubleshooting",
    ADAPTER: "guide",
    f"{ADAPTER}-disable-the-microsoft-failover-cluster": "troubleshooting",
    LIVE: "guide",
    f"{LIVE}-perform-live-migration-host-amd": "troubleshooting",
    f"{LIVE}-open-source-iscsi-targets-openfiler": "troubleshooting",
    f"{LIVE}-sure-external-network-connection-named": "troubleshooting",
    f"{LIVE}-vm-running-perform-operation": "troubleshooting",
    NETWORKING: "guide",
    f"{NETWORKING}-cluster-communications-cannot-proceed": "troubleshooting",
    f"{NETWORKING}-nic-teaming-not-supported-iscsi": "troubleshooting",
    f"{NETWORKING}-cluster-validation-process-register": "troubleshooting",
    f"{NETWORKING}-troubleshooting-cluster-networking": "troubleshooting",
    f"{NETWORKING}-see-adapter-listed-top-binding": "troubleshooting",
    HVSERVER: "guide",
    f"{HVSERVER}-remote-volume-management": "troubleshooting",
    f"{HVSERVER}-migration-attempt-failed": "troubleshooting",
}


def section(seed_kb, entry_id: str, name: str) -> str:
    return seed_kb[entry_id][0].section(name)


def test_the_seed_yields_exactly_the_golden_entries(seed_kb):
    assert {i: e.kind for i, (e, _) in seed_kb.items()} == EXPECTED


def test_every_entry_is_a_valid_ingested_entry(seed_kb, tmp_path):
    for entry_id, (entry, text) in seed_kb.items():
        names = [n for n, _ in entry.sections]
        assert set(REQUIRED_SECTIONS[entry.kind]) <= set(names), entry_id
        assert entry.owner == "ingest"
        assert entry.source and entry.source.startswith("http://www.517sou.net/Article/"), entry_id
        assert entry.ingest["feed"] == str(SEED_FEED)
        assert entry.ingest["content_hash"].startswith("sha256:")
        assert re.search(r"^  generated_hash: sha256:[0-9a-f]{64}$", text, re.MULTILINE)
        front = text.split("\n---\n")[0]
        # ingest writes generated rules, never a writer's rules or examples
        assert "\nrules:" not in front and "examples:" not in text
        assert entry.tags == ("云计算与虚拟化",)


def test_the_engine_loads_the_ingested_kb_without_errors(tmp_path):
    kb = tmp_path / "kb"
    run_ingest([SEED_FEED], kb)
    entries, errors = load_entries(kb)
    assert errors == [] and len(entries) == len(EXPECTED)


def test_every_fix_and_steps_section_is_a_numbered_list(seed_kb):
    for entry_id, (entry, _) in seed_kb.items():
        body = entry.section("Fix") or entry.section("Steps")
        assert body.startswith("1. "), entry_id
        numbers = [int(n) for n in re.findall(r"^(\d+)\. ", body, re.MULTILINE)]
        assert numbers == list(range(1, len(numbers) + 1)), entry_id


def test_converter_dialog_is_the_verbatim_symptom_and_no_cause_is_invented(seed_kb):
    entry, _ = seed_kb[CONVERTER]
    assert entry.language == "zh"
    assert "VMware vCenter Converter" in entry.products
    assert entry.signatures.messages == (
        "出现错误。此错误的原因可能由网络连接故障所致。",
        "向导将立即关闭。",
        "请检查网络连接并重试。",
    )
    symptom = entry.section("Symptom")
    assert "对话框内容如下" in symptom
    assert "```\n---------------------------\nVMware vCenter Converter\n" in symptom
    assert "does not state a cause" in entry.section("Cause")
    assert entry.section("Fix") == (
        "1. 重启以下服务：\n"
        "   - VMware vCenter Converter Integrated Server\n"
        "   - VMware vCenter Converter Integrated Worker"
    )


def test_cluster_dns_article_gives_one_entry_per_scenario(seed_kb):
    first, second = seed_kb[DNS][0], seed_kb[f"{DNS}-scenario-2"][0]
    for entry in (first, second):
        assert [(e.id, e.source) for e in entry.signatures.events] == [
            (1196, "Microsoft-Windows-FailoverClustering")
        ]
        assert "Event ID 1196" in entry.section("References")
    assert first.ingest["part"] == "main" and second.ingest["part"] == "scenario-2"
    assert "DNS signature failed to verify." in first.signatures.messages
    assert "scenario 1" in first.title and "scenario 2" in second.title
    fix = first.section("Fix")
    assert fix.startswith(
        "1. Ensure that the network adapters associated with dependent IP address resources"
    )
    assert (
        "2. In DNS Management (dnsmgmt.msc):\n   1. Find the VirtualClusterName that is failing to register."
        in fix
    )
    assert "   10. Give the CNO FULL Control over this record." in fix
    assert second.language == "zh"
    assert "DNS 服务器失败。" in second.signatures.messages
    assert (
        "```\n群集网络名称资源“群集名称”注册一个或多个相关联的 DNS 名称失败。原因如下:\nDNS 服务器失败。\n```"
        in second.section("Symptom")
    )
    assert (
        second.section("Fix")
        == "1. 请确保与从属 IP 地址相关联的网络适配器已配置为至少可以访问一个 DNS 服务器。"
    )


def test_unknown_processor_has_both_dialogs_cause_and_bios_fix(seed_kb):
    entry, _ = seed_kb[PROCESSOR]
    symptom = entry.section("Symptom")
    assert (
        "[Window Title]\n错误\n\n[Main Instruction]\n检查目标节点上的虚拟机兼容性时出错" in symptom
    )
    assert (
        "There was an error checking for virtual machine compatibility on the target node"
        in symptom
    )
    messages = [m.casefold() for m in entry.signatures.messages]
    assert (
        "there was an error checking for virtual machine compatibility on the target node"
        in messages
    )
    assert "检查目标节点上的虚拟机兼容性时出错" in entry.signatures.messages
    assert entry.section("Cause") == (
        "Virtulatization service is failing to start on the node or the HyperV Role is not installed correctly"
    )
    fix = entry.section("Fix")
    assert fix.startswith(
        "1. Make sure Intel Virtualization Technology & Execute Disable Bit (or AMD equivalent)"
    )
    assert (
        "2. Option one:\n   1. Verify hardware-assisted virtualization setting are enabled in the bios"
        in fix
    )
    assert (
        "3. Option two:\n   1. Remove the Hyper-V role and reboot the server\n   2. Add the Hyper-V role"
        in fix
    )
    assert "http://support.microsoft.com/kb/2003737" in entry.section("References")
    assert {"Hyper-V", "Failover Clustering"} <= set(entry.products)


def test_guides_have_a_summary_and_the_articles_steps(seed_kb):
    exchange = seed_kb["changing-the-ip-address-of-an-exchange-cluster"][0]
    steps = exchange.section("Steps")
    assert (
        "1. For Windows 2003 Cluster\n   1. Set Cluster Admin against the local node (.)" in steps
    )
    assert "2. For Windows 2008 Cluster\n   1. Open Failover Cluster Management" in steps
    assert "Be sure to test this before trying in production." in exchange.section("Notes")
    live = seed_kb[LIVE][0]
    assert live.section("Summary").startswith(
        "Live migration is probably the most important technology"
    )
    assert (
        "1. How Live Migration Works: Live migration takes place between two Hyper-V hosts."
        in live.section("Steps")
    )
    server = seed_kb[HVSERVER][0]
    assert "Start /w ocsetup FailoverCluster-Core" in server.section("Steps")


def test_migration_attempt_failed_statement(seed_kb):
    entry, _ = seed_kb[f"{HVSERVER}-migration-attempt-failed"]
    assert entry.signatures.messages == ("Migration attempt failed",)
    assert "```\nMigration attempt failed\n```" in entry.section("Symptom")
    assert "same name on both your servers" in entry.section("Cause")
    fix = entry.section("Fix")
    assert (
        "you must have configured the Hyper-V Virtual Network Adapters you are going to use BEFORE creating a cluster"
        in fix
    )
    assert "2. These virtual network adapters must have the same name on both your servers." in fix


def test_remote_volume_management_statement_has_firewall_rule_and_vds_restart(seed_kb):
    entry, _ = seed_kb[f"{HVSERVER}-remote-volume-management"]
    assert "haven’t enabled outgoing “Remote Volume Management”" in entry.section("Cause")
    fix = entry.section("Fix")
    assert (
        "netsh advfirewall firewall set rule group=”Remote Volume Management” new enable=yes" in fix
    )
    assert (
        "Enable outgoing “Remote Volume Management” from Windows Firewall with Advanced Security"
        in fix
    )
    assert fix.rstrip().endswith("```\n   net start vds\n   ```")


def test_virtual_adapter_trouble_list(seed_kb):
    entry, _ = seed_kb[f"{ADAPTER}-disable-the-microsoft-failover-cluster"]
    assert "This will cause an error in the Cluster Validation Process." in entry.section("Symptom")
    assert "- Disable the Microsoft Failover Cluster Virtual Adapter." in entry.section("Cause")
    assert "Do not do anything to the adapter - just let it work for you." in entry.section("Fix")


@pytest.mark.parametrize(
    "suffix, symptom, fix",
    [
        (
            "perform-live-migration-host-amd",
            "one host has an AMD processor",
            "same processor manufacturer and family",
        ),
        (
            "open-source-iscsi-targets-openfiler",
            "OpenFiler",
            "must support the iSCSI-3 specifications",
        ),
        (
            "sure-external-network-connection-named",
            "If you do select an external network",
            "named the same on all of your Hyper-V nodes",
        ),
        ("vm-running-perform-operation", "can’t be running", "Off or Saved state"),
    ],
)
def test_live_migration_guide_statements(seed_kb, suffix, symptom, fix):
    entry, _ = seed_kb[f"{LIVE}-{suffix}"]
    assert symptom in entry.section("Symptom")
    assert fix in entry.section("Fix")


def test_networking_guide_statements(seed_kb):
    subnet = seed_kb[f"{NETWORKING}-cluster-validation-process-register"][0]
    assert (
        "no NICs on the same node that are configured to be on the same subnet"
        in subnet.section("Fix")
    )
    assert subnet.section("Cause").startswith(
        "The cluster network driver uses the subnet to identify networks"
    )
    teaming = seed_kb[f"{NETWORKING}-nic-teaming-not-supported-iscsi"][0]
    assert teaming.section("Symptom") == "NIC Teaming is not supported on iSCSI connections."
    assert "multi-path software" in teaming.section("Fix")
    procedure = seed_kb[f"{NETWORKING}-troubleshooting-cluster-networking"][0].section("Fix")
    assert procedure.startswith("1. Examine the system log on each cluster node")
    assert "9. Consider opening a support incident with Microsoft" in procedure
    binding = seed_kb[f"{NETWORKING}-see-adapter-listed-top-binding"][0]
    assert "binding order" in binding.section("Cause")
    assert "nvspbind /- “local area connection* 9” ms_tcpip" in binding.section("Fix")
