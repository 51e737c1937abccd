"""One article -> entry drafts: the step that decides what knowledge an article holds.

    article HTML -> sanitize -> Markdown -> blocks -> segments (by cue words)
        troubleshooting article -> one troubleshooting draft per scenario/error
        how-to article          -> one guide draft + one troubleshooting draft per statement

A draft is an entry without identity or provenance: its part name ("main", "scenario-2",
"migration-attempt-failed"), kind, title, sections and message signatures, plus the text
its facts (events, codes, products, language) are read from.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.facts import detect_language

from .blocks import Block, drop_previews, parse_blocks, plain_inline
from .classify import DECORATION, classify
from .feed import Article
from .guide import guide_steps, sections_of, summary
from .html import escape_text, sanitize, to_markdown
from .mining.messages import mine_messages
from .render import (
    Step,
    format_steps,
    links,
    numbered_steps,
    paragraphs,
    references,
    symptom_markdown,
)
from .segments import segment
from .statements import Statement, find_statements, part_name
from .text import has_error_words, shorten, slugify
from .troubleshoot import Part, is_troubleshooting, troubleshooting_parts

NO_CAUSE = "The article does not state a cause."
NO_CAUSE_ZH = "原文没有说明原因。(The article does not state a cause.)"
NO_FIX = "The article gives no remedy for this case; see the source article."
MAX_MESSAGES = 12
MAX_NOTES = 6
MAX_REFERENCES = 12
# Parts of one troubleshooting article: real ones have a handful of scenarios. Each part
# reads the whole article's text for its events, so the parts of an article are bounded.
MAX_PARTS = 50


@dataclass(frozen=True)
class Draft:
    part: str
    kind: str
    title: str
    sections: tuple[tuple[str, str], ...]
    symptom: tuple[Block, ...]  # the blocks its error messages are mined from (ingest.mining)
    fact_text: str  # products, language and codes are read from this
    event_text: str  # events are read from this (the whole article for its main errors)
    # The verbatim messages of its symptom: what the part's title is hinted from, and the
    # signatures mining starts from (found once: they cost as much as the rest of mining).
    messages: tuple[str, ...]


def symptom_messages(blocks: list[Block]) -> tuple[str, ...]:
    return tuple(m.text for m in mine_messages(blocks))


def article_blocks(article: Article) -> list[Block]:
    markdown = to_markdown(sanitize(article.html), article.base)
    return drop_previews(parse_blocks(markdown))


def classified(segments: list) -> list:
    """*segments* with every block typed (ingest.classify), in reading order."""
    ordered = [b for s in segments for b in ([s.heading] if s.heading else []) + s.blocks]
    classify(ordered)
    return segments


def split_article(article: Article, notes: list[str] | None = None) -> list[Draft]:
    """The drafts an article yields; empty when it has no text.

    What had to be left out is added to *notes* ("120 parts; the first 50 ingested").
    """
    blocks = article_blocks(article)
    segments = classified(segment(blocks))
    if all(b.role == DECORATION for s in segments for b in s.blocks):
        return []
    title = article.title or shorten(plain_inline(blocks[0].text), 80)
    # Facts are read from the text with link texts ("Event ID 1196 — ...FailoverClustering").
    article_text = title + "\n" + "\n".join(b.text for b in blocks)
    if is_troubleshooting(segments, title):
        parts = troubleshooting_parts(segments)
        if len(parts) > MAX_PARTS and notes is not None:
            notes.append(f"{len(parts)} parts; the first {MAX_PARTS} ingested")
        drafts = [
            _part_draft(p, i, len(parts), title, article_text)
            for i, p in enumerate(parts[:MAX_PARTS])
        ]
    else:
        drafts = [_guide_draft(segments, title, article_text)]
        drafts += [_statement_draft(s, title) for s in find_statements(segments)]
    return _unique_parts(drafts)


def first_blocks(blocks: list[Block], count: int) -> list[Block]:
    """The first *count* blocks, and then the rest of a list they end inside: a cut in the
    middle of a procedure would drop the command of its next step."""
    out = blocks[:count]
    for block in blocks[count:]:
        if not (block.depth or block.continues_list):
            break
        out.append(block)
    return out


def _unique_parts(drafts: list[Draft]) -> list[Draft]:
    """Part names are file names: a second "main" or a repeated slug gets "-2", "-3"."""
    seen: dict[str, int] = {}
    out = []
    for draft in drafts:
        seen[draft.part] = seen.get(draft.part, 0) + 1
        count = seen[draft.part]
        out.append(draft if count == 1 else replace(draft, part=f"{draft.part}-{count}"))
    return out


def _no_cause(text: str) -> str:
    return NO_CAUSE_ZH if detect_language(text) == "zh" else NO_CAUSE


def _sections(**named: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, text) for name, text in named.items() if text and text.strip())


def _part_draft(part: Part, index: int, count: int, title: str, article_text: str) -> Draft:
    messages = symptom_messages(part.symptom)
    body_blocks = part.symptom + part.cause + part.fix + part.notes
    text = title + "\n" + "\n".join(b.text for b in body_blocks)
    symptom = symptom_markdown(part.symptom) or escape_text(title)
    steps = numbered_steps(part.fix)
    refs = list(dict.fromkeys(part.references + links(part.fix + part.notes)))
    short = [m for m in messages if has_error_words(m) and len(m) <= 70]
    hint = min(short, key=len) if short else ""
    if part.number is not None:
        name = "main" if index == 0 else f"scenario-{part.number}"
        part_title = f"{title}: scenario {part.number}" + (
            f" ({hint.rstrip('.。')})" if hint else ""
        )
    else:
        name = (
            "main"
            if index == 0
            else (slugify(hint or (messages[0] if messages else ""), 40) or f"part-{index + 1}")
        )
        part_title = (
            title
            if index == 0
            else f"{title}: {shorten(hint or (messages[0] if messages else f'part {index + 1}'), 70)}"
        )
    sections = _sections(
        Symptom=symptom,
        Cause=paragraphs(part.cause) or _no_cause(text),
        Fix=format_steps(steps) if steps else "1. " + NO_FIX,
        Notes=paragraphs(first_blocks(part.notes, MAX_NOTES)),
        References=references(refs, MAX_REFERENCES),
    )
    return Draft(
        name,
        "troubleshooting",
        part_title,
        sections,
        tuple(part.symptom),
        text,
        article_text if count == 1 or part.number is not None else text,
        messages,
    )


def _guide_draft(segments, title: str, article_text: str) -> Draft:
    intro, sections, notes = sections_of(segments)
    all_blocks = [b for s in segments for b in s.blocks] + [
        s.heading for s in segments if s.heading is not None
    ]
    steps = guide_steps(intro, sections)
    body = _sections(
        Summary=summary(intro, sections, escape_text(title)),
        Steps=format_steps(steps) if steps else "1. " + escape_text(title),
        Notes=paragraphs(notes[:MAX_NOTES]),
        References=references(links(all_blocks), MAX_REFERENCES),
    )
    return Draft("main", "guide", title, body, (), article_text, article_text, ())


def _surroundings(statement: Statement) -> str:
    """The paragraphs a statement stands in, under the name of their section."""
    text = paragraphs(statement.surroundings)
    if not text:
        return ""
    where = (
        f"the section “{escape_text(statement.section)}”" if statement.section else "the article"
    )
    return f"From {where}:\n\n{text}"


def _statement_draft(statement: Statement, title: str) -> Draft:
    symptom = " ".join(statement.symptom)
    if statement.errors:
        symptom += "\n\n```\n" + "\n".join(statement.errors) + "\n```"
    if statement.cause and statement.cause_is_list:
        cause = "\n".join(f"- {c}" for c in statement.cause)
    else:
        cause = " ".join(statement.cause)
    if statement.fix_blocks:
        steps = numbered_steps(statement.fix_blocks)
    else:
        steps = list(statement.related) + [Step(f) for f in statement.fix]
    if statement.commands:
        if steps:
            steps[-1].code.extend(statement.commands)
        else:
            steps = [Step("", code=list(statement.commands))]
    text = title + "\n" + plain_inline(statement.text)
    key = statement.title_key
    errors = classify([Block("quote", lines=list(statement.errors))]) if statement.errors else []
    sections = _sections(
        Symptom=symptom,
        Cause=cause or _no_cause(text),
        Fix=format_steps(steps),
        Notes=_surroundings(statement),
        References=references(list(dict.fromkeys(statement.references)), MAX_REFERENCES),
    )
    return Draft(
        part_name(statement),
        "troubleshooting",
        f"{title}: {shorten(plain_inline(key), 70)}",
        sections,
        tuple(errors),
        text,
        plain_inline(statement.text),
        symptom_messages(errors),
    )
