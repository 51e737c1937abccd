"""A deterministic synthetic knowledge base and pastes, for benchmarks.

Entries look like the real ones: bilingual (about a third Chinese), an error message with
variable parts, an event ID with its provider, an error code, products, a cause, numbered fix
steps, and written rules (event + phrase, any-of phrases, a regex, a code). Pastes look like
what agents paste: an Event Viewer export or a dialog's text buried in ~300 words of log noise,
with other host names and GUIDs than the entry's.

    python bench/synth.py --entries 10000 --out bench/out/kb-10000
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.entry import Entry, EventSignature, Signatures
from engine.kb import render_entry, write_atomic

PRODUCTS = [
    ("Failover Clustering", "Microsoft-Windows-FailoverClustering"),
    ("Hyper-V", "Microsoft-Windows-Hyper-V-VMMS"),
    ("Exchange Server", "MSExchangeIS"),
    ("SQL Server", "MSSQLSERVER"),
    ("DNS", "Microsoft-Windows-DNS-Server-Service"),
    ("Active Directory", "Microsoft-Windows-ActiveDirectory_DomainService"),
    ("iSCSI", "iScsiPrt"),
    ("VMware ESX", "vmkernel"),
    ("VMware vCenter Converter", "vmware-converter"),
    ("Windows Update", "Microsoft-Windows-WindowsUpdateClient"),
    ("Remote Desktop Services", "Microsoft-Windows-TerminalServices-RemoteConnectionManager"),
    ("BitLocker", "Microsoft-Windows-BitLocker-Driver"),
    ("IIS", "Microsoft-Windows-IIS-W3SVC"),
    ("DHCP", "Microsoft-Windows-DHCP-Server"),
    ("Cluster Shared Volumes", "Microsoft-Windows-FailoverClustering-CsvFs"),
]
SUBJECTS = [
    ("network name resource", "网络名称资源"),
    ("virtual machine", "虚拟机"),
    ("cluster node", "群集节点"),
    ("storage pool", "存储池"),
    ("backup job", "备份作业"),
    ("certificate", "证书"),
    ("service account", "服务账户"),
    ("replication partner", "复制伙伴"),
    ("snapshot", "快照"),
    ("virtual switch", "虚拟交换机"),
    ("quorum witness", "仲裁见证"),
    ("DNS record", "DNS 记录"),
    ("mailbox database", "邮箱数据库"),
    ("update package", "更新包"),
    ("IP address resource", "IP 地址资源"),
    ("shared volume", "共享卷"),
    ("live migration", "实时迁移"),
    ("heartbeat network", "心跳网络"),
    ("disk witness", "磁盘见证"),
    ("file share", "文件共享"),
    ("listener", "侦听器"),
    ("availability group", "可用性组"),
    ("domain controller", "域控制器"),
    ("scheduled task", "计划任务"),
    ("network adapter", "网络适配器"),
    ("virtual hard disk", "虚拟硬盘"),
    ("checkpoint", "检查点"),
    ("integration service", "集成服务"),
    ("firewall rule", "防火墙规则"),
    ("license server", "许可证服务器"),
]
FAILURES = [
    ("failed to come online", "无法联机"),
    ("could not be reached", "无法访问"),
    ("timed out", "超时"),
    ("was denied access", "访问被拒绝"),
    ("is not compatible with the target", "与目标不兼容"),
    ("failed registration", "注册失败"),
    ("is corrupted", "已损坏"),
    ("ran out of space", "空间不足"),
    ("failed to start", "启动失败"),
    ("lost connectivity", "失去连接"),
    ("was removed", "已被删除"),
    ("could not be validated", "无法验证"),
    ("is in a failed state", "处于失败状态"),
    ("stopped responding", "停止响应"),
    ("could not be created", "无法创建"),
]
REASONS = [
    ("the account lacks permissions on the object", "帐户对该对象没有权限"),
    ("the DNS server did not accept the update", "DNS 服务器未接受更新"),
    ("the processor features differ between hosts", "主机之间的处理器功能不同"),
    ("the driver version is out of date", "驱动程序版本已过期"),
    ("the firewall blocks the required port", "防火墙阻止了所需端口"),
    ("the disk signature collides with another disk", "磁盘签名与另一磁盘冲突"),
    ("two adapters share one subnet", "两个适配器位于同一子网"),
    ("the time on the nodes drifted apart", "节点上的时间不同步"),
    ("the certificate expired", "证书已过期"),
    ("the service was stopped by an update", "服务被更新停止"),
]
FIXES = [
    "Grant the cluster name object Full Control on the {subject}.",
    "Restart the {component} service on every node.",
    "Update the {component} driver to the current version and reboot.",
    "Open port {port} in Windows Firewall for the {subject}.",
    "Run `Test-Cluster -Include Network` and correct every warning.",
    "Re-register the {subject} with `ipconfig /registerdns`.",
    "Enable hardware virtualization in the BIOS and power-cycle the host.",
    "Remove the stale {subject} and create it again.",
    "Synchronise the time source with `w32tm /resync`.",
    "Renew the certificate and bind it to the {component} service.",
]
SYLLABLES = [
    "vm",
    "clus",
    "net",
    "ft",
    "sv",
    "rhs",
    "disk",
    "mgmt",
    "stor",
    "repl",
    "sync",
    "host",
    "csv",
    "wmi",
    "rpc",
    "lsa",
    "kdc",
    "wsus",
    "iscsi",
    "mpio",
    "hv",
    "ws",
]
NOISE = [
    "INFO [RCM] rcm::RcmGroup::UpdateStateIfChanged: (Available Storage, Online --> Online)",
    "DBG [NETFTAPI] Signaled NetftRemoteReachable event, local address {ip}:3343",
    "INFO [CS] Starting IM",
    "The Windows Update service entered the running state.",
    "Successfully scheduled Software Protection service for re-start.",
    "The WinHTTP Web Proxy Auto-Discovery Service service entered the stopped state.",
    "INFO [GUM] Node 2: Processing RequestLock 1:{n}",
    'Session "{guid}" started for user {host}\\admin.',
    "Backup of volume C: completed at {n} MB/s.",
    "系统时间已从 {n} 更改为 {n}。",
    "服务控制管理器: Windows Modules Installer 服务进入运行状态。",
]


def _component(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def _host(rng: random.Random) -> str:
    return f"{rng.choice(['SRV', 'NODE', 'HV', 'SQL', 'EX'])}{rng.randint(1, 999):03d}.{rng.choice(['contoso.com', 'corp.local', 'fabrikam.net'])}"


def _guid(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}".upper()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def make_entry(i: int, rng: random.Random) -> tuple[Entry, dict]:
    product, provider = rng.choice(PRODUCTS)
    subject = rng.choice(SUBJECTS)
    failure = rng.choice(FAILURES)
    reason = rng.choice(REASONS)
    component = _component(rng)
    event_id = rng.randint(1000, 9999)
    code = f"0x{rng.choice([0x8007, 0x8004, 0xC000, 0x8009]):04x}{rng.getrandbits(16):04x}"
    chinese = rng.random() < 0.33
    name = f"{component.upper()}{rng.randint(1, 99)}"
    if chinese:
        message = f"{subject[1]}“{name}”{failure[1]}，原因是{reason[1]}。组件 {component} 返回错误 {code}。"
        title = f"{product}: {subject[1]}{failure[1]} ({component})"
        symptom = f"事件 {event_id} ({provider}):\n\n```\n{message}\n```"
        cause = f"{reason[1]}。"
        phrase = failure[1] + "，原因是" + reason[1]
    else:
        message = (
            f"The {subject[0]} '{name}' {failure[0]} because {reason[0]}. "
            f"The {component} component returned error {code}."
        )
        title = f"{product}: {subject[0]} {failure[0]} ({component})"
        symptom = f"Event {event_id} from {provider}:\n\n```\n{message}\n```"
        cause = reason[0].capitalize() + "."
        phrase = f"{failure[0]} because {reason[0]}"
    steps = rng.sample(FIXES, 3)
    fix = "\n".join(
        f"{n}. " + s.format(subject=subject[0], component=component, port=rng.randint(1024, 65000))
        for n, s in enumerate(steps, 1)
    )
    rules = [
        {
            "name": "event-and-text",
            "weight": 0.95,
            "all": [{"event": {"id": event_id, "source": provider}}, {"phrase": phrase}],
        },
        {
            "name": "component-code",
            "weight": 0.8,
            "any": [{"code": code}, {"regex": rf"\b{component}\b.{{0,40}}{code}"}],
        },
        {"name": "product-text", "weight": 0.6, "all": [{"product": product}, {"phrase": phrase}]},
    ]
    entry = Entry(
        id=f"synthetic-{i:06d}",
        title=title,
        kind="troubleshooting",
        language="zh" if chinese else "en",
        products=(product,),
        tags=(subject[0].split()[0], component),
        signatures=Signatures(
            messages=(message,), events=(EventSignature(event_id, provider),), codes=(code,)
        ),
        rules=tuple(rules),
        sections=(("Symptom", symptom), ("Cause", cause), ("Fix", fix)),
        owner="writer",
    )
    paste_facts = {
        "event_id": event_id,
        "provider": provider,
        "message": message,
        "name": name,
        "chinese": chinese,
    }
    return entry, paste_facts


def synthetic_glossary() -> str:
    """The shipped glossary plus the synthetic products it lacks, so that every synthetic
    entry passes `kb lint` (a server serves only entries that do)."""
    import yaml

    from engine.glossary import fold

    text = (Path(__file__).resolve().parents[1] / "kb" / "glossary.yaml").read_text(
        encoding="utf-8"
    )
    data = yaml.safe_load(text)
    known = {fold(p["name"]) for p in data["products"]}
    known |= {fold(a) for p in data["products"] for a in p.get("aliases") or ()}
    missing = [name for name, _source in PRODUCTS if fold(name) not in known]
    head, tail = text.split("\nterms:", 1)
    extra = "".join(f"  - name: {name}\n" for name in missing)
    return f"{head.rstrip()}\n{extra}\nterms:{tail}"


def make_kb(n: int, out: Path, seed: int = 7) -> list[dict]:
    """Write *n* entries under *out* (and the shipped glossary); return the paste material."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    (out / "glossary.yaml").write_text(synthetic_glossary(), encoding="utf-8")
    material = []
    for i in range(n):
        entry, facts = make_entry(i, rng)
        write_atomic(out / f"{entry.id}.md", render_entry(entry))
        facts["id"] = entry.id
        material.append(facts)
    return material


