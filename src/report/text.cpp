// Human report: per target, the load plan in brief, then findings grouped by severity with
// load-reachable ones first. Colour only when asked (the CLI asks only on a terminal).
#include <fmt/format.h>

#include <map>

#include "report/report.hpp"

namespace mg {

namespace {

struct Palette {
  bool on;
  std::string paint(std::string_view s, std::string_view code) const {
    return on ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  }
  std::string severity(Severity s, std::string_view text) const {
    switch (s) {
      case Severity::critical: return paint(text, "1;35");
      case Severity::high: return paint(text, "1;31");
      case Severity::medium: return paint(text, "33");
      case Severity::low: return paint(text, "36");
    }
    return std::string(text);
  }
  std::string dim(std::string_view s) const { return paint(s, "2"); }
  std::string bold(std::string_view s) const { return paint(s, "1"); }
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string location(const Finding& f) {
  if (f.line == 0) return f.file;
  return fmt::format("{}:{}:{}", f.file, f.line, f.column);
}

// The repository's signature as far as a scan checks it (docs/signing.md): who it names, whether
// the envelope holds against the certificate it carries, whether the files still match. Trust in
// the signer is never claimed here; that is `modelgate verify`.
void render_integrity(std::string& out, const Integrity& in, const Palette& p) {
  if (in.signature_file.empty()) return;
  if (in.method.empty()) {
    out += fmt::format("  signature: {} {}\n", in.signature_file, p.paint("unreadable: " + in.problem, "33"));
    return;
  }
  std::string state = !in.signature_valid ? "signer's key not checked by a scan"
                      : *in.signature_valid ? "envelope signature valid"
                                            : p.paint("envelope signature INVALID", "31");
  out += fmt::format("  signature: {} ({}) by {}; {}, signer not verified (modelgate verify)\n", in.signature_file, in.method, in.signer, state);
  if (in.files_match) {
    if (*in.files_match) {
      out += "  signed files: all match\n";
    } else {
      constexpr std::size_t kShown = 5;
      std::string list;
      for (std::size_t i = 0; i < in.mismatches.size() && i < kShown; ++i) list += (i ? ", " : "") + in.mismatches[i];
      if (in.mismatches.size() > kShown) list += fmt::format(" and {} more", in.mismatches.size() - kShown);
      out += "  signed files: " + p.paint(fmt::format("{} differ ({})", in.mismatches.size(), list), "31") + "\n";
    }
  }
  if (!in.problem.empty()) out += p.dim("  signature note: " + in.problem) + "\n";
}

void render_target(std::string& out, const TargetReport& t, const RenderOptions& options, const Palette& p) {
  out += p.bold(t.target) + "\n";
  if (!t.followed_from.empty()) {
    out += fmt::format("  followed from {} ({}: {} = {})\n", t.followed_from, t.followed_reference.file, t.followed_reference.key,
                       t.followed_reference.value);
  }
  std::string source = t.kind;
  if (!t.repo_id.empty()) source += " " + t.repo_id;
  if (!t.revision.empty()) source += "@" + t.revision.substr(0, 12);
  const std::string verdict = t.verdict ? p.severity(*t.verdict, to_string(*t.verdict)) : p.paint("clean", "32");
  out += fmt::format("  platform {}  source {}  status {}  verdict {}\n", t.plan.platform, source,
                     t.partial() ? p.paint("partial", "33") : "complete", verdict);
  if (t.transfer) {
    const Transfer& x = *t.transfer;
    out += fmt::format("  fetched {} bytes in {} request{} for a repository of {} bytes ({} from the cache, {} used in place{})\n",
                       x.fetched_bytes, x.requests, x.requests == 1 ? "" : "s", x.repository_bytes, x.cached_bytes, x.local_bytes,
                       x.rounds ? fmt::format(", {} more round{}", x.rounds, x.rounds == 1 ? "" : "s") : "");
  }
  if (t.plan.triggers.empty()) {
    out += "  custom code: not required\n";
  } else {
    out += fmt::format("  custom code: required ({} trigger{})\n", t.plan.triggers.size(), t.plan.triggers.size() == 1 ? "" : "s");
    for (const auto& tr : t.plan.triggers) {
      std::string target = tr.module + (tr.symbol.empty() ? "" : ":" + tr.symbol);
      if (!tr.remote_repo.empty()) target = tr.remote_repo + "/" + target;
      out += fmt::format("    {} {} -> {}  {}\n", tr.file, tr.key, target, p.dim("[" + tr.loader + "; gate: " + tr.gate + "]"));
    }
  }
  if (!t.plan.module_files.empty()) {
    constexpr std::size_t kShown = 10;  // the JSON report has them all
    std::string files;
    for (std::size_t i = 0; i < t.plan.module_files.size() && i < kShown; ++i) files += (i ? ", " : "") + t.plan.module_files[i];
    if (t.plan.module_files.size() > kShown) files += fmt::format(" and {} more", t.plan.module_files.size() - kShown);
    out += fmt::format("  runs at load: {}\n", files);
  }
  if (!t.plan.required_packages.empty()) {
    std::string pkgs;
    for (const auto& pkg : t.plan.required_packages) pkgs += (pkgs.empty() ? "" : ", ") + pkg;
    out += fmt::format("  imports packages: {}\n", pkgs);
  }
  for (const auto& d : t.plan.deserialization) {
    out += fmt::format("  deserializes: {} ({}, {}{})\n", d.file, d.format, d.loader, d.read_at_load ? "" : "; training state or test data, not read at load");
  }

  render_integrity(out, t.integrity, p);

  auto findings = visible_findings(t, options);
  // Findings the baseline already has are counted, not listed, unless asked (--show-existing).
  const std::size_t hidden = options.show_existing ? 0 : static_cast<std::size_t>(std::erase_if(findings, [](const Finding* f) {
    return f->baseline == BaselineState::existing;
  }));
  std::map<Severity, std::vector<const Finding*>, std::greater<>> groups;
  for (const Finding* f : findings) groups[f->severity].push_back(f);
  for (const auto& [sev, list] : groups) {
    out += "\n  " + p.severity(sev, fmt::format("{} ({})", upper(to_string(sev)), list.size())) + "\n";
    for (const Finding* f : list) {
      const std::string_view reach = f->load_reachable == Reach::yes ? "runs at load" : f->load_reachable == Reach::no ? "not run at load" : "reachability unknown";
      const std::string_view state = f->baseline == BaselineState::existing ? "  [existing]" : f->baseline == BaselineState::fresh ? "  [new]" : "";
      out += fmt::format("    {} {}  {}  {}{}\n", p.bold(f->rule_id), location(*f), f->title, p.dim("(" + std::string(reach) + ")"), state);
      out += fmt::format("        {}\n", f->message);
      if (!f->snippet.empty()) out += p.dim(fmt::format("        > {}", f->snippet)) + "\n";
      for (std::size_t i = 0; i < f->evidence.size(); ++i) {  // source -> calls -> sink
        const auto& e = f->evidence[i];
        out += p.dim(fmt::format("        {}{}:{}  {}", i == 0 ? "" : std::string(2 * std::min<std::size_t>(i, 6), ' ') + "-> ", e.file, e.line, e.note)) + "\n";
      }
    }
  }
  if (hidden > 0) {
    out += fmt::format("\n  {} existing finding{} (in the baseline) not listed; --show-existing lists them\n", hidden, hidden == 1 ? "" : "s");
  }
  if (!t.incomplete.empty()) {
    out += "\n  " + p.paint("not analysed:", "33") + "\n";
    for (const auto& i : t.incomplete) out += fmt::format("    {}: {}\n", i.file.empty() ? t.target : i.file, i.reason);
  }
  out += "\n";
}

}  // namespace

std::string render_text(const ScanReport& report, const RenderOptions& options) {
  const Palette p{options.color};
  std::string out;
  std::map<Severity, std::size_t> counts;
  std::size_t total = 0, partial = 0, hidden = 0;
  for (const auto& t : report.targets) {
    render_target(out, t, options, p);
    for (const Finding* f : visible_findings(t, options)) {
      if (f->baseline == BaselineState::existing && !options.show_existing) {
        ++hidden;
        continue;
      }
      ++counts[f->severity];
      ++total;
    }
    partial += t.partial() ? 1 : 0;
  }
  out += fmt::format("{} target{}, {} finding{} (critical {}, high {}, medium {}, low {}), {} partial\n", report.targets.size(),
                     report.targets.size() == 1 ? "" : "s", total, total == 1 ? "" : "s", counts[Severity::critical],
                     counts[Severity::high], counts[Severity::medium], counts[Severity::low], partial);
  if (hidden > 0) {
    out.pop_back();
    out += fmt::format(", {} existing in the baseline not listed\n", hidden);
  }
  return out;
}

}  // namespace mg
