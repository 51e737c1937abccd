"""Text for chat messages: Markdown as Slack mrkdwn and as Mattermost Markdown, cut to fit.

Pure functions, tested without a server; the messages themselves are built in
:mod:`webapp.slackformat`, :mod:`webapp.mattermost` and :mod:`webapp.teams`.
Slack's limits are kept here: a header <= 150 characters, section text <= 3000, <= 50 blocks;
text is cut at a line break and never inside a ``<link|label>``, an entity or a code block.
Mattermost posts are capped below its 16,383-character limit.

>>> to_mrkdwn("## Fix\\n1. Run **`ipconfig`** and [read this](https://example.com/a?b=1&c=2)\\n- <b>a</b> < b")
'*Fix*\\n1. Run *`ipconfig`* and <https://example.com/a?b=1&amp;c=2|read this>\\n• a &lt; b'
"""

from __future__ import annotations

import re

from .render import safe_url

HEADER_LIMIT = 150
SECTION_LIMIT = 3000
CONTEXT_LIMIT = 2000
MAX_BLOCKS = 50
MATTERMOST_FIX_LIMIT = 3000
MATTERMOST_POST_LIMIT = 16000  # Mattermost refuses posts over 16,383 characters

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


def plain(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def slack_message(text: str) -> dict:
    return {
        "response_type": "ephemeral",
        "text": escape_slack(plain(text, 300)),
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": fit(escape_slack(text), SECTION_LIMIT)},
            }
        ],
    }


# --- Mattermost Markdown ------------------------------------------------------------------------


def md_label(text: str) -> str:
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


def md_fit(text: str, limit: int, more: str) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - len(more) - 8]
    if "\n" in cut[limit // 2 :]:
        cut = cut[: cut.rfind("\n")]
    if cut.count("```") % 2:
        cut += "\n```"
    return cut.rstrip() + "\n\n… " + more


def mattermost_message(text: str, webhook: bool) -> dict:
    return {"response_type": "comment" if webhook else "ephemeral", "text": md_label(text)}
