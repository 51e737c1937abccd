#!/usr/bin/env python3
"""Build held-out feed 6: an RSS 2.0 feed of 40 Microsoft support articles, for testing.

Source: MicrosoftDocs/SupportArticles-docs (documentation text under CC-BY-4.0; see
SOURCES.md next to this script). Each article is pinned to the commit it was read at
(ARTICLES below), with the SHA-256 of the saved copy.

Usage:
    python3 build_feed6.py --src-dir src --out support-articles-feed6.xml
        reads SRC_DIR/PATH (a folder laid out like the repository, e.g. src/ next
        to this script)
    python3 build_feed6.py --git-dir MIRROR.git --out support-articles-feed6.xml
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
    ("support/windows-server/high-availability/cluster-ip-resources-fail-2-node-2-site-fsw-cluster.md", "0abaf1e6ea3d81bc0dd37d3a23108742d0dcb960", "55f36fae28a9e17aff161676306314a20c903d9cbefc3c4f04583dc739b7b63b"),
    ("support/windows-server/high-availability/cluster-validation-test-fails-domain-change-cluster-scenario.md", "3751d9eb53ec0f970c15e8261b6f4f71b842de19", "30b4c5c026a5cdbb91b71bbe8239500908b7e19c998ed80c8180e9bc3f604030"),
    ("support/windows-server/high-availability/netbios-wins-dont-bind-cluster-ip-address-resources.md", "054af8b48a719a5d48fdca1a42bf16795feb5634", "7cbcc54e7bdc03e1d11734fa8a02d0dfba782c0baefd20a2d0c38a5142f0f0bb"),
    ("support/windows-server/high-availability/smb-features-dont-work-non-default-cluster-network-name-configuration.md", "0ab43ba792d926b2b8fb6677ec808faae3d9ee25", "d8934fd554331e8350d453b112646cc176a6f95c5a413f1c55518adfd8754528"),
    # --- Hyper-V (support/windows-server/virtualization) ---
    ("support/windows-server/virtualization/cannot-power-on-hyper-v-vm.md", "33d81ff2d0a95b1fbfc230646f2e45aea48da53c", "d76dd74687570000310198ccf9660b99ca6ee6e99a746d7631bfdd1c24f2312e"),
    ("support/windows-server/virtualization/default-limit-256-dynamic-mac-addresses.md", "0ba91e77cf919ea9fc4c7c8b35a470f689b1ae8e", "c6d4c9e76783c9b743b4476f17cce75449fb1bc73b3c802d5746c5aded48ce92"),
    ("support/windows-server/virtualization/degraded-integration-services-message.md", "06b959bca4f5f6e3c40410b0825a37c1fadb8925", "1ab1efdd6bb15cbdfd6c09930c47e5750f481060748acf6c875ab0807f8fb54f"),
    ("support/windows-server/virtualization/cannot-restore-vm-from-checkpoint-in-hyper-v.md", "16edcd96fdb14ca37ba40e5d89d494240df44777", "16536acbf25db84ecacf1ca6ca8e8a5b0b7bcbe564a785958d60b2e9b97ecf6d"),
    # --- storage: iSCSI, MPIO, deduplication (support/windows-server/backup-and-storage) ---
    ("support/windows-server/backup-and-storage/iscsi-initiator-not-login-to-favorite-targets.md", "0f59c09e90864241493e4acf8bfb8aed64313bbb", "ef7673ee8d05d3570857f5d95b428d1b82824a2b9636ff8587a8ec2d41df26e5"),
    ("support/windows-server/backup-and-storage/mpio-option-not-available-disk-management.md", "03bbb0b1cefb38f0cb2e6121f3a3101d4b28ab39", "a6ed14963f0f5bff0bf7fa54558174c45576302c5c6ba121b72d69e3f642218f"),
    ("support/windows-server/backup-and-storage/files-are-corrupted-deduplicated-volume.md", "06e8e35e171116f038174330b44f1aedc79114cd", "1b84eb2f6f9ad767d951c095eea43109a88012e0fea36bd2b0d69ecaf654af00"),
    # --- networking: DNS server and client (support/windows-server/networking) ---
    ("support/windows-server/networking/dns-server-loses-teaming-nic-configuration.md", "031b4351be4ef51d74821f3e6e1eeb5565ce328f", "7da627e10d53fa5a464ce0970eb9b72c7a2bb88bf6004c0c7c3ae0e9a0e787c1"),
    ("support/windows-server/networking/cannot-modify-hosts-lmhosts-files.md", "0b132e1398e5a57dc0dc4457e9608844c95a7c36", "5514a39e4b00c11df9735240df5dc01577c95c2aeb8c7fd9856519985c278cba"),
    ("support/windows-server/networking/dns-server-not-resolve-queries-for-top-level-domain.md", "169006f1da04b5f39c320027a85718d5a77732ee", "668750d624fca292f7e00e2971f51971f2a0dc26949c203c1dbfac42f2fa2558"),
    # --- Active Directory, AD LDS, LDAP (support/windows-server/active-directory) ---
    ("support/windows-server/active-directory/dcdiag-verifyreferences-test-fails.md", "203da2e2bbaa4e616d79b251d2520fef0b1b9cb2", "6034bf817c55b1473a71caa46c1eb5c7780c283abff5eaa1e3260df505dff68b"),
    ("support/windows-server/active-directory/adam-general-event-id-1161-logged-ad-lds-server.md", "2628655f8c73570b34344e9a1a37f3a946725398", "5db5e255f7e79f886a7717fe9acd894e4e1279ee2bb22d07f74a4b8e4ab07e79"),
    ("support/windows-server/active-directory/cannot-add-domain-controller-node-failover-cluster.md", "2628655f8c73570b34344e9a1a37f3a946725398", "6c0536a4210d924ab66c3b0c941e9f147bdd90706696262d53bf5d4b5f9c1b8d"),
    ("support/windows-server/active-directory/dc-respond-to-ldap-ping-on-udp-138-port.md", "2628655f8c73570b34344e9a1a37f3a946725398", "707792806a6479ad1c26665b7a59d9bba9bc78cf7d52b4a730e78a6bba794825"),
    # --- SQL Server connectivity and backup (support/sql, support/windows-server/backup-and-storage) ---
    ("support/sql/database-engine/connect/ssl-pe-no-cipher-error-endpoint-5022.md", "091e6544289f94be42cf4b1005c26cfc7919a47b", "b83cbd35d41c78aad46c7229dfa3b7cbc4653d58e2f60846c83d7099e0b178b4"),
    ("support/sql/database-engine/connect/named-pipes-connection-fail-no-windows-permission.md", "02c98402b7567f1c97b064960c18d05e3f9f5e8c", "2e82bac019af2f1bdbfe8448d9bfe1f45677581183fd304a4b1e7f970910b0f0"),
    ("support/windows-server/backup-and-storage/database-backup-error-3266-3013.md", "0abaf1e6ea3d81bc0dd37d3a23108742d0dcb960", "2ef32a53cf43d03d2197f03471370189c60430390a6d92da948e87a09d94dc45"),
    ("support/sql/database-engine/connect/error-messages-areshown-after-upgrade-sql-version.md", "0bc54f103176bf7b31a97bd94a55d82df9bd9b77", "019e472a3b366513cddfe6ba0d79a6a66ebf8c00979fd6e7e8f47d39509f5170"),
    # --- activation, WSUS, setup (support/windows-server/deployment) ---
    ("support/windows-server/deployment/event-id-12321-warning-token-based-activation-failed.md", "0b132e1398e5a57dc0dc4457e9608844c95a7c36", "2294ff806938bd6035613608ea784cd19e244afca1449ded1da9f5492a9f01dd"),
    ("support/windows-server/deployment/cannot-connect-to-wsus-administration-website.md", "056da2b7bcbcd3782063558ebb4ba5800e9b8d48", "77faef9d39651e0a082aacd327dbe983eadf0c06a75292a758332be645715d76"),
    ("support/windows-server/deployment/error-install-windows-internal-database.md", "0f59c09e90864241493e4acf8bfb8aed64313bbb", "ef0925a90272e69475056c3f4af60e1aaacd74aca37983286fc46bd9818c706c"),
    ("support/windows-server/deployment/0x8007000d-activate-machine.md", "0b132e1398e5a57dc0dc4457e9608844c95a7c36", "60fdc0ef564ccfe9c0e12c208be7ec342950bc07d925f787640117fadc2f9712"),
    # --- Remote Desktop Services (support/windows-server/remote) ---
    ("support/windows-server/remote/error-control-remote-desktop-session-vdi-collection.md", "0cc13ffff5b1472e5e9ef83a64d1bb2c56868d17", "df3e586d0bdb8f693d7281c10a38eacfb2507f55b6d7982f7d409ce7f8c7ca4e"),
    ("support/windows-server/remote/event-10000-terminal-server-enabled.md", "08105dd5212ecf85877a450dd8916c9d1e8a7737", "413013f06803a7b5a5b17d36672d57c5dc5d2b28ff0045c0c431890afbc801d0"),
    ("support/windows-server/remote/connection-broker-cant-be-mixed.md", "0dac8f511f5322d711bb077cebc9b5502ca731f3", "16ac05ae9875ae6ce264e7c9b1644f332076b547dfe8e5715ebf67b8937c0cb1"),
    # --- Group Policy (support/windows-server/group-policy) ---
    ("support/windows-server/group-policy/microsoft-policies-sensors-windowslocationprovider-defined.md", "08b8cef6c05094dea5c174e52ed41adc9440c5a7", "20ed8abef7baa20b9cad6c36c9e520221da250e6a92bbbac984ee1af9f0ba650"),
    ("support/windows-server/group-policy/gpmc-import-gpo-fails-restore-gpo-backup.md", "00461425fcb92a0d7fc1e5e1e5a96474aa590efa", "98cda039a53251a7f6ce3d775e740fff6d4e3470b0d2852543aa3cfaae65b489"),
    ("support/windows-server/group-policy/cannot-run-group-policy-modeling-wizard.md", "08a0de456a6c276c63b6845337c04f06448f3205", "3f941f58ec2afabcca6f04591bed17978d39d3330de90ba503329534bec411a4"),
    # --- printing (support/windows-server/printing) ---
    ("support/windows-server/printing/windows-couldnt-connect-printer.md", "169006f1da04b5f39c320027a85718d5a77732ee", "8b9148d949de3d1d7609fc2f65a29bfdb9cfb9354f906e1b9378cd889f0d6bab"),
    ("support/windows-server/printing/printer-driver-cannot-installed-through-windows-update.md", "169006f1da04b5f39c320027a85718d5a77732ee", "b4abd9965b7cb9ab00d81f2bd83a26d684170200e120613a677308645b5bd313"),
    # --- IIS (support/developer/webapps/iis) ---
    ("support/developer/webapps/iis/health-diagnostic-performance/http-403-forbidden-access-website.md", "514a21d7ea13f0932d9708a5f7b562e67bc9612f", "75201c149ea80c4e83842c643930cb138bc6334d8e791025cc54a60e717029e3"),
    ("support/developer/webapps/iis/health-diagnostic-performance/application-pool-exceed-time-limits.md", "4eb0f537b8dfeefdae4c8eb56e0068d3d82dba16", "3988f7b9c83ee427dbf9dcf35ecd1754a0239ab29a943c04d9ff0f6d943d6e39"),
    ("support/developer/webapps/iis/health-diagnostic-performance/error-message-you-visit-web-site.md", "4eb0f537b8dfeefdae4c8eb56e0068d3d82dba16", "0b44fac912a96d6f08785c08ea16eaaea44b1c031d653c08a46fea3de5a0e2e6"),
    # --- Windows client shell (support/windows-client/shell-experience) ---
    ("support/windows-client/shell-experience/application-shortcuts-show-blank-icons.md", "1e1818c84666eff343721dc51efad0d209a1182c", "e0fc07523c9f5fcdcd7a01e709093c88d5ff53a26f0afe680cad8df877e4de55"),
    ("support/windows-client/shell-experience/dot-chm-file-not-render-properly.md", "0b3548f2be6899f3b5c71b24598abda824a4b62a", "b00ad80bb48284c5e36a95746fdc30fccef30ba1e766cf9576a933e40e52cbd7"),
    ("support/windows-client/shell-experience/lock-screen-isnt-displayed.md", "12f34bf059b8b6c24504af95a02b5d97a183dbf1", "65ca50b399429201ae98851d986c6270693fa0ff575c6e08d6ded7665e7553fd"),
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
        "    <title>Windows Server, Windows client, SQL Server and IIS troubleshooting (Microsoft support articles) - held-out feed 6</title>",
        f"    <link>{LEARN}/troubleshoot/</link>",
        f"    <description>{len(ARTICLES)} support articles from {REPO} (CC-BY-4.0, Microsoft and "
        "contributors), converted to HTML as held-out feed 6 for testing a troubleshooting "
        "knowledge base. Not an official Microsoft feed.</description>",
        "    <language>en-us</language>",
        f"    <lastBuildDate>{email.utils.format_datetime(last, usegmt=True)}</lastBuildDate>",
        "    <generator>build_feed6.py</generator>",
    ])
    return head + "\n" + "\n".join(items) + "\n  </channel>\n</rss>\n", warnings


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--git-dir", help="bare git dir of a SupportArticles-docs mirror")
    src.add_argument("--src-dir", help="folder with the articles at their repository paths")
    ap.add_argument("--out", default="support-articles-feed6.xml",
                    help="where to write the feed (default support-articles-feed6.xml)")
    args = ap.parse_args(argv)
    xml, warnings = build(args.git_dir, args.src_dir)
    for w in warnings:
        print("warning:", w, file=sys.stderr)
    Path(args.out).write_text(xml, encoding="utf-8")
    print(f"wrote {args.out}: {len(ARTICLES)} items, {len(xml.encode('utf-8'))} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
