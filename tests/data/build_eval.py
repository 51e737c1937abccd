"""Builds tests/data/eval.jsonl, the labelled set: python tests/data/build_eval.py (deterministic)."""

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the shared pastes
from samples import EVENT_1196

DNS1 = "cluster-name-resource-failed-registeration-in-dns"
DNS2 = "cluster-name-resource-failed-registeration-in-dns-scenario-2"
CONV = "vcenter-converter-network-error"
CPU = "unknown-processor-error-when-performing-live-migration-on"
CPUCOMPAT = "unknown-processor-error-when-performing-live-migration-on-processor-compatibility"
AMD = "hyper-v-live-migration-step-by-step-perform-live-migration-host-amd"
ISCSI3 = "hyper-v-live-migration-step-by-step-open-source-iscsi-targets-openfiler"
EXTNET = "hyper-v-live-migration-step-by-step-sure-external-network-connection-named"
OFFSAVED = "hyper-v-live-migration-step-by-step-vm-running-perform-operation"
LMGUIDE = "hyper-v-live-migration-step-by-step"
MIGFAIL = "microsoft-hyper-v-server-2008-r2-with-failover-cluster-migration-attempt-failed"
RVM = "microsoft-hyper-v-server-2008-r2-with-failover-cluster-remote-volume-management"
HVSGUIDE = "microsoft-hyper-v-server-2008-r2-with-failover-cluster"
SUBNET = "windows-server-2008-failover-clusters-networking-cluster-validation-process-register"
TEAM = "windows-server-2008-failover-clusters-networking-nic-teaming-not-supported-iscsi"
BIND = "windows-server-2008-failover-clusters-networking-see-adapter-listed-top-binding"
CONN = "windows-server-2008-failover-clusters-networking-troubleshooting-cluster-networking"
SPOF = "windows-server-2008-failover-clusters-networking-cluster-communications-cannot-proceed"
NETGUIDE = "windows-server-2008-failover-clusters-networking"
VADAPT = "microsoft-failover-cluster-virtual-adapter-disable-the-microsoft-failover-cluster"
VAGUIDE = "microsoft-failover-cluster-virtual-adapter"
SINGLENIC = "hyper-v-v2-guest-only-external-networks-add-roles-wizard-single-nic"
V2GUIDE = "hyper-v-v2-guest-only-external-networks-add-roles-wizard"
EXIP = "changing-the-ip-address-of-an-exchange-cluster"
EXIPNET = "changing-the-ip-address-of-an-exchange-cluster-network-not-listed"
VMX = "using-vm-explorer-backup-and-manage-vmware-esx-virtual"

rng = random.Random(20261126)
NOISE_EN = [
    "{t} INFO [RCM] rcm::RcmGroup::UpdateStateIfChanged: (Available Storage, Online --> Online)",
    "{t} INFO [GUM] Node 2: Processing RequestLock 1:{n}",
    "{t} DBG [NETFTAPI] Signaled NetftRemoteReachable event, local address {ip}:003853 remote address {ip2}:003853",
    "{t} INFO [CS] Service Control Manager reported the service is running",
    "{t} The Windows Modules Installer service entered the running state.",
    "{t} The WinHTTP Web Proxy Auto-Discovery Service service entered the stopped state.",
    "{t} Successfully scheduled Software Protection service for re-start at {t2}.",
    "{t} The description for Event ID {n2} from source Service Control Manager cannot be found.",
    "{t} Backup of volume C: on {host} completed, {n} MB transferred.",
    "{t} User CONTOSO\\\\admin{n2} logged on from {ip}.",
    "{t} Group Policy settings for the computer were processed successfully.",
    "{t} INFO [NM] Received request from client address {ip}.",
]
NOISE_ZH = [
    "{t} 信息 服务控制管理器: Windows Modules Installer 服务处于 正在运行 状态。",
    "{t} 信息 系统时间已从 {t2} 更改为 {t}。",
    "{t} 信息 组策略已成功处理计算机的设置。",
    "{t} 信息 用户 CONTOSO\\\\admin{n2} 从 {ip} 登录。",
    "{t} 信息 备份卷 C: 完成，传输 {n} MB。",
]


def ts():
    return f"2024-0{rng.randint(1, 9)}-{rng.randint(10, 28)} {rng.randint(10, 23)}:{rng.randint(10, 59)}:{rng.randint(10, 59)}"


