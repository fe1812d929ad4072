// modelgate: subcommands scan | lock | verify | sign | run | study | platforms | rules | explain | version | completion
// (run's exit codes: docs/sandbox.md). Exit codes: 0 nothing at or above --fail-on,
// 1 findings at or above it, 2 the analysis could not complete (partial, unreadable, usage error).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/cli_export.hpp"
#include "cli/commands.hpp"
#include "cli/version_info.hpp"
#include "core/allocator.hpp"
#include "core/rule.hpp"
#include "report/report.hpp"

int main(int argc, char** argv) {
  mg::configure_allocator();
  CLI::App app{"modelgate: what loading a model repository runs, and whether it is safe", "modelgate"};
  app.set_version_flag("--version", [] {
    std::string v = mg::version_text();
    v.pop_back();  // CLI11 adds the newline
    return v;
  }, "Print the version, the rule-set version and the build options, then exit");
  app.require_subcommand(1);

  mg::ScanCommand scan_cmd;
  auto* scan = app.add_subcommand("scan", "Scan model repositories, archives, cache folders or files");
  scan_cmd.register_options(*scan);

  mg::LockCommand lock_cmd;
  auto* lock = app.add_subcommand("lock", "Write a lockfile pinning a target's execution-relevant files, triggers and verdict");
  lock_cmd.register_options(*lock);
  mg::VerifyCommand verify_cmd;
  auto* verify = app.add_subcommand("verify", "Check a target against a lockfile and/or an OpenSSF Model Signing signature");
  verify_cmd.register_options(*verify);
  mg::SignCommand sign_cmd;
  auto* sign = app.add_subcommand("sign", "Sign a model folder with a private key (OpenSSF Model Signing v1.0 bundle)");
  sign_cmd.register_options(*sign);

  mg::RunCommand run_cmd;
  auto* run = app.add_subcommand("run", "Run a model-loading command sandboxed (bubblewrap, seccomp, Python audit hook)");
  run_cmd.register_options(*run);

  std::string rules_format = "text";
  auto* rules = app.add_subcommand("rules", "List every rule with its severity, CWE and peer equivalents");
  rules->add_option("--format", rules_format, "text, json or markdown")->check(CLI::IsMember({"text", "json", "markdown"}));

  std::string explain_id;
  auto* explain = app.add_subcommand("explain", "Print a rule's documentation");
  explain->add_option("rule_id", explain_id, "Rule id, e.g. LD102")->required();

  std::string platforms_format = "text";
  auto* platforms = app.add_subcommand("platforms", "Per hub: the paper's Table 6 and how its loaders run code, with sources");
  platforms->add_option("--format", platforms_format, "text, json or markdown")->check(CLI::IsMember({"text", "json", "markdown"}));

  mg::StudyCommand study_cmd;
  auto* study = app.add_subcommand("study", "Scan a corpus or hub listing into a SQLite store and report the study's tables");
  study_cmd.register_options(*study);

  std::string version_format = "text";
  auto* version = app.add_subcommand("version", "Print the version, the rule-set version and the build options");
  version->add_option("--format", version_format, "text or json")->check(CLI::IsMember({"text", "json"}));

  // Generated from this App (cli_export.cpp); the package installs their output.
  std::string completion_shell;
  auto* completion = app.add_subcommand("completion", "Print a shell completion script (bash, zsh or fish)");
  completion->add_option("shell", completion_shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  mg::CliExportHints export_hints;
  auto* manpage = app.add_subcommand("manpage", "Print the modelgate(1) man page (troff)")->group("");
  manpage->add_option("--date", export_hints.date, "The page's date (the build passes the release date)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  try {
    if (*scan) return scan_cmd.run();
    if (*lock) return lock_cmd.run();
    if (*verify) return verify_cmd.run();
    if (*sign) return sign_cmd.run();
    if (*run) return run_cmd.run();
    if (*rules) return mg::run_rules(rules_format);
    if (*explain) return mg::run_explain(explain_id);
    if (*study) return study_cmd.run();
    if (*platforms) return mg::run_platforms(platforms_format);
    if (*version) {
      std::fputs((version_format == "json" ? mg::version_json() : mg::version_text()).c_str(), stdout);
      return 0;
    }
    if (*completion || *manpage) {
      for (const auto& r : mg::RuleRegistry::builtin().all()) export_hints.rule_ids.push_back(r.id);
      const std::string text = *manpage ? mg::render_manpage(app, export_hints) : mg::render_completion(app, completion_shell, export_hints);
      std::fputs(text.c_str(), stdout);
      return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "modelgate: error: %s\n", e.what());
    return 2;
  }
  return 2;
}
