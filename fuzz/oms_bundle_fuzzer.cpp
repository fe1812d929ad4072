// OMS signature bundles (model.sig) come with the repository being judged: the bundle parser,
// the statement parser it feeds and base64 must fail cleanly on anything.
#include <cstdint>
#include <string_view>

#include "enforce/oms.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace oms = mg::enforce::oms;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto bundle = oms::parse_bundle(text)) {
    (void)oms::parse_statement(bundle->payload);
    std::string signer, failure;
    (void)oms::check_signature(*bundle, "", signer, failure);  // leaf certificate from the input
  }
  (void)oms::parse_statement(text);
  if (auto raw = oms::base64_decode(text)) {
    auto back = oms::base64_decode(oms::base64_encode(*raw));
    if (!back || *back != *raw) __builtin_trap();
  }
  return 0;
}
