// The CLI's subcommands; main.cpp only parses and dispatches.
#pragma once
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "cli/config.hpp"

namespace mg {

class ScanCommand {
 public:
  void register_options(CLI::App& cmd);
  int run();

 private:
  std::vector<std::string> targets_;
  std::vector<std::string> yara_rules_;
  std::vector<std::string> engines_;  // empty: every engine
  std::string format_ = "text";
  std::string output_;
  std::string fail_on_ = "high";
  bool no_color_ = false;
  bool reachable_only_ = false;
  bool quiet_ = false;
  bool ignore_suppressions_ = false;
  unsigned jobs_ = 0;
  std::string endpoint_;
  std::string repo_type_ = "model";
  bool offline_ = false;
  int follow_remote_code_ = 0;  // --follow-remote-code[=DEPTH]
  // Configuration and baselines (scan_command.cpp, docs/configuration.md).
  int apply_config();  // 0, or 2 after printing why
  CLI::App* cmd_ = nullptr;
  std::string config_;
  bool no_config_ = false;
  std::vector<std::string> select_;
  std::vector<std::string> ignore_;
  std::string baseline_;
  std::string write_baseline_;
  bool show_existing_ = false;
  config::ScanSettings file_;  // the configuration file's settings (empty with --no-config or no file)
};

// `modelgate study init|add|run|status|report` (study_command.cpp, docs/study.md).
class StudyCommand {
 public:
  void register_options(CLI::App& cmd);
  int run();

 private:
  int run_init();
  int run_add();
  int run_run();
  int run_status();
  int run_report();

  CLI::App* init_ = nullptr;
  CLI::App* add_ = nullptr;
  CLI::App* run_ = nullptr;
  CLI::App* status_ = nullptr;
  CLI::App* report_ = nullptr;
  std::string db_;
  std::string study_ = "default";
  std::string from_file_;
  std::vector<std::string> folders_;
  std::vector<std::string> hf_filters_;
  CLI::Option* ms_list_ = nullptr;            // --ms-list [category=value...]
  std::vector<std::string> ms_criteria_;
  CLI::Option* csg_list_ = nullptr;           // --csg-list [key=value...]
  std::vector<std::string> csg_filters_;
  std::string torchhub_index_;                // a pytorch/hub checkout
  std::vector<std::string> openmmlab_;        // OpenMMLab checkouts
  std::string platform_;
  std::string endpoint_;
  std::size_t limit_ = 0;
  std::size_t page_size_ = 0;  // 0: the listing's default
  unsigned workers_ = 0;
  std::string shard_;
  double lease_s_ = 60;             // PostgreSQL workers (docs/study.md)
  std::int64_t max_attempts_ = 3;
  double backoff_s_ = 30;
  std::vector<std::string> rates_;  // platform=requests/s
  bool offline_ = false;
  bool quiet_ = false;
  std::string format_ = "text";
  std::string out_;
  std::string formats_ = "md,csv,html";
  bool print_sql_ = false;
};

// modelgate lock TARGET [-o FILE]: pins what a scan judged (docs/lockfile.md).
class LockCommand {
 public:
  void register_options(CLI::App& cmd);
  int run();

 private:
  std::string target_;
  std::string output_;
  std::string endpoint_;
  bool offline_ = false;
  unsigned jobs_ = 0;
};

// modelgate verify TARGET --lock FILE | --signature model.sig (--key PEM | --certificate-chain PEM...).
class VerifyCommand {
 public:
  void register_options(CLI::App& cmd);
  int run();

 private:
  int verify_lock();
  int verify_signature();
  std::string target_;
  std::string lock_;
  std::string signature_;
  std::string key_;
  std::vector<std::string> chain_;
  std::string trust_root_;
  std::string sigstore_identity_;
  std::string sigstore_identity_regexp_;
  std::string sigstore_issuer_;
  std::string endpoint_;
  bool offline_ = false;
  unsigned jobs_ = 0;
};

// modelgate sign TARGET --key PRIVATE.pem [-o model.sig]: an OMS v1.0 bundle (docs/signing.md).
class SignCommand {
 public:
  void register_options(CLI::App& cmd);
  int run();

 private:
  std::string target_;
  std::string key_;
  std::string output_;
  std::string certificate_;
  std::vector<std::string> chain_;
  std::vector<std::string> ignore_paths_;
  std::string key_password_file_;
  unsigned jobs_ = 0;
};

// modelgate run [--policy FILE] [--lock FILE] [--allow-network] -- COMMAND...: a loading command
// under bubblewrap + seccomp with a Python audit hook (docs/sandbox.md).
class RunCommand {
 public:
  void register_options(CLI::App& cmd);
  int run();

 private:
  std::string policy_;
  std::string lock_;
  std::string model_;
  std::string report_;
  bool allow_network_ = false;
  bool quiet_ = false;
  std::vector<std::string> command_;
};

int run_rules(const std::string& format);
int run_explain(const std::string& id);
// modelgate platforms: Table 6 and the loader model per hub (platforms_command.cpp).
int run_platforms(const std::string& format);

}  // namespace mg
