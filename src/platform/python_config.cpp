#include "platform/python_config.hpp"

namespace mg {

const TSNode* PythonTopLevel::find(std::string_view name) const {
  for (const auto& [n, v] : assignments) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::optional<PythonTopLevel> read_top_level(std::string_view source) {
  py::Parser parser;
  PythonTopLevel out;
  out.tree = parser.parse(source);
  if (!out.tree) return std::nullopt;
  for (TSNode stmt : py::named_children(out.tree.root())) {
    if (py::is(stmt, "decorated_definition")) stmt = py::field(stmt, "definition");
    if (py::is(stmt, "function_definition")) {
      out.functions.emplace_back(out.tree.text(py::field(stmt, "name")));
    } else if (py::is(stmt, "expression_statement") && ts_node_named_child_count(stmt) == 1) {
      TSNode a = ts_node_named_child(stmt, 0);
      if (!py::is(a, "assignment")) continue;
      TSNode left = py::field(a, "left"), right = py::field(a, "right");
      if (py::is(left, "identifier") && !ts_node_is_null(right)) out.assignments.emplace_back(std::string(out.tree.text(left)), right);
    }
  }
  return out;
}

std::optional<TSNode> dict_item(const py::Tree& tree, TSNode dict, std::string_view key) {
  if (py::is(dict, "call") && tree.text(py::field(dict, "function")) == "dict") {
    for (TSNode arg : py::named_children(py::field(dict, "arguments"))) {
      if (py::is(arg, "keyword_argument") && tree.text(py::field(arg, "name")) == key) return py::field(arg, "value");
    }
  } else if (py::is(dict, "dictionary")) {
    for (TSNode pair : py::named_children(dict)) {
      if (!py::is(pair, "pair")) continue;
      auto k = py::string_value(tree, py::field(pair, "key"));
      if (k && *k == key) return py::field(pair, "value");
    }
  }
  return std::nullopt;
}

}  // namespace mg
