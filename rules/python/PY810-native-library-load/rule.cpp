#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  const std::string& q = call.qualname;
  const bool hit =
      one_of(q, {"tensorflow.load_op_library", "tensorflow.load_library", "tf.load_op_library", "tf.load_library",
                 "tensorflow.experimental.register_filesystem_plugin", "torch.classes.load_library",
                 "torch.ops.load_library", "numpy.ctypeslib.load_library", "ctypes.CDLL", "ctypes.PyDLL",
                 "ctypes.WinDLL", "ctypes.OleDLL", "ctypes.cdll.LoadLibrary", "ctypes.pydll.LoadLibrary",
                 "ctypes.windll.LoadLibrary", "_ctypes.dlopen", "ctypes.util.dlopen"}) ||
      call.name == "register_custom_ops_library";
  if (hit) c.report("PY810", call.node, q + " loads a native library: its code runs in the loading process");
}
}  // namespace

extern const RuleSpec kRule_PY810{.id = "PY810", .call_names = "load_op_library load_library CDLL PyDLL WinDLL OleDLL LoadLibrary register_custom_ops_library dlopen", .on_call = check};

}  // namespace mg::py
