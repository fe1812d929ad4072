#include "formats/onnx.hpp"

#include <algorithm>
#include <string_view>

namespace mg::onnx {

namespace {

struct Field {
  std::uint32_t number = 0;
  std::uint32_t wire = 0;
  std::uint64_t varint = 0;
  std::span<const std::uint8_t> bytes;  // length-delimited payload
};

class Pb {
 public:
  explicit Pb(std::span<const std::uint8_t> d) : d_(d) {}
  bool done() const { return p_ >= d_.size(); }
  bool next(Field& f) {
    std::uint64_t key = 0;
    if (!varint(key)) return false;
    f.number = static_cast<std::uint32_t>(key >> 3);
    f.wire = static_cast<std::uint32_t>(key & 7);
    switch (f.wire) {
      case 0: return varint(f.varint);
      case 1: return skip(8);
      case 5: return skip(4);
      case 2: {
        std::uint64_t n = 0;
        if (!varint(n) || n > d_.size() - p_) return false;
        f.bytes = d_.subspan(p_, n);
        p_ += n;
        return true;
      }
      default: return false;  // groups (3, 4) are not used by ONNX
    }
  }

 private:
  bool varint(std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= d_.size()) return false;
      const std::uint8_t b = d_[p_++];
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool skip(std::uint64_t n) {
    if (n > d_.size() - p_) return false;
    p_ += n;
    return true;
  }
  std::span<const std::uint8_t> d_;
  std::uint64_t p_ = 0;
};

std::string as_string(std::span<const std::uint8_t> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

bool standard_domain(const std::string& d) {
  static constexpr std::string_view kStd[] = {
      "", "ai.onnx", "ai.onnx.ml", "ai.onnx.training", "ai.onnx.preview.training", "com.microsoft",
      "com.microsoft.nchwc", "com.microsoft.experimental", "com.ms.internal.nhwc", "org.pytorch.aten",
      "com.microsoft.dml", "ai.onnx.contrib_none",
  };
  return std::find(std::begin(kStd), std::end(kStd), d) != std::end(kStd);
}

class Walker {
 public:
  Walker(OnnxReport& rep, std::uint32_t max_depth) : rep_(rep), max_depth_(max_depth) {}

  bool model(std::span<const std::uint8_t> b) {
    Pb pb(b);
    Field f;
    while (!pb.done()) {
      if (!pb.next(f)) return fail("ModelProto is malformed");
      if (f.number == 1 && f.wire == 0) rep_.ir_version = static_cast<std::int64_t>(f.varint);
      else if (f.number == 8 && f.wire == 2) opset(f.bytes);
      else if (f.number == 7 && f.wire == 2 && !graph(f.bytes, 1)) return false;
      else if (f.number == 25 && f.wire == 2 && !function(f.bytes, 1)) return false;
    }
    return true;
  }

 private:
  bool fail(std::string why) {
    if (rep_.error.empty()) rep_.error = std::move(why);
    return false;
  }
  void domain(const std::string& d) {
    if (!standard_domain(d) && std::find(rep_.custom_domains.begin(), rep_.custom_domains.end(), d) == rep_.custom_domains.end() &&
        rep_.custom_domains.size() < 64) {
      rep_.custom_domains.push_back(d);
    }
  }
  void opset(std::span<const std::uint8_t> b) {
    Pb pb(b);
    Field f;
    while (!pb.done() && pb.next(f)) {
      if (f.number == 1 && f.wire == 2) domain(as_string(f.bytes));
    }
  }
  bool function(std::span<const std::uint8_t> b, std::uint32_t depth) {
    Pb pb(b);
    Field f;
    while (!pb.done()) {
      if (!pb.next(f)) return fail("FunctionProto is malformed");
      if (f.number == 7 && f.wire == 2 && !node(f.bytes, depth + 1)) return false;  // node
      if (f.number == 9 && f.wire == 2) opset(f.bytes);
    }
    return true;
  }
  bool graph(std::span<const std::uint8_t> b, std::uint32_t depth) {
    if (depth > max_depth_) return fail("graphs nest deeper than the limit");
    Pb pb(b);
    Field f;
    while (!pb.done()) {
      if (!pb.next(f)) return fail("GraphProto is malformed");
      if (f.wire != 2) continue;
      if (f.number == 1 && !node(f.bytes, depth)) return false;
      if (f.number == 5) tensor(f.bytes);                         // initializer
      if (f.number == 15) sparse_tensor(f.bytes);                 // sparse_initializer
    }
    return true;
  }
  bool node(std::span<const std::uint8_t> b, std::uint32_t depth) {
    Pb pb(b);
    Field f;
    while (!pb.done()) {
      if (!pb.next(f)) return fail("NodeProto is malformed");
      if (f.wire != 2) continue;
      if (f.number == 7) domain(as_string(f.bytes));
      if (f.number == 5 && !attribute(f.bytes, depth)) return false;
    }
    return true;
  }
  bool attribute(std::span<const std::uint8_t> b, std::uint32_t depth) {
    Pb pb(b);
    Field f;
    while (!pb.done()) {
      if (!pb.next(f)) return fail("AttributeProto is malformed");
      if (f.wire != 2) continue;
      if ((f.number == 6 || f.number == 11) && !graph(f.bytes, depth + 1)) return false;  // g, graphs
      if (f.number == 5 || f.number == 10) tensor(f.bytes);                               // t, tensors
    }
    return true;
  }
  void sparse_tensor(std::span<const std::uint8_t> b) {
    Pb pb(b);
    Field f;
    while (!pb.done() && pb.next(f)) {
      if ((f.number == 1 || f.number == 2) && f.wire == 2) tensor(f.bytes);
    }
  }
  void tensor(std::span<const std::uint8_t> b) {
    Pb pb(b);
    Field f;
    while (!pb.done() && pb.next(f)) {
      if (f.number != 13 || f.wire != 2) continue;  // external_data: StringStringEntryProto
      Pb kv(f.bytes);
      Field e;
      std::string key, value;
      while (!kv.done() && kv.next(e)) {
        if (e.number == 1 && e.wire == 2) key = as_string(e.bytes);
        if (e.number == 2 && e.wire == 2) value = as_string(e.bytes);
      }
      if (key == "location" && rep_.external_locations.size() < 4096) rep_.external_locations.push_back(value);
    }
  }

  OnnxReport& rep_;
  std::uint32_t max_depth_;
};

}  // namespace

OnnxReport read(std::span<const std::uint8_t> data, std::uint32_t max_depth) {
  OnnxReport rep;
  rep.parsed = Walker(rep, max_depth).model(data);
  return rep;
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
