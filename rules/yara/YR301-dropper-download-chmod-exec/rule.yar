// Download, make executable, run: the three steps of a dropper in one file. Weight downloaders
// fetch and write but never set execute bits; build helpers run tools but do not download them.
rule YR301_dropper_download_chmod_exec
{
  meta:
    id = "YR301"
    severity = "high"
    cwe = "494, 506"
    description = "Downloads a file, makes it executable and runs a process (dropper)"

  strings:
    $dl_py0 = "urlretrieve("
    $dl_py1 = "urlopen("
    $dl_py2 = "requests.get("
    $dl_py3 = "requests.request("
    $dl_py4 = "httpx.get("
    $dl_py5 = ".download_file("
    $dl_py6 = "wget.download("
    $dl_sh = /\b(curl|wget)\s[^\n]{0,160}(\s-o\s|\s-O\s?|--output)/

    $chmod_py = /chmod\([^)\n]{0,160}(0o?[75][0-7][0-7]\b|S_IX(USR|GRP|OTH)|S_IEXEC|S_IRWXU|0o?[0-7]*[1357]\)|\+\s*0o?111|\|\s*0o?111)/
    $chmod_mode = /st_mode\s*\|\s*(stat\.)?S_I(X(USR|GRP|OTH)|EXEC)/
    $chmod_sh = /chmod\s+(-R\s+)?([ugoa]*\+[rw]*x|[0-7]?[75][0-7][0-7])\s/

    $run_py0 = "subprocess.Popen(" private
    $run_py1 = "subprocess.run(" private
    $run_py2 = "subprocess.call(" private
    $run_py3 = "subprocess.check_call(" private
    $run_py4 = "subprocess.check_output(" private
    $run_py5 = "os.system(" private
    $run_py6 = "os.popen(" private
    $run_py7 = "os.execv" private
    $run_py8 = "os.execl" private
    $run_py9 = "os.spawnv" private
    $run_py10 = "os.spawnl" private
    $run_py11 = "os.startfile(" private
    $run_py12 = "os.posix_spawn" private
    $run_sh = /(\n|&&|;)\s*(nohup\s+)?(\/tmp\/|\/dev\/shm\/|\/var\/tmp\/)[\w.\-]+|&& \.\/[\w.\-]+|; \.\/[\w.\-]+/ private

  condition:
    filesize < 8MB and any of ($dl_py*, $dl_sh) and any of ($chmod_py, $chmod_mode, $chmod_sh) and any of ($run_py*, $run_sh)
}
