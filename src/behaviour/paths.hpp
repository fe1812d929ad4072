// Classes of constants the behaviour rules judge by: credential paths, persistence locations,
// places executables are dropped, the hubs' own hosts, cloud metadata endpoints, and shell
// commands whose shape gives them away (reverse shells, download-and-run, miners).
#pragma once
#include <string>
#include <string_view>

namespace mg::behaviour {

// Files and folders that hold credentials (~/.ssh, ~/.aws/credentials, the HF token, browser
// stores, keyrings, /etc/shadow...).
bool is_secret_path(std::string_view path);
// SQL that reads a browser's saved passwords, cookies or cards.
bool is_credential_query(std::string_view sql);
// Where a write makes code run later: shell rc files, cron, systemd, autostart, authorized_keys,
// .pth/sitecustomize, PATH folders, git hooks, Windows Run keys and Startup. Returns the class
// ("shell startup file", "cron"...) or "".
std::string persistence_class(std::string_view path);
// Names and folders of files that are run: executables, libraries, scripts, temp folders.
bool is_executable_location(std::string_view path);
// File names of programs, libraries and scripts (.exe, .dll, .so, .sh, .ps1, .py...).
bool is_executable_file(std::string_view path);
// Endpoints model code has no reason to call: raw IP addresses, URL shorteners, IP loggers,
// request catchers and tunnels, chat webhooks, .onion. Returns what it is, or "".
std::string suspicious_endpoint(std::string_view url);
// Cloud instance-metadata endpoints (their responses are credentials).
bool is_metadata_endpoint(std::string_view url);
// The host of a URL or "host:port" ("" when none).
std::string host_of(std::string_view url);
// Hosts a model's own token legitimately goes to: the hubs, and this machine.
bool is_hub_or_local_host(std::string_view host);
// The hubs, and the code and storage hosts models publish weights and releases on (GitHub, PyTorch's
// and Meta's download hosts, cloud buckets). False for a host with a computed part ("…").
bool is_model_host(std::string_view host);

// Shell command shapes.
bool is_reverse_shell_command(std::string_view cmd);
bool is_download_and_run_command(std::string_view cmd);
// The program a command starts when its first word is constant and does not run code handed to
// it (`curl`, `git`, `/usr/bin/nvidia-smi`); "" for a computed program, a shell, an interpreter.
std::string fixed_program(std::string_view cmd);
// The command runs more than one program (`a && b`, `a; b`, `a | b`, `$(b)`).
bool is_command_chain(std::string_view cmd);
bool is_miner(std::string_view text);  // pools, miner binaries and flags
std::string persistence_command(std::string_view cmd);
// Commands that hide or fetch what they run: encoded or hidden PowerShell, Windows
// living-off-the-land binaries (rundll32, regsvr32, mshta, certutil, bitsadmin). Returns what, or "".
std::string hidden_command(std::string_view cmd);
// The command's program lives in a temporary folder (/tmp, /dev/shm, %TEMP%).
bool runs_from_temp(std::string_view cmd);  // crontab, systemctl enable, >> ~/.bashrc ...

}  // namespace mg::behaviour
