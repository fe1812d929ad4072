// modelgate.toml and [tool.modelgate] come with repositories people clone: the loader must turn
// any text into a Config or an Error with a place, never a crash or a hang. The globs it accepts
// are then matched, as a scan would, against paths taken from the same input.
#include <cstdint>
#include <string_view>

#include "cli/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool pyproject = (data[0] & 1) != 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  auto config = mg::config::parse_config(text, "/fuzz/modelgate.toml", pyproject);
  if (!config) {
    if (config.error().message.rfind("/fuzz/modelgate.toml", 0) != 0) __builtin_trap();  // every error names the file
    return 0;
  }
  mg::Limits limits;
  mg::config::apply_limits(config->scan, limits);
  for (const auto& pi : config->scan.per_file_ignores) {
    (void)mg::config::glob_match(pi.glob, "tests/unit/a/b/test_model.py");
    (void)mg::config::glob_match(pi.glob, pi.glob);
  }
  // The glob matcher on its own: pattern and path split at the first newline.
  const auto nl = text.find('\n');
  if (nl != std::string_view::npos) (void)mg::config::glob_match(text.substr(0, nl), text.substr(nl + 1));
  return 0;
}
