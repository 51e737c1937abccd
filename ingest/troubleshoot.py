"""Troubleshooting articles -> one part per error: symptom, cause, fix, notes, references.

An article becomes several parts when it says so ("场景1"/"Scenario 2"), or when a second
symptom section describes an error unlike the first one. Text before the first label is the
symptom (the error and its lead-in); in a scenario, the error text comes first and what
follows it is the fix, unless labels say otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from .blocks import Block, plain_inline
from .classify import DECORATION, ERROR, LEAD_IN, classify
from .render import links
from .segments import Segment
from .text import has_error_words, is_imperative, split_sentences

# Intro prose beyond this many paragraphs is background, not the symptom.
MAX_INTRO_SYMPTOM_PARAGRAPHS = 3


@dataclass
class Part:
    label: str = ""
    number: int | None = None
    symptom: list[Block] = field(default_factory=list)
    cause: list[Block] = field(default_factory=list)
    fix: list[Block] = field(default_factory=list)
    notes: list[Block] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)

    def symptom_words(self) -> set[str]:
        text = " ".join(b.text for b in self.symptom if b.role == ERROR) or " ".join(
            b.text for b in self.symptom
        )
        return _words(text)


def _words(text: str) -> set[str]:
    latin = {w.lower() for w in re.findall(r"[A-Za-z]{3,}", text)}
    cjk = set(re.findall(r"[\u4e00-\u9fff]{2}", text))
    return latin | cjk


def similar(a: set[str], b: set[str]) -> bool:
    if not a or not b:
        return True
    return len(a & b) / min(len(a), len(b)) >= 0.3


def is_troubleshooting(segments: list[Segment], title: str) -> bool:
    """Does the article describe an error and its remedy (rather than teach a task)?"""
    roles = [s.role for s in segments]
    scenarios = [s for s in segments if s.role == "scenario"]
    if len(scenarios) >= 2 or (
        scenarios and any(b.role == ERROR for s in scenarios for b in s.blocks)
    ):
        return True
    if "fix" not in roles:
        # No Resolution heading, but a Symptoms one (or error text up front) and an error in
        # the title: the sections after the symptom are its fix ("More information", "Use
        # the fixupObjectState attribute ...", "Step 1: ..."); an article of no headings at
        # all gives its remedy after the error ("To resolve this issue, ...").
        before = [b for s in segments for b in s.blocks][:12]
        reported = "symptom" in roles or any(b.role == ERROR for b in before)
        after = roles[roles.index("symptom") + 1 :] if "symptom" in roles else roles
        remedy = any(r in ("section", "notes", "cause") for r in after)
        remedy = remedy or _headingless_remedy(segments) is not None
        about_error = has_error_words(title) or bool(_EVENT_IN_TITLE.search(title))
        return reported and remedy and about_error and not _HOW_TO.search(title)
    first_fix = roles.index("fix")
    before = [b for s in segments[:first_fix] for b in s.blocks]
    error_before = any(b.role == ERROR for b in before[:12])
    return "symptom" in roles or "cause" in roles or error_before or has_error_words(title)


_EVENT_IN_TITLE = re.compile(r"\bevents? (?:id )?\d{1,5}\b|事件\s*(?:id)?\s*\d{1,5}", re.IGNORECASE)
_HOW_TO = re.compile(
    r"\b(?:how to|step[- ]by[- ]step|guide|walkthrough|overview|introduction|best practices?)\b"
    r"|如何|怎样|指南|步骤|介绍",
    re.IGNORECASE,
)


def _intro_into(part: Part, blocks: list[Block]) -> None:
    """The intro of a single-error article: the error and the prose that leads to it."""
    prose = 0
    for block in blocks:
        if block.role == DECORATION:
            continue
        if block.role in (ERROR, LEAD_IN):
            part.symptom.append(block)
        elif prose < MAX_INTRO_SYMPTOM_PARAGRAPHS and block.kind == "para":
            part.symptom.append(block)
            prose += 1
        else:
            part.notes.append(block)


def _scenario_into(part: Part, blocks: list[Block], has_fix_label: bool) -> None:
    """A scenario without labels: error text first, then the remedy."""
    in_error = True
    for block in blocks:
        if block.role == DECORATION:
            continue
        if in_error and (block.role == ERROR or (not part.symptom and block.kind == "para")):
            part.symptom.append(block)
            continue
        in_error = False
        (part.notes if has_fix_label else part.fix).append(block)


def _add(part: Part, segment: Segment) -> None:
    target = {
        "symptom": part.symptom,
        "cause": part.cause,
        "fix": part.fix,
        "notes": part.notes,
    }.get(segment.role)
    if segment.role == "references":
        part.references.extend(links(segment.blocks))
        return
    if segment.role == "section":
        # A heading that is not a label: keep its link (often the source KB article) and
        # sort its text by what it is.
        if segment.heading is not None:
            part.references.extend(links([segment.heading]))
        for block in segment.blocks:
            (part.symptom if block.role == ERROR else part.notes).append(block)
        return
    if target is not None:
        target.extend(b for b in segment.blocks if b.role != DECORATION)


def troubleshooting_parts(segments: list[Segment]) -> list[Part]:
    scenario_at = [i for i, s in enumerate(segments) if s.role == "scenario"]
    if scenario_at:
        return _scenario_parts(segments, scenario_at)
    split = _headingless_remedy(segments)
    if split is not None:
        return [split]
    if not any(s.role == "fix" for s in segments):
        segments = _unlabelled_fix(segments)
    parts = [Part()]
    for segment in segments:
        part = parts[-1]
        if segment.role == "intro":
            if part.fix and any(b.role == ERROR for b in segment.blocks):
                parts.append(Part())
                part = parts[-1]
            _intro_into(part, segment.blocks)
            continue
        if segment.role == "symptom" and part.fix:
            new = Part(symptom=[b for b in segment.blocks if b.role != DECORATION])
            if not similar(part.symptom_words(), new.symptom_words()):
                parts.append(new)
                continue
        _add(part, segment)
    return [p for p in parts if p.symptom or p.fix]


# How a headingless article turns from its error to the remedy: "To resolve this issue,
# ...", "To add a second adapter, use ...", "Resolution: ...", "要解决此问题，..."
_REMEDY_OPENER = re.compile(
    r"^(?:to (?:resolve|fix|solve|correct|work around|avoid|prevent|address|recover)\b"
    r"|to \w+\b[^.:]{0,160}?,\s*(?:use|run|follow|make sure|ensure|set|add|enable|disable|"
    r"install|configure|open|select|click|change|remove|delete|restart|update|apply|"
    r"grant|assign|create|type|contact)\b"
    r"|(?:resolution|workaround|solution)\b"
    r"|(?:要|若要|如需|为了?)?解决(?:此|这个|该|这一)?(?:问题|错误)"
    r")",
    re.IGNORECASE,
)


def _headingless_remedy(segments: list[Segment]) -> Part | None:
    """An article of no headings at all (one intro, references aside) that states an error
    and then how to remedy it - "... this error message is displayed: > Cannot add Fibre
    Channel Adapter. Windows Server 2019 allows only one .... To add a second ..., use ..." -
    as one part: the error and its lead-in, the cause stated after it, the fix from the first
    sentence that turns to the remedy. None for any other article (a how-to's intro states
    no error first; an article with labelled sections is cut by its labels)."""
    if any(s.role not in ("intro", "references") for s in segments):
        return None
    blocks = [b for s in segments if s.role == "intro" for b in s.blocks]
    blocks = [b for b in blocks if b.role != DECORATION]
    errors = [i for i, b in enumerate(blocks) if b.role == ERROR]
    if not errors:
        return None
    opener = next((i for i in range(errors[0] + 1, len(blocks)) if _opens_remedy(blocks[i])), None)
    if opener is None:
        return None
    last_error = max(i for i in errors if i < opener)
    part = Part()
    _intro_into(part, blocks[: last_error + 1])
    part.cause = blocks[last_error + 1 : opener]
    part.fix = blocks[opener:]
    part.references = [link for s in segments if s.role == "references" for link in links(s.blocks)]
    return part


def _opens_remedy(block: Block) -> bool:
    """A paragraph that turns to the remedy: an opener phrase or an instruction."""
    if block.kind != "para" or block.role == ERROR:
        return False
    first = split_sentences(plain_inline(block.text).strip())[:1]
    return bool(first) and bool(_REMEDY_OPENER.match(first[0]) or is_imperative(first[0]))


def _unlabelled_fix(segments: list[Segment]) -> list[Segment]:
    """An article with no Resolution heading: what follows its symptom and cause (neutral
    sections, "More information") is the remedy it gives."""
    out: list[Segment] = []
    seen_symptom = False
    for segment in segments:
        if segment.role in ("symptom", "cause") or (
            segment.role == "intro" and any(b.role == ERROR for b in segment.blocks)
        ):
            seen_symptom = True
        elif seen_symptom and segment.role in ("section", "notes"):
            segment = Segment("fix", segment.label, segment.blocks, segment.number, segment.heading)
        out.append(segment)
    return out


def _scenario_parts(segments: list[Segment], scenario_at: list[int]) -> list[Part]:
    shared = Part()
    lead_in: list[Block] = []
    for segment in segments[: scenario_at[0]]:
        if segment.role == "intro":
            blocks = [b for b in segment.blocks if b.role != DECORATION]
            if blocks and blocks[-1].kind == "para" and blocks[-1].role == LEAD_IN:
                last = blocks.pop()
                lead_in = classify([Block("para", lines=last.lines[-1:])])
                if len(last.lines) > 1:
                    blocks.extend(classify([Block("para", lines=last.lines[:-1])]))
            shared.notes.extend(blocks)
        else:
            _add(shared, segment)
    parts: list[Part] = []
    bounds = scenario_at + [len(segments)]
    for start, end in pairwise(bounds):
        head = segments[start]
        part = Part(label=head.label, number=head.number)
        part.symptom.extend(lead_in)
        group = segments[start + 1 : end]
        has_fix_label = any(s.role == "fix" for s in group)
        _scenario_into(part, head.blocks, has_fix_label)
        for segment in group:
            if segment.role == "references" and end == len(segments):
                shared.references.extend(links(segment.blocks))
            else:
                _add(part, segment)
        parts.append(part)
    for part in parts:
        part.cause = part.cause or list(shared.cause)
        part.fix = part.fix or list(shared.fix)
        part.notes = list(shared.notes) + part.notes
        part.references = part.references + shared.references
    return parts
