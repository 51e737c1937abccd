"""The store, the same tests on SQLite and on a real PostgreSQL: feedback with one vote per
client, permalinks, the knowledge-gap queue, chat replays, and the schema's versions."""

from __future__ import annotations

import sqlite3

import pytest

from engine.errors import KBError
from webapp.store import Store, StoreUnavailable, Unanswered, open_store
from webapp.store.backends import SQLiteBackend
from webapp.store.schema import LATEST

pytest_plugins = ["webfixtures"]


def test_the_hour_of_one_vote_is_a_rolling_hour_not_a_clock_hour(store):
    alice = store.voter_id("10.0.0.1")
    before_the_hour = 1_700_002_799.0  # 22:59:59 UTC
    assert store.add_feedback("dns", "solved", voter=alice, now=before_the_hour)
    assert not store.add_feedback("dns", "solved", voter=alice, now=before_the_hour + 2)
    assert not store.add_feedback("dns", "solved", voter=alice, now=before_the_hour + 3599)
    assert store.add_feedback("dns", "solved", voter=alice, now=before_the_hour + 3601)
    assert store.feedback_counts("dns") == {"solved": 2, "not_helpful": 0}


def test_one_vote_per_client_per_result_or_per_entry_and_hour(store):
    alice, bob = store.voter_id("10.0.0.1"), store.voter_id("10.0.0.2")
    assert alice != bob and len(alice) == 32 and "10.0.0.1" not in alice
    hour = 1_700_000_000.0
    assert store.add_feedback("dns", "solved", voter=alice, now=hour)
    assert not store.add_feedback("dns", "not_helpful", voter=alice, now=hour + 60)  # same hour
    assert store.add_feedback("dns", "solved", voter=alice, now=hour + 3600)  # the next hour
    assert store.add_feedback("other", "solved", voter=alice, now=hour)  # another entry
    assert store.add_feedback("dns", "not_helpful", voter=bob, now=hour)
    token = "A" * 22
    assert store.add_feedback("dns", "solved", voter=alice, result=token, now=hour)
    assert not store.add_feedback("dns", "solved", voter=alice, result=token, now=hour + 9000)
    assert store.add_feedback("dns", "solved", voter=bob, result=token, now=hour)
    assert store.feedback_counts("dns") == {"solved": 4, "not_helpful": 1}
    assert store.feedback_counts("nothing") == {"solved": 0, "not_helpful": 0}
    with pytest.raises(ValueError):
        store.add_feedback("dns", "great", voter=alice)


def test_votes_without_a_voter_always_count(store):
    for _ in range(3):
        assert store.add_feedback("dns", "solved", reason="x" * 5000, paste_sha256="<no hash>")
    assert store.feedback_counts("dns")["solved"] == 3


def test_permalinks_save_load_expire(store):
    payload = {"paste": "Event ID 1196 事件", "results": [{"id": "dns", "confidence": 0.9}]}
    link = store.save_result(payload, ttl_s=100, now=1000.0)
    assert len(link.token) >= 22 and link.expires_at == 1100.0  # 16 random bytes: 128 bits
    assert store.load_result(link.token, now=1050.0).payload == payload
    assert store.load_result(link.token, now=1100.0) is None  # expired
    assert store.load_result("A" * 22) is None  # unknown
    assert store.load_result("../../etc/passwd") is None  # malformed: never queried
    other = store.save_result({"n": 2}, now=1000.0)  # default: 30 days
    assert other.expires_at == 1000.0 + 30 * 24 * 3600 and other.token != link.token
    assert store.expire_results(now=1200.0) == 1
    assert store.load_result(other.token, now=1200.0).payload == {"n": 2}
    with pytest.raises(ValueError):
        store.save_result({"paste": "x" * (5 * 1024 * 1024)})


def test_gaps_count_list_answer_and_stay_bounded(store):
    for n in range(3):
        paste = Unanswered(
            f"Cluster resource 'Disk {n}' failed", 1069, "Microsoft-Windows-FailoverClustering"
        )
        gap = store.record_gap(
            "clussvc|1069|<name> failed", "Cluster resource <name> failed", paste, now=100.0 + n
        )
    assert (gap.count, gap.first_seen, gap.last_seen) == (3, 100.0, 102.0)
    assert gap.example == "Cluster resource 'Disk 0' failed"  # the first example is kept
    store.record_gap(
        "printer", "printer <name> offline", Unanswered("printer P1 offline"), now=50.0
    )
    store.record_gap("vss", "VSS error <code>", Unanswered("VSS error 0x1"), now=60.0)
    store.record_gap("vss", "VSS error <code>", Unanswered("VSS error 0x2"), now=61.0)
    listed = store.list_gaps()
    assert [g.cluster_key for g in listed] == ["clussvc|1069|<name> failed", "vss", "printer"]
    assert listed[0].to_dict()["event_id"] == 1069
    assert store.answer_gap("vss", "vss-writer-failed") and not store.answer_gap("nope", "x")
    assert [g.cluster_key for g in store.list_gaps()] == ["clussvc|1069|<name> failed", "printer"]
    assert (
        store.list_gaps(include_answered=True, limit=1, offset=1)[0].answered_by
        == "vss-writer-failed"
    )
    # over the bound, the oldest clusters seen once go first; frequent ones stay
    for n in range(5):
        store.record_gap(f"once-{n}", "t", Unanswered("e"), now=200.0 + n, max_gaps=4)
    kept = {g.cluster_key for g in store.list_gaps(include_answered=True, limit=100)}
    assert kept == {"clussvc|1069|<name> failed", "vss", "once-3", "once-4"}
    assert store.gaps_dropped() == 4  # printer, once-0, once-1, once-2: counted for _stats
    assert store.gap_total() == 4


