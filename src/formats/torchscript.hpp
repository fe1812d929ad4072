// TorchScript archives (torch.jit.save): the `code/` members hold the model's TorchScript source,
// Python-syntax text that torch.jit.load compiles and runs. Listed here so that engines can report
// them and, later, hand them to the Python engine (see the note in serialized_engine.hpp).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "formats/zip_reader.hpp"

namespace mg::torchscript {

// `code/**.py` anywhere in the archive (`archive/code/__torch__/model.py`), not the `.debug_pkl`
// source maps beside them.
bool is_code_member(std::string_view name);

struct Source {
  std::string name;  // member name
  std::string text;  // the TorchScript source
};

struct Sources {
  std::vector<Source> files;
  bool complete = true;  // false: a member could not be read or the bounds cut the list
  std::string error;
};

// The text of every code member of a zip, at most `max_files` members and `max_bytes` in all.
Sources code_sources(std::span<const std::uint8_t> zip_bytes, const zip::ZipLimits& limits = {},
                     std::size_t max_files = 4096, std::uint64_t max_bytes = 64ull << 20);

}  // namespace mg::torchscript
