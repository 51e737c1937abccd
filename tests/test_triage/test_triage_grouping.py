"""Grouping counted exactly, one diagnosis per group, the report's order and JSON shape."""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import logmaker as lm
import pytest
from triagehelpers import EVTX, zip_bytes

import triage
from triage import triage_streams

COUNTS = {lm.DNS_1196: 37, lm.SPOOLER_7031: 23, lm.TIME_36: 11, lm.DISK_41: 2, lm.RUNNING_7036: 300}
EVENTS = lm.make_events(COUNTS, seed=7)
KEYS = (
    "source",
    "event_id",
    "level",
    "count",
    "first_seen",
    "last_seen",
    "hosts",
    "template",
    "entry",
    "title",
    "confidence",
    "confident",
)


def run(files: dict[str, bytes], diagnoser, **options):
    return triage_streams([(n, io.BytesIO(d)) for n, d in files.items()], diagnoser, **options)


def expected_groups(events):
    """What grouping must find, computed from the generated events (not by the code under test)."""
    found = {}
    for e in events:
        if e.problem.level == "information":
            continue
        g = found.setdefault(e.key, {"count": 0, "hosts": set(), "times": []})
        g["count"] += 1
        g["hosts"].add(e.host)
        g["times"].append(e.time.isoformat())
    return found


def test_groups_are_counted_exactly_with_hosts_and_first_and_last_seen(small_diagnoser):
    report = run({"System.csv": lm.export_csv(EVENTS).encode()}, small_diagnoser).to_dict()
    assert report["events"] == 373
    want = expected_groups(EVENTS)
    got = {(g["source"], g["event_id"]): g for g in report["groups"]}
    assert set(got) == set(want)  # 7036 is information: counted in events, never grouped
    for key, w in want.items():
        g = got[key]
        assert g["count"] == w["count"]
        assert set(g["hosts"]) == w["hosts"]
        assert (g["first_seen"], g["last_seen"]) == (min(w["times"]), max(w["times"]))
    # the varying names and numbers were masked: one template per problem
    assert got[("Microsoft-Windows-FailoverClustering", 1196)]["template"] == (
        "Cluster network name resource <NAME> failed registration of one or more associated "
        "DNS name(s) for the following reason: DNS signature failed to verify."
    )
    assert "It has done this <NUM> time(s)." in got[("Service Control Manager", 7031)]["template"]
    assert all(list(g) == list(KEYS) for g in report["groups"])


def test_each_group_is_diagnosed_once_and_known_problems_come_first(small_diagnoser, monkeypatch):
    calls = []
    real = small_diagnoser.diagnose
    monkeypatch.setattr(
        small_diagnoser, "diagnose", lambda text, top=5: calls.append(text) or real(text, top)
    )
    report = run({"a.txt": lm.wevtutil_text(EVENTS).encode("utf-16")}, small_diagnoser)
    assert len(calls) == len(report.groups) == 4
    groups = report.to_dict()["groups"]
    first = groups[0]
    assert (first["event_id"], first["entry"], first["confident"]) == (1196, "dns-signature", True)
    assert first["title"] == small_diagnoser.entries["dns-signature"].title
    unanswered = [g for g in groups if not g["confident"]]
    assert [g["count"] for g in unanswered] == sorted(
        (g["count"] for g in unanswered), reverse=True
    )
    assert groups.index(first) < groups.index(unanswered[0])


def test_the_same_problem_in_two_formats_of_one_bundle_is_one_group(small_diagnoser):
    bundle = zip_bytes(
        {
            "logs/System.csv": lm.export_csv(EVENTS).encode(),
            "logs/System.txt": lm.wevtutil_text(EVENTS).encode("utf-16"),
        }
    )
    report = run({"ticket-4711.zip": bundle}, small_diagnoser).to_dict()
    assert report["events"] == 2 * 373
    counts = {(g["source"], g["event_id"]): g["count"] for g in report["groups"]}
    assert counts == {k: 2 * w["count"] for k, w in expected_groups(EVENTS).items()}


def test_unanswered_groups_reach_the_gap_queue_hook(small_diagnoser):
    seen = []
    report = run(
        {"s.csv": lm.export_csv(EVENTS).encode()}, small_diagnoser, on_unanswered=seen.append
    )
    assert seen and [r.group.template for r in seen] == [
        r.group.template for r in report.unanswered
    ]
    assert all(not r.confident for r in seen)


def test_groups_past_the_limit_are_counted_not_grouped(small_diagnoser):
    lines = "".join(f"ERROR job {chr(97 + i % 26)}{chr(97 + i // 26)} failed\n" for i in range(60))
    report = run({"app.log": lines.encode()}, small_diagnoser, limits=triage.Limits(max_groups=10))
    assert len(report.groups) == 10 and report.ungrouped == 50
    assert "more than 10 distinct problems" in report.warnings[0]["message"]


def test_a_real_evtx_groups_its_errors_and_warnings(small_diagnoser):
    report = run({"System.evtx": (EVTX / "System.evtx").read_bytes()}, small_diagnoser)
    assert report.events == 1881
    assert sum(g.group.count for g in report.groups) == 41 + 342


MODULES = [m.name for m in pkgutil.walk_packages(triage.__path__, "triage.")]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    assert doctest.testmod(importlib.import_module(name)).failed == 0
