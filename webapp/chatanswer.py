"""One chat answer, built once and formatted last by each platform (Slack, Teams, Mattermost).

A chat reply is short: the best remedy's title, its confidence, the first fix steps, one
"why" line and a link to the permalink page that holds the rest. Building it stores the paste
under a permalink token (so buttons can refer back to it) and counts a paste answered without
confidence in the knowledge-gap queue. What a user types is one of three commands:

>>> parse_command("  help "), parse_command(""), parse_command("search dns  record")
(('help', ''), ('help', ''), ('search', 'dns  record'))
>>> parse_command("Event ID: 1196 DNS")[0]
'paste'
>>> first_steps("Intro.\\n\\n1. One.\\n   more\\n2. Two.\\n3. Three.\\n4. Four.", 2)
'1. One.\\n   more\\n2. Two.'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app

from engine.errors import KBError
from engine.model import Diagnosis

from . import gaps, permalinks
from .concurrency import run_blocking
from .errors import from_engine
from .feedback import store
from .kbstate import diagnoser
from .store import StoreUnavailable
from .views import entry_url

CHAT_TOP = 3
STEPS = 3
MAX_STEPS_CHARS = 900
MAX_WHY_CHARS = 160
MAX_SEARCH_RESULTS = 10
_ITEM = re.compile(r"^\s{0,3}(?:\d+[.)]|[-*+])\s+")


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Answer:
    """What every chat shows for one paste. ``best`` is None when nothing is confident (then
    ``nearest`` holds up to three entries to look at); ``token`` is None when the store is away
    (then there is no permalink and no buttons)."""

    confident: bool
    token: str | None = None
    page_url: str | None = None
    best: Link | None = None
    entry_id: str | None = None
    percent: int = 0
    label: str = ""
    steps: str = ""
    why: str = ""
    nearest: tuple[Link, ...] = ()
    problem: str | None = None  # the engine refused the paste (too large, ...): say why


def parse_command(text: str) -> tuple[str, str]:
    """``help`` (also for an empty text), ``search`` with its words, or ``paste``."""
    words = text.strip().split(None, 1)
    if not words or (words[0].lower() == "help" and len(words) == 1):
        return "help", ""
    if words[0].lower() == "search" and len(words) == 2 and "\n" not in words[1]:
        return "search", words[1].strip()
    return "paste", text.strip()


def first_steps(fix: str, count: int = STEPS) -> str:
    """The first *count* list items of a fix (with their continuation lines), or its first
    paragraph when it has no list; at most ``MAX_STEPS_CHARS``."""
    lines = (fix or "").replace("\r\n", "\n").strip().split("\n")
    items, kept, started = 0, [], False
    for line in lines:
        if _ITEM.match(line):
            items += 1
            if items > count:
                break
            started = True
        elif started and line.strip() and not line.startswith((" ", "\t")):
            break
        if started and line.strip():
            kept.append(line)
    if not kept:  # no list: the first paragraph
        kept = (fix or "").strip().split("\n\n", 1)[0].split("\n")
    text = "\n".join(kept).strip()
    return text if len(text) <= MAX_STEPS_CHARS else text[: MAX_STEPS_CHARS - 1].rstrip() + "…"


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def compose(diagnosis: Diagnosis, token: str | None) -> Answer:
    """The chat answer for *diagnosis*, its permalink *token* already stored (or None)."""
    page = permalinks.page_url(token) if token else None
    remedies = diagnosis.remedies
    if not diagnosis.confident or not remedies:
        nearest = tuple(Link(r.entry.title, entry_url(r.entry.id)) for r in remedies[:3])
        return Answer(False, token, page, nearest=nearest)
    best = remedies[0]
    return Answer(
        True,
        token,
        page,
        best=Link(best.entry.title, entry_url(best.entry.id)),
        entry_id=best.entry.id,
        percent=best.percent,
        label=best.confidence_label(diagnosis.threshold),
        steps=first_steps(best.entry.fix),
        why=_one_line(best.short_why, MAX_WHY_CHARS),
    )


def diagnose(text: str) -> Diagnosis:
    """The diagnosis of *text* (in a real thread under gevent; raises KBError)."""
    return run_blocking(diagnoser().diagnose, text, CHAT_TOP)


def answer(text: str) -> Answer:
    """Diagnose *text*, store it under a permalink, count it as a gap when not confident."""
    try:
        diagnosis = diagnose(text)
    except KBError as exc:  # chat shows the message in the channel, not as an HTTP error
        return Answer(False, problem=from_engine(exc).message)
    token = None
    try:
        token = permalinks.save(text, diagnosis, top=CHAT_TOP, kb_version=diagnoser().vid)
    except (StoreUnavailable, ValueError) as exc:  # no permalink: the answer still goes out
        current_app.logger.warning("chat answer without a permalink: %s", type(exc).__name__)
    if not diagnosis.confident:
        gaps.record_unanswered(diagnosis, reason="not_confident")
    return compose(diagnosis, token)


def stored(token: str) -> Diagnosis | None:
    """The stored paste of *token* diagnosed again (a button refers to it), or None."""
    payload = permalinks.load(token)
    if not payload or not isinstance(payload.get("paste"), str):
        return None
    try:
        return diagnose(payload["paste"])
    except KBError:
        return None


def search_titles(words: str, limit: int = MAX_SEARCH_RESULTS) -> list[Link]:
    """Entries whose title holds every word (case-folded), sorted by title."""
    wanted = [w.casefold() for w in words.split()][:20]
    found = [
        entry
        for entry in diagnoser().entries.values()
        if all(w in entry.title.casefold() for w in wanted)
    ]
    found.sort(key=lambda e: e.title.casefold())
    return [Link(e.title, entry_url(e.id)) for e in found[:limit]]


def site_url() -> str:
    """The web page's address, for the usage text."""
    from flask import request

    return (current_app.config.get("KB_PUBLIC_URL") or request.host_url).rstrip("/") + "/"


BUTTONS = (
    "Under an answer: *Solved it* and *Didn't solve it* count on the entry (and tell the "
    "writers what is missing), *Show to channel* posts it for everyone."
)


def usage(command: str, site: str, buttons: str = BUTTONS) -> str:
    """The help text every chat shows for ``help`` or an empty command (Markdown that Slack,
    Mattermost and Teams all render); *buttons* says what the platform's buttons do."""
    return (
        f"Paste an error after `{command}`: an Event Viewer entry, a dialog's text, a log "
        "line. You get the best remedy, its confidence, the first fix steps and a link to "
        "the whole answer.\n"
        f"`{command} search WORDS` lists the entries whose titles hold those words; "
        f"`{command} help` shows this.\n"
        f"{buttons}\n"
        f"The web page: {site}"
    )


def count_gap(token: str, reason: str) -> None:
    """Count the paste stored under *token* in the knowledge-gap queue (a button said so)."""
    diagnosis = stored(token)
    if diagnosis is not None:
        gaps.record_unanswered(diagnosis, reason=reason)


def vote(voter: str, entry_id: str, token: str, solved: bool) -> bool:
    """Count a chat user's verdict on an entry of the answer *token*: once per user per answer
    (*voter* names the user on its platform: ``slack:T1:U2``). False when already counted."""
    found = store()
    verdict = "solved" if solved else "not_helpful"
    return found.add_feedback(entry_id, verdict, voter=found.voter_id(voter), result=token)
