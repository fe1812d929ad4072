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
    $probe_dmi = /\/sys\/class\/dmi\/id\/(product_name|sys_vendor|board_vendor|bios_vendor)/
    $probe_wmic = /(wmic|WMIC) +(computersystem|bios|baseboard|COMPUTERSYSTEM|BIOS)/
    $probe_virt = "systemd-detect-virt"
    $probe_wmi = "Win32_ComputerSystem"
    $probe_scsi = "/proc/scsi/scsi"
    $probe_dbg = "IsDebuggerPresent"
    $vbox = /VirtualBox|VBOX|vboxguest|VBoxService/ private
    $vmware = /VMware|VMWARE|vmware|vmtoolsd/ private
    $qemu = /QEMU|KVMKVMKVM/ private
    $hyperv = /Hyper-V|Microsoft Hv/ private
    $parallels = "Parallels" private
    $sandbox = /[Ss]andboxie|SbieDll|[Cc]uckoo|[Jj]oe ?[Ss]andbox|wine_get_unix_file_name/ private
    $exit_sys = "sys.exit(" private
    $exit_os = "os._exit(" private
    $exit_raise = "raise SystemExit" private

  condition:
    filesize < 4MB and any of ($probe_*) and 2 of ($vbox, $vmware, $qemu, $hyperv, $parallels, $sandbox) and
    any of ($exit_*)
}
