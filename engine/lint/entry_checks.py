"""Checks on one entry: its keys and values, its sections, its links to other entries."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..entry import FRONT_MATTER_KEYS, INGEST_KEYS, REQUIRED_SECTIONS, SECTIONS, SIGNATURE_KEYS
from ..kb import FENCE, HEADING, ID_PATTERN
from .source import Source, hint, node_at, unquoted_codes

_HTTP = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$", re.IGNORECASE)
_HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
# "# Symptom", "##Fix": meant as a section, not written as one ("### Fix" is a sub-heading)
_ALMOST_HEADING = re.compile(r"^\s{0,3}(?:#[ \t]+|#{1,6}(?=[^#\s]))(?P<name>[^#\n]+?)[ \t#]*$")
_LINK = re.compile(
    r"(?P<image>!?)\[[^\]\n]*\]\(\s*<?(?P<target>[^)\s>]*)>?(?:\s+[\"'][^\"'\n]*[\"'])?\s*\)"
)
_REF_LINK = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*<?(?P<target>[^\s>]+)>?(?:\s.*)?$")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def check_entry(src: Source, ids: dict[str, str]) -> None:
    """Everything about one entry except its rules; *ids* maps each id to its first file."""
    if src.node is None:
        return  # the file did not parse: its one problem is already reported
    _check_keys(src)
    _check_values(src)
    _check_examples(src)
    _check_see_also(src, ids)
    _check_links(src, ids)
    _check_sections(src)


def add_engine_verdicts(src: Source) -> None:
    """The reader's own reasons to refuse the file, unless lint said it more precisely."""
    for exc in src.errors:
        if exc.field is None or exc.field not in src.covered:
            src.add((exc.line, exc.col), exc.message)


def _check_keys(src: Source) -> None:
    for key in src.front_matter:
        if key not in FRONT_MATTER_KEYS:
            src.add(src.where_key(key), f"unknown key '{key}'{hint(key, FRONT_MATTER_KEYS)}")
    for parent, allowed in (("signatures", SIGNATURE_KEYS), ("ingest", INGEST_KEYS)):
        value = src.front_matter.get(parent)
        for key in value if isinstance(value, dict) else ():
            if key not in allowed:
                src.add(
                    src.where_key(parent, key),
                    f"unknown key '{key}' in {parent}{hint(key, allowed)}",
                )
    signatures = src.front_matter.get("signatures")
    events = signatures.get("events") if isinstance(signatures, dict) else None
    for index, event in enumerate(events if isinstance(events, list) else ()):
        for key in event if isinstance(event, dict) else ():
            if key not in ("id", "source"):
                src.add(
                    src.where_key("signatures", "events", index, key),
                    f"unknown key '{key}' in signatures.events{hint(key, ('id', 'source'))}",
                )


def _check_values(src: Source) -> None:
    data = src.front_matter
    source = data.get("source")
    has_source = isinstance(source, str) and bool(source.strip())
    if has_source and not _HTTP.match(source.strip()):
        src.add(
            src.where("source"),
            f"source '{source.strip()}' must be an http(s) URL (the article this entry comes from)",
        )
    if data.get("ingest") is not None and not has_source:
        src.add(
            src.where_key("ingest"),
            "an ingested entry (it has 'ingest:') needs 'source', the URL of its article",
        )
    for root in ("signatures", "rules"):
        for node in unquoted_codes(node_at(src.node, (root,))):
            number = yaml.safe_load(node.value)
            src.add(
                src.position(node),
                f"code {node.value} must be quoted ('{node.value}'): without quotes "
                f"YAML reads it as the number {number}, which no paste contains",
            )
    language = data.get("language")
    if language is not None and not (
        isinstance(language, str) and _LANGUAGE.match(language.strip())
    ):
        src.add(
            src.where("language"), f"language {language!r} must be a language code such as en or zh"
        )


def _check_examples(src: Source) -> None:
    examples = src.front_matter.get("examples")
    if examples is None:
        return
    if not isinstance(examples, list):
        src.add(
            src.where("examples"), "'examples' must be a list of pastes: start each one with '- '"
        )
        src.covered.add("examples")
        return
    for index, example in enumerate(examples):
        where = src.where("examples", index)
        if example is None or (isinstance(example, str) and not example.strip()):
            src.add(where, f"example {index + 1} is empty")
            src.covered.add("examples")
        elif not isinstance(example, str):
            src.add(
                where,
                f"example {index + 1} is {describe(example)}, not a text: quote the paste, "
                "or write it as a block after '|'",
            )
            src.covered.add("examples")


