"""A Diagnosis as chat messages: Slack Block Kit (mrkdwn) and Mattermost Markdown.

Pure functions from engine objects to JSON-ready dicts, so they are tested without a server.
Slack's limits are kept here: a header <= 150 characters, section text <= 3000, <= 50 blocks;
text is cut at a line break and never inside a ``<link|label>``, an entity or a code block.
Mattermost posts are capped below its 16,383-character limit.

>>> to_mrkdwn("## Fix\\n1. Run **`ipconfig`** and [read this](https://example.com/a?b=1&c=2)\\n- <b>a</b> < b")
'*Fix*\\n1. Run *`ipconfig`* and <https://example.com/a?b=1&amp;c=2|read this>\\n• a &lt; b'
"""

from __future__ import annotations

import re
from collections.abc import Callable

from engine.model import Diagnosis

from .render import safe_url

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000
MAX_BLOCKS = 50
MATTERMOST_FIX_LIMIT = 3000
MATTERMOST_POST_LIMIT = 16000  # Mattermost refuses posts over 16,383 characters

EntryUrl = Callable[[str], str]

# --- Slack mrkdwn -----------------------------------------------------------------------------

_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w*])")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")


def escape_slack(text: str) -> str:
    """Slack's three control characters, as its docs ask."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_link(url: str, label: str) -> str:
    url = safe_url(url.replace("&amp;", "&"))
    if not url:
        return label
    label = label.replace("|", "\u2223")
    return f"<{escape_slack(url)}|{label}>" if label else f"<{escape_slack(url)}>"


def _inline(text: str) -> str:
    """One line outside code: HTML tags dropped, escaped, Markdown emphasis and links converted."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`]*`)", text)):
        if i % 2:  # an inline code span: leave as is, escaped
            out.append(escape_slack(part))
            continue
        part = escape_slack(_TAG.sub("", part))
        part = _IMAGE.sub(lambda m: _slack_link(m[2], m[1] or "image"), part)
        part = _LINK.sub(lambda m: _slack_link(m[2], m[1]), part)
        part = _BOLD.sub(lambda m: "\x01" + m[2] + "\x01", part)
        part = _ITALIC.sub(lambda m: "_" + m[1] + "_", part)
        out.append(part.replace("\x01", "*"))
    joined = "".join(out)
    # "**`code`**" splits the bold markers across parts: join them up again
    return re.sub(r"\*\*(`[^`]*`)\*\*", r"*\1*", joined)


def to_mrkdwn(markdown_text: str) -> str:
    """Markdown (as writers and the ingester write it) -> Slack mrkdwn, reasonably."""
    lines = []
    in_fence = False
    for line in (markdown_text or "").replace("\r\n", "\n").split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            lines.append("```")
            continue
        if in_fence:
            lines.append(escape_slack(line))
            continue
        heading = _HEADING.match(line)
        if heading:
            lines.append(f"*{_inline(heading[1])}*")
            continue
        quote = _QUOTE.match(line)
        if quote:
            lines.append(">" + _inline(line[quote.end() :]))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            lines.append(bullet[1] + "• " + _inline(line[bullet.end() :]))
            continue
        lines.append(_inline(line))
    text = "\n".join(lines).strip("\n")
    if text.count("```") % 2:  # an unclosed fence (or ``` inside a line) would swallow the rest
        text += "\n```"
    return text


def fit(text: str, limit: int, more: str = "") -> str:
    """*text* cut to at most *limit* characters without breaking mrkdwn; *more* ends a cut."""
    if len(text) <= limit:
        return text
    suffix = "\n…" + (" " + more if more else "")
    budget = max(0, limit - len(suffix) - 4)  # room for a closing ``` too
    cut = text[:budget]
    newline = cut.rfind("\n")
    if newline > budget // 2:
        cut = cut[:newline]
    elif " " in cut[budget // 2 :]:
        cut = cut[: cut.rfind(" ")]
    if cut.rfind("<") > cut.rfind(">"):  # never half a <url|label>
        cut = cut[: cut.rfind("<")]
    if cut.rfind("&") > cut.rfind(";"):  # never half an &amp;
        cut = cut[: cut.rfind("&")]
    cut = cut.rstrip()
    if cut.count("```") % 2:
        cut += "\n```"
    return cut + suffix


def _plain(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def slack_reply(diagnosis: Diagnosis, entry_url: EntryUrl) -> dict:
    remedies = diagnosis.remedies
    if not remedies:
        return slack_message(
            "No entry matched anything in that text. Try pasting the exact error message."
        )
    if diagnosis.confident:
        header = f"Top remedies ({len(remedies)})"
    else:
        header = "No confident answer: the nearest entries"
    blocks: list[dict] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": _plain(header, HEADER_LIMIT), "emoji": False},
        }
    ]
    found = diagnosis.facts_line
    if found:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {
                        "type": "mrkdwn",
                        "text": fit("Found in the paste: " + escape_slack(found), CONTEXT_LIMIT),
                    }
                ],
            }
        )
    for rank, remedy in enumerate(remedies, 1):
        entry = remedy.entry
        url = entry_url(entry.id)
        link = f"<{escape_slack(url)}|{escape_slack(entry.title).replace('|', chr(0x2223))}>"
        label = remedy.confidence_label(diagnosis.threshold)
        summary = f"*{rank}. {link}*\nConfidence *{remedy.percent}%* ({label})"
        if remedy.confidence < diagnosis.threshold:
            summary += " · _nearest, not a confident match_"
        if remedy.short_why:
            summary += "\n_Why:_ " + escape_slack(remedy.short_why)
        more = f"<{escape_slack(url)}|read the full entry>"
        blocks.append(
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": fit(summary, SECTION_LIMIT, more)},
            }
        )
        fix = to_mrkdwn(entry.fix)
        if fix:
            fix_text = fit(
                ("*Fix*\n" if entry.kind != "guide" else "*Steps*\n") + fix, SECTION_LIMIT, more
            )
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": fix_text}})
        links = [f"<{escape_slack(url)}|Full entry>"]
        source = safe_url(entry.source)
        if source:
            links.append(f"<{escape_slack(source)}|Source>")
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(links)}]}
        )
        blocks.append({"type": "divider"})
    blocks = blocks[:MAX_BLOCKS]
    if blocks[-1]["type"] == "divider":
        blocks.pop()
    first = remedies[0]
    title = _plain(first.entry.title, 200)
    fallback = (
        f"{title} ({first.percent}%)"
        if diagnosis.confident
        else f"No confident answer. Nearest: {title} ({first.percent}%)"
    )
    return {"response_type": "ephemeral", "text": escape_slack(fallback), "blocks": blocks}


