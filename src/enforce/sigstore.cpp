#include "enforce/sigstore.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>

#include "enforce/digest.hpp"
#include "enforce/openssl_ptr.hpp"
#include "formats/json_guard.hpp"

namespace mg::enforce::sigstore {

namespace {

using nlohmann::json;

using ossl::Bio;
using ossl::Free;
using ossl::MdCtx;
using ossl::PKey;
using ossl::Store;
using ossl::StoreCtx;
using ossl::X509Ptr;
using ossl::X509Stack;
using Obj = std::unique_ptr<ASN1_OBJECT, Free<ASN1_OBJECT, ASN1_OBJECT_free>>;
using Octets = std::unique_ptr<ASN1_OCTET_STRING, Free<ASN1_OCTET_STRING, ASN1_OCTET_STRING_free>>;
using Utf8 = std::unique_ptr<ASN1_UTF8STRING, Free<ASN1_UTF8STRING, ASN1_UTF8STRING_free>>;
void free_names(GENERAL_NAMES* n) { GENERAL_NAMES_free(n); }
using Names = std::unique_ptr<GENERAL_NAMES, Free<GENERAL_NAMES, free_names>>;

constexpr const char* kOidIssuerV1 = "1.3.6.1.4.1.57264.1.1";  // raw UTF-8 bytes (deprecated)
constexpr const char* kOidIssuerV2 = "1.3.6.1.4.1.57264.1.8";  // DER UTF8String

std::string sha256(std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out, &n, EVP_sha256(), nullptr) != 1) return {};
  return std::string(reinterpret_cast<char*>(out), n);
}

X509Ptr der_cert(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

PKey der_pubkey(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return PKey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
}

std::string cert_der(X509* c) {
  unsigned char* der = nullptr;
  const int n = i2d_X509(c, &der);
  if (n <= 0) return {};
  std::string s(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return s;
}

std::string pubkey_der(EVP_PKEY* k) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(k, &der);
  if (n <= 0) return {};
  std::string s(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return s;
}

// Logs sign with ECDSA (P-256/SHA-256 for Rekor and the CT logs; P-384/SHA-384 accepted), Ed25519
// or RSA PKCS#1 v1.5/SHA-256.
bool verify_sig(EVP_PKEY* key, std::string_view message, std::string_view sig) {
  const EVP_MD* md = EVP_sha256();
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519) md = nullptr;
  if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC && EVP_PKEY_get_bits(key) == 384) md = EVP_sha384();
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key) != 1) return false;
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

std::string asn1_text(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s)));
}

// The raw contents (extnValue) of the extension with this dotted OID; nullopt-like "" + false.
bool extension_value(X509* cert, const char* oid, std::string& out) {
  Obj obj(OBJ_txt2obj(oid, 1));
  if (!obj) return false;
  const int idx = X509_get_ext_by_OBJ(cert, obj.get(), -1);
  if (idx < 0) return false;
  out = asn1_text(X509_EXTENSION_get_data(X509_get_ext(cert, idx)));
  return true;
}

std::string oidc_issuer(X509* cert) {
  std::string v;
  if (extension_value(cert, kOidIssuerV2, v)) {
    const auto* p = reinterpret_cast<const unsigned char*>(v.data());
    Utf8 s(d2i_ASN1_UTF8STRING(nullptr, &p, static_cast<long>(v.size())));
    if (s) return asn1_text(s.get());
  }
  if (extension_value(cert, kOidIssuerV1, v)) return v;
  return {};
}

std::vector<std::string> sans(X509* cert) {
  std::vector<std::string> out;
  Names names(static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(names.get(), i);
    if (n->type == GEN_EMAIL || n->type == GEN_URI) out.push_back(asn1_text(n->d.ia5));
  }
  return out;
}

