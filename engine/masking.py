"""Masking the variable parts of a paste: an ordered list of (kind, regex, placeholder).

The same error pasted from two sites differs in its GUIDs, host names, VM names, addresses and
timestamps. Replacing those with placeholders lets both pastes match the same signature, and
keeps the rare-but-meaningless tokens (a GUID is the rarest term there is) out of the search
query. The values are kept, by kind, as facts.

Order matters: longer and more specific shapes go first (a GUID before a hex number, an
IPv6 address before a time, a URL before a host name). Names are bounded the way DNS bounds
them (63 characters a label): an unbounded run tried from every word start was quadratic,
and "a-a-a-..." in a paste took seconds.

>>> mask("VM 'Win08R2Web' on node140.zzyddc.com (ID B577EECE-FCFE-4DF6-AE30-3C1D64EA471D)")[0]
'VM <NAME> on <HOST> (ID <GUID>)'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

_TLDS = (
    "com|net|org|edu|gov|mil|int|local|lan|corp|internal|intra|intranet|home|domain|ad|"
    "cn|de|uk|jp|fr|au|nl|ru|io|biz|info|us|ca|eu|tw|hk|sg|in|br|it|es|se|ch|kr|test|example"
)
_FILE_EXT = (
    "exe|dll|sys|msc|msi|log|txt|xml|vhd|vhdx|vmdk|vmx|vmcx|avhd|ps1|bat|cmd|ini|cfg|conf|json|"
    "evtx|etl|cab|zip|iso|inf|cat|mui|ocx|cpl|htm|html|aspx|asp|php|jpg|png|gif|doc|docx"
)

# Quotes as they appear in English and Chinese Windows messages.
_QUOTED = (
    r"'(?P<q1>[^'\n]{1,80})'"
    r"|\u2018(?P<q2>[^\u2019\n]{1,80})\u2019"
    r"|\u201c(?P<q3>[^\u201d\n]{1,80})\u201d"
    r"|\"(?P<q4>[^\"\n]{1,80})\""
    r"|\u300c(?P<q5>[^\u300d\n]{1,80})\u300d"
    r"|\u2018(?P<q6>[^\u2018\u2019\n]{1,80})\u2018"
    r"|'(?P<q7>[^'\u2019\n]{1,80})\u2019"
)

# (kind, compiled pattern, placeholder). Kept as data: add a line to mask a new shape.
MASKS: list[tuple[str, re.Pattern[str], str]] = [
    ("url", re.compile(r"\b(?:https?|ftp|file)://[^\s<>\"'\u201d\u2019]+", re.IGNORECASE), "<URL>"),
    ("email", re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+\b"), "<EMAIL>"),
    (
        "guid",
        re.compile(
            r"\{?\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b\}?", re.IGNORECASE
        ),
        "<GUID>",
    ),
    ("sid", re.compile(r"\bS-1-\d+(?:-\d+){1,14}\b"), "<SID>"),
    (
        "time",
        re.compile(
            # (?=...) first: a time starts with a digit or a month name; most positions do not
            r"(?=[0-9jfmasond])"
            r"(?:\b[0-9a-f]{8}\.[0-9a-f]{8}::\d{4}/\d\d/\d\d-\d\d:\d\d:\d\d(?:\.\d+)?"  # cluster log
            r"|\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T\s-]+\d{1,2}:\d\d(?::\d\d)?(?:[.,]\d+)?"
            r"(?:\s?(?:Z|[AP]M|[+-]\d\d:?\d\d))?)?"
            r"|\b\d{1,2}/\d{1,2}/\d{2,4}(?:\s+\d{1,2}:\d\d(?::\d\d)?(?:\s?[AP]M)?)?"
            r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s+\d\d:\d\d:\d\d"
            r"|\b\d{1,2}:\d\d:\d\d(?:[.,]\d+)?(?:\s?[AP]M)?"
            r"|\d{4}年\d{1,2}月\d{1,2}日(?:\s*\d{1,2}:\d\d(?::\d\d)?)?)",
            re.IGNORECASE,
        ),
        "<TIME>",
    ),
    ("mac", re.compile(r"\b[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}\b", re.IGNORECASE), "<MAC>"),
    (
        "ip",
        re.compile(
            # IPv6 (full, compressed, link-local with zone) before IPv4.
            r"(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?:%\d+)?(?![\w:])"
            r"|(?<![\w:])(?:[0-9a-f]{1,4}:){1,7}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,6})?"
            r"(?:%\d+)?(?![\w])"
            r"|(?<![\w:])fe80::?[0-9a-f:]*[0-9a-f](?:%\d+)?",
            re.IGNORECASE,
        ),
        "<IP>",
    ),
    (
        "ip",
        re.compile(
            r"\b(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3}"
            r"(?::\d{1,5}|:~\d+~)?\b"
        ),
        "<IP>",
    ),
    (
        "path",
        re.compile(
            r"(?<![\w])[A-Za-z]:\\(?:[^\\\s\"'<>|:*?]+\\)*[^\\\s\"'<>|:*?]*"
            r"|\\\\[\w.$-]+\\[^\s\"'<>|]*"
            r"|(?<![\w/])/(?:[\w.-]+/)+[\w.-]*"
        ),
        "<PATH>",
    ),
    (
        # DOMAIN\user (never a registry or file path: those have more segments, and the
        # built-in NT AUTHORITY, NT SERVICE and BUILTIN accounts say something)
        "user",
        re.compile(
            r"(?<![\\\w])(?!(?:BUILTIN|HKLM|HKCU|HKCR|HKU|HKEY_\w+)\\)(?<!NT )"
            r"[A-Za-z][\w-]{0,14}\\[\w.$-]{1,64}(?![\\\w])"
        ),
        "<USER>",
    ),
    (
        # the value of a user field: "Account Name:  jsmith", "User: CONTOSO\svc" (masked just
        # above), "用户名: zhang.san"; the label stays
        "user",
        re.compile(
            r"(?P<keep>\b(?:Account Name|User Name|Username|User|Logon Account)[ \t]{0,3}[:=]"
            r"[ \t]{0,20}|用户名[ \t]{0,3}[:：][ \t]{0,20})(?!<[A-Z]+>)(?P<value>[^\s<>,;，；]{1,64})",
            re.IGNORECASE,
        ),
        "<USER>",
    ),
    (
        # the value of a computer field of an event ("Computer:      HVCORE01"), which no
        # other mask catches when it is a bare NetBIOS name
        "host",
        re.compile(
            r"(?P<keep>\b(?:Computer|Workstation Name|Computer Name)[ \t]{0,3}[:=][ \t]{0,20}"
            r"|计算机[ \t]{0,3}[:：][ \t]{0,20})(?!<[A-Z]+>)(?P<value>[A-Za-z0-9][\w.$-]{0,62})",
            re.IGNORECASE,
        ),
        "<HOST>",
    ),
    (
        # Dotted names are candidates; only those ending in a top-level domain are hosts
        # (see _is_host): System.Management.Automation and netft.sys stay as they are.
        "host",
        re.compile(r"\b[a-z0-9][a-z0-9-]{0,62}(?:\.[a-z0-9-]{1,63})+\b", re.IGNORECASE),
        "<HOST>",
    ),
    ("name", re.compile(_QUOTED), "<NAME>"),
    (
        # Machine-style names with letters, digits and a hyphen: W2K8-CL2, Win2008R2-2, SRV-SQL01
        "host",
        re.compile(
            r"\b(?=[A-Za-z0-9-]{6,63}\b)(?=[A-Za-z0-9-]{0,62}\d)"
            r"[A-Za-z][A-Za-z0-9]{0,62}-[A-Za-z0-9-]{0,62}[A-Za-z0-9]\b"
        ),
        "<HOST>",
    ),
]

_TLD_SET = frozenset(_TLDS.split("|"))
_FILE_EXT_SET = frozenset(_FILE_EXT.split("|"))

# A mask is tried only when its cheap precondition holds (most pastes hold no e-mail, no
# SID, no IPv6): the regexes cost 0.1-0.7 ms each on a 3 KB paste.
_NEEDS: dict[int, re.Pattern[str]] = {}
for _index, (_kind, _pattern, _placeholder) in enumerate(MASKS):
    _needle = {
        "url": r"://",
        "email": r"@",
        "guid": r"[0-9a-fA-F]{8}-",
        "sid": r"S-1-",
        "mac": r"[0-9a-fA-F]{2}[:-][0-9a-fA-F]{2}[:-]",
        "path": r"[\\/]",
        "name": r"['\"\u2018\u2019\u201c\u201d\u300c]",
    }.get(_kind)
    if _kind == "ip" and _pattern.pattern.startswith("(?<!"):
        _needle = r"[0-9a-fA-F]:[0-9a-fA-F]{0,4}:"
    elif _kind == "ip":
        _needle = r"\d\.\d"
    elif _kind == "host" and "\\." in _pattern.pattern:
        _needle = r"\w\.\w"
    elif _kind == "user" and "(?P<keep>" not in _pattern.pattern:
        _needle = r"\w\\\w"  # DOMAIN\user
    if _needle:
        _NEEDS[_index] = re.compile(_needle)

# A mask of a labelled field ("Computer:  HV01") is tried only when the lower-cased text holds
# its label: a case-insensitive regex cannot skip ahead to a literal, it tries every position
# (~0.15 ms a paste each). Each needle matches every label its mask does, lower-cased, so the
# result is the same; a text with a character that matches a Latin letter case-insensitively
# but lowers to another (İ, ı, ſ) is always tried.
_LABEL_NEEDLES = {
    "user": r"(?:account name|user name|username|user|logon account)[ \t]{0,3}[:=]"
    r"|用户名[ \t]{0,3}[:：]",
    "host": r"(?:computer|workstation name|computer name)[ \t]{0,3}[:=]|计算机[ \t]{0,3}[:：]",
}
_LABELS: dict[int, re.Pattern[str]] = {
    index: re.compile(_LABEL_NEEDLES[kind])
    for index, (kind, pattern, _) in enumerate(MASKS)
    if "(?P<keep>" in pattern.pattern
}
# Characters a case-insensitive regex matches to a Latin letter but that lower-case to another
# (dotted and dotless I, long S): a text holding one cannot be tested for a regex's words by
# lower-casing it first. Every such prefilter (here, engine.normalise, ingest.statements)
# runs the regex on it anyway.
CASE_ODD = re.compile("[\u0130\u0131\u017f]")


def _is_host(match: re.Match[str]) -> bool:
    last = match.group(0).rsplit(".", 1)[-1].lower()
    return last in _TLD_SET and last not in _FILE_EXT_SET


PLACEHOLDERS = {placeholder for _, _, placeholder in MASKS}

# Names in angle brackets that documentation uses for the variable parts: <name>, <servername>,
# <Guest Virtual Machine Name>, <Directory Path>, <DateTime> (an XML element of a pasted event
# has attributes or is one of the kept words: <Computer> was masked already, <Data> is not)
_DOC_PLACEHOLDER = re.compile(
    r"<(?:[a-z]+[ _]?){0,3}(?P<kind>name|node|server|computer|host|vm|guid|id|address|ip|path|"
    r"folder|directory|drive|date|time|datetime|number|domain|dc|user|account|share)>",
    re.IGNORECASE,
)
# ... each as the placeholder of what a paste holds there (a path masks as <PATH>)
_DOC_KINDS = {
    "path": "<PATH>",
    "folder": "<PATH>",
    "directory": "<PATH>",
    "drive": "<PATH>",
    "date": "<TIME>",
    "time": "<TIME>",
    "datetime": "<TIME>",
}


def _doc_placeholder(match: re.Match[str]) -> str:
    if match.group(0) in PLACEHOLDERS:
        return match.group(0)
    return _DOC_KINDS.get(match.group("kind").lower(), "<NAME>")


def _value_of(match: re.Match[str], groups: dict[str, str | None]) -> str:
    """The masked value: the named group that holds it (*groups*, the match's groupdict)."""
    for group in ("value", "q1", "q2", "q3", "q4", "q5", "q6", "q7"):
        value = groups.get(group)
        if value is not None:
            return value
    return match.group(0)


def mask(text: str) -> tuple[str, dict[str, list[str]]]:
    """Return the masked text and the masked values by kind (each value once, in order)."""
    values: dict[str, list[str]] = {}

    def replacer(kind: str, placeholder: str, dotted: bool) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            if dotted and not _is_host(match):
                return match.group(0)
            groups = match.groupdict()  # built once per match, not once per group asked for
            found = _value_of(match, groups)
            if kind == "name" and found.strip() in PLACEHOLDERS:
                return found.strip()  # 'host.example.com' was masked already: drop the quotes
            bucket = values.setdefault(kind, [])
            if found not in bucket:
                bucket.append(found)
            return (groups.get("keep") or "") + placeholder

        return replace

    for index, (kind, pattern, placeholder) in enumerate(MASKS):
        needs = _NEEDS.get(index)
        if needs is not None and not needs.search(text):
            continue
        label = _LABELS.get(index)
        if label is not None and not label.search(text.lower()) and not CASE_ODD.search(text):
            continue
        dotted = kind == "host" and "\\." in pattern.pattern
        text = pattern.sub(replacer(kind, placeholder, dotted), text)
    text = _DOC_PLACEHOLDER.sub(_doc_placeholder, text)
    return text, values


MEMO_CHARS = 1_000  # texts up to this long are remembered by masked_text


def masked_text(text: str) -> str:
    """``mask(text)[0]``, remembered for the last few thousand short texts (messages, lines):
    ingest masks each message it mines three times, to weigh its words, to know it again and
    to cut it into tokens when its rules are vetted (engine.rules.templates), and a mask costs
    tens of microseconds a line. A long text (a paste) is masked every time."""
    return _masked_short(text) if len(text) <= MEMO_CHARS else mask(text)[0]


@lru_cache(maxsize=4096)
def _masked_short(text: str) -> str:
    return mask(text)[0]
