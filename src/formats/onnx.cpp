#include "formats/onnx.hpp"

#include <algorithm>
#include <set>
#include <string_view>
#include <utility>

#include "formats/protobuf_wire.hpp"

namespace mg::onnx {

namespace {

using Bytes = std::span<const std::uint8_t>;

// Domains onnxruntime implements itself (the ONNX standard ones and its built-in contrib ops).
bool standard_domain(std::string_view d) {
  static constexpr std::string_view kStd[] = {
      "", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training", "com.microsoft",
      "com.microsoft.nchwc", "com.microsoft.experimental", "com.ms.internal.nhwc", "org.pytorch.aten",
      "com.microsoft.dml",
  };
  return std::find(std::begin(kStd), std::end(kStd), d) != std::end(kStd);
}

}  // namespace

bool is_native_library_name(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view ext : {".dll", ".dylib", ".so"}) {
    if (lower.size() > ext.size() && lower.compare(lower.size() - ext.size(), ext.size(), ext) == 0) return true;
  }
  // libfoo.so.1 / libfoo.so.1.2.3
  const auto so = lower.find(".so.");
  return so != std::string::npos && so > 0 && so + 4 < lower.size() &&
         std::all_of(lower.begin() + static_cast<std::ptrdiff_t>(so) + 4, lower.end(),
                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

namespace {

bool lib_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
         c == '.' || c == '/' || c == '\\' || c == '+' || c == ':';
}

// File names ending in .so (optionally versioned: .so.1.2), .dll or .dylib inside free text.
void find_libraries(std::string_view text, const std::string& label, std::vector<std::string>& out) {
  text = text.substr(0, 1 << 16);
  for (std::size_t i = 0; i < text.size() && out.size() < 32;) {
    if (!lib_char(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && lib_char(text[j])) ++j;
    std::string_view tok = text.substr(i, j - i);
    i = j;
    while (!tok.empty() && (tok.back() == '.' || tok.back() == ':')) tok.remove_suffix(1);
    if (!is_native_library_name(tok) || tok.size() > 200) continue;
    std::string shown = label.empty() ? std::string(tok) : label + ": " + std::string(tok);
    if (std::find(out.begin(), out.end(), shown) == out.end()) out.push_back(std::move(shown));
  }
}

class Walker {
 public:
  Walker(OnnxReport& rep, std::uint32_t max_depth) : rep_(rep), max_depth_(max_depth) {}

  bool model(Bytes b) {
    // Local functions first: nodes calling them are ONNX graphs, whatever their domain.
    {
      pb::Reader r(b);
      pb::Field f;
      while (r.next(f)) {
        if (f.number == 25 && f.wire == 2) local_function_name(f.bytes);
      }
      if (!r.ok()) return fail("ModelProto is malformed");
    }
    pb::Reader r(b);
    pb::Field f;
    while (r.next(f)) {
      if (f.number == 1 && f.wire == 0) rep_.ir_version = static_cast<std::int64_t>(f.varint);
      if (f.wire != 2) continue;
      switch (f.number) {
        case 2: find_libraries(f.text(), "producer_name", rep_.native_libraries); break;
        case 6: find_libraries(f.text(), "doc_string", rep_.native_libraries); break;
        case 8: if (!opset(f.bytes)) return false; break;
        case 7: if (!graph(f.bytes, 1)) return false; break;
        case 14: if (!metadata(f.bytes)) return false; break;
        case 25: if (!function(f.bytes, 1)) return false; break;
        default: break;
      }
    }
    if (!r.ok()) return fail("ModelProto is malformed");
    // An opset_import entry that only names local functions' domain is no custom-op library.
    std::erase_if(rep_.custom_domains, [&](const CustomDomain& d) { return d.nodes == 0 && local_domains_.count(d.domain); });
    return true;
  }

 private:
  bool fail(std::string why) {
    if (rep_.error.empty()) rep_.error = std::move(why);
    return false;
  }
  CustomDomain* custom(std::string_view d) {
    if (standard_domain(d)) return nullptr;
    for (auto& c : rep_.custom_domains) {
      if (c.domain == d) return &c;
    }
    if (rep_.custom_domains.size() >= 64) return nullptr;
    rep_.custom_domains.push_back(CustomDomain{std::string(d), {}, 0, false});
    return &rep_.custom_domains.back();
  }
  void local_function_name(Bytes b) {
    pb::Reader r(b);
    pb::Field f;
    std::string name, domain;
    while (r.next(f)) {
      if (f.number == 1 && f.wire == 2) name = std::string(f.text());
      if (f.number == 10 && f.wire == 2) domain = std::string(f.text());
    }
    if (local_functions_.size() < 4096) {
      local_domains_.insert(domain);
      local_functions_.emplace(std::move(domain), std::move(name));
    }
  }
  bool opset(Bytes b) {  // OperatorSetIdProto{1: domain, 2: version}
    pb::Reader r(b);
    pb::Field f;
    while (r.next(f)) {
      if (f.number == 1 && f.wire == 2) {
        if (auto* c = custom(f.text())) c->imported = true;
      }
    }
    return r.ok() || fail("opset_import is malformed");
  }
  bool metadata(Bytes b) {  // StringStringEntryProto{1: key, 2: value}
    pb::Reader r(b);
    pb::Field f;
    std::string key, value;
    while (r.next(f)) {
      if (f.number == 1 && f.wire == 2) key = std::string(f.text().substr(0, 120));
      if (f.number == 2 && f.wire == 2) value = std::string(f.text());
    }
    if (!r.ok()) return fail("metadata_props is malformed");
    find_libraries(key, "", rep_.native_libraries);
    find_libraries(value, "metadata '" + key + "'", rep_.native_libraries);
    return true;
  }
  bool function(Bytes b, std::uint32_t depth) {
    pb::Reader r(b);
    pb::Field f;
    while (r.next(f)) {
      if (f.wire != 2) continue;
      if (f.number == 7 && !node(f.bytes, depth + 1)) return false;
      if (f.number == 9 && !opset(f.bytes)) return false;
      if (f.number == 8) find_libraries(f.text(), "function doc_string", rep_.native_libraries);
    }
    return r.ok() || fail("FunctionProto is malformed");
  }
  bool graph(Bytes b, std::uint32_t depth) {
    if (depth > max_depth_) return fail("graphs nest deeper than the limit");
    pb::Reader r(b);
    pb::Field f;
    while (r.next(f)) {
      if (f.wire != 2) continue;
      if (f.number == 1 && !node(f.bytes, depth)) return false;
      if (f.number == 5 && !tensor(f.bytes)) return false;          // initializer
      if (f.number == 15 && !sparse_tensor(f.bytes)) return false;  // sparse_initializer
      if (f.number == 10) find_libraries(f.text(), "graph doc_string", rep_.native_libraries);
    }
    return r.ok() || fail("GraphProto is malformed");
  }
  bool node(Bytes b, std::uint32_t depth) {
    pb::Reader r(b);
    pb::Field f;
    std::string_view op_type, domain;
    while (r.next(f)) {
      if (f.wire != 2) continue;
      if (f.number == 4) op_type = f.text();
      if (f.number == 7) domain = f.text();
      if (f.number == 5 && !attribute(f.bytes, depth)) return false;
      if (f.number == 6) find_libraries(f.text(), "node doc_string", rep_.native_libraries);
    }
    if (!r.ok()) return fail("NodeProto is malformed");
    if (local_functions_.count({std::string(domain), std::string(op_type)})) return true;
    if (auto* c = custom(domain)) {
      ++c->nodes;
      const std::string op(op_type.substr(0, 120));
      if (c->op_types.size() < 16 && std::find(c->op_types.begin(), c->op_types.end(), op) == c->op_types.end()) {
        c->op_types.push_back(op);
      }
    }
    return true;
  }
  bool attribute(Bytes b, std::uint32_t depth) {
    pb::Reader r(b);
    pb::Field f;
    while (r.next(f)) {
      if (f.wire != 2) continue;
      if ((f.number == 6 || f.number == 11) && !graph(f.bytes, depth + 1)) return false;  // g, graphs
      if ((f.number == 5 || f.number == 10) && !tensor(f.bytes)) return false;          // t, tensors
    }
    return r.ok() || fail("AttributeProto is malformed");
  }
  bool sparse_tensor(Bytes b) {
    pb::Reader r(b);
    pb::Field f;
    while (r.next(f)) {
      if ((f.number == 1 || f.number == 2) && f.wire == 2 && !tensor(f.bytes)) return false;
    }
    return r.ok() || fail("SparseTensorProto is malformed");
  }
  bool tensor(Bytes b) {
    pb::Reader r(b);
    pb::Field f;
    while (r.next(f)) {
      if (f.number != 13 || f.wire != 2) continue;  // external_data: StringStringEntryProto
      pb::Reader kv(f.bytes);
      pb::Field e;
      std::string_view key, value;
      while (kv.next(e)) {
        if (e.number == 1 && e.wire == 2) key = e.text();
        if (e.number == 2 && e.wire == 2) value = e.text();
      }
      if (!kv.ok()) return fail("external_data entry is malformed");
      if (key == "location" && rep_.external_locations.size() < 4096) rep_.external_locations.emplace_back(value);
    }
    return r.ok() || fail("TensorProto is malformed");
  }

  OnnxReport& rep_;
  std::uint32_t max_depth_;
  std::set<std::pair<std::string, std::string>> local_functions_;  // (domain, name)
  std::set<std::string> local_domains_;
};

}  // namespace

OnnxReport read(std::span<const std::uint8_t> data, std::uint32_t max_depth) {
  OnnxReport rep;
  rep.parsed = Walker(rep, max_depth).model(data);
  return rep;
}

std::string known_library(const std::string& domain) {
  // Public custom-op packages and the library their users register.
  if (domain == "ai.onnx.contrib" || domain == "com.microsoft.extensions") {
    return "onnxruntime-extensions (libortextensions, onnxruntime_extensions.get_library_path())";
  }
  if (domain == "mmdeploy") return "MMDeploy's custom ops (libmmdeploy_onnxruntime_ops.so)";
  if (domain == "mmcv") return "MMCV's ONNX Runtime ops (mmcv/_ext_ort*.so, mmcv.ops.get_onnxruntime_op_path())";
  return "";
}

bool location_escapes(const std::string& loc) {
  if (loc.empty()) return false;
  if (loc[0] == '/' || loc[0] == '\\' || loc[0] == '~') return true;
  if (loc.size() > 1 && loc[1] == ':') return true;
  std::string_view s(loc);
  std::size_t start = 0;
  while (start <= s.size()) {
    auto sep = s.find_first_of("/\\", start);
    if (sep == std::string_view::npos) sep = s.size();
    if (s.substr(start, sep - start) == "..") return true;
    start = sep + 1;
  }
  return false;
}

}  // namespace mg::onnx
