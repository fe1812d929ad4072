#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "engines/engine.hpp"
#include "engines/python/python_engine.hpp"
#include "engines/serialized/serialized_engine.hpp"
#include "engines/yara/yara_engine.hpp"
#include "formats/pickle_policy.hpp"
#include "report/baseline.hpp"
#include "report/report.hpp"
#include "source/hub/hub.hpp"

namespace mg {

namespace {

// select / ignore / per-file-ignores: which findings the project asked to see.
bool selected(const Finding& f, const config::ScanSettings& s) {
  const auto matches = [&](const std::vector<std::string>& entries) {
    return std::any_of(entries.begin(), entries.end(), [&](const std::string& e) { return config::rule_matches(e, f.rule_id); });
  };
  if (s.select && !matches(*s.select)) return false;
  if (matches(s.ignore)) return false;
  for (const auto& pi : s.per_file_ignores) {
    if (config::glob_match(pi.glob, f.file) && matches(pi.rules)) return false;
  }
  return true;
}

// Drops what the configuration deselects; the verdict follows what is left. Fingerprints were
// computed before, so turning a rule off does not change the others' fingerprints.
void filter_findings(ScanReport& report, const config::ScanSettings& s) {
  if (!s.select && s.ignore.empty() && s.per_file_ignores.empty()) return;
  for (auto& t : report.targets) {
    std::erase_if(t.findings, [&](const Finding& f) { return !selected(f, s); });
    t.verdict = verdict_of(t.findings);
  }
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  return static_cast<bool>(file);
}

}  // namespace

void ScanCommand::register_options(CLI::App& cmd) {
  cmd_ = &cmd;
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
  auto* config = cmd.add_option("--config", config_,
                                "Settings from this TOML file (modelgate.toml, or pyproject.toml's [tool.modelgate]) instead of the one "
                                "found by walking up from the working directory (docs/configuration.md)");
  cmd.add_flag("--no-config,--isolated", no_config_, "Read no configuration file")->excludes(config);
  cmd.add_option("--select", select_, "Report only these rules: ids or family prefixes such as PY3 or BH (comma-separated)")
      ->delimiter(',');
  cmd.add_option("--ignore", ignore_, "Do not report these rules: ids or family prefixes (comma-separated)")->delimiter(',');
  cmd.add_option("--baseline", baseline_,
                 "Mark findings whose fingerprint is in FILE (from --write-baseline) as existing: reported, but not counted "
                 "for --fail-on");
  cmd.add_option("--write-baseline", write_baseline_, "Write every finding's fingerprint to FILE, for a later --baseline");
  cmd.add_flag("--show-existing", show_existing_, "Text: also list the findings the baseline has (otherwise only counted)");
}

// The configuration file fills what the command line left unset (command line > file > defaults).
int ScanCommand::apply_config() {
  if (no_config_) return 0;
  std::string path = config_;
  if (path.empty()) {
    std::error_code ec;
    const auto found = config::discover_config(std::filesystem::current_path(ec));
    if (!found) return 0;
    path = found->string();
  }
  auto loaded = config::load_config_file(path);
  if (!loaded) {
    std::fprintf(stderr, "modelgate: error: %s\n", loaded.error().message.c_str());
    return 2;
  }
  file_ = std::move(loaded->scan);
  const auto unset = [&](const char* option) { return cmd_->count(option) == 0; };
  const config::ScanSettings& f = file_;
  if (f.fail_on && unset("--fail-on")) fail_on_ = *f.fail_on;
  if (f.format && unset("--format")) format_ = *f.format;
  if (f.output && unset("--output")) output_ = *f.output;
  if (f.engines && unset("--engines")) engines_ = *f.engines;
  if (f.reachable_only && unset("--reachable-only")) reachable_only_ = *f.reachable_only;
  if (f.jobs && unset("--jobs")) jobs_ = *f.jobs;
  if (f.follow_remote_code && unset("--follow-remote-code")) follow_remote_code_ = *f.follow_remote_code;
  if (f.endpoint && unset("--endpoint")) endpoint_ = *f.endpoint;
  if (f.offline && unset("--offline")) offline_ = *f.offline;
  if (f.repo_type && unset("--repo-type")) repo_type_ = *f.repo_type;
  if (f.quiet && unset("--quiet")) quiet_ = *f.quiet;
  if (f.no_color && unset("--no-color")) no_color_ = *f.no_color;
  if (f.ignore_suppressions && unset("--ignore-suppressions")) ignore_suppressions_ = *f.ignore_suppressions;
  if (f.show_existing && unset("--show-existing")) show_existing_ = *f.show_existing;
  if (f.baseline && unset("--baseline")) baseline_ = *f.baseline;
  if (!f.yara_rules.empty() && unset("--yara-rules")) yara_rules_ = f.yara_rules;
  return 0;
}

int ScanCommand::run() {
  if (const int rc = apply_config(); rc != 0) return rc;
  // --select / --ignore replace the file's lists.
  for (const auto* list : {&select_, &ignore_}) {
    for (const auto& r : *list) {
      if (!config::names_a_rule(r)) {
        std::fprintf(stderr, "modelgate: error: '%s' names no rule of this build (a rule id such as PY101, or a family prefix such as PY or BH)\n",
                     r.c_str());
        return 2;
      }
    }
  }
  if (!select_.empty()) file_.select = select_;
  if (!ignore_.empty()) file_.ignore = ignore_;
  // A baseline that cannot be read stops the scan before it starts: the exit code would lie.
  std::optional<Baseline> baseline;
  if (!baseline_.empty()) {
    auto b = load_baseline(baseline_);
    if (!b) {
      std::fprintf(stderr, "modelgate: error: baseline %s\n", b.error().message.c_str());
      return 2;
    }
    baseline = std::move(*b);
  }
  ScanOptions options;
  config::apply_limits(file_, options.limits);
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
  ProgressBar bar(stderr, !quiet_, "targets/s");
  if (bar.active()) {
    options.progress = [&bar](std::size_t done, std::size_t total, const std::string& target) {
      if (total > 1) bar.update(done, total, target);
    };
  }
  // pickle-allow: globals the built-in policy does not know become allowed; a global it calls
  // dangerous stays reported (the denylist wins), and the user is told so.
  SerializedOptions serialized;
  for (const auto& a : file_.pickle_allow) {
    const auto c = pickle::classify_global(a.module, a.name);
    if (c.verdict == pickle::Verdict::dangerous) {
      std::fprintf(stderr,
                   "modelgate: warning: %s: pickle-allow entry '%s.%s' is dangerous (%s): unpickling it runs code; it stays "
                   "reported\n",
                   a.origin.str().c_str(), a.module.c_str(), a.name.c_str(), c.reason.c_str());
      continue;
    }
    serialized.allowed_globals.insert(a.module + "." + a.name);
  }
  auto engines = make_builtin_engines();
  if (!serialized.allowed_globals.empty()) {
    for (auto& e : engines) {
      if (e->name() == "serialized") e = make_serialized_engine(serialized);
    }
  }
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
  ScanReport report = scan(targets_, options, &engines);
  bar.finish();
  filter_findings(report, file_);
  if (!write_baseline_.empty() && !write_file(write_baseline_, render_baseline(report))) {
    std::fprintf(stderr, "modelgate: error: cannot write %s\n", write_baseline_.c_str());
    return 2;
  }
  if (baseline) apply_baseline(*baseline, report);

  RenderOptions render;
  render.reachable_only = reachable_only_;
  render.show_existing = show_existing_;
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
    if (!write_file(output_, out)) {
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
      if (f->baseline == BaselineState::existing) continue;  // known and accepted; only new ones fail
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
