// Sigstore keyless verification, offline (OpenSSL only): a bundle whose signer is a short-lived
// Fulcio certificate and whose signing time is a Rekor transparency-log entry. Checked against a
// trusted_root.json: the log entry (signed entry timestamp, inclusion proof and checkpoint) and
// that it records this very envelope and certificate; the certificate's validity at the logged
// time, its chain to a Fulcio CA valid then, its embedded SCT; and the identity and OIDC issuer
// the certificate names. Each step's failure says what failed.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "enforce/oms.hpp"
#include "enforce/trust_root.hpp"

namespace mg::enforce::sigstore {

struct Policy {
  std::string identity;         // SAN (email or URI) the certificate must carry
  bool identity_regexp = false;  // identity is an ECMAScript regexp matched against the whole SAN
  std::string issuer;           // OIDC issuer (Fulcio extension 1.3.6.1.4.1.57264.1.8, else .1.1)
};

struct KeylessResult {
  bool ok = false;
  std::string failure;
  std::string identity;  // the certificate's SAN that matched (or the first one, for messages)
  std::string issuer;
  std::int64_t signed_at = -1;
  bool sct_checked = false;
};

// Everything but the DSSE signature and the statement (oms::verify does those with the leaf).
KeylessResult verify_keyless(const oms::Bundle& bundle, const TrustRoot& root, const Policy& policy);

// What the certificate says, unverified (a scan's report): SANs and the OIDC issuer.
struct CertIdentity {
  std::vector<std::string> sans;  // email addresses and URIs, in certificate order
  std::string issuer;
};
CertIdentity certificate_identity(std::string_view leaf_der);

// --- the pieces, exposed for tests and the fuzz target ---

// The JSON Rekor signs as the signed entry timestamp (canonical: keys sorted, no spaces).
std::string set_payload(const oms::TlogEntry& entry);

// RFC 6962 / RFC 9162 §2.1.3.2: does `path` lead from `leaf_hash` at `index` to `root` in a tree of `size`?
bool verify_inclusion(std::string_view leaf_hash, std::int64_t index, std::int64_t size, const std::vector<std::string>& path,
                      std::string_view root);
std::string leaf_hash(std::string_view entry);  // SHA-256(0x00 || entry)

// A signed note (Rekor checkpoint): origin, tree size, root hash, then signature lines.
struct Checkpoint {
  std::string origin;
  std::int64_t size = -1;
  std::string root_hash;  // raw
  std::string signed_text;  // the note body the signatures cover
  struct Signature {
    std::string name;
    std::string key_hint;  // 4 bytes
    std::string signature;
  };
  std::vector<Signature> signatures;
};
Result<Checkpoint> parse_checkpoint(std::string_view note);

// RFC 6962 SignedCertificateTimestampList (the TLS encoding inside the X.509 extension).
struct Sct {
  int version = -1;
  std::string log_id;  // 32 bytes
  std::uint64_t timestamp_ms = 0;
  std::string extensions;
  int hash_alg = -1, sig_alg = -1;
  std::string signature;
};
Result<std::vector<Sct>> parse_sct_list(std::string_view tls);

}  // namespace mg::enforce::sigstore