def make_paste(facts: dict, rng: random.Random, words: int = 300) -> str:
    """An Event Viewer export of the entry's event, buried in log noise, with fresh names."""
    other_name = f"{rng.choice(['APP', 'WEB', 'CL'])}{rng.randint(100, 999)}"
    message = facts["message"].replace(facts["name"], other_name)
    event = (
        f"Log Name:      System\nSource:        {facts['provider']}\nDate:          "
        f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/2024 {rng.randint(1, 12)}:{rng.randint(10, 59)}:{rng.randint(10, 59)} PM\n"
        f"Event ID:      {facts['event_id']}\nLevel:         Error\nComputer:      {_host(rng)}\n"
        f"Description:\n{message}"
    )
    lines = []
    while sum(len(l.split()) for l in lines) < words:
        line = rng.choice(NOISE).format(
            ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
            n=rng.randint(1, 99999),
            guid=_guid(rng),
            host=_host(rng),
        )
        lines.append(
            f"{rng.randint(2020, 2024)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 1{rng.randint(0, 9)}:2{rng.randint(0, 9)}:3{rng.randint(0, 9)} {line}"
        )
    cut = rng.randint(0, len(lines))
    return "\n".join(lines[:cut] + [event] + lines[cut:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    make_kb(args.entries, args.out, args.seed)
    print(f"wrote {args.entries} entries to {args.out}")


def material(size: int) -> list[dict]:
    """The facts of the synthetic KB's entries (seed 7, as make_kb writes them), each with its
    id: what the benches make their pastes from."""
    rng = random.Random(7)
    out = []
    for i in range(size):
        facts = make_entry(i, rng)[1]
        facts["id"] = f"synthetic-{i:06d}"
        out.append(facts)
    return out


if __name__ == "__main__":
    main()