def noise(lines, zh=False):
    pool = NOISE_ZH + NOISE_EN[:4] if zh else NOISE_EN
    out = []
    for _ in range(lines):
        out.append(
            rng.choice(pool).format(
                t=ts(),
                t2=ts(),
                n=rng.randint(100, 99999),
                n2=rng.randint(1, 999),
                ip=f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                ip2=f"172.16.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
                host=f"SRV{rng.randint(1, 99):02d}.contoso.local",
            )
        )
    return out


def bury(text, before=12, after=12, zh=False):
    return "\n".join(noise(before, zh) + text.split("\n") + noise(after, zh))


cases = []


def add(kind, expect, text):
    cases.append(
        {"kind": kind, "expect": expect if isinstance(expect, list) else [expect], "text": text}
    )


# ---------------------------------------------------------------- event 1196, scenario 1
add("verbatim", DNS1, EVENT_1196)
add(
    "verbatim",
    DNS1,
    "Cluster network name resource 'SQL Network Name (VirutalClusterName)' failed registration of one or more associated DNS name(s) for the following reason:\nDNS signature failed to verify.",
)
add(
    "paraphrase",
    DNS1,
    "Cluster network name resource 'Cluster Name' failed registration of one or more associated DNS name(s) for the following reason:\nDNS operation refused.\n\nEnsure that the network adapters associated with dependent IP address resources are configured with at least one accessible DNS server.",
)
add(
    "paraphrase",
    DNS1,
    "Event 1196 FailoverClustering: Cluster network name resource 'FS-CLU' failed registration of one or more associated DNS name(s) for the following reason: Access is denied.",
)
add(
    "paraphrase",
    DNS1,
    """<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><Provider Name="Microsoft-Windows-FailoverClustering" Guid="{BAF908EA-3421-4CA9-9B84-6689B8C6F85F}" /><EventID>1196</EventID><Level>2</Level><Task>19</Task><TimeCreated SystemTime="2013-05-02T08:11:37.223Z" /><Computer>hv01.fabrikam.com</Computer></System><EventData><Data Name="ResourceName">Cluster Name</Data><Data Name="DnsName">HVCLUSTER</Data><Data Name="ErrorCode">9017</Data><Data Name="ErrorMessage">DNS bad key.</Data></EventData></Event>""",
)
add(
    "noisy",
    DNS1,
    bury(
        EVENT_1196.replace("SQLVS01", "EXCLU02").replace(
            "NODE1.corp.contoso.com", "EXNODE2.fabrikam.local"
        )
    ),
)
add(
    "noisy",
    DNS1,
    bury(
        "ERROR [RES] Network Name <Cluster Name>: Unable to update password for computer account / DNS registration failed with DNS signature failed to verify. Event ID 1196",
        20,
        20,
    ),
)
add(
    "cross-language",
    DNS1,
    "事件 ID: 1196\n来源: Microsoft-Windows-FailoverClustering\n群集网络名称资源“SQL Network Name (SQLVS01)”注册一个或多个相关联的 DNS 名称失败。原因如下:\nDNS 签名验证失败。",
)
add(
    "question",
    DNS1,
    "Our SQL cluster keeps logging event 1196 that the DNS signature failed to verify - how do I let the cluster name update its DNS record?",
)
add(
    "question",
    [DNS1, DNS2],
    "Windows cluster name won't register in DNS, event 1196, what should I do?",
)
add(
    "question",
    DNS1,
    "cluster network name can't update its A record in DNS after failover, secure dynamic update refused",
)

# ---------------------------------------------------------------- event 1196, scenario 2
ev1196zh = """日志名称:      System
来源:          Microsoft-Windows-FailoverClustering
日期:          2012/3/14 9:02:11
事件 ID:       1196
任务类别:      网络名称资源
级别:          错误
计算机:        NODE2.corp.contoso.com
描述:
群集网络名称资源“群集名称”注册一个或多个相关联的 DNS 名称失败。原因如下:
DNS 服务器失败。

请确保与从属 IP 地址相关联的网络适配器已配置为至少可以访问一个 DNS 服务器。"""
add("verbatim", DNS2, ev1196zh)
add(
    "verbatim",
    DNS2,
    "群集网络名称资源“群集名称”注册一个或多个相关联的 DNS 名称失败。原因如下:\nDNS 服务器失败。",
)
add("noisy", DNS2, bury(ev1196zh.replace("NODE2", "HVN3"), 15, 10, zh=True))
add(
    "cross-language",
    DNS2,
    "Event ID 1196: Cluster network name resource 'Cluster Name' failed registration of one or more associated DNS name(s) for the following reason:\nDNS server failure.\n\nEnsure that the network adapters associated with dependent IP address resources are configured with at least one accessible DNS server.",
)
add(
    "paraphrase",
    DNS2,
    "Cluster network name resource 'FileServer01' failed registration of one or more associated DNS name(s) for the following reason: This operation returned because the timeout period expired. (event 1196)",
)
add("question", DNS2, "群集名称注册 DNS 失败，事件 1196 提示 DNS 服务器失败，怎么处理？")

