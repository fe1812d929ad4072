#include "source/hub/range_plan.hpp"

#include <algorithm>
#include <cstring>

#include "core/text.hpp"

namespace mg::hub {

namespace {

constexpr std::uint64_t kPage = SparseBlob::kPage;
constexpr std::uint64_t kHead = 64u << 10;          // sniffing reads at most this much of a file's start
constexpr std::uint64_t kSmallMember = 64u << 10;   // zip members this small are fetched whole
constexpr std::uint64_t kProbeLimit = 1u << 20;     // HDF5 signatures are probed at 512 * 2^k up to here
constexpr std::uint64_t kStreamChunk = 64u << 10;  // a pickle or GGUF header is read in growing chunks from this
constexpr int kMaxZipDepth = 4;

bool text_member(std::string_view name) {
  const std::string l = to_lower(name);
  for (const char* ext : {".pkl", ".pickle", ".json", ".py", ".txt", ".yaml", ".yml", ".pb", ".h5", ".hdf5", ".keras", ".npy"}) {
    if (ends_with(l, ext)) return true;
  }
  const auto base = basename(l);
  return base == "version" || base == "byteorder" || base == ".data" || l.find("code/") != std::string::npos;
}

class Planner {
 public:
  Planner(SparseBlob& blob, RangeFetcher& fetcher, const Limits& limits) : b_(blob), f_(fetcher), lim_(limits) {}

  Result<PlanOutcome> run(std::string_view name) {
    const std::uint64_t size = b_.size();
    want(0, std::min(size, kHead));
    if (auto r = flush(); !r) return r.error();
    PlanOutcome out;
    if (auto r = file(0, size, name, 0, out); !r) return r.error();
    if (auto r = flush(); !r) return r.error();
    return out;
  }

 private:
  // ---- ranges wanted, and reads of bytes known fetched
  void want(std::uint64_t a, std::uint64_t e) {
    e = std::min<std::uint64_t>(e, b_.size());
    if (a < e) want_.emplace_back(a, e);
  }
  Result<bool> flush() {
    Ranges need;
    for (const auto& [a, e] : coalesce(std::move(want_), b_.size(), 64u << 10)) {
      for (const auto& m : b_.missing(a, e)) need.push_back(m);
    }
    want_.clear();
    if (need.empty()) return true;
    for (const auto& [a, e] : need) budget_ += e - a;
    return f_.fetch(coalesce(std::move(need), b_.size(), 0));
  }
  bool have(std::uint64_t a, std::uint64_t n) const {
    if (n == 0) return true;
    if (a >= b_.size() || n > b_.size() - a) return false;
    for (std::uint64_t p = a / kPage; p <= (a + n - 1) / kPage; ++p) {
      if (!b_.fetched(p)) return false;
    }
    return true;
  }
  Result<bool> need(std::uint64_t a, std::uint64_t n) {
    if (have(a, n)) return true;
    want(a, a + n);
    return flush();
  }
  std::uint64_t le(std::uint64_t at, int n) const {
    std::uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | b_.data()[at + static_cast<std::uint64_t>(i)];
    return v;
  }
  bool magic(std::uint64_t at, std::uint64_t end, std::string_view m) const {
    return at + m.size() <= end && have(at, m.size()) && std::memcmp(b_.data() + at, m.data(), m.size()) == 0;
  }

