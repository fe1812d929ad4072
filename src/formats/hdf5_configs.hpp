// Keras configs inside legacy HDF5 models (`model_config`, `training_config` attributes), found
// without an HDF5 library: attribute strings are stored as plain bytes, so the JSON objects are
// located by their opening key and bounded by brace matching. The fallback for files libhdf5
// refuses (hdf5_reader.hpp); such files stay incomplete.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mg::hdf5 {

bool is_hdf5(std::span<const std::uint8_t> data);

// JSON objects that start with {"class_name" or {"module", as views into `data` (at most 64).
std::vector<std::string_view> keras_json_configs(std::span<const std::uint8_t> data, std::size_t max_bytes = 64u << 20);

// External links (link messages of type 64: "file\0object\0"), which make h5py/Keras open another
// file when the link is followed (model-formats.md F12). Returned as "file:object", at most 64.
std::vector<std::string> external_links(std::span<const std::uint8_t> data);

}  // namespace mg::hdf5
