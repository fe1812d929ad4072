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

// Callables that deserialize the bytes they are given (pickle.loads, torch.storage._load_from_bytes):
// dangerous in general, but when their argument is a bytes constant the VM analyses it as a nested
// stream and the call is judged by what that stream holds.
bool is_bytes_loader(std::string_view module, std::string_view name);

// Globals under `__torch__` in a TorchScript archive name classes compiled from the archive's own
// code/ members (torch.jit.load resolves them there, not by importing Python modules).
bool is_torchscript_class(std::string_view module, std::string_view name);

// torch.jit._pickle.build_intlist / restore_type_tag / ...: the helpers TorchScript's own pickler
// writes into data.pkl and the .debug_pkl source maps; torch.jit.load's C++ unpickler maps them to
// list and type constructors. Only meaningful inside a TorchScript archive.
bool is_torchscript_helper(std::string_view module, std::string_view name);

// Python 2 names CPython maps on load (fix_imports) and C accelerator aliases: __builtin__ ->
// builtins, copy_reg -> copyreg, _operator -> operator, posix/nt -> os, _pickle -> pickle, ...
std::string canonical_module(std::string_view module);

}  // namespace mg::pickle