  // ---- one file, or one stored member of a zip, at [base, end)
  Result<bool> file(std::uint64_t base, std::uint64_t end, std::string_view name, int depth, PlanOutcome& out) {
    const std::uint64_t len = end - base;
    if (auto r = need(base, std::min(len, depth == 0 ? kHead : kPage)); !r) return r;
    if (magic(base, end, "PK\x03\x04") || magic(base, end, "PK\x05\x06")) {
      out.format = depth == 0 ? "zip" : out.format;
      return zip(base, end, depth, out);
    }
    if (magic(base, end, "\x93NUMPY") && len >= 10) {
      const bool v1 = b_.data()[base + 6] == 1;
      const std::uint64_t hlen = v1 ? le(base + 8, 2) : (have(base, 12) ? le(base + 8, 4) : 0);
      const std::uint64_t data = base + (v1 ? 10 : 12) + hlen;
      if (auto r = need(base, std::min(end, data) - base); !r) return r;
      if (depth == 0) out.format = "numpy";
      // Object arrays are a pickle after the header.
      const std::string_view head(reinterpret_cast<const char*>(b_.data() + base), static_cast<std::size_t>(std::min(end, data) - base));
      if (head.find("'O'") != std::string_view::npos || head.find("|O") != std::string_view::npos) return pickle(data, end, 0, out);
      return true;
    }
    if (magic(base, end, "GGUF")) {
      if (depth == 0) out.format = "gguf";
      return gguf(base, end, out);
    }
    if (len >= 10 && have(base, 9)) {
      const std::uint64_t n = le(base, 8);
      if (n >= 2 && n <= len - 8 && b_.data()[base + 8] == '{') {
        if (depth == 0) out.format = "safetensors";
        if (n <= (100u << 20)) want(base, base + 8 + n);
        return probes(base, end);  // the HDF5 test comes before safetensors in the engine
      }
    }
    const std::uint8_t c0 = b_.data()[base];
    if ((c0 == 0x80 && len >= 2 && b_.data()[base + 1] <= 5) || (std::string_view("c(]}").find(static_cast<char>(c0)) != std::string_view::npos)) {
      if (depth == 0) out.format = "pickle";
      if (auto r = probes(base, end); !r) return r;
      if (c0 != 0x80) want(end > kPage ? end - kPage : 0, end);  // an old pickle is recognised by its final STOP
      return pickle(base, end, 0, out);
    }
    if (auto r = probes(base, end); !r) return r;
    if (hdf5_at(base, end) || compressed(base, end) || archive(base, end) || ends_with(to_lower(name), ".onnx")) {
      // No index to follow (libhdf5 reads in a child process, archives and streams decompress
      // from the start, ONNX is one protobuf): the whole file, within the bound.
      if (depth == 0) out.format = "whole";
      if (len > lim_.max_archive_member_bytes) {
        out.note = "larger than the " + std::to_string(lim_.max_archive_member_bytes >> 20) + " MiB read for a format without an index";
        return true;
      }
      want(base, end);
    }
    return true;
  }

  // Pages the engine's HDF5 test reads: offsets 0, 512, 1024, ... up to 1 MiB.
  Result<bool> probes(std::uint64_t base, std::uint64_t end) {
    for (std::uint64_t off = 512; off + 8 <= end - base && off <= kProbeLimit; off *= 2) want(base + off, base + off + 8);
    return flush();
  }
  bool hdf5_at(std::uint64_t base, std::uint64_t end) const {
    for (std::uint64_t off = 0; off + 8 <= end - base && off <= kProbeLimit; off = off ? off * 2 : 512) {
      if (magic(base + off, end, "\x89HDF\r\n\x1a\n")) return true;
    }
    return false;
  }
  bool compressed(std::uint64_t base, std::uint64_t end) const {
    const std::uint8_t* d = b_.data() + base;
    if (end - base < 6 || !have(base, 6)) return false;
    return (d[0] == 0x1f && d[1] == 0x8b) || magic(base, end, "BZh") || magic(base, end, "\xFD" "7zXZ") ||
           magic(base, end, "\x28\xB5\x2F\xFD") || magic(base, end, "\x04\x22\x4d\x18") ||
           magic(base, end, std::string_view("\x5d\x00\x00", 3)) || (d[0] == 0x78 && (d[0] * 256 + d[1]) % 31 == 0);
  }
  bool archive(std::uint64_t base, std::uint64_t end) const {
    return magic(base, end, "7z\xBC\xAF\x27\x1C") || magic(base, end, "Rar!") || magic(base + 257, end, "ustar");
  }

