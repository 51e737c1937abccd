"""One triage run: inputs -> events -> groups -> one diagnosis per group -> :class:`Report`.

>>> from engine import Diagnoser                                        # doctest: +SKIP
>>> report = triage_paths(["System.evtx", "bundle.zip"], Diagnoser("kb"))  # doctest: +SKIP
>>> report.to_dict()["groups"][0]["entry"]                              # doctest: +SKIP
'cluster-name-resource-failed-registeration-in-dns'

Each group is diagnosed once, from its first event as an agent would paste it, so a log of a
million events costs as many diagnoses as it has distinct problems.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

from engine.diagnoser import Diagnoser

from .archive import Context
from .errors import NotALog
from .group import Group, Grouper
from .intake import events_of
from .limits import Limits
from .notes import Notes
from .report import GroupResult, Report
from .streams import Budget, Progress

# progress(phase, done, total): phase "read" counts bytes of the inputs, "diagnose" groups.
ProgressCallback = Callable[[str, int, int], None]
# The gap-queue hook: called once per unanswered group, after the run. The gap queue does not
# exist yet; when it does, its writer is this callback.
UnansweredHook = Callable[[GroupResult], None]


def triage_streams(
    inputs: Iterable[tuple[str, BinaryIO]],
    diagnoser: Diagnoser,
    limits: Limits | None = None,
    progress: ProgressCallback | None = None,
    on_unanswered: UnansweredHook | None = None,
) -> Report:
    """Triage seekable binary streams (files, uploads) given as ``(display name, stream)``.

    All inputs of one call are one upload: they share one byte budget. Raises
    :class:`NotALog` when no input is a log, :class:`Refused` when a limit is crossed.
    """
    limits = limits or Limits()
    notes = Notes()
    ctx = Context(limits, Budget(limits.max_bytes), notes)
    grouper = Grouper(limits, notes)
    inputs = list(inputs)
    sizes = [_size(stream) for _, stream in inputs]
    total, done = sum(sizes), 0
    not_logs: list[NotALog] = []

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress("read", min(done, total), total)

    for (name, stream), size in zip(inputs, sizes, strict=True):
        try:
            grouper.add_all(events_of(Progress(stream, advance), name, ctx, size=size))
        except NotALog as exc:
            not_logs.append(exc)
            notes.skip(name, str(exc))
    if not_logs and len(not_logs) == len(inputs):
        raise not_logs[0] if len(inputs) == 1 else NotALog(", ".join(e.name for e in not_logs))
    results = diagnose_groups(list(grouper.groups.values()), diagnoser, progress)
    if on_unanswered:
        for result in results:
            if not result.confident:
                on_unanswered(result)
    skipped, warnings = notes.closed()
    return Report(
        grouper.events, tuple(results), tuple(skipped), tuple(warnings), grouper.ungrouped
    )


def triage_paths(paths: Iterable[str | os.PathLike], diagnoser: Diagnoser, **options) -> Report:
    """Triage files on disk (``kb triage FILE...``); see :func:`triage_streams`."""
    with ExitStack() as stack:
        inputs = [(Path(p).name, stack.enter_context(open(p, "rb"))) for p in paths]
        return triage_streams(inputs, diagnoser, **options)


def diagnose_groups(
    groups: list[Group], diagnoser: Diagnoser, progress: ProgressCallback | None = None
) -> list[GroupResult]:
    """One diagnosis per group, from its sample event; the results in report order."""
    results = []
    for index, group in enumerate(groups, 1):
        diagnosis = diagnoser.diagnose(group.sample.paste(), top=1)
        best = diagnosis.remedies[0] if diagnosis.remedies else None
        results.append(
            GroupResult(
                group,
                best.entry if best else None,
                best.confidence if best else 0.0,
                diagnosis.confident,
            )
        )
        if progress:
            progress("diagnose", index, len(groups))
    results.sort(key=GroupResult.sort_key)
    return results


def _size(stream: BinaryIO) -> int:
    position = stream.tell()
    size = stream.seek(0, os.SEEK_END)
    stream.seek(position)
    return size - position
