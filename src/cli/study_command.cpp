// `modelgate study`: scan whole hubs or corpora into a SQLite file or a PostgreSQL database and
// report the paper's tables from it (docs/study.md).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "source/hub/catalog.hpp"
#include "source/hub/listings.hpp"
#include "source/hub/target.hpp"
#include "study/report.hpp"
#include "study/runner.hpp"
#include "study/store.hpp"

namespace mg {

namespace fs = std::filesystem;

namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A store location fit to print: a PostgreSQL URI loses the password in its user info.
std::string printable_location(const std::string& location) {
  if (!study::is_postgres_location(location)) return location;
  const auto scheme = location.find("://") + 3;
  const auto at = location.find('@', scheme);
  const auto slash = location.find('/', scheme);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return location;
  const auto colon = location.find(':', scheme);
  if (colon == std::string::npos || colon > at) return location;
  return location.substr(0, colon) + ":***" + location.substr(at);
}

bool is_repo_folder_name(const std::string& name) { return name.find("__") != std::string::npos; }

// "owner__name" -> "owner/name" (the corpus layout); other names stay as they are.
std::string id_from_folder(const std::string& name) {
  const auto p = name.find("__");
  return p == std::string::npos ? name : name.substr(0, p) + "/" + name.substr(p + 2);
}

std::vector<fs::path> subfolders(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::error_code ec;
    if (e.is_directory(ec) && !e.is_symlink(ec) && e.path().filename().string().front() != '.') out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

void StudyCommand::register_options(CLI::App& cmd) {
  cmd.require_subcommand(1);
  auto store_opt = [this](CLI::App* sub) {
    sub->add_option("db", db_, "Study store: a SQLite file, or postgresql://user@host/db (workers on many machines)")->required();
    sub->add_option("--study", study_, "Study name inside the store")->capture_default_str();
  };
  init_ = cmd.add_subcommand("init", "Create a study store (or migrate an existing one)");
  store_opt(init_);

  add_ = cmd.add_subcommand("add", "Add repositories to scan");
  store_opt(add_);
  auto* from = add_->add_option("--from-file", from_file_, "File of repository ids (hf:owner/name, owner/name) or paths, one a line");
  auto* folders = add_->add_option("--folders", folders_,
                                   "Folders of repositories: each subfolder is one; <group>/<owner>__<name>/ counts "
                                   "owner/name under the group");
  auto* hf = add_->add_option("--hf-list", hf_filters_, "Hugging Face listing filters (e.g. custom_code); ANDed");
  ms_list_ = add_->add_option("--ms-list", ms_criteria_,
                              "The ModelScope listing, optionally filtered by category=value criteria (tags=custom_code, "
                              "organizations=Qwen); ANDed")
                 ->expected(0, -1);
  csg_list_ = add_->add_option("--csg-list", csg_filters_,
                               "The OpenCSG listing, optionally filtered by key=value (search=, task_tag=, tag_name=, source=)")
                  ->expected(0, -1);
  auto* th = add_->add_option("--torchhub-index", torchhub_index_,
                              "A pytorch/hub checkout: every github-link of its Markdown files becomes torchhub:owner/repo");
  auto* mm = add_->add_option("--openmmlab", openmmlab_,
                              "OpenMMLab checkouts (model-index.yml): each codebase is one repository, as the paper counted them");
  const std::vector<CLI::Option*> sources = {from, folders, hf, ms_list_, csg_list_, th, mm};
  for (std::size_t i = 0; i < sources.size(); ++i) {
    for (std::size_t j = i + 1; j < sources.size(); ++j) sources[i]->excludes(sources[j]);
  }
  add_->add_option("--platform", platform_, "Platform/group to count them under (default: the folder group, the hub, or 'local')");
  add_->add_option("--endpoint", endpoint_,
                   "Hub endpoint for a listing (default HF_ENDPOINT, MODELSCOPE_DOMAIN or CSGHUB_DOMAIN, else the public hub)");
  add_->add_option("--limit", limit_, "Listings: stop after this many repositories (0 = all)");
  add_->add_option("--page-size", page_size_, "Listings: repositories per request (default 1000 on Hugging Face, 100 elsewhere)");

  run_ = cmd.add_subcommand("run", "Scan the pending repositories");
  store_opt(run_);
  run_->add_option("--workers,-j", workers_, "Repositories scanned at once (0 = one per core)");
  run_->add_option("--shard", shard_, "i/n: only the repositories whose id hashes to shard i of n");
  run_->add_option("--limit", limit_, "Scan at most this many repositories, then stop");
  run_->add_option("--endpoint", endpoint_, "Hub endpoint for hub repositories");
  run_->add_flag("--offline", offline_, "Hub repositories from the local caches only");
  run_->add_flag("--quiet,-q", quiet_, "No progress line");
  run_->add_option("--lease", lease_s_, "PostgreSQL: seconds a job stays leased without a heartbeat")
      ->check(CLI::Range(1.0, 86400.0))->capture_default_str();
  run_->add_option("--max-attempts", max_attempts_, "PostgreSQL: attempts before a job is failed")
      ->check(CLI::Range(1, 1000))->capture_default_str();
  run_->add_option("--backoff", backoff_s_, "PostgreSQL: seconds before the first retry (doubles each attempt)")
      ->check(CLI::Range(0.0, 86400.0))->capture_default_str();
  run_->add_option("--rate", rates_, "PostgreSQL: platform=N, at most N repositories/s of that platform across all workers");

  status_ = cmd.add_subcommand("status", "Counts of done, failed and pending repositories");
  store_opt(status_);
  status_->add_option("--format", format_, "text or json")->check(CLI::IsMember({"text", "json"}));

  report_ = cmd.add_subcommand("report", "Write the study's tables (Markdown, CSV, HTML)");
  store_opt(report_);
  report_->add_option("--out", out_, "Output folder");
  report_->add_option("--format", formats_, "Comma-separated: md, csv, html")->capture_default_str();
  report_->add_flag("--sql", print_sql_, "Print the report's SQL queries (Markdown) instead");
}

int StudyCommand::run() {
  if (*init_) return run_init();
  if (*add_) return run_add();
  if (*run_) return run_run();
  if (*status_) return run_status();
  if (*report_) return run_report();
  return 2;
}

int StudyCommand::run_init() {
  const auto store = study::open_store(db_, true);
  store->study(study_, true);
  std::printf("%s: schema version %d, study '%s'\n", printable_location(db_).c_str(), store->version(), study_.c_str());
  return 0;
}

int StudyCommand::run_add() {
  const bool ms = ms_list_->count() > 0, csg = csg_list_->count() > 0;
  // A listing option given without values arrives as one empty value: no filter.
  for (auto* v : {&ms_criteria_, &csg_filters_}) v->erase(std::remove(v->begin(), v->end(), std::string()), v->end());
  if (from_file_.empty() && folders_.empty() && hf_filters_.empty() && !ms && !csg && torchhub_index_.empty() && openmmlab_.empty()) {
    std::fprintf(stderr,
                 "modelgate study add: give --from-file, --folders, --hf-list, --ms-list, --csg-list, --torchhub-index or --openmmlab\n");
    return 2;
  }
  std::vector<study::Repository> repos;
  std::vector<std::string> problems;
  if (!from_file_.empty()) {
    std::ifstream in(from_file_);
    if (!in) {
      std::fprintf(stderr, "modelgate study add: cannot read %s\n", from_file_.c_str());
      return 2;
    }
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) {
      ++n;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
      const auto start = line.find_first_not_of(" \t");
      if (start == std::string::npos || line[start] == '#') continue;
      line = line.substr(start);
      std::error_code ec;
      if (fs::exists(line, ec)) {
        const fs::path p = fs::absolute(line).lexically_normal();
        repos.push_back({0, id_from_folder(p.filename().string()), p.string(), platform_.empty() ? "local" : platform_, ""});
        continue;
      }
      // A hub form (hf:, ms:, csg:, torchhub:, github:, a hub URL) is scanned as written; a bare
      // owner/name is a Hugging Face id.
      std::string source = line;
      auto hub = hub::parse_hub_target(source);
      if (hub && !*hub && line.find('/') != std::string::npos) {
        source = "hf:" + line;
        hub = hub::parse_hub_target(source);
      }
      if (!hub || !*hub) {
        problems.push_back(from_file_ + ":" + std::to_string(n) + ": neither an existing path nor a hub repository: " +
                           (hub ? line : hub.error().message));
        continue;
      }
      const auto& t = **hub;
      repos.push_back({0, t.repo, source, platform_.empty() ? std::string(hub::hub_name(t.hub)) : platform_, ""});
    }
  }
  for (const auto& dir : folders_) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      std::fprintf(stderr, "modelgate study add: %s is not a folder\n", dir.c_str());
      return 2;
    }
    const fs::path root = fs::absolute(dir).lexically_normal();
    const std::string group = platform_.empty() ? root.filename().string() : platform_;
    for (const auto& sub : subfolders(root)) {
      const std::string name = sub.filename().string();
      std::vector<fs::path> inner = is_repo_folder_name(name) ? std::vector<fs::path>{} : subfolders(sub);
      const bool category = !inner.empty() && std::all_of(inner.begin(), inner.end(), [](const fs::path& p) {
        return is_repo_folder_name(p.filename().string());
      });
      if (category) {
        for (const auto& repo : inner) {
          repos.push_back({0, id_from_folder(repo.filename().string()), repo.string(), platform_.empty() ? name : platform_, ""});
        }
      } else {
        repos.push_back({0, id_from_folder(name), sub.string(), group, ""});
      }
    }
  }
  if (!hf_filters_.empty()) {
    hub::CatalogQuery q;
    q.endpoint = endpoint_;
    q.filters = hf_filters_;
    q.page_size = page_size_ != 0 ? page_size_ : 1000;
    q.max_entries = limit_;
    const bool tty = isatty(STDERR_FILENO) != 0;
    auto listed = hub::list_hf_models(q, problems, [tty](std::size_t n) {
      if (tty) std::fprintf(stderr, "\rlisted %zu repositories", n);
    });
    if (tty) std::fprintf(stderr, "\n");
    if (!listed) {
      std::fprintf(stderr, "modelgate study add: %s\n", listed.error().message.c_str());
      return 2;
    }
    for (const auto& e : *listed) {
      std::string tags;
      for (const auto& t : e.tags) tags += (tags.empty() ? "" : ",") + t;
      repos.push_back({0, e.id, "hf:" + e.id, platform_.empty() ? "huggingface" : platform_, tags});
    }
  }
  if (ms || csg) {
    const bool tty = isatty(STDERR_FILENO) != 0;
    auto progress = [tty](std::size_t n) {
      if (tty) std::fprintf(stderr, "\rlisted %zu repositories", n);
    };
    Result<std::vector<hub::CatalogEntry>> listed = std::vector<hub::CatalogEntry>{};
    if (ms) {
      hub::MsListQuery q;
      q.endpoint = endpoint_;
      q.criteria = ms_criteria_;
      q.page_size = page_size_ != 0 ? page_size_ : 100;
      q.max_entries = limit_;
      listed = hub::list_ms_models(q, problems, progress);
    } else {
      hub::CsgListQuery q;
      q.endpoint = endpoint_;
      q.params = csg_filters_;
      q.page_size = page_size_ != 0 ? page_size_ : 100;
      q.max_entries = limit_;
      listed = hub::list_csg_models(q, problems, progress);
    }
    if (tty) std::fprintf(stderr, "\n");
    if (!listed) {
      std::fprintf(stderr, "modelgate study add: %s\n", listed.error().message.c_str());
      return 2;
    }
    const std::string prefix = ms ? "ms:" : "csg:";
    const std::string hub = ms ? "modelscope" : "opencsg";
    for (const auto& e : *listed) {
      std::string tags;
      for (const auto& t : e.tags) tags += (tags.empty() ? "" : ",") + t;
      repos.push_back({0, e.id, prefix + e.id, platform_.empty() ? hub : platform_, tags});
    }
  }
  if (!torchhub_index_.empty()) {
    auto listed = hub::list_torchhub_index(torchhub_index_, problems);
    if (!listed) {
      std::fprintf(stderr, "modelgate study add: %s\n", listed.error().message.c_str());
      return 2;
    }
    for (const auto& e : *listed) {
      if (limit_ != 0 && repos.size() >= limit_) break;
      repos.push_back({0, e.id, "torchhub:" + e.id, platform_.empty() ? "torchhub" : platform_, e.tags.empty() ? "" : e.tags[0]});
    }
  }
  for (const auto& dir : openmmlab_) {
    auto index = hub::read_mm_index(dir, problems);
    if (!index) {
      std::fprintf(stderr, "modelgate study add: %s\n", index.error().message.c_str());
      return 2;
    }
    // One repository per codebase (the paper's 16); the index says how many models it serves.
    repos.push_back({0, index->repo, fs::absolute(dir).lexically_normal().string(), platform_.empty() ? "openmmlab" : platform_,
                     "openmmlab,models:" + std::to_string(index->models.size()) + ",metafiles:" + std::to_string(index->metafiles)});
  }
  const auto store = study::open_store(db_, false);
  const auto study = store->study(study_, false);
  const std::size_t added = store->add_repositories(study, repos);
  for (const auto& p : problems) std::fprintf(stderr, "modelgate study add: %s\n", p.c_str());
  std::printf("added %zu of %zu repositories (%zu already in the study)\n", added, repos.size(), repos.size() - added);
  return problems.empty() ? 0 : 2;
}

