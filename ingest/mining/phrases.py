"""Key phrases: the few rare words of a symptom that a user describing it would still write.

A ticket rarely quotes the whole message, but it keeps the identifiers: "port 3343",
"NetShareGetInfo", "VMQ", "netft.sys", "0x80070005", "DatalinkAddress", "Teredo". A phrase
is a token of an identifier's shape (CamelCase, letters with digits, dotted or underscored,
an acronym of three or more capitals, a number of three or more digits with the word before
it), or a quoted UI name of two to eight words, found in the title or the symptom, that the
feed's other articles do not use (when the feed has enough articles to tell). A word that
masking replaces wherever the text holds it (a quoted VM name, a host name: 'GuestName',
"node140.contoso.com") is the article's example, not the error's: every paste has its own.

>>> key_phrases("Node cannot join: UDP port 3343 is blocked by the firewall (VMQ on netft.sys)", {})
['port 3343', 'VMQ', 'netft.sys']
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from engine.masking import mask

MAX_PHRASES = 4
# Below this many articles a feed cannot say which words are rare in it.
MIN_FEED_ARTICLES = 5

_IDENTIFIER = re.compile(
    r"(?<![\w.\\/-])(?:"
    r"[A-Za-z]+[a-z][A-Z][A-Za-z0-9]*"  # CamelCase: NetShareGetInfo, DatalinkAddress
    r"|[A-Za-z]+\d+[A-Za-z0-9]*|\d+[A-Za-z]+[A-Za-z0-9]*"  # KB2003737, Win32k
    r"|[A-Za-z][\w-]*(?:\.[A-Za-z0-9]{2,4})+"  # netft.sys, clussvc.exe
    r"|[A-Za-z]+_[A-Za-z0-9_]+"  # sp_table_statistics
    r"|[A-Z]{3,8}"  # VMQ, KVP, NTDS
    r")(?![\w\\/-])"
)
# "port 3343", "status 1722": a number is only a key with the noun that says what it is
_NUMBERED = re.compile(
    r"\b(port|ports|status|exception|stop|bugcheck|line|state|severity)\s+(\d{3,6})\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“]([A-Za-z][^\"”\n]{4,60})[\"”]")
MAX_TOKEN_CHARS = 80
# Acronyms and shapes every article in this field has: not a key to anything.
COMMON = frozenset(
    [
        "DNS",
        "DHCP",
        "VM",
        "VMS",
        "CPU",
        "RAM",
        "SQL",
        "GUI",
        "URL",
        "USB",
        "NIC",
        "NICS",
        "TCP",
        "UDP",
        "HTTP",
        "HTTPS",
        "SMB",
        "RPC",
        "WMI",
        "MMC",
        "OS",
        "AD",
        "IP",
        "ID",
        "IDS",
        "KB",
        "FAQ",
        "API",
        "XML",
        "PDF",
        "NTFS",
        "FAT",
        "EFI",
        "BIOS",
        "UEFI",
        "LAN",
        "WAN",
        "VPN",
        "SAN",
        "NAS",
        "RDP",
        "IIS",
        "DC",
        "DCS",
        "FQDN",
        "UNC",
        "GPO",
        "MSC",
        "EXE",
        "DLL",
        "SYS",
        "LOG",
        "TXT",
        "INI",
        "VHD",
        "VHDX",
        "ISO",
        "MSI",
        "CMD",
        "PS1",
        "VHDS",
        "ERROR",
        "WARN",
        "WARNING",
        "CRITICAL",
        "VERBOSE",
        "DEBUG",
        "INFO",
        "NOTE",
        "IMPORTANT",
        "ALL",
        "AND",
        "THE",
        "FOR",
        "NOT",
        "YOU",
        "MS",
        "CSV",
        "OK",
        "NET",
        "WINDOWS",
        "READ",
        "WRITE",
        "DATA",
        "NAME",
        "TRUE",
        "FALSE",
        "NULL",
        "NONE",
        "YES",
        "OFF",
        "NEW",
        "OLD",
        "FAILED",
        "STATUS",
        "DATE",
        "TIME",
        "USER",
        "SYSTEM",
        "SERVER",
    ]
)
# Shapes that look like identifiers but are values: hex runs, host names, a digit-led mash,
# writers' placeholders ("folder_name").
_VALUE = re.compile(
    r"[0-9A-Fa-f]{4,}|\d[\w.-]*|[\w-]*\d[\w-]*\.[\w.-]+|[a-z]+_(?:name|letter|path|id)",
)


_HEX = re.compile(r"0x[0-9a-fA-F]+")
_PRODUCT_VERSION = re.compile(r"(?:Windows|Server|SQL|Hyper|Win)\d*\w*")


@lru_cache(maxsize=8192)
def _is_candidate(token: str) -> bool:
    """Whether an identifier-shaped token (of at most MAX_TOKEN_CHARS: no key phrase is
    longer, and _VALUE takes time quadratic in it) can be a key phrase. Remembered: a feed's
    articles repeat their identifiers, and each is counted for the feed and then read again
    in each part's symptom."""
    if token.upper() in COMMON or _HEX.fullmatch(token):
        return False  # error codes are signatures of their own (codes)
    if _VALUE.fullmatch(token):
        return False
    return not _PRODUCT_VERSION.fullmatch(token)  # product versions: Server2008, Win2012


def _candidates(text: str) -> list[str]:
    found: list[str] = []
    for match in _NUMBERED.finditer(text):
        found.append(f"{match.group(1)} {match.group(2)}")
    for match in _IDENTIFIER.finditer(text):
        token = match.group(0)
        if len(token) <= MAX_TOKEN_CHARS and _is_candidate(token):
            found.append(token)
    for match in _QUOTED.finditer(text):
        words = match.group(1).split()
        if 2 <= len(words) <= 8:
            found.append(match.group(1).strip())
    unique: dict[str, str] = {}
    for candidate in found:
        unique.setdefault(candidate.casefold(), candidate)
    return list(unique.values())


def feed_tokens(text: str) -> set[str]:
    """The phrase candidates of one article, folded: what :func:`key_phrases` counts per feed."""
    return {c.casefold() for c in _candidates(text)}


def key_phrases(
    text: str, feed_df: Mapping[str, int], feed_size: int = 0, messages: tuple[str, ...] = ()
) -> list[str]:
    """Up to :data:`MAX_PHRASES` key phrases of *text* (title and symptom), rarest first.

    *feed_df* counts, per folded candidate, the feed's articles that hold it; with fewer than
    :data:`MIN_FEED_ARTICLES` articles nothing is known about rarity and every candidate
    counts once. A phrase a signature message already holds whole adds nothing.
    """
    known = feed_size >= MIN_FEED_ARTICLES
    held = " ".join(messages).casefold()
    unmasked = None  # the masked text, folded: masked only when a candidate is left to test
    scored = []
    for position, candidate in enumerate(_candidates(text)):
        df = feed_df.get(candidate.casefold(), 1) if known else 1
        if known and df > 1:
            continue  # other articles of the feed say it too: not a key to this one
        if candidate.casefold() in held and " " in candidate:
            continue
        if " " not in candidate:
            if unmasked is None:
                unmasked = mask(text)[0].casefold()
            if candidate.casefold() not in unmasked:
                continue  # only ever inside a masked name: a value of the article's example
        scored.append((df, position, candidate))
    return [c for _, _, c in sorted(scored)[:MAX_PHRASES]]
