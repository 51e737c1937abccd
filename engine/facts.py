"""Facts in a paste: event IDs with their source, error codes, language.

Event IDs come in many shapes; these are the ones real logs and tickets use:

>>> [e.id for e in find_events("Log Name: System\\nSource: Microsoft-Windows-FailoverClustering\\nEvent ID: 1196")]
[1196]
>>> find_events("事件 ID: 1196  来源: Microsoft-Windows-FailoverClustering")[0].source
'Microsoft-Windows-FailoverClustering'
>>> [e.id for e in find_events("<EventID Qualifiers='0'>1135</EventID>")]
[1135]
>>> find_codes("failed with HRESULT 0x80070005 (E_ACCESSDENIED), error -2147024891")
['0x80070005', 'E_ACCESSDENIED']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from .model import EventFact

# "Event ID: 1196", "EventID 1196", "Event Id=1196", "event 1196", "事件 ID: 1196", "事件1196",
# XML <EventID>1196</EventID>, PowerShell "Id : 1196" / "EventID : 1196", JSON "EventID": 1196.
# Line-start patterns skip spaces and tabs only: "^\s*" also ran over the blank lines after
# every line start, quadratic in a run of them (a code block of empty lines in an article).
_EVENT_PATTERNS = [
    re.compile(
        r"(?:\bevent(?:\s*id)?|\beventid|\bevent[_ ]?code|事件\s*(?:ID|标识符|编号)?)"
        r"\s*(?:[:=#]|is|：)?\s*\"?(\d{1,5})\b",
        re.IGNORECASE,
    ),
    re.compile(r"<EventID(?:\s[^>]*)?>\s*(\d{1,5})\s*</EventID>", re.IGNORECASE),
    re.compile(r"^[ \t]*Id[ \t]*:\s*(\d{1,5})\s*$", re.MULTILINE),
    re.compile(r"\"(?:EventID|Id)\"\s*:\s*(\d{1,5})\b", re.IGNORECASE),
    # "Microsoft-Windows-FailoverClustering 1196" / CSV "...FailoverClustering,1196,"
    re.compile(r"\bMicrosoft-Windows-[A-Za-z-]+[\s,;|]+(\d{3,5})\b"),
]
# Event Viewer's list, copied or saved as CSV: Level, Date and Time, Source, Event ID, Task
# Category ("Error<TAB>3/14/2024 2:11:07 AM<TAB>Service Control Manager<TAB>7000<TAB>None").
_LEVEL = (
    r"(?:Error|Warning|Information|Critical|Verbose|Audit (?:Success|Failure)|错误|警告|信息|严重)"
)
_LIST_ROW = re.compile(
    rf"^[ \t]*{_LEVEL}[ \t]*[\t,][^\t,\n]*\d[^\t,\n]*[\t,]"
    r"(?P<source>[^\t,\n]{2,60}?)[\t,](?P<id>\d{1,5})[ \t]*(?=[\t,]|$)",
    re.MULTILINE,
)
# How people quote an event in a sentence or a log summary: "WAS 5021: The identity of ...",
# "the Application log has MSExchangeRepl 4087: Failed to move ...". Not when the words are a
# product and its version ("Exchange 2010:", any number from 1990 to 2039) or an error number
# ("Error 1053:").
_SOURCE_ID = re.compile(
    r"(?<![\w-])(?P<source>[A-Z][A-Za-z0-9]*(?:[- ][A-Z][A-Za-z0-9]*){0,3})[ ]"
    r"(?P<id>\d{2,5}):(?!\d)"
)
# a product and its version, an error number, a label: never the first word of an event source
# (and a source ends before any of them: "Disk Event ID 154:" is event 154 of Disk)
_LABELS = (
    "error errors event events id eventid code status http https port line build version "
    "windows exchange sql office kb step page section table figure update release log logs "
    "option case ticket phase chapter note rfc iso"
)
_NOT_A_SOURCE = frozenset(_LABELS.split())
# What each of the patterns above needs in the text: a lower-case needle is looked for in the
# lower-cased text (no character but the ASCII letters of "event" matches them ignoring
# case), another one as it is. Most texts name no event; their scans are skipped.
_EVENT_NEEDLES = [("event", "事件"), ("event",), ("Id",), ('"',), ("Microsoft-Windows-",)]
_SOURCE_PATTERNS = [
    re.compile(
        r"^[ \t]*(?:Source|来源|源|Provider(?:\s*Name)?|ProviderName)[ \t]*[:=：]\s*(\S[^\r\n,;]*?)\s*(?:[,;].*)?$",
        re.IGNORECASE | re.MULTILINE,
    ),
    re.compile(r"<Provider\s+Name=['\"]([^'\"]+)['\"]", re.IGNORECASE),
    re.compile(r"\b(Microsoft-Windows-[A-Za-z][A-Za-z-]*[A-Za-z])"),
    # "Source: Service Control Manager Date: ..." on one line: the capitalised words up to the
    # next field label (a source is often several words; the log name is not the source)
    re.compile(
        r"(?:\bSource|来源)\s*[:=：]\s*([A-Za-z][\w.-]*(?:[ ][A-Z][\w.-]*){0,4}?)"
        r"(?=\s+(?:Date|Event|EventID|Task|Level|Keywords|User|Computer|Description|Log|Category|Type|"
        r"Time|Opcode|ID)\b|\s*[,;|)]|\s*$)",
        re.IGNORECASE | re.MULTILINE,
    ),
]
# S_OK / ERROR_SUCCESS / STATUS_SUCCESS: not an error, whatever line it is on
SUCCESS = "0x00000000"
_HEX_CODE = re.compile(r"(?<![\w-])0x[0-9a-f]{4,8}\b", re.IGNORECASE)
_NEG_HRESULT = re.compile(r"(?<![\w.])-(21\d{8})\b")
# The names of a field that holds a code, not codes: a WSUS article's "STATUS_CODE" column
# was mined as one of its error codes, and generated a rule.
NOT_CODES = frozenset(
    ["STATUS_CODE", "ERROR_CODE", "ERROR_MESSAGE", "ERROR_TEXT", "ERROR_DESCRIPTION"]
)
_NAMED_CODE = re.compile(
    r"\b(?:E_[A-Z][A-Z_]{2,}|ERROR_[A-Z][A-Z0-9_]{2,}|RPC_[SEX]_[A-Z_]{3,}|WBEM_E_[A-Z_]{3,}|"
    r"STATUS_[A-Z][A-Z_]{3,}|CO_E_[A-Z_]{3,}|NS_E_[A-Z_]{3,}|VSS_E_[A-Z_]{3,}|DNS_ERROR_[A-Z_]{3,}|"
    r"WSAE[A-Z]{3,}|HRESULT_FROM_WIN32)\b"
)
# Win32 error numbers as Windows shows them: "System error 1331 has occurred." (net use),
# "发生系统错误 1331。", "Error 1053: The service did not respond" (the Services console), "Error
# 633 - the modem is already in use" (a VPN connection). They
# are the same errors as HRESULT 0x8007XXXX in an event or a PowerShell error, so they are
# written that way. Not "Error: 17182," (SQL Server's own numbers) nor an HTTP status.
_WIN32_ERROR = re.compile(
    r"(?:\bsystem error|\bwin32 error|系统错误)[ \t]*(\d{1,5})\b(?![.,]\d)"
    r"|(?<!HTTP )(?<![\w.])error[ \t]+(\d{1,5})(?::(?!\d)| - )",
    re.IGNORECASE,
)
# IIS's status with its sub-status, "HTTP Error 404.13 - Not Found": the sub-status says which
# of a status's many causes it is (404.13: request too long), so it identifies the error.
_HTTP_SUBSTATUS = re.compile(r"\bHTTP(?:[ ]Error)?[ ]?([1-5]\d\d\.\d{1,3})\b", re.IGNORECASE)
WIN32_MAX = 15999  # the highest Win32 error numbers (winerror.h) stay below 16000
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@lru_cache(maxsize=4096)
def canonical_source(source: str) -> str:
    """Compare sources loosely: 'Microsoft-Windows-FailoverClustering' == 'FailoverClustering'
    == 'failover clustering'; a provider's log channel is the provider ('Hyper-V-VMMS-Admin'),
    a SQL Server instance's source ('MSSQL$SALES', 'SQLAgent$SALES') the default instance's.
    Remembered: the ranking compares the paste's sources with each candidate's (and each
    resampled search's hits') on every paste, four substitutions a name each time."""
    key = source.casefold().strip()
    key = re.sub(r"^microsoft-windows-", "", key)
    key = re.sub(r"[/-](?:admin|operational|analytic|debug)$", "", key)
    key = re.sub(r"^mssql\$.*", "mssqlserver", key)
    key = re.sub(r"^sqlagent\$.*", "sqlserveragent", key)
    return re.sub(r"[\s_-]+", "", key)


def same_source(one: str, other: str) -> bool:
    """The same provider, one perhaps named short ('DNS Server' of 'DNS-Server-Service')."""
    a, b = canonical_source(one), canonical_source(other)
    return a.startswith(b) or b.startswith(a)


def same_event(id_a: int, source_a: str | None, id_b: int, source_b: str | None) -> bool:
    """The same event: an ID is one provider's (4098 of "Group Policy Drive Maps" is not 4098
    of "Group Policy DataSources"), so when both name their source the sources must agree."""
    if id_a != id_b:
        return False
    return not (source_a and source_b) or same_source(source_a, source_b)


def shares_event(pasted: Iterable[EventFact], signatures: Iterable[Any]) -> bool:
    """One of the paste's events is one of an entry's signature events (each with .id and
    .source): what the ranking calls an event explained, and its absence a mismatch."""
    signatures = tuple(signatures)
    return any(
        same_event(one.id, one.source, its.id, its.source) for one in pasted for its in signatures
    )


# A source read to the end of its line stops at the next field of a one-line export
# ("Source: FailoverClustering EventID: 1196 Level: Error").
_NEXT_FIELD = re.compile(
    r"\s+(?:Event\s?ID|Level|Task\s+Category|Date|Computer|Keywords|User|Description|Opcode)"
    r"\s*[:=：]",
    re.IGNORECASE,
)


def _source_value(raw: str) -> str:
    value = raw.strip().strip("\"'")
    cut = _NEXT_FIELD.search(value)
    return value[: cut.start()] if cut else value


def find_sources(text: str) -> list[str]:
    found: dict[str, str] = {}
    for pattern in _SOURCE_PATTERNS:
        for match in pattern.finditer(text):
            value = _source_value(match.group(1))
            if not value or len(value) > 80:
                continue
            found.setdefault(canonical_source(value), value)
    for _, value, _ in _named_events(text):
        found.setdefault(canonical_source(value), value)
    # a source that is the start of a longer one found too ("Service" of "Service Control
    # Manager") is the same source read short
    keys = list(found)
    return [found[k] for k in keys if not any(o != k and o.startswith(k) for o in keys)]


@lru_cache(maxsize=8)
def _named_events(text: str) -> tuple[tuple[int, str, int], ...]:
    """Events named with their source beside the ID, as (position, source, ID): Event Viewer's
    list rows, "WAS 5021:". "Disk Event ID 154:" names the source Disk (the rest is label).
    Remembered for the last few texts: a paste's events and its sources both ask for them."""
    found = []
    if "\t" in text or "," in text:  # the list's columns
        rows = _LIST_ROW.finditer(text)
        found += [(m.start(), m.group("source").strip(), int(m.group("id"))) for m in rows]
    for match in _SOURCE_ID.finditer(text) if ":" in text else ():
        words = match.group("source").split()
        value = int(match.group("id"))
        cut = next((i for i, w in enumerate(words) if w.casefold() in _NOT_A_SOURCE), len(words))
        if cut and not 1990 <= value <= 2039:
            found.append((match.start(), " ".join(words[:cut]), value))
    return tuple((pos, source, value) for pos, source, value in found if 0 < value < 65536)


