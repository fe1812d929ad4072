#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "cli/commands.hpp"
#include "engines/engine.hpp"
#include "engines/python/python_engine.hpp"
#include "engines/yara/yara_engine.hpp"
#include "report/report.hpp"
#include "source/hub/hub.hpp"

namespace mg {

void ScanCommand::register_options(CLI::App& cmd) {
  cmd.add_option("targets", targets_,
                 "Repository folders, archives (.zip, .tar[.gz], .nemo), Hugging Face / torch hub / ModelScope cache folders, "
                 "single files, or hub repositories (hf:org/name[@rev], https://huggingface.co/org/name[/tree/rev], "
                 "ms:owner/name[@rev], https://www.modelscope.cn/models/owner/name, csg:owner/name[@rev], torchhub:owner/repo[:ref], "
                 "github:owner/repo[@ref])")
      ->required();
  cmd.add_option("--endpoint", endpoint_,
                 "Hub endpoint for hub targets (default: the hub's own variable: HF_ENDPOINT, MODELSCOPE_DOMAIN, CSGHUB_DOMAIN, "
                 "GITHUB_API_URL; else its public site)");
  cmd.add_flag("--follow-remote-code{1}", follow_remote_code_,
               "Also fetch and scan the repositories whose code a load plan names (auto_map \"org/repo--module.Class\"), up to "
               "DEPTH hops (default 1, at most 5); reported as targets followed from the one that named them")
      ->check(CLI::Range(0, 5));
  cmd.add_option("--repo-type", repo_type_, "Kind of Hub repository: model, dataset or space (default model)")
      ->check(CLI::IsMember({"model", "dataset", "space"}));
  cmd.add_flag("--offline", offline_, "Hub targets from the caches only, no network (also: HF_HUB_OFFLINE=1)");
  cmd.add_option("-f,--format", format_, "text, json, sarif, jsonl or html")->check(CLI::IsMember({"text", "json", "sarif", "jsonl", "html"}));
  cmd.add_option("-o,--output", output_, "Write the report to FILE instead of standard output");
  cmd.add_option("--fail-on", fail_on_, "Exit 1 when a finding is at or above this severity (low, medium, high, critical, none)")
      ->check(CLI::IsMember({"low", "medium", "high", "critical", "none"}));
  cmd.add_flag("--no-color", no_color_, "No ANSI colour in text output (also: NO_COLOR set)");
  cmd.add_flag("--reachable-only", reachable_only_, "Hide findings known not to run at load time");
  cmd.add_flag("-q,--quiet", quiet_, "No progress line on standard error");
  cmd.add_option("-j,--jobs", jobs_, "Targets scanned in parallel (default: number of cores)");
  cmd.add_flag("--ignore-suppressions", ignore_suppressions_,
               "Report findings even where the code says `# nosec` or `# modelgate: ignore` (the repository's author wrote those)");
  cmd.add_option("--yara-rules", yara_rules_, "Also run these YARA rules (a .yar file or a folder of them; repeatable)");
  cmd.add_option("--engines", engines_,
                 "Run only these engines (comma-separated: config, python, serialized, yara); weights no selected engine "
                 "reads make the report partial")
      ->delimiter(',')
      ->check(CLI::IsMember({"config", "python", "serialized", "yara"}));
}

int ScanCommand::run() {
  ScanOptions options;
  options.jobs = jobs_;
  options.hub.endpoint = endpoint_;
  options.follow_remote_code = follow_remote_code_;
  options.hub.repo_type = repo_type_;
  options.hub.offline = options.hub.offline || offline_;
  // Hub ids are checked before anything is scanned: a malformed one is a usage error.
  for (const auto& t : targets_) {
    struct stat st {};
    if (stat(t.c_str(), &st) == 0) continue;
    auto id = hub::parse_hub_target(t, repo_type_);
    if (!id) {
      std::fprintf(stderr, "modelgate: error: %s\n", id.error().message.c_str());
      return 2;
    }
    if (*id && !hub::hub_supported((*id)->hub)) {
      std::fprintf(stderr, "modelgate: error: %s: %s targets are not implemented in this build yet (issue 12); scan a local copy\n",
                   t.c_str(), std::string(hub::hub_name((*id)->hub)).c_str());
      return 2;
    }
  }
  const bool tty_err = isatty(STDERR_FILENO) != 0;
  if (tty_err && !quiet_) {
    options.progress = [](std::size_t done, std::size_t total, const std::string& target) {
      std::fprintf(stderr, "\r\x1b[K[%zu/%zu] %s", done, total, target.c_str());
      if (done == total) std::fprintf(stderr, "\r\x1b[K");
      std::fflush(stderr);
    };
  }
  auto engines = make_builtin_engines();
  if (!engines_.empty()) {
    std::erase_if(engines, [&](const auto& e) { return std::find(engines_.begin(), engines_.end(), e->name()) == engines_.end(); });
  }
  if (ignore_suppressions_) {
    for (auto& e : engines) {
      if (e->name() == "python") e = make_python_engine({.honor_suppressions = false});
    }
  }
  if (!yara_rules_.empty()) {
    auto rules = compile_yara_rules(yara_rules_);
    if (!rules) {
      std::fprintf(stderr, "modelgate: error: YARA rules do not compile:\n%s\n", rules.error().message.c_str());
      return 2;
    }
    for (auto& e : engines) {
      if (e->name() == "yara") e = make_yara_engine({.bundled = true, .user_rules = *rules, .threads = 0});
    }
  }
  const ScanReport report = scan(targets_, options, &engines);

  RenderOptions render;
  render.reachable_only = reachable_only_;
  render.color = format_ == "text" && output_.empty() && !no_color_ && isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  std::string out;
  if (format_ == "json") out = render_json(report, render);
  else if (format_ == "sarif") out = render_sarif(report, render);
  else if (format_ == "jsonl") out = render_jsonl(report, render);
  else if (format_ == "html") out = render_html(report, render);
  else out = render_text(report, render);

  if (output_.empty()) {
    std::fwrite(out.data(), 1, out.size(), stdout);
  } else {
    std::ofstream file(output_, std::ios::binary);
    file << out;
    if (!file) {
      std::fprintf(stderr, "modelgate: error: cannot write %s\n", output_.c_str());
      return 2;
    }
  }

  bool partial = false, failing = false;
  const auto threshold = parse_severity(fail_on_);
  for (const auto& t : report.targets) {
    partial = partial || t.partial();
    if (!threshold) continue;
    for (const Finding* f : visible_findings(t, render)) {
      const auto weight = verdict_weight(*f);
      if (weight && *weight >= *threshold) failing = true;
    }
  }
  for (const auto& t : report.targets) {
    for (const auto& i : t.incomplete) {
      if (i.file.empty()) std::fprintf(stderr, "modelgate: %s: %s\n", t.target.c_str(), i.reason.c_str());
    }
  }
  // A definite "do not load" outranks "could not finish"; both stop a pipeline.
  if (failing) return 1;
  if (partial) return 2;
  return 0;
}

}  // namespace mg
