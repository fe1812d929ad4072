#include "python/checker.hpp"

namespace mg::py {
namespace {
void classify(Checker& c, const Call& call, const char* type, long long bits, long long high, long long medium) {
  if (bits < high) {
    c.report("PY505", call.node, std::string(type) + " key sizes below " + std::to_string(high) + " bits are breakable",
             Severity::high, Confidence::high);
  } else if (bits < medium) {
    c.report("PY505", call.node, std::string(type) + " key sizes below " + std::to_string(medium) + " bits are considered weak",
             Severity::medium, Confidence::high);
  }
}

void check(Checker& c, const Call& call) {
  const std::string& q = call.qualname;
  const auto size_of = [&](std::size_t pos, std::string_view kw) -> long long {
    const TSNode n = call.arg_or_keyword(pos, kw);
    if (ts_node_is_null(n)) return 2048;
    return literal_int(c.tree(), n).value_or(2048);
  };
  if (q == "cryptography.hazmat.primitives.asymmetric.dsa.generate_private_key") {
    classify(c, call, "DSA", size_of(0, "key_size"), 1024, 2048);
  } else if (q == "cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key") {
    classify(c, call, "RSA", size_of(1, "key_size"), 1024, 2048);
  } else if (q == "cryptography.hazmat.primitives.asymmetric.ec.generate_private_key") {
    const TSNode curve = call.arg_or_keyword(0, "curve");
    if (ts_node_is_null(curve)) return;
    std::string name = bandit_value(c.tree(), curve).value_or("");
    if (is(curve, "call")) {  // ec.SECP192R1()
      const std::string cq = c.names().call_qualname(c.tree(), curve);
      name = cq.substr(cq.rfind('.') == std::string::npos ? 0 : cq.rfind('.') + 1);
    }
    long long bits = 224;
    if (name == "SECP192R1") bits = 192;
    else if (name == "SECT163K1" || name == "SECT163R2") bits = 163;
    classify(c, call, "EC", bits, 160, 224);
  } else if (one_of(q, {"Crypto.PublicKey.DSA.generate", "Cryptodome.PublicKey.DSA.generate"})) {
    classify(c, call, "DSA", size_of(0, "bits"), 1024, 2048);
  } else if (one_of(q, {"Crypto.PublicKey.RSA.generate", "Cryptodome.PublicKey.RSA.generate"})) {
    classify(c, call, "RSA", size_of(0, "bits"), 1024, 2048);
  }
}
}  // namespace

extern const RuleSpec kRule_PY505{.id = "PY505", .call_names = "generate_private_key generate", .on_call = check};

}  // namespace mg::py
