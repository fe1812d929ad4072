// libFuzzer target: the protobuf wire decoder over saved_model.pb and keras_metadata.pb schemas.
#include <cstddef>
#include <cstdint>

#include "formats/keras.hpp"
#include "formats/savedmodel.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  for (const auto& r : {mg::savedmodel::read_saved_model(bytes), mg::savedmodel::read_keras_metadata(bytes)}) {
    for (const auto& cfg : r.keras_configs) (void)mg::keras::check_config(cfg);
  }
  return 0;
}
