// skops (`.skops`): a zip whose schema.json describes every object skops.io.load builds. Each node
// names its type ("__module__", "__class__") and how it is built ("__loader__": ObjectNode,
// FunctionNode, MethodNode, TypeNode, ...). skops refuses types outside its trusted set unless the
// caller passes them (users routinely pass every type get_untrusted_types() lists); this lists them.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mg::skops {

struct TypeRef {
  std::string module;
  std::string name;
  std::string loader;  // ObjectNode, FunctionNode, ...
  std::string path;    // JSON path of the node
};

struct SchemaReport {
  bool parsed = false;
  std::string error;
  std::vector<TypeRef> types;  // distinct (module, name, loader), at most 10,000
};

SchemaReport read_schema(std::string_view schema_json, std::size_t max_depth = 256);

// Types skops trusts by default (builtins containers, numpy arrays and dtypes, scipy sparse) and
// scikit-learn estimators built as objects: loading them needs no trust decision.
bool trusted(const TypeRef& t);

}  // namespace mg::skops