def find_events(text: str) -> list[EventFact]:
    """Event IDs in order of appearance, each tied to the paste's source when there is one.

    A paste usually holds one event, so every ID found takes the first source named in the
    paste; a paste with several sources keeps the one nearest before each ID.
    """
    return list(_events(text))


@lru_cache(maxsize=8)
def _events(text: str) -> tuple[EventFact, ...]:
    """:func:`find_events`, remembered for the last few texts: the ingester reads the events
    of an article's whole text once for each of its parts."""
    ids: list[tuple[int, int]] = []
    lowered = text.lower()
    for pattern, needles in zip(_EVENT_PATTERNS, _EVENT_NEEDLES):
        if not any(needle in (lowered if needle.islower() else text) for needle in needles):
            continue  # the pattern cannot match: its words are not in the text
        for match in pattern.finditer(text):
            value = int(match.group(1))
            if 0 < value < 65536:
                ids.append((match.start(), value))
    named = _named_events(text)
    ids += [(position, value) for position, _, value in named]
    if not ids:
        return ()  # no event: its sources are not read
    ids.sort()
    sources = [
        (m.start(), _source_value(m.group(1))) for p in _SOURCE_PATTERNS for m in p.finditer(text)
    ]
    sources = [(pos, s) for pos, s in sources if s and len(s) <= 80]
    sources += [(position, source) for position, source, _ in named]
    sources.sort()
    events: dict[int, EventFact] = {}
    positions = [p for p, _ in sources]
    for pos, value in ids:
        before = bisect_right(positions, pos)  # sources named at or before this ID
        source = sources[before - 1][1] if before else (sources[0][1] if sources else None)
        if value not in events or (events[value].source is None and source):
            events[value] = EventFact(value, source)
    return tuple(events.values())


