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
- A ruleset of more than about 500 distinct tests hangs in ``create_ruleset``, an assert
  costs time in proportion to the ruleset's size, and each rule costs about 14 KB of C memory
  while its ruleset lives. So no ruleset outlives a paste: the paste's *completable*
  conjunctions (every fact they test is present) are compiled into rulesets of at most
  :data:`CHUNK` rules, the facts asserted, the actions run, and the rulesets deleted
  (deleting frees the memory, measured). Compiling costs ~17 us a rule and a paste completes
  a few dozen conjunctions at most, which measured faster than asserting into long-lived
  shards of 50 rules (10,000 entries: median 5.7 vs 7.8 ms, p99 10.7 vs 20.6 ms per paste,
  same hits) and keeps a server's memory flat instead of ~14 KB per rule of the KB (420 MB
  at 10,000 entries).
- Its regex dialect is wrong in places: no text is matched here (see ``textmatch``); facts are
  typed values (an event ID is an ``int``).
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from durable import engine as durable_engine
from durable.engine import MessageNotHandledException, MessageObservedException

log = logging.getLogger(__name__)

_LOCK = threading.RLock()
_NAMES = itertools.count(1)
CHUNK = 50  # rules per ruleset: well under the ~500 distinct tests that hang create_ruleset
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
    """Conjunctions of fact tests, run through durable_rules one paste at a time.

    ``alternatives`` is a list of conjunctions, each a tuple of fact keys, most selective
    first; ``expression(key)`` gives durable_rules' test for a key. :meth:`evaluate` takes
    the facts of one paste, keyed the same way, and returns, for every conjunction whose facts
    are all present, its index and the facts it fired on.

    Routing: each conjunction is filed under its first (most selective) test, so a paste
    finds its candidates by lookup, and only those whose every fact is present are compiled
    for it. durable_rules then runs the joins and fires the actions.
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

    def completable(self, facts: dict[str, dict]) -> list[int]:
        """The conjunctions whose every test has a fact in *facts*, in index order."""
        found = {
            index
            for key in facts
            for index in self._anchors.get(key, ())
            if all(test in facts for test in self._tests[index])
        }
        return sorted(found)

    def evaluate(self, facts: dict[str, dict]) -> list[tuple[int, tuple[dict, ...]]]:
        """Compile the paste's completable conjunctions, assert its facts, collect every
        conjunction that fired, delete the rulesets."""
        candidates = self.completable(facts)
        if not candidates:
            return []
        with _LOCK:
            self._fired = []
            try:
                for start in range(0, len(candidates), CHUNK):
                    chunk = candidates[start : start + CHUNK]
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
        """Compile and run one throw-away ruleset, so that the first paste does not pay for
        loading durable_rules' engine. Returns how many rulesets it created (1)."""
        with _LOCK:
            ruleset = _new_ruleset(
                {"r": {"all": [{"f0": fact_expression("warm", "up", 1)}], "run": lambda c: None}}
            )
            try:
                self._run(ruleset, [{"kind": "warm", "up": 1}])
            finally:
                _delete(ruleset)
        return 1

    def close(self) -> None:
        """Nothing outlives a paste; kept so that callers can close a rule book."""


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
