// Bounded decompression and 7z listing through libarchive (linked by mg_source). Used for joblib
// compressors (zlib, gzip, bz2, xz, lzma; lz4 through liblz4) and 7z containers (nullifAI,
// model-formats.md C5).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"

namespace mg::serialized {

struct DecompressLimits {
  std::uint64_t max_bytes = 512ull << 20;
  std::uint64_t max_ratio = 1000;
};

// The compression a joblib file was written with, from its first bytes ("" = none known).
std::string compression_of(std::span<const std::uint8_t> data);

// Decompresses a whole zlib / gzip / bz2 / xz / lzma / lz4 stream, never past the limits. A stream
// that breaks, ends early or reaches the limit is an error; with `stopped`, it yields instead the
// bytes decoded before that point and says why in *stopped (a loader has run those bytes).
Result<std::vector<std::uint8_t>> decompress(std::span<const std::uint8_t> data, const DecompressLimits& limits,
                                             std::string* stopped = nullptr);

struct ArchiveEntry {
  std::string name;
  std::vector<std::uint8_t> bytes;
  bool truncated = false;  // larger than the per-member limit
};

// Every regular-file entry of a 7z (or other libarchive-readable) archive, bounded per member and
// in total.
Result<std::vector<ArchiveEntry>> read_7z(std::span<const std::uint8_t> data, const DecompressLimits& limits,
                                          std::size_t max_members);

}  // namespace mg::serialized