# ---------------------------------------------------------------- Converter
conv_zh = """---------------------------
VMware vCenter Converter
---------------------------
出现错误。此错误的原因可能由网络连接故障所致。
向导将立即关闭。
请检查网络连接并重试。
---------------------------
确定
---------------------------"""
add("verbatim", CONV, conv_zh)
add("verbatim", CONV, "出现错误。此错误的原因可能由网络连接故障所致。\n向导将立即关闭。")
add(
    "cross-language",
    CONV,
    "VMware vCenter Converter Standalone\n\nAn error occurred. The error may have been caused by a network connection failure.\nThe wizard will now close.\nPlease check your network connection and try again.\n\nOK",
)
add(
    "paraphrase",
    CONV,
    "VMware Converter: An error occurred. This error might be caused by a network connectivity failure. The wizard will close. Check the network connection and try again.",
)
add(
    "noisy",
    CONV,
    bury(
        "[2012-02-03 03:20:11.894 02372 error 'App'] Wizard error dialog: 出现错误。此错误的原因可能由网络连接故障所致。向导将立即关闭。",
        10,
        8,
        zh=True,
    ),
)
add(
    "question",
    CONV,
    "P2V with vCenter Converter fails right away saying there was a network connection failure and the wizard closes, even though the network is fine",
)
add("question", CONV, "vCenter Converter 导入计算机时提示网络连接故障，向导关闭，怎么办？")
add(
    "cross-language",
    CONV,
    "Converter import wizard closes: network connection failure error. Which services should I restart?",
)

# ---------------------------------------------------------------- Unknown processor
cpu_en = """There was an error checking for virtual machine compatibility on the target node

The virtual machine 'WEB01' is not compatible with the target node 'HV02.contoso.com'.
Hyper-V has detected that:
The virtual machine 'WEB01' is not compatible with physical computer 'HV02'. (Virtual machine ID 6F2A1C3B-1D2E-4F50-9A8B-7C6D5E4F3A2B)

The virtual machine 'WEB01' is currently using an Intel processor, but physical computer 'HV02' has an Unknown processor. A running or saved virtual machine cannot be migrated to a physical computer that has a processor from a different vendor. However, you can move the virtual machine to this node if you shut down the virtual machine. (Virtual machine ID 6F2A1C3B-1D2E-4F50-9A8B-7C6D5E4F3A2B)"""
cpu_zh = """[Window Title]
错误

[Main Instruction]
检查目标节点上的虚拟机兼容性时出错

[Content]
虚拟机“APP03”与目标节点“node2.fabrikam.com”不兼容。

虚拟机“APP03”与物理计算机“NODE2”不兼容。(虚拟机 ID 0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9)

虚拟机“APP03”当前正在使用 Intel 处理器，但物理计算机“NODE2”具有的处理器为 未知。如果虚拟机和物理计算机的处理器来自不同的供应商，则无法将正在运行或已保存的虚拟机迁移到物理计算机。但如果关闭了该虚拟机，则可以将其移动到此节点。(虚拟机 ID 0A1B2C3D-4E5F-6071-8293-A4B5C6D7E8F9)

[确定]"""
add("verbatim", CPU, cpu_en)
add("verbatim", CPU, cpu_zh)
add(
    "paraphrase",
    CPU,
    "Live migration of 'Virtual Machine DC02' failed. The virtual machine 'DC02' is currently using an AMD processor, but physical computer 'HOST-B' has an Unknown processor.",
)
add("noisy", CPU, bury(cpu_en.replace("WEB01", "SQL22"), 10, 15))
add(
    "cross-language",
    CPU,
    "虚拟机实时迁移失败：目标节点的处理器显示为未知 (unknown processor)，Hyper-V 提示无法迁移正在运行的虚拟机",
)
add(
    "cross-language",
    CPU,
    "The virtual machine 'X' is currently using an Intel processor, but physical computer 'NODE140' has an Unknown processor - 检查目标节点上的虚拟机兼容性时出错",
)
add(
    "question",
    CPU,
    "Why does Hyper-V say the target node has an Unknown processor when I live migrate? Both nodes have the same Intel CPUs",
)
add(
    "question",
    CPU,
    "live migration fails with unknown processor after a BIOS update on the second node",
)
add(
    "paraphrase",
    CPUCOMPAT,
    "There was an error checking for virtual machine compatibility on the target node. The virtual machine 'WEB01' is using processor-specific features not supported on physical computer 'HV03'.",
)
add(
    "question",
    CPUCOMPAT,
    "How can I live migrate between hosts with different generations of Intel processors? It says processor-specific features are not supported",
)