int StudyCommand::run_run() {
  study::RunOptions o;
  o.workers = workers_;
  o.limit = limit_;
  if (!shard_.empty()) {
    unsigned i = 0, n = 0;
    char extra = 0;
    if (std::sscanf(shard_.c_str(), "%u/%u%c", &i, &n, &extra) != 2 || n == 0 || i >= n) {
      std::fprintf(stderr, "modelgate study run: --shard must be i/n with 0 <= i < n (got '%s')\n", shard_.c_str());
      return 2;
    }
    o.shard_index = i;
    o.shard_count = n;
  }
  if (!endpoint_.empty()) o.hub.endpoint = endpoint_;
  if (offline_) o.hub.offline = true;
  ProgressBar bar(stderr, !quiet_, "repo/s");  // draws only on a terminal (src/cli/progress.hpp)
  if (bar.active()) {
    o.progress = [&bar](const study::RunCounts& c, const std::string& repo) {
      char tallies[96];
      std::snprintf(tallies, sizeof tallies, "scanned %zu, skipped %zu, failed %zu  ", c.scanned, c.skipped, c.failed);
      bar.update(c.finished(), c.total, tallies + repo);
    };
  }
  study::RunCounts c;
  if (study::is_postgres_location(db_)) {
    if (!shard_.empty()) {
      std::fprintf(stderr, "modelgate study run: --shard is for SQLite files; PostgreSQL workers share one job queue\n");
      return 2;
    }
    std::vector<std::pair<std::string, double>> rates;
    for (const auto& r : rates_) {
      const auto eq = r.rfind('=');
      char* end = nullptr;
      const double n = eq == std::string::npos ? 0 : std::strtod(r.c_str() + eq + 1, &end);
      if (eq == std::string::npos || eq == 0 || end == r.c_str() + eq + 1 || *end != 0 || !(n > 0) || n > 1e6) {
        std::fprintf(stderr, "modelgate study run: --rate must be platform=N with N > 0 requests/s (got '%s')\n", r.c_str());
        return 2;
      }
      rates.emplace_back(r.substr(0, eq), n);
    }
    study::QueuePolicy policy;
    policy.lease_s = lease_s_;
    policy.max_attempts = max_attempts_;
    policy.backoff_s = backoff_s_;
    c = study::run_pg_study(db_, study_, o, policy, rates);
  } else {
    if (!rates_.empty()) {
      std::fprintf(stderr, "modelgate study run: --rate needs a PostgreSQL store (one process per SQLite file)\n");
      return 2;
    }
    study::Store store(db_, false);
    const auto study = store.study(study_, false);
    c = study::run_study(store, study, o);
  }
  bar.finish();
  // One machine-readable line (stdout), for batch systems and scripts.
  std::printf("{\"pending\":%zu,\"scanned\":%zu,\"skipped\":%zu,\"failed\":%zu,\"findings\":%llu,\"elapsed_s\":%.3f,"
              "\"rules_version\":%s,\"shard\":%s}\n",
              c.total, c.scanned, c.skipped, c.failed, static_cast<unsigned long long>(c.findings), c.elapsed_s,
              json_string(study::rules_version()).c_str(),
              json_string(std::to_string(o.shard_index) + "/" + std::to_string(o.shard_count)).c_str());
  return c.failed == 0 ? 0 : 2;
}

