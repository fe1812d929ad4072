#include "formats/torchscript.hpp"

namespace mg::torchscript {

bool is_code_member(std::string_view name) {
  if (name.size() < 4 || name.substr(name.size() - 3) != ".py") return false;
  return name.substr(0, 5) == "code/" || name.find("/code/") != std::string_view::npos;
}

Sources code_sources(std::span<const std::uint8_t> zip_bytes, const zip::ZipLimits& limits, std::size_t max_files,
                     std::uint64_t max_bytes) {
  Sources out;
  auto ar = zip::read_archive(zip_bytes, limits);
  if (!ar) {
    out.complete = false;
    out.error = ar.error().message;
    return out;
  }
  std::uint64_t total = 0;
  for (const auto& m : ar->members) {
    if (!is_code_member(m.name)) continue;
    if (out.files.size() >= max_files || m.size > max_bytes - total) {
      out.complete = false;
      out.error = "TorchScript sources past the limits";
      break;
    }
    std::vector<std::uint8_t> storage;
    auto bytes = zip::member_bytes(zip_bytes, m, storage, limits);
    if (!bytes) {
      out.complete = false;
      out.error = m.name + ": " + bytes.error().message;
      continue;
    }
    total += bytes->size();
    if (total > max_bytes) {  // the header's size was a lie
      out.complete = false;
      out.error = "TorchScript sources past the limits";
      break;
    }
    out.files.push_back({m.name, std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size())});
  }
  return out;
}

}  // namespace mg::torchscript