@lru_cache(maxsize=4096)
def title_facts(title: str) -> tuple[frozenset[str], frozenset[int]]:
    """The error codes and event IDs an entry's title names: the error the article is about
    ("Error 0xC004F06C when you activate Windows", "DFSR event ID 2213 in ..."). Remembered
    per title: the ranking asks for the first candidates' titles on every paste."""
    return frozenset(find_codes(title)), frozenset(e.id for e in find_events(title))


def find_codes(text: str) -> list[str]:
    """Error codes: hex (lower-cased), negative decimal HRESULTs and Win32 error numbers as hex,
    IIS statuses with their sub-status, symbolic names; never the success code 0x00000000.

    >>> find_codes("System error 1331 has occurred."), find_codes("发生系统错误 5。")
    (['0x80070533'], ['0x80070005'])
    >>> find_codes("HTTP Error 500.19 - Internal Server Error, Error Code 0x8007000d")
    ['0x8007000d', 'HTTP 500.19']

    >>> find_codes("Created NT transaction result 0x00000000; failed with 0x800F0922")
    ['0x800f0922']
    """
    codes: dict[str, None] = {}
    # each pattern is run only when the text holds what it starts with (most texts hold none)
    if "0x" in text or "0X" in text:
        for match in _HEX_CODE.finditer(text):
            code = "0x" + match.group(0)[2:].lower().rjust(8, "0")
            if code != SUCCESS:  # "result 0x00000000" in a log line says it worked
                codes.setdefault(code, None)
    if "-21" in text:
        for match in _NEG_HRESULT.finditer(text):
            value = (1 << 32) - int(match.group(1))
            if 0x80000000 <= value <= 0xFFFFFFFF:
                codes.setdefault(f"0x{value:08x}", None)
    lowered = text.lower()  # the patterns below ignore case; no other letter folds to theirs
    if "error" in lowered or "错误" in text:
        for match in _WIN32_ERROR.finditer(text):
            number = int(match.group(1) or match.group(2))
            if 0 < number <= WIN32_MAX and (match.group(1) or not 100 <= number < 600):
                codes.setdefault(f"0x8007{number:04x}", None)
    if "http" in lowered:
        for match in _HTTP_SUBSTATUS.finditer(text):
            codes.setdefault(f"HTTP {match.group(1)}", None)
    if "_" in text or "WSAE" in text:
        for match in _NAMED_CODE.finditer(text):
            if match.group(0) not in NOT_CODES:
                codes.setdefault(match.group(0), None)
    return list(codes)


