// Shell reverse-shell one-liners, wherever they sit: a .sh file, a string a Python file hands to
// os.system, a YAML value. Each string is itself the combination (shell + redirect to a socket).
rule YR102_reverse_shell_command
{
  meta:
    id = "YR102"
    severity = "critical"
    cwe = "506"
    description = "Shell command that connects a shell to a remote socket (reverse shell one-liner)"

  strings:
    $bash_i = /(ba|z|k)?sh\s+-i\s+[0-9]?>&\s*\/dev\/(tcp|udp)\//
    $dev_tcp_fd = /exec\s+[0-9]+<>\s*\/dev\/(tcp|udp)\/[^\s\/]+\/[0-9]+/
    $dev_tcp_back = /\/dev\/(tcp|udp)\/[^\s\/]+\/[0-9]+\s+0>&1/
    $nc_e = /\b(nc|ncat|netcat)(\.traditional|\.openbsd)?\s[^\n|;&]{0,80}-[ec]\s+['"]?(\/bin\/|\/usr\/bin\/)?(ba|z|da)?sh\b/
    $mkfifo_nc = /mkfifo\s+\S+[^\n]{0,120}\|\s*(\/bin\/)?(ba|z|da)?sh\s[^\n]{0,40}\|\s*(nc|ncat|netcat)\s/
    $socat = /socat\s[^\n]{0,80}(tcp|ssl|openssl)(4|6)?(-connect)?:[^\n]{0,80}exec:['"]?(\/bin\/)?(ba|z|da)?sh/ nocase
    $py_oneliner = /python[0-9.]*\s+-c\s+['"][^\n]{0,200}socket[^\n]{0,300}(pty\.spawn|dup2\()/

  condition:
    filesize < 16MB and any of them
}
