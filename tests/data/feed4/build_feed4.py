#!/usr/bin/env python3
"""Build held-out feed 4: an RSS 2.0 feed of 40 Microsoft support articles, for testing.

Source: MicrosoftDocs/SupportArticles-docs (documentation text under CC-BY-4.0; see
SOURCES.md next to this script). Each article is pinned to the commit it was read at
(ARTICLES below), with the SHA-256 of the saved copy.

Usage:
    python3 build_feed4.py --src-dir src --out support-articles-feed4.xml
        reads SRC_DIR/PATH (a folder laid out like the repository, e.g. src/ next
        to this script)
    python3 build_feed4.py --git-dir MIRROR.git --out support-articles-feed4.xml
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
    ("support/windows-server/high-availability/cluster-validation-account-causes-events-messages.md", "44c2ff20ccec4c522684098d02afb04b42df2d44", "63022e1b2ce00ab4026bf2fceba799d3511c435808993296b3d278ca40557823"),
    ("support/windows-server/high-availability/error-0x8000ffff-catastrophic-failure.md", "25babae4ee1c2929ea98085393d4ab5964e68087", "0b2d00f82f7c5abce442d15985117bf3f36966dba3db90c63471f840ec5ba776"),
    ("support/windows-server/high-availability/error-an-item-with-the-same-key-has-already-been-added.md", "2547dcde5be89b1dbf08f2b6dc5158f259cfee54", "18d8797e4fe50a5111d75ad5796e4ed8135e906dc62021fcffede0bee4e1157a"),
    ("support/windows-server/high-availability/parameter-incorrect-error-cluster-validation-fails.md", "0e938247be023733ecc5a15973e6123485ca12bd", "0a5f891633b52bacd5164bee607a6c531821eee8abd57a63df4f117425c48041"),
    # --- Hyper-V (support/windows-server/virtualization) ---
    ("support/windows-server/virtualization/error-0x80070005-export-vms.md", "06b959bca4f5f6e3c40410b0825a37c1fadb8925", "944246e0b0e08cec443faef11fd2c4b7cc56dc731aa95fb7ed54d576e2699378"),
    ("support/windows-server/virtualization/error-not-enough-memory-system-start-virtual-machine.md", "0dac8f511f5322d711bb077cebc9b5502ca731f3", "f3fedac33ce4f45ae5ce6fbdf2c77458597923ab64d0e8cac4a20b0b3b56696b"),
    ("support/windows-server/virtualization/hyper-v-virtual-machine-not-start-0x80070005.md", "0f59c09e90864241493e4acf8bfb8aed64313bbb", "21e6e897af0063cd26b55cd0bd215f054bd3e8428336868a5f710deed2532577"),
    ("support/windows-server/virtualization/incompatible-version-errors-are-logged.md", "203da2e2bbaa4e616d79b251d2520fef0b1b9cb2", "bbb96436be88bf94a006da16ee760189de4bd03f86e8ee77f582cc103280ef84"),
    # --- backup, VSS and storage (support/windows-server/backup-and-storage) ---
    ("support/windows-server/backup-and-storage/cannot-back-up-server-error-0x80070005.md", "0e84fb224ff27bbfeecadfd5b2e9151fe277d1f0", "16cc430e689a6882e5804460513756afc8eebdaa2c0bb4db40245843ca1fa7cd"),
    ("support/windows-server/backup-and-storage/disk-event-id-154.md", "08a0de456a6c276c63b6845337c04f06448f3205", "37098c851de9eb6dec155403e06d2fe4cd4228a86bf3b20e1e11a25568159179"),
    ("support/windows-server/backup-and-storage/event-id-513-vss-windows-server.md", "08cb1252e60956152354d5281378ed44fa2a7a2d", "27c4214e6a2be6d1f4c81e2078bebdf689fe4712fe2369dfceff210969811d20"),
    # --- networking: DNS/DHCP, DFS Namespaces, DirectAccess (support/windows-server/networking) ---
    ("support/windows-server/networking/0x2afc-0x274d-error-directaccess-clients-connect-ip-https.md", "12f34bf059b8b6c24504af95a02b5d97a183dbf1", "57ae01453929153e7917ad255942e3605bfca63c16323e79fc4249d93b13dcc6"),
    ("support/windows-server/networking/dhcp-client-fail-obtain-valid-ip-address.md", "08a0de456a6c276c63b6845337c04f06448f3205", "b31e28b1f5484d16c659e40d7043c5abaf4659ab3f1822f6314bec707b2ab469"),
    ("support/windows-server/networking/error-data-invalid-namespace-no-targets.md", "1a15ba8cda098fc4596c53f3a5733e6077b429b6", "7ea7f918ddf29c7d86a29b1aa3ca46e795eb1156cd3046c875e904c8b44f8001"),
    # --- Active Directory (support/windows-server/active-directory) ---
    ("support/windows-server/active-directory/a-batch-of-event-4780-logged-pdc.md", "3a2a92fcdbaa4a6587aa83f527aa3c739ce00073", "448cba3531481d8968624c0a2aebc5e1a2543c867ad56404c7de5e666e47a743"),
    ("support/windows-server/active-directory/account-not-authorized-login-from-this-station.md", "4b3db77ac815dfcd41da4fa09a7d4dd3295331c9", "1dacabc9aa3fd5f13eaa27d56643b42ff065b594f232e75281c3507d4d3f97b3"),
    ("support/windows-server/active-directory/cannot-start-active-directory-users-and-computers-tool.md", "13244f8a4f4761696c7b0e7fb8ad0bd838a308e3", "5c1bea89037fc0ca9dc6171fefcb868855a5c1afe46423180b0f003d3a867ac5"),
    # --- SQL Server connectivity and startup (support/sql/database-engine) ---
    ("support/sql/database-engine/connect/network-login-disallowed.md", "04d02546003f5dc0a10df101555f64add656362c", "c2b501199c5ce8d1c51e86f90329e671ec4eba72ffbb1cb0eb32f49b21d48012"),
    ("support/sql/database-engine/connect/unable-to-start-sql-agent.md", "0339d98c50a434ae51a33d29af92395782fbb1fb", "9ee2114358fae77705fe850260264fce12139fe64268bd7218cf9fc94923c181"),
    ("support/sql/database-engine/startup-shutdown/error-17156-event-log-service.md", "45c85e17ea59f872b97cef9827a56956f25a3d00", "0d1ef6531db89b2696f45117b26cc71cbdb15f5332e5e687ba11a32cc8175ddb"),
    ("support/sql/database-engine/startup-shutdown/event-id-1814-fail-start.md", "8962a6ae1d775a800a7fa68ffd7938c147840a2d", "2706ee7685a5e0608c5b05395aead6ee90fda7a9db216fe97458684d9fc75e5c"),
    # --- Windows Update, servicing and activation (support/windows-server/deployment) ---
    ("support/windows-server/deployment/0xc004f063-when-activating-oem-version.md", "12f34bf059b8b6c24504af95a02b5d97a183dbf1", "97f133b2a63f702e72f58eaae2387aa41fa430e0bf3fa9ed46f54e223c8e9ebe"),
    ("support/windows-server/deployment/dism-fails-with-error-0x800f0906.md", "14a9442e5ce30cdeaa98cb65153536d919683074", "190d19539796b6024891d2f770158256fd48b65c80b27001275566698a8bd631"),
    ("support/windows-server/deployment/error-0x800705aa-windows-update-fails.md", "172aad5a386ed21cf3067093e906dd6f381f1afd", "a5d77d7bfbd6acbbd59ba8aaa1190f4f3b3bb70066af34ee24bf9dcb1f9c558e"),
    ("support/windows-server/deployment/error-0xc004f074-activate-windows.md", "084e99c59fedbe0ac808641ebdcf173d5058301f", "b3584443615490fc755b68f7b0e370b90ac2d6d87afb25efb96f33287f9bd530"),
    # --- Remote Desktop Services (support/windows-server/remote) ---
    ("support/windows-server/remote/0xc000035b-when-you-use-lmcompatibility.md", "0abaf1e6ea3d81bc0dd37d3a23108742d0dcb960", "e2333fe9257cc4248531fa11637f735e0b5ad62e5ebb49be2f07b9b512c6b9af"),
    ("support/windows-server/remote/local-policy-not-permit-log-on-interactively.md", "0a58447761793c30cc12ef039877ad1e6243c1e6", "23bb08a1d508286ce089199313f4830676644dd2c73d8e168f097c7acf832ac0"),
    ("support/windows-server/remote/not-enough-storage-available-to-process-command.md", "03bbb0b1cefb38f0cb2e6121f3a3101d4b28ab39", "d304d9867f38bdd21f1e9d20fb09c98da0ace73c4c5deb9e8526d815165aed0d"),
    # --- Group Policy (support/windows-server/group-policy) ---
    ("support/windows-server/group-policy/directory-is-not-empty.md", "08a0de456a6c276c63b6845337c04f06448f3205", "b630ee108dd004a0b9fc8cdff137ff16941d89e6ac851c67d2b5e1f1c302e2ae"),
    ("support/windows-server/group-policy/events-1101-1030-application-log-group-policy.md", "0b2def102c353609d998efffbce2af2c7769927d", "52af06335d0ab181e173cc10c50423b438514f4c14637ed6a3f36d5bccdc1d1f"),
    ("support/windows-server/group-policy/system-cant-find-file-specified.md", "08a0de456a6c276c63b6845337c04f06448f3205", "7647d1f7b8bf0b11bd11e280d339b9514ea11d237dc752baf8bc16345588434f"),
    # --- printing (support/windows-server/printing) ---
    ("support/windows-server/printing/new-printer-status-is-offline.md", "054af8b48a719a5d48fdca1a42bf16795feb5634", "709039e42f822049ba79141cb1855c600438ab096e4e79d3053af7bd72b23bed"),
    ("support/windows-server/printing/third-party-print-driver-print-spooler-error.md", "0e64a6bede674296b17dbd7ab397d1a0678e0198", "cdcf3f45484685d7c822ea62c2cbde49273b4189031ca7b04636d104e41d2a94"),
    # --- IIS (support/developer/webapps/iis) ---
    ("support/developer/webapps/iis/health-diagnostic-performance/http-error-403-7-forbidden-web-app.md", "514a21d7ea13f0932d9708a5f7b562e67bc9612f", "16ad52d1962027a2400ce34688d940d520c2577113c39ef1144a30147dc26a15"),
    ("support/developer/webapps/iis/health-diagnostic-performance/http-error-501-not-implemented.md", "514a21d7ea13f0932d9708a5f7b562e67bc9612f", "98fe0cbe9829cccffcc55e533c0d6b7b51afee6ed0173728c2642599b5ca4bec"),
    ("support/developer/webapps/iis/health-diagnostic-performance/users-cannot-access-web-sites-when-log-full.md", "72533e976302c1a6156c3352500846e2b3e51628", "f3bc1e81a2f0435080a95a13f52c045e8aaeff7e9a32b86b86351c4e299fd4b1"),
    # --- Windows client shell and apps (support/windows-client/shell-experience) ---
    ("support/windows-client/shell-experience/dllregisterserver-error.md", "0b3548f2be6899f3b5c71b24598abda824a4b62a", "cb038eb9a60d20041cd5113fbfda1df8bcfb355bc1e0653e7c43b7941a372254"),
    ("support/windows-client/shell-experience/error-start-store-apps.md", "0498df9cbff3b9b9cc83f35091a7ed22e4656c68", "fff09b0bd00c77014c199f0938916fed9582ff9da4eb5f641eaead21477c4c9f"),
    ("support/windows-client/shell-experience/recycle-bin-corrupted.md", "1e1818c84666eff343721dc51efad0d209a1182c", "922f61daa5bf86ef947ce745d2ec90e01744f9bafa550399bafd98fc3c67a851"),
    ("support/windows-client/shell-experience/windows-store-apps-not-open-event-id-5973.md", "203da2e2bbaa4e616d79b251d2520fef0b1b9cb2", "45459b4c3bbf3380f2d44585d688d5b1ee169f22a2368fbc2e92e7fb712bd40e"),
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
        "    <title>Windows Server, Windows client, SQL Server and IIS troubleshooting (Microsoft support articles) - held-out feed 4</title>",
        f"    <link>{LEARN}/troubleshoot/</link>",
        f"    <description>{len(ARTICLES)} support articles from {REPO} (CC-BY-4.0, Microsoft and "
        "contributors), converted to HTML as held-out feed 4 for testing a troubleshooting "
        "knowledge base. Not an official Microsoft feed.</description>",
        "    <language>en-us</language>",
        f"    <lastBuildDate>{email.utils.format_datetime(last, usegmt=True)}</lastBuildDate>",
        "    <generator>build_feed4.py</generator>",
    ])
    return head + "\n" + "\n".join(items) + "\n  </channel>\n</rss>\n", warnings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--git-dir", help="bare git dir of a SupportArticles-docs mirror")
    src.add_argument("--src-dir", help="folder with the articles at their repository paths")
    ap.add_argument("--out", default="support-articles-feed4.xml",
                    help="where to write the feed (default support-articles-feed4.xml)")
    args = ap.parse_args(argv)
    xml, warnings = build(args.git_dir, args.src_dir)
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    Path(args.out).write_text(xml, encoding="utf-8")
    print(f"wrote {args.out}: {len(ARTICLES)} items, {len(xml.encode('utf-8'))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
