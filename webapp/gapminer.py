"""Drain3 over masked pastes: which gap a paste belongs to, the same in every process.

Drain3 (logpai/Drain3) keeps a tree of templates in memory; a message with the same length
and the same leading words as a known template, and enough equal words, joins it, and the
template's differing words become ``<*>``. Its own state lives in one process, and ours run as
several workers on several nodes, so the *store* is the shared truth:

- a gap's key is fixed when its cluster is first seen (:func:`gap_id` of Drain's first
  template) and never changes when the template grows more general later (the row's
  ``template`` is updated instead, :meth:`Store.retemplate_gap`);
- before each record the miner reads the gaps other processes started since it last looked
  (:meth:`Store.gaps_since`) and feeds their templates to its own tree, remembering which key
  each cluster has. A restarted worker rebuilds the same tree from the store the same way.

>>> from webapp.store import open_store
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as folder:
...     db = open_store(None, sqlite_path=f"{folder}/kb.sqlite3")
...     _ = db.migrate()
...     miner = GapMiner()
...     pastes = [Unanswered(f"Disk {n} on <HOST> failed") for n in range(1, 4)]
...     gaps = [miner.record(db, paste, now=float(n)) for n, paste in enumerate(pastes, 1)]
...     [(g.count, g.template) for g in gaps][-1], len({g.cluster_key for g in gaps})
((3, 'Disk <*> on <HOST> failed'), 1)
"""

from __future__ import annotations

import hashlib
import logging
import threading

from drain3 import TemplateMiner
from drain3.template_miner_config import TemplateMinerConfig

from .store import MAX_GAPS, Gap, Store, Unanswered

# Share of equal words for a message to join a template. Drain3's 0.4 merged "service X
# stopped" with "service X failed to start" style pairs of different problems; 0.6 keeps the
# 50-hosts case (only masked parts differ) and one differing word in five.
SIMILARITY = 0.6


def gap_id(template: str) -> str:
    """A new cluster's key: a digest of the template Drain3 gave its first member.

    >>> gap_id("Cluster resource <NAME> failed")[:2], len(gap_id("x"))
    ('g-', 18)
    """
    return "g-" + hashlib.sha256(template.encode("utf-8")).hexdigest()[:16]


def _config() -> TemplateMinerConfig:
    config = TemplateMinerConfig()
    config.drain_sim_th = SIMILARITY
    config.drain_max_clusters = MAX_GAPS  # the store keeps no more; Drain3 forgets the oldest
    config.masking_instructions = []  # engine.masking has already masked, with our placeholders
    config.profiling_enabled = False
    return config


class GapMiner:
    """One process's Drain3 tree, kept in step with the gap store (see the module doc)."""

    def __init__(self):
        logging.getLogger("drain3").setLevel(logging.WARNING)  # it logs every new cluster
        self._drain = TemplateMiner(config=_config())
        self._keys: dict[int, str] = {}
        self._synced_to = float("-inf")
        self._lock = threading.Lock()

    def _catch_up(self, target: Store) -> None:
        for gap in target.gaps_since(self._synced_to):
            found = self._drain.add_log_message(gap.template)
            self._keys.setdefault(found["cluster_id"], gap.cluster_key)
            self._synced_to = max(self._synced_to, gap.first_seen)

    def record(self, target: Store, paste: Unanswered, *, now: float | None = None) -> Gap:
        """Count *paste* (its text already masked) in its cluster's gap; return the gap."""
        with self._lock:
            self._catch_up(target)
            found = self._drain.add_log_message(paste.text)
            template = found["template_mined"]
            key = self._keys.setdefault(found["cluster_id"], gap_id(template))
            gap = target.record_gap(key, template, paste, now=now)
            if gap.template != template:  # grown more general here, or in another process
                target.retemplate_gap(key, template)
                gap = Gap(**{**gap.to_dict(), "template": template})
            return gap
