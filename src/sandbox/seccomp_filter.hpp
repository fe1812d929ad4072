// The seccomp filter bwrap installs before it runs the loading command (`--seccomp FD`).
#pragma once
#include <string>
#include <vector>

#include "core/result.hpp"

namespace mg::sandbox {

// Syscalls refused with EPERM (not killed, so the loaded code sees the refusal and the behaviour
// report can record the attempt): debugging other processes, mounts, kernel keyrings, BPF, kernel
// modules, kexec, namespace escapes (unshare, setns, clone with CLONE_NEW*), perf events and
// cross-process memory access. clone3 gets ENOSYS so libcs fall back to clone, whose flags the
// filter can inspect.
const std::vector<std::string>& refused_syscalls();

// A compiled classic-BPF program for the native architecture in an unlinked temporary file,
// positioned at offset 0; the caller passes the descriptor to bwrap and closes it.
Result<int> export_seccomp_filter();

}  // namespace mg::sandbox
