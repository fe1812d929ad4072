#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"Crypto.Hash.MD2.new",
                             "Crypto.Hash.MD4.new",
                             "Crypto.Hash.MD5.new",
                             "Crypto.Hash.SHA.new",
                             "Cryptodome.Hash.MD2.new",
                             "Cryptodome.Hash.MD4.new",
                             "Cryptodome.Hash.MD5.new",
                             "Cryptodome.Hash.SHA.new",
                             "cryptography.hazmat.primitives.hashes.MD5",
                             "cryptography.hazmat.primitives.hashes.SHA1"})) {
    c.report("PY303", call.node, call.qualname + ": weak hash from PyCrypto/PyCryptodome/cryptography (MD2, MD4, MD5, SHA-1)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY303{.id = "PY303", .call_names = "MD5 SHA1 new", .on_call = check};

}  // namespace mg::py
