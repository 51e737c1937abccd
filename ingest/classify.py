"""Every block of an article typed once: what it is decides where it goes and what is mined.

    parse_blocks -> segment (labels) -> classify (roles, here) -> parts -> mining -> entry

Roles, decided from the block and the blocks before it:

- ``decoration``: pictures and figure captions;
- ``command``: what someone types at a prompt (a code block, or lines that are commands);
- ``error``: error text as a user sees it, with ``error_kind`` saying which shape: a dialog
  copied with Ctrl+C (``dialog``), Event Viewer text (``event``), log lines (``log``), a
  paragraph that is a message (``message``), the block after "you receive the following
  error:" (``after-lead-in``), or prose right after error text that still describes the
  failure (``continued``);
- ``lead-in``: the sentence that introduces error text ("... the following error message:");
- ``code``: other verbatim text (output, configuration);
- ``prose``, ``list``, ``table``, ``heading``: the rest.

The symptom renderer fences ``error`` and ``code`` blocks verbatim, the splitter puts
``error`` blocks in symptoms, step builders attach ``command`` and ``code`` blocks to steps,
and mining reads messages from ``error`` blocks: all of them read the same role.

>>> blocks = classify([Block("para", lines=["The wizard fails with the following error:"]),
...                    Block("code", lines=["Writer status is not available for one or more writers."])])
>>> [(b.role, b.error_kind) for b in blocks]
[('lead-in', ''), ('error', 'after-lead-in')]
>>> role_of(Block("code", lines=["net start vds"]))
'command'
"""

from __future__ import annotations

import re

from .blocks import IMAGE_LINK, Block, plain_inline
from .text import has_error_words, is_imperative, split_sentences

DECORATION = "decoration"
COMMAND = "command"
ERROR = "error"
LEAD_IN = "lead-in"
CODE = "code"
PROSE = "prose"
LIST = "list"
TABLE = "table"
HEADING = "heading"
VERBATIM = (ERROR, CODE, COMMAND)  # shown fenced, as written

DIALOG_LABEL = re.compile(
    r"^\[(window title|main instruction|content|expanded information|footer|verification|"
    r"title|message|details|标题|内容|主要说明|详细信息)\]\s*$",
    re.IGNORECASE,
)
BUTTON_LINE = re.compile(r"^\[[^\]\n]{1,24}\]\s*$")
RULE_LINE = re.compile(r"^\s*[-=_*~]{5,}\s*$")
BUTTON_WORDS = {
    "ok",
    "cancel",
    "yes",
    "no",
    "retry",
    "abort",
    "ignore",
    "close",
    "continue",
    "help",
    "try again",
    "确定",
    "取消",
    "是",
    "否",
    "重试",
    "关闭",
    "忽略",
    "继续",
    "帮助",
    "终止",
}
_EVENT_FIELD = re.compile(
    r"^\s*(log name|source|date|event id|task category|level|keywords|user|computer|"
    r"description|日志名称|来源|日期|事件 ?id|任务类别|级别|关键字|用户|计算机|描述)\s*[:：]",
    re.IGNORECASE,
)
_LOG_LINE = re.compile(
    r"^\s*[0-9a-f]{8}\.[0-9a-f]{8}::\d{4}/\d{2}/\d{2}-|^\s*\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}"
)
_QUOTES = "\"'“”‘’「」『』"
_LEAD_IN = re.compile(
    r"(?:following|below|this|these|like|such as|as follows|如下|以下|下面|下列)\b[^.。]{0,90}[:：]\s*$|"
    r"(?:error|message|dialog|displayed|shown|generated|recorded|logged|reported|appears?|"
    r"错误|提示|对话框|报错|信息)[^.。]{0,80}[:：]\s*$",
    re.IGNORECASE,
)


# "..., the event below is logged:", "you may see the following entries:", "returns:"
_ERROR_LEAD_IN = re.compile(
    r"(?:error|message|warning|event|entries|entry|logged|log|dialog|displayed|receive|get|see|"
    r"says|shows|output|returns?|错误|消息|提示|事件|日志|报错)[^.。]{0,60}[:：]\s*$",
    re.IGNORECASE,
)
_READER = re.compile(r"\b(you|your|we|i|i'm|i've|my)\b|你|我", re.IGNORECASE)
# Prose about an error, however error-worded: "This article helps fix ...", "If you ..."
_ARTICLE_PROSE = re.compile(
    r"^(?:this (?:article|issue|problem|behavior|section)|these (?:steps|errors)|"
    r"in this scenario|for more information|本文|此问题|有关详细信息)",
    re.IGNORECASE,
)
IMAGE_ONLY = re.compile(rf"^\s*(?:{IMAGE_LINK.pattern}\s*)+$")
FIGURE = re.compile(r"^\s*\**(?:figure|fig\.|图|圖)\s*\d+[a-z]?\s*[:：.]", re.IGNORECASE)


