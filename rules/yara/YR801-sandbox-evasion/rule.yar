// Virtual-machine and sandbox detection that changes behaviour: a host probe, two product markers
// and an early exit. Never above low: the study's YARA run drowned in exactly these signatures, and
// alone they do no harm; they only make other findings more credible.
rule YR801_sandbox_evasion
{
  meta:
    id = "YR801"
    severity = "low"
    cwe = "506"
    description = "Probes for a virtual machine or sandbox and exits when found"

  strings:
    $probe = /\/sys\/class\/dmi\/id\/(product_name|sys_vendor|board_vendor|bios_vendor)|wmic\s+(computersystem|bios|baseboard)|systemd-detect-virt|Win32_ComputerSystem|\/proc\/scsi\/scsi|IsDebuggerPresent|CheckRemoteDebuggerPresent/ nocase
    $vbox = /VirtualBox|VBOX|vboxguest|VBoxService/ private
    $vmware = /VMware|vmtoolsd/ nocase private
    $qemu = /QEMU|KVMKVMKVM/ private
    $hyperv = /Hyper-V|Microsoft Hv/ private
    $parallels = "Parallels" private
    $sandbox = /sandboxie|SbieDll|cuckoo|joesandbox|any\.run|wine_get_unix_file_name/ nocase private
    $exit = /sys\.exit\(|os\._exit\(|[^.\w]quit\(\)|[^.\w]exit\(\)|raise\s+SystemExit/ private

  condition:
    filesize < 4MB and $probe and 2 of ($vbox, $vmware, $qemu, $hyperv, $parallels, $sandbox) and $exit
}
