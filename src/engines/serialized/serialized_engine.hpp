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

#include "engines/engine.hpp"

namespace mg {

std::unique_ptr<Engine> make_serialized_engine();

}  // namespace mg
