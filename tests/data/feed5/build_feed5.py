#!/usr/bin/env python3
"""Build held-out feed 5: an RSS 2.0 feed of 40 Microsoft support articles, for testing.

Source: MicrosoftDocs/SupportArticles-docs (documentation text under CC-BY-4.0; see
SOURCES.md next to this script). Each article is pinned to the commit it was read at
(ARTICLES below), with the SHA-256 of the saved copy.

Usage:
    python3 build_feed5.py --src-dir src --out support-articles-feed5.xml
        reads SRC_DIR/PATH (a folder laid out like the repository, e.g. src/ next
        to this script)
    python3 build_feed5.py --git-dir MIRROR.git --out support-articles-feed5.xml
        reads each file with `git --git-dir=MIRROR.git show COMMIT:PATH`
        (falls back to HEAD:PATH, with a warning, when that commit is not in the mirror)

Needs only python3 and the `markdown` package (pip install markdown). The output is
deterministic: the same sources give a byte-identical feed.
"""
from __future__ import annotations

import argparse
import datetime as dt
import email.utils
import hashlib
import posixpath
import re
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

import markdown

REPO = "MicrosoftDocs/SupportArticles-docs"
LEARN = "https://learn.microsoft.com/en-us"

# (path in the repository, commit the file was read at, SHA-256 of the saved copy)
ARTICLES = [
    # --- failover clustering (support/windows-server/high-availability) ---
    ("support/windows-server/high-availability/cannot-manage-cluster-with-failover-cluster-manager.md", "08a0de456a6c276c63b6845337c04f06448f3205", "0d2cb4342c4f0dc605167fd1829e70de3fd0814386d50605a1755742933a3d95"),
    ("support/windows-server/high-availability/scsi-3-persistent-reservation-test-fail.md", "1b22dbe7790e5f7dc6e6cfc2d4d52c5ceb5a3022", "87f351af38f21c0f3625edd288df71e6bda3156b55a2a1181efcf2ee2879be17"),
    ("support/windows-server/high-availability/error-messages-bring-cluster-group-online.md", "054af8b48a719a5d48fdca1a42bf16795feb5634", "31cbcb83a47aefe1cd473370c20fa01566918aa4660cb86aa2dd49b4c6953076"),
    ("support/windows-server/high-availability/cluster-service-doesnt-start-after-hardening.md", "256ff7cccd0105e3b1b1c50875de40a0b0998973", "a6a00ef8ae278a7462621cbb2dc6fbf037f95992ee5fdea825d51fb9dd75e863"),
    # --- Hyper-V (support/windows-server/virtualization) ---
    ("support/windows-server/virtualization/catastrophic-failure-0x8000ffff-error.md", "1b22dbe7790e5f7dc6e6cfc2d4d52c5ceb5a3022", "cb0a6ee807bdfdd08254bb04a10fb6e27c41d968be579f414c4f01df2b415fe8"),
    ("support/windows-server/virtualization/cannot-add-second-fibre-channel-adapter-hyperv.md", "427651f63b43ee5f78927600934c6591e0632660", "1e8d6407a12c9b75c1fc3df0a86af1eb78e71b70f179366aeb7ac7402c302775"),
    ("support/windows-server/virtualization/hyper-v-virtual-machine-can-not-start-secure-launch-enabled.md", "13244f8a4f4761696c7b0e7fb8ad0bd838a308e3", "80a19d8a6f05c607cbbf345ed4c2b0babf85f796ab9534acf9bbbe41ca3444f7"),
    ("support/windows-server/virtualization/cannot-change-configstorerootpath-value-hyperv-cluster.md", "22761fb699f0c0ef965f900a4096c2266d38c575", "58d45d4170f369ab7adc0617370f1ba2ed8974d044e41b260499f569a96db2f9"),
    # --- backup and storage (support/windows-server/backup-and-storage) ---
    ("support/windows-server/backup-and-storage/backup-not-start-after-performing-bmr.md", "0b132e1398e5a57dc0dc4457e9608844c95a7c36", "06940ca7b492b55bdda643213a79d0793113d7b8324f6ead04506a8bcd277ea0"),
    ("support/windows-server/backup-and-storage/logs-multiple-events-specify-event-id-640.md", "0ce44cbb1b5842063fcf4bdd0582041bd7b3b976", "aee3d6d8b25d23c3bbd43956bd09fc7603f18287cfd18104126577a726489435"),
    ("support/windows-server/backup-and-storage/error-setup-unable-create-new-system-partition.md", "00fd244b87e22a070c9c9f118cd4ce09b314afd4", "03e5d8432f55a698d3078e82c3cfe01e2e126b1b91dc3440dd3c4336c1960b70"),
    # --- networking: DHCP, VPN/RRAS (support/windows-server/networking) ---
    ("support/windows-server/networking/dhcp-server-sends-dhcpnak-clients.md", "0c05d9fcbe1228b50532dd10cea8a4cb77ad2116", "c6d4c2605705804e081d38e86373996fcf27150ca01d22e6e7e0bd957c43cc41"),
    ("support/windows-server/networking/cannot-connect-to-internet-vpn-server.md", "02801fcd94fd0ffd003a3f99c79c693543f7855a", "deb6e327e702856f81c807cd36ebdbb69a725a40e5d666ab0822e7b21e264a3e"),
    ("support/windows-server/networking/dhcp-server-slow-not-respond-dhcp-requests-option-66-wrongly-configured.md", "031b4351be4ef51d74821f3e6e1eeb5565ce328f", "2f50a320ea0b16e8d805463776ee9c3d128744e4bbf512fc505dc672be46996a"),
    # --- Active Directory and AD CS (support/windows-server/active-directory) ---
    ("support/windows-server/active-directory/adws-service-crashes-after-you-upgrade.md", "44eea253950e24fb4da211205e3021fd80e19607", "07fd52e925cd35f7acebdfe7946fa52c220b266015feaa77fcbe3d5437ac6159"),
    ("support/windows-server/active-directory/access-denied-when-joining-computers.md", "0cb1c96eddecdd1d1369639af381ad93dc8edbb4", "5e2750610ec62cf10c9f1ea77413585d6e29ff3bbdf7de30091912f0fc3438bd"),
    ("support/windows-server/active-directory/access-denied-log-on-administrator-domain-account.md", "203da2e2bbaa4e616d79b251d2520fef0b1b9cb2", "4cacdd5d5bf953b8e59791237deb0388cb803929727d97c32603799154f3c545"),
    ("support/windows-server/active-directory/certificate-services-not-start.md", "e34c8ed8065815d4dde14aa55c7e09957fc4921d", "87825b96a9ca432c970512d2443b02d1153091e4923334f0423582305655f2a1"),
    # --- SQL Server startup (support/sql/database-engine/startup-shutdown) ---
    ("support/sql/database-engine/startup-shutdown/event-id-33565-start-sql-server.md", "7f3f97258d11ceb73b3764a86d5695fa8499b055", "19ef8d93e1cc0aabde598a62ccae532a67c910ae9b416d6d25c129eb7cabaa0c"),
    ("support/sql/database-engine/startup-shutdown/event-id-7000-access-denied.md", "051c368bc34a352ef8041b35156c0ed7fc3c020a", "f3896d02660d98b5825a5ef68e46dc770fcb9c2c14a6e0b0d449a93bce6d1c8e"),
    ("support/sql/database-engine/startup-shutdown/event-id-33566-start-sql-server.md", "051c368bc34a352ef8041b35156c0ed7fc3c020a", "a7302a8b946842af6f33ba40289c056fa6d2ba511e577620bc81378151a51c2d"),
    ("support/sql/database-engine/startup-shutdown/agent-service-fails-start-stand-alone-server.md", "095ab10693673c87f3ed2a5683adc0da258b8091", "261afa41f749f2fcf5ba2bafb749f09f262de7e8b4385070648bc15a3f5f0e8f"),
    # --- activation and servicing (support/windows-server/deployment) ---
    ("support/windows-server/deployment/error-0xc004f015-activate-windows-10.md", "160d52439342559aa006b076c93103a4292dadd5", "01ed482399fb90c2ea1b393d2c506f861d3fd42671c85f06d423163964e4c73b"),
    ("support/windows-server/deployment/error-0xc004e002-during-activation.md", "0a58447761793c30cc12ef039877ad1e6243c1e6", "d9d9f7a69187f37caabca1af5a41a44af2f10450c3eeeeb3e42dca56d1d0dbb8"),
    ("support/windows-server/deployment/error-0xc004f06c-activate-windows.md", "34cdb74bc669ae535ffaf2695ecd4deb95747e86", "d0d11e91c6add4c2c273c6825458e1720f4a201bd578ed718e050cf61163285c"),
    ("support/windows-server/deployment/cannot-install-dotnet-framework-3dot5-oem.md", "1b22dbe7790e5f7dc6e6cfc2d4d52c5ceb5a3022", "5e2793686ad6a73b7fccf7b16da2b9963004dc55c34ec4c38b65ab58f2945ea6"),
    # --- Remote Desktop Services (support/windows-server/remote) ---
    ("support/windows-server/remote/local-security-authority-cant-contact.md", "00461425fcb92a0d7fc1e5e1e5a96474aa590efa", "eb1bb111fb934bfe200e9786ecf22d960f691a4711a3c6d5b9c1325863eb7502"),
    ("support/windows-server/remote/cant-create-session-collection.md", "0ce44cbb1b5842063fcf4bdd0582041bd7b3b976", "278066fb06ba9203c984f81e069d767e42c4b7cbd90958a5f03f92d69d43a498"),
    ("support/windows-server/remote/error-configuration-rd-connection-brokers-high-availability.md", "053202bc8afaf0d2ee5cc2ce85914582805e253c", "8f297e1c2c7bfb5a7850b2dbd2881f8930bfe029fdbe908fe5128d8e660a945d"),
    # --- Group Policy (support/windows-server/group-policy) ---
    ("support/windows-server/group-policy/ldap-bind-function-call-failed-error.md", "203da2e2bbaa4e616d79b251d2520fef0b1b9cb2", "c29c0dc4eaba8d41a9c2bd61edf5f0216fd53f6b2ee35d4c443f9eda66d6c253"),
    ("support/windows-server/group-policy/creating-dsn-with-gpp-fails.md", "13f8c3f0a2e9116d31ec0e509e39879a75415d59", "c91b69ba073c8cb2ca572f8e6bd14c7a6ec8cbf1fc7bf3969228547581494d23"),
    ("support/windows-server/group-policy/user-gpp-scheduled-task-item-fails-apply.md", "00461425fcb92a0d7fc1e5e1e5a96474aa590efa", "5960587adafa7e8b6df4494cb8808e40eadd145078ae797272eeb12f163a2289"),
    # --- printing (support/windows-server/printing) ---
    ("support/windows-server/printing/printers-list-blank-pmc.md", "054af8b48a719a5d48fdca1a42bf16795feb5634", "5a80f49834c9cad84b2b4f2e09ef6817c1cc36ba132784a05cc794f1ab65a821"),
    ("support/windows-server/printing/cannot-print-install-service-pack-update-rollup.md", "0ce44cbb1b5842063fcf4bdd0582041bd7b3b976", "a4c7ae35311bba72f95c38c6c0182c564f473e70bf67ecace77360ee9b4b2d41"),
    # --- IIS (support/developer/webapps/iis) ---
    ("support/developer/webapps/iis/health-diagnostic-performance/hidden-static-files-http-404-access-denied.md", "2547dcde5be89b1dbf08f2b6dc5158f259cfee54", "38f98b8a4b52299099f1f51a2329559924aac6814cd6f6bdd82f4493de642a02"),
    ("support/developer/webapps/iis/health-diagnostic-performance/http-403-14-forbidden-webpage.md", "123f574ae126f902c2d087c732b5ddcb1d77afcf", "df148f60a65867ff5d8294409792faf5cc5d2ac8235fff4a654d6b152f49b869"),
    ("support/developer/webapps/iis/health-diagnostic-performance/clm-http-bad-request.md", "1308df313dba8946ccb480d9863b3b6630d9d8ed", "53c50066f956faa8601dcea50960a5d879975ebc605a24e513d3dd381d63ea5e"),
    # --- Windows client shell and apps (support/windows-client/shell-experience) ---
    ("support/windows-client/shell-experience/change-personal-folder-location-fails.md", "22761fb699f0c0ef965f900a4096c2266d38c575", "ab3900e42fcbd41a122ce99c0a585cfe3b8867981de098e14929234df2ed077e"),
    ("support/windows-client/shell-experience/apps-not-start-without-user-profile-programdata.md", "160d52439342559aa006b076c93103a4292dadd5", "892b2ae020d351a29104e9dfff1a5eeddfbdf74aacd5e6c928443ff8c48e1906"),
    ("support/windows-client/shell-experience/cannot-associate-program-with-extension.md", "12f34bf059b8b6c24504af95a02b5d97a183dbf1", "3b832ff547ff35e7f6dea4ac32bcaae465b3aea31ceb8bcc9c3de09b488b0d24"),
]

