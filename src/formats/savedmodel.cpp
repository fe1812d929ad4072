#include "formats/savedmodel.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <string_view>
#include <unordered_map>

#include "formats/protobuf_wire.hpp"

namespace mg::savedmodel {

namespace {

using Bytes = std::span<const std::uint8_t>;

template <std::size_t N>
bool in(std::string_view s, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

// Ops that call back into the Python process that built the graph.
constexpr std::string_view kPyFunc[] = {"PyFunc", "PyFuncStateless", "EagerPyFunc"};
// Checkpoint ops every SavedModel has; a risk only when their path is a constant outside the model.
constexpr std::string_view kCheckpointOps[] = {"Save", "SaveSlices", "SaveV2", "Restore", "RestoreSlice", "RestoreV2",
                                               "MergeV2Checkpoints"};
// Plain file access: reported whatever the path.
constexpr std::string_view kFileOps[] = {"ReadFile", "WriteFile", "MatchingFiles"};
// Ops that open files named by an input (which one: the index beside it).
constexpr std::pair<std::string_view, int> kPathInputs[] = {
    {"InitializeTableFromTextFile", 1}, {"InitializeTableFromTextFileV2", 1}, {"TFRecordDataset", 0},
    {"TextLineDataset", 0}, {"FixedLengthRecordDataset", 0}, {"FixedLengthRecordDatasetV2", 0},
    {"TFRecordDatasetV2", 0}, {"LoadDataset", 0}, {"SaveDataset", 1}, {"SaveDatasetV2", 1},
    {"DatasetToTFRecord", 1}, {"CreateSummaryFileWriter", 1}, {"WriteAudioSummary", 0},
};

// Ordinary TensorFlow ops (math, nn, array, control flow, variables, tables, strings, images,
// datasets, optimizers): what Keras and tf.function SavedModels are made of. An op outside this
// list is not necessarily bad, but this build does not know what it does.
constexpr std::string_view kKnown[] = {
    "Abs", "Acos", "Acosh", "Add", "AddN", "AddV2", "AdjustContrastv2", "AdjustHue", "AdjustSaturation", "All", "Angle",
    "AnonymousIteratorV2", "AnonymousIteratorV3", "Any", "ApproximateEqual", "ArgMax", "ArgMin", "AsString", "Asin",
    "Asinh", "Assert", "Assign", "AssignAdd", "AssignAddVariableOp", "AssignSub", "AssignSubVariableOp",
    "AssignVariableOp", "Atan", "Atan2", "Atanh", "AvgPool", "AvgPool3D", "AvgPoolGrad", "BatchDatasetV2",
    "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "BatchToSpaceND", "Betainc", "BiasAdd", "BiasAddGrad",
    "Bincount", "Bitcast", "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BlockLSTM", "BlockLSTMV2", "BroadcastArgs",
    "BroadcastGradientArgs", "BroadcastTo", "Bucketize", "Case", "Cast", "Ceil", "CheckNumerics", "CheckNumericsV2",
    "Cholesky", "ClipByValue", "CombinedNonMaxSuppression", "Complex", "ComplexAbs", "Concat", "ConcatOffset",
    "ConcatV2", "Conj", "ConjugateTranspose", "Const", "ConsumeMutexLock", "ControlTrigger", "Conv2D",
    "Conv2DBackpropFilter", "Conv2DBackpropInput", "Conv3D", "Conv3DBackpropInputV2", "Cos", "Cosh", "CropAndResize",
    "Cross", "CudnnRNN", "CudnnRNNV2", "CudnnRNNV3", "Cumprod", "Cumsum", "DataFormatDimMap", "DataFormatVecPermute",
    "DecodeBase64", "DecodeBmp", "DecodeGif", "DecodeImage", "DecodeJpeg", "DecodePng", "DecodeRaw", "DeleteIterator",
    "DenseBincount", "DepthToSpace", "DepthwiseConv2dNative", "DepthwiseConv2dNativeBackpropFilter",
    "DepthwiseConv2dNativeBackpropInput", "Dequantize", "DestroyResourceOp", "Diag", "DiagPart", "Digamma",
    "Dilation2D", "DisableCopyOnRead", "Div", "DivNoNan", "DynamicPartition", "DynamicStitch", "Einsum", "Elu",
    "EluGrad", "EmptyTensorList", "EncodeBase64", "EncodeJpeg", "EncodePng", "EnsureShape", "Enter", "Equal", "Erf",
    "Erfc", "Erfinv", "Exit", "Exp", "ExpandDims", "Expm1", "ExtractImagePatches", "FFT", "FFT2D", "FFT3D",
    "FakeQuantWithMinMaxArgs", "FakeQuantWithMinMaxVars", "FakeQuantWithMinMaxVarsPerChannel", "Fill",
    "FilterDataset", "FlatMapDataset", "Floor", "FloorDiv", "FloorMod", "FusedBatchNorm", "FusedBatchNormGradV3",
    "FusedBatchNormV2", "FusedBatchNormV3", "GRUBlockCell", "Gather", "GatherNd", "GatherV2", "Greater",
    "GreaterEqual", "HSVToRGB", "HashTable", "HashTableV2", "IFFT", "IFFT2D", "IRFFT", "IRFFT2D", "Identity",
    "IdentityN", "If", "Igamma", "Igammac", "Imag", "ImageProjectiveTransformV2", "ImageProjectiveTransformV3",
    "InTopKV2", "InitializeTable", "InitializeTableFromTextFile", "InitializeTableFromTextFileV2",
    "InitializeTableV2", "Inv", "Invert", "InvertPermutation", "IsFinite", "IsInf", "IsNan",
    "IsVariableInitialized", "IteratorGetNext", "IteratorGetNextSync", "IteratorV2", "L2Loss", "LRN", "LSTMBlockCell",
    "LeakyRelu", "LeakyReluGrad", "LeftShift", "Less", "LessEqual", "Lgamma", "LinSpace", "ListDiff", "Log",
    "Log1p", "LogMatrixDeterminant", "LogSoftmax", "LogicalAnd", "LogicalNot", "LogicalOr", "LookupTableExportV2",
    "LookupTableFind", "LookupTableFindV2", "LookupTableImportV2", "LookupTableInsertV2", "LookupTableRemoveV2",
    "LookupTableSize", "LookupTableSizeV2", "LoopCond", "LowerBound", "MakeIterator", "MapDataset",
    "MatMul", "MatchingFiles", "MatrixBandPart", "MatrixDeterminant", "MatrixDiag", "MatrixDiagPart",
    "MatrixDiagPartV2", "MatrixDiagPartV3", "MatrixDiagV2", "MatrixDiagV3", "MatrixInverse", "MatrixSetDiag",
    "MatrixSetDiagV2", "MatrixSetDiagV3", "MatrixSolve", "MatrixTriangularSolve", "Max", "MaxPool", "MaxPool3D",
    "MaxPoolGrad", "MaxPoolV2", "MaxPoolWithArgmax", "Maximum", "Mean", "Merge", "MergeV2Checkpoints", "Min",
    "Minimum", "MirrorPad", "Mod", "ModelDataset", "Mul", "MulNoNan", "Multinomial", "MutableDenseHashTableV2",
    "MutableHashTable", "MutableHashTableOfTensorsV2", "MutableHashTableV2", "MutexLock", "MutexV2", "Ndtri", "Neg",
    "NextIteration", "NoOp", "NonMaxSuppression", "NonMaxSuppressionV2", "NonMaxSuppressionV3",
    "NonMaxSuppressionV4", "NonMaxSuppressionV5", "NonMaxSuppressionWithOverlaps", "NotEqual", "OneHot", "OnesLike",
    "OptimizeDataset", "OptimizeDatasetV2", "OptionalFromValue", "OptionalGetValue", "OptionalHasValue",
    "OptionalNone", "Pack", "Pad", "PadV2", "PaddedBatchDatasetV2", "ParallelMapDatasetV2", "ParseExample",
    "ParseExampleV2", "ParseSingleExample", "ParseTensor", "PartitionedCall", "Placeholder", "PlaceholderWithDefault",
    "PopulationCount", "Pow", "PrefetchDataset", "PreventGradient", "Print", "PrintV2", "Prod", "Qr",
    "QuantizeAndDequantizeV2", "QuantizeAndDequantizeV3", "QuantizeAndDequantizeV4", "QuantizeV2", "RFFT", "RFFT2D",
    "RGBToHSV", "RaggedGather", "RaggedRange", "RaggedTensorFromVariant", "RaggedTensorToSparse",
    "RaggedTensorToTensor", "RaggedTensorToVariant", "RandomGammaGrad", "RandomShuffle", "RandomStandardNormal",
    "RandomUniform", "RandomUniformInt", "Range", "RangeDataset", "Rank", "ReadFile", "ReadVariableOp", "Real",
    "RealDiv", "Reciprocal", "ReduceJoin", "RegexFullMatch", "RegexReplace", "Relu", "Relu6", "Relu6Grad", "ReluGrad",
    "RepeatDataset", "Reshape", "ResizeArea", "ResizeBicubic", "ResizeBilinear", "ResizeBilinearGrad",
    "ResizeNearestNeighbor", "ResizeNearestNeighborGrad", "ResourceApplyAdaMax", "ResourceApplyAdadelta",
    "ResourceApplyAdagrad", "ResourceApplyAdagradV2", "ResourceApplyAdam", "ResourceApplyCenteredRMSProp",
    "ResourceApplyFtrl", "ResourceApplyFtrlV2", "ResourceApplyGradientDescent", "ResourceApplyKerasMomentum",
    "ResourceApplyMomentum", "ResourceApplyRMSProp", "ResourceGather", "ResourceGatherNd", "ResourceScatterAdd",
    "ResourceScatterNdAdd", "ResourceScatterNdUpdate", "ResourceScatterUpdate", "ResourceSparseApplyAdagradV2",
    "ResourceStridedSliceAssign", "Restore", "RestoreSlice", "RestoreV2", "ReverseSequence", "ReverseV2",
    "RightShift", "Rint", "Roll", "Round", "Rsqrt", "RsqrtGrad", "Save", "SaveSlices", "SaveV2", "ScaleAndTranslate",
    "ScatterNd", "SegmentMax", "SegmentMean", "SegmentMin", "SegmentProd", "SegmentSum", "Select", "SelectV2",
    "SelfAdjointEigV2", "Selu", "SeluGrad", "SerializeTensor", "Shape", "ShapeN", "ShardDataset", "ShardedFilename",
    "ShuffleDatasetV3", "Sigmoid", "SigmoidGrad", "Sign", "Sin", "Sinh", "Size", "SkipDataset", "Slice", "Snapshot",
    "Softmax", "SoftmaxCrossEntropyWithLogits", "Softplus", "SoftplusGrad", "Softsign", "SpaceToBatchND",
    "SpaceToDepth", "SparseFillEmptyRows", "SparseReshape", "SparseSegmentMean", "SparseSegmentSqrtN",
    "SparseSegmentSum", "SparseSoftmaxCrossEntropyWithLogits", "SparseTensorDenseMatMul", "SparseToDense", "Split",
    "SplitV", "Sqrt", "SqrtGrad", "Square", "SquaredDifference", "Squeeze", "StackCloseV2", "StackPopV2",
    "StackPushV2", "StackV2", "StatefulPartitionedCall", "StatelessCase", "StatelessIf", "StatelessMultinomial",
    "StatelessRandomGetKeyCounter", "StatelessRandomGetKeyCounterAlg", "StatelessRandomNormal",
    "StatelessRandomNormalV2", "StatelessRandomUniform", "StatelessRandomUniformFullIntV2",
    "StatelessRandomUniformInt", "StatelessRandomUniformIntV2", "StatelessRandomUniformV2",
    "StatelessTruncatedNormal", "StatelessTruncatedNormalV2", "StatelessWhile", "StaticRegexFullMatch",
    "StaticRegexReplace", "StopGradient", "StridedSlice", "StridedSliceGrad", "StringFormat", "StringJoin",
    "StringLength", "StringLower", "StringNGrams", "StringSplit", "StringSplitV2", "StringStrip",
    "StringToHashBucket", "StringToHashBucketFast", "StringToHashBucketStrong", "StringToNumber", "StringUpper", "Sub",
    "Substr", "Sum", "Svd", "Switch", "SymbolicGradient", "TakeDataset", "Tan", "Tanh", "TanhGrad",
    "TensorArrayConcatV3", "TensorArrayGatherV3", "TensorArrayGradV3", "TensorArrayReadV3", "TensorArrayScatterV3",
    "TensorArraySizeV3", "TensorArraySplitV3", "TensorArrayV3", "TensorArrayWriteV3", "TensorDataset",
    "TensorListConcatV2", "TensorListElementShape", "TensorListFromTensor", "TensorListGather",
    "TensorListGetItem", "TensorListLength", "TensorListPopBack", "TensorListPushBack", "TensorListReserve",
    "TensorListResize", "TensorListScatterIntoExistingList", "TensorListSetItem", "TensorListSplit",
    "TensorListStack", "TensorScatterAdd", "TensorScatterMax", "TensorScatterMin", "TensorScatterSub",
    "TensorScatterUpdate", "TensorSliceDataset", "TensorStridedSliceUpdate", "Tile", "TopKV2", "Transpose",
    "TruncateDiv", "TruncateMod", "TruncatedNormal", "Unbatch", "UnicodeDecode", "UnicodeDecodeWithOffsets",
    "UnicodeEncode", "UnicodeScript", "UnicodeTranscode", "Unique", "UniqueV2", "UniqueWithCounts", "Unpack",
    "UnsortedSegmentMax", "UnsortedSegmentMin", "UnsortedSegmentProd", "UnsortedSegmentSum", "UpperBound",
    "VarHandleOp", "VarIsInitializedOp", "Variable", "VariableShape", "VariableV2", "Where", "While", "WriteFile",
    "Xdivy", "Xlog1py", "Xlogy", "ZerosLike", "Zeta", "_Arg", "_Retval",
};

bool escapes(std::string_view p) {
  return p.empty() ? false
                   : p.front() == '/' || p.front() == '~' || p.front() == '\\' || p.find("..") != std::string_view::npos ||
                         p.find("://") != std::string_view::npos ||
                         (p.size() > 2 && p[1] == ':' && (p[2] == '\\' || p[2] == '/'));
}

struct NodeInfo {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;
  std::string const_string;  // Const: the first string_val of its value
  bool has_const_string = false;
  std::string region;        // ImmutableConst: memory_region_name
  std::string separator;     // StringJoin: separator
};

// TensorProto { 8: repeated bytes string_val }: the first one.
bool tensor_string(Bytes b, std::string& out) {
  pb::Reader r(b);
  pb::Field f;
  while (r.next(f)) {
    if (f.number == 8 && f.wire == 2) {
      out.assign(f.text().substr(0, 4096));
      return true;
    }
  }
  return false;
}

bool parse_node(Bytes b, NodeInfo& n) {
  pb::Reader r(b);
  pb::Field f;
  while (r.next(f)) {
    if (f.wire != 2) continue;
    if (f.number == 1) n.name.assign(f.text().substr(0, 1024));
    else if (f.number == 2) n.op.assign(f.text().substr(0, 256));
    else if (f.number == 3 && n.inputs.size() < 64) n.inputs.emplace_back(f.text().substr(0, 1024));
    else if (f.number == 5) {  // map<string, AttrValue> entry
      pb::Reader e(f.bytes);
      pb::Field ef;
      std::string_view key;
      Bytes value;
      while (e.next(ef)) {
        if (ef.number == 1 && ef.wire == 2) key = ef.text();
        else if (ef.number == 2 && ef.wire == 2) value = ef.bytes;
      }
      if (key != "value" && key != "memory_region_name" && key != "separator") continue;
      pb::Reader av(value);
      pb::Field af;
      while (av.next(af)) {
        if (key == "value" && af.number == 8 && af.wire == 2) n.has_const_string = tensor_string(af.bytes, n.const_string);
        if (key == "memory_region_name" && af.number == 2 && af.wire == 2) n.region.assign(af.text().substr(0, 4096));
        if (key == "separator" && af.number == 2 && af.wire == 2) n.separator.assign(af.text().substr(0, 256));
      }
    }
  }
  return r.ok();
}

class Walker {
 public:
  Walker(Report& rep, const Limits& lim) : rep_(rep), lim_(lim) {}

  bool fail(std::string why) {
    if (rep_.error.empty()) rep_.error = std::move(why);
    return false;
  }

  // One scope (the graph, or one function): its nodes, with constants resolved by node name.
  bool scope(const std::vector<Bytes>& node_bytes, const std::string& where) {
    std::vector<NodeInfo> nodes(node_bytes.size());
    std::unordered_map<std::string_view, std::size_t> by_name;
    for (std::size_t k = 0; k < node_bytes.size(); ++k) {
      if (++rep_.nodes > lim_.max_nodes) return fail("more nodes than the limit");
      if (!parse_node(node_bytes[k], nodes[k])) return fail("a NodeDef in " + where + " is malformed");
      by_name.emplace(nodes[k].name, k);
    }
    // A string the graph computes from constants alone: a Const, passed through Identity-like ops,
    // joined (StringJoin, string Add). A path routed through them is as fixed as a Const.
    std::function<bool(std::string_view, int, std::string&)> fold = [&](std::string_view in, int depth, std::string& out) {
      if (in.empty() || in.front() == '^' || depth > 8) return false;
      in = in.substr(0, in.find(':'));
      const auto it = by_name.find(in);
      if (it == by_name.end()) return false;
      const NodeInfo& c = nodes[it->second];
      if (c.op == "Const") {
        if (!c.has_const_string) return false;
        out = c.const_string;
        return true;
      }
      if (c.op == "Identity" || c.op == "IdentityN" || c.op == "Snapshot" || c.op == "StopGradient" ||
          c.op == "PreventGradient") {
        return !c.inputs.empty() && fold(c.inputs[0], depth + 1, out);
      }
      if (c.op == "StringJoin" || ((c.op == "Add" || c.op == "AddV2") && c.inputs.size() == 2)) {
        std::string joined;
        std::size_t parts = 0;
        for (const auto& i : c.inputs) {
          if (!i.empty() && i.front() == '^') continue;
          std::string part;
          if (!fold(i, depth + 1, part)) return false;
          joined += (parts++ && c.op == "StringJoin" ? c.separator : std::string()) + part;
          if (joined.size() > 4096) return false;
        }
        out = std::move(joined);
        return parts > 0;
      }
      return false;
    };
    const auto constant = [&](const NodeInfo& n, std::size_t idx, std::string& out) {
      return idx < n.inputs.size() && fold(n.inputs[idx], 0, out);
    };
    for (const auto& n : nodes) {
      ++rep_.op_counts[n.op];
      std::string path;
      if (in(n.op, kPyFunc)) {
        rep_.hits.push_back({OpRisk::py_func, n.op, n.name, where, ""});
      } else if (in(n.op, kCheckpointOps)) {
        for (std::size_t idx : {std::size_t{0}, std::size_t{1}}) {
          if (idx == 1 && n.op != "MergeV2Checkpoints") break;
          if (constant(n, idx, path) && escapes(path)) rep_.hits.push_back({OpRisk::file_io_constant, n.op, n.name, where, path});
        }
      } else if (in(n.op, kFileOps)) {
        const bool fixed = constant(n, 0, path);
        rep_.hits.push_back({fixed && escapes(path) ? OpRisk::file_io_constant : OpRisk::file_io_runtime, n.op, n.name,
                             where, fixed ? path : ""});
      } else if (n.op == "ImmutableConst") {
        if (escapes(n.region)) rep_.hits.push_back({OpRisk::file_io_constant, n.op, n.name, where, n.region});
      } else {
        for (auto [op, idx] : kPathInputs) {
          if (op == n.op && constant(n, static_cast<std::size_t>(idx), path) && escapes(path)) {
            rep_.hits.push_back({OpRisk::file_io_constant, n.op, n.name, where, path});
          }
        }
      }
      if (rep_.hits.size() > 10'000) return fail("more risky ops than the limit");
    }
    return true;
  }

  bool graph(Bytes b) {
    std::vector<Bytes> nodes;
    pb::Reader r(b);
    pb::Field f;
    std::vector<Bytes> libraries;
    while (r.next(f)) {
      if (f.wire != 2) continue;
      if (f.number == 1) nodes.push_back(f.bytes);
      else if (f.number == 2) libraries.push_back(f.bytes);
    }
    if (!r.ok()) return fail("GraphDef is malformed");
    if (!scope(nodes, "graph")) return false;
    for (const auto lib : libraries) {
      pb::Reader lr(lib);
      pb::Field lf;
      while (lr.next(lf)) {
        if (lf.number == 1 && lf.wire == 2 && !function(lf.bytes)) return false;
      }
      if (!lr.ok()) return fail("FunctionDefLibrary is malformed");
    }
    return true;
  }

  bool function(Bytes b) {
    std::string name = "?";
    std::vector<Bytes> nodes;
    pb::Reader r(b);
    pb::Field f;
    while (r.next(f)) {
      if (f.wire != 2) continue;
      if (f.number == 1) {  // OpDef signature { 1: name }
        pb::Reader s(f.bytes);
        pb::Field sf;
        while (s.next(sf)) {
          if (sf.number == 1 && sf.wire == 2) name.assign(sf.text().substr(0, 512));
        }
      } else if (f.number == 3) {
        nodes.push_back(f.bytes);
      }
    }
    if (!r.ok()) return fail("a FunctionDef is malformed");
    return scope(nodes, "function " + name);
  }

  // SavedObjectGraph { 1: SavedObject { 4: SavedUserObject { 3: metadata } } }
  bool object_graph(Bytes b) {
    pb::Reader r(b);
    pb::Field f;
    while (r.next(f)) {
      if (f.number != 1 || f.wire != 2) continue;
      pb::Reader o(f.bytes);
      pb::Field of;
      while (o.next(of)) {
        if (of.number != 4 || of.wire != 2) continue;
        pb::Reader u(of.bytes);
        pb::Field uf;
        while (u.next(uf)) {
          if (uf.number == 3 && uf.wire == 2) config(uf.text());
        }
      }
    }
    return r.ok() || fail("SavedObjectGraph is malformed");
  }

  void config(std::string_view json) {
    if (json.size() > 2 && json.front() == '{' && json.find("\"class_name\"") != std::string_view::npos &&
        rep_.keras_configs.size() < lim_.max_configs) {
      rep_.keras_configs.emplace_back(json);
    }
  }

 private:
  Report& rep_;
  const Limits& lim_;
};

void finish(Report& rep) {
  for (const auto& [op, count] : rep.op_counts) {
    if (!is_known_op(op) && !in(op, kPyFunc)) rep.unknown_ops.push_back(op.empty() ? "<empty op>" : op);
  }
}

}  // namespace

bool is_known_op(std::string_view op) { return in(op, kKnown); }

Report read_saved_model(std::span<const std::uint8_t> data, const Limits& limits) {
  Report rep;
  Walker w(rep, limits);
  pb::Reader r(data);
  pb::Field f;
  std::size_t metas = 0;
  bool ok = true;
  while (ok && r.next(f)) {
    if (f.number != 2 || f.wire != 2) continue;  // 1: schema version
    ++metas;
    pb::Reader m(f.bytes);
    pb::Field mf;
    while (ok && m.next(mf)) {
      if (mf.wire != 2) continue;
      if (mf.number == 2) ok = w.graph(mf.bytes);
      else if (mf.number == 7) ok = w.object_graph(mf.bytes);
    }
    if (ok && !m.ok()) ok = w.fail("MetaGraphDef is malformed");
  }
  if (ok && !r.ok()) ok = w.fail("SavedModel is malformed");
  if (ok && metas == 0) ok = w.fail("no MetaGraphDef: not a SavedModel");
  rep.parsed = ok;
  finish(rep);
  return rep;
}

Report read_keras_metadata(std::span<const std::uint8_t> data, const Limits& limits) {
  Report rep;
  Walker w(rep, limits);
  pb::Reader r(data);
  pb::Field f;
  while (r.next(f)) {
    if (f.number != 1 || f.wire != 2) continue;
    pb::Reader o(f.bytes);
    pb::Field of;
    while (o.next(of)) {
      if (of.number == 5 && of.wire == 2) w.config(of.text());
    }
    if (!o.ok()) {
      w.fail("a SavedObject of keras_metadata.pb is malformed");
      return rep;
    }
  }
  if (!r.ok()) {
    w.fail("keras_metadata.pb is malformed");
    return rep;
  }
  rep.parsed = true;
  return rep;
}

}  // namespace mg::savedmodel
