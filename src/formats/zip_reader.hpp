// ZIP reader for model archives (PyTorch .pt/.bin, .npz, .keras, nested zips). It reads members
// the way PyTorch does (central directory names, data found through the local header, flags and
// CRC ignored) and reports every place where that view differs from a strict reader's, because
// those differences are how scanners were bypassed (model-formats.md C2-C4).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace mg::zip {

struct ZipLimits {
  std::size_t max_members = 100'000;
  std::uint64_t max_member_bytes = 512ull << 20;  // one inflated member
  std::uint64_t max_total_inflated = 2ull << 30;
  std::uint64_t max_ratio = 1000;                  // inflated / compressed beyond this is a bomb
};

struct Member {
  std::string name;              // central-directory name (what PyTorch looks up)
  std::string local_name;        // local-header name
  std::uint16_t method = 0;      // 0 stored, 8 deflate
  std::uint16_t flags = 0;       // central-directory general-purpose flags
  std::uint16_t local_flags = 0;
  std::uint32_t crc = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;
  std::uint64_t local_offset = 0;
  std::uint64_t data_offset = 0;  // where the member's bytes start (from the local header)
  bool local_ok = false;          // local header present and inside the file
};

struct Archive {
  std::vector<Member> members;
  std::vector<std::string> anomalies;  // header mismatches, overlaps, prefix data
  std::uint64_t cd_offset = 0;
};

// True if the bytes end with (or contain near the end) an end-of-central-directory record, or
// start with a local header.
bool looks_like_zip(std::span<const std::uint8_t> data);

// Parses the central directory and cross-checks each local header. An error means the file is
// not a usable zip (no EOCD, central directory outside the file).
Result<Archive> read_archive(std::span<const std::uint8_t> data, const ZipLimits& limits = {});

// The member's bytes: a view into `data` for stored members, inflated into `storage` for deflate.
// Fails for other methods, encryption we cannot ignore, sizes past the limits, corrupt streams.
Result<std::span<const std::uint8_t>> member_bytes(std::span<const std::uint8_t> data, const Member& m,
                                                   std::vector<std::uint8_t>& storage,
                                                   const ZipLimits& limits = {});

// Flag bits 0 (encrypted), 5 (patched data) and 6 (strong encryption) of either header. Whether
// they are a lie (plain bytes: strict readers refuse, PyTorch reads them, C3) or the truth
// (ciphertext) is for the caller to tell from the bytes.
unsigned odd_flags(const Member& m);
std::string describe_odd_flags(const Member& m);

// CRC-32 of the member's bytes differs from the header's (C4: PyTorch does not check).
bool crc_matches(std::span<const std::uint8_t> bytes, std::uint32_t crc);

}  // namespace mg::zip
