#include "formats/gguf.hpp"

#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace mg::gguf {

namespace {

enum Type : std::uint32_t {
  u8 = 0, i8 = 1, u16 = 2, i16 = 3, u32 = 4, i32 = 5, f32 = 6, boolean = 7, string = 8, array = 9,
  u64 = 10, i64 = 11, f64 = 12,
};

int scalar_size(std::uint32_t t) {
  switch (t) {
    case u8: case i8: case boolean: return 1;
    case u16: case i16: return 2;
    case u32: case i32: case f32: return 4;
    case u64: case i64: case f64: return 8;
    default: return 0;
  }
}

class Reader {
 public:
  Reader(std::span<const std::uint8_t> d, const GgufLimits& lim, GgufReport& rep) : d_(d), lim_(lim), rep_(rep) {}

  bool u32v(std::uint32_t& v) { return fixed(v); }
  bool u64v(std::uint64_t& v) { return fixed(v); }
  bool len(std::uint64_t& v) {
    if (rep_.version == 1) {
      std::uint32_t x = 0;
      if (!fixed(x)) return false;
      v = x;
      return true;
    }
    return fixed(v);
  }
  bool str(std::string_view& s) {
    std::uint64_t n = 0;
    if (!len(n)) return false;
    if (n > lim_.max_string_bytes || n > d_.size() - p_) return fail("string length past the end of the file");
    s = std::string_view(reinterpret_cast<const char*>(d_.data() + p_), n);
    p_ += n;
    return true;
  }
  bool skip_value(std::uint32_t type, std::uint32_t depth) {
    if (const int sz = scalar_size(type)) return skip(static_cast<std::uint64_t>(sz));
    if (type == string) {
      std::string_view s;
      return str(s);
    }
    if (type != array) return fail("unknown metadata value type " + std::to_string(type));
    if (depth >= lim_.max_array_depth) return fail("metadata arrays nest too deep");
    std::uint32_t et = 0;
    std::uint64_t count = 0;
    if (!u32v(et) || !len(count)) return false;
    if (const int sz = scalar_size(et)) {
      std::uint64_t bytes = 0;
      if (__builtin_mul_overflow(count, static_cast<std::uint64_t>(sz), &bytes)) return fail("array size overflows");
      return skip(bytes);
    }
    // Each element takes at least 8 bytes (a string length): refuse counts the file cannot hold.
    if (count > (d_.size() - p_) / (rep_.version == 1 ? 4 : 8) + 1) return fail("array count larger than the file");
    for (std::uint64_t k = 0; k < count; ++k) {
      if (!skip_value(et, depth + 1)) return false;
    }
    return true;
  }
  bool skip(std::uint64_t n) {
    if (n > d_.size() - p_) return fail("value runs past the end of the file");
    p_ += n;
    return true;
  }
  bool fail(std::string why) {
    if (rep_.error.empty()) rep_.error = std::move(why);
    return false;
  }
  std::uint64_t pos() const { return p_; }
  void seek(std::uint64_t p) { p_ = p; }

 private:
  template <typename T>
  bool fixed(T& v) {
    if (sizeof(T) > d_.size() - p_) return fail("header runs past the end of the file");
    v = 0;
    for (int k = sizeof(T) - 1; k >= 0; --k) v = static_cast<T>((v << 8) | d_[p_ + static_cast<std::uint64_t>(k)]);
    p_ += sizeof(T);
    return true;
  }
  std::span<const std::uint8_t> d_;
  const GgufLimits& lim_;
  GgufReport& rep_;
  std::uint64_t p_ = 0;
};

}  // namespace

bool is_gguf(std::span<const std::uint8_t> d) { return d.size() >= 8 && std::memcmp(d.data(), "GGUF", 4) == 0; }

GgufReport read(std::span<const std::uint8_t> d, const GgufLimits& lim) {
  GgufReport rep;
  if (!is_gguf(d)) {
    rep.error = "not a GGUF file";
    return rep;
  }
  rep.is_gguf = true;
  Reader r(d, lim, rep);
  r.skip(4);
  if (!r.u32v(rep.version)) return rep;
  if (rep.version < 1 || rep.version > 3) {
    rep.error = "unknown GGUF version " + std::to_string(rep.version);
    return rep;
  }
  if (!r.len(rep.tensor_count) || !r.len(rep.kv_count)) return rep;
  if (rep.kv_count > lim.max_kv || rep.tensor_count > lim.max_tensors) {
    rep.error = "metadata or tensor count over the limit";
    return rep;
  }
  std::uint64_t alignment = 32;
  for (std::uint64_t k = 0; k < rep.kv_count; ++k) {
    std::string_view key;
    std::uint32_t type = 0;
    if (!r.str(key) || !r.u32v(type)) return rep;
    const bool is_template = key == "tokenizer.chat_template" || key.substr(0, 24) == "tokenizer.chat_template.";
    if (type == string && is_template) {
      std::string_view value;
      if (!r.str(value)) return rep;
      if (rep.templates.size() < 64) rep.templates.emplace_back(std::string(key), std::string(value));
      continue;
    }
    if (key == "general.alignment" && type == u32) {
      std::uint32_t a = 0;
      if (!r.u32v(a)) return rep;
      if (a == 0 || (a & (a - 1)) != 0) rep.problems.push_back("general.alignment is not a power of two");
      else alignment = a;
      continue;
    }
    if (!r.skip_value(type, 0)) return rep;
  }
  // Tensor infos: name, dims, type, offset. A product that overflows is how loaders were fooled.
  std::vector<std::pair<std::string, std::uint64_t>> offsets;
  for (std::uint64_t t = 0; t < rep.tensor_count; ++t) {
    std::string_view name;
    std::uint32_t n_dims = 0;
    if (!r.str(name) || !r.u32v(n_dims)) return rep;
    if (n_dims > lim.max_dims) {
      rep.error = "tensor '" + std::string(name) + "' has " + std::to_string(n_dims) + " dimensions";
      rep.problems.push_back(rep.error);
      return rep;
    }
    std::uint64_t numel = 1;
    bool overflow = false;
    for (std::uint32_t k = 0; k < n_dims; ++k) {
      std::uint64_t dim = 0;
      if (!r.len(dim)) return rep;
      if (__builtin_mul_overflow(numel, dim, &numel)) overflow = true;
    }
    std::uint32_t ggml_type = 0;
    std::uint64_t offset = 0;
    if (!r.u32v(ggml_type) || !r.u64v(offset)) return rep;
    if (overflow || numel > (std::uint64_t{1} << 56)) {
      if (rep.problems.size() < 32) rep.problems.push_back("tensor '" + std::string(name) + "': element count overflows");
    }
    if (offset % alignment != 0 && rep.problems.size() < 32) {
      rep.problems.push_back("tensor '" + std::string(name) + "': offset not aligned");
    }
    if (offsets.size() < 1'000'000) offsets.emplace_back(std::string(name.substr(0, 256)), offset);
  }
  // Tensor data starts at the first aligned offset after the infos; offsets are relative to it.
  const std::uint64_t data_start = (r.pos() + alignment - 1) / alignment * alignment;
  for (const auto& [name, offset] : offsets) {
    if ((data_start > d.size() || offset > d.size() - data_start) && rep.problems.size() < 32) {
      rep.problems.push_back("tensor '" + name + "': data offset past the end of the file");
    }
  }
  rep.complete = true;
  return rep;
}

}  // namespace mg::gguf
