// Keras v3 `.keras` config.json walk: every object at any depth (nested Sequential/Functional
// included, model-formats.md F14a), not only top-level layers.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mg::keras {

enum class KerasRisk : unsigned char {
  lambda_layer,        // Lambda: marshalled bytecode or a function reference runs at load/call
  foreign_callable,    // module/class_name outside Keras (CVE-2025-1550), or a dangerous Keras function
  unsafe_keras_call,   // enable_unsafe_deserialization, load_model, get_file... (CVE-2025-8747/9906)
  torch_module,        // TorchModuleWrapper: a pickled torch module (CVE-2025-49655)
  external_path,       // StringLookup vocabulary / TFSMLayer path outside the archive (CVE-2025-12058, CVE-2026-1462)
  custom_object,       // a registered custom class ("package>Name"): loading needs code from outside the file
};

struct KerasHit {
  KerasRisk risk;
  std::string path;    // JSON path, e.g. config.layers[1].config.layers[0]
  std::string detail;  // module.class_name or the offending value
  bool critical = false;
};

struct KerasReport {
  bool parsed = false;
  std::string error;
  std::vector<KerasHit> hits;
};

// `what` names the text in errors: "config.json", "HDF5 attribute /@model_config", ...
KerasReport check_config(std::string_view config_json, std::size_t max_depth = 256, std::string_view what = "config.json");

// What a Lambda's marshalled code (base64 of a marshal'd code object, Keras func_dump) names: the
// printable strings of the marshal stream (co_names, co_consts, ...), e.g. "os, system, 'echo x'".
// Found by scanning the bytes for marshal string records, never by unmarshalling. "" if the text is
// not base64 or holds no strings.
std::string lambda_code_summary(std::string_view base64_code, std::size_t max_chars = 240);

}  // namespace mg::keras