  // ---- pickle streams: every opcode and argument up to STOP, then any stacked stream after it
  Result<bool> pickle(std::uint64_t p, std::uint64_t end, int streams, PlanOutcome& out) {
    const std::uint64_t start = p;
    std::uint64_t chunk_end = p;
    auto ensure = [&](std::uint64_t n) -> Result<bool> {
      if (p + n <= chunk_end) return true;
      if (p - start > lim_.max_archive_member_bytes) return make_error("stop");
      const std::uint64_t to = std::min(end, std::max(p + n, chunk_end + std::max(kStreamChunk, (chunk_end - start) / 2)));
      if (auto r = need(p, to - p); !r) return r;
      chunk_end = to;
      return p + n <= end;
    };
    while (p < end) {
      auto r = ensure(1);
      if (!r) return r.error().message == "stop" ? note(out, "pickle stream longer than the read bound") : r;
      if (!*r) return true;
      const std::uint8_t op = b_.data()[p++];
      std::uint64_t arg = 0;
      int lines = 0;
      int lenbytes = 0;
      switch (op) {
        case '.':
          // STOP: the reader peeks at what follows for a stacked stream.
          if (auto s = need(p, std::min<std::uint64_t>(kPage, end - p)); !s) return s;
          if (++streams < 8 && p + 2 <= end && b_.data()[p] == 0x80 && b_.data()[p + 1] <= 5) continue;
          return true;
        case 'F': case 'I': case 'L': case 'P': case 'S': case 'V': case 'g': case 'p': lines = 1; break;
        case 'c': case 'i': lines = 2; break;
        case 'J': case 'j': case 'r': arg = 4; break;
        case 'K': case 'h': case 'q': case 0x80: case 0x82: arg = 1; break;
        case 'M': case 0x83: arg = 2; break;
        case 0x84: arg = 4; break;
        case 'G': case 0x95: arg = 8; break;
        case 'T': case 'X': case 'B': case 0x8b: lenbytes = 4; break;
        case 'U': case 'C': case 0x8c: case 0x8a: lenbytes = 1; break;
        case 0x8d: case 0x8e: case 0x96: lenbytes = 8; break;
        case '(': case '0': case '1': case '2': case 'N': case 'Q': case 'R': case 'a': case 'b': case 'd': case '}':
        case 'e': case 'l': case ']': case 'o': case 's': case 't': case ')': case 'u': case 0x81: case 0x85: case 0x86:
        case 0x87: case 0x88: case 0x89: case 0x8f: case 0x90: case 0x91: case 0x92: case 0x93: case 0x94: case 0x97:
        case 0x98:
          break;
        default:
          return true;  // not an opcode: the reader stops here too
      }
      if (lenbytes) {
        if (auto s = ensure(static_cast<std::uint64_t>(lenbytes)); !s || !*s) return s ? Result<bool>(true) : s;
        arg = static_cast<std::uint64_t>(lenbytes) + le(p, lenbytes);
        if (arg > end - p) return true;
      }
      for (int k = 0; k < lines; ++k) {
        // Text arguments end at a newline; give up on absurd lines.
        std::uint64_t q = p;
        for (;;) {
          if (auto s = ensure(q - p + 1); !s || !*s) return s ? Result<bool>(true) : s;
          if (b_.data()[q] == '\n') break;
          if (++q - p > 4096) return true;
        }
        p = q + 1;
      }
      if (arg) {
        if (auto s = ensure(arg); !s) return s.error().message == "stop" ? note(out, "pickle stream longer than the read bound") : s;
        else if (!*s) return true;
        p += arg;
      }
    }
    return true;
  }

  Result<bool> note(PlanOutcome& out, std::string n) {
    out.note = std::move(n);
    return true;
  }

