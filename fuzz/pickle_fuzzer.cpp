// libFuzzer target: the pickle VM and both probes on arbitrary bytes.
#include <cstddef>
#include <cstdint>

#include "formats/pickle.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  mg::pickle::PickleLimits limits;
  limits.max_opcodes = 1'000'000;
  limits.max_nodes = 200'000;
  limits.max_stack = 100'000;
  limits.max_seconds = 5;
  (void)mg::pickle::analyze(bytes, limits);
  (void)mg::pickle::looks_like_pickle(bytes);
  (void)mg::pickle::starts_like_pickle(bytes);
  return 0;
}
