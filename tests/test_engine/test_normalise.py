"""Step 1: pastes are bounded, cleaned, masked, and their facts found in the shapes real logs use."""

from __future__ import annotations

import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from engine import facts, masking
from engine.errors import PasteTooLarge
from engine.facts import canonical_code, find_codes, find_events, find_sources
from engine.glossary import Glossary
from engine.masking import mask
from engine.normalise import FOCUS_CHARS, normalise


def test_a_paste_over_the_limit_is_refused_with_its_size_and_the_limit():
    with pytest.raises(PasteTooLarge) as err:
        normalise("x" * 2_000_001, max_bytes=1_000_000)
    assert "2,000,001 bytes" in str(err.value) and "1,000,000" in str(err.value)


def test_a_50_mb_paste_is_refused_before_any_work_is_done():
    paste = "Event ID 1196 " * (50_000_000 // 14)
    started = time.perf_counter()
    with pytest.raises(PasteTooLarge):
        normalise(paste)
    assert time.perf_counter() - started < 1.0


def test_a_long_legal_paste_is_cut_to_its_error_lines():
    noise = "\n".join(f"INFO [GUM] Node 2: Processing RequestLock 1:{i}" for i in range(9_000))
    paste = noise + "\nEvent ID: 1196\nCluster network name resource failed registration\n" + noise
    n = normalise(paste)
    assert len(paste) > 800_000
    assert len(n.focus) <= FOCUS_CHARS
    assert "failed registration" in n.focus
    assert n.facts.event_ids == (1196,)


def test_html_ansi_control_and_full_width_characters_are_cleaned():
    paste = (
        "<div><p>Event&nbsp;ID：１１９６</p><script>alert(1)</script>"
        "<p>\x1b[31mDNS signature failed\x1b[0m\u200b</p></div>"
    )
    n = normalise(paste)
    assert "<" not in n.text and "alert" not in n.text and "\x1b" not in n.text
    assert "\u200b" not in n.text
    assert "Event ID:1196" in n.text.replace(" ", " ")
    assert n.facts.event_ids == (1196,)


def test_variable_parts_are_masked_and_kept_as_facts():
    paste = (
        "2012-02-03 03:20:11 The virtual machine 'Win08R2Web' is not compatible with node "
        "node140.zzyddc.com (ID B577EECE-FCFE-4DF6-AE30-3C1D64EA471D) at 10.0.0.7, "
        r"MAC 00-15-5D-01-02-03, file C:\ClusterStorage\Volume1\vm.vhd"
    )
    n = normalise(paste)
    for value in (
        "Win08R2Web",
        "node140.zzyddc.com",
        "B577EECE",
        "10.0.0.7",
        "00-15-5D",
        "ClusterStorage",
    ):
        assert value not in n.masked
    for placeholder in ("<TIME>", "<NAME>", "<HOST>", "<GUID>", "<IP>", "<MAC>", "<PATH>"):
        assert placeholder in n.masked
    masked = n.facts.masked
    assert masked["name"] == ("Win08R2Web",)
    assert masked["host"] == ("node140.zzyddc.com",)
    assert masked["guid"] == ("B577EECE-FCFE-4DF6-AE30-3C1D64EA471D",)


def test_user_names_and_bare_computer_names_are_masked_but_system_accounts_and_keys_stay():
    paste = (
        "Log Name:      Security\nEvent ID:      4625\nComputer:      HVCORE01\n"
        "An account failed to log on.\nAccount Name:  jsmith\nUser: CONTOSO\\svc_sql\n"
        "Logon failure for CORP\\zhang.san as NT AUTHORITY\\SYSTEM under "
        "HKLM\\SYSTEM\\CurrentControlSet\\Services\\ClusSvc\n用户名: li.si"
    )
    n = normalise(paste)
    for value in ("HVCORE01", "jsmith", "svc_sql", "zhang.san", "li.si"):
        assert value not in n.masked, value
    assert "Account Name: <USER>" in n.masked and "Computer: <HOST>" in n.masked
    assert "NT AUTHORITY\\SYSTEM" in n.masked
    assert "HKLM\\SYSTEM\\CurrentControlSet\\Services\\ClusSvc" in n.masked
    assert set(n.facts.masked["user"]) == {"jsmith", "CONTOSO\\svc_sql", "CORP\\zhang.san", "li.si"}
    assert "An account failed to log on." in n.masked  # the words around them stay


def test_the_same_error_from_two_sites_masks_to_the_same_text():
    a = normalise("Cluster network name resource 'SQL Network Name (SQLCLU01)' failed registration")
    b = normalise("Cluster network name resource 'FS-CLUSTER' failed registration")
    assert a.masked == b.masked


def test_an_articles_placeholders_mask_like_the_names_a_paste_holds():
    """Support articles write the variable parts as <Guest Virtual Machine Name>, <Directory
    Path>: the article's message and a real paste must mask to the same text."""
    article = normalise(
        "<Guest Virtual Machine Name> failed to start. Import directory <Directory Path>."
    )
    paste = normalise("'SQL01' failed to start. Import directory 'D:\\VMs\\SQL01'.")
    assert article.masked == paste.masked == "<NAME> failed to start. Import directory <PATH>."


@pytest.mark.parametrize(
    "paste, event_id",
    [
        ("Event ID: 1196", 1196),
        ("EventID 1196", 1196),
        ("Event Id=1135", 1135),
        ("event 1069 was logged", 1069),
        ("事件 ID: 1196", 1196),
        ("事件ID：1196", 1196),
        (
            (
                "<Event><System><Provider Name='Microsoft-Windows-FailoverClustering'/>"
                "<EventID Qualifiers='0'>1196</EventID></System></Event>"
            ),
            1196,
        ),
        ("ProviderName : Microsoft-Windows-FailoverClustering\nId           : 1196\n", 1196),
        ('{"EventID": 1196, "ProviderName": "Microsoft-Windows-FailoverClustering"}', 1196),
        (
            "Error,2/3/2012 3:20:11 AM,Microsoft-Windows-FailoverClustering,1196,Network Name Resource",
            1196,
        ),
    ],
)
def test_event_ids_in_the_shapes_logs_and_tickets_use(paste, event_id):
    assert event_id in [e.id for e in find_events(paste)]


def test_an_event_viewer_export_ties_the_event_to_its_source_in_english_and_chinese():
    english = "Log Name: System\nSource: Microsoft-Windows-FailoverClustering\nEvent ID: 1196\nLevel: Error"
    chinese = (
        "日志名称: System\n来源: Microsoft-Windows-FailoverClustering\n事件 ID: 1196\n级别: 错误"
    )
    for paste in (english, chinese):
        (event,) = find_events(paste)
        assert (event.id, event.source) == (1196, "Microsoft-Windows-FailoverClustering")


@pytest.mark.parametrize(
    "paste",
    [
        "Source: FailoverClustering  EventID: 1196  Level: Error",
        "Log Name: System Source: FailoverClustering EventID: 1196 Level: Error",
        "Source: FailoverClustering Event ID: 1196 Task Category: Network Name Resource",
    ],
)
def test_a_source_on_one_line_with_other_fields_ends_where_the_next_field_starts(paste):
    """A source is compared with the entry's (engine.rank: an ID is its source's), so
    "FailoverClustering EventID: 1196 Level: Error" read as the source was another one."""
    (event,) = find_events(paste)
    assert (event.id, event.source) == (1196, "FailoverClustering")
    assert find_sources(paste) == ["FailoverClustering"]


def test_a_provider_s_log_channel_and_a_sql_instance_name_the_same_source():
    assert facts.same_source("Microsoft-Windows-Hyper-V-VMMS-Admin", "Hyper-V-VMMS")
    assert facts.same_source("MSSQL$REPORTING", "MSSQLSERVER")
    assert facts.same_source("SQLAgent$SALES", "SQLSERVERAGENT")
    assert facts.same_source("Microsoft-Windows-DNS-Server-Service", "DNS Server")
    assert not facts.same_source("Group Policy Drive Maps", "Group Policy DataSources")
    assert not facts.same_source("Service Control Manager", "NetLogon")


def test_an_event_viewer_list_copied_as_text_names_each_row_s_source_and_event():
    # Event Viewer's list view, selected and copied: Level, Date and Time, Source, Event ID,
    # Task Category (the shape of a paste in the third feed's tuning set)
    paste = (
        "Level\tDate and Time\tSource\tEvent ID\tTask Category\n"
        "Information\t3/14/2024 2:11:31 AM\tService Control Manager\t7036\tNone\tThe Hyper-V "
        "Virtual Machine Management service entered the running state.\n"
        "Error\t3/14/2024 2:11:07 AM\tService Control Manager\t7000\tNone\tThe VMSP service "
        "failed to start due to the following error:\n"
        "Information\t3/14/2024 2:10:58 AM\tKernel-General\t12\t(1)\tThe operating system started"
    )
    events = {(e.id, e.source) for e in find_events(paste)}
    assert events == {
        (7036, "Service Control Manager"),
        (7000, "Service Control Manager"),
        (12, "Kernel-General"),
    }
    assert "Service Control Manager" in find_sources(paste)


@pytest.mark.parametrize(
    ("paste", "expected"),
    [
        (
            "System log on WEB-INT-02:\nWAS 5021: The identity of application pool X is invalid.",
            (5021, "WAS"),
        ),
        (
            "the Application log has MSExchangeRepl 4087: Failed to move active database",
            (4087, "MSExchangeRepl"),
        ),
        (
            "System log, Service Control Manager 7024:\nThe SQL Server service terminated",
            (7024, "Service Control Manager"),
        ),
        (
            "Kernel-Power 41: The system has rebooted without cleanly shutting down first.",
            (41, "Kernel-Power"),
        ),
        ("Disk Event ID 154: The IO operation failed", (154, "Disk")),
    ],
)
def test_an_event_quoted_as_source_and_id_before_a_colon(paste, expected):
    assert expected in {(e.id, e.source) for e in find_events(paste)}


@pytest.mark.parametrize(
    "paste",
    [
        "Exchange 2010: database copy status is Failed",  # a product and its version
        "Windows Server 2019: the update fails",
        "Error 1053: The service did not respond to the start or control request",  # an error
        "HTTP 503: Service Unavailable",
    ],
)
def test_a_product_version_or_an_error_number_before_a_colon_is_no_event(paste):
    assert find_events(paste) == []


def test_error_codes_hex_negative_decimal_and_symbolic():
    codes = find_codes("HRESULT 0x80070005, also -2147024891 and E_ACCESSDENIED; 0X8007139F")
    assert codes == ["0x80070005", "0x8007139f", "E_ACCESSDENIED"]
    assert canonical_code("0X8007139F") == "0x8007139f"
    assert canonical_code("-2147024891") == "0x80070005"


def test_the_name_of_a_code_s_field_is_not_a_code():
    """A WSUS article's table header "STATUS_CODE" was mined as one of its error codes."""
    assert find_codes("sc-status STATUS_CODE 500 ERROR_CODE: STATUS_IO_TIMEOUT") == [
        "STATUS_IO_TIMEOUT"
    ]


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("System error 1331 has occurred.", "0x80070533"),  # net use
        ("命令行 net use 显示：发生系统错误 1331。", "0x80070533"),
        ("Error 1053: The service did not respond to the start or control request", "0x8007041d"),
        ("Error 633 - the modem (or other connecting device) is already in use", "0x80070279"),
        ("failed with 0x80070533", "0x80070533"),  # the same error as an HRESULT
    ],
)
def test_win32_error_numbers_are_the_hresults_windows_writes_elsewhere(text, code):
    # the third feed's "account currently disabled" article says "System error 1331"; a ticket
    # pastes the Chinese net use output: both give one code, so a code rule can fire
    assert find_codes(text) == [code]