def canonical_code(code: str) -> str:
    """The form :func:`find_codes` produces, for codes written by a writer."""
    code = code.strip()
    if re.fullmatch(r"0x[0-9a-f]{1,8}", code, re.IGNORECASE):
        return "0x" + code[2:].lower().rjust(8, "0")
    if re.fullmatch(r"-21\d{8}", code):
        return f"0x{(1 << 32) + int(code):08x}"
    return code.upper()


_QUESTION = re.compile(
    r"[?？]\s*$|^[ \t]*(?:how|what|why|when|where|which|who|can|could|is|are|does|do|should|"
    r"will|would|any(?:one|body)?)\b|\b(?:how (?:do|can|to|should)|steps to|is there a way)\b"
    r"|如何|怎么|怎样|为什么|为何|是否|能否|可否|吗[？?]?\s*$",
    re.IGNORECASE | re.MULTILINE,
)


def is_question(text: str) -> bool:
    """Asked as a question rather than pasted as an error ("How do I ...?", "如何...")."""
    return len(text) < 2000 and bool(_QUESTION.search(text))


_HOWTO = re.compile(
    r"\b(?:how (?:do|can|to|should) (?:i |we |you )?(?:set ?up|configure|install|build|create|"
    r"change|enable|use|deploy|back ?up|migrate)|step[- ]by[- ]step|steps to|set ?up|configure|"
    r"install(?:ing)?|guide|what order)\b|怎么配置|如何配置|如何设置|怎么设置|如何安装|怎么安装|"
    r"如何修改|怎么修改|如何更改|如何使用|怎么用|步骤|前提条件|配置方法",
    re.IGNORECASE,
)