# ---------------------------------------------------------------- AMD / Intel
add(
    "paraphrase",
    AMD,
    "The virtual machine 'SQL01' is currently using an AMD processor, but physical computer 'HVNEW01' has an Intel processor. A running or saved virtual machine cannot be migrated to a physical computer that has a processor from a different vendor.",
)
add(
    "question",
    AMD,
    "Can I live-migrate virtual machines between an AMD Opteron Hyper-V host and an Intel Xeon host in the same cluster?",
)

# ---------------------------------------------------------------- Migration attempt failed / virtual network names
add("verbatim", MIGFAIL, "Migration attempt failed")
add(
    "paraphrase",
    [MIGFAIL, EXTNET],
    "Failover Cluster Manager: Live migration of 'Virtual Machine APP01' failed. Migration attempt failed. The virtual machine could not be live migrated to virtual machine host 'HV2'.",
)
add(
    "noisy",
    [MIGFAIL, EXTNET],
    bury("Error: Migration attempt failed for Virtual Machine FS01 (no further details)", 12, 12),
)
add(
    "question",
    [MIGFAIL, EXTNET],
    "Hyper-V Server 2008 R2 cluster: every live migration ends with Migration attempt failed and no reason given",
)
add(
    "question",
    [EXTNET, MIGFAIL],
    "Live migration fails because the external virtual network has a different name on the second Hyper-V node",
)
add(
    "paraphrase",
    [EXTNET, MIGFAIL],
    "'Virtual Machine WEB02' live migration did not succeed at the destination. Could not find Ethernet switch 'External Virtual Network' on the destination host.",
)
add(
    "cross-language",
    [MIGFAIL, EXTNET],
    "故障转移群集管理器：迁移尝试失败，虚拟机无法实时迁移到另一个节点",
)

# ---------------------------------------------------------------- Remote Volume Management / VDS
add(
    "verbatim",
    RVM,
    "Disk Management could not start Virtual Disk Service (VDS) on HVCORE01. This can happen if the remote computer does not support VDS, or if a connection cannot be established because it was blocked by Windows Firewall.",
)
add(
    "cross-language",
    RVM,
    "磁盘管理无法在 HVCORE01 上启动虚拟磁盘服务(VDS)。如果远程计算机不支持 VDS，或者由于 Windows 防火墙阻止而无法建立连接，则可能发生这种情况。",
)
add(
    "question",
    RVM,
    "I can't manage the disks of our Server Core Hyper-V host remotely with Disk Management, the VDS service stops when I connect",
)
add(
    "question",
    RVM,
    "How do I enable Remote Volume Management in the firewall of Hyper-V Server 2008 R2?",
)

# ---------------------------------------------------------------- networking statements
add(
    "paraphrase",
    SUBNET,
    "Validate Network Communication - Warning: Network interfaces NODE1 - LAN1 and NODE1 - LAN2 are on the same cluster network, a situation where the node may use only one of them.",
)
add(
    "question",
    SUBNET,
    "Cluster validation warning: two network adapters on the same node are configured on the same subnet. Is that a problem?",
)
add(
    "question",
    TEAM,
    "Is NIC teaming supported for the iSCSI connections of a Windows Server 2008 failover cluster?",
)
add(
    "question",
    BIND,
    "An old application cannot connect to the clustered file server; nvspbind shows the Failover Cluster Virtual Adapter at the top of the binding order",
)
add(
    "paraphrase",
    SPOF,
    "Validate Network Communication: Node node1.contoso.com is reachable from Node node2.contoso.com by only one pair of network interfaces. It is possible that this network path is a single point of failure for communication within the cluster.",
)

