"""Blocks -> the Markdown of an entry's sections: numbered steps, verbatim error text,
paragraphs and reference lists.

Output rules every section follows: a fix is a numbered list (commands in code blocks under
their step), error text is fenced verbatim, pictures and figure captions are left out, links
are http(s) only (they already are: :mod:`ingest.html` dropped the rest).

>>> steps = numbered_steps([Block("para", lines=["重启以下服务："]),
...                         Block("list", items=["Integrated Server", "Integrated Worker"])])
>>> print(format_steps(steps))
1. 重启以下服务：
   - Integrated Server
   - Integrated Worker
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from .blocks import IMAGE_LINK, Block, plain_inline
from .classify import (
    DECORATION,
    ERROR,
    FIGURE,
    IMAGE_ONLY,
    VERBATIM,
    clean_command,
    command_text,
    looks_like_command,
)

# As ingest.blocks._LINK: an unescaped "[" starts a link, and its text holds no other one.
_LINK = re.compile(
    r"(?<!\\)\[((?:\\.|[^\[\]\\])*)\]\(((?:[^()\s]|\([^()\s]*\))+)\)|<(https?://[^>\s]+)>"
)
_IMAGE_EXT = re.compile(r"\.(?:png|jpe?g|gif|bmp|webp|svg)(?:[?#].*)?$", re.IGNORECASE)
_SUB_ITEM = re.compile(r"^\s*(?:[a-z]|[ivx]{1,4}|\d{1,2})[.)]\s+|^\s*(?:[-*+]\s+|[•·]\s*)")


def fence(text: str) -> str:
    """*text* in a fenced code block whose fence cannot occur inside it."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}\n{text.rstrip()}\n{marks}"


def verbatim(block: Block) -> str:
    """The text of an error block exactly as a user would see it."""
    if block.kind == "code":
        return "\n".join(block.lines)
    return block.text


@dataclass
class Step:
    text: str
    children: list[Step] = field(default_factory=list)
    ordered_children: bool = False
    code: list[str] = field(default_factory=list)
    code_first: bool = False  # its code came before its children ("run: ```...```; it returns")


def capitalise(text: str) -> str:
    """First letter upper-case when it is an ASCII letter ("make sure" -> "Make sure")."""
    stripped = text.lstrip()
    if stripped[:1].isascii() and stripped[:1].islower():
        return text[: len(text) - len(stripped)] + stripped[0].upper() + stripped[1:]
    return text


def item_step(item: str) -> Step:
    """A list item: first line is the step, later lines ("a) ...") become sub-items."""
    lines = [x.strip() for x in item.split("\n") if x.strip()]
    step = Step(capitalise(lines[0]) if lines else "")
    for line in lines[1:]:
        if looks_like_command(line):
            step.code.append(clean_command(line))
        elif _SUB_ITEM.match(line) or not step.children:
            text = _SUB_ITEM.sub("", line) if _SUB_ITEM.match(line) else line
            step.children.append(Step(capitalise(text)))
        else:
            step.children[-1].text += " " + line
    return step


def numbered_steps(blocks: list[Block]) -> list[Step]:
    """Blocks of a remedy -> steps: each paragraph line is a step, a list after a line ending
    in a colon nests under it (unless it continues the numbering of the list before), commands
    attach to the step before them."""
    steps: list[Step] = []
    last_number = 0
    open_lists = _OpenLists()
    for block in blocks:
        if block.role == DECORATION:
            continue
        if open_lists.take(block):
            continue
        open_lists.close()
        command = command_text(block)
        if command is not None:
            if steps:
                # After nested sub-steps the command belongs to the last of them.
                (steps[-1].children[-1] if steps[-1].children else steps[-1]).code.append(command)
            else:
                steps.append(Step("", code=[command]))
            continue
        if block.kind == "list":
            last = steps[-1] if steps else None
            continues = block.ordered and block.start > 1 and block.start == last_number + 1
            new = [item_step(x) for x in block.items]
            if last is not None and not continues and _introduces_list(last):
                last.children.extend(new)
                last.ordered_children = block.ordered
                open_lists.opened(last.children, new)
            else:
                steps.extend(new)
                open_lists.opened(steps, new)
            last_number = block.start + len(block.items) - 1 if block.ordered else 0
            continue
        if block.kind == "table":
            continue
        for is_command, text in _step_lines(block):
            if not is_command:
                steps.append(Step(text))
            elif steps:
                steps[-1].code.append(text)
            else:
                steps.append(Step("", code=[text]))
    return [s for s in steps if s.text or s.code]


def _step_lines(block: Block) -> Iterator[tuple[bool, str]]:
    """A paragraph's lines as (is it a command, its text), without blank lines, pictures and
    figure captions."""
    for line in block.lines:
        if not line.strip() or IMAGE_ONLY.match(line) or FIGURE.match(line):
            continue
        if looks_like_command(line):
            yield True, clean_command(line)
        else:
            yield False, capitalise(IMAGE_LINK.sub("", line).strip())


def _introduces_list(step: Step) -> bool:
    """A step ending in a colon, nothing under it yet: the list after it is its sub-steps."""
    return not step.children and step.text.rstrip().endswith((":", "："))