_ERROR_WORDS = re.compile(
    r"\b(?:error|errors|fail|fails|failed|failure|exception|cannot|can't|unable|denied|invalid)\b"
    r"|错误|失败|异常|无法|拒绝",
    re.IGNORECASE,
)


def is_howto(text: str) -> bool:
    """A request to do something (set up, configure, change) rather than a report of an error:
    "How do I set up live migration?", "Step by step guide to configure a cluster"."""
    if len(text) >= 2000 or not _HOWTO.search(text):
        return False
    return is_question(text) or not _ERROR_WORDS.search(text)


_FILLER = "the an and or of to in on at is it for with this that"
_FILLER_WORDS = frozenset(_FILLER.split())


def count_words(text: str, at_most: int = 10) -> int:
    """How many different words a paste holds, up to *at_most*, a Chinese word counted as two
    characters: "live migration" and 实时迁移 are two, "Migration attempt failed" three. It
    stops reading at *at_most* (counting a 3 KB paste whole cost 0.4 ms).

    >>> count_words("The cluster network failed"), count_words("实时迁移"), count_words("")
    (3, 2, 0)
    """
    latin: set[str] = set()
    for match in _LATIN_WORD.finditer(text):
        word = match.group().casefold()
        if word not in _FILLER_WORDS:
            latin.add(word)
            if len(latin) >= at_most:
                return at_most
    han = 0
    for _ in _CJK.finditer(text):
        han += 1
        if len(latin) + han // 2 >= at_most:
            return at_most
    return len(latin) + han // 2


def detect_language(text: str) -> str:
    """'zh' when Chinese carries the text, 'en' otherwise (mixed text with real Chinese: 'zh')."""
    cjk = len(_CJK.findall(text))
    latin_words = len(_LATIN_WORD.findall(text))
    # One Chinese word is about two characters; compare words with words.
    return "zh" if cjk / 2 >= max(3, latin_words * 0.25) else "en"
