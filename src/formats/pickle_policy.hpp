// Verdict for a pickle global: a fail-closed allowlist of what real checkpoints import, checked
// after a denylist matched on every dotted component and platform alias (model-formats.md §3.D).
#pragma once
#include <string>
#include <string_view>

namespace mg::pickle {

enum class Verdict : unsigned char { allowed, unknown, dangerous };

struct Classification {
  Verdict verdict = Verdict::unknown;
  std::string reason;  // why dangerous or allowed ("module os", "component __builtins__", ...)
};

// `called` is false when the stream only instantiates the global as a class (NEWOBJ, or the class
// handed to copyreg._reconstructor); ML-library classes are accepted only then.
Classification classify_global(std::string_view module, std::string_view name, bool called = true);

// Python 2 names CPython maps on load (fix_imports) and C accelerator aliases: __builtin__ ->
// builtins, copy_reg -> copyreg, _operator -> operator, posix/nt -> os, _pickle -> pickle, ...
std::string canonical_module(std::string_view module);

}  // namespace mg::pickle
