#include "formats/keras.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>

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

std::vector<std::uint8_t> base64_decode(std::string_view text, std::size_t max_bytes) {
  static constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const auto v = kB64.find(c);
    if (v == std::string_view::npos) return {};
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>((acc >> bits) & 0xFF));
      if (out.size() >= max_bytes) break;
    }
  }
  return out;
}

// Dangerous TensorFlow functions a TFOpLambda / SlicingOpLambda can name (tf.<function>).
bool dangerous_tf_function(std::string_view fn) {
  static constexpr std::string_view kNames[] = {
      "py_func", "py_function", "numpy_function", "eager_py_func", "PyFunc", "EagerPyFunc", "io.", "gfile",
      "read_file", "write_file", "ReadFile", "WriteFile", "saved_model", "load_op_library", "load_library",
      "keras.models.load_model", "compat.v1.py_func", "summary.create_file_writer", "debugging.experimental",
      "data.experimental.save", "data.Dataset.load", "train.Checkpoint", "train.Saver",
  };
  for (auto n : kNames) {
    if (fn.find(n) != std::string_view::npos) return true;
  }
  return false;
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
      std::string what = "Lambda layer";
      if (auto c = o.find("config"); c != o.end() && c->is_object()) {
        if (auto f = c->find("function"); f != c->end()) {
          // Marshalled bytecode: Keras 2 ["<base64>", defaults, closure], Keras 3 {"class_name":
          // "__lambda__", "config": {"code": "<base64>"}}. Its strings say what it calls.
          std::string code;
          if (f->is_array() && !f->empty() && (*f)[0].is_string()) code = (*f)[0].get<std::string>();
          if (f->is_object()) {
            if (auto fc = f->find("config"); fc != f->end() && fc->is_object()) code = str(*fc, "code");
          }
          const std::string names = code.empty() ? std::string() : lambda_code_summary(code);
          if (!names.empty()) {
            what += ": marshalled bytecode (" + std::to_string(code.size() * 3 / 4) + " bytes) naming " + names;
          } else {
            what += ": function " + f->dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 200);
          }
        }
      }
      hit(KerasRisk::lambda_layer, path, what, true);
      return;
    }
    if (cls == "TFOpLambda" || cls == "SlicingOpLambda") {
      if (auto c = o.find("config"); c != o.end() && c->is_object()) {
        const std::string fn = str(*c, "function");
        const std::string name = str(*c, "name");
        if (dangerous_tf_function(fn) || dangerous_tf_function(name)) {
          hit(KerasRisk::unsafe_keras_call, path, cls + " calls tf." + (fn.empty() ? name : fn), true);
        }
      }
    }
    const std::string registered = str(o, "registered_name");
    for (const std::string* n : {&registered, &cls}) {
      const auto gt = n->find('>');
      if (gt != std::string::npos && gt > 0 && gt + 1 < n->size() && !starts(*n, "keras>") && !starts(*n, "tf_keras>")) {
        hit(KerasRisk::custom_object, path, "custom object " + *n + ": loading imports it from package '" + n->substr(0, gt) +
                                                "' (custom_objects or a registered class, code outside the file)", false);
        break;
      }
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

std::string lambda_code_summary(std::string_view base64_code, std::size_t max_chars) {
  const auto bytes = base64_decode(base64_code, 1u << 20);
  std::string out;
  std::vector<std::string> seen;
  const auto printable = [](const std::uint8_t* p, std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) {
      if (p[k] < 0x20 || p[k] > 0x7e) return false;
    }
    return true;
  };
  for (std::size_t k = 0; k + 2 < bytes.size() && out.size() < max_chars;) {
    const std::uint8_t type = bytes[k] & 0x7f;  // FLAG_REF is 0x80
    std::size_t len = 0, head = 0;
    if (type == 'z' || type == 'Z') {
      len = bytes[k + 1];
      head = 2;
    } else if ((type == 'a' || type == 'A' || type == 'u' || type == 't') && k + 5 <= bytes.size()) {
      len = bytes[k + 1] | (bytes[k + 2] << 8) | (bytes[k + 3] << 16) | (static_cast<std::size_t>(bytes[k + 4]) << 24);
      head = 5;
    } else {
      ++k;
      continue;
    }
    if (len == 0 || len > 4096 || len > bytes.size() - k - head || !printable(bytes.data() + k + head, len)) {
      ++k;
      continue;
    }
    std::string s(reinterpret_cast<const char*>(bytes.data() + k + head), len);
    k += head + len;
    if (s == "<lambda>" || s.front() == '<' || std::find(seen.begin(), seen.end(), s) != seen.end()) continue;
    seen.push_back(s);
    const bool ident = std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
    out += (out.empty() ? "" : ", ") + (ident ? s : "'" + s.substr(0, 80) + "'");
  }
  if (out.size() > max_chars) out = out.substr(0, max_chars) + "...";
  return out;
}

namespace {

// Where and why JSON does not parse, from a SAX pass that builds nothing (no exception thrown).
struct ParseErrorOf : nlohmann::json_sax<json> {
  std::string what;
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
    what = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." without the tag.
    if (const auto close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
      what.erase(0, close + 2);
    }
    if (what.size() > 200) what = what.substr(0, 200) + "...";
    return false;
  }
};

std::string json_error(std::string_view text) {
  ParseErrorOf sax;
  json::sax_parse(text.begin(), text.end(), &sax);
  return sax.what.empty() ? "not valid JSON" : sax.what;
}

}  // namespace

KerasReport check_config(std::string_view text, std::size_t max_depth, std::string_view what) {
  KerasReport rep;
  const std::string name = what.empty() ? std::string("config.json") : std::string(what);
  if (!json_depth_within(text, max_depth)) {
    rep.error = name + " nests deeper than the limit of " + std::to_string(max_depth) + " levels";
    return rep;
  }
  json doc = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    rep.error = name + " is not valid JSON (" + json_error(text) + ")";
    return rep;
  }
  rep.parsed = true;
  Walker(rep).walk(doc, "", 0);
  return rep;
}

}  // namespace mg::keras
