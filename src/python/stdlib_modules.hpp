#pragma once
#include <string_view>

namespace mg::py {

// True for a top-level module of the standard library ("os", "json"; not "torch").
bool is_stdlib_module(std::string_view top_level);

}  // namespace mg::py
