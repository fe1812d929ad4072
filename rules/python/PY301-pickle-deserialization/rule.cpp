#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"pickle.loads", "pickle.load", "pickle.Unpickler", "cPickle.loads", "cPickle.load",
                             "cPickle.Unpickler", "_pickle.loads", "_pickle.load", "_pickle.Unpickler", "dill.loads",
                             "dill.load", "dill.Unpickler", "shelve.open", "shelve.DbfilenameShelf", "jsonpickle.decode",
                             "jsonpickle.unpickler.decode", "jsonpickle.unpickler.Unpickler", "pandas.read_pickle"})) {
    c.report("PY301", call.node, call.qualname + " deserializes with pickle, which can run arbitrary code from the data");
  }
}
}  // namespace

extern const RuleSpec kRule_PY301{.id = "PY301", .call_names = "loads load Unpickler open DbfilenameShelf decode read_pickle", .on_call = check};

}  // namespace mg::py
