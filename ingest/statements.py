"""Troubleshooting statements inside a how-to: "Otherwise you will get errors like, Migration
attempt failed", "NIC Teaming is not supported on iSCSI connections", "how can one get in
trouble? 1. Disable the adapter ...".

Each paragraph is scored on the signals such statements carry, in English and Chinese: an
error or failure, something unsupported or impossible, a prohibition, a requirement ("must",
"be sure"), a condition, a stated reason, an instruction or a command right after it. A
paragraph that names a problem *and* a remedy and scores high enough becomes a
troubleshooting part: the problem clauses are the symptom, the reason clause the cause, the
requirement/instruction clauses and the command after them the fix. The best few per article
are kept, in article order.

Two list shapes are recognised as well: "ways to get in trouble" (the list is the cause) and
"troubleshooting procedures" (the list is the fix).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

from engine.masking import CASE_ODD

from .blocks import Block, plain_inline, strip_emphasis
from .classify import DECORATION, command_text
from .cues import TROUBLE_LIST
from .render import Step, capitalise, links
from .segments import Segment
from .text import is_imperative, slugify, split_sentences

MAX_STATEMENTS = 5
MIN_SCORE = 5
# How far past a statement its command or list is looked for (blocks), and how many of the
# section's sentences before a troubleshooting procedure are its context: bounds that keep the
# work per block constant in a guide of any length.
LOOKAHEAD = 64
MAX_CONTEXT = 50

_F = re.IGNORECASE
FEATURES: dict[str, tuple[int, re.Pattern[str]]] = {
    "error": (
        3,
        re.compile(r"\b(?:errors?|failed|fails|crash(?:es|ed)?)\b|错误|失败|报错|出错|崩溃", _F),
    ),
    "problem": (
        2,
        re.compile(
            r"(?<!troubleshooting )\b(?:problems?|issues?|trouble|warning|failures?|failing)\b(?! of any)"
            r"(?<!points of failure)(?<!point of failure)|问题|故障|警告",
            _F,
        ),
    ),
    "unsupported": (
        3,
        re.compile(
            r"\bnot (?:be )?supported\b|\bunsupported\b|\bisn['’]t supported\b|不支持|不受支持", _F
        ),
    ),
    "negative": (
        2,
        re.compile(
            r"\b(?:can['’]?t|cannot|can not|unable to|not possible|won['’]t work|doesn['’]t work|"
            r"does not work|will not work|(?:don['’]t|doesn['’]t|do not|does not) (?:have|support))\b|无法|不能",
            _F,
        ),
    ),
    "prohibition": (
        2,
        re.compile(
            r"(?:^|[.!?]\s+)(?:do not|don['’]t|never)\b|\bmust not\b|\bshould not\b|\bshouldn['’]t\b|"
            r"\bbe careful not\b|\bavoid\b|不要|请勿|切勿|禁止",
            _F,
        ),
    ),
    "required": (
        2,
        re.compile(
            r"\bmust\b|\bbe sure\b|\bmake sure\b|\bensure\b|\bit is important\b|\bit['’]s important\b|"
            r"\bimportant that\b|必须|务必|确保",
            _F,
        ),
    ),
    "advised": (
        1,
        re.compile(
            r"\bneeds? to\b|\bhave to\b|\bhas to\b|\brequired?\b|\brequires\b|\bshould\b|需要|应该|应当",
            _F,
        ),
    ),
    "condition": (1, re.compile(r"\bif\b|\botherwise\b|\bunless\b|\bwhen\b|如果|否则|若", _F)),
    "reason": (
        1,
        re.compile(
            r"\bbecause\b|\bdue to\b|\bcaused by\b|\bcausing\b|\bthe reason\b|因为|由于|导致", _F
        ),
    ),
    "uniform": (
        1,
        re.compile(
            r"\b(?:the same|identical|named the same)\b.{0,60}\b(?:on|across|in) (?:all|both|every|each)\b|所有节点",
            _F,
        ),
    ),
}
# A feature's regex runs only on text whose lower-cased form holds one of its words: a
# case-insensitive regex cannot skip ahead to a literal, it tries every position (the ten took
# ~50 µs a paragraph, the largest part of finding statements). Every match of a regex holds
# one of its words, lower-cased, so the features found are the same; a text with a character
# that matches a Latin letter case-insensitively but lowers to another (İ, ı, ſ) runs every
# regex, as engine.masking does.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "error": ("error", "fail", "crash", "错误", "失败", "报错", "出错", "崩溃"),
    "problem": ("problem", "issue", "trouble", "warning", "fail", "问题", "故障", "警告"),
    "unsupported": ("supported", "不支持", "不受支持"),
    "negative": ("can", "unable", "not", "won", "don", "doesn", "无法", "不能"),
    "prohibition": (
        "do not",
        "don",
        "never",
        "must not",
        "should",
        "careful",
        "avoid",
        "不要",
        "请勿",
        "切勿",
        "禁止",
    ),
    "required": ("must", "sure", "important", "必须", "务必", "确保"),
    "advised": ("need", "have to", "has to", "require", "should", "需要", "应该", "应当"),
    "condition": ("if", "otherwise", "unless", "when", "如果", "否则", "若"),
    "reason": ("because", "due to", "caus", "the reason", "因为", "由于", "导致"),
    "uniform": ("the same", "identical", "所有节点"),
}
assert _NEEDLES.keys() == FEATURES.keys()
PROBLEM = frozenset({"error", "problem", "unsupported", "negative", "prohibition"})
REMEDY = frozenset({"required", "advised", "prohibition", "unsupported", "reason"})
_PROCEDURE = re.compile(r"troubleshooting (?:procedures|steps)|排查步骤|故障排除步骤", _F)
_TROUBLESHOOT_SECTION = re.compile(r"troubleshoot|故障排除|排错|问题排查", _F)
_REMEDY_PHRASE = re.compile(
    r"\b(?:correct|right|best|recommended|appropriate) (?:answer|way|approach|practice|solution|fix)"
    r"(?:,)? is (?:to )?(.+?)(?:[.!。]|$)",
    _F,
)
_APPROPRIATE = re.compile(r"\b(?:appropriate|recommended|preferred)\b|建议|推荐", _F)
_MORE_INFO = re.compile(
    r"^\W*(?:more information|more info|for more|see|refer to|更多|参考|详见)", _F
)
_REASON_CLAUSES = [
    re.compile(
        r"(?:that['’]?s|thats|this is|it['’]?s)?\s{0,8}(?:probably |likely |most likely )?because (?:of )?(.+?)(?:[.。]|$)",
        _F,
    ),
    re.compile(r"\bdue to (.+?)(?:[.。]|$)", _F),
    re.compile(r"\bcaused by (.+?)(?:[.。]|$)", _F),
    re.compile(r"^(.+?),? which is causing (?:the|this|a) (?:problem|issue|error)", _F),
    re.compile(r"(?:因为|由于)(.+?)(?:[，,。]|$)"),
]
_WHEN_CLAUSE = re.compile(
    r"\b(?:can['’]?t|cannot|can not|fails?|won['’]t)\b.*?\b(?:when|if) (.+?)(?:[.。]|$)", _F
)
_IF_THEN = re.compile(
    r"^(?:however,?\s*|but\s+)?((?:if|when|如果)\s+[^,，]{4,}?)[,，]\s*(.{8,})$", _F
)
_OTHERWISE = re.compile(r"^\W*(?:otherwise|否则|if not)\b", _F)
_QUOTED = re.compile(r"[“\"]([^”\"]{3,40})[”\"]")
_STOP = set(
    """
        a an the this that these those is are was were be been being to of in on for with by
        at as and or but if then so you your we our i my it its they them there here will
        would can could should must may might do does did yes have has had get got also just
        only any all some such very more don doesn isn aren wasn weren won shouldn couldn
        wouldn ll ve re most when while which who what how why than too up out about into
        over after before because however otherwise probably like errors error one other
        """.split()  # noqa: SIM905 - a word list reads best as words
)
_CLAUSE_SPLIT = re.compile(r"\s{0,8}(?:—|–|--|;|；)\s{0,8}")


@dataclass
class Statement:
    """A troubleshooting statement found in a guide, ready to render as a part."""

    kind: str  # "statement" | "trouble" | "procedure"
    score: int
    position: int
    symptom: list[str] = field(default_factory=list)  # sentences (inline Markdown)
    errors: list[str] = field(default_factory=list)  # quoted error strings
    cause: list[str] = field(default_factory=list)  # sentences or list items
    cause_is_list: bool = False
    fix: list[str] = field(default_factory=list)
    fix_blocks: list[Block] = field(default_factory=list)  # a procedure, as blocks
    commands: list[str] = field(default_factory=list)  # typed right after the statement
    related: list[Step] = field(default_factory=list)  # earlier commands about the same thing
    references: list[tuple[str, str]] = field(default_factory=list)
    key: str = ""
    quoted: list[str] = field(default_factory=list)
    context_positions: set[int] = field(default_factory=set)
    requirement: bool = False  # no problem named, only a rule to follow
    # Where a statement stands in the guide: its section's name, the paragraph before it and its
    # own. A part cut from step 9 otherwise loses the words a paste names it by ("the High
    # Availability wizard" of "The VM can't be running while you perform this operation").
    section: str = ""
    surroundings: list[Block] = field(default_factory=list)

    @property
    def title_key(self) -> str:
        """What the entry's title names: the error, the trouble, the procedure, or the
        statement itself."""
        if self.errors:
            return self.errors[0]
        if self.kind in ("trouble", "procedure") or (self.quoted and self.key == self.quoted[0]):
            return self.key
        if self.requirement and self.fix:
            return plain_inline(self.fix[0]).rstrip(".。")
        return plain_inline(self.symptom[0]).rstrip(".。") if self.symptom else self.key

    @property
    def text(self) -> str:
        return " ".join(self.symptom + self.errors + self.cause + self.fix + self.commands)


def features_of(text: str) -> set[str]:
    """The names of the :data:`FEATURES` *text* has (each regex tried only when one of its
    words is there: :data:`_NEEDLES`)."""
    lowered = text.lower()
    every = CASE_ODD.search(text) is not None
    return {
        name
        for name, (_, regex) in FEATURES.items()
        if (every or any(needle in lowered for needle in _NEEDLES[name])) and regex.search(text)
    }


def score_of(found: set[str]) -> int:
    return sum(FEATURES[name][0] for name in found)


_SEE_THAT = re.compile(r"^(?:as\s+)?(?:we|you) can see(?: here)?,?\s*(?:that\s+)?", _F)


def _sentence(text: str) -> str:
    """A clause as a sentence of its own: capital first letter, final full stop."""
    text = text.strip().strip(",，")
    text = re.sub(r"\s*[–—-]+\s*$", ":", text)  # "...use the following command –"
    text = capitalise(text)
    return (
        text
        if re.search(r"[.!?。！？:：]$", text)
        else text + ("。" if re.search(r"[\u4e00-\u9fff]$", text) else ".")
    )


def _clauses(sentence: str) -> list[str]:
    parts = [p for p in _CLAUSE_SPLIT.split(sentence) if p.strip()]
    return parts if len(parts) > 1 else [sentence]


def _units(segments: list[Segment]) -> list[tuple[Block, str, str, list[Block]]]:
    """(block, its segment's role, its section label, the next blocks in the section).

    The next blocks are at most :data:`LOOKAHEAD` (a command, a list and what continues it):
    the whole rest of the section, copied for every block, was quadratic in its length.
    """
    section = ""
    flat: list[tuple[Block, str, str]] = []
    for segment in segments:
        if segment.role == "section" and not segment.continued:
            section = segment.label
        flat.extend((b, segment.role, section) for b in segment.blocks)
    section_end = [0] * len(flat)  # where each block's section ends, from the back
    end = len(flat)
    for i in range(len(flat) - 1, -1, -1):
        if i + 1 < len(flat) and flat[i + 1][2] != flat[i][2]:
            end = i + 1
        section_end[i] = end
    return [
        (
            block,
            role,
            label,
            [b for b, _, _ in flat[i + 1 : min(section_end[i], i + 1 + LOOKAHEAD)]],
        )
        for i, (block, role, label) in enumerate(flat)
    ]


def _reason(sentences: list[str]) -> list[str]:
    for sentence in sentences:
        plain = plain_inline(sentence)
        for pattern in _REASON_CLAUSES:
            match = pattern.search(plain)
            if not match:
                continue
            clause = _SEE_THAT.sub("", match.group(1).strip(" ,"))
            clause = re.sub(r"\b(or|and) because (?:of )?", r"\1 ", clause)
            if len(clause.split()) >= 2 or re.search(r"[\u4e00-\u9fff]{4}", clause):
                return [_sentence(clause)]
    for sentence in sentences:
        match = _WHEN_CLAUSE.search(plain_inline(sentence))
        if match:
            return [_sentence(match.group(1))]
    return []


def _key(statement: Statement) -> str:
    if statement.errors:
        return statement.errors[0]
    if statement.quoted:
        return statement.quoted[0]
    basis = statement.fix[:1] if statement.requirement else statement.symptom
    words = [
        w
        for w in re.findall(r"[A-Za-z][A-Za-z0-9-]+", plain_inline(" ".join(basis)))
        if w.lower() not in _STOP
    ]
    return " ".join(list(dict.fromkeys(w.lower() for w in words))[:5])


def part_name(statement: Statement) -> str:
    """A short, stable slug for the statement's file name and ``ingest.part``."""
    slug = slugify(statement.key, 40)
    if slug:
        return slug
    digest = hashlib.sha1(" ".join(statement.symptom).encode("utf-8")).hexdigest()[:6]
    return f"note-{digest}"


def _following_extras(statement: Statement, following: list[Block]) -> None:
    """A command right after the statement joins its fix; a "more information" line its
    references."""
    for block in following[:2]:
        if block.role == DECORATION:
            continue
        command = command_text(block)
        if command is not None:
            statement.commands.append(command)
            continue
        if block.kind == "para" and _MORE_INFO.match(plain_inline(strip_emphasis(block.lines[0]))):
            statement.references.extend(links([block]))
            continue
        break


@dataclass
class _Clause:
    index: int
    text: str
    names: set[str]
    problem: bool
    strong: bool
    remedy: bool


def _classify(sentences: list[str]) -> list[_Clause]:
    out = []
    for sentence in sentences:
        for clause in _clauses(sentence):
            plain = plain_inline(clause)
            names = features_of(plain)
            imperative = is_imperative(plain)
            problem = bool(names & {"error", "problem", "unsupported", "negative"})
            strong = bool(names & {"required", "prohibition"}) or (
                imperative and plain.lower().startswith(("do not", "don't", "don’t", "never"))
            )
            remedy = strong or "advised" in names or imperative or bool(_APPROPRIATE.search(plain))
            out.append(_Clause(len(out), clause, names, problem, strong, remedy))
    return out


def _plain_statement(
    block: Block, role: str, following: list[Block], position: int
) -> Statement | None:
    text = strip_emphasis(" ".join(x.strip() for x in block.lines if x.strip()))
    plain = plain_inline(text)
    found = features_of(plain)
    next_command = bool(following) and command_text(following[0]) is not None
    sentences = split_sentences(text)
    imperative = any(is_imperative(plain_inline(s)) for s in sentences)
    requirement_only = {"required", "condition", "uniform"} <= found
    score = score_of(found) + (role == "notes") + imperative + next_command
    has_problem = bool(found & PROBLEM) or requirement_only
    has_remedy = bool(found & REMEDY) or imperative or next_command
    if not (has_problem and has_remedy) or score < MIN_SCORE:
        return None
    clauses = _classify(sentences)
    statement = Statement("statement", score, position)
    problems = [
        c
        for c in clauses
        if c.problem and not (c.strong and not c.names & {"error", "unsupported"})
    ]
    if problems:
        first = problems[0].index
        statement.symptom = [_sentence(c.text) for c in problems]
        problem_at = {c.index for c in problems}
        fixes = [
            c
            for c in clauses
            if c.remedy
            and c.index not in problem_at
            and (c.strong or c.index >= first or c.index == first - 1)
        ]
        # "NIC Teaming is not supported on iSCSI" is both: keep it as the symptom only.
    else:
        # A requirement with a condition: "If you select X, be sure that Y is named the same
        # on all nodes" -> symptom "If you select X", fix "Be sure that Y ...".
        fixes = []
        for clause in clauses:
            split = _IF_THEN.match(plain_inline(clause.text))
            if split and clause.strong:
                statement.symptom.append(_sentence(split.group(1)))
                fixes.append(_Clause(clause.index, split.group(2), clause.names, False, True, True))
        if not statement.symptom:
            return None
        statement.requirement = True
    statement.fix = [_sentence(c.text) for c in fixes]
    requirement = [
        _sentence(c.text)
        for c in fixes
        if c.strong and c.index < (problems[0].index if problems else 0)
    ]
    for sentence in sentences:
        for value in error_strings(plain_inline(sentence)):
            if value not in statement.errors:
                statement.errors.append(value)
    if not statement.fix and not next_command:
        return None
    if problems and _OTHERWISE.match(plain_inline(problems[0].text)) and requirement:
        statement.cause = [
            "The requirement above is not met: " + " ".join(plain_inline(r) for r in requirement)
        ]
    else:
        statement.cause = _reason([c.text for c in problems] + [c.text for c in clauses])
    statement.references.extend(links([block]))
    statement.quoted = [q.strip() for q in _QUOTED.findall(plain)]
    _following_extras(statement, following)
    statement.key = _key(statement)
    return statement


def _list_items(blocks: list[Block]) -> tuple[list[Block], int]:
    """The numbered list right after a lead-in, continued across pictures and notes as long
    as the numbering continues; and how many blocks that spans."""
    picked: list[Block] = []
    expected = None
    span = 0
    for index, block in enumerate(blocks):
        if block.kind == "list":
            if expected is None or (block.ordered and block.start == expected):
                picked.append(block)
                expected = block.start + len(block.items)
                span = index + 1
                continue
            break
        if expected is None:
            break
    return picked, span


def _remedy_phrases(article: list[str]) -> list[str]:
    """What the article says not to do ("... by not having ..."), as fix sentences, each once."""
    found: dict[str, None] = {}
    for sentence in article:
        match = _REMEDY_PHRASE.search(plain_inline(sentence))
        if match:
            remedy = re.sub(r"^not ", "do not ", match.group(1).strip(), flags=re.IGNORECASE)
            found.setdefault(_sentence(remedy), None)
    return list(found)


def _list_statement(
    block: Block,
    label: str,
    following: list[Block],
    position: int,
    remedies: Callable[[], list[str]],
    context: list[tuple[int, str]],
) -> Statement | None:
    plain = plain_inline(strip_emphasis(" ".join(block.lines)))
    trouble = TROUBLE_LIST.search(plain)
    procedure = _PROCEDURE.search(plain) or (
        _TROUBLESHOOT_SECTION.search(label) and plain.rstrip().endswith((":", "："))
    )
    if not (trouble or procedure) or not following or following[0].kind != "list":
        return None
    lists, _ = _list_items(following)
    if not lists:
        return None
    items = [item for lst in lists for item in lst.items]
    if trouble:
        statement = Statement("trouble", 8, position)
        statement.symptom = [plain]
        for item in items:
            for sentence in split_sentences(plain_inline(item)):
                if features_of(sentence) & {"error", "problem"}:
                    statement.symptom.append(sentence)
        statement.cause = [item.split("\n")[0] for item in items]
        statement.cause_is_list = True
        statement.fix = list(remedies())
        if not statement.fix:
            statement.fix = ["Avoid the actions listed under Cause."]
        statement.key = plain_inline(items[0].split("\n")[0]).strip().rstrip(".")
        return statement
    statement = Statement("procedure", 8, position)
    sentences = [s for _, s in context]
    problems = [
        s for s in sentences if features_of(plain_inline(s)) & {"error", "problem", "negative"}
    ]
    statement.symptom = problems[:2] or [plain]
    statement.cause = _reason(problems or sentences)
    statement.fix_blocks = lists
    statement.key = label or plain
    statement.context_positions = {p for p, _ in context}
    return statement


def _related_commands(statement: Statement, commands: list[tuple[int, str, str]]) -> None:
    """Earlier commands that name what the statement names in quotes ("Remote Volume
    Management"): the remedy often is a command the guide ran a few paragraphs before."""
    terms = [re.sub(r"\s+", " ", q).lower() for q in statement.quoted if len(q) >= 6]
    if not terms:
        return
    for position, command, lead in commands:
        if position >= statement.position:
            break
        normal = re.sub(r"[“”\"]", '"', command).lower()
        if any(term in normal for term in terms) and command not in statement.commands:
            statement.related.append(Step(capitalise(lead), code=[command]))


def _surroundings(statement: Statement, before: Block | None, block: Block) -> list[Block]:
    """The paragraph before a statement and its own, when they say more than the statement."""
    said = plain_inline(statement.text)
    own = split_sentences(plain_inline(strip_emphasis(" ".join(block.lines))))
    if before is None and all(sentence in said for sentence in own):
        return []
    return [b for b in (before, block) if b is not None]


def find_statements(segments: list[Segment]) -> list[Statement]:
    """The strongest troubleshooting statements of a guide, in article order."""
    units = _units(segments)

    @cache
    def remedies() -> list[str]:  # read from the whole article once, if a trouble list asks
        article = [
            s
            for b, _, _, _ in units
            if b.kind == "para"
            for s in split_sentences(strip_emphasis(" ".join(b.lines)))
        ]
        return _remedy_phrases(article)

    commands: list[tuple[int, str, str]] = []
    found: list[Statement] = []
    used: set[int] = set()
    context: dict[str, list[tuple[int, str]]] = {}
    lead_block: Block | None = None  # the last paragraph so far that is not a command
    before: dict[str, Block] = {}  # each section's last paragraph so far
    for position, (block, role, label, following) in enumerate(units):
        command = command_text(block)
        if command is not None:
            lead = plain_inline(strip_emphasis(lead_block.lines[0])) if lead_block else ""
            commands.append((position, command, split_sentences(lead)[0] if lead else ""))
            continue
        if block.kind == "para" and block.role != DECORATION:
            lead_block = block
        if (
            position in used
            or block.kind not in ("para", "quote")
            or block.role == DECORATION
            or role == "references"
        ):
            continue
        section_context = context.setdefault(label, [])
        statement = _list_statement(
            block, label, following, position, remedies, section_context[-MAX_CONTEXT:]
        )
        if statement is None:
            statement = _plain_statement(block, role, following, position)
            if statement is not None:
                statement.section = label
                statement.surroundings = _surroundings(statement, before.get(label), block)
        if statement is not None:
            found.append(statement)
            if statement.kind != "statement":
                _, span = _list_items(following)
                used.update(range(position + 1, position + 1 + span))
        if block.kind == "para":
            before[label] = block
            section_context.extend(
                (position, s) for s in split_sentences(strip_emphasis(" ".join(block.lines)))
            )
    excluded = {p for s in found if s.kind == "procedure" for p in s.context_positions}
    found = [s for s in found if s.position not in excluded]
    best = sorted(found, key=lambda s: (-s.score, s.position))[:MAX_STATEMENTS]
    for statement in best:  # the kept ones only: each looks back over every command
        _related_commands(statement, commands)
    return sorted(best, key=lambda s: s.position)


_ERROR_STRING = [
    # "you will get errors like, Migration attempt failed, and ..."
    re.compile(
        r"\berrors?\s+(?:like|such as)\s*[,:：]?\s*[\"“']?([^,;\"”]{6,120}?)[\"”']?(?:,|;|\.|$| and )",
        re.IGNORECASE,
    ),
    # 'the error "Access is denied"' / 'message: "..."'
    re.compile(
        r"\b(?:error|message|warning)s?\s*(?:message)?\s*[:：]?\s*[\"“]([^\"”]{6,200})[\"”]",
        re.IGNORECASE,
    ),
    re.compile(r"(?:错误|提示|报错)[:：]?\s*[“\"]([^”\"]{2,200})[”\"]"),
]


def error_strings(text: str) -> list[str]:
    """Error messages quoted inside prose ("errors like, Migration attempt failed")."""
    found: dict[str, None] = {}
    for pattern in _ERROR_STRING:
        for match in pattern.finditer(text):
            value = match.group(1).strip(" .,:;")
            if len(value) >= 6:
                found.setdefault(value, None)
    return list(found)
