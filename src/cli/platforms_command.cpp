// `modelgate platforms`: the paper's Table 6 beside modelgate's loader model, per hub, each cell
// with its source (src/platform/platform_data.cpp holds the reviewed table).
#include <cstdio>
#include <string>

#include "cli/commands.hpp"
#include "platform/platform_data.hpp"

namespace mg {

int run_platforms(const std::string& format) {
  const std::string out = format == "json"       ? platforms::render_json()
                          : format == "markdown" ? platforms::render_markdown()
                                                 : platforms::render_text();
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace mg
