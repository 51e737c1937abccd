"""Small language helpers shared by the splitters, English and Chinese.

>>> split_sentences("Enable it. Then restart: net start vds. 然后重启。再试一次！")
['Enable it.', 'Then restart: net start vds.', '然后重启。', '再试一次！']
>>> is_imperative("Enable outgoing Remote Volume Management"), is_imperative("It was enabled")
(True, False)
>>> has_error_words("DNS 服务器失败。"), has_error_words("Click OK")
(True, False)
>>> slugify("Unknown-Processor Error (KB 2003737).aspx")
'unknown-processor-error-kb-2003737-aspx'
"""

from __future__ import annotations

import re
import unicodedata

# Sentence ends: ". " before a capital/quote/CJK, or a CJK full stop; never inside "e.g." or
# a version number ("2.0").
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<!\ba\.k\.a\.)\s+(?=[\"“‘'(\[A-Z0-9\u4e00-\u9fff*])"
    # "subnet.This is" - pasted text that lost the space after a full stop.
    r"|(?<=[a-z]{2}[.!?])(?=[A-Z](?:[a-z]|\s))"
    r"|(?<=[。！？；])\s*"
)

IMPERATIVE_VERBS = """
    activate add allow apply assign avoid be bind boot bring change check choose clean clear
    click close configure confirm connect consider contact copy create delete deploy disable
    disconnect do don't download edit enable ensure enter evaluate examine expand export
    find flush follow generate give go grant import install kill launch learn locate log
    make modify mount move navigate never open perform ping please press re-register reboot
    refer refresh register reinstall remove rename repair replace reset restart restore
    retry review right-click run scroll see select set shut sign specify start stop switch
    take try turn type unbind uncheck uninstall update upgrade use verify wait
    """.split()  # noqa: SIM905 - a word list reads best as words
_IMPERATIVE_EN = re.compile(
    r"^(?:(?:first|next|then|finally|now|also|so|and|afterwards|lastly)[,\s]+)?"
    r"(?:" + "|".join(re.escape(v) for v in IMPERATIVE_VERBS) + r")\b",
    re.IGNORECASE,
)
_IMPERATIVE_ZH = re.compile(
    r"^(?:首先|然后|接着|其次|最后|再|并)?[，,]?\s*"
    r"(?:请|确保|务必|重启|重新启动|检查|启用|禁用|运行|打开|单击|点击|双击|右键|右击|选择|设置|安装|卸载|"
    r"删除|添加|配置|使用|尝试|更新|修改|创建|启动|停止|输入|按|下载|应用|分配|移动|重命名|授予|连接|"
    r"断开|清除|注册|升级|联系|查看|执行|进入|关闭|开启|勾选|取消勾选|不要|切勿|避免)"
)
_ERROR_EN = re.compile(
    r"\b(?:errors?|failed|fails|fail|failure|failing|cannot|can['’]t|could not|couldn['’]t|"
    r"unable to|not compatible|incompatible|denied|exception|invalid|not found|timed out|"
    r"refused|unreachable|not responding|stopped working|crash(?:ed|es)?|corrupt(?:ed)?|"
    r"unexpected(?:ly)?|warning|fatal|bsod|stop code)\b",
    re.IGNORECASE,
)
_ERROR_ZH = re.compile(
    r"错误|失败|出错|无法|不兼容|拒绝|异常|超时|未能|找不到|不能|故障|报错|崩溃|警告|未知"
)


_SPACES = re.compile(r"\s+")
_LEAD_MARKS = re.compile(r"^[\s*_>\-–—•·]+")


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph (plain text or inline Markdown), in order."""
    text = _SPACES.sub(" ", text).strip()
    if not text:
        return []
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def is_imperative(sentence: str) -> bool:
    """True when *sentence* tells the reader to do something ("Enable X", "请检查 ...")."""
    text = _LEAD_MARKS.sub("", sentence)
    return bool(_IMPERATIVE_EN.match(text) or _IMPERATIVE_ZH.match(text))


def has_error_words(text: str) -> bool:
    """True when *text* talks about an error or failure, in English or Chinese."""
    return bool(_ERROR_EN.search(text) or _ERROR_ZH.search(text))


def slugify(text: str, max_length: int = 60) -> str:
    """Lowercase ASCII letters and digits joined by single dashes, cut at a dash."""
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut[: cut.rfind("-")] if "-" in cut[1:] else slug[:max_length]
    return slug.strip("-")


def shorten(text: str, limit: int) -> str:
    """*text* cut at a word or sentence boundary to at most *limit* characters, with '…'."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = max(cut.rfind(" "), cut.rfind("，"), cut.rfind("、"))
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:，、") + "…"
