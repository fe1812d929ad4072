// libFuzzer target: HDF5 bytes through libhdf5 (in this process, so the sanitizers see it) and the
// byte-level Keras config and external-link search used when libhdf5 refuses a file.
#include <cstddef>
#include <cstdint>

#include "formats/hdf5_configs.hpp"
#include "formats/hdf5_reader.hpp"
#include "formats/keras.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  if (mg::hdf5::is_hdf5(bytes)) {
    const auto c = mg::hdf5::read_in_process(bytes);
    for (const auto& a : c.attributes) (void)mg::keras::check_config(a.value);
  }
  for (auto cfg : mg::hdf5::keras_json_configs(bytes)) (void)mg::keras::check_config(cfg);
  (void)mg::hdf5::external_links(bytes);
  return 0;
}
