// The serialized engine: every deserialization point of the LoadPlan (and any file whose bytes are
// a pickle, whatever its name) goes through the format readers in src/formats; what loading would
// import or call becomes SZ2xx findings, container tricks SZ3xx, Keras SZ4xx, and safetensors /
// GGUF / chat templates / ONNX SZ5xx. A stream or container it cannot read to the end is reported
// as incomplete, never as clean.
//
// TorchScript `code/` members are reported with SZ303 (and the archive's `__torch__.*` classes with
// them). Note for the Python engine: torchscript::code_sources (src/formats/torchscript.hpp) returns
// their text, bounded, for a later pass that parses them like repository .py files.
#pragma once
#include <memory>
#include <set>
#include <string>

#include "engines/engine.hpp"

namespace mg {

struct SerializedOptions {
  // Pickle globals ("module.name") the user declares safe (the configuration's pickle-allow): a
  // global the built-in policy calls unknown is then allowed. The denylist still wins: a global it
  // calls dangerous is reported whatever this says (the CLI warns about such entries).
  std::set<std::string> allowed_globals;
};

std::unique_ptr<Engine> make_serialized_engine(SerializedOptions options = {});

}  // namespace mg