@pytest.mark.parametrize(
    "text",
    [
        "Error: 17182, Severity: 16, State: 1.",  # SQL Server's own error numbers
        "HTTP Error 404 - Not Found",
        "Error 404: page not found",  # an HTTP status, not a Win32 error
        "error 1332 while resolving names",  # no colon or dash after it: just a number
    ],
)
def test_other_numbered_errors_are_not_win32_codes(text):
    assert find_codes(text) == []


def test_an_iis_status_with_its_sub_status_is_a_code_and_a_bare_status_is_not():
    # the third feed's "HTTP 404.13" article: its sub-status is the error; a bare 503 has many
    assert find_codes("HTTP Error 404.13 - Not Found") == ["HTTP 404.13"]
    assert find_codes("http error 405.0 - Method Not Allowed") == ["HTTP 405.0"]
    assert find_codes("HTTP Error 503. The service is unavailable.") == []


def test_language_and_products_from_the_glossary():
    glossary = Glossary.from_data(
        {"products": [{"name": "Hyper-V", "aliases": ["HyperV"]}], "terms": [["cluster", "群集"]]}
    )
    zh = normalise("虚拟机与目标节点不兼容。检查目标节点上的虚拟机兼容性时出错", glossary)
    en = normalise("live migration on hyperv failed", glossary)
    assert zh.facts.language == "zh" and en.facts.language == "en"
    assert en.facts.products == ("Hyper-V",)
    # "vm" must not be found inside "vmware": Latin aliases sit on word boundaries
    assert (
        Glossary.from_data({"products": [{"name": "X", "aliases": ["vm"]}]}).products_in("vmware")
        == []
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_normalise_never_raises_on_any_text_under_the_limit(text):
    n = normalise(text)
    assert n.original_size == len(text.encode("utf-8", "replace"))
    assert isinstance(n.masked, str)


def test_a_short_text_is_masked_once_however_often_it_is_asked_for(monkeypatch):
    """engine.masking.masked_text remembers short texts (ingest masks each mined message
    three times) and masks a long one every time; the text is mask()'s either way."""
    calls: list[str] = []

    def counted(text):
        calls.append(text)
        return mask(text)

    monkeypatch.setattr(masking, "mask", counted)
    short = "VM 'Win08R2Web' failed on node140.zzyddc.com (0x80070005)"
    long = short + " x" * masking.MEMO_CHARS
    for _ in range(3):
        assert (
            masking.masked_text(short)
            == mask(short)[0]
            == "VM <NAME> failed on <HOST> (0x80070005)"
        )
        assert masking.masked_text(long) == mask(long)[0]
    assert calls.count(short) <= 1 and calls.count(long) == 3


def _events_unfiltered(text):
    """engine.facts._events as it was before its prefilters: every pattern run on the text."""
    sources = sorted(
        (m.start(), facts._source_value(m.group(1)))  # a value ends at the next field
        for p in facts._SOURCE_PATTERNS
        for m in p.finditer(text)
    )
    sources = [(pos, s) for pos, s in sources if s and len(s) <= 80]
    ids = [
        (m.start(), int(m.group(1)))
        for p in facts._EVENT_PATTERNS
        for m in p.finditer(text)
        if 0 < int(m.group(1)) < 65536
    ]
    named = []  # Event Viewer's list rows and "WAS 5021:", both patterns always run
    for m in facts._LIST_ROW.finditer(text):
        named.append((m.start(), m.group("source").strip(), int(m.group("id"))))
    for m in facts._SOURCE_ID.finditer(text):
        words = m.group("source").split()
        cut = next(
            (i for i, w in enumerate(words) if w.casefold() in facts._NOT_A_SOURCE), len(words)
        )
        if cut and not 1990 <= int(m.group("id")) <= 2039:
            named.append((m.start(), " ".join(words[:cut]), int(m.group("id"))))
    named = [(pos, s, v) for pos, s, v in named if 0 < v < 65536]
    ids = sorted(ids + [(pos, v) for pos, _, v in named])
    sources = sorted(sources + [(pos, s) for pos, s, _ in named])
    found = {}
    for pos, value in ids:
        before = sum(1 for p, _ in sources if p <= pos)
        source = sources[before - 1][1] if before else (sources[0][1] if sources else None)
        if value not in found or (found[value].source is None and source):
            found[value] = facts.EventFact(value, source)
    return list(found.values())


def _codes_unfiltered(text):
    codes = {}
    for m in facts._HEX_CODE.finditer(text):
        code = "0x" + m.group(0)[2:].lower().rjust(8, "0")
        if code != facts.SUCCESS:
            codes.setdefault(code, None)
    for m in facts._NEG_HRESULT.finditer(text):
        if 0x80000000 <= (1 << 32) - int(m.group(1)) <= 0xFFFFFFFF:
            codes.setdefault(f"0x{(1 << 32) - int(m.group(1)):08x}", None)
    for m in facts._WIN32_ERROR.finditer(text):
        number = int(m.group(1) or m.group(2))
        if 0 < number <= facts.WIN32_MAX and (m.group(1) or not 100 <= number < 600):
            codes.setdefault(f"0x8007{number:04x}", None)
    for m in facts._HTTP_SUBSTATUS.finditer(text):
        codes.setdefault(f"HTTP {m.group(1)}", None)
    for m in facts._NAMED_CODE.finditer(text):
        codes.setdefault(m.group(0), None)
    return list(codes)


FACT_PIECES = ["Event ID: ", "EVENT", "event 7", "事件 ID：", "<EventID>", "</EventID>", " Id : "]
FACT_PIECES += ['"Id": ', "Microsoft-Windows-Hyper-V ", "Source: Disk", "来源: DNS", "\n", " "]
FACT_PIECES += ["1196", "41", "0x80070005", "0X8007", "-2147024891", "E_FAIL", "ERROR_ACCESS"]
FACT_PIECES += ["WSAECONNRESET", "_", "İd", "ſ", "x", "ID", ",", ":"]
FACT_PIECES += ["Error", "\t", "3/14/2024 2:11 AM", "Service Control Manager", "WAS 5021", "Disk"]
FACT_PIECES += ["System error ", "发生系统错误 ", "Error 1053", " - ", "HTTP Error 404.13", "eRRoR"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FACT_PIECES), max_size=14).map("".join))
@example("eRRoR 41: the case of the word is not the needle's")
@example("http error 405.0 - Method Not Allowed")
@example("Error\t3/14/2024 2:11 AM\tService Control Manager\t7036\tNone")
@example("the Application log has WAS 5021: and Disk 41: here")
@example("命令行 net use 显示：发生系统错误 1331。")
@example("Source: DiskEvent ID: Event ID: 1196")
def test_facts_found_with_prefilters_are_those_every_pattern_finds(text):
    """find_events and find_codes run a pattern only when the text holds what it needs
    (most texts name no event and no code); what they find is what every pattern finds."""
    facts._events.cache_clear()
    assert find_events(text) == _events_unfiltered(text)
    assert find_codes(text) == _codes_unfiltered(text)
