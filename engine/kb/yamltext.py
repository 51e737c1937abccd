"""YAML as writers type it: parsed with positions, and errors that say what to quote.

A parser message such as "mapping values are not allowed in this context" does not tell a writer that
``title: Event 1196: name failed`` needs quotes. :func:`compose` turns every YAML error into
an :class:`EntryError` at the line to fix, naming the fix::

    >>> try:
    ...     compose("title: Event 1196: name failed\\n", "kb/x.md", "front matter")
    ... except EntryError as exc:
    ...     print(exc)
    kb/x.md:1:18: front matter is not valid YAML: mapping values are not allowed in this context; \
quote the text: title: "Event 1196: name failed"
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ..errors import EntryError

# libyaml's C loader when PyYAML has it (30x faster on a 10,000-entry KB), same results.
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# "  - key: value" -> indent (with any list dashes), key, value
_LINE = re.compile(
    r"^(?P<lead>\s*(?:-\s+)*)(?:(?P<key>[^\s:#'\"\[\]{}][^:#]*?):(?:\s+|$))?(?P<value>.*?)\s*$"
)
# Errors whose cause sits where something was opened, not where the parser gave up.
_OPENED_AT_CONTEXT = ("while parsing a flow", "while scanning a quoted scalar")


def compose(text: str, path: Path | str | None, what: str, first_line: int = 1) -> Any:
    """The YAML node tree of *text* (None when empty); a syntax error is an :class:`EntryError`.

    *first_line* is the file line of the text's first line (front matter starts on line 1:
    the text handed to YAML starts with the newline that ends the opening ``---``).
    """
    loader = YamlLoader(text)
    try:
        return loader.get_single_node()
    except yaml.YAMLError as exc:
        raise yaml_error(exc, text, path, what, first_line) from None
    finally:
        loader.dispose()


def construct(node: Any) -> Any:
    """The Python value of a composed node (strings, numbers, lists, mappings)."""
    loader = YamlLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def yaml_error(
    exc: yaml.YAMLError, text: str, path: Path | str | None, what: str, first_line: int = 1
) -> EntryError:
    """A YAML syntax error as one line: where, the parser's words, and what to quote."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = first_line + (mark.line if mark else 0)
    col = (mark.column + 1) if mark else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    hint = quote_hint(exc, text, first_line, line)
    return EntryError(
        path, line, f"{what} is not valid YAML: {problem}" + (f"; {hint}" if hint else ""), col
    )


def quote_hint(exc: yaml.YAMLError, text: str, first_line: int, reported_line: int) -> str:
    """What the writer most likely has to write instead, or ''."""
    problem = str(getattr(exc, "problem", "") or "")
    if "'\\t'" in problem or "tab character" in problem:
        return "indent with spaces: YAML does not allow tabs there"
    mark = getattr(exc, "problem_mark", None)
    context = str(getattr(exc, "context", "") or "")
    if context.startswith(_OPENED_AT_CONTEXT) and getattr(exc, "context_mark", None):
        mark = exc.context_mark
    if mark is None:
        return ""
    lines = text.split("\n")
    if not 0 <= mark.line < len(lines):
        return ""
    found = _LINE.match(lines[mark.line])
    value = found.group("value") if found else ""
    if not value:
        return ""
    where = "" if first_line + mark.line == reported_line else f" on line {first_line + mark.line}"
    key = f"{found.group('key')}: " if found.group("key") else ""
    if value[0] in "\"'":
        if value[-1] == value[0] and len(value) > 1:  # quoted, but the text holds that quote too
            inner = value[1:-1]
            fixed = f"'{inner}'" if value[0] == '"' else "'" + inner.replace("'", "''") + "'"
            return (
                f"the text{where} holds its own {value[0]}: write {found.group('lead')}{key}{fixed}"
            )
        return f"the quotes{where} are not closed: end the text with {value[0]}"
    quote = f"{found.group('lead')}{key}{quoted(value)}"
    for opener, closer, what in (("[", "]", "list"), ("{", "}", "mapping")):
        if context.startswith(f"while parsing a flow {'sequence' if what == 'list' else what}"):
            return (
                f"the {what} opened with '{opener}'{where} is not closed: end it with '{closer}', "
                f"or quote the whole text if it is not a {what}: {quote}"
            )
    return f"quote the text{where}: {quote}"


def quoted(value: str) -> str:
    """*value* as a YAML quoted scalar a writer can paste back.

    >>> print(quoted('Error: access denied'), quoted('the "Cluster" failed'))
    "Error: access denied" 'the "Cluster" failed'
    """
    if '"' in value and "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
