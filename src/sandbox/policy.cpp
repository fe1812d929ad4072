#include "sandbox/policy.hpp"

#include <nlohmann/json.hpp>

#include "formats/json_guard.hpp"

namespace mg::sandbox {
namespace {

constexpr std::size_t kMaxPolicyBytes = 64 * 1024;
constexpr std::size_t kMaxPaths = 64;

// A path we can hand to bwrap unchanged: absolute, no "." or ".." parts, no empty parts, no NUL,
// not "/" itself (binding the whole root would undo the sandbox).
bool plain_absolute_path(const std::string& p) {
  if (p.size() < 2 || p.size() > 4096 || p[0] != '/' || p.back() == '/') return false;
  if (p.find('\0') != std::string::npos) return false;
  std::size_t start = 1;
  while (start <= p.size()) {
    const std::size_t end = std::min(p.find('/', start), p.size());
    const std::string_view part(p.data() + start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

Result<std::vector<std::string>> path_list(const nlohmann::json& doc, const char* key) {
  std::vector<std::string> out;
  if (!doc.contains(key)) return out;
  const auto& v = doc.at(key);
  if (!v.is_array()) return make_error(std::string("\"") + key + "\" must be an array of absolute paths");
  if (v.size() > kMaxPaths) return make_error(std::string("\"") + key + "\" lists more than 64 paths");
  for (const auto& item : v) {
    if (!item.is_string()) return make_error(std::string("\"") + key + "\" must hold strings");
    auto p = item.get<std::string>();
    if (!plain_absolute_path(p))
      return make_error(std::string("\"") + key + "\": \"" + p.substr(0, 200) + "\" is not a plain absolute path (no '..', '.', '//', trailing '/' or '/')");
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

Result<Policy> parse_policy(std::string_view text) {
  if (text.size() > kMaxPolicyBytes) return make_error("policy is larger than 64 KiB");
  if (!json_depth_within(text, 8)) return make_error("policy nests deeper than 8 levels");
  nlohmann::json doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) return make_error("policy is not valid JSON");
  if (!doc.is_object()) return make_error("policy must be a JSON object");
  for (const auto& [key, _] : doc.items()) {
    if (key != "version" && key != "allow_network" && key != "write_paths" && key != "read_only_paths" && key != "limits")
      return make_error("unknown key \"" + key.substr(0, 100) + "\" (known: version, allow_network, write_paths, read_only_paths, limits)");
  }
  if (!doc.contains("version") || !doc.at("version").is_number_integer() || doc.at("version").get<long long>() != 1)
    return make_error("\"version\" must be 1");
  Policy policy;
  if (doc.contains("allow_network")) {
    if (!doc.at("allow_network").is_boolean()) return make_error("\"allow_network\" must be true or false");
    policy.allow_network = doc.at("allow_network").get<bool>();
  }
  auto writes = path_list(doc, "write_paths");
  if (!writes) return writes.error();
  auto reads = path_list(doc, "read_only_paths");
  if (!reads) return reads.error();
  policy.write_paths = std::move(*writes);
  policy.read_only_paths = std::move(*reads);
  if (doc.contains("limits")) {
    const auto& l = doc.at("limits");
    if (!l.is_object()) return make_error("\"limits\" must be an object");
    struct Known {
      const char* key;
      std::uint64_t* into;
      std::uint64_t max;
    };
    const Known known[] = {{"address_space_mb", &policy.limits.address_space_mb, 1ull << 30},  // up to 1 PiB
                           {"cpu_seconds", &policy.limits.cpu_seconds, 1ull << 32},
                           {"processes", &policy.limits.processes, 1ull << 22},
                           {"file_size_mb", &policy.limits.file_size_mb, 1ull << 30}};
    for (const auto& [key, v] : l.items()) {
      const Known* k = nullptr;
      for (const auto& c : known) {
        if (key == c.key) k = &c;
      }
      if (k == nullptr)
        return make_error("unknown limit \"" + key.substr(0, 100) + "\" (known: address_space_mb, cpu_seconds, processes, file_size_mb)");
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() == 0 || v.get<std::uint64_t>() > k->max)
        return make_error("limit \"" + key + "\" must be a positive integer up to " + std::to_string(k->max));
      *k->into = v.get<std::uint64_t>();
    }
  }
  return policy;
}

}  // namespace mg::sandbox
