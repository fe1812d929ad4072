#include "report/baseline.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/json_writer.hpp"
#include "formats/json_guard.hpp"
#include "report/report.hpp"

namespace mg {

namespace {

constexpr std::uint64_t kMaxBaselineBytes = 256ull << 20;

bool is_fingerprint(const std::string& s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::string render_baseline(const ScanReport& report) {
  JsonWriter w;
  w.begin_object();
  w.key("modelgate_baseline").value(kBaselineVersion);
  w.key("tool").begin_object().key("name").value(kToolName).key("version").value(kToolVersion).end_object();
  w.key("findings").begin_array();
  for (const auto& t : report.targets) {
    for (const auto& f : t.findings) {
      w.begin_object();
      w.key("fingerprint").value(f.fingerprint);
      w.key("rule_id").value(f.rule_id);
      w.key("target").value(t.target);
      w.key("file").value(f.file);
      w.key("line").value(f.line);
      w.key("message").value(f.message);
      w.end_object();
    }
  }
  w.end_array();
  w.end_object();
  std::string out = w.take();
  out += '\n';
  return out;
}

Result<Baseline> parse_baseline(std::string_view text) {
  if (!json_depth_within(text, 16)) return make_error("not a modelgate baseline: JSON nested too deep");
  const auto doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return make_error("not valid JSON");
  if (!doc.is_object()) return make_error("not a modelgate baseline: the top level is not an object");
  const auto version = doc.find("modelgate_baseline");
  if (version == doc.end()) return make_error("not a modelgate baseline: no \"modelgate_baseline\" version field");
  if (!version->is_number_integer() || version->get<std::int64_t>() != kBaselineVersion) {
    return make_error("baseline version " + version->dump() + " is not supported (this build reads version " + std::to_string(kBaselineVersion) + ")");
  }
  const auto findings = doc.find("findings");
  if (findings == doc.end() || !findings->is_array()) return make_error("not a modelgate baseline: no \"findings\" array");
  Baseline b;
  std::size_t index = 0;
  for (const auto& f : *findings) {
    const std::string where = "findings[" + std::to_string(index++) + "]";
    if (!f.is_object()) return make_error(where + " is not an object");
    const auto fp = f.find("fingerprint");
    if (fp == f.end() || !fp->is_string() || !is_fingerprint(fp->get<std::string>())) {
      return make_error(where + ": \"fingerprint\" must be 32 lowercase hex digits");
    }
    b.fingerprints.insert(fp->get<std::string>());
  }
  return b;
}

Result<Baseline> load_baseline(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return make_error(path + ": no such baseline file");
  if (std::filesystem::file_size(path, ec) > kMaxBaselineBytes) return make_error(path + ": larger than 256 MiB; not a baseline");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return make_error(path + ": cannot read");
  auto b = parse_baseline(ss.str());
  if (!b) return make_error(path + ": " + b.error().message);
  return b;
}

std::size_t apply_baseline(const Baseline& baseline, ScanReport& report) {
  std::size_t existing = 0;
  for (auto& t : report.targets) {
    for (auto& f : t.findings) {
      const bool known = baseline.fingerprints.count(f.fingerprint) != 0;
      f.baseline = known ? BaselineState::existing : BaselineState::fresh;
      existing += known ? 1 : 0;
    }
  }
  return existing;
}

}  // namespace mg
