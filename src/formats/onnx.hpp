// ONNX ModelProto walk with a minimal protobuf reader (varints and length-delimited fields only;
// tensor payloads are skipped, never copied). Reports external_data locations a runtime would open
// and operator domains that need a custom-op library (native code) to load.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace mg::onnx {

struct OnnxReport {
  bool parsed = false;
  std::string error;
  std::int64_t ir_version = 0;
  std::vector<std::string> external_locations;  // every external_data "location" value
  std::vector<std::string> custom_domains;      // opset / node domains outside the standard ones
};

OnnxReport read(std::span<const std::uint8_t> data, std::uint32_t max_depth = 32);

// A location that leaves the model's directory: absolute, drive-qualified, or climbing with "..".
bool location_escapes(const std::string& location);

}  // namespace mg::onnx
