// The serialized engine: every deserialization point of the LoadPlan (and any file whose bytes are
// a pickle, whatever its name) goes through the format readers in src/formats; what loading would
// import or call becomes SZ2xx findings, container tricks SZ3xx, Keras SZ4xx, and safetensors /
// GGUF / chat templates / ONNX SZ5xx. A stream or container it cannot read to the end is reported
// as incomplete, never as clean.
#pragma once
#include <memory>

#include "engines/engine.hpp"

namespace mg {

std::unique_ptr<Engine> make_serialized_engine();

}  // namespace mg