  // ---- GGUF: header, every metadata pair and tensor description (not the tensors)
  Result<bool> gguf(std::uint64_t base, std::uint64_t end, PlanOutcome& out) {
    std::uint64_t p = base;
    std::uint64_t have_to = base;
    bool ok = true;
    auto ensure = [&](std::uint64_t n) -> bool {
      if (!ok) return false;
      if (n > end - p) return ok = false;
      if (p + n <= have_to) return true;
      if (p - base > (256u << 20)) return ok = false;
      const std::uint64_t to = std::min(end, std::max(p + n, have_to + std::max(kStreamChunk, (have_to - base) / 2)));
      if (!need(p, to - p)) return ok = false;
      have_to = to;
      return true;
    };
    auto u = [&](int n) -> std::uint64_t {
      if (!ensure(static_cast<std::uint64_t>(n))) return 0;
      const std::uint64_t v = le(p, n);
      p += static_cast<std::uint64_t>(n);
      return v;
    };
    (void)u(4);
    const std::uint64_t version = u(4);
    const int lw = version == 1 ? 4 : 8;
    const std::uint64_t tensors = u(lw), kvs = u(lw);
    auto skip_string = [&] {
      const std::uint64_t n = u(lw);
      if (ensure(n)) p += n;
    };
    auto scalar = [](std::uint64_t t) -> std::uint64_t {
      static constexpr int kSize[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
      return t < 13 ? static_cast<std::uint64_t>(kSize[t]) : 0;
    };
    for (std::uint64_t k = 0; ok && k < kvs && k < 1'000'000; ++k) {
      skip_string();
      const std::uint64_t type = u(4);
      if (type == 8) {
        skip_string();
      } else if (type == 9) {
        const std::uint64_t et = u(4), count = u(lw);
        if (et == 8) {
          for (std::uint64_t i = 0; ok && i < count; ++i) skip_string();
        } else if (scalar(et) && count <= (end - p) / scalar(et)) {
          if (ensure(count * scalar(et))) p += count * scalar(et);
        } else {
          ok = false;  // nested arrays and unknown types: the reader fails here as well
        }
      } else if (scalar(type)) {
        (void)u(static_cast<int>(scalar(type)));
      } else {
        ok = false;
      }
    }
    for (std::uint64_t t = 0; ok && t < tensors && t < 10'000'000; ++t) {
      skip_string();
      const std::uint64_t dims = u(4);
      if (dims > 8) break;
      for (std::uint64_t d = 0; d < dims; ++d) (void)u(8);
      (void)u(4);
      (void)u(8);
    }
    if (p - base > (256u << 20)) out.note = "GGUF metadata larger than the read bound";
    return true;
  }

  // ---- zip: end record, central directory, local headers, then each member's data as needed
  Result<bool> zip(std::uint64_t base, std::uint64_t end, int depth, PlanOutcome& out) {
    const std::uint64_t len = end - base;
    if (len < 22 || depth > kMaxZipDepth) return true;
    // The end record is almost always in the last page (no archive comment); readers search back
    // from the end and stop at the first signature, so the rest of the 64 KiB window is only read
    // when the last page holds none.
    std::uint64_t eocd = 0;
    bool found = false;
    for (const std::uint64_t window : {std::min<std::uint64_t>(len, kPage + 24), std::min<std::uint64_t>(len, 65557 + 20 + 56)}) {
      if (auto r = need(end - window, window); !r) return r;
      for (std::uint64_t i = end - 22 + 1; i-- > end - window;) {
        if (le(i, 4) == 0x06054b50) {
          eocd = i;
          found = true;
          break;
        }
      }
      if (found) break;
    }
    if (!found) return true;
    std::uint64_t count = le(eocd + 10, 2), cd_size = le(eocd + 12, 4), cd = le(eocd + 16, 4);
    if (eocd >= base + 20) {
      if (auto r = need(eocd - 20, 20); !r) return r;  // a zip64 locator sits right before the end record
    }
    if (eocd >= base + 20 && le(eocd - 20, 4) == 0x07064b50) {
      const std::uint64_t z64 = base + le(eocd - 20 + 8, 8);
      if (z64 < end && end - z64 >= 56) {
        if (auto r = need(z64, 56); !r) return r;
        if (le(z64, 4) == 0x06064b50) {
          count = le(z64 + 32, 8);
          cd_size = le(z64 + 40, 8);
          cd = le(z64 + 48, 8);
        }
      }
    }
    cd += base;
    if (cd >= end || cd_size > end - cd || cd_size > (256u << 20)) return true;
    if (auto r = need(cd, cd_size); !r) return r;
    struct M {
      std::string name;
      std::uint64_t method, flags, csize, local;
    };
    std::vector<M> members;
    std::uint64_t p = cd;
    for (std::uint64_t i = 0; i < count && members.size() < lim_.max_archive_members; ++i) {
      if (end - p < 46 || p + 46 > cd + cd_size || le(p, 4) != 0x02014b50) break;
      const std::uint64_t n = le(p + 28, 2), extra = le(p + 30, 2), comment = le(p + 32, 2);
      if (p + 46 + n + extra > cd + cd_size) break;
      M m{std::string(reinterpret_cast<const char*>(b_.data() + p + 46), n), le(p + 10, 2), le(p + 8, 2), le(p + 20, 4), le(p + 42, 4)};
      const std::uint64_t usize32 = le(p + 24, 4);
      // zip64 extra field: the 64-bit values present are those whose 32-bit field is all ones.
      for (std::uint64_t x = p + 46 + n; x + 4 <= p + 46 + n + extra;) {
        const std::uint64_t id = le(x, 2), sz = le(x + 2, 2);
        if (x + 4 + sz > p + 46 + n + extra) break;
        if (id == 1) {
          std::uint64_t q = x + 4;
          if (usize32 == 0xFFFFFFFF && q + 8 <= x + 4 + sz) q += 8;
          if (m.csize == 0xFFFFFFFF && q + 8 <= x + 4 + sz) m.csize = le(q, 8), q += 8;
          if (m.local == 0xFFFFFFFF && q + 8 <= x + 4 + sz) m.local = le(q, 8);
        }
        x += 4 + sz;
      }
      m.local += base;
      members.push_back(std::move(m));
      p += 46 + n + extra + comment;
    }
    // Local headers (with their names, and the first bytes of data) in one pass.
    for (const auto& m : members) want(m.local, m.local + 30 + m.name.size() + 64);
    if (auto r = flush(); !r) return r;
    for (const auto& m : members) {
      if (m.local >= end || end - m.local < 30 || !have(m.local, 30) || le(m.local, 4) != 0x04034b50) continue;
      const std::uint64_t lname = le(m.local + 26, 2), lextra = le(m.local + 28, 2);
      const std::uint64_t data = m.local + 30 + lname + lextra;
      if (data > end || m.csize > end - data) continue;
      if (m.flags & 8) want(data + m.csize, data + m.csize + 24);  // data descriptor
      if (m.method != 0 || m.csize <= kSmallMember || text_member(m.name)) {
        if (m.csize <= lim_.max_archive_member_bytes) want(data, data + m.csize);
        continue;
      }
      // A large stored member (a tensor storage, usually): what the engine's format tests read.
      if (auto r = file(data, data + m.csize, m.name, depth + 1, out); !r) return r;
    }
    return flush();
  }

  SparseBlob& b_;
  RangeFetcher& f_;
  const Limits& lim_;
  Ranges want_;
  std::uint64_t budget_ = 0;
};

}  // namespace

Ranges coalesce(Ranges ranges, std::uint64_t size, std::uint64_t gap) {
  for (auto& [a, e] : ranges) {
    a = a / kPage * kPage;
    e = std::min<std::uint64_t>((e + kPage - 1) / kPage * kPage, size);
  }
  std::sort(ranges.begin(), ranges.end());
  Ranges out;
  for (const auto& r : ranges) {
    if (r.first >= r.second) continue;
    if (!out.empty() && r.first <= out.back().second + gap) out.back().second = std::max(out.back().second, r.second);
    else out.push_back(r);
  }
  return out;
}

Result<PlanOutcome> plan_and_fetch(SparseBlob& blob, RangeFetcher& fetcher, std::string_view name, const Limits& limits) {
  return Planner(blob, fetcher, limits).run(name);
}

}  // namespace mg::hub