std::int64_t asn1_seconds(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return -1;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string hex(std::string_view raw) { return to_hex(raw); }

std::string b64_or_empty(const json& o, const char* key) {
  const auto it = o.find(key);
  if (it == o.end() || !it->is_string()) return {};
  auto d = oms::base64_decode(it->get_ref<const std::string&>());
  return d ? *d : std::string();
}

// Does the dsse v0.0.1 entry body record this envelope's payload, signature and certificate?
bool body_matches(const oms::TlogEntry& e, const oms::Bundle& b, std::string& failure) {
  if (e.kind != "dsse" || e.version != "0.0.1") {
    failure = "the transparency log entry is of kind " + e.kind + " " + e.version + "; only dsse 0.0.1 is supported";
    return false;
  }
  if (!json_depth_within(e.body, 16)) {
    failure = "the transparency log entry body is nested too deeply";
    return false;
  }
  const json body = json::parse(e.body, nullptr, false);
  const json* spec = body.is_object() && body.contains("spec") ? &body["spec"] : nullptr;
  if (spec == nullptr || !spec->is_object() || body.value("kind", json()) != "dsse") {
    failure = "the transparency log entry body is not a dsse entry";
    return false;
  }
  const json ph = spec->value("payloadHash", json::object());
  if (!ph.is_object() || ph.value("algorithm", json()) != "sha256" || ph.value("value", json()) != hex(sha256(b.payload))) {
    failure = "the transparency log entry is not for this bundle: its payloadHash differs from the SHA-256 of the signed statement";
    return false;
  }
  const json sigs = spec->value("signatures", json::array());
  if (!sigs.is_array()) {
    failure = "the transparency log entry body has no signatures";
    return false;
  }
  const std::string leaf = b.certificates.empty() ? std::string() : b.certificates[0];
  bool sig_seen = false;
  for (const auto& s : sigs) {
    if (!s.is_object()) continue;
    const std::string sig = b64_or_empty(s, "signature");
    if (std::find(b.signatures.begin(), b.signatures.end(), sig) == b.signatures.end() || sig.empty()) continue;
    sig_seen = true;
    // The verifier is the base64 of the certificate's PEM.
    const std::string pem = b64_or_empty(s, "verifier");
    Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    X509Ptr c(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (c && cert_der(c.get()) == leaf) return true;
  }
  failure = sig_seen ? "the transparency log entry is not for this bundle: it records a different signing certificate"
                     : "the transparency log entry is not for this bundle: it records a different envelope signature";
  return false;
}

const LogKey* find_log(const std::vector<LogKey>& logs, std::string_view id) {
  for (const auto& l : logs) {
    if (l.log_id == id) return &l;
  }
  return nullptr;
}

// One tlog entry: which log, its signatures (SET, inclusion proof and checkpoint), its window.
bool verify_entry(const oms::TlogEntry& e, const oms::Bundle& b, const TrustRoot& root, std::string& failure) {
  const LogKey* log = find_log(root.tlogs, e.log_id);
  if (log == nullptr) {
    failure = "the transparency log entry is from a log not in the trust root (logId " + hex(e.log_id) + ")";
    return false;
  }
  PKey key = der_pubkey(log->key_der);
  if (!key) {
    failure = "the trust root's key for log " + hex(e.log_id) + " is not a DER public key";
    return false;
  }
  if (e.signed_entry_timestamp.empty() && !e.has_proof) {
    failure = "the transparency log entry has neither an inclusionPromise nor an inclusionProof";
    return false;
  }
  // The signing time is only trusted when the log signed it: the SET covers integratedTime.
  // (RFC 3161 timestamps, the other source Sigstore allows, are not supported.)
  if (e.signed_entry_timestamp.empty()) {
    failure = "the transparency log entry has no signed entry timestamp, so its integratedTime is unverified (RFC 3161 timestamps are not supported)";
    return false;
  }
  if (!verify_sig(key.get(), set_payload(e), e.signed_entry_timestamp)) {
    failure = "the transparency log's signed entry timestamp does not verify with the log key (tampered entry or another log)";
    return false;
  }
  if (e.has_proof) {
    if (!verify_inclusion(leaf_hash(e.body), e.proof_index, e.tree_size, e.hashes, e.root_hash)) {
      failure = "the inclusion proof does not lead from the entry to the root hash";
      return false;
    }
    auto cp = parse_checkpoint(e.checkpoint);
    if (!cp) {
      failure = "the checkpoint is malformed: " + cp.error().message;
      return false;
    }
    if (cp->size != e.tree_size || cp->root_hash != e.root_hash) {
      failure = "the checkpoint's tree size or root hash differs from the inclusion proof's";
      return false;
    }
    const std::string hint = e.log_id.substr(0, 4);
    bool signed_ok = false;
    for (const auto& s : cp->signatures) {
      if (s.key_hint == hint && verify_sig(key.get(), cp->signed_text, s.signature)) signed_ok = true;
    }
    if (!signed_ok) {
      failure = "the checkpoint is not signed by the log's key";
      return false;
    }
  }
  if (!log->valid.contains(e.integrated_time)) {
    failure = "the log key was not valid at the entry's integratedTime " + format_time(e.integrated_time);
    return false;
  }
  return body_matches(e, b, failure);
}

// The leaf chains to this CA at time t. Returns the issuing certificate through `issuer`.
bool chains_to(X509* leaf, const CertificateAuthority& ca, std::int64_t t, X509Ptr& issuer, std::string& error) {
  std::vector<X509Ptr> certs;
  for (const auto& der : ca.chain_der) {
    X509Ptr c = der_cert(der);
    if (!c) {
      error = "a trust root CA certificate is not DER X.509";
      return false;
    }
    certs.push_back(std::move(c));
  }
  Store store(X509_STORE_new());
  X509Stack untrusted(sk_X509_new_null());
  X509_STORE_add_cert(store.get(), certs.back().get());
  for (std::size_t i = 0; i + 1 < certs.size(); ++i) {
    X509_up_ref(certs[i].get());
    sk_X509_push(untrusted.get(), certs[i].get());
  }
  StoreCtx ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1) {
    error = "cannot set up certificate validation";
    return false;
  }
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(t));
  // A trust root may list an intermediate alone: it is the anchor then.
  if (X509_check_issued(certs.back().get(), certs.back().get()) != X509_V_OK) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
  if (X509_verify_cert(ctx.get()) != 1) {
    error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    return false;
  }
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  if (chain == nullptr || sk_X509_num(chain) < 2) {
    error = "the leaf is itself a trust anchor";
    return false;
  }
  X509* up = sk_X509_value(chain, 1);
  X509_up_ref(up);
  issuer.reset(up);
  return true;
}