ev1135 = """Log Name:      System
Source:        Microsoft-Windows-FailoverClustering
Event ID:      1135
Task Category: Node Mgr
Level:         Critical
Description:
Cluster node 'HV03' was removed from the active failover cluster membership. The Cluster service on this node may have stopped. This could also be due to the node having lost communication with other active nodes in the failover cluster. Run the Validate a Configuration wizard to check your network configuration. If the condition persists, check for hardware or software errors related to the network adapters on this node. Also check for failures in any other network components to which the node is connected such as hubs, switches, or bridges."""
add("verbatim", CONN, ev1135)
add("noisy", CONN, bury(ev1135.replace("HV03", "SQLN2"), 15, 15))
add(
    "paraphrase",
    CONN,
    "Event 1127: Cluster network interface 'NODE1 - Heartbeat' for cluster node 'NODE1' on network 'Heartbeat' failed. Run the Validate a Configuration wizard to check your network configuration.",
)
add(
    "paraphrase",
    CONN,
    "Cluster network 'Cluster Network 2' is partitioned. Some attached failover cluster nodes cannot communicate with each other over the network. The failover cluster was not able to determine the location of the failure.",
)
add(
    "cross-language",
    CONN,
    "事件 ID 1135：群集节点“NODE2”已从活动故障转移群集成员中删除。此节点上的群集服务可能已停止。",
)
add(
    "question",
    CONN,
    "One node keeps dropping out of our Windows 2008 failover cluster because it loses communication with the other nodes. What should I check?",
)

# ---------------------------------------------------------------- virtual adapter
add(
    "question",
    VADAPT,
    "I disabled the Microsoft Failover Cluster Virtual Adapter on a node and now the cluster service fails",
)
add(
    "question",
    VADAPT,
    "Cluster validation fails after we deployed the nodes from a Sysprep image with the Failover Clustering feature already installed",
)
add(
    "question",
    [VAGUIDE, VADAPT],
    "What is the hidden Microsoft Failover Cluster Virtual Adapter I see in ipconfig /all on my cluster node?",
)

# ---------------------------------------------------------------- persistent reservations
add(
    "paraphrase",
    ISCSI3,
    "Validate SCSI-3 Persistent Reservation: Test failed. Failed to register the persistent reservation on disk 1 of the OpenFiler iSCSI target from node NODE2.",
)
add(
    "question",
    ISCSI3,
    "Can I use OpenFiler as the iSCSI target for a Hyper-V live migration cluster?",
)

# ---------------------------------------------------------------- off or saved
add(
    "question",
    OFFSAVED,
    "The High Availability wizard fails to make my virtual machine highly available while the VM is running",
)

# ---------------------------------------------------------------- add roles wizard
add(
    "question",
    SINGLENIC,
    "Hyper-V Add Roles Wizard on Server 2008 R2: the Create Virtual Networks page is greyed out because the server has only one network adapter",
)

# ---------------------------------------------------------------- guides and how-to questions
add(
    "question",
    [EXIP, EXIPNET],
    "How do I change the IP address of an Exchange 2007 cluster running on Windows Server 2008?",
)
add(
    "question",
    [EXIPNET, EXIP],
    "After changing the node IP addresses the new subnet does not show up in the Network drop-down of the cluster IP address resource",
)
add(
    "question",
    [LMGUIDE],
    "Step by step: how do I set up Hyper-V live migration with Cluster Shared Volumes on Windows Server 2008 R2?",
)
add(
    "question",
    [HVSGUIDE],
    "How do I install the failover cluster feature on the free Hyper-V Server 2008 R2 core edition?",
)
add("question", [VMX], "如何使用 VM Explorer 备份 ESX 虚拟机？")
add(
    "question",
    [VMX],
    "Is there a free tool to back up VMware ESXi virtual machines while they are running, like TriLead VM Explorer?",
)
add(
    "question",
    [NETGUIDE, CONN],
    "What changed in the heartbeat mechanism of Windows Server 2008 failover cluster networking (SameSubnetDelay, CrossSubnetThreshold)?",
)
add("question", [V2GUIDE, SINGLENIC], "What is a guest only external network in Hyper-V R2?")

