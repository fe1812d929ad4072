#include "formats/safetensors.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <string_view>

#include "formats/json_guard.hpp"

namespace mg::safetensors {

namespace {

std::uint64_t le64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int k = 7; k >= 0; --k) v = (v << 8) | p[k];
  return v;
}

// Bits per element of each dtype the reference implementation knows.
int dtype_bits(std::string_view t) {
  static constexpr std::pair<std::string_view, int> kBits[] = {
      {"BOOL", 8}, {"U8", 8}, {"I8", 8}, {"F8_E5M2", 8}, {"F8_E4M3", 8}, {"F8_E8M0", 8}, {"I16", 16},
      {"U16", 16}, {"F16", 16}, {"BF16", 16}, {"I32", 32}, {"U32", 32}, {"F32", 32}, {"F64", 64},
      {"I64", 64}, {"U64", 64}, {"C64", 64}, {"F4", 4}, {"F6_E2M3", 6}, {"F6_E3M2", 6},
  };
  for (auto [name, bits] : kBits) {
    if (name == t) return bits;
  }
  return 0;
}

}  // namespace

bool looks_like_safetensors(std::span<const std::uint8_t> d) {
  if (d.size() < 10) return false;
  const std::uint64_t n = le64(d.data());
  return n >= 2 && n <= d.size() - 8 && d[8] == '{';
}

SafetensorsReport validate(std::span<const std::uint8_t> d, const SafetensorsLimits& limits) {
  SafetensorsReport rep;
  if (!looks_like_safetensors(d)) {
    if (d.size() >= 8 && le64(d.data()) > d.size() - 8) rep.problems.push_back("header length runs past the end of the file");
    else rep.problems.push_back("not a safetensors file");
    return rep;
  }
  rep.is_safetensors = true;
  const std::uint64_t n = le64(d.data());
  rep.header_bytes = n;
  if (n > limits.max_header_bytes) {
    rep.problems.push_back("header is " + std::to_string(n) + " bytes, over the 100 MB limit");
    return rep;
  }
  const std::string_view text(reinterpret_cast<const char*>(d.data() + 8), n);
  if (!json_depth_within(text, limits.max_json_depth)) {
    rep.problems.push_back("header JSON nests deeper than " + std::to_string(limits.max_json_depth));
    return rep;
  }
  // Duplicate top-level keys: JSON parsers keep one of them silently, and not all the same one.
  std::set<std::string> seen_keys;
  std::vector<std::string> duplicates;
  nlohmann::json::parser_callback_t cb = [&](int depth, nlohmann::json::parse_event_t ev, nlohmann::json& parsed) {
    if (ev == nlohmann::json::parse_event_t::key && depth == 1 && parsed.is_string()) {
      if (!seen_keys.insert(parsed.get<std::string>()).second && duplicates.size() < 16) {
        duplicates.push_back(parsed.get<std::string>());
      }
    }
    return true;
  };
  nlohmann::json header = nlohmann::json::parse(text.begin(), text.end(), cb, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object()) {
    rep.problems.push_back("header is not a JSON object");
    return rep;
  }
  rep.header_parsed = true;
  for (const auto& k : duplicates) rep.problems.push_back("duplicate tensor name '" + k + "'");
  const std::uint64_t data_size = d.size() - 8 - n;
  struct Span {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Span> spans;
  for (auto it = header.begin(); it != header.end(); ++it) {
    const std::string& name = it.key();
    const auto& v = it.value();
    if (name == "__metadata__") {
      if (!v.is_object()) {
        rep.problems.push_back("__metadata__ is not an object");
        continue;
      }
      for (auto m = v.begin(); m != v.end(); ++m) {
        if (!m.value().is_string()) {
          rep.problems.push_back("__metadata__ value '" + m.key() + "' is not a string");
          continue;
        }
        if (rep.metadata.size() < 4096) rep.metadata.emplace_back(m.key(), m.value().get<std::string>());
      }
      continue;
    }
    if (++rep.tensors > limits.max_tensors) {
      rep.problems.push_back("more tensors than the limit");
      break;
    }
    if (rep.problems.size() > 64) break;
    if (!v.is_object() || !v.contains("dtype") || !v.contains("shape") || !v.contains("data_offsets")) {
      rep.problems.push_back("tensor '" + name + "' lacks dtype, shape or data_offsets");
      continue;
    }
    const auto& dt = v["dtype"];
    const int bits = dt.is_string() ? dtype_bits(dt.get<std::string>()) : 0;
    if (bits == 0) {
      rep.problems.push_back("tensor '" + name + "' has an unknown dtype");
      continue;
    }
    const auto& shape = v["shape"];
    const auto& offs = v["data_offsets"];
    if (!shape.is_array() || !offs.is_array() || offs.size() != 2 || !offs[0].is_number_unsigned() ||
        !offs[1].is_number_unsigned()) {
      rep.problems.push_back("tensor '" + name + "' has a malformed shape or data_offsets");
      continue;
    }
    std::uint64_t numel = 1;
    bool overflow = false;
    for (const auto& dim : shape) {
      if (!dim.is_number_unsigned()) {
        overflow = true;
        break;
      }
      if (__builtin_mul_overflow(numel, dim.get<std::uint64_t>(), &numel)) {
        overflow = true;
        break;
      }
    }
    std::uint64_t nbits = 0;
    if (overflow || __builtin_mul_overflow(numel, static_cast<std::uint64_t>(bits), &nbits)) {
      rep.problems.push_back("tensor '" + name + "': shape product overflows 64 bits (parsers that wrap allocate too little)");
      continue;
    }
    const std::uint64_t b = offs[0].get<std::uint64_t>(), e = offs[1].get<std::uint64_t>();
    if (b > e || e > data_size) {
      rep.problems.push_back("tensor '" + name + "': data_offsets outside the data buffer");
      continue;
    }
    if (nbits % 8 != 0 || nbits / 8 != e - b) {
      rep.problems.push_back("tensor '" + name + "': shape x dtype is " + std::to_string(nbits / 8) +
                             " bytes but data_offsets span " + std::to_string(e - b));
      continue;
    }
    spans.push_back({b, e, name});
  }
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin || (a.begin == b.begin && a.end < b.end); });
  std::uint64_t expect = 0;
  for (const auto& s : spans) {
    if (s.begin < expect) {
      rep.problems.push_back("tensor '" + s.name + "' overlaps the previous tensor");
    } else if (s.begin > expect) {
      rep.problems.push_back("gap before tensor '" + s.name + "' (offsets are not contiguous)");
    }
    expect = std::max(expect, s.end);
    if (rep.problems.size() > 64) break;
  }
  if (rep.problems.empty() && expect != data_size) {
    rep.problems.push_back("tensor data ends at " + std::to_string(expect) + " but the buffer holds " +
                           std::to_string(data_size) + " bytes");
  }
  return rep;
}

std::vector<std::string> suspicious_metadata(const SafetensorsReport& report) {
  static constexpr std::string_view kNeedles[] = {
      "__import__", "import os", "import subprocess", "os.system", "subprocess.", "eval(", "exec(",
      "/bin/sh", "/bin/bash", "bash -c", "sh -c", "curl ", "wget ", "powershell", "base64 -d", "$(",
      "<script", "javascript:", "nc -e", "rm -rf",
  };
  std::vector<std::string> out;
  for (const auto& [k, v] : report.metadata) {
    for (auto needle : kNeedles) {
      if (v.find(needle) != std::string::npos || k.find(needle) != std::string::npos) {
        out.push_back(k + ": contains '" + std::string(needle) + "'");
        break;
      }
    }
  }
  return out;
}

}  // namespace mg::safetensors