ALERT = re.compile(r"^(\s*)>\s*\[!(NOTE|IMPORTANT|WARNING|TIP|CAUTION)\]\s*$", re.I)
INCLUDE = re.compile(r"^\s*\[!INCLUDE\b.*\]\s*$", re.I)
DOCS_IMAGE = re.compile(r":::image\b.*?:::", re.S)
NO_LOC = re.compile(r':::no-loc\s+text="([^"]*)":::')
REL_LINK = re.compile(r"\]\((/[^)\s]*)\)")
# links to other articles by relative path: (../x/y.md), (y.md#anchor), (~/windows-server/y.md)
MD_LINK = re.compile(r"\]\((?!/|#|[a-z][a-z0-9+.-]*:)([^)\s]+?\.md)(#[^)\s]*)?\)", re.I)
INDENTED_FENCE = re.compile(r"^( +)```[\w-]*\s*$")
LIST_ITEM = re.compile(r"^\s*(?:\d+\.|[-*+])\s+\S")


def article_link(path: str) -> str:
    """learn.microsoft.com URL of an article: support/<rest>.md -> /troubleshoot/<rest>."""
    rest = path[len("support/"):] if path.startswith("support/") else path
    return f"{LEARN}/troubleshoot/{rest[:-3] if rest.endswith('.md') else rest}"


