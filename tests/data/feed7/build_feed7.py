#!/usr/bin/env python3
"""Build held-out feed 7: an RSS 2.0 feed of 40 Microsoft support articles, for testing.

Source: MicrosoftDocs/SupportArticles-docs (documentation text under CC-BY-4.0; see
SOURCES.md next to this script). Each article is pinned to the commit it was read at
(ARTICLES below), with the SHA-256 of the saved copy.

Usage:
    python3 build_feed7.py --src-dir src --out support-articles-feed7.xml
        reads SRC_DIR/PATH (a folder laid out like the repository, e.g. src/ next
        to this script)
    python3 build_feed7.py --git-dir MIRROR.git --out support-articles-feed7.xml
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
    ("support/windows-server/high-availability/cluster-validation-test-fails-multi-site-cluster-scenario.md", "08a0de456a6c276c63b6845337c04f06448f3205", "c80c29e0a7e0cc7f3a18f2f3fb67f490e7fa54adfb245cce2c8ef5c4b11ee543"),
    ("support/windows-server/high-availability/active-route-removed.md", "054af8b48a719a5d48fdca1a42bf16795feb5634", "5f10207dd56f2e2401dd1534a4a164f2a514db7a922eeb8f6428487b5785f905"),
    ("support/windows-server/high-availability/unable-to-get-computer-object-using-guid.md", "0e84fb224ff27bbfeecadfd5b2e9151fe277d1f0", "b4254e97ff70e06626ebe89f446a385bb26bfcfed138c0d33d043c64d9fe1b8a"),
    # --- Hyper-V (support/windows-server/virtualization) ---
    ("support/windows-server/virtualization/cannot-access-hyper-v-virtual-machine-connect.md", "1aaa0dcbb29b143d51225d073b2e58d1bb8ab652", "f3f0c7f92c2b403f4c98547b38f177d2331cde501cecc1e5c099dabee7ec67b2"),
    ("support/windows-server/virtualization/dynamic-memory-allocation-virtual-machine-not-change.md", "054af8b48a719a5d48fdca1a42bf16795feb5634", "4b497328d8ac7b6cd4f7f54017eae0108767b0d3c20b2e7aeaa30e9d20f5bf60"),
    ("support/windows-server/virtualization/copy-paste-not-work-hyper-v-vm-vmconnect-enhanced-session-mode.md", "056e80c0f77df5d5b40e97c0d87fe4aa7f26c286", "27bf25031d0d8560b447fe9c3b58dd55703d38ee748ddd96556e87854268adb2"),
    ("support/windows-server/virtualization/unable-migrate-virtual-machine-processor-not-compatible-host.md", "0dac8f511f5322d711bb077cebc9b5502ca731f3", "3e7961af7b495a5dc896eaf3bcce42b5a7a2eee7748a4fbba05a3376f2ddef2b"),
    # --- backup, VSS and storage (support/windows-server/backup-and-storage) ---
    ("support/windows-server/backup-and-storage/event-5120-5142-access-clusterstorage-folder.md", "0f59c09e90864241493e4acf8bfb8aed64313bbb", "03859bd5c170106d65b983b339c67f83d104e2d0aaa1d3963f6896f7f4ddf6da"),
    ("support/windows-server/backup-and-storage/backup-fails-vss-writer.md", "0f59c09e90864241493e4acf8bfb8aed64313bbb", "a6fd8c7a36be697318e2fb3fc7f67a05510cb7ec6cfa85a197b13b00f47340db"),
    ("support/windows-server/backup-and-storage/server-backup-mmc-fails-open.md", "0b132e1398e5a57dc0dc4457e9608844c95a7c36", "ac033d60a159a293ff380539d8039ded1017418fea816b92df43773f88931d05"),
    ("support/windows-server/backup-and-storage/not-enough-storage-process-this-command.md", "08a0de456a6c276c63b6845337c04f06448f3205", "5212e59a16e960bf53e35490541b78704a049ff19e22c53d36828d9217ecea83"),
    # --- networking (support/windows-server/networking) ---
    ("support/windows-server/networking/cannot-open-network-adapter-tcp-ip-properties.md", "088c29a3d14d6d4c9f0b105465aa7b7d0383932d", "659495d00f2872ef98dc183974b4f14f16d0077d8222919ec7cc803cd5093309"),
    ("support/windows-server/networking/dns-server-becomes-island.md", "203da2e2bbaa4e616d79b251d2520fef0b1b9cb2", "4fc1c6416f0378b4cbde1f2a9fdb564fe8e7c9db25b5ff6c74199c06091c1591"),
    ("support/windows-server/networking/cannot-download-file-background-intelligent-transfer-service.md", "0e84fb224ff27bbfeecadfd5b2e9151fe277d1f0", "1572dfb38f75aed91ef0e24fb70ab6af7e295deec8752e3dfd066e0cccaab01a"),
    # --- Active Directory and Windows Time (support/windows-server/active-directory) ---
    ("support/windows-server/active-directory/auto-install-dns-server-role-disabled-promte-domain-controller.md", "17c0de2eab600f206ea5cdb44522d5e3e4263b75", "86111144736f2d5ca7f42199de87131fd71e08bd6e947b5fa9f38e41623f3ba1"),
    ("support/windows-server/active-directory/access-is-denied-error-domain-controller-replicate-ad.md", "203da2e2bbaa4e616d79b251d2520fef0b1b9cb2", "f657078f106f7498fd94c74521217a2347587f0e881cfe9909b90b1efb9e7196"),
    ("support/windows-server/active-directory/client-clock-reverts-to-previous-time.md", "0ab43ba792d926b2b8fb6677ec808faae3d9ee25", "41c0a9abe775270b1f00b6c2ae5f99429434e089c155a071638347369f4ce842"),
    ("support/windows-server/active-directory/cant-sign-the-domain.md", "0ab43ba792d926b2b8fb6677ec808faae3d9ee25", "5c3c331269709842a58a38b6b8bf8a67685f8ba6bac4d559b189db9e4430146f"),
    # --- SQL Server (support/sql) ---
    ("support/sql/database-engine/connect/certificate-chain-not-trusted.md", "0992ba2a2ef8bf94f3b58b2f6a81e6df2acec769", "5510814524a84865c9573363334c57869f49b38bab3566daeda2a95d824c4fb1"),
    ("support/sql/database-engine/connect/sql-logins-are-not-enabled.md", "46504024cb0f252813ab951390d9b171f4b5b471", "7af30e92d3718f051900a9e2933ba62bc2b79322a7ca1f7ec652657448fbe8b2"),
    ("support/sql/database-engine/connect/wrong-database-name-in-connection-string.md", "6f96cb7bbfa6dfe99a36dfb0c149384ccbd70446", "88f9a8dbdb7ae479aa3a711b9b624fb9578450cab500fd77b509632d5ea40409"),
    ("support/sql/database-engine/security/error-disable-guest-user.md", "4e56803f6aa0cadb340e5f557ea3558a1fa539ef", "43d2dcbef2ca8c3a51290339dd684c2c9d0c22e5a042544fced0e421f38e7d46"),
    # --- setup, activation, WSUS, roles (support/windows-server/deployment) ---
    ("support/windows-server/deployment/application-event-log-warning-id-1058.md", "10abda6f63f824f6cabe6e8a91c47dfd1d12a63a", "a8e383251e8c9584c78f005a266a2e14ff7514c5f927e0b8cf7f5d15a7e712f0"),
    ("support/windows-server/deployment/error-0x80004005-network-policy-server-role.md", "054af8b48a719a5d48fdca1a42bf16795feb5634", "a9d4b82fb90ea5794f0ffde3de5fd052077a8229a4da21185fcccb3f664e0a4e"),
    ("support/windows-server/deployment/failed-schedule-software-protection.md", "13f8c3f0a2e9116d31ec0e509e39879a75415d59", "0054026f7e88e268b829281e49c7983517852b3a1c60e9febd045e33667975b9"),
    ("support/windows-server/deployment/specified-database-not-valid-vamt-error.md", "054af8b48a719a5d48fdca1a42bf16795feb5634", "ee80ad1cb8a00ce573ee10e2aa516f2397f6446ac1f64b004c5e6d4723d72561"),
    # --- Remote Desktop Services (support/windows-server/remote) ---
    ("support/windows-server/remote/cannot-maximize-session-window-to-full-screen.md", "169006f1da04b5f39c320027a85718d5a77732ee", "227e26489461ba6581a1a338666e577b040a7922ff9bd9cdfa0533956e1f8410"),
    ("support/windows-server/remote/error-when-connecting-terminal-server.md", "1b7c08bc0341e9f42af5831ca2bfa2c2bd5719a6", "f98b1760c6ce891ab62de2e052c3fdb9f8f6d7dd623954ccfb9298376b56a997"),
    ("support/windows-server/remote/internal-error-has-occurred-connecting-remote-machine.md", "088c29a3d14d6d4c9f0b105465aa7b7d0383932d", "90417a0309e93f551798394a99b2ebe6f02231263f73a2fff99d35e36c4c6201"),
    # --- Group Policy (support/windows-server/group-policy) ---
    ("support/windows-server/group-policy/fail-to-run-gpmc.md", "0b3548f2be6899f3b5c71b24598abda824a4b62a", "ef5f972e13cd2033abe43dfcea3d2b6c900417ef66992e7e6d0a18267c75750e"),
    ("support/windows-server/group-policy/group-policy-error-7016-1091-1202.md", "160d52439342559aa006b076c93103a4292dadd5", "6714658699af94803814345523ddea0ea678b5a464598d1400b68d1edfd9ba29"),
    ("support/windows-server/group-policy/winstoreui-conflict-with-windows-10-1151-admx-file.md", "0a58447761793c30cc12ef039877ad1e6243c1e6", "ddf4a8ea7496122fc0e270018e15fbd22944b0a863663ace1d57adfbacaf5e0c"),
    # --- printing (support/windows-server/printing) ---
    ("support/windows-server/printing/printers-are-grouped-one.md", "00fd244b87e22a070c9c9f118cd4ce09b314afd4", "88978b63bf70042be494bc92c9fdfa01f84bc39b299ed05017672ae9d68b20b5"),
    ("support/windows-server/printing/print-spooler-service-not-running.md", "00b5fc4b9ccb1e7b62be58d6f2b73ac290ce8b36", "b394e97eff7060aaf3ac314487232e0539c513ea5eac1642a6b44ed34aa8894c"),
    # --- IIS (support/developer/webapps/iis) ---
    ("support/developer/webapps/iis/health-diagnostic-performance/http-error-403-404-frx-webport.md", "e654b3a888887eff7e2ee9dd995dfff3f2d749e3", "306ddb814a2edb342b40fd181213a899a7eda42a3b7664dc90d7d8463818f60a"),
    ("support/developer/webapps/iis/www-administration-management/using-iisreset-restart-iis-result-error.md", "7407391a09ead82656469165f9832cd971886b83", "edb03b4abea18f1f35a66530f8872b0d54d75fcb4bd5e55c634543425450cae7"),
    ("support/developer/webapps/iis/www-administration-management/error-when-you-configure-32-bit-handlers.md", "50e13331bb2e3a16f76b231915fcd591a8c1cdf6", "03728c32e02478db7361582c5b98eec90b19e2d018fd57f90b77177c5394876b"),
    # --- Windows client (support/windows-client) ---
    ("support/windows-client/shell-experience/renaming-a-network-folder-fails.md", "0b3548f2be6899f3b5c71b24598abda824a4b62a", "af277cffadfbcefd83e419a07c4d69546bf52f2bab8e3c763598ae7c8236379d"),
    ("support/windows-client/shell-experience/no-longer-working-error-library-windows-explorer.md", "0ce44cbb1b5842063fcf4bdd0582041bd7b3b976", "ee61bcde220f83614d25e708165cd1648fdc441c6bdb5c23f35d9c03e06a25f9"),
    ("support/windows-client/shell-experience/uwp-apps-fails-incorrect-registry-permissions.md", "2fd55e8abe12cf18b8f4699f6623d03b91d92a47", "f4a83577c3287e93f1053e5aeda16972ad1591736cb948b73cea368223d2aeb9"),
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
        "    <title>Windows Server, Windows client, SQL Server and IIS troubleshooting (Microsoft support articles) - held-out feed 7</title>",
        f"    <link>{LEARN}/troubleshoot/</link>",
        f"    <description>{len(ARTICLES)} support articles from {REPO} (CC-BY-4.0, Microsoft and "
        "contributors), converted to HTML as held-out feed 7 for testing a troubleshooting "
        "knowledge base. Not an official Microsoft feed.</description>",
        "    <language>en-us</language>",
        f"    <lastBuildDate>{email.utils.format_datetime(last, usegmt=True)}</lastBuildDate>",
        "    <generator>build_feed7.py</generator>",
    ])
    return head + "\n" + "\n".join(items) + "\n  </channel>\n</rss>\n", warnings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--git-dir", help="bare git dir of a SupportArticles-docs mirror")
    src.add_argument("--src-dir", help="folder with the articles at their repository paths")
    ap.add_argument("--out", default="support-articles-feed7.xml",
                    help="where to write the feed (default support-articles-feed7.xml)")
    args = ap.parse_args(argv)
    xml, warnings = build(args.git_dir, args.src_dir)
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    Path(args.out).write_text(xml, encoding="utf-8")
    print(f"wrote {args.out}: {len(ARTICLES)} items, {len(xml.encode('utf-8'))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