# ---------------------------------------------------------------- uncovered errors: nothing should be confident
UNCOVERED = [
    "Outlook cannot connect to Microsoft Exchange. The connection to Microsoft Exchange is unavailable. Outlook must be online or connected to complete this action.",
    "Event ID: 1069\nSource: Microsoft-Windows-FailoverClustering\nCluster resource 'Cluster Disk 2' of type 'Physical Disk' in clustered role 'SQL Server (MSSQLSERVER)' failed.",
    "Event ID 1205: The Cluster service failed to bring clustered service or application 'FileServer' completely online or offline. One or more resources may be in a failed state.",
    "Event 1177: The Cluster service is shutting down because quorum was lost. This could be due to the loss of network connectivity between some or all nodes in the cluster, or a failover of the witness disk.",
    "Login failed for user 'sa'. Reason: Password did not match that for the login provided. [CLIENT: 10.1.2.3] Error: 18456, Severity: 14, State: 8.",
    "The printer 'HP LaserJet 4250 PCL6' is offline. Windows cannot connect to the printer. Operation failed with error 0x00000709.",
    "Windows Update failed to install: Security Update for Windows Server 2008 R2 (KB2506212) Error 0x80070643",
    "The remote computer requires Network Level Authentication, which your computer does not support.",
    "'VM01' failed to start. (Virtual machine ID 4B1C...) 'VM01' could not initialize. Not enough memory in the system to start the virtual machine VM01. (0x8007000E)",
    "Event ID 7034: The Print Spooler service terminated unexpectedly. It has done this 3 time(s).",
    "The DNS server was unable to load the zone contoso.com from Active Directory. Event ID 4013: The DNS server is waiting for Active Directory Domain Services (AD DS) to signal that the initial synchronization of the directory has been completed.",
    "VMware vCenter Converter Standalone: Unable to obtain hardware information for the selected machine.",
    "FAILED: A general system error occurred: Unknown internal error. (vCenter Converter conversion job at 97%)",
    "The operation is not allowed in the current state. (vSphere Client, power on virtual machine on ESXi 5.5)",
    "Event ID 1311: The Knowledge Consistency Checker (KCC) has detected problems with the following directory partition. There is insufficient site connectivity information for generating a spanning tree replication topology.",
    "Volume Shadow Copy Service error: Unexpected error calling routine CoCreateInstance. hr = 0x80040154, Class not registered.",
    "Event 55: The file system structure on the disk is corrupt and unusable. Please run the chkdsk utility on the volume C:.",
    "STOP 0x0000007E (0xC0000005, 0xF7A9C6F3, 0xF7B4B6A0, 0xF7B4B39C) SYSTEM_THREAD_EXCEPTION_NOT_HANDLED",
    "The trust relationship between this workstation and the primary domain failed.",
    "Exchange 2010: The Microsoft Exchange Information Store service could not find the specified object. ID no: 8004010f-0481-00000000",
    "Hyper-V: 'VM02' failed to create a checkpoint. The system cannot find the file specified. (0x80070002)",
    "DHCP Server Event ID 1046: The DHCP/BINL service on the local machine, belonging to the Windows Administrative domain contoso.com, has determined that it is not authorized to start.",
    "Cluster Shared Volume 'Volume1' ('Cluster Disk 1') is no longer available on this node because of 'STATUS_IO_TIMEOUT(c00000b5)'. All I/O will temporarily be queued until a path to the volume is reestablished.",
    "The VMware Tools service failed to start: Error 1053: The service did not respond to the start or control request in a timely fashion.",
    "无法连接到打印机。操作失败，错误为 0x0000011b。",
    "此工作站和主域间的信任关系失败。",
    "Windows 更新安装失败，错误代码 0x80073712。",
    "远程桌面无法连接到远程计算机：远程计算机需要网络级别身份验证。",
    "事件 ID 1069：群集资源“群集磁盘 2”(类型为“物理磁盘”)在群集角色“SQL Server”中失败。",
    "SQL Server 登录失败：用户 'sa' 登录失败。错误: 18456",
    "My laptop battery drains quickly after the last update",
    "How do I reset a user's password in Active Directory?",
    "Excel crashes when opening a file from SharePoint",
]
for text in UNCOVERED:
    add("uncovered", [], text)

with open(
    __import__("pathlib").Path(__file__).with_name("eval.jsonl"), "w", encoding="utf-8"
) as fh:
    fh.writelines(
        json.dumps(
            {"text": case["text"], "expect": case["expect"], "kind": case["kind"]},
            ensure_ascii=False,
        )
        + "\n"
        for case in cases
    )
kinds = {}
for c in cases:
    kinds[c["kind"]] = kinds.get(c["kind"], 0) + 1
print(len(cases), kinds)
