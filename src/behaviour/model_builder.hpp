// Builds a file's behaviour model (model.hpp) from its syntax tree: one walk over the statements
// of every scope, with the constant evaluator resolving computed names and decoding constants, and
// the API table (api.hpp) saying what each library call does with its arguments.
#pragma once
#include <string_view>

#include "behaviour/model.hpp"
#include "python/module_index.hpp"
#include "python/tree.hpp"

namespace mg::behaviour {

FileModel build_model(const py::Tree& tree, const py::NameTable& names, std::string_view path);

}  // namespace mg::behaviour
