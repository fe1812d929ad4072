// What of a large remote file the parsers read, found by reading its own index through range
// requests: a zip's end record, central directory and local headers, then data.pkl and the small
// members; a pickle stream up to its STOP; safetensors' length and header; GGUF's header and
// metadata; a .npy header. Formats without an index (HDF5, compressed streams, archives, ONNX) are
// fetched whole within a bound. The guess need not be perfect: SparseBlob reports what a parser
// touched beyond it, and the source fetches that on a second round.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "source/hub/sparse_blob.hpp"

namespace mg::hub {

using Ranges = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

// Fetches byte ranges of one file into its blob (page aligned, sorted, disjoint).
class RangeFetcher {
 public:
  virtual ~RangeFetcher() = default;
  virtual Result<bool> fetch(const Ranges& ranges) = 0;
};

struct PlanOutcome {
  std::string format;  // what the planner took the file for ("" = unknown binary: head only)
  std::string note;    // a bound that stopped it early (then the file is fetched as far as allowed)
};

// Fetches what the parsers will read of `blob` (a remote file named `name`).
Result<PlanOutcome> plan_and_fetch(SparseBlob& blob, RangeFetcher& fetcher, std::string_view name, const Limits& limits);

// Merges ranges after expanding them to whole pages; ranges closer than `gap` become one.
Ranges coalesce(Ranges ranges, std::uint64_t size, std::uint64_t gap);

}  // namespace mg::hub
