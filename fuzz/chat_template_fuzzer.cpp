// libFuzzer target: Jinja chat-template checks on arbitrary text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formats/chat_template.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)mg::chat_template::check(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
