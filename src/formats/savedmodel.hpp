// TensorFlow SavedModel (`saved_model.pb`, `keras_metadata.pb`) read with our own bounded protobuf
// wire decoder and the subset of the schema loading depends on (field numbers from
// tensorflow/core/protobuf/{saved_model,meta_graph,saved_object_graph}.proto and
// tensorflow/core/framework/{graph,node_def,function,attr_value,tensor}.proto):
//
//   SavedModel { 2: repeated MetaGraphDef }
//   MetaGraphDef { 2: GraphDef, 7: SavedObjectGraph }
//   GraphDef { 1: repeated NodeDef, 2: FunctionDefLibrary }
//   FunctionDefLibrary { 1: repeated FunctionDef }      FunctionDef { 1: OpDef{1: name}, 3: repeated NodeDef }
//   NodeDef { 1: name, 2: op, 3: repeated input, 5: map<string, AttrValue> }
//   AttrValue { 8: TensorProto { 8: repeated string_val } }
//
// Every op of the graph and of every library function is listed; an op that runs Python
// (PyFunc), or file I/O with a constant path outside the model's variables/, is a hit; ops not on
// the allow-list of ordinary TensorFlow ops are listed as unknown. JSON strings that hold Keras
// configs (SavedUserObject metadata, keras_metadata.pb) are returned for the Keras checks.
#pragma once
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace mg::savedmodel {

enum class OpRisk : unsigned char { py_func, file_io_constant, file_io_runtime };

struct OpHit {
  OpRisk risk;
  std::string op;
  std::string node;   // node name
  std::string scope;  // "graph" or "function <name>"
  std::string path;   // constant path argument, "" when computed at run time
};

struct Report {
  bool parsed = false;
  std::string error;
  std::uint64_t nodes = 0;
  std::map<std::string, std::uint64_t> op_counts;  // every op type seen
  std::vector<OpHit> hits;
  std::vector<std::string> unknown_ops;            // sorted, not on the allow-list
  std::vector<std::string> keras_configs;          // JSON texts with "class_name"
};

struct Limits {
  std::uint64_t max_nodes = 5'000'000;
  std::uint32_t max_depth = 16;  // message nesting we follow
  std::size_t max_configs = 10'000;
};

Report read_saved_model(std::span<const std::uint8_t> data, const Limits& limits = {});

// keras_metadata.pb: SavedMetadata { 1: repeated SavedObject { 5: metadata (JSON) } }; every JSON
// string with a Keras config in it.
Report read_keras_metadata(std::span<const std::uint8_t> data, const Limits& limits = {});

bool is_known_op(std::string_view op);

}  // namespace mg::savedmodel