def describe(value: Any) -> str:
    """What a YAML value turned out to be, in words a writer knows."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping (a ': ' in unquoted text makes one)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    return "empty" if value is None else type(value).__name__


# --- links ---------------------------------------------------------------------------------


def _check_see_also(src: Source, ids: dict[str, str]) -> None:
    see_also = src.front_matter.get("see_also")
    targets = list(enumerate(see_also)) if isinstance(see_also, list) else [(None, see_also)]
    for index, target in targets:
        if not isinstance(target, str) or not target.strip() or target.strip() in ids:
            continue
        where = src.where("see_also", index) if index is not None else src.where("see_also")
        src.add(
            where, f"see_also: no entry has the id '{target.strip()}'{hint(target.strip(), ids)}"
        )


def _check_links(src: Source, ids: dict[str, str]) -> None:
    in_fence = False
    for offset, text in enumerate(src.body.split("\n")):
        if FENCE.match(text):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)
        found = [
            (m.start() + 1, m.group("target")) for m in _LINK.finditer(text) if not m.group("image")
        ]
        reference = _REF_LINK.match(text)
        if reference:
            found.append((reference.start("target") + 1, reference.group("target")))
        for col, target in found:
            entry_id = linked_id(target)
            if entry_id is None or entry_id in ids:
                continue
            if "." in entry_id and not re.split(r"[#?]", target)[0].endswith(".md"):
                continue  # a file such as diagram.png, not an entry
            src.add(
                (src.body_line + offset, col),
                f"broken link to '{target}': no entry has the id '{entry_id}'{hint(entry_id, ids)}",
            )


def linked_id(target: str) -> str | None:
    """The entry id a Markdown link target names (``id``, ``id.md``, ``/kb/id``), or None.

    >>> linked_id("/kb/dns-1196#fix"), linked_id("dns-1196.md"), linked_id("https://x.org/a")
    ('dns-1196', 'dns-1196', None)
    """
    target = target.strip()
    if not target or target.startswith(("#", "//")) or _SCHEME.match(target):
        return None
    target = re.split(r"[#?]", target, maxsplit=1)[0].removeprefix("./")
    if target.startswith("/kb/"):
        target = target[4:].rstrip("/")
    if "/" in target:
        return None
    target = target.removesuffix(".md")
    return target if ID_PATTERN.match(target) else None


# --- sections ------------------------------------------------------------------------------


def _headings(src: Source) -> tuple[list[tuple[str, int, str]], list[tuple[int, str]]]:
    """Every ``## Section`` as (name, line, text), and lines that look meant as one."""
    sections: list[tuple[str, int, list[str]]] = []
    almost: list[tuple[int, str]] = []
    in_fence = False
    for offset, line in enumerate(src.body.split("\n")):
        if FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else HEADING.match(line)
        if heading:
            sections.append((heading.group(1).strip(), src.body_line + offset, []))
            continue
        near = None if in_fence else _ALMOST_HEADING.match(line)
        if near and _section_name(near.group("name")):
            almost.append((src.body_line + offset, line.strip()))
        if sections:
            sections[-1][2].append(line)
    return [(name, at, "\n".join(lines)) for name, at, lines in sections], almost


def _section_name(name: str) -> str | None:
    names = {s.lower(): s for kind in SECTIONS.values() for s in kind}
    return names.get(name.strip().strip(":").lower())


def _check_sections(src: Source) -> None:
    sections, almost = _headings(src)
    for line, text in almost:
        name = _section_name(_ALMOST_HEADING.match(text).group("name"))
        src.add(line, f"'{text}' is not a section heading: write '## {name}' (two '#' and a space)")
    kind = src.sections_kind()
    if kind is None:
        return
    allowed = SECTIONS[kind]
    seen: dict[str, int] = {}
    for name, line, text in sections:
        canonical = next((s for s in allowed if s.lower() == name.lower()), None)
        if canonical is None:
            other = next(
                (
                    k
                    for k, names in SECTIONS.items()
                    if k != kind and name.lower() in (n.lower() for n in names)
                ),
                None,
            )
            if other:
                src.add(
                    line,
                    f"section '{name}' belongs in a {other} entry: a {kind} entry has "
                    f"{', '.join(allowed)}",
                )
            else:
                listed = hint(name, allowed) or f": a {kind} entry has {', '.join(allowed)}"
                src.add(line, f"unknown section '{name}'{listed}")
        elif canonical in seen:
            src.add(
                line,
                f"section '{canonical}' appears twice (first at line {seen[canonical]}): only the first is used",
            )
        else:
            seen[canonical] = line
            if canonical != name:
                src.add(line, f"section '{name}' should be written '{canonical}'")
            if canonical in REQUIRED_SECTIONS[kind] and not _HTML_COMMENT.sub("", text).strip():
                src.add(line, f"section '{canonical}' is empty")
    preamble = _preamble_line(src)
    if preamble is not None and preamble not in {line for line, _ in almost}:
        src.add(preamble, f"text before the first section: put it under '## {allowed[0]}'")
    required = REQUIRED_SECTIONS[kind]
    needs = ", ".join(required[:-1]) + " and " + required[-1]
    for name in required:
        if name not in seen:
            src.add(src.first_body_line, f"missing section '{name}': a {kind} entry needs {needs}")


def _preamble_line(src: Source) -> int | None:
    in_fence = False
    for offset, line in enumerate(src.body.split("\n")):
        if FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and HEADING.match(line):
            return None
        if _HTML_COMMENT.sub("", line).strip():
            return src.body_line + offset
    return None
