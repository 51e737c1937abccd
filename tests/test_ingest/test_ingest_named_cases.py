"""The three cases the product is known by, on a KB made by `kb ingest` of the seed alone (no
glossary, no review): each comes first, answered confidently, with a rule that fired."""

from __future__ import annotations

import pytest
from conftest import SEED_FEED, run_ingest

from engine.diagnoser import Diagnoser

CASES = [
    (
        (
            "Log Name: System\nSource: Microsoft-Windows-FailoverClustering\nEvent ID: 1196\n"
            "Description:\nCluster network name resource 'SQL Network Name (SQLVS01)' failed "
            "registration of one or more associated DNS name(s) for the following reason:\n"
            "DNS signature failed to verify."
        ),
        "http://www.517sou.net/Article/cluster-name-resource-failed-registeration-in-dns.aspx",
    ),
    (
        (
            "---------------------------\nVMware vCenter Converter\n---------------------------\n"
            "出现错误。此错误的原因可能由网络连接故障所致。\n向导将立即关闭。\n请检查网络连接并重试。"
        ),
        "http://www.517sou.net/Article/vCenter-Converter-Network-Error.aspx",
    ),
    (
        (
            "There was an error checking for virtual machine compatibility on the target node.\n"
            "The virtual machine 'APP2' is currently using an Intel processor, but physical "
            "computer 'HV9' has an Unknown processor."
        ),
        (
            "http://www.517sou.net/Article/Unknown-processor-error-when-performing-Live-Migration-"
            "on-Windows-Server-2008-R2-Failover-Cluster.aspx"
        ),
    ),
]


@pytest.fixture(scope="module")
def diagnoser(tmp_path_factory):
    kb = tmp_path_factory.mktemp("named") / "kb"
    kb.mkdir()
    result, lines = run_ingest([SEED_FEED], kb)
    assert result.exit_code == 0, lines
    found = Diagnoser(kb, kb.parent / "index")
    yield found
    found.close()


@pytest.mark.parametrize("paste, source", CASES, ids=["dns-1196", "converter", "processor"])
def test_each_named_case_comes_first_confident_with_a_fired_rule(diagnoser, paste, source):
    diagnosis = diagnoser.diagnose(paste)
    best = diagnosis.remedies[0]
    assert best.entry.source == source
    assert best.rule_hits and diagnosis.confident
