// Sigstore keyless material comes from strangers: a trusted_root.json copied from anywhere, and
// the bundle's tlog entries, checkpoint notes and the SCT list inside a certificate. Each parser
// and the keyless verifier (against a root parsed from the same input) must fail cleanly.
#include <cstdint>
#include <string_view>

#include "enforce/oms.hpp"
#include "enforce/sigstore.hpp"
#include "enforce/trust_root.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace sg = mg::enforce::sigstore;
  namespace oms = mg::enforce::oms;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto root = sg::parse_trust_root(text);
  (void)sg::parse_checkpoint(text);
  (void)sg::parse_sct_list(text);
  (void)sg::parse_rfc3339(text);
  (void)sg::certificate_identity(text);
  if (auto bundle = oms::parse_bundle(text)) {
    for (const auto& e : bundle->tlog) {
      (void)sg::set_payload(e);
      (void)sg::verify_inclusion(sg::leaf_hash(e.body), e.proof_index, e.tree_size, e.hashes, e.root_hash);
    }
    sg::TrustRoot empty;
    (void)sg::verify_keyless(*bundle, root ? *root : empty, {"a@b.invalid", false, "https://issuer.invalid"});
  }
  return 0;
}