def slack_message(text: str) -> dict:
    return {
        "response_type": "ephemeral",
        "text": escape_slack(_plain(text, 300)),
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": fit(escape_slack(text), SECTION_LIMIT)},
            }
        ],
    }


def slack_usage(command: str) -> dict:
    command = command if command.startswith("/") else "/" + command
    text = (
        f"Usage: `{escape_slack(command)} <error text>`: paste an error message (an Event Viewer "
        "entry, a dialog's text, a log line) and get the remedies that fit, with why."
    )
    return {
        "response_type": "ephemeral",
        "text": escape_slack(f"Usage: {command} <error text>"),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


# --- Mattermost Markdown ------------------------------------------------------------------------


def _md_label(text: str) -> str:
    return re.sub(r"([\[\]\\*_`])", r"\\\1", text)


def clean_markdown(markdown_text: str) -> str:
    """Markdown for Mattermost: raw HTML tags dropped and non-http(s) links reduced to their
    text, outside code blocks (Mattermost renders Markdown, so the rest is kept as written)."""
    lines = []
    in_fence = False
    for line in (markdown_text or "").replace("\r\n", "\n").split("\n"):
        if not in_fence:
            line = _TAG.sub("", line)
        fence = _FENCE.match(line)
        if fence:
            in_fence = not in_fence
            info = line[fence.end() :].strip()  # keep a language name, nothing else
            line = line[: fence.end()] + (info if re.fullmatch(r"[\w+#.-]*", info) else "")
        elif not in_fence:
            line = _IMAGE.sub(
                lambda m: f"[{m[1] or 'image'}]({m[2]})" if safe_url(m[2]) else m[1], line
            )
            line = _LINK.sub(lambda m: m[0] if safe_url(m[2]) else m[1], line)
        lines.append(line)
    if in_fence:
        lines.append("```")
    return "\n".join(lines).strip()


def _md_fit(text: str, limit: int, more: str) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - len(more) - 8]
    if "\n" in cut[limit // 2 :]:
        cut = cut[: cut.rfind("\n")]
    if cut.count("```") % 2:
        cut += "\n```"
    return cut.rstrip() + "\n\n… " + more


def mattermost_reply(diagnosis: Diagnosis, entry_url: EntryUrl, webhook: bool) -> dict:
    remedies = diagnosis.remedies
    if not remedies:
        return mattermost_message(
            "No entry matched anything in that text. Try pasting the exact error message.", webhook
        )
    parts = [
        "#### "
        + ("Top remedies" if diagnosis.confident else "No confident answer: the nearest entries")
    ]
    found = diagnosis.facts_line
    if found:
        parts.append(f"_Found in the paste:_ {_md_label(found)}")
    for rank, remedy in enumerate(remedies, 1):
        entry = remedy.entry
        url = entry_url(entry.id)
        line = (
            f"**{rank}. [{_md_label(entry.title)}]({url})** · confidence {remedy.percent}% "
            f"({remedy.confidence_label(diagnosis.threshold)})"
        )
        if remedy.confidence < diagnosis.threshold:
            line += " · _nearest, not a confident match_"
        block = [line]
        if remedy.short_why:
            block.append("_Why:_ " + _md_label(remedy.short_why))
        if entry.fix.strip():
            heading = "**Steps**" if entry.kind == "guide" else "**Fix**"
            block.append(
                heading
                + "\n"
                + _md_fit(
                    clean_markdown(entry.fix), MATTERMOST_FIX_LIMIT, f"[read the full entry]({url})"
                )
            )
        source = safe_url(entry.source)
        links = f"[Full entry]({url})" + (f" · [Source]({source})" if source else "")
        block.append(links)
        parts.append("\n".join(block))
    text = "\n\n---\n\n".join(
        [parts[0] + ("\n" + parts[1] if found else "")] + parts[(2 if found else 1) :]
    )
    text = _md_fit(text, MATTERMOST_POST_LIMIT, "(cut to fit one post)")
    return {"response_type": "comment" if webhook else "ephemeral", "text": text}


def mattermost_message(text: str, webhook: bool) -> dict:
    return {"response_type": "comment" if webhook else "ephemeral", "text": _md_label(text)}


def mattermost_usage(command: str, webhook: bool) -> dict:
    how = f"{command} <error text>" if webhook else f"/{command.lstrip('/')} <error text>"
    return mattermost_message(
        f"Usage: {how} - paste an error message and get the remedies that fit, with why.", webhook
    )