def _plain_lines(block: Block) -> list[str]:
    if block.kind == "code":
        return [line.rstrip() for line in block.lines]
    if block.kind == "list":
        return [plain_inline(item) for item in block.items]
    return [plain_inline(line).rstrip() for line in block.lines]


def is_dialog(block: Block) -> bool:
    """A dialog dump: [Window Title]-style labels, a lone [button], or a ruled box."""
    if block.kind not in ("para", "code", "quote"):
        return False
    lines = [line.strip() for line in _plain_lines(block)]
    if any(DIALOG_LABEL.match(line) for line in lines):
        return True
    if len(lines) == 1 and BUTTON_LINE.match(lines[0]):
        return lines[0].strip("[] ").lower() in BUTTON_WORDS
    return sum(1 for line in lines if RULE_LINE.match(line)) >= 2


def is_event_text(block: Block) -> bool:
    """Event Viewer fields ("Source:", "Event ID:") or log lines with timestamps."""
    if block.kind not in ("para", "code", "quote"):
        return False
    lines = _plain_lines(block)
    fields = sum(1 for line in lines if _EVENT_FIELD.match(line))
    logs = sum(1 for line in lines if _LOG_LINE.match(line))
    return fields >= 2 or (logs >= 2 and logs >= len(lines) // 2)


def is_error_paragraph(block: Block) -> bool:
    """A paragraph that is an error message rather than prose about one."""
    if block.kind not in ("para", "quote"):
        return False
    text = block.text.strip()
    if not text or len(text) > 900 or not has_error_words(text):
        return False
    first = text.splitlines()[0]
    if is_imperative(first) or is_lead_in(text) or _ARTICLE_PROSE.match(text):
        return False
    if text[0] in _QUOTES:
        return True
    # Messages are short declarative lines; prose about an error has many sentences and
    # talks to the reader ("you", "we", "I").
    if _READER.search(text):
        return False
    sentences = split_sentences(text)
    return len(sentences) <= 4


def is_error_block(block: Block) -> bool:
    return is_dialog(block) or is_event_text(block) or is_error_paragraph(block)


def is_lead_in(text: str) -> bool:
    """ "...the dialog says:", "对话框内容如下：" - a sentence that introduces error text."""
    lines = text.strip().splitlines()
    if not lines:
        return False
    last = lines[-1].strip()
    if not last.endswith((":", "：")):
        return False  # both patterns end in a colon: most lines stop here, cheaply
    return bool(_LEAD_IN.search(last) or _ERROR_LEAD_IN.search(last))


COMMAND_WORDS = frozenset(
    """
        net netsh sc sc.exe powershell pwsh cmd cmd.exe ipconfig ping tracert nslookup dism
        ocsetup sfc chkdsk bcdedit diskpart reg regsvr32 wmic gpupdate gpresult certutil
        klist setspn dcdiag repadmin iscsicpl iscsicli nvspbind cluster cluster.exe msiexec
        wusa shutdown taskkill tasklist icacls takeown robocopy xcopy bitsadmin vssadmin
        wbadmin mmc sudo systemctl service apt apt-get yum dnf esxcli vim-cmd vmkfstools
        vmware-cmd dnscmd route arp netstat nltest w32tm winrm winrs sconfig
        servermanagercmd dcpromo mountvol fsutil manage-bde cscript wscript start
        """.split()  # noqa: SIM905 - a word list reads best as words
)
# English words that are also commands: only a command when options follow.
_AMBIGUOUS = frozenset({"start", "service", "cluster", "route", "ping", "shutdown", "reg", "net"})
_NET_VERB = re.compile(
    r"(?:start|stop|use|user|localgroup|group|share|view|session|time|accounts|config|"
    r"file|continue|pause|helpmsg)\b",
    re.IGNORECASE,
)
_CMDLET = re.compile(
    r"^(?:Get|Set|New|Remove|Enable|Disable|Start|Stop|Restart|Import|Export|Test|Add|"
    r"Invoke|Install|Uninstall|Update|Move|Clear|Register|Resume|Suspend)-[A-Z][A-Za-z]+\b"
)
_PROMPT = re.compile(r"^(?:PS\s+)?[A-Za-z]:\\[^\s]*(?:>|\\\s|\s+[/-])|^[$#]\s+\S")


def looks_like_command(line: str) -> bool:
    """True for a line someone would type at a prompt ("net start vds", "Get-ClusterLog")."""
    text = plain_inline(line).strip().strip("`")
    if not text or len(text) > 240:
        return False
    if _CMDLET.match(text) or _PROMPT.match(text):
        return True
    first, _, rest = text.partition(" ")
    word = first.lower()
    if word not in COMMAND_WORDS:
        return False
    if word == "net":
        return bool(_NET_VERB.match(rest))
    if word in _AMBIGUOUS:
        return bool(re.search(r"(?:^|\s)[/-]\w|=|\b(?:start|stop)\s+\w+$", rest))
    return not re.search(r"[.!?。]\s+[A-Z]\w+\s+\w+", text)  # several sentences: prose


def command_text(block: Block) -> str | None:
    """The command(s) a code block, quote or one-line paragraph holds, as plain text."""
    if block.kind == "code":
        return "\n".join(block.lines).strip("\n")
    if (
        block.kind in ("quote", "para")
        and block.lines
        and all(looks_like_command(x) for x in block.lines)
    ):
        return "\n".join(clean_command(x) for x in block.lines)
    return None


def clean_command(line: str) -> str:
    text = plain_inline(line).strip().strip("`")
    return re.sub(r"\s*\((?:figure|fig\.?|图)\s*\d+\)\s*\.?$", "", text, flags=re.IGNORECASE)


def is_decoration(block: Block) -> bool:
    """Pictures, figure captions and empty blocks: nothing a reader of an entry needs."""
    if block.kind in ("list", "code"):
        return False
    lines = [x for x in block.lines if x.strip()]
    if not lines:
        return True
    return all(IMAGE_ONLY.match(x) or FIGURE.match(x) for x in lines)


def _own_error_kind(block: Block) -> str:
    if is_dialog(block):
        return "dialog"
    if is_event_text(block):
        lines = _plain_lines(block)
        fields = sum(1 for line in lines if _EVENT_FIELD.match(line))
        return "event" if fields >= 2 else "log"
    if is_error_paragraph(block):
        return "message"
    return ""


def role_of(block: Block) -> str:
    """The role of a block on its own (without the blocks before it)."""
    return _role_and_error_kind(block)[0]


def _role_and_error_kind(block: Block) -> tuple[str, str]:
    """:func:`role_of` and, for an error, its kind (the error tests run once per block)."""
    if is_decoration(block):
        return DECORATION, ""
    if block.kind == "heading":
        return HEADING, ""
    error_kind = _own_error_kind(block)
    if error_kind:
        return ERROR, error_kind
    if block.kind == "code":
        lines = [x for x in block.lines if x.strip()]
        commands = sum(1 for x in lines if looks_like_command(x))
        return (COMMAND if lines and commands >= len(lines) / 2 else CODE), ""
    if command_text(block) is not None:
        return COMMAND, ""
    if block.kind == "list":
        return LIST, ""
    if block.kind == "table":
        return TABLE, ""
    if block.kind in ("para", "quote") and is_lead_in(block.text):
        return LEAD_IN, ""
    return PROSE, ""


def classify(blocks: list[Block]) -> list[Block]:
    """Give every block its role and error kind, in reading order; returns *blocks*."""
    previous: Block | None = None
    for block in blocks:
        role, kind = _role_and_error_kind(block)
        after_lead_in = previous is not None and previous.role == LEAD_IN
        if role in (PROSE, CODE, LIST) and after_lead_in and _could_be_error_text(block):
            role, kind = ERROR, "after-lead-in"
        elif (
            role == PROSE and previous is not None and previous.role == ERROR and _continues(block)
        ):
            role, kind = ERROR, "continued"
        block.role, block.error_kind = role, kind
        previous = block
    return blocks


def _could_be_error_text(block: Block) -> bool:
    """The block after "... the following error:" is the error, unless it is prose for the
    reader or a list of steps."""
    if block.kind == "code":
        return True
    if block.kind == "list":
        return any(
            line.lstrip().startswith(">") for item in block.items for line in item.split("\n")
        )
    return not _READER.search(block.text) and not is_imperative(block.text.strip())


def _continues(block: Block) -> bool:
    """A paragraph right after error text that still describes the failure ("... cannot be
    migrated ..."): the rest of the same message."""
    text = block.text
    return (
        block.kind == "para"
        and has_error_words(text)
        and not is_lead_in(text)
        and not is_imperative(text)
        and not _ARTICLE_PROSE.match(text)
        and len(text) <= 900
    )


def is_error(block: Block) -> bool:
    return block.role == ERROR
