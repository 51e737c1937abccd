"""How-to articles -> a guide entry: a short summary and the article's steps, condensed.

Steps come from the article's own structure: one step per section (its heading and first
sentence, with its numbered or bulleted items and commands under it); an article without
headings gives one step per instruction paragraph ("Click...", "Next, install...", a
paragraph followed by a command); failing both, the first sentence of each paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .blocks import IMAGE_LINK, Block, plain_inline
from .classify import DECORATION, command_text
from .cues import TROUBLE_LIST
from .render import Step, capitalise, item_step
from .segments import Segment
from .text import is_imperative, shorten, split_sentences

MAX_STEPS = 20
MAX_CHILDREN = 15
STEP_CHARS = 500
SUMMARY_CHARS = 900

_ACTION = re.compile(
    r"\b(?:click|right-click|double-click|select|open|type|enter|press|go to|navigate|run|install|"
    r"configure|create|add|choose|check|uncheck|download|connect|enable|disable)\b|"
    r"点击|单击|右击|右键|选择|打开|输入|安装|配置|创建|添加|勾选|下载|连接|启用|禁用",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+")
_LINK_ONLY = re.compile(r"^\s*(?:<https?://[^>\s]+>|\[[^\]]*\]\([^)\s]+\))\s*$")
_SEQUENCE = re.compile(
    r"^(?:first|next|now|then|finally|once|after|afterwards|when you['’]ve|lets|let['’]s|to (?:add|do|create|configure|enable|start|select)|"
    r"首先|然后|接下来|接着|之后|最后|再)\b",
    re.IGNORECASE,
)


@dataclass
class Section:
    label: str
    blocks: list[Block] = field(default_factory=list)


def sections_of(segments: list[Segment]) -> tuple[list[Block], list[Section], list[Block]]:
    """(intro blocks, headed sections, note blocks); resumed sections are joined again."""
    intro: list[Block] = []
    sections: list[Section] = []
    notes: list[Block] = []
    for segment in segments:
        if segment.role in ("notes",):
            notes.extend(b for b in segment.blocks if b.role != DECORATION)
            continue
        if segment.role == "references":
            continue
        if segment.role == "intro":
            (sections[-1].blocks if sections and segment.continued else intro).extend(
                segment.blocks
            )
            continue
        if segment.continued and sections and sections[-1].label == segment.label:
            sections[-1].blocks.extend(segment.blocks)
            continue
        sections.append(Section(segment.label, list(segment.blocks)))
    return intro, sections, notes


def first_sentences(text: str, limit: int) -> str:
    """Whole sentences from the start of *text*, as many as fit in *limit* (at least one)."""
    text = IMAGE_LINK.sub("", text)
    out = ""
    for sentence in split_sentences(text):
        candidate = (
            f"{out} {sentence}".strip()
            if out and not re.match(r"[\u4e00-\u9fff]", sentence)
            else out + sentence
        )
        if out and len(candidate) > limit:
            break
        out = candidate
    return shorten(out, limit + 80) if out else ""


def summary(intro: list[Block], sections: list[Section], title: str) -> str:
    """The first paragraph or two, cut at a sentence; *title* (Markdown) when there is none."""
    paras = [b for b in intro if b.kind == "para" and b.role != DECORATION]
    if not paras:
        paras = [
            b for s in sections for b in s.blocks if b.kind == "para" and b.role != DECORATION
        ][:1]
    text = ""
    for block in paras[:2]:
        piece = " ".join(x.strip() for x in block.lines if x.strip())
        text = f"{text}\n\n{piece}".strip() if text else piece
        if len(plain_inline(text)) >= 160:
            break
    if not text:
        return title
    return "\n\n".join(first_sentences(p, SUMMARY_CHARS) for p in text.split("\n\n"))


def _line_text(block: Block) -> str:
    return " ".join(x.strip() for x in block.lines if x.strip())


def _section_step(section: Section) -> Step | None:
    prose = [
        b
        for b in section.blocks
        if b.kind == "para" and b.role != DECORATION and command_text(b) is None
    ]
    lists = [b for b in section.blocks if b.kind == "list"]
    commands = [c for b in section.blocks if b.kind != "para" for c in [command_text(b)] if c]
    commands += [c for b in section.blocks if b.kind == "para" for c in [command_text(b)] if c]
    if not (prose or lists or commands):
        return None
    label = plain_inline(section.label).strip().rstrip(":：")
    text = label
    if prose:
        sentence = first_sentences(_line_text(prose[0]), STEP_CHARS)
        text = f"{label}: {sentence}" if label else sentence
    step = Step(text)
    for block in lists:
        step.ordered_children = step.ordered_children or block.ordered
        for item in block.items:
            if len(step.children) < MAX_CHILDREN:
                child = item_step(item)
                child.text = shorten(child.text, STEP_CHARS)
                step.children.append(child)
    step.code.extend(commands[:3])
    return step


def _instruction_steps(blocks: list[Block]) -> list[Step]:
    steps: list[Step] = []
    for i, block in enumerate(blocks):
        if block.role == DECORATION:
            continue
        command = command_text(block)
        if command is not None:
            if steps:
                steps[-1].code.append(command)
            continue
        if block.kind == "list":
            previous = blocks[i - 1].text if i else ""
            if TROUBLE_LIST.search(previous):
                continue  # "how can one get in trouble? 1. Disable..." lists what not to do
            for item in block.items:
                steps.append(Step(shorten(item.split("\n")[0], STEP_CHARS)))
            continue
        if block.kind != "para":
            continue
        text = _line_text(block)
        plain = plain_inline(text).strip()
        if _LINK_ONLY.match(text) or (len(plain) < 30 and plain.endswith((":", "："))):
            continue  # a bare link or a label ("Update 2010-03-25:") is not a step
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        followed_by_command = nxt is not None and command_text(nxt) is not None
        first = split_sentences(_URL.sub("", plain))[:1]
        if followed_by_command or (
            first
            and (is_imperative(first[0]) or _SEQUENCE.match(first[0]) or _ACTION.search(first[0]))
        ):
            steps.append(Step(capitalise(first_sentences(text, STEP_CHARS))))
    return steps


def table_cells(block: Block) -> list[str]:
    """The text cells of a Markdown table, row by row (header separators skipped)."""
    cells = []
    for line in block.lines:
        if re.fullmatch(r"\|?[\s:|-]+\|?", line):
            continue
        cells.extend(
            c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|")) if c.strip()
        )
    return cells


def guide_steps(intro: list[Block], sections: list[Section]) -> list[Step]:
    if len(sections) >= 2:
        steps = [s for s in (_section_step(x) for x in sections) if s is not None]
    else:
        blocks = intro[1:] + [b for s in sections for b in s.blocks]
        steps = _instruction_steps(blocks)
    if not steps:
        blocks = intro[1:] + [b for s in sections for b in s.blocks]
        texts = [
            _line_text(b)
            for b in blocks
            if b.kind == "para" and b.role != DECORATION and not _LINK_ONLY.match(_line_text(b))
        ]
        texts += [
            cell
            for b in blocks
            if b.kind == "table"
            for cell in table_cells(b)
            if len(plain_inline(cell)) >= 40
        ]
        steps = [Step(capitalise(first_sentences(t, STEP_CHARS))) for t in texts[:8]]
    return steps[:MAX_STEPS]