def read_source(path: str, commit: str, git_dir: str | None, src_dir: str | None) -> str:
    if src_dir:
        return (Path(src_dir) / path).read_bytes().decode("utf-8")  # keep CRLF as stored
    for rev in (commit, "HEAD"):
        proc = subprocess.run(["git", f"--git-dir={git_dir}", "show", f"{rev}:{path}"],
                              capture_output=True)
        if proc.returncode == 0:
            if rev != commit:
                print(f"warning: {path}: commit {commit[:12]} not in the mirror, used HEAD",
                      file=sys.stderr)
            return proc.stdout.decode("utf-8")
    raise SystemExit(f"error: {path}: not found in {git_dir}")


def split_front_matter(text: str) -> tuple[dict, str]:
    """Docs front matter is flat `key: value` YAML; parse it by hand (no PyYAML needed).

    List-valued keys (`ms.custom:` followed by `- item` lines) are read as empty strings.
    """
    meta: dict[str, str] = {}
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            for line in text[4:end].splitlines():
                m = re.match(r"^([A-Za-z0-9_.-]+):\s*(.*)$", line)
                if m:
                    val = m.group(2).strip()
                    if len(val) >= 2 and val[0] == val[-1] and val[0] in "'\"":
                        val = val[1:-1].replace("''", "'") if val[0] == "'" else val[1:-1]
                    meta[m.group(1)] = val
            text = text[end + 5:]
    return meta, text


