// Persistence: writing to a place that runs code again later (cron, shell start-up files, systemd,
// authorized_keys, Python start-up hooks, Windows Run keys, LaunchAgents). Each branch needs the
// location and a write to it, not a mention.
rule YR601_persistence
{
  meta:
    id = "YR601"
    severity = "high"
    cwe = "506"
    description = "Installs itself to run again later (cron, shell rc, systemd, authorized_keys, start-up hooks)"

  strings:
    $cron_pipe = /\|\s*crontab\s+-(\s|['"]|$)/
    $cron_dir = /\/etc\/cron\.(d|hourly|daily|weekly|monthly)\/|\/var\/spool\/cron\/|['"]\/etc\/crontab['"]/
    $cron_write = /open\([^)\n]{0,120}(\/etc\/cron\.d\/|\/var\/spool\/cron\/|\/etc\/crontab)[^)\n]{0,80},\s*['"][aw]|(>>?)\s*\/etc\/cron\.d\/|(>>?)\s*\/var\/spool\/cron\//
    $cron_entry = /@reboot\s|\* \* \* \* \* / private

    $rc_open = /open\([^\n]{0,160}\.(bashrc|bash_profile|bash_login|zshrc|zprofile|profile)['"]\)*\s*,\s*['"]a|\.(bashrc|bash_profile|zshrc|zprofile|profile)['"]\)*\.open\(\s*['"]a/
    $rc_echo = />>\s*['"]?(~|\$HOME|\$\{HOME\})\/\.(bashrc|bash_profile|zshrc|zprofile|profile)\b/
    $payload = /(curl|wget) +-|(curl|wget) +http|\/dev\/tcp\/|base64 +(-d|--decode)|python3? +-c |nohup |nc -[elvp]/ private

    $systemd_unit = /(\/etc\/systemd\/system\/|\.config\/systemd\/user\/)[\w@.\-]*\.(service|timer)/
    $systemd_enable = /systemctl\s+(--user\s+)?(enable|daemon-reload)/ private
    $systemd_exec = /ExecStart(Pre)?=\s*(\/tmp\/|\/dev\/shm\/|\/var\/tmp\/|[^\n]{0,80}((curl|wget) |base64 |python3? -c |nc -[elvp]))/ private

    $ak_write = /open\([^)\n]{0,160}authorized_keys[^)\n]{0,80},\s*['"]a|>>\s*['"]?[~$\w\/{}.]*\.ssh\/authorized_keys/
    $ak_key = /ssh-(rsa|ed25519|ecdsa-sha2-nistp256) AAAA[0-9A-Za-z+\/]{20}/ private

    $site_dir = /getsitepackages\(|getusersitepackages\(|get_paths\(\)\[['"]purelib['"]\]/
    $hook_name = /['"][\w\-\/.+]*\.pth['"]|['"](sitecustomize|usercustomize)\.py['"]/ private
    $open_write = /open\([^)\n]{0,200},\s*['"][aw]b?\+?['"]|\.write_text\(/ private

    $run_key = /CurrentVersion\\{1,2}Run(Once)?\b/
    $run_key_write0 = "SetValueEx" private
    $run_key_write1 = "reg add " private
    $run_key_write2 = "REG ADD " private
    $run_key_write3 = "reg.exe add " private

    $launch_agent = /Library\/Launch(Agents|Daemons)\/[\w.\-]+\.plist/
    $run_at_load = "RunAtLoad" private

  condition:
    filesize < 8MB and (
      $cron_pipe and $cron_entry or
      $cron_write or
      ($cron_dir and $cron_entry and $open_write) or
      $rc_open or
      ($rc_echo and $payload) or
      ($systemd_unit and $systemd_enable and $systemd_exec) or
      $ak_write and $ak_key or
      $site_dir and $hook_name and $open_write or
      $run_key and any of ($run_key_write*) or
      $launch_agent and $run_at_load
    )
}