// RFC 6962 §3.2: the SCT signs the precertificate's TBS (the leaf's TBS without the SCT
// extension), bound to the issuer's key hash.
bool verify_sct(X509* leaf, X509* issuer, const TrustRoot& root, std::string& failure) {
  std::string ext;
  if (!extension_value(leaf, "1.3.6.1.4.1.11129.2.4.2", ext)) {
    failure = "the leaf certificate has no embedded SCT (certificate transparency)";
    return false;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(ext.data());
  Octets inner(d2i_ASN1_OCTET_STRING(nullptr, &p, static_cast<long>(ext.size())));
  if (!inner) {
    failure = "the leaf certificate's SCT extension is not an OCTET STRING";
    return false;
  }
  auto scts = parse_sct_list(asn1_text(inner.get()));
  if (!scts) {
    failure = "the leaf certificate's SCT list is malformed: " + scts.error().message;
    return false;
  }
  X509Ptr pre(X509_dup(leaf));
  const int idx = pre ? X509_get_ext_by_NID(pre.get(), NID_ct_precert_scts, -1) : -1;
  if (idx < 0) {
    failure = "cannot rebuild the precertificate";
    return false;
  }
  X509_EXTENSION_free(X509_delete_ext(pre.get(), idx));
  unsigned char* tbs_der = nullptr;
  const int tbs_len = i2d_re_X509_tbs(pre.get(), &tbs_der);
  if (tbs_len <= 0) {
    failure = "cannot rebuild the precertificate";
    return false;
  }
  const std::string tbs(reinterpret_cast<char*>(tbs_der), static_cast<std::size_t>(tbs_len));
  OPENSSL_free(tbs_der);
  const std::string issuer_key_hash = sha256(pubkey_der(X509_get0_pubkey(issuer)));
  failure = "no SCT in the leaf certificate is from a CT log in the trust root";
  for (const auto& s : *scts) {
    const LogKey* log = find_log(root.ctlogs, s.log_id);
    if (log == nullptr || s.version != 0) continue;
    PKey key = der_pubkey(log->key_der);
    if (!key) continue;
    std::string m;
    m += '\0';  // sct_version v1
    m += '\0';  // signature_type certificate_timestamp
    for (int i = 7; i >= 0; --i) m += static_cast<char>((s.timestamp_ms >> (8 * i)) & 0xff);
    m += '\0';
    m += '\1';  // entry_type precert_entry
    m += issuer_key_hash;
    m += static_cast<char>((tbs.size() >> 16) & 0xff);
    m += static_cast<char>((tbs.size() >> 8) & 0xff);
    m += static_cast<char>(tbs.size() & 0xff);
    m += tbs;
    m += static_cast<char>((s.extensions.size() >> 8) & 0xff);
    m += static_cast<char>(s.extensions.size() & 0xff);
    m += s.extensions;
    if (!verify_sig(key.get(), m, s.signature)) {
      failure = "the SCT from CT log " + hex(s.log_id) + " does not verify for this certificate";
      continue;
    }
    if (!log->valid.contains(static_cast<std::int64_t>(s.timestamp_ms / 1000))) {
      failure = "the SCT's CT log key was not valid at the SCT's time";
      continue;
    }
    return true;
  }
  return false;
}

}  // namespace

