// The CLI's subcommands; main.cpp only parses and dispatches.
#pragma once
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

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
};

int run_rules(const std::string& format);
int run_explain(const std::string& id);

}  // namespace mg
