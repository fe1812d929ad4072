// libFuzzer target: Keras configs and external links located inside HDF5 bytes.
#include <cstddef>
#include <cstdint>

#include "formats/hdf5_configs.hpp"
#include "formats/keras.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  (void)mg::hdf5::is_hdf5(bytes);
  for (auto cfg : mg::hdf5::keras_json_configs(bytes)) (void)mg::keras::check_config(cfg);
  (void)mg::hdf5::external_links(bytes);
  return 0;
}
