"""A KB version's loaded state on disk: entries, glossary and compiled rule book in one pickle.

Building a rule book compiles every writer's regex and phrase (about 6 s for 10,000 entries,
most of it Python's regex compiler); loading this file takes about a second for the same KB.
It is written once per version by whoever builds the version, and read by every process that
serves it, so a later start never compiles the rules again.

Two things in a rule book do not pickle well, and are handled here:

- compiled regexes pickle as their source and are compiled again on load (the slow part):
  they are stored with their compiled program and rebuilt directly from it (CPython's own
  ``_sre.compile``, the last step of ``re.compile``);
- the durable_rules adapter holds a closure: it is stored as the expressions it would compute,
  and rebuilt around them. Its rulesets are per process anyway, created on first use.

The file is keyed by the engine's source code and the Python version (see
:func:`code_fingerprint`): after an upgrade it is simply not found, and the version is rebuilt.
A file that cannot be read for any reason is treated the same way. It is a cache: safe to delete.
"""

from __future__ import annotations

import gc
import hashlib
import io
import pickle
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

try:  # CPython's regex compiler, in its 3.11+ home
    import _sre
    from re import _compiler as sre_compile
    from re import _parser as sre_parse
except ImportError:  # pragma: no cover - another interpreter: regexes recompile on load
    _sre = None

from ..rules.durable_engine import DurableRules

FORMAT = 1
ENGINE = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """What a snapshot depends on besides the KB: the engine's code and the interpreter."""
    digest = hashlib.sha256(f"format={FORMAT};python={sys.version_info[:2]}".encode())
    for path in sorted(ENGINE.rglob("*.py")):
        digest.update(str(path.relative_to(ENGINE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


_programs: dict[tuple[str, int], tuple] = {}


def _program(pattern: re.Pattern) -> tuple | None:
    """What ``_sre.compile`` needs to make *pattern* again, computed once per pattern."""
    key = (pattern.pattern, pattern.flags)
    if key not in _programs:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        code = [int(op) for op in sre_compile._code(parsed, pattern.flags)]
        index_group = [None] * parsed.state.groups
        for name, number in parsed.state.groupdict.items():
            index_group[number] = name
        _programs[key] = (
            pattern.pattern,
            pattern.flags | parsed.state.flags,
            code,
            parsed.state.groups - 1,
            dict(parsed.state.groupdict),
            tuple(index_group),
        )
    return _programs[key]


def _rebuild_pattern(source, flags, code, groups, groupindex, indexgroup) -> re.Pattern:
    try:
        return _sre.compile(source, flags, code, groups, groupindex, indexgroup)
    except Exception:  # noqa: BLE001 - any doubt: compile it the ordinary way
        return re.compile(source, flags & ~re.UNICODE if isinstance(source, bytes) else flags)


def _rebuild_durable(tests: list, expressions: dict) -> DurableRules:
    return DurableRules(tests, expressions.__getitem__)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any):
        if type(obj) is re.Pattern and _sre is not None and isinstance(obj.pattern, str):
            try:
                return _rebuild_pattern, _program(obj)
            except Exception:  # noqa: BLE001 - pickled the ordinary way instead
                return NotImplemented
        if type(obj) is DurableRules:
            expressions = {key: obj._expression(key) for key in obj.fact_keys}
            return _rebuild_durable, (list(obj._tests), expressions)
        return NotImplemented


def dump(value: Any, path: Path) -> None:
    """Write *value* to *path* (through a temporary file: never half a snapshot)."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(buffer.getvalue())
    tmp.replace(path)


def load(path: Path) -> Any:
    """Read a snapshot; the cyclic garbage collector waits meanwhile (it would walk the
    million objects of a large KB several times while they are made: 3.8 s instead of 1 s),
    and they are frozen out of it after (they live as long as the version; a first full
    collection over them cost another 0.4 s, and a server froze them anyway)."""
    data = Path(path).read_bytes()
    enabled = gc.isenabled()
    gc.disable()
    try:
        value = pickle.loads(data)
        gc.freeze()
        return value
    finally:
        if enabled:
            gc.enable()