def test_gaps_are_found_by_key_and_by_age_and_take_a_newer_template(store):
    store.record_gap("a", "disk <*> failed", Unanswered("disk 1 failed"), now=10.0)
    store.record_gap("b", "vss <*>", Unanswered("vss 2"), now=20.0)
    assert store.get_gap("a").example == "disk 1 failed" and store.get_gap("zz") is None
    assert [g.cluster_key for g in store.gaps_since(10.0)] == ["b"]
    assert [g.cluster_key for g in store.gaps_since(0.0)] == ["a", "b"]
    assert store.retemplate_gap("a", "disk <*> <*>") and not store.retemplate_gap("zz", "t")
    assert store.get_gap("a").template == "disk <*> <*>"


def test_pastes_are_counted_per_day_with_the_confident_share(store):
    day = 1_700_000_000.0  # 2023-11-14 UTC
    for confident in (True, True, False):
        store.count_paste(confident=confident, now=day)
    store.count_paste(confident=False, now=day + 86400)
    assert store.daily_pastes() == [("2023-11-14", 3, 2), ("2023-11-15", 1, 0)]
    assert store.daily_pastes(days=1) == [("2023-11-15", 1, 0)]
    store.add_feedback("dns", "solved")
    store.add_feedback("vss", "not_helpful")
    store.add_feedback("vss", "not_helpful")
    assert store.feedback_totals() == {"solved": 1, "not_helpful": 2}


def test_chat_replays_are_refused_inside_the_window(store):
    assert store.remember_request(1_700_000_000, "v0=abc", now=1_700_000_001.0)
    assert not store.remember_request(1_700_000_000, "v0=abc", now=1_700_000_100.0)
    assert store.remember_request(1_700_000_000, "v0=abd", now=1_700_000_100.0)
    # outside the window the pair is forgotten (and the signature check refuses it anyway)
    assert store.remember_request(1_700_000_000, "v0=abc", now=1_700_000_001.0 + 301)
    with pytest.raises(ValueError):
        store.remember_request(10**5000, "v0=abc")


def test_migrating_twice_changes_nothing_and_keeps_data(store):
    store.add_feedback("dns", "solved")
    assert store.migrate() == LATEST
    assert store.feedback_counts("dns") == {"solved": 1, "not_helpful": 0}


def test_a_feedback_file_from_an_earlier_release_is_adopted(tmp_path):
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:  # the schema kb shipped before the store existed
        db.executescript(
            """CREATE TABLE feedback (id INTEGER PRIMARY KEY, entry_id TEXT NOT NULL,
               verdict TEXT NOT NULL CHECK (verdict IN ('solved', 'not_helpful')),
               created_at TEXT NOT NULL, paste_sha256 TEXT);
               INSERT INTO feedback (entry_id, verdict, created_at) VALUES ('dns', 'solved', '2026-01-01');"""
        )
    store = Store(SQLiteBackend(path))
    store.migrate()
    assert store.feedback_counts("dns") == {"solved": 1, "not_helpful": 0}
    assert store.add_feedback("dns", "solved", voter=store.voter_id("1.2.3.4"))


def test_a_database_newer_than_the_code_is_refused(tmp_path):
    store = open_store(None, sqlite_path=tmp_path / "kb.sqlite3")
    store.migrate()
    with sqlite3.connect(tmp_path / "kb.sqlite3") as db:
        db.execute("INSERT INTO schema_migrations VALUES (999, 'future', 0)")
    with pytest.raises(StoreUnavailable, match="schema version 999"):
        store.migrate()


def test_an_unreachable_postgres_is_one_line_without_the_password():
    with pytest.raises(StoreUnavailable) as err:
        open_store("postgresql://kb:hunter2@127.0.0.1:1/kb")
    message = str(err.value)
    assert message.startswith("cannot connect to the database postgresql://kb@127.0.0.1:1/kb: ")
    assert "hunter2" not in message and "\n" not in message


def test_only_postgresql_urls_are_accepted():
    with pytest.raises(KBError, match="must be a postgresql:// URL"):
        open_store("mysql://kb:pw@db/kb")


def test_two_stores_on_one_postgres_database_see_each_others_writes(postgres_url):
    first, second = open_store(postgres_url), open_store(postgres_url)
    first.migrate()
    second.migrate()
    try:
        assert first.voter_id("10.0.0.1") == second.voter_id("10.0.0.1")  # one salt, shared
        first.add_feedback("dns", "solved", voter=first.voter_id("10.0.0.1"))
        assert not second.add_feedback("dns", "solved", voter=second.voter_id("10.0.0.1"))
        assert second.feedback_counts("dns") == {"solved": 1, "not_helpful": 0}
        link = second.save_result({"from": "second"})
        assert first.load_result(link.token).payload == {"from": "second"}
    finally:
        first.close()
        second.close()
