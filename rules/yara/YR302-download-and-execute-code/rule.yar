// Code fetched over the network and executed in one expression: exec(requests.get(u).text), or a
// Python process call that pipes curl/wget into a shell or interpreter.
rule YR302_download_and_execute_code
{
  meta:
    id = "YR302"
    severity = "critical"
    cwe = "494, 94"
    description = "Executes code fetched from the network"

  strings:
    $exec_fetch = /[^.\w](exec|eval)\s*\(\s*[^\n]{0,40}(requests\.get|urlopen|httpx\.get|urllib2\.urlopen|\.get)\([^\n]{0,200}(\.text\b|\.content\b|\.read\(\))/
    $pipe_to_shell = /(os\.system|os\.popen|subprocess\.(Popen|run|call|check_call|check_output|getoutput))\(\s*[^\n]{0,200}\b(curl|wget)\s[^\n|]{0,200}\|\s*(sudo\s+)?((ba|z|da)?sh|python[0-9.]*)\b/
    $sh_c_fetch = /(os\.system|os\.popen|subprocess\.(Popen|run|call|check_call|check_output|getoutput))\(\s*[^\n]{0,80}((ba|z)?sh|python[0-9.]*)\s+-c\s+['"]?\$\((curl|wget)\s/

  condition:
    filesize < 8MB and any of them
}