std::string set_payload(const oms::TlogEntry& e) {
  // Canonical JSON (RFC 8785 for these types): keys in code-point order, integers, no spaces.
  // The body is base64, so it needs no escaping.
  return "{\"body\":\"" + e.body_base64 + "\",\"integratedTime\":" + std::to_string(e.integrated_time) + ",\"logID\":\"" + hex(e.log_id) +
         "\",\"logIndex\":" + std::to_string(e.log_index) + "}";
}

std::string leaf_hash(std::string_view entry) {
  std::string m(1, '\0');
  m += entry;
  return sha256(m);
}

bool verify_inclusion(std::string_view leaf, std::int64_t index, std::int64_t size, const std::vector<std::string>& path,
                      std::string_view root) {
  if (index < 0 || size <= 0 || index >= size) return false;
  auto fn = static_cast<std::uint64_t>(index);
  auto sn = static_cast<std::uint64_t>(size - 1);
  std::string r(leaf);
  for (const auto& p : path) {
    if (sn == 0) return false;
    std::string m(1, '\1');
    if ((fn & 1) != 0 || fn == sn) {
      m += p;
      m += r;
      r = sha256(m);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      m += r;
      m += p;
      r = sha256(m);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

Result<Checkpoint> parse_checkpoint(std::string_view note) {
  const auto blank = note.find("\n\n");
  if (blank == std::string_view::npos) return make_error("no blank line before the signatures");
  Checkpoint cp;
  cp.signed_text = std::string(note.substr(0, blank + 1));
  std::vector<std::string_view> lines;
  for (std::string_view rest = note.substr(0, blank); !rest.empty();) {
    const auto nl = rest.find('\n');
    lines.push_back(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  if (lines.size() < 3) return make_error("fewer than three lines (origin, size, root hash)");
  cp.origin = std::string(lines[0]);
  const auto size = lines[1];
  if (size.empty() || size.size() > 18 || !std::all_of(size.begin(), size.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return make_error("the tree size is not a number");
  cp.size = std::stoll(std::string(size));
  auto root = oms::base64_decode(lines[2]);
  if (!root || root->size() != 32) return make_error("the root hash is not a base64 SHA-256");
  cp.root_hash = std::move(*root);
  static constexpr std::string_view kDash = "\xe2\x80\x94 ";  // "— "
  for (std::string_view rest = note.substr(blank + 2); !rest.empty();) {
    const auto nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) continue;
    if (!line.starts_with(kDash)) return make_error("a signature line does not start with an em dash");
    const auto body = line.substr(kDash.size());
    const auto sp = body.rfind(' ');
    if (sp == std::string_view::npos) return make_error("a signature line has no signature");
    auto raw = oms::base64_decode(body.substr(sp + 1));
    if (!raw || raw->size() < 5) return make_error("a checkpoint signature is not base64");
    cp.signatures.push_back({std::string(body.substr(0, sp)), raw->substr(0, 4), raw->substr(4)});
    if (cp.signatures.size() > 16) return make_error("more than 16 signatures");
  }
  if (cp.signatures.empty()) return make_error("no signature lines");
  return cp;
}

Result<std::vector<Sct>> parse_sct_list(std::string_view d) {
  auto u16 = [](std::string_view s, std::size_t at) {
    return (static_cast<std::size_t>(static_cast<unsigned char>(s[at])) << 8) | static_cast<unsigned char>(s[at + 1]);
  };
  if (d.size() < 2 || u16(d, 0) != d.size() - 2) return make_error("list length does not match");
  std::vector<Sct> out;
  std::size_t at = 2;
  while (at < d.size()) {
    if (at + 2 > d.size()) return make_error("truncated SCT length");
    const std::size_t len = u16(d, at);
    at += 2;
    if (at + len > d.size()) return make_error("truncated SCT");
    const std::string_view s = d.substr(at, len);
    at += len;
    Sct sct;
    if (s.size() < 1 + 32 + 8 + 2) return make_error("SCT too short");
    sct.version = static_cast<unsigned char>(s[0]);
    sct.log_id = std::string(s.substr(1, 32));
    for (int i = 0; i < 8; ++i) sct.timestamp_ms = (sct.timestamp_ms << 8) | static_cast<unsigned char>(s[33 + static_cast<std::size_t>(i)]);
    std::size_t p = 41;
    const std::size_t ext = u16(s, p);
    p += 2;
    if (p + ext + 4 > s.size()) return make_error("SCT extensions overrun");
    sct.extensions = std::string(s.substr(p, ext));
    p += ext;
    sct.hash_alg = static_cast<unsigned char>(s[p]);
    sct.sig_alg = static_cast<unsigned char>(s[p + 1]);
    const std::size_t sig = u16(s, p + 2);
    p += 4;
    if (p + sig != s.size()) return make_error("SCT signature length does not match");
    sct.signature = std::string(s.substr(p, sig));
    out.push_back(std::move(sct));
    if (out.size() > 64) return make_error("more than 64 SCTs");
  }
  return out;
}

CertIdentity certificate_identity(std::string_view leaf_der) {
  CertIdentity id;
  X509Ptr leaf = der_cert(leaf_der);
  if (!leaf) return id;
  id.sans = sans(leaf.get());
  id.issuer = oidc_issuer(leaf.get());
  return id;
}

KeylessResult verify_keyless(const oms::Bundle& b, const TrustRoot& root, const Policy& policy) {
  KeylessResult r;
  if (b.material != oms::Material::sigstore || b.certificates.empty()) {
    r.failure = "the bundle is not a Sigstore keyless bundle (no certificate with tlogEntries)";
    return r;
  }
  if (b.tlog.empty()) {
    r.failure = "the bundle has no transparency log entry";
    return r;
  }
  X509Ptr leaf = der_cert(b.certificates[0]);
  if (!leaf) {
    r.failure = "the bundle's certificate is not DER X.509";
    return r;
  }
  const CertIdentity id = certificate_identity(b.certificates[0]);
  r.identity = id.sans.empty() ? std::string() : id.sans[0];
  r.issuer = id.issuer;

  // 1. The transparency log: which entry holds, and so when the signature was made.
  const oms::TlogEntry* entry = nullptr;
  std::string first_failure;
  for (const auto& e : b.tlog) {
    std::string f;
    if (verify_entry(e, b, root, f)) {
      entry = &e;
      break;
    }
    if (first_failure.empty()) first_failure = f;
  }
  if (entry == nullptr) {
    r.failure = first_failure;
    return r;
  }
  const std::int64_t t = entry->integrated_time;
  r.signed_at = t;

  // 2. Fulcio certificates live minutes: valid at the logged time, not now.
  const std::int64_t nb = asn1_seconds(X509_get0_notBefore(leaf.get()));
  const std::int64_t na = asn1_seconds(X509_get0_notAfter(leaf.get()));
  if (t < nb || t > na) {
    r.failure = "the signing certificate was not valid at the signing time " + format_time(t) + " (valid " + format_time(nb) + " to " +
                format_time(na) + ")";
    return r;
  }

  // 3. The chain to a Fulcio CA of the trust root that was valid then.
  X509Ptr issuer;
  std::string chain_error = "no certificate authority in the trust root";
  const CertificateAuthority* outside_window = nullptr;
  bool chained = false;
  for (const auto& ca : root.authorities) {
    X509Ptr up;
    std::string err;
    if (!chains_to(leaf.get(), ca, t, up, err)) {
      chain_error = err;
      continue;
    }
    if (!ca.valid.contains(t)) {
      outside_window = &ca;
      continue;
    }
    issuer = std::move(up);
    chained = true;
    break;
  }
  if (!chained) {
    if (outside_window != nullptr) {
      r.failure = "the certificate chains to CA " + (outside_window->uri.empty() ? std::string("(no uri)") : outside_window->uri) +
                  ", but the trust root does not trust that CA at the signing time " + format_time(t) + " (valid from " +
                  format_time(outside_window->valid.start) +
                  (outside_window->valid.end == TimeWindow{}.end ? std::string() : " to " + format_time(outside_window->valid.end)) + ")";
    } else {
      r.failure = "the certificate is not issued by a certificate authority in the trust root (" + chain_error + ")";
    }
    return r;
  }
  const uint32_t flags = X509_get_extension_flags(leaf.get());
  if ((flags & EXFLAG_XKUSAGE) == 0 || (X509_get_extended_key_usage(leaf.get()) & XKU_CODE_SIGN) == 0) {
    r.failure = "the signing certificate lacks the codeSigning extended key usage";
    return r;
  }

  // 4. Certificate transparency: the SCT Fulcio embedded.
  std::string sct_failure;
  if (!verify_sct(leaf.get(), issuer.get(), root, sct_failure)) {
    r.failure = sct_failure;
    return r;
  }
  r.sct_checked = true;

  // 5. Who signed: the identity and the issuer of the identity token.
  bool identity_ok = false;
  for (const auto& s : id.sans) {
    if (policy.identity_regexp) {
      try {
        identity_ok = std::regex_match(s, std::regex(policy.identity, std::regex::ECMAScript));
      } catch (const std::regex_error&) {
        r.failure = "--sigstore-identity-regexp is not a valid regular expression";
        return r;
      }
    } else {
      identity_ok = s == policy.identity;
    }
    if (identity_ok) {
      r.identity = s;
      break;
    }
  }
  if (!identity_ok) {
    std::string all;
    for (const auto& s : id.sans) all += (all.empty() ? "" : ", ") + s;
    r.failure = "identity mismatch: the certificate is for " + (all.empty() ? std::string("(no email or URI SAN)") : all) + ", expected " +
                (policy.identity_regexp ? "a match of " : "") + policy.identity;
    return r;
  }
  if (id.issuer != policy.issuer) {
    r.failure = "issuer mismatch: the certificate's OIDC issuer is " + (id.issuer.empty() ? std::string("(none)") : id.issuer) +
                ", expected " + policy.issuer;
    return r;
  }
  r.ok = true;
  return r;
}

}  // namespace mg::enforce::sigstore
