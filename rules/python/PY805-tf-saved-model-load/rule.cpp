#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"tensorflow.saved_model.load", "tensorflow.saved_model.load_v2", "tensorflow.saved_model.loader.load",
                             "tensorflow.compat.v1.saved_model.load", "tensorflow.compat.v1.saved_model.loader.load",
                             "tf.saved_model.load", "tensorflow.keras.models.load_model", "tf.keras.models.load_model"})) {
    c.report("PY805", call.node, call.qualname + " loads a graph with its ops (file access, custom ops) from the repository");
  }
}
}  // namespace

extern const RuleSpec kRule_PY805{.id = "PY805", .call_names = "load load_v2 load_model", .on_call = check};

}  // namespace mg::py
