// What a scan says about a repository's signature (the report's `integrity` object): whether an
// OMS signature file is there, who it names, and whether the files still match what it signed.
// A scan has no trusted key, so "signature_valid" only checks the bundle against the certificate
// it carries; trust in the signer needs `modelgate verify --key/--certificate-chain`.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace mg {

class Snapshot;

struct Integrity {
  std::string signature_file;             // "" = the repository is not signed
  std::string method;                     // key | certificate | sigstore ("" when unreadable)
  std::string signer;                     // key sha256 hint, the certificate subject, or the keyless identity
  std::string identity;                   // sigstore: the certificate's SAN (email or URI), unverified
  std::string issuer;                     // sigstore: the OIDC issuer extension, unverified
  std::optional<bool> signature_valid;    // nullopt: not checkable without the key (key method)
  std::optional<bool> files_match;        // nullopt: not checked (remote or archived files)
  std::vector<std::string> mismatches;    // "changed: a.bin", "extra: b.py", "missing: c.json"
  std::string problem;                    // why something could not be checked
};

namespace enforce {
// Looks for model.sig at the snapshot's root and checks it as far as a scan can.
Integrity check_integrity(const Snapshot& snapshot, unsigned threads = 0);
}  // namespace enforce

}  // namespace mg
