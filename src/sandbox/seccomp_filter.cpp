#include "sandbox/seccomp_filter.hpp"

#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mg::sandbox {

const std::vector<std::string>& refused_syscalls() {
  static const std::vector<std::string> names = {
      "ptrace",        "process_vm_readv", "process_vm_writev", "mount",        "umount",      "umount2",
      "pivot_root",    "open_tree",        "move_mount",        "fsopen",       "fsconfig",    "fsmount",
      "fspick",        "mount_setattr",    "keyctl",            "add_key",      "request_key", "bpf",
      "init_module",   "finit_module",     "delete_module",     "kexec_load",   "kexec_file_load",
      "unshare",       "setns",            "perf_event_open"};
  return names;
}

namespace {

struct Ctx {
  scmp_filter_ctx ctx = nullptr;
  ~Ctx() {
    if (ctx) seccomp_release(ctx);
  }
};

}  // namespace

Result<int> export_seccomp_filter() {
  Ctx c;
  c.ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (!c.ctx) return make_error("seccomp_init failed");
  for (const auto& name : refused_syscalls()) {
    const int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // not a syscall on this architecture (umount on x86-64)
    if (int rc = seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), nr, 0); rc < 0)
      return make_error("seccomp rule for " + name + ": " + std::strerror(-rc));
  }
  // clone creating namespaces: one rule per flag, each "(flags & FLAG) == FLAG".
  for (const unsigned long flag : {CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
                                   CLONE_NEWUTS, CLONE_NEWCGROUP}) {
    if (int rc = seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1, SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag)); rc < 0)
      return make_error(std::string("seccomp rule for clone: ") + std::strerror(-rc));
  }
  // clone3 passes its flags in memory the filter cannot read: refuse it as "not implemented".
  if (int rc = seccomp_rule_add(c.ctx, SCMP_ACT_ERRNO(ENOSYS), seccomp_syscall_resolve_name("clone3"), 0); rc < 0)
    return make_error(std::string("seccomp rule for clone3: ") + std::strerror(-rc));
  const int fd = memfd_create("modelgate-seccomp", MFD_CLOEXEC);
  if (fd < 0) return make_error(std::string("memfd_create: ") + std::strerror(errno));
  if (int rc = seccomp_export_bpf(c.ctx, fd); rc < 0) {
    close(fd);
    return make_error(std::string("seccomp_export_bpf: ") + std::strerror(-rc));
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace mg::sandbox
