"""The Markdown of one article as a flat list of blocks (paragraph, heading, list, code...).

Splitting works on these blocks rather than on raw text: a cue word means something at the
start of a paragraph or a heading, a command is a code block or a quoted line, a procedure is
a numbered list. The Markdown comes from :func:`ingest.html.to_markdown`, so the dialect is
small and known: ATX headings, ``-``/``1.`` lists, fenced code, ``>`` quotes, pipe tables,
hard line breaks as two trailing spaces.

>>> [b.kind for b in parse_blocks("# Title\\n\\nSome text  \\nmore\\n\\n1. one\\n2. two\\n\\n```\\nnet start vds\\n```")]
['heading', 'para', 'list', 'code']
>>> parse_blocks("**For Windows 2003**1. Stop it  \\n2. Start it")[1].items
['Stop it', 'Start it']
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)([-*+])\s+(.*)$")
_ORDERED = re.compile(r"^(\s*)(\d{1,3})[.)]\s+(.*)$")
# "1.Examine the log" / "2、重启服务": a numbered step written as a paragraph.
_NUMBERED_PARA = re.compile(r"^(\d{1,2})\s*[.)、．]\s*(?=[^\d\s.])(.*)$")
_BOLD_THEN_NUMBER = re.compile(r"^(\*\*[^*]+\*\*)\s*(\d{1,3}[.)]\s*\S.*)$")
_BLANK = re.compile(r"^[\s\u00a0\u3000\u200b]*$")
_LEAD_SPACE = re.compile(r"^[\s\u00a0\u3000]+")

# Inline Markdown -> plain text. An image the HTML converter left as a link to its file: said
# once here for every module that drops images (classify, render, guide).
IMAGE_LINK = re.compile(r"\[image\]\([^)\s]*\)")
# A link starts at an unescaped "[" and its text holds no other one (escape_text escapes
# them all): tried from every "[" of "[[[[...", the text ran to the end each time.
_LINK = re.compile(r"(?<!\\)\[((?:\\.|[^\[\]\\])*)\]\((?:[^()\s]|\([^()\s]*\))*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_EMPHASIS = re.compile(r"(?<!\\)(\*\*|\*)(?=\S)(.+?)(?<=\S)(?<!\\)\1")
# Fences of up to 16 backticks, spans of up to 2,000 characters: "````..." was cubic.
_CODE_SPAN = re.compile(r"(`{1,16})(?!`)(.{1,2000}?)(?<!`)\1(?!`)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_WS = re.compile(r"[ \t\u00a0]+")


_STRAY_STARS = re.compile(r"(?<![\\*])\*{1,2}(?=\s|$)|(?:^|(?<=\s))\*{1,2}(?!\*)")


def strip_emphasis(markdown: str) -> str:
    """Inline Markdown without bold/italic markers (links and code kept)."""
    text = markdown
    for _ in range(2):
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    return _STRAY_STARS.sub("", text)


_MARKUP_CHARS = re.compile(r"[\[\]*`\\&<_]")


@lru_cache(maxsize=4096)
def plain_inline(markdown: str) -> str:
    """The visible text of inline Markdown: links become their text, images vanish,
    emphasis markers and escapes are removed, entities decoded. Remembered for the last few
    thousand lines: classifying, splitting and mining each read the same lines again
    (:func:`ingest.prepare.prepare_batch` empties the cache for each batch of articles)."""
    if not _MARKUP_CHARS.search(markdown):
        return markdown
    text = IMAGE_LINK.sub("", markdown)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _AUTOLINK.sub(lambda m: m.group(1), text)
    text = _CODE_SPAN.sub(lambda m: m.group(2), text)
    for _ in range(2):
        text = _EMPHASIS.sub(lambda m: m.group(2), text)
    text = _ESCAPE.sub(r"\1", text)
    return htmllib.unescape(text)


@dataclass
class Block:
    """One block of an article.

    kind: ``para``, ``heading``, ``list``, ``code``, ``quote`` or ``table``.
    lines: the block's lines as Markdown (para/heading/quote/table/code), hard breaks removed.
    items: for lists, each item's Markdown (nested lines kept, re-indented to column 0).
    """

    kind: str
    lines: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    ordered: bool = False
    start: int = 1
    level: int = 0
    # what the block is, given by ingest.classify once per article: "error", "prose", ...
    role: str = ""
    error_kind: str = ""  # for role "error": dialog | event | log | message | after-lead-in ...
    # How many lists before it a block is indented under: a paragraph, code block or list
    # of the last item of such a list ("- SQL Server" / "  If the issue occurs in SQL Server,
    # run:" / "  ```DBCC ...```"), though a blank line made it a block of its own. 0: none.
    depth: int = 0
    # A list whose items resume an open list, after blocks of its last item.
    continues_list: bool = False

    @property
    def markdown(self) -> str:
        if self.kind == "list":
            return "\n".join(
                _list_marker(self, i) + _indent_rest(item, len(_list_marker(self, i)))
                for i, item in enumerate(self.items)
            )
        if self.kind == "code":
            return "```\n" + "\n".join(self.lines) + "\n```"
        if self.kind == "heading":
            return "#" * max(self.level, 1) + " " + " ".join(self.lines)
        if self.kind == "quote":
            return "\n".join("> " + line for line in self.lines)
        return "\n".join(self.lines)

    @cached_property
    def text(self) -> str:
        """Plain text (what a reader sees), lines joined with newlines. Computed once: a
        block is not changed after :func:`parse_blocks` has returned it."""
        if self.kind == "code":
            return "\n".join(self.lines)
        if self.kind == "list":
            return "\n".join(plain_inline(item) for item in self.items)
        return "\n".join(plain_inline(line) for line in self.lines)

    @property
    def first_line(self) -> str:
        if self.kind == "list":
            return self.items[0] if self.items else ""
        return self.lines[0] if self.lines else ""


def _list_marker(block: Block, index: int) -> str:
    return f"{block.start + index}. " if block.ordered else "- "


def _indent_rest(text: str, width: int) -> str:
    lines = text.split("\n")
    pad = " " * width
    return "\n".join([lines[0]] + [(pad + line) if line.strip() else "" for line in lines[1:]])


def parse_blocks(markdown: str) -> list[Block]:
    """Cut *markdown* into blocks, then merge numbered steps that were split apart.

    A block indented under the last item of a list (a "loose" list item of several
    paragraphs or with a code block, as support articles write their options) gets the
    ``depth`` of the lists it sits in, and a list resuming after such blocks is marked
    ``continues_list``, so that fix steps keep each option's command with its option
    (:func:`ingest.render.numbered_steps`).
    """
    blocks: list[Block] = []
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    chunk: list[str] = []
    nesting = _ListNesting()
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            nesting.flush(chunk, blocks)
            chunk = []
            marker = fence.group(1)
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(marker):
                body.append(lines[i])
                i += 1
            nesting.add_code(_indent_of(line), body, blocks)
            i += 1
            continue
        if _BLANK.match(line):
            nesting.flush(chunk, blocks)
            chunk = []
        else:
            chunk.append(line.rstrip())
        i += 1
    nesting.flush(chunk, blocks)
    return _merge_lists(blocks)


def _indent_of(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


@dataclass
class _OpenList:
    marker: int  # column of its markers
    content: int  # column where its items' text starts ("- x": 2, "1. x": 3)
    ordered: bool


class _ListNesting:
    """Which blocks of :func:`parse_blocks` continue an item of a list before them: the lists
    still open, outermost first, and how deep each new block sits in them."""

    def __init__(self) -> None:
        self.open: list[_OpenList] = []

    def _depth(self, indent: int) -> int:
        """How many open lists a block starting at *indent* sits inside."""
        depth = 0
        while depth < len(self.open) and indent >= self.open[depth].content:
            depth += 1
        return depth

    def add_code(self, indent: int, body: list[str], blocks: list[Block]) -> None:
        depth = self._depth(indent)
        del self.open[depth:]
        if depth:
            cut = self.open[-1].content
            body = [x[cut:] if x[:cut].strip() == "" else x.lstrip() for x in body]
        blocks.append(Block("code", lines=body, depth=depth))

    def flush(self, chunk: list[str], blocks: list[Block]) -> None:
        if not chunk:
            return
        depth = self._depth(_indent_of(chunk[0]))
        if depth:
            # an item's last paragraph and the next item, with no blank line between them
            for k, line in enumerate(chunk[1:], 1):
                if self._depth(_indent_of(line)) < depth:
                    self.flush(chunk[:k], blocks)
                    self.flush(chunk[k:], blocks)
                    return
        before = len(blocks)
        _flush(chunk, blocks)
        added = blocks[before:]
        marker = _ORDERED.match(chunk[0]) or _BULLET.match(chunk[0])
        if len(added) == 1 and added[0].kind == "list" and marker is not None:
            column = len(marker.group(1))
            # a list at the markers of an open one resumes it, after its item's blocks
            resumed = next(
                (
                    d
                    for d, level in enumerate(self.open)
                    if level.marker == column and level.ordered == added[0].ordered
                ),
                None,
            )
            if resumed is not None:
                depth = resumed
                added[0].continues_list = True
            del self.open[depth:]
            self.open.append(_OpenList(column, marker.start(3), added[0].ordered))
        else:
            del self.open[depth:]
        for block in added:
            block.depth = depth


def _flush(chunk: list[str], blocks: list[Block]) -> None:
    headings = 0  # heading lines at the top of the chunk, each a block of its own
    while headings < len(chunk) and (heading := _HEADING.match(chunk[headings])):
        blocks.append(
            Block("heading", lines=[heading.group(2).strip()], level=len(heading.group(1)))
        )
        headings += 1
    chunk = chunk[headings:]
    if not chunk:
        return
    first = chunk[0]
    if all(line.lstrip().startswith(">") for line in chunk):
        inner = [re.sub(r"^\s*>\s?", "", line) for line in chunk]
        blocks.append(Block("quote", lines=[_clean_line(x) for x in inner if not _BLANK.match(x)]))
        return
    if all(line.lstrip().startswith("|") for line in chunk):
        rows = [line.strip() for line in chunk]
        cells = [[c.strip() for c in re.split(r"(?<!\\)\|", r.strip("|"))] for r in rows]
        if all(len(c) == 1 for c in cells):
            # A one-column table is a call-out box ("NOTE: test this first"): its text.
            text = [c[0] for c in cells if c[0] and not re.fullmatch(r"[\s:-]+", c[0])]
            if text:
                _flush_para(text, blocks)
            return
        blocks.append(Block("table", lines=rows))
        return
    if _BULLET.match(first) or _ORDERED.match(first):
        blocks.append(_parse_list(chunk))
        return
    _flush_para([_clean_line(line) for line in chunk], blocks)


def _clean_line(line: str) -> str:
    return _LEAD_SPACE.sub("", line).rstrip()


def _flush_para(lines: list[str], blocks: list[Block]) -> None:
    """A paragraph, or a label plus numbered lines written with <br> ("1. ...  2. ...")."""
    expanded: list[str] = []
    for line in lines:
        match = _BOLD_THEN_NUMBER.match(line)
        expanded.extend([match.group(1), match.group(2)] if match else [line])
    numbered = [
        i for i, line in enumerate(expanded) if _ORDERED.match(line) or _NUMBERED_PARA.match(line)
    ]
    if len(numbered) >= 2 and _number_of(expanded[numbered[0]]) == 1:
        head = expanded[: numbered[0]]
        if head:
            blocks.append(Block("para", lines=head))
        items: list[list[str]] = []
        for line in expanded[numbered[0] :]:
            if _ORDERED.match(line) or _NUMBERED_PARA.match(line):
                items.append([_strip_number(line)])
            else:  # a note under the previous step
                items[-1].append(line)
        blocks.append(Block("list", items=["\n".join(i) for i in items], ordered=True, start=1))
        return
    if len(expanded) == 1 and _NUMBERED_PARA.match(expanded[0]) and not _ORDERED.match(expanded[0]):
        number = _number_of(expanded[0])
        blocks.append(Block("list", items=[_strip_number(expanded[0])], ordered=True, start=number))
        return
    blocks.append(Block("para", lines=expanded))


def _number_of(line: str) -> int:
    match = re.match(r"^\s*(\d{1,3})", line)
    return int(match.group(1)) if match else 0


def _strip_number(line: str) -> str:
    return re.sub(r"^\s*\d{1,3}\s*[.)、．]\s*", "", line).strip()


def _parse_list(chunk: list[str]) -> Block:
    first = _ORDERED.match(chunk[0])
    ordered = bool(first)
    top_indent = len((first or _BULLET.match(chunk[0])).group(1))
    start = int(first.group(2)) if first else 1
    items: list[list[str]] = []
    for line in chunk:
        marker = _ORDERED.match(line) if ordered else _BULLET.match(line)
        if marker and len(marker.group(1)) == top_indent:
            items.append([marker.group(3).strip()])
        elif items:
            # Continuation or nested content: drop the item's own indentation.
            items[-1].append(re.sub(rf"^ {{1,{top_indent + 4}}}", "", line).rstrip())
        else:
            items.append([line.strip()])
    return Block("list", items=["\n".join(i).strip() for i in items], ordered=ordered, start=start)


def _merge_lists(blocks: list[Block]) -> list[Block]:
    """Join lists split by blank lines: '1.' '2.' '3.' written as separate paragraphs."""
    merged: list[Block] = []
    for block in blocks:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and block.kind == "list"
            and prev.kind == "list"
            and block.ordered == prev.ordered
            and block.depth == prev.depth
            and (not block.ordered or block.start == prev.start + len(prev.items))
        ):
            prev.items.extend(block.items)
            continue
        merged.append(block)
    return merged


def drop_previews(blocks: list[Block]) -> list[Block]:
    """Remove teaser paragraphs ("On failover cluster ... migration of...") that repeat the
    start of the next block: knowledge-base pages put them above every collapsed section."""
    out: list[Block] = []
    for i, block in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if block.kind == "para" and nxt is not None and is_preview_of(block.text, nxt.text):
            continue
        out.append(block)
    return out


def is_preview_of(text: str, following: str) -> bool:
    """True when *text* ends in an ellipsis and its stem starts *following*."""
    stripped = text.strip()
    if not stripped.endswith(("...", "…")):
        return False
    stem = _WS.sub(" ", stripped.rstrip(".…").strip())
    return len(stem) >= 12 and _WS.sub(" ", following.strip()).startswith(stem)
