"""The gap queue's masking and clustering (Drain3 over masked text), on both store backends:
one error from 50 hosts is one gap counting 50; different errors stay apart; the key survives
a restart and is the same in two worker processes sharing one database."""

from __future__ import annotations

from webapp.gapminer import GapMiner
from webapp.gaps import masked_line
from webapp.store import Unanswered

TEMPLATE = (
    "Cluster resource 'Disk {n}' in clustered role 'SQL{n}' failed on node{n}.corp.example.com "
    "({ip}) user CORP\\svc{n} session {guid}"
)


def paste(n: int) -> str:
    guid = f"{n:08x}-1111-2222-3333-444455556666"
    return TEMPLATE.format(n=n, ip=f"10.1.{n // 250}.{n % 250 + 1}", guid=guid)


pytest_plugins = ["webfixtures"]


def test_masking_leaves_no_host_address_guid_or_name():
    masked = masked_line(paste(7))
    secrets = ("node7", "corp.example.com", "10.1.0.8", "00000007-1111", "SQL7", "Disk 7", "svc7")
    for secret in secrets:
        assert secret not in masked, (secret, masked)
    assert "<HOST>" in masked and "<GUID>" in masked and "<USER>" in masked


def test_fifty_hosts_make_one_gap_counting_fifty(store):
    miner = GapMiner()
    found = [
        miner.record(
            store, Unanswered(masked_line(paste(n)), 1069, "FailoverClustering"), now=1000.0 + n
        )
        for n in range(50)
    ]
    assert len({g.cluster_key for g in found}) == 1
    (gap,) = store.list_gaps()
    assert (gap.count, gap.first_seen, gap.last_seen) == (50, 1000.0, 1049.0)
    assert (gap.event_id, gap.source) == (1069, "FailoverClustering")
    assert gap.example == masked_line(paste(0))  # one masked example, the first
    assert "node" not in gap.template and "10.1." not in gap.template


def test_different_errors_are_different_gaps(store):
    miner = GapMiner()
    for n in range(5):
        miner.record(store, Unanswered(masked_line(paste(n))))
        miner.record(
            store, Unanswered(f"The print spooler service terminated unexpectedly {n} times")
        )
        miner.record(store, Unanswered("VSS writer SqlServerWriter is in a failed state"))
    assert sorted(g.count for g in store.list_gaps()) == [5, 5, 5]


def test_the_key_survives_a_restart_and_is_shared_by_two_workers(store):
    def share_error(retries: int) -> Unanswered:
        return Unanswered(f"Share \\\\<HOST>\\data returned error 53 after {retries} retries")

    first, second = GapMiner(), GapMiner()
    a = first.record(store, share_error(3), now=1.0)
    b = second.record(store, share_error(7), now=2.0)
    c = first.record(store, share_error(9), now=3.0)
    restarted = GapMiner().record(store, share_error(1), now=4.0)
    assert a.cluster_key == b.cluster_key == c.cluster_key == restarted.cluster_key
    (gap,) = store.list_gaps()
    assert gap.count == 4 and gap.template.endswith("after <*> retries")
