// Module-level facts of a Python file read without running it: assignments and function names.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "python/tree.hpp"

namespace mg {

struct PythonTopLevel {
  py::Tree tree;
  std::vector<std::pair<std::string, TSNode>> assignments;  // name = <value node>
  std::vector<std::string> functions;                       // def names, decorated or not
  const TSNode* find(std::string_view name) const;
};

// Parses `source` (kept alive by the caller); nullopt when tree-sitter gives up (time limit).
std::optional<PythonTopLevel> read_top_level(std::string_view source);

// `dict(k=v, ...)` or `{'k': v}`: the value node of key `k`.
std::optional<TSNode> dict_item(const py::Tree& tree, TSNode dict, std::string_view key);

}  // namespace mg
