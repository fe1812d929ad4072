// The `modelgate run --policy FILE` document (docs/sandbox.md "Policy"): what a sandboxed load may
// do beyond the defaults. Deliberately small: every key widens the sandbox, so each is explicit.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace mg::sandbox {

struct Policy {
  bool allow_network = false;               // share the host's network namespace
  std::vector<std::string> write_paths;     // absolute host folders bound read-write at the same path
  std::vector<std::string> read_only_paths; // absolute host paths bound read-only at the same path
  // Resource limits (setrlimit, inherited by bwrap and everything in the sandbox); 0 = not limited.
  struct Limits {
    std::uint64_t address_space_mb = 0;  // RLIMIT_AS: allocations beyond it fail (MemoryError in Python)
    std::uint64_t cpu_seconds = 0;       // RLIMIT_CPU: SIGXCPU at the limit, SIGKILL a second later
    std::uint64_t processes = 0;         // RLIMIT_NPROC: fork/clone beyond it fails (EAGAIN)
    std::uint64_t file_size_mb = 0;      // RLIMIT_FSIZE: a write past it gets SIGXFSZ
  } limits;
};

// Parses and validates a policy: JSON object, version 1, known keys only, absolute normalised
// paths (no "..", no NUL), at most 64 paths each. Existence is checked by the runner, not here.
Result<Policy> parse_policy(std::string_view text);

}  // namespace mg::sandbox
