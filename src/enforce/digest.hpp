// Whole-file (or byte-range) digests of many files at once: a pool of threads over the items, each
// read with large sequential reads, so a locked model folder hashes at the disks' or cores' speed.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/blob.hpp"
#include "core/result.hpp"

namespace mg::enforce {

enum class DigestAlgo { sha256, blake2b };  // blake2b = BLAKE2b-512 (OMS hash_type "blake2b")

struct DigestItem {
  std::string abs_path;  // read from disk when set
  BlobPtr blob;          // else these bytes (archive members, fetched hub files)
  std::uint64_t offset = 0;
  std::uint64_t length = std::numeric_limits<std::uint64_t>::max();  // to the end of the file
};

// One digest (raw bytes) or error per item, in the order given. threads = 0: one per core.
std::vector<Result<std::string>> digest_all(const std::vector<DigestItem>& items, DigestAlgo algo, unsigned threads = 0);

std::string to_hex(std::string_view bytes);
// Lower-case hex to bytes; nullopt-like empty Result error for anything else.
Result<std::string> from_hex(std::string_view hex);

}  // namespace mg::enforce