int StudyCommand::run_status() {
  const auto store = study::open_store(db_, false);
  const auto study = store->study(study_, false);
  const auto s = store->status(study, study::rules_version());
  if (format_ == "json") {
    std::string platforms;
    for (const auto& [p, n] : s.per_platform) platforms += (platforms.empty() ? "" : ",") + json_string(p) + ":" + std::to_string(n);
    std::printf("{\"study\":%s,\"rules_version\":%s,\"repositories\":%lld,\"done\":%lld,\"pending\":%lld,\"failed\":%lld,"
                "\"findings\":%lld,\"platforms\":{%s}}\n",
                json_string(study_).c_str(), json_string(study::rules_version()).c_str(), static_cast<long long>(s.repositories),
                static_cast<long long>(s.done), static_cast<long long>(s.pending), static_cast<long long>(s.failed),
                static_cast<long long>(s.findings), platforms.c_str());
    return 0;
  }
  std::printf("study %s (rules %s): %lld repositories, %lld done, %lld pending (%lld of them failed last time), %lld findings\n",
              study_.c_str(), study::rules_version().c_str(), static_cast<long long>(s.repositories),
              static_cast<long long>(s.done), static_cast<long long>(s.pending), static_cast<long long>(s.failed),
              static_cast<long long>(s.findings));
  for (const auto& [p, n] : s.per_platform) std::printf("  %-24s %lld\n", p.c_str(), static_cast<long long>(n));
  return 0;
}

