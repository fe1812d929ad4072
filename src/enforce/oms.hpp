// OpenSSF Model Signing (OMS) v1.0, offline: a Sigstore bundle v0.3 whose DSSE envelope signs an
// in-toto statement listing every file's digest (hub-loading.md §7). Parses bundles and
// statements from untrusted bytes, verifies the signature with a public key or a certificate chain
// (OpenSSL), re-hashes the model folder by the spec's enumeration rules, and signs.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace mg::enforce::oms {

inline constexpr std::string_view kBundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json";
inline constexpr std::string_view kPayloadType = "application/vnd.in-toto+json";
inline constexpr std::string_view kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kPredicateV1 = "https://model_signing/signature/v1.0";
inline constexpr std::string_view kPredicateV01 = "https://model_signing/Digests/v0.1";  // compat, files/sha256

enum class Material { public_key, certificate_chain, sigstore };

// One Rekor transparency-log entry of a keyless bundle (protobuf-specs TransparencyLogEntry).
// Parsed only; sigstore.hpp verifies it.
struct TlogEntry {
  std::int64_t log_index = -1;            // the entry's index in the whole log (what the SET signs)
  std::string log_id;                     // raw SHA-256 of the log's DER public key
  std::string kind, version;              // "dsse" / "0.0.1"
  std::int64_t integrated_time = -1;      // seconds since the epoch, as the log recorded it
  std::string signed_entry_timestamp;     // raw signature (inclusionPromise), empty when absent
  std::string body_base64;                // canonicalizedBody as the bundle spells it
  std::string body;                       // decoded canonicalizedBody
  bool has_proof = false;                 // inclusionProof present
  std::int64_t proof_index = -1;          // leaf index in the tree of the proof
  std::int64_t tree_size = 0;
  std::string root_hash;                  // raw 32 bytes
  std::vector<std::string> hashes;        // raw audit path, leaf to root
  std::string checkpoint;                 // signed note text
};

struct Bundle {
  std::string media_type;
  Material material = Material::public_key;
  std::string key_hint;                   // hex SHA-256 of the signer's PEM public key
  std::string key_der;                    // older bundles: the SubjectPublicKeyInfo itself
  std::vector<std::string> certificates;  // DER, leaf first (certificate chain, or the sigstore leaf)
  std::size_t tlog_entries = 0;
  std::vector<TlogEntry> tlog;            // parsed tlogEntries (keyless bundles)
  std::string payload_type;
  std::string payload;                    // the exact statement bytes the signature covers
  std::vector<std::string> signatures;    // raw signature bytes
};

// Bundle-level structure (the spec's bundle and envelope schemas). Never throws.
Result<Bundle> parse_bundle(std::string_view text);

struct Resource {
  std::string name;       // relative POSIX path, or "path:start:end" for shards
  std::string algorithm;
  std::string digest;     // raw bytes
};

struct Statement {
  std::string predicate_type;
  std::string subject_name;
  std::string method = "files";  // files | shards
  std::string hash_type = "sha256";
  bool allow_symlinks = false;
  std::uint64_t shard_size = 0;
  std::vector<std::string> ignore_paths;
  std::vector<Resource> resources;
};

// Statement-level structure and consistency (root digest, unique names). Never throws.
Result<Statement> parse_statement(std::string_view payload);

// DSSE pre-authentication encoding: what the signature is over.
std::string pae(std::string_view type, std::string_view payload);

std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

struct VerifyKeys {
  std::string public_key_pem;               // --key: contents of a PEM public key
  std::vector<std::string> chain_pem;       // --certificate-chain: contents of PEM files (trust anchors)
  std::string trust_root_json;              // --trust-root: a Sigstore trusted_root.json (keyless)
  std::string identity;                     // --sigstore-identity (or a regexp with identity_regexp)
  bool identity_regexp = false;
  std::string issuer;                       // --sigstore-issuer
};

struct Mismatch {
  std::string kind;  // changed | missing | extra
  std::string name;
};

struct Verification {
  bool signature_ok = false;
  std::string signer;                 // "key sha256:<hint>" or the certificate subject
  std::string failure;                // why the signature (or the material) was rejected
  std::string identity, issuer;       // keyless: the certificate's SAN and OIDC issuer
  std::int64_t signed_at = -1;        // keyless: the verified tlog integratedTime
  bool sct_checked = false;           // keyless: the leaf's embedded SCT verified
  std::vector<Mismatch> mismatches;   // files against the signed manifest
  std::size_t resources = 0;
};

// Verifies `bundle_text` for the model at `model_path` (a folder, or one file). Errors are for
// what makes verification impossible (malformed bundle, unreadable key, unsupported hash);
// a bad signature or a changed file is a Verification with signature_ok false or mismatches.
Result<Verification> verify(std::string_view bundle_text, const std::string& model_path, const std::string& signature_path,
                            const VerifyKeys& keys, unsigned threads = 0);

// The signature check alone (what a scan can do without a key: the embedded leaf certificate).
// `public_key_pem` empty: use the bundle's leaf certificate without validating its chain.
bool check_signature(const Bundle& bundle, const std::string& public_key_pem, std::string& signer, std::string& failure);

// Recomputes the manifest of `model_path` under the statement's serialization and compares.
Result<std::vector<Mismatch>> compare_manifest(const Statement& statement, const std::string& model_path,
                                               const std::string& signature_path, unsigned threads = 0);

struct SignOptions {
  std::string private_key_pem;
  std::string key_password;            // for an encrypted PEM key (PKCS#8 or traditional); never from the command line
  bool has_key_password = false;
  std::string certificate_pem;         // leaf certificate: x509CertificateChain material instead of publicKey
  std::vector<std::string> chain_pem;  // intermediates after the leaf
  std::vector<std::string> ignore_paths;
};

// A bundle for the model at `model_path` (every file, files/sha256) signed with the key.
Result<std::string> sign(const std::string& model_path, const std::string& signature_path, const SignOptions& options,
                         unsigned threads = 0);

}  // namespace mg::enforce::oms
