"""The one module that imports durable_rules, and the lock around it.

durable_rules' quirks, and what this adapter does about each (measured details in
``docs/rules.md``):

- It is not thread-safe: every call into it holds :data:`_LOCK`.
- Its ``Host`` starts background threads that poll every ruleset: we do not use a Host. We
  create ``Ruleset`` objects directly and run their actions synchronously.
- Ruleset names are process-global and a ruleset cannot be redefined: every ruleset gets a
  fresh name, and is deleted when its rule book is closed (or, for a per-paste ruleset, when
  the paste is done).
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
- Each rule costs about 14 KB of C memory: shards are created on first use, up to
  ``max_live_rules`` rules (``$KB_MAX_LIVE_RULES``, read when a rule book is built). Beyond that (a KB of more than ~5,000 entries), a paste's
  conjunctions that can complete and live in no shard are compiled into a ruleset made for
  that paste and deleted after it (compiling costs ~17 us a rule; deleting frees the memory,
  measured). This replaced evicting and recreating whole shards, which cost 14 shard compiles
  per paste at 100,000 entries.
- Its regex dialect is wrong in places: no text is matched here (see ``textmatch``); facts are
  typed values (an event ID is an ``int``).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from durable import engine as durable_engine
from durable.engine import MessageNotHandledException, MessageObservedException

from ..errors import KBError

log = logging.getLogger(__name__)

_LOCK = threading.RLock()
_NAMES = itertools.count(1)
SHARD_SIZE = 50
DEFAULT_MAX_LIVE_RULES = 40_000
# Every paste is evaluated in the same session and its facts are retracted afterwards.
# (delete_state would be the obvious way to forget a session, but in 2.0.28 it frees memory
# twice when a join is half-complete - a crash, measured - while retract_facts is clean and
# keeps memory flat over 40,000 evaluations.)
SESSION = "paste"
_NO_SUCH_STATE = 309  # durable_rules' answer to delete_state for a session that never held a fact


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

    def __init__(
        self,
        alternatives: list[tuple[str, ...]],
        expression: Callable[[str], dict],
        max_live_rules: int | None = None,
    ):
        self._tests = alternatives
        self._expression = expression
        self._anchors: dict[str, list[int]] = {}
        self._keys: set[str] = set()
        for index, tests in enumerate(alternatives):
            if tests:
                self._anchors.setdefault(tests[0], []).append(index)
                self._keys.update(tests)
        self._shard_count = (len(alternatives) + SHARD_SIZE - 1) // SHARD_SIZE
        self._live: dict[int, Any] = {}  # shard index -> durable Ruleset
        live = max_live_rules if max_live_rules is not None else max_live_rules_from_env()
        self._max_live = max(1, live // SHARD_SIZE)  # shards
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

    def _definition(self, indexes: Iterable[int]) -> dict[str, dict]:
        definition = {}
        for index in indexes:
            tests = self._tests[index]
            definition[f"r{index}"] = {
                "all": [{f"f{i}": self._expression(key)} for i, key in enumerate(tests)],
                "run": self._action(index, len(tests)),
            }
        return definition

    def _shard_indexes(self, shard: int) -> range:
        return range(shard * SHARD_SIZE, min((shard + 1) * SHARD_SIZE, len(self._tests)))

    def _ruleset(self, shard: int):
        """The live ruleset of a shard, created on first use while under the live limit."""
        ruleset = self._live.get(shard)
        if ruleset is None:
            ruleset = _new_ruleset(self._definition(self._shard_indexes(shard)))
            self._live[shard] = ruleset
        return ruleset

    def evaluate(self, facts: dict[str, dict]) -> list[tuple[int, tuple[dict, ...]]]:
        """Assert the paste's facts, collect every conjunction that fired, forget the facts."""
        routed: dict[int, list[int]] = {}  # shard -> its conjunctions that can complete
        for key in facts:
            for index in self._anchors.get(key, ()):
                if all(test in facts for test in self._tests[index]):
                    routed.setdefault(index // SHARD_SIZE, []).append(index)
        if not routed:
            return []
        with _LOCK:
            self._fired = []
            try:
                cold: list[int] = []
                for shard in sorted(routed):
                    if shard in self._live or len(self._live) < self._max_live:
                        self._run(self._ruleset(shard), self._facts_for(routed[shard], facts))
                    else:
                        cold.extend(routed[shard])
                # Over the live limit, only the conjunctions that can complete are compiled,
                # in a ruleset that lives for this paste: a few rules instead of whole shards
                # (compiling costs ~17 us a rule; whole evicted shards made the p99).
                cold = sorted(set(cold))
                for start in range(0, len(cold), SHARD_SIZE):
                    chunk = cold[start : start + SHARD_SIZE]
                    ruleset = _new_ruleset(self._definition(chunk))
                    try:
                        self._run(ruleset, self._facts_for(chunk, facts))
                    finally:
                        _delete(ruleset)
                return sorted(self._fired, key=lambda item: item[0])
            finally:
                self._fired = None

    def _facts_for(self, indexes: Iterable[int], facts: dict[str, dict]) -> list[dict]:
        """The paste's facts these conjunctions test (a fact no rule uses would raise)."""
        return [facts[k] for k in sorted({t for i in indexes for t in self._tests[i]})]

    def _run(self, ruleset, facts: list[dict]) -> None:
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

    def close(self) -> None:
        """Free the rulesets (durable_rules keeps them for the life of the process otherwise)."""
        with _LOCK:
            while self._live:
                _, ruleset = self._live.popitem()
                _delete(ruleset)


def max_live_rules_from_env() -> int:
    """``$KB_MAX_LIVE_RULES``, else 40,000 (read when called, never at import)."""
    raw = os.environ.get("KB_MAX_LIVE_RULES", "").strip()
    if not raw:
        return DEFAULT_MAX_LIVE_RULES
    if not raw.isdigit() or int(raw) < 1:
        raise KBError(
            f"$KB_MAX_LIVE_RULES must be a whole number of rules (1 or more), not {raw!r}"
        )
    return int(raw)


def _new_ruleset(definition: dict[str, dict]):
    """A durable_rules ruleset under a fresh name (names are process-global, never reusable)."""
    return durable_engine.Ruleset(f"kb{next(_NAMES)}", None, definition)


def _delete(ruleset) -> None:
    """Free a ruleset whose facts were all retracted, its session state first.

    delete_ruleset alone leaves the state of a session that ever held facts behind: ~80 KB a
    ruleset, which grew a server by 1.2 GB a minute under load (measured). delete_state is safe
    here because every fact was retracted, so no join is half-complete (the case in which it
    frees memory twice).
    """
    try:
        ruleset.delete_state(SESSION)
    except durable_engine.durable_rules_engine.error as exc:
        if not str(exc).endswith(f"error code: {_NO_SUCH_STATE}"):  # never held a fact: no state
            raise
    durable_engine.durable_rules_engine.delete_ruleset(ruleset._handle)


def _plain(value: Any) -> dict:
    """A durable closure's fact as a plain dict without durable's bookkeeping keys."""
    data = value._d if hasattr(value, "_d") else dict(value)
    return {k: v for k, v in data.items() if k not in ("sid", "id", "$s")}
