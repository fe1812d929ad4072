#include "behaviour/paths.hpp"

#include <algorithm>
#include <regex>

#include "core/text.hpp"

namespace mg::behaviour {

namespace {

bool has(std::string_view s, std::string_view w) { return s.find(w) != std::string_view::npos; }

}  // namespace

bool is_secret_path(std::string_view p) {
  const std::string l = to_lower(p);
  for (const char* w : {".ssh/", ".ssh\\", "/.ssh", "id_rsa", "id_ed25519", "id_ecdsa", "id_dsa", ".aws/credentials", ".aws/config",
                        ".netrc", ".git-credentials", "huggingface/token", "huggingface/stored_tokens", ".docker/config.json",
                        ".kube/config", ".pypirc", "login data", "/cookies", "\\cookies", "local state", ".gnupg",
                        "/etc/shadow", ".azure/", ".config/gcloud", "application_default_credentials", ".npmrc",
                        "keychain", "key4.db", "logins.json", ".bash_history", ".zsh_history", "wallet.dat", ".electrum",
                        ".config/gh/hosts", ".cache/huggingface/token", "credentials.json", ".env"}) {
    if (has(l, w)) {
      if (std::string_view(w) == ".env" && !(ends_with(l, "/.env") || l == ".env" || has(l, "/.env/"))) continue;
      return true;
    }
  }
  return false;
}

bool is_credential_query(std::string_view sql) {
  const std::string q = to_lower(sql);
  if (!has(q, "select")) return false;
  return has(q, "password_value") || has(q, "encrypted_value") || has(q, "moz_logins") || has(q, "card_number_encrypted") ||
         (has(q, "from logins") && has(q, "password"));
}

std::string persistence_class(std::string_view p) {
  const std::string l = to_lower(p);
  for (const char* w : {".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".zshenv", "/etc/profile",
                        "/etc/bash.bashrc", "/etc/environment", "config.fish"}) {
    if (has(l, w)) return "a shell start-up file";
  }
  if (has(l, "cron") || has(l, "/etc/anacrontab")) return "a cron table";
  if (has(l, "systemd/") || has(l, "/etc/init.d") || has(l, "rc.local") || has(l, "/etc/init/")) return "a system service";
  if (has(l, "autostart") || has(l, "launchagents") || has(l, "launchdaemons") || has(l, "start menu\\programs\\startup") ||
      has(l, "start menu/programs/startup") || has(l, "currentversion\\run") || has(l, "currentversion/run") || has(l, "winlogon")) {
    return "an autostart entry";
  }
  if (has(l, "authorized_keys")) return "SSH authorized_keys";
  if (ends_with(l, ".pth") || has(l, "sitecustomize.py") || has(l, "usercustomize.py")) return "a Python start-up hook (.pth/sitecustomize)";
  if (has(l, "/usr/local/bin/") || has(l, "/usr/bin/") || has(l, "/.local/bin/") || starts_with(l, "/bin/")) return "a folder on PATH";
  if (has(l, ".git/hooks/")) return "a git hook";
  if (has(l, "ld.so.preload")) return "the dynamic loader's preload list";
  return {};
}

bool is_executable_file(std::string_view p) {
  const std::string l = to_lower(p);
  for (const char* ext : {".exe", ".dll", ".so", ".dylib", ".sh", ".bat", ".cmd", ".ps1", ".vbs", ".elf", ".py", ".pyc", ".pyw",
                          ".jar", ".scr", ".msi", ".run", ".appimage", ".com", ".hta"}) {
    if (ends_with(l, ext) || has(l, std::string(ext) + ".")) return true;
  }
  return false;
}

bool is_executable_location(std::string_view p) {
  const std::string l = to_lower(p);
  if (is_executable_file(p)) return true;
  return starts_with(l, "/tmp/") || starts_with(l, "/dev/shm/") || starts_with(l, "/var/tmp/") || has(l, "\\temp\\") ||
         has(l, "appdata") || !persistence_class(p).empty();
}

std::string suspicious_endpoint(std::string_view url) {
  const std::string host = host_of(url);
  if (host.empty() || is_hub_or_local_host(host)) return {};
  // An IP address literal (v4 dotted, or v6 in brackets).
  bool dotted = std::count(host.begin(), host.end(), '.') == 3;
  for (char c : host) dotted = dotted && ((c >= '0' && c <= '9') || c == '.');
  // Public DNS resolvers are what connectivity checks dial.
  const bool resolver = host == "1.1.1.1" || host == "1.0.0.1" || host == "8.8.8.8" || host == "8.8.4.4" || host == "9.9.9.9";
  if (dotted && !resolver && !starts_with(host, "10.") && !starts_with(host, "192.168.") && !starts_with(host, "169.254.")) return "a bare IP address";
  if (!host.empty() && host.front() == '[') return "a bare IP address";
  static constexpr std::pair<std::string_view, std::string_view> kHosts[] = {
      {"bit.ly", "a URL shortener"}, {"tinyurl.com", "a URL shortener"}, {"is.gd", "a URL shortener"}, {"t.co", "a URL shortener"},
      {"cutt.ly", "a URL shortener"}, {"rebrand.ly", "a URL shortener"}, {"shorturl.at", "a URL shortener"},
      {"grabify.link", "an IP logger"}, {"iplogger.org", "an IP logger"}, {"iplogger.com", "an IP logger"}, {"2no.co", "an IP logger"},
      {"ngrok.io", "a tunnel"}, {"ngrok-free.app", "a tunnel"}, {"ngrok.app", "a tunnel"}, {"trycloudflare.com", "a tunnel"},
      {"serveo.net", "a tunnel"}, {"localtunnel.me", "a tunnel"}, {"loca.lt", "a tunnel"},
      {"pipedream.net", "a request catcher"}, {"requestbin.net", "a request catcher"}, {"webhook.site", "a request catcher"},
      {"requestcatcher.com", "a request catcher"}, {"beeceptor.com", "a request catcher"}, {"oast.fun", "an out-of-band testing host"},
      {"oast.pro", "an out-of-band testing host"}, {"oast.live", "an out-of-band testing host"}, {"oast.site", "an out-of-band testing host"},
      {"oast.online", "an out-of-band testing host"}, {"oast.me", "an out-of-band testing host"}, {"interact.sh", "an out-of-band testing host"},
      {"burpcollaborator.net", "an out-of-band testing host"}, {"canarytokens.com", "a canary-token host"},
      {"discord.com", "a chat webhook"}, {"discordapp.com", "a chat webhook"}, {"api.telegram.org", "a chat bot API"},
      {"hooks.slack.com", "a chat webhook"}, {"pastebin.com", "a paste site"}, {"paste.ee", "a paste site"},
      {"transfer.sh", "a file drop"}, {"anonfiles.com", "a file drop"}, {"ip.me", "a what-is-my-IP service"},
      {"ipinfo.io", "a what-is-my-IP service"}, {"api.ipify.org", "a what-is-my-IP service"}, {"ifconfig.me", "a what-is-my-IP service"},
      {"icanhazip.com", "a what-is-my-IP service"}, {"checkip.amazonaws.com", "a what-is-my-IP service"},
  };
  for (auto [h, what] : kHosts) {
    if (host == h || (host.size() > h.size() && ends_with(host, h) && host[host.size() - h.size() - 1] == '.')) {
      if ((h == "discord.com" || h == "discordapp.com") && url.find("/api/webhooks") == std::string_view::npos) continue;
      return std::string(what);
    }
  }
  if (ends_with(host, ".onion")) return "a Tor hidden service";
  for (std::string_view tld : {".tk", ".ml", ".ga", ".cf", ".gq", ".pw"}) {  // free, abuse-heavy TLDs
    if (ends_with(host, tld)) return "a host under a free, abuse-heavy domain (" + std::string(tld) + ")";
  }
  if (ends_with(host, ".workers.dev") && url.find("track") != std::string_view::npos) return "a tracking endpoint";
  return {};
}

bool is_metadata_endpoint(std::string_view url) {
  return has(url, "169.254.169.254") || has(url, "metadata.google.internal") || has(url, "100.100.100.200") ||
         has(url, "fd00:ec2::254") || has(url, "metadata.azure.com");
}

std::string host_of(std::string_view url) {
  auto p = url.find("://");
  std::string_view rest = p == std::string_view::npos ? url : url.substr(p + 3);
  const auto end = rest.find_first_of("/?#");
  rest = rest.substr(0, end);
  if (auto at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() != '[') {
    if (auto colon = rest.find(':'); colon != std::string_view::npos) rest = rest.substr(0, colon);
  }
  return to_lower(rest);
}

bool is_hub_or_local_host(std::string_view host) {
  for (std::string_view h : {"huggingface.co", "hf.co", "hf-mirror.com", "modelscope.cn", "modelscope.ai", "opencsg.com",
                             "localhost", "127.0.0.1", "::1", "[::1]"}) {
    if (host == h || (host.size() > h.size() && ends_with(host, h) && host[host.size() - h.size() - 1] == '.')) return true;
  }
  return false;
}

bool is_model_host(std::string_view host) {
  if (host.find("\xe2\x80\xa6") != std::string_view::npos) return false;  // a computed part ("…") could be anyone's
  if (is_hub_or_local_host(host)) return true;
  for (std::string_view h : {"github.com", "githubusercontent.com", "download.pytorch.org", "dl.fbaipublicfiles.com",
                             "storage.googleapis.com", "s3.amazonaws.com", "zenodo.org", "openmmlab.com", "download.openmmlab.com"}) {
    if (host == h || (host.size() > h.size() && ends_with(host, h) && host[host.size() - h.size() - 1] == '.')) return true;
  }
  return false;
}

bool is_reverse_shell_command(std::string_view cmd) {
  const std::string c = to_lower(cmd);
  if (has(c, "/dev/tcp/") || has(c, "/dev/udp/")) return true;
  if ((has(c, "nc ") || has(c, "ncat ") || has(c, "netcat ")) && (has(c, " -e ") || has(c, " -c ") || has(c, "mkfifo"))) return true;
  if (has(c, "socat") && (has(c, "exec:") || has(c, "system:"))) return true;
  if (has(c, "pty.spawn") && has(c, "socket")) return true;
  if ((has(c, "bash -i") || has(c, "sh -i")) && (has(c, ">&") || has(c, "0>&1"))) return true;
  if (has(c, "powershell") && has(c, "tcpclient")) return true;
  return false;
}

bool is_download_and_run_command(std::string_view cmd) {
  const std::string c = to_lower(cmd);
  const bool fetch = has(c, "curl ") || has(c, "wget ") || has(c, "invoke-webrequest") || has(c, "iwr ") || has(c, "certutil") ||
                     has(c, "bitsadmin") || has(c, "downloadstring") || has(c, "fetch ");
  if (!fetch) return false;
  static const std::regex kPipeToInterpreter(R"(\|\s*(sudo\s+)?(ba|z|da)?sh\b|\|\s*python[0-9.]*\b|\|\s*perl\b|\|\s*iex\b|\|\s*powershell)");
  const bool pipe_run = std::regex_search(c, kPipeToInterpreter);
  const bool then_run = (has(c, "chmod +x") || has(c, "chmod 7") || has(c, "chmod 5")) || has(c, "&& ./") || has(c, "; ./") ||
                        has(c, "&& sh ") || has(c, "&& bash ") || has(c, "; sh ") || has(c, "; bash ") || has(c, "iex(") ||
                        has(c, "invoke-expression") || has(c, "start-process");
  return pipe_run || then_run;
}

std::string fixed_program(std::string_view cmd) {
  std::size_t b = 0;
  while (b < cmd.size() && (cmd[b] == ' ' || cmd[b] == '\t')) ++b;
  std::size_t e = b;
  while (e < cmd.size() && cmd[e] != ' ' && cmd[e] != '\t') ++e;
  const std::string word = to_lower(cmd.substr(b, e - b));
  // "…" marks a computed piece of the command.
  if (word.empty() || word.find("\xe2\x80\xa6") != std::string::npos || word.find_first_of("|;&$`<>()") != std::string::npos) return "";
  const std::string_view base = std::string_view(word).substr(word.find_last_of("/\\") == std::string::npos ? 0 : word.find_last_of("/\\") + 1);
  for (std::string_view i : {"sh", "bash", "zsh", "dash", "ksh", "fish", "cmd", "cmd.exe", "powershell", "powershell.exe", "pwsh",
                             "node", "perl", "ruby", "php", "osascript", "eval", "exec", "source", ".", "env", "sudo", "xargs",
                             "nohup", "setsid", "timeout", "nice", "busybox", "python", "python2", "python3", "pythonw", "py"}) {
    if (base == i) return "";
  }
  if (starts_with(base, "python")) return "";
  return word;
}

bool is_command_chain(std::string_view cmd) {
  return cmd.find("&&") != std::string_view::npos || cmd.find("||") != std::string_view::npos || cmd.find(';') != std::string_view::npos ||
         cmd.find('|') != std::string_view::npos || cmd.find("$(") != std::string_view::npos || cmd.find('`') != std::string_view::npos ||
         cmd.find('\n') != std::string_view::npos;
}

bool is_miner(std::string_view text) {
  const std::string c = to_lower(text);
  for (const char* w : {"stratum+tcp://", "stratum+ssl://", "stratum2+tcp://", "xmrig", "cryptonight", "randomx", "minexmr",
                        "nanopool.org", "supportxmr", "moneroocean", "2miners.com", "nicehash", "ethermine", "--donate-level",
                        "coinhive", "cpuminer", "minerd "}) {
    if (has(c, w)) return true;
  }
  return false;
}

std::string hidden_command(std::string_view cmd) {
  const std::string c = to_lower(cmd);
  if (has(c, "powershell") || has(c, "pwsh")) {
    if (has(c, " -enc") || has(c, " -e ") || has(c, "-encodedcommand")) return "encoded PowerShell";
    if (has(c, "-w hidden") || has(c, "-windowstyle hidden") || has(c, "-window hidden") || has(c, "bypass") || has(c, "iex") ||
        has(c, "downloadstring") || has(c, "downloadfile") || has(c, "invoke-expression")) {
      return "hidden PowerShell";
    }
  }
  for (const char* lolbin : {"rundll32", "regsvr32", "mshta", "certutil -urlcache", "certutil.exe -urlcache", "bitsadmin /transfer", "wmic process call create",
                             "installutil", "msbuild.exe", "cmstp"}) {
    if (has(c, lolbin)) return "a Windows system binary that loads or fetches code (" + std::string(lolbin) + ")";
  }
  return {};
}

bool runs_from_temp(std::string_view cmd) {
  std::string_view c = trim(cmd);
  for (std::string_view shell : {"sh ", "bash ", "sudo ", "nohup ", "exec "}) {
    if (starts_with(c, shell)) c = trim(c.substr(shell.size()));
  }
  const std::string prog = to_lower(c.substr(0, c.find(' ')));
  return starts_with(prog, "/tmp/") || starts_with(prog, "/dev/shm/") || starts_with(prog, "/var/tmp/") || has(prog, "\\temp\\") ||
         has(prog, "%temp%");
}

std::string persistence_command(std::string_view cmd) {
  const std::string c = to_lower(cmd);
  if (has(c, "crontab")) return "a cron table";
  if (has(c, "systemctl enable") || has(c, "update-rc.d") || has(c, "chkconfig")) return "a system service";
  if (has(c, "schtasks") || (has(c, "reg add") && has(c, "currentversion\\run"))) return "an autostart entry";
  if (has(c, "authorized_keys")) return "SSH authorized_keys";
  if (has(c, ">>") || has(c, "tee -a") || has(c, "> ")) {
    auto cls = persistence_class(c);
    if (!cls.empty()) return cls;
  }
  return {};
}

}  // namespace mg::behaviour
