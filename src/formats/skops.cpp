#include "formats/skops.hpp"

#include <nlohmann/json.hpp>

#include <set>

#include "formats/json_guard.hpp"

namespace mg::skops {

namespace {

using nlohmann::json;

void walk(const json& v, const std::string& path, int depth, std::set<std::string>& seen, SchemaReport& rep) {
  if (depth > 256 || rep.types.size() >= 10'000) return;
  if (v.is_array()) {
    for (std::size_t k = 0; k < v.size(); ++k) walk(v[k], path + "[" + std::to_string(k) + "]", depth + 1, seen, rep);
    return;
  }
  if (!v.is_object()) return;
  const auto str = [&](const char* key) {
    const auto it = v.find(key);
    return it != v.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  TypeRef t{str("__module__"), str("__class__"), str("__loader__"), path.empty() ? "<root>" : path};
  // FunctionNode: the callable is in content {"module_path", "function"}.
  if (t.loader == "FunctionNode" || t.loader == "MethodNode") {
    if (auto c = v.find("content"); c != v.end() && c->is_object()) {
      const auto mp = c->find("module_path");
      const auto fn = c->find("function");
      if (mp != c->end() && mp->is_string() && fn != c->end() && fn->is_string()) {
        t.module = mp->get<std::string>();
        t.name = fn->get<std::string>();
      }
    }
  }
  if (!t.loader.empty() && (!t.module.empty() || !t.name.empty()) &&
      seen.insert(t.module + "\n" + t.name + "\n" + t.loader).second) {
    rep.types.push_back(t);
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    walk(it.value(), path.empty() ? it.key() : path + "." + it.key(), depth + 1, seen, rep);
  }
}

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

SchemaReport read_schema(std::string_view text, std::size_t max_depth) {
  SchemaReport rep;
  if (!json_depth_within(text, max_depth)) {
    rep.error = "schema.json nests deeper than the limit";
    return rep;
  }
  const json doc = json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    rep.error = "schema.json is not a JSON object";
    return rep;
  }
  rep.parsed = true;
  std::set<std::string> seen;
  walk(doc, "", 0, seen, rep);
  return rep;
}

bool trusted(const TypeRef& t) {
  static constexpr std::string_view kBuiltins[] = {"dict", "list", "tuple", "set", "frozenset", "str", "int", "float",
                                                   "bool", "bytes", "bytearray", "complex", "slice", "NoneType"};
  if (t.loader == "FunctionNode" || t.loader == "MethodNode") {
    // numpy ufuncs and scipy special functions are what estimators reference as functions.
    return starts(t.module, "numpy") && t.name.find('.') == std::string::npos && t.name != "load" && t.name != "loads" &&
           !starts(t.module, "numpy.f2py") && !starts(t.module, "numpy.testing") && !starts(t.module, "numpy.lib.npyio");
  }
  if (t.module == "builtins") {
    for (auto b : kBuiltins) {
      if (t.name == b) return true;
    }
    return false;
  }
  if (starts(t.module, "numpy") && !starts(t.module, "numpy.f2py") && !starts(t.module, "numpy.testing")) return true;
  if (starts(t.module, "scipy.sparse")) return true;
  return starts(t.module, "sklearn.") && t.loader != "TypeNode" && !t.name.empty() && t.name[0] >= 'A' && t.name[0] <= 'Z';
}

}  // namespace mg::skops
