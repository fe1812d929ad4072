// ONNX ModelProto walk over the shared bounded protobuf reader (protobuf_wire.hpp; tensor payloads
// are skipped, never copied). Reports external_data locations a runtime would open, operator
// domains that need a custom-op library (native code) to load, and the native libraries the model
// itself names.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mg::onnx {

// Operators of one non-standard domain. Model-local functions (ModelProto.functions) are ONNX
// graphs, not native code: nodes that call them do not count.
struct CustomDomain {
  std::string domain;
  std::vector<std::string> op_types;  // distinct, first 16
  std::uint32_t nodes = 0;            // nodes of this domain (graphs, subgraphs, functions)
  bool imported = false;              // listed in opset_import
};

struct OnnxReport {
  bool parsed = false;
  std::string error;
  std::int64_t ir_version = 0;
  std::vector<std::string> external_locations;  // every external_data "location" value
  std::vector<CustomDomain> custom_domains;     // in order of first sight, at most 64
  // Shared-library file names (.so, .dll, .dylib) in metadata_props, doc strings or the producer:
  // where a model says which custom-op library to register. "key: name" for metadata entries.
  std::vector<std::string> native_libraries;
};

OnnxReport read(std::span<const std::uint8_t> data, std::uint32_t max_depth = 32);

// A location that leaves the model's directory: absolute, drive-qualified, or climbing with "..".
bool location_escapes(const std::string& location);

// A file name a dynamic loader takes: *.so, *.so.<version>, *.dll, *.dylib.
bool is_native_library_name(std::string_view name);

// The library known to implement a public custom-op domain ("" if none is known): what a user is
// told to register for it.
std::string known_library(const std::string& domain);

}  // namespace mg::onnx
