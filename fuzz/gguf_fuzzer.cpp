// libFuzzer target: GGUF metadata and tensor infos, then the chat-template checks on what it finds.
#include <cstddef>
#include <cstdint>

#include "formats/chat_template.hpp"
#include "formats/gguf.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto rep = mg::gguf::read({data, size});
  for (const auto& t : rep.templates) (void)mg::chat_template::check(t.second);
  return 0;
}
