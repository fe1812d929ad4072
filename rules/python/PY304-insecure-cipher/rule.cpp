#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"Crypto.Cipher.ARC2.new",
                             "Crypto.Cipher.ARC4.new",
                             "Crypto.Cipher.Blowfish.new",
                             "Crypto.Cipher.DES.new",
                             "Crypto.Cipher.XOR.new",
                             "Cryptodome.Cipher.ARC2.new",
                             "Cryptodome.Cipher.ARC4.new",
                             "Cryptodome.Cipher.Blowfish.new",
                             "Cryptodome.Cipher.DES.new",
                             "Cryptodome.Cipher.XOR.new",
                             "cryptography.hazmat.primitives.ciphers.algorithms.ARC4",
                             "cryptography.hazmat.primitives.ciphers.algorithms.Blowfish",
                             "cryptography.hazmat.primitives.ciphers.algorithms.IDEA",
                             "cryptography.hazmat.primitives.ciphers.algorithms.CAST5",
                             "cryptography.hazmat.primitives.ciphers.algorithms.SEED",
                             "cryptography.hazmat.primitives.ciphers.algorithms.TripleDES"})) {
    c.report("PY304", call.node, call.qualname + ": broken cipher (ARC2, ARC4, Blowfish, DES, XOR, IDEA, CAST5, SEED, TripleDES)");
  }
}
}  // namespace

extern const RuleSpec kRule_PY304{.id = "PY304", .call_names = "ARC4 Blowfish CAST5 IDEA SEED TripleDES new", .on_call = check};

}  // namespace mg::py