def parse_date(value: str | None) -> dt.datetime | None:
    """ms.date is MM/DD/YYYY; some files hold a spreadsheet serial number (45286)."""
    if not value:
        return None
    value = value.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if m:
        return dt.datetime(int(m.group(3)), int(m.group(1)), int(m.group(2)), tzinfo=dt.timezone.utc)
    if re.fullmatch(r"\d{5}", value):  # days since 1899-12-30 (Excel)
        return dt.datetime(1899, 12, 30, tzinfo=dt.timezone.utc) + dt.timedelta(days=int(value))
    return None


def resolve_md_link(path: str, target: str) -> str | None:
    """URL of another article linked by a relative path, or None if it leaves support/."""
    if target.startswith("~/"):  # docset root, which is support/
        repo_path = "support/" + target[2:]
    else:
        repo_path = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if not repo_path.startswith("support/"):
        return None
    return article_link(repo_path)


def clean_markdown(body: str, path: str) -> tuple[str | None, str]:
    """Drop docs-only syntax; return (H1 title, markdown without the H1)."""
    body = DOCS_IMAGE.sub("", body)
    body = NO_LOC.sub(lambda m: m.group(1), body)
    out: list[str] = []
    title = None
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if title is None and line.startswith("# "):
            title = line[2:].strip()
            i += 1
            continue
        if INCLUDE.match(line):
            i += 1
            continue
        m = ALERT.match(line)
        if m:
            # > [!NOTE] block -> a plain paragraph that starts with "Note:"
            indent, kind = m.group(1), m.group(2).capitalize()
            block: list[str] = []
            i += 1
            while i < len(lines) and re.match(r"^\s*>", lines[i]):
                block.append(re.sub(r"^\s*>\s?", "", lines[i]))
                i += 1
            while block and not block[0].strip():
                block.pop(0)
            if block and not LIST_ITEM.match(block[0]):
                block[0] = f"**{kind}:** {block[0]}"
            else:
                block = [f"**{kind}:**", ""] + block
            out.append("")
            out.extend(indent + b if b.strip() else "" for b in block)
            out.append("")
            continue
        m = INDENTED_FENCE.match(line)
        if m:
            # a fence inside a list item: Python-Markdown only knows indented code there
            pad = m.group(1)
            i += 1
            code: list[str] = []
            while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
                code.append(lines[i][len(pad):] if lines[i].startswith(pad) else lines[i].lstrip())
                i += 1
            i += 1  # the closing fence
            out.append("")
            out.extend(pad + "    " + c if c.strip() else "" for c in code)
            out.append("")
            continue
        if LIST_ITEM.match(line) and out and out[-1].strip() and not LIST_ITEM.match(out[-1]) \
                and not out[-1].lstrip().startswith(("|", ">", "```")):
            out.append("")  # a list item right after a paragraph line starts a new block (CommonMark)
        out.append(line)
        i += 1
    md = "\n".join(out)
    md = REL_LINK.sub(lambda m: f"]({LEARN}{m.group(1)})", md)

    def md_link(m: re.Match) -> str:
        url = resolve_md_link(path, m.group(1))
        return m.group(0) if url is None else f"]({url}{m.group(2) or ''})"

    md = MD_LINK.sub(md_link, md)
    return title, md


