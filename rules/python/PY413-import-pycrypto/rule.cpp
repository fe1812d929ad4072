#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const ImportEvent& ev) {
  if (import_matches(*ev.record, {"Crypto.Cipher", "Crypto.Hash", "Crypto.IO", "Crypto.Protocol", "Crypto.PublicKey", "Crypto.Random", "Crypto.Signature", "Crypto.Util"})) {
    c.report("PY413", ev.node, "import of " + ev.record->qualified() + ": import of the unmaintained PyCrypto package");
  }
}
}  // namespace

extern const RuleSpec kRule_PY413{.id = "PY413", .on_import = check};

}  // namespace mg::py
