"""The one module that imports durable_rules, and the lock around it.

durable_rules' quirks, and what this adapter does about each (measured details in
``docs/rules.md``):

- It is not thread-safe: every call into it holds :data:`_LOCK`.
- Its ``Host`` starts background threads that poll every ruleset: we do not use a Host. We
  create ``Ruleset`` objects directly and run their actions synchronously.
- Ruleset names are process-global and a ruleset cannot be redefined: every ruleset gets a
  fresh name, and is deleted when evicted or when its rule book is closed.
- ``post`` consumes an event so only one rule would fire: we assert *facts*, which let every
  matching rule fire.
- Asserting an identical fact twice raises: every fact of a paste is retracted after it is
  evaluated, so two identical pastes in a row see fresh state and nothing leaks from one
  paste to the next. (``delete_state`` crashes the process when a join is half-complete.)
- A batch holding one fact that no rule uses raises and loses the actions of the others: we
  assert into each ruleset only the facts its completable rules test.
- A ruleset of more than about 500 distinct tests hangs in ``create_ruleset``, and an assert
  costs time in proportion to the ruleset's size: rules are spread over shards of
  :data:`SHARD_SIZE`.
- Each rule costs about 14 KB of C memory: shards are created on first use and at most
  :data:`MAX_LIVE_RULES` rules are kept alive (least recently used shards are deleted and
  recreated when needed; deleting frees the memory, measured).
- Its regex dialect is wrong in places: no text is matched here (see ``textmatch``); facts are
  typed values (an event ID is an ``int``).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections import OrderedDict
from typing import Any, Callable

from durable import engine as durable_engine
from durable.engine import MessageNotHandledException, MessageObservedException

log = logging.getLogger(__name__)

_LOCK = threading.RLock()
_NAMES = itertools.count(1)
SHARD_SIZE = 50
MAX_LIVE_RULES = int(os.environ.get("KB_MAX_LIVE_RULES", "40000"))
# Every paste is evaluated in the same session and its facts are retracted afterwards.
# (delete_state would be the obvious way to forget a session, but in 2.0.28 it frees memory
# twice when a join is half-complete - a crash, measured - while retract_facts is clean and
# keeps memory flat over 40,000 evaluations.)
SESSION = "paste"


def fact_expression(kind: str, attribute: str, value: Any) -> dict:
    """durable_rules' JSON for "a fact of this kind whose attribute equals value"."""
    return {"$and": [{"kind": kind}, {attribute: value}]}