class _OpenLists:
    """The lists of a remedy still open for blocks indented under their last item (see
    :func:`ingest.blocks.parse_blocks`), outermost first: the steps each list's items went
    to, and its last item."""

    def __init__(self) -> None:
        self.siblings: list[list[Step]] = []
        self.items: list[Step] = []

    def opened(self, siblings: list[Step], new: list[Step]) -> None:
        """A list at the top has just put *new* into *siblings*."""
        self.siblings, self.items = [siblings], new[-1:]

    def close(self) -> None:
        self.siblings, self.items = [], []

    def take(self, block: Block) -> bool:
        """Put *block* where it belongs if it continues an open list; False if it does not."""
        depth = block.depth
        if block.kind == "list" and block.continues_list and depth < len(self.siblings):
            new = [item_step(x) for x in block.items]
            self.siblings[depth].extend(new)
            del self.items[depth:]
            del self.siblings[depth + 1 :]
            self.items.extend(new[-1:])
            return True
        if not depth or depth > len(self.items):
            return False
        parent = self.items[depth - 1]
        self._truncate(depth)
        if block.kind == "list":
            new = [item_step(x) for x in block.items]
            if parent.children and _introduces_list(parent.children[-1]):
                parent = parent.children[-1]  # "Follow these steps:" and the steps
            parent.children.extend(new)
            parent.ordered_children = parent.ordered_children or block.ordered
            self.siblings.append(parent.children)
            self.items.extend(new[-1:])
        else:
            _continue_item(parent, block)
        return True

    def _truncate(self, depth: int) -> None:
        del self.items[depth:]
        del self.siblings[depth:]


def _continue_item(item: Step, block: Block) -> None:
    """A block that continues a list item: its paragraphs become the item's sub-steps, a
    command goes with the last of them (the one that says "run the following command")."""
    command = command_text(block)
    if command is not None:
        (item.children[-1] if item.children else item).code.append(command)
    elif block.kind in ("para", "quote"):
        for is_command, text in _step_lines(block):
            if is_command:
                (item.children[-1] if item.children else item).code.append(text)
            else:
                item.code_first = item.code_first or bool(item.code and not item.children)
                item.children.append(Step(text))


def format_steps(steps: list[Step], ordered: bool = True, indent: str = "") -> str:
    """Steps as a Markdown list; children nest under their step, code blocks too."""
    lines: list[str] = []
    for number, step in enumerate(steps, start=1):
        marker = f"{number}. " if ordered else "- "
        pad = indent + " " * len(marker)
        code = list(step.code)
        if step.text:
            lines.append(indent + marker + step.text)
        elif code and "\n" not in code[0] and "`" not in code[0]:
            lines.append(f"{indent}{marker}`{code.pop(0)}`")
        else:
            lines.append(indent + marker.rstrip())
        fenced = [pad + x if x else "" for command in code for x in fence(command).split("\n")]
        if step.code_first:
            lines.extend(fenced)
        if step.children:
            lines.append(format_steps(step.children, step.ordered_children, pad))
        if not step.code_first:
            lines.extend(fenced)
    return "\n".join(lines)


def paragraphs(blocks: list[Block]) -> str:
    """Blocks as plain Markdown paragraphs/lists (for Notes, Cause and Summary)."""
    out: list[str] = []
    for block in blocks:
        if block.role == DECORATION:
            continue
        command = command_text(block) if block.kind != "para" else None
        if block.kind == "code" or command is not None:
            out.append(fence(command if command is not None else verbatim(block)))
        elif block.kind == "list":
            out.append(block.markdown)
        elif block.kind == "table":
            out.append("\n".join(block.lines))
        elif block.kind == "heading":
            out.append("**" + plain_inline(block.lines[0]) + "**")
        else:
            lines = [IMAGE_LINK.sub("", x).rstrip() for x in block.lines]
            lines = [escape_line_start(x) for x in lines if x.strip()]
            if lines:
                out.append("\n".join(lines))
    return "\n\n".join(out)


def escape_line_start(line: str) -> str:
    """Keep a text line from turning into a heading, rule or quote when rendered."""
    if re.match(r"^\s*([-=_*])(?:\s*\1){2,}\s*$", line) or re.match(
        r"^\s*(#{1,6}\s|>|=+\s*$)", line
    ):
        return "\\" + line.lstrip()
    return line


def error_text(blocks: list[Block]) -> str:
    """Consecutive error blocks as one fenced block, verbatim."""
    return fence("\n\n".join(verbatim(b).strip("\n") for b in blocks))


def symptom_markdown(blocks: list[Block]) -> str:
    """Prose as paragraphs, error text (dialogs, events, messages, log lines) fenced verbatim."""
    out: list[str] = []
    run: list[Block] = []
    for block in blocks:
        if block.role == DECORATION:
            continue
        if block.role == ERROR or (block.role in VERBATIM and block.kind == "code"):
            run.append(block)
            continue
        if run:
            out.append(error_text(run))
            run = []
        text = paragraphs([block])
        if text:
            out.append(text)
    if run:
        out.append(error_text(run))
    return "\n\n".join(out)


def links(blocks: list[Block]) -> list[tuple[str, str]]:
    """(text, url) of every non-image link in *blocks*, first occurrence of each URL."""
    found: dict[str, str] = {}
    for block in blocks:
        source = block.markdown if block.kind != "code" else ""
        for match in _LINK.finditer(source):
            text, url, auto = match.group(1), match.group(2), match.group(3)
            url = url or auto
            label = plain_inline(text).strip() if text is not None else url
            if not url or label.lower() == "image" or _IMAGE_EXT.search(url):
                continue
            found.setdefault(url, label or url)
    return [(text, url) for url, text in found.items()]


def references(pairs: list[tuple[str, str]], limit: int = 12) -> str:
    lines = []
    for text, url in pairs[:limit]:
        text = re.sub(r"\s+", " ", text).strip()
        lines.append(f"- <{url}>" if text == url else f"- [{_escape_link_text(text)}]({url})")
    return "\n".join(lines)


def _escape_link_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace("<", "&lt;")
