#include "formats/keras.hpp"

#include <nlohmann/json.hpp>

#include "formats/json_guard.hpp"
#include "formats/pickle_policy.hpp"

namespace mg::keras {

namespace {

using nlohmann::json;

bool starts(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Keras functions a config can name that disable safe_mode, load further files or write files.
bool dangerous_keras_name(std::string_view full) {
  static constexpr std::string_view kNames[] = {
      "enable_unsafe_deserialization", "load_model", "load_weights", "get_file", "extract_archive",
      "plot_model", "plot_image_gallery", "plot_segmentation_mask_gallery", "plot_bounding_box_gallery",
      "model_to_dot", "save_img", "save_model", "TFSMLayer", "TorchModuleWrapper", "deserialize_keras_object",
      "register_keras_serializable", "file_utils", "io_utils",
  };
  for (auto n : kNames) {
    if (full.find(n) != std::string_view::npos) return true;
  }
  return false;
}

bool is_path_like(std::string_view v) {
  return starts(v, "/") || starts(v, "~") || v.find("://") != std::string_view::npos || v.find("..") != std::string_view::npos ||
         (v.size() > 2 && v[1] == ':' && (v[2] == '\\' || v[2] == '/'));
}

class Walker {
 public:
  explicit Walker(KerasReport& rep) : rep_(rep) {}

  void walk(const json& v, const std::string& path, int depth) {
    if (depth > 512 || rep_.hits.size() > 256) return;
    if (v.is_array()) {
      for (std::size_t k = 0; k < v.size(); ++k) walk(v[k], path + "[" + std::to_string(k) + "]", depth + 1);
      return;
    }
    if (!v.is_object()) return;
    visit(v, path);
    for (auto it = v.begin(); it != v.end(); ++it) walk(it.value(), path.empty() ? it.key() : path + "." + it.key(), depth + 1);
  }

 private:
  static std::string str(const json& o, const char* key) {
    auto it = o.find(key);
    return (it != o.end() && it->is_string()) ? it->get<std::string>() : std::string();
  }

  void hit(KerasRisk r, const std::string& path, std::string detail, bool critical) {
    rep_.hits.push_back({r, path.empty() ? "<root>" : path, std::move(detail), critical});
  }

  void visit(const json& o, const std::string& path) {
    const std::string cls = str(o, "class_name");
    const std::string module = str(o, "module");
    if (cls == "Lambda") {
      bool bytecode = false;
      std::string what = "Lambda layer";
      if (auto c = o.find("config"); c != o.end() && c->is_object()) {
        if (auto f = c->find("function"); f != c->end()) {
          const std::string dumped = f->dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 200);
          bytecode = dumped.find("__lambda__") != std::string::npos || (f->is_array() && !f->empty() && (*f)[0].is_string());
          what += ": function " + dumped;
        }
      }
      hit(KerasRisk::lambda_layer, path, what, true);
      (void)bytecode;
      return;
    }
    if (cls == "TorchModuleWrapper") {
      hit(KerasRisk::torch_module, path, "TorchModuleWrapper unpickles a torch module despite safe_mode", true);
    }
    if (cls == "TFSMLayer") {
      hit(KerasRisk::external_path, path, "TFSMLayer loads a SavedModel from " + str(o.value("config", json::object()), "filepath"), true);
    }
    if (cls == "StringLookup" || cls == "IntegerLookup" || cls == "TextVectorization") {
      if (auto c = o.find("config"); c != o.end() && c->is_object()) {
        const std::string vocab = str(*c, "vocabulary");
        if (!vocab.empty() && is_path_like(vocab)) {
          hit(KerasRisk::external_path, path, cls + " vocabulary read from '" + vocab + "'", false);
        }
      }
    }
    if (!module.empty() && !cls.empty()) {
      const std::string full = module + "." + cls;
      // "function" objects name their callable in config.
      std::string fn;
      if (cls == "function") {
        if (auto c = o.find("config"); c != o.end() && c->is_string()) fn = c->get<std::string>();
      }
      const std::string target = fn.empty() ? full : module + "." + fn;
      if (starts(module, "keras") || starts(module, "tf_keras") || starts(module, "tensorflow.keras")) {
        if (dangerous_keras_name(target)) hit(KerasRisk::unsafe_keras_call, path, target, true);
      } else if (module != "builtins" || (cls != "dict" && cls != "list" && cls != "tuple")) {
        const auto c = pickle::classify_global(module, fn.empty() ? cls : fn);
        hit(KerasRisk::foreign_callable, path, target + " (" + c.reason + ")", c.verdict == pickle::Verdict::dangerous);
      }
    }
  }

  KerasReport& rep_;
};

}  // namespace

KerasReport check_config(std::string_view text, std::size_t max_depth) {
  KerasReport rep;
  if (!json_depth_within(text, max_depth)) {
    rep.error = "config.json nests deeper than the limit";
    return rep;
  }
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    rep.error = "config.json is not valid JSON";
    return rep;
  }
  rep.parsed = true;
  Walker(rep).walk(doc, "", 0);
  return rep;
}

}  // namespace mg::keras
