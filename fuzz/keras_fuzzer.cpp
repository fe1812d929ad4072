// libFuzzer target: Keras config.json walk (JSON depth pre-check, nlohmann without exceptions).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/keras.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)mg::keras::check_config(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