def to_html(md: str) -> str:
    html = markdown.markdown(md, extensions=["fenced_code", "tables", "sane_lists"],
                             output_format="html")
    return html.strip()


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def categories(path: str, meta: dict) -> list[str]:
    """Area under the product (high-availability, database-engine/availability-groups, ...),
    the product (windows-server, sql), then the ms.* service values and ms.topic."""
    parts = path.split("/")
    product, area = parts[1], "/".join(parts[2:-1])
    cats: list[str] = []
    for c in (area, product, meta.get("ms.service"), meta.get("ms.subservice"),
              meta.get("ms.prod"), meta.get("ms.technology"), meta.get("ms.topic")):
        if c and c not in cats:
            cats.append(c)
    return cats


def build(git_dir: str | None, src_dir: str | None) -> tuple[str, list[str]]:
    items: list[str] = []
    warnings: list[str] = []
    dates: list[dt.datetime] = []
    for path, commit, sha in ARTICLES:
        raw = read_source(path, commit, git_dir, src_dir)
        digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()
        if sha and digest != sha:
            warnings.append(f"{path}: SHA-256 differs from the pinned copy ({digest[:12]} != {sha[:12]})")
        text = raw.replace("\r\n", "\n")  # one source file has CRLF line endings
        meta, body = split_front_matter(text)
        h1, md = clean_markdown(body, path)
        title = h1 or meta.get("title") or Path(path).stem
        link = article_link(path)
        date = parse_date(meta.get("ms.date"))
        parts = [
            "    <item>",
            f"      <title>{escape(title)}</title>",
            f"      <link>{escape(link)}</link>",
            f'      <guid isPermaLink="true">{escape(link)}</guid>',
        ]
        if date:
            dates.append(date)
            parts.append(f"      <pubDate>{email.utils.format_datetime(date, usegmt=True)}</pubDate>")
        parts += [f"      <category>{escape(c)}</category>" for c in categories(path, meta)]
        parts.append(f"      <description>{cdata(to_html(md))}</description>")
        parts.append("    </item>")
        items.append("\n".join(parts))
    last = max(dates) if dates else dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)
    head = "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<rss version="2.0">',
        "  <channel>",
        "    <title>Windows Server, Windows client, SQL Server and IIS troubleshooting (Microsoft support articles) - held-out feed 5</title>",
        f"    <link>{LEARN}/troubleshoot/</link>",
        f"    <description>{len(ARTICLES)} support articles from {REPO} (CC-BY-4.0, Microsoft and "
        "contributors), converted to HTML as held-out feed 5 for testing a troubleshooting "
        "knowledge base. Not an official Microsoft feed.</description>",
        "    <language>en-us</language>",
        f"    <lastBuildDate>{email.utils.format_datetime(last, usegmt=True)}</lastBuildDate>",
        "    <generator>build_feed5.py</generator>",
    ])
    return head + "\n" + "\n".join(items) + "\n  </channel>\n</rss>\n", warnings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--git-dir", help="bare git dir of a SupportArticles-docs mirror")
    src.add_argument("--src-dir", help="folder with the articles at their repository paths")
    ap.add_argument("--out", default="support-articles-feed5.xml",
                    help="where to write the feed (default support-articles-feed5.xml)")
    args = ap.parse_args(argv)
    xml, warnings = build(args.git_dir, args.src_dir)
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    Path(args.out).write_text(xml, encoding="utf-8")
    print(f"wrote {args.out}: {len(ARTICLES)} items, {len(xml.encode('utf-8'))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
