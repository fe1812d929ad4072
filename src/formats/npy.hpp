// NumPy .npy header. Object arrays (any 'O' in descr, structured fields included) store their data
// as a pickle, which numpy.load(allow_pickle=True) unpickles.
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "core/result.hpp"

namespace mg::npy {

struct NpyHeader {
  int major = 0;
  int minor = 0;
  std::string descr;          // the header's descr value as written (text)
  bool object_dtype = false;  // data is a pickle
  std::uint64_t data_offset = 0;
  bool size_known = false;    // shape and itemsize parsed
  std::uint64_t data_bytes = 0;
};

bool is_npy(std::span<const std::uint8_t> data);
Result<NpyHeader> read_header(std::span<const std::uint8_t> data);

}  // namespace mg::npy