int StudyCommand::run_report() {
  if (print_sql_) {
    std::fputs(study::render_queries_markdown().c_str(), stdout);
    return 0;
  }
  if (out_.empty()) {
    std::fprintf(stderr, "modelgate study report: --out DIR is required\n");
    return 2;
  }
  bool md = false, csv = false, html = false;
  std::string rest = formats_;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const std::string f = rest.substr(0, comma);
    rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    if (f == "md") {
      md = true;
    } else if (f == "csv") {
      csv = true;
    } else if (f == "html") {
      html = true;
    } else {
      std::fprintf(stderr, "modelgate study report: unknown format '%s' (md, csv, html)\n", f.c_str());
      return 2;
    }
  }
  const auto store = study::open_store(db_, false);
  const auto tables = store->report(study_);
  fs::create_directories(out_);
  auto write = [&](const std::string& name, const std::string& text) {
    const fs::path p = fs::path(out_) / name;
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) throw study::StoreError("cannot write " + p.string());
  };
  if (md) write("report.md", study::render_markdown(study_, tables));
  if (csv) {
    for (const auto& t : tables) write(t.query->name + ".csv", study::render_csv(t));
  }
  if (html) write("report.html", study::render_html(study_, tables));
  std::printf("wrote %zu tables to %s\n", tables.size(), out_.c_str());
  return 0;
}

}  // namespace mg
