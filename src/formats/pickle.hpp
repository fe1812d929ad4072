// Pickle decoder and symbolic VM. It runs a stream the way CPython's unpickler would, but every
// import and call is recorded instead of performed, so the report lists what loading would run.
// Hostile input: nothing here throws, allocates without a cap or recurses without a bound.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mg::pickle {

struct PickleLimits {
  std::uint64_t max_opcodes = 200'000'000;
  std::uint32_t max_nodes = 8'000'000;         // symbolic values alive at once (~48 bytes each)
  std::uint32_t max_stack = 2'000'000;         // values plus marks
  std::uint32_t max_memo = 10'000'000;
  std::uint32_t max_streams = 4096;            // concatenated pickles in one buffer
  std::uint32_t max_stacked = 0;               // stop after this many streams (0 = read to the end)
  std::uint64_t max_decoded_string_bytes = 256ull << 20;  // protocol-0 strings we must unescape
  std::uint32_t max_nesting = 4;               // pickles inside pickles (joblib object arrays)
  std::uint32_t max_calls_listed = 100'000;
  bool list_all_calls = false;  // also list calls of allowlisted globals (counted on GlobalRef anyway)
  std::uint32_t max_summary_chars = 160;
  std::uint32_t max_seconds = 60;
  // joblib writes raw array bytes after each NumpyArrayWrapper BUILD; skip them as joblib does.
  bool joblib_arrays = true;
};

enum class CallOp : std::uint8_t { reduce, inst, obj, newobj, newobj_ex };

// One distinct global (module, name) the stream imports.
struct GlobalRef {
  std::string module;
  std::string name;
  std::uint64_t offset = 0;       // first GLOBAL / STACK_GLOBAL / INST importing it
  std::uint32_t stream = 0;
  std::uint32_t call_count = 0;   // REDUCE / INST / OBJ with this as the callable
  std::uint32_t new_count = 0;    // NEWOBJ class, or class given to copyreg._reconstructor
  std::uint32_t build_count = 0;  // BUILD applied to the global object itself
  // Calls of a bytes loader (pickle.loads, torch.storage._load_from_bytes) whose only argument is a
  // bytes constant analysed to the end as a nested stream that imports nothing outside the
  // allowlist: loading runs only what that content runs, so these are judged by the content.
  std::uint32_t vetted_calls = 0;
  std::string first_call;         // rendered first call, e.g. os.system('id')
  std::uint64_t first_call_offset = 0;
  std::string opcode;             // GLOBAL | STACK_GLOBAL | INST
};

// Callable invocations in stream order: every call of a computed callable or of a global outside
// the allowlist (with PickleLimits::list_all_calls, every call).
struct Call {
  std::string callee;  // dotted name, or a rendering of a computed callable
  std::string args;    // bounded rendering of the arguments
  std::uint64_t offset = 0;
  CallOp op = CallOp::reduce;
  std::uint32_t stream = 0;
  bool callee_is_global = false;
};

enum class AnomalyKind : std::uint8_t {
  dynamic_global,    // STACK_GLOBAL operands are not string constants
  indirect_call,     // the callable is itself a call result or other computed value
  build_on_global,   // BUILD mutates a module-level object (a global), not an instance
  ext_opcode,        // EXT1/2/4: a callable from the copyreg registry, no GLOBAL
  frame_violation,   // an opcode straddles a FRAME boundary: unpicklers disagree on the bytes
  stack_underflow,   // an opcode pops more than the stream pushed: CPython would refuse here
  missing_memo,      // GET of a memo key never PUT
  hidden_global,     // a GLOBAL / STACK_GLOBAL sequence found inside a bytes or string value
  nested_pickle,     // a bytes value that is itself a pickle (analysed, globals merged)
  duplicate_proto,
};

struct Anomaly {
  AnomalyKind kind;
  std::uint64_t offset = 0;
  std::string detail;
};

// A torch storage the stream asks persistent_load for: ('storage', <type>, key, location, numel).
struct StorageRef {
  std::string type;        // e.g. torch.FloatStorage
  std::string key;         // member archive/data/<key>
  std::int64_t numel = 0;  // elements (bytes for UntypedStorage)
  std::uint64_t offset = 0;
};

struct PickleReport {
  std::vector<GlobalRef> globals;
  std::vector<Call> calls;
  bool calls_truncated = false;
  std::vector<Anomaly> anomalies;
  std::vector<std::string> persistent_ids;  // rendered, first 64
  std::uint32_t persistent_id_count = 0;
  std::vector<StorageRef> storages;         // distinct keys, first 1,000,000
  std::uint32_t streams = 0;                // streams that reached STOP
  int max_protocol = -1;
  std::uint64_t opcodes = 0;
  std::uint64_t end_offset = 0;             // just past the last STOP
  std::uint64_t trailing_bytes = 0;         // after the last STOP, not a pickle
  bool complete = true;                     // false: decoding stopped early (reason, offset)
  std::string incomplete_reason;
  std::uint64_t error_offset = 0;
};

// Analyses every pickle stream in `data`, from offset 0, until the end, the first stretch that is
// not a pickle, or max_stacked streams.
PickleReport analyze(std::span<const std::uint8_t> data, const PickleLimits& limits = {});

// Cheap probe: does `data` decode as a pickle up to a STOP without errors (at most `max_opcodes`)?
// Catches PROTO-less protocol-0 streams whatever the file or member is called.
bool looks_like_pickle(std::span<const std::uint8_t> data, std::uint32_t max_opcodes = 1u << 20);

// Looser probe for broken streams (model-formats.md B8): the bytes decode as opcodes that import a
// dotted name and call something before they end or stop decoding.
bool starts_like_pickle(std::span<const std::uint8_t> data, std::uint32_t max_opcodes = 4096);

// True if every global of the report is allowlisted (or a bytes loader whose every call was vetted),
// no anomaly was seen and the stream was read to the end.
bool is_benign(const PickleReport& report);

// True if the bytes start with PROTO 0..5.
bool has_proto_magic(std::span<const std::uint8_t> data);

std::string_view to_string(AnomalyKind k);
std::string_view to_string(CallOp op);

}  // namespace mg::pickle