class DurableRules:
    """Conjunctions of fact tests, compiled into durable_rules rulesets.

    ``alternatives`` is a list of conjunctions, each a tuple of fact keys, most selective
    first; ``expression(key)`` gives durable_rules' test for a key. :meth:`evaluate` takes
    the facts of one paste, keyed the same way, and returns, for every conjunction whose facts
    are all present, its index and the facts it fired on.

    Routing: with thousands of rules, a common fact (a product, a source) is tested by rules
    in every shard. Asserting it everywhere costs time per shard, so facts are routed only to
    the shards holding a conjunction that can complete: each conjunction is filed under its
    first (most selective) test, and a paste's candidate conjunctions are checked for
    completeness before anything is asserted. durable_rules then runs the joins and fires the
    actions; the routing only spares it the shards where nothing can fire.
    """

    def __init__(self, alternatives: list[tuple[str, ...]], expression: Callable[[str], dict]):
        self._tests = alternatives
        self._expression = expression
        self._anchors: dict[str, list[int]] = {}
        self._keys: set[str] = set()
        for index, tests in enumerate(alternatives):
            if tests:
                self._anchors.setdefault(tests[0], []).append(index)
                self._keys.update(tests)
        self._shard_count = (len(alternatives) + SHARD_SIZE - 1) // SHARD_SIZE
        self._live: OrderedDict[int, Any] = OrderedDict()  # shard index -> durable Ruleset
        self._max_live = max(1, MAX_LIVE_RULES // SHARD_SIZE)
        self._fired: list[tuple[int, tuple[dict, ...]]] | None = None

    @property
    def fact_keys(self) -> set[str]:
        """Every fact key some rule tests; other facts are never asserted."""
        return self._keys

    def _action(self, index: int, arity: int):
        def run(closure) -> None:
            facts = tuple(_plain(getattr(closure, f"f{i}")) for i in range(arity))
            if self._fired is not None:
                self._fired.append((index, facts))

        return run

    def _definition(self, shard: int) -> dict[str, dict]:
        start = shard * SHARD_SIZE
        definition = {}
        for index in range(start, min(start + SHARD_SIZE, len(self._tests))):
            tests = self._tests[index]
            definition[f"r{index}"] = {
                "all": [{f"f{i}": self._expression(key)} for i, key in enumerate(tests)],
                "run": self._action(index, len(tests)),
            }
        return definition

    def _ruleset(self, shard: int):
        """The live ruleset of a shard, created on first use; the least used are evicted."""
        ruleset = self._live.get(shard)
        if ruleset is not None:
            self._live.move_to_end(shard)
            return ruleset
        while len(self._live) >= self._max_live:
            _, evicted = self._live.popitem(last=False)
            durable_engine.durable_rules_engine.delete_ruleset(evicted._handle)
        ruleset = durable_engine.Ruleset(f"kb{next(_NAMES)}", None, self._definition(shard))
        self._live[shard] = ruleset
        return ruleset

    def evaluate(self, facts: dict[str, dict]) -> list[tuple[int, tuple[dict, ...]]]:
        """Assert the paste's facts, collect every conjunction that fired, forget the facts."""
        needed: dict[int, set[str]] = {}
        for key in facts:
            for index in self._anchors.get(key, ()):
                tests = self._tests[index]
                if all(test in facts for test in tests):
                    needed.setdefault(index // SHARD_SIZE, set()).update(tests)
        if not needed:
            return []
        with _LOCK:
            self._fired = []
            try:
                for shard in sorted(needed):
                    self._run_shard(shard, [facts[k] for k in sorted(needed[shard])])
                return sorted(self._fired, key=lambda item: item[0])
            finally:
                self._fired = None

    def _run_shard(self, shard: int, facts: list[dict]) -> None:
        ruleset = self._ruleset(shard)
        session = [dict(f, sid=SESSION) for f in facts]
        errors: list[BaseException] = []

        def done(error, _state) -> None:
            if error:
                errors.append(error)

        try:
            for attempt in (1, 2):
                try:
                    handle = ruleset.assert_facts(session)
                    ruleset.do_actions(handle, done)
                    break
                except MessageNotHandledException:
                    break  # no rule used these facts: a normal "no match"
                except MessageObservedException:
                    # facts left behind by an interrupted call: clear them and try once more
                    log.warning("durable_rules still held facts from an earlier paste; retrying")
                    self._retract(ruleset, session)
                    if attempt == 2:
                        raise
        finally:
            self._retract(ruleset, session)
        if errors:
            raise RuntimeError(f"rule action failed: {errors[0]}")

    @staticmethod
    def _retract(ruleset, session: list[dict]) -> None:
        try:
            ruleset.retract_facts(session)
        except MessageNotHandledException:
            pass

    def warm_up(self) -> int:
        """Create shards now, up to the live limit, so that first requests do not pay for it."""
        with _LOCK:
            for shard in range(min(self._shard_count, self._max_live)):
                self._ruleset(shard)
            return len(self._live)

    @property
    def live_rules(self) -> int:
        return len(self._live) * SHARD_SIZE

    def close(self) -> None:
        """Free the rulesets (durable_rules keeps them for the life of the process otherwise)."""
        with _LOCK:
            while self._live:
                _, ruleset = self._live.popitem()
                durable_engine.durable_rules_engine.delete_ruleset(ruleset._handle)


def _plain(value: Any) -> dict:
    """A durable closure's fact as a plain dict without durable's bookkeeping keys."""
    data = value._d if hasattr(value, "_d") else dict(value)
    return {k: v for k, v in data.items() if k not in ("sid", "id", "$s")}

