"""``kb lint``: every mistake a writer can make in ``kb/``, with the line it is on.

Each problem prints as ``path:line:col: message``, the shape editors jump to::

    kb/dns-1196.md:4:1: unknown key 'titel' (did you mean 'title'?)
    kb/dns-1196.md:21:5: rule 2 ('any-dns') is over-broad: it fires on 14 of 30 unrelated pastes

Lint reads files with the engine's own reader, rule compiler and glossary (``engine.kb``,
``engine.rules.spec.parse_rule``, ``engine.glossary``): a file that lints clean is a file the
engine loads, and every reason the engine has to refuse a file is reported in its words, at
the same ``path:line:col``. What lint adds are the checks the engine is lenient about: unknown
keys and sections, empty sections, broken links, unknown products, rules that are empty or
would fire on most pastes.

- :mod:`.source`: one file as the reader left it, and the problems lint adds;
- :mod:`.entry_checks`: keys, values, sections, links, duplicate ids;
- :mod:`.rule_checks`: rules compile and are narrow (a corpus of unrelated pastes);
- :mod:`.glossary_checks`: ``kb/glossary.yaml``, and entries' product names against it;
- :mod:`.examples`: ``kb test``, each entry's examples rank it first and confidently.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from ..entry import Entry
from ..kb import GLOSSARY_FILE, EntryFile, entry_files, require_folder
from ..kb.folder import assign_ids
from .entry_checks import add_engine_verdicts, check_entry
from .examples import ExampleResult, check_examples
from .glossary_checks import check_products, lint_glossary
from .problem import LintReport, Problem
from .rule_checks import check_breadth, check_rules
from .source import Source, parse

__all__ = [
    "ExampleResult",
    "LintReport",
    "Problem",
    "check_examples",
    "key",
    "lint_kb",
    "lint_paths",
]


def lint_paths(kb_dir: Path | str, paths: Iterable[Path | str] | None = None) -> list[Problem]:
    """Every problem in the KB (or only in *paths*), sorted by path and line."""
    return lint_kb(kb_dir, paths).problems


def lint_kb(
    kb_dir: Path | str,
    paths: Iterable[Path | str] | None = None,
    *,
    known: Mapping[str, EntryFile | tuple[str | None, Entry | None]] | None = None,
) -> LintReport:
    """Check every entry of *kb_dir* and its glossary, or only the files in *paths*.

    The other entries are read either way: duplicate ids and links are judged against the
    whole KB, and the first file (by path) with an id owns it, as when the engine loads.
    *known* holds files (by :func:`key`) the caller has read already, so that live reload
    checks one file of thousands without reading them all: a checked file as its
    :class:`~engine.kb.EntryFile`, any other as its id and entry (None when refused).
    """
    kb_dir = require_folder(kb_dir)
    glossary_path = kb_dir / GLOSSARY_FILE
    kb_files = list(entry_files(kb_dir))
    problems: list[Problem] = []
    if paths is None:
        targets, check_glossary = kb_files, glossary_path.exists()
    else:
        targets, check_glossary = _expand(paths, glossary_path, problems)

    files = {_key(p): p for p in kb_files}
    for path in targets:
        files.setdefault(_key(path), path)
    sources = {key: _given(key, path, known) for key, path in files.items()}
    ids: dict[str, str] = {}  # link targets: every valid id, refused files' included
    for src in sources.values():
        if src.entry_id:
            ids.setdefault(src.entry_id, src.path)
    # duplicate ids exactly as the engine judges them when it loads the folder
    _, duplicates = assign_ids((Path(s.path), s.entry, []) for s in sources.values())
    for error in duplicates:
        sources[_key(error.path)].errors.append(error)

    glossary, glossary_problems = lint_glossary(glossary_path)
    if check_glossary:
        problems.extend(glossary_problems)
    checked = [sources[key] for key in dict.fromkeys(_key(p) for p in targets)]
    probes = []
    for src in checked:
        try:
            check_entry(src, ids)
            if glossary.products and not glossary_problems and src.node is not None:
                check_products(src, glossary)
            probes.extend(check_rules(src, glossary, glossary_ok=not glossary_problems))
            add_engine_verdicts(src)
        except Exception as exc:  # noqa: BLE001 - one odd file must not hide the others
            src.add(
                1,
                f"kb lint could not finish checking this file ({type(exc).__name__}: {exc}); "
                "please report it",
            )
    check_breadth(probes, glossary)
    for src in checked:
        problems.extend(src.problems)
    problems.sort(key=lambda p: (p.path, p.line, p.col))
    return LintReport(problems=problems, entries=len(checked), glossary=check_glossary)


def _given(key: str, path: Path, known) -> Source:
    found = known.get(key) if known is not None else None
    if isinstance(found, EntryFile):
        return Source(**{name: getattr(found, name) for name in EntryFile.__dataclass_fields__})
    if found is not None:
        return Source(str(path), entry=found[1], entry_id=found[0])
    return _safe_parse(path)


def _safe_parse(path: Path) -> Source:
    try:
        return parse(path)
    except Exception as exc:  # noqa: BLE001 - see above
        src = Source(str(path))
        src.add(
            1, f"kb lint could not read this file ({type(exc).__name__}: {exc}); please report it"
        )
        return src


def _key(path: Path) -> str:
    return str(Path(path).resolve())


key = _key  # how lint_kb's *known* names a file


def _expand(paths, glossary_path: Path, problems: list[Problem]) -> tuple[list[Path], bool]:
    """The entry files named on the command line (a folder gives its entries)."""
    targets: list[Path] = []
    check_glossary = False
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            targets.extend(entry_files(path))
            check_glossary |= (
                _key(path / GLOSSARY_FILE) == _key(glossary_path) and glossary_path.exists()
            )
        elif path.name == GLOSSARY_FILE:
            if _key(path) == _key(glossary_path):
                check_glossary = True
            else:
                problems.extend(lint_glossary(path)[1])
        elif not path.exists():
            problems.append(Problem(str(path), 1, 1, "no such file"))
        else:
            targets.append(path)
    return targets, check_glossary
