// A Python reverse shell: a socket that connects out, then a shell wired to it, either by
// dup2-ing the socket over stdin/stdout/stderr, by passing the socket as the shell's stdio, or by a
// receive-run-send loop. Imports and the connect call are context (private); the location is the
// wiring.
rule YR101_reverse_shell_socket_dup2
{
  meta:
    id = "YR101"
    severity = "critical"
    cwe = "506"
    description = "Socket connected out and wired to a shell (reverse shell)"

  strings:
    $sock_new = /socket\.socket\(|[^.\w]socket\(\s*(socket\.)?AF_INET/ private
    $sock_connect = /\.connect(_ex)?\(\s*\(/ private
    $shell = /['"](\/bin\/|\/usr\/bin\/)?(ba|z|da|k)?sh['"]|['"]cmd(\.exe)?['"]|['"]powershell(\.exe)?['"]/ private

    $dup2 = /dup2\(\s*[\w.\[\]]+\.fileno\(\)\s*,\s*(0|1|2|sys\.std(in|out|err)\.fileno\(\))\s*\)/
    $pty = /pty\.spawn\(\s*(\[\s*)?['"](\/bin\/|\/usr\/bin\/)?(ba|z|da)?sh/
    $stdio = /std(in|out)\s*=\s*[\w.\[\]]+\.fileno\(\)/
    $run_recv = /(subprocess\.(Popen|run|check_output|getoutput)|os\.popen|os\.system)\(\s*[\w.\[\]]*\.?recv\(/
    $run_cmd = /(subprocess\.(Popen|run|check_output)|os\.popen)\(\s*[^\n]{0,80}(\.decode\(\)|data|cmd|command)[^\n]{0,80}shell\s*=\s*True/
    $recv = /\.recv\(\s*\d+\s*\)/ private
    $send_back = /\.send(all)?\(\s*[^\n]{0,60}(stdout|stderr|output|result)/ private

  condition:
    filesize < 4MB and $sock_new and $sock_connect and (
      ($dup2 and ($pty or $shell)) or
      ($stdio and $shell) or
      $run_recv or
      ($recv and $run_cmd and $send_back)
    )
}
