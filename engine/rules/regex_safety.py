"""Refuse writer regexes that can backtrack catastrophically, before they ever run.

Python's ``re`` has no match timeout, so a pattern like ``(a+)+$`` can hang a request on a
crafted paste. We reject the shapes that cause exponential backtracking instead:

- a repeat inside a repeat, where both can repeat more than once: ``(a+)+``, ``(\\w*x?)*``;
- an unbounded repeat over alternatives that can start with the same character:
  ``(a|ab)*``, ``(\\w|\\d)+``.

>>> check_regex(r"DNS (?:signature|server) fail").pattern
'DNS (?:signature|server) fail'
>>> check_regex(r"(a+)+$")
Traceback (most recent call last):
...
engine.rules.regex_safety.RegexRejected: nested quantifiers can backtrack catastrophically: (a+)+ style repeats are not allowed
"""

from __future__ import annotations

import re
from functools import lru_cache

try:  # Python 3.11+: the parser lives in re._parser (sre_parse warns on import)
    from re import _constants as sre_constants
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

MAX_PATTERN_CHARS = 500

_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
if hasattr(sre_constants, "POSSESSIVE_REPEAT"):
    _REPEATS.add(sre_constants.POSSESSIVE_REPEAT)


class RegexRejected(ValueError):
    """The pattern does not compile, or is unsafe to run on user text."""


@lru_cache(maxsize=100_000)
def check_regex(pattern: str) -> re.Pattern[str]:
    """Compile *pattern* case-insensitively, or raise :class:`RegexRejected` saying why."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise RegexRejected(f"longer than {MAX_PATTERN_CHARS} characters")
    try:
        compiled = re.compile(pattern, re.IGNORECASE)
        tree = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RegexRejected(f"does not compile: {exc}") from None
    _walk(tree, inside_repeat=False)
    if compiled.fullmatch(""):
        raise RegexRejected("matches the empty text, so it would match every paste")
    return compiled


def _walk(tree, inside_repeat: bool) -> None:
    for op, av in tree:
        if op in _REPEATS:
            multi = av[1] > 1
            if multi and inside_repeat:
                raise RegexRejected(
                    "nested quantifiers can backtrack catastrophically: (a+)+ style repeats are not allowed"
                )
            if multi and av[1] == sre_constants.MAXREPEAT:
                _check_branches(av[2])
            _walk(av[2], inside_repeat or multi)
        elif op == sre_constants.SUBPATTERN:
            _walk(av[-1], inside_repeat)
        elif op == sre_constants.BRANCH:
            for branch in av[1]:
                _walk(branch, inside_repeat)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            _walk(av[1], inside_repeat)
        elif hasattr(sre_constants, "ATOMIC_GROUP") and op == sre_constants.ATOMIC_GROUP:
            _walk(av, inside_repeat)


def _check_branches(tree) -> None:
    """Inside an unbounded repeat, alternatives that can start alike (or match nothing) are
    exponential: ``(a|ab)*``, ``(\\w|\\d)+``, and ``(a|a)*`` which the parser rewrites as
    ``(a(?:|))*``."""
    for op, av in tree:
        if op == sre_constants.BRANCH:
            firsts = [_first(branch) for branch in av[1]]
            for i, a in enumerate(firsts):
                for b in firsts[i + 1 :]:
                    if a is None or b is None or a & b:
                        raise RegexRejected(
                            "a repeated group whose alternatives can start alike (or be empty) "
                            "backtracks catastrophically: make the alternatives distinct, e.g. (?:ab|cd)+"
                        )
            for branch in av[1]:
                _check_branches(branch)
        elif op == sre_constants.SUBPATTERN:
            _check_branches(av[-1])


def _first(branch) -> set | None:
    """Characters a branch can start with, or None for 'anything/unknown' (an empty branch
    matches nothing, so it overlaps with everything)."""
    if not branch:
        return None
    for op, av in branch:
        if op == sre_constants.LITERAL:
            return {chr(av).casefold()}
        if op == sre_constants.SUBPATTERN:
            return _first(av[-1])
        if op == sre_constants.IN:
            chars = set()
            for iop, iav in av:
                if iop == sre_constants.LITERAL:
                    chars.add(chr(iav).casefold())
                else:
                    return None
            return chars
        return None
    return None


@lru_cache(maxsize=100_000)
def required_literal(pattern: str, minimum: int = 3) -> str | None:
    """The longest literal text every match of *pattern* must contain (case-folded), or None.

    Used as a prefilter: a regex whose literal is not in the paste cannot match, so it is not
    run. ``r"\\bclussvc\\b.{0,40}0x8007"`` needs "clussvc" (and "0x8007"); the longer wins.
    """
    try:
        tree = sre_parse.parse(pattern, re.IGNORECASE)
    except re.error:
        return None
    runs: list[str] = []
    _literal_runs(tree, runs)
    best = max(runs, key=len, default="")
    return best.casefold() if len(best) >= minimum else None


def _literal_runs(tree, runs: list[str]) -> None:
    current: list[str] = []

    def flush() -> None:
        if current:
            runs.append("".join(current))
            current.clear()

    for op, av in tree:
        if op == sre_constants.LITERAL:
            current.append(chr(av))
        elif op == sre_constants.AT:
            continue  # \b, ^, $ match no characters: the run goes on
        elif op == sre_constants.SUBPATTERN:
            flush()
            _literal_runs(av[-1], runs)
        elif op in _REPEATS and av[0] >= 1:
            flush()
            _literal_runs(av[2], runs)  # the body occurs at least once
        else:
            flush()  # alternation, class, optional part: nothing certain here
    flush()
