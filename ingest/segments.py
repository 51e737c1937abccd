"""An article's blocks grouped into labelled segments by its cue words.

``Symptoms`` / ``Cause`` / ``Resolution`` / ``场景2：`` / ``**NOTE:**`` each open a segment
with that role; a heading that is not a cue opens a neutral ``section``; everything before the
first label is the ``intro``. "Option one:" labels stay inside their segment: they are
alternatives within one fix, not new parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import Block
from .cues import NOTE_LABELS, Cue, cue_of_block, cue_of_line, heading_like

STRONG_ROLES = ("symptom", "cause", "fix", "notes", "scenario")


@dataclass
class Segment:
    role: str  # intro | section | symptom | cause | fix | notes | references | scenario
    label: str = ""
    blocks: list[Block] = field(default_factory=list)
    number: int | None = None
    heading: Block | None = None  # the block that opened the segment
    continued: bool = False  # resumes the segment an inline note interrupted


def _split_inner_cues(block: Block) -> list[Block]:
    """Cut a paragraph where a later line opens with a label ("...  \\nSolution: do X")."""
    if block.kind != "para" or len(block.lines) < 2:
        return [block]
    pieces: list[Block] = []
    current: list[str] = []
    for line in block.lines:
        cue = cue_of_line(line) if current else None
        if cue is not None and cue.explicit and cue.role in STRONG_ROLES:
            pieces.append(Block("para", lines=current))
            current = []
        current.append(line)
    pieces.append(Block("para", lines=current))
    return pieces


def _remainder(block: Block, cue: Cue) -> list[Block]:
    """What follows the label inside the block that holds it."""
    rest: list[str] = []
    if cue.rest and not cue.rest.rstrip().endswith(("...", "…")):
        rest.append(cue.rest)
    if block.kind in ("para", "quote"):
        rest.extend(block.lines[1:])
    return [Block("para", lines=rest)] if rest else []


# Labels that annotate one paragraph rather than open a section.
INLINE_LABELS = frozenset([*NOTE_LABELS, "source", "sources", "来源"])
_LINK_ONLY = re.compile(r"^\s*(?:<https?://[^>\s]+>|\[[^\]]*\]\([^)\s]+\))\s*$")


def segment(blocks: list[Block]) -> list[Segment]:
    """Group *blocks* by the labels that open them.

    A note or source written inline ("**NOTE:** text", "Source: <url>") covers its own
    paragraph (and a list or command right after it when it ends with a colon); the text
    after it belongs to the segment it interrupted. A heading that is a label ("## More
    Information", "**IMPORTANT!**" on its own line) opens a segment that runs to the next one.
    """
    segments = [Segment("intro")]
    resume: Segment | None = None  # the segment an inline note interrupted
    # the last segment that is not an inline note: what a note interrupts (looking back for
    # it at every note was quadratic in the number of notes)
    anchor = segments[0]
    for original in blocks:
        for block in _split_inner_cues(original):
            cue = cue_of_block(block)
            label = heading_like(block)
            if resume is not None:
                note = segments[-1]
                last = note.blocks[-1].text.rstrip() if note.blocks else ""
                link_only = block.kind == "para" and all(_LINK_ONLY.match(x) for x in block.lines)
                continues = (
                    block.kind in ("list", "code", "quote") or link_only
                ) and last.endswith((":", "："))
                if cue is None and label is None and continues:
                    note.blocks.append(block)
                    continue
                if cue is None and label is None:
                    segments.append(
                        Segment(resume.role, resume.label, [], resume.number, continued=True)
                    )
                    anchor = _anchor(segments[-1], anchor)
                resume = None
            if cue is not None and cue.role != "option":
                segments.append(
                    Segment(cue.role, cue.label, _remainder(block, cue), cue.number, block)
                )
                if block.kind != "heading" and cue.label.lower() in INLINE_LABELS:
                    resume = anchor
                anchor = _anchor(segments[-1], anchor)
                continue
            if label is not None and (block.kind == "heading" or len(block.lines) == 1):
                segments.append(Segment("section", label, [], None, block))
                anchor = _anchor(segments[-1], anchor)
                continue
            segments[-1].blocks.append(block)
    return [s for s in segments if s.blocks or s.role != "intro" or s.heading is not None]


def _anchor(segment: Segment, anchor: Segment) -> Segment:
    """*segment* if a note can interrupt it (it is not an inline note itself), else *anchor*."""
    return anchor if segment.label.lower() in INLINE_LABELS else segment
