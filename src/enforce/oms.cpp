#include "enforce/oms.hpp"

#include <dirent.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <climits>
#include <cstdlib>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

#include "core/json_writer.hpp"
#include "enforce/digest.hpp"
#include "enforce/openssl_ptr.hpp"
#include "enforce/sigstore.hpp"
#include "formats/json_guard.hpp"

namespace mg::enforce::oms {

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

const json* member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}
bool is_string(const json* j) { return j != nullptr && j->is_string(); }

bool lower_hex(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Result<json> parse_json(std::string_view text, const char* what) {
  if (!json_depth_within(text, 32)) return make_error(std::string(what) + ": JSON nested too deeply");
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return make_error(std::string(what) + ": malformed JSON");
  if (!doc.is_object()) return make_error(std::string(what) + ": the top level is not an object");
  return doc;
}

// The signature algorithm follows the key: ECDSA with the curve's hash (P-256/SHA-256,
// P-384/SHA-384, P-521/SHA-512), Ed25519 (pure), RSA PKCS#1 v1.5 with SHA-256.
Result<const EVP_MD*> md_for(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t len = 0;
      if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) != 1) return make_error("EC key without a named curve");
      const std::string_view g(group, len);
      if (g == "prime256v1" || g == "P-256") return EVP_sha256();
      if (g == "secp384r1" || g == "P-384") return EVP_sha384();
      if (g == "secp521r1" || g == "P-521") return EVP_sha512();
      return make_error("EC curve " + std::string(g) + " is not in the OMS algorithm registry (P-256, P-384, P-521)");
    }
    case EVP_PKEY_ED25519: return static_cast<const EVP_MD*>(nullptr);
    case EVP_PKEY_RSA:
      if (EVP_PKEY_get_bits(key) < 2048) return make_error("RSA keys below 2048 bits are not accepted");
      return EVP_sha256();
    default: return make_error("unsupported key type (EC P-256/P-384/P-521, Ed25519 or RSA >= 2048 bits)");
  }
}

PKey read_public_pem(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PKey(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
}

std::string public_pem(EVP_PKEY* key) {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key) != 1) return {};
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string public_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return {};
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(n));
  OPENSSL_free(der);
  return out;
}

std::string sha256_hex_of(std::string_view s) {
  auto d = digest_all({DigestItem{"", std::make_shared<OwnedBlob>(std::vector<std::uint8_t>(s.begin(), s.end()))}}, DigestAlgo::sha256, 1);
  return d[0] ? to_hex(*d[0]) : std::string();
}

X509Ptr der_cert(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

std::vector<X509Ptr> pem_certs(std::string_view pem) {
  std::vector<X509Ptr> out;
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  while (bio) {
    X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (c == nullptr) break;
    out.emplace_back(c);
  }
  return out;
}

std::string subject_of(X509* cert) {
  Bio bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  std::string s(data, static_cast<std::size_t>(n));
  return s.empty() ? "(empty subject)" : s;
}

bool verify_with(EVP_PKEY* key, std::string_view message, std::string_view sig, std::string& failure) {
  auto md = md_for(key);
  if (!md) {
    failure = md.error().message;
    return false;
  }
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, *md, nullptr, key) != 1) {
    failure = "cannot initialise signature verification";
    return false;
  }
  const int ok = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size());
  if (ok != 1) failure = "the signature does not verify with this key";
  return ok == 1;
}

// Python's model_signing validates the chain at the leaf's notBefore, so a long-lived signature
// made with a since-expired certificate still verifies; we do the same.
bool validate_chain(const Bundle& b, const std::vector<std::string>& anchors_pem, std::string& failure) {
  if (b.certificates.empty()) {
    failure = "the bundle carries no certificate";
    return false;
  }
  X509Ptr leaf = der_cert(b.certificates[0]);
  if (!leaf) {
    failure = "the bundle's leaf certificate is not DER X.509";
    return false;
  }
  Store store(X509_STORE_new());
  std::size_t anchors = 0;
  for (const auto& pem : anchors_pem) {
    for (auto& c : pem_certs(pem)) {
      X509_STORE_add_cert(store.get(), c.get());
      ++anchors;
    }
  }
  if (anchors == 0) {
    failure = "no certificate in the --certificate-chain files";
    return false;
  }
  X509Stack untrusted(sk_X509_new_null());
  for (std::size_t i = 1; i < b.certificates.size(); ++i) {
    X509Ptr c = der_cert(b.certificates[i]);
    if (!c) {
      failure = "certificate " + std::to_string(i) + " of the bundle's chain is not DER X.509";
      return false;
    }
    sk_X509_push(untrusted.get(), c.release());
  }
  StoreCtx ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted.get()) != 1) {
    failure = "cannot set up certificate validation";
    return false;
  }
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notBefore(leaf.get()), &tm) == 1) X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()), timegm(&tm));
  if (X509_verify_cert(ctx.get()) != 1) {
    failure = std::string("certificate chain does not validate: ") + X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
    return false;
  }
  const uint32_t flags = X509_get_extension_flags(leaf.get());
  const bool digital_signature = (flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(leaf.get()) & KU_DIGITAL_SIGNATURE) != 0;
  const bool code_signing = (flags & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(leaf.get()) & XKU_CODE_SIGN) != 0;
  if (!digital_signature && !code_signing) {
    failure = "the leaf certificate allows neither digitalSignature nor codeSigning";
    return false;
  }
  return true;
}

// --- enumeration (hub-loading.md §7.3) ---

struct Walk {
  std::string root;
  std::set<std::string> ignored;  // root-relative paths whose subtree is left out
  bool allow_symlinks = false;
  std::vector<std::pair<std::string, std::string>> files;  // relative name, absolute path
  std::string error;
  int depth = 0;
};

bool is_ignored(const Walk& w, const std::string& rel) {
  for (const auto& ig : w.ignored) {
    if (rel == ig || (rel.size() > ig.size() && rel.compare(0, ig.size(), ig) == 0 && rel[ig.size()] == '/')) return true;
  }
  return false;
}

void walk_dir(Walk& w, const std::string& abs, const std::string& rel) {
  if (!w.error.empty()) return;
  if (++w.depth > 64) {
    w.error = rel + ": folders nested too deeply (symlink loop?)";
    return;
  }
  std::vector<std::string> names;
  if (DIR* d = opendir(abs.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string_view n(e->d_name);
      if (n != "." && n != "..") names.emplace_back(n);
    }
    closedir(d);
  } else {
    w.error = (rel.empty() ? w.root : rel) + ": cannot list folder";
    return;
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    const std::string child_abs = abs + "/" + n;
    const std::string child_rel = rel.empty() ? n : rel + "/" + n;
    if (is_ignored(w, child_rel)) continue;
    struct stat st {};
    if (lstat(child_abs.c_str(), &st) != 0) {
      w.error = child_rel + ": cannot stat";
      return;
    }
    if (S_ISLNK(st.st_mode)) {
      if (!w.allow_symlinks) {
        w.error = child_rel + ": is a symbolic link and the signature does not allow symlinks";
        return;
      }
      if (stat(child_abs.c_str(), &st) != 0) {
        w.error = child_rel + ": dangling symbolic link";
        return;
      }
    }
    if (S_ISDIR(st.st_mode)) walk_dir(w, child_abs, child_rel);
    else if (S_ISREG(st.st_mode)) w.files.emplace_back(child_rel, child_abs);
    else w.error = child_rel + ": not a regular file (fifo, socket or device)";
    if (!w.error.empty()) return;
  }
  --w.depth;
}

// Root-relative form of a user or predicate ignore path ("" when it is outside the root).
std::string relative_ignore(const std::string& root, const std::string& p) {
  std::string s = p;
  if (!s.empty() && s[0] == '/') {
    if (s.compare(0, root.size(), root) != 0 || (s.size() > root.size() && s[root.size()] != '/')) return {};
    s = s.size() > root.size() ? s.substr(root.size() + 1) : std::string();
  }
  while (s.starts_with("./")) s = s.substr(2);
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string absolute(const std::string& p) {
  char buf[PATH_MAX];
  if (realpath(p.c_str(), buf) != nullptr) return buf;
  return p;
}

struct Enumerated {
  std::vector<std::string> names;
  std::vector<DigestItem> items;
};

Result<Enumerated> enumerate(const std::string& model_path, const std::string& signature_path, const std::string& method,
                             std::uint64_t shard_size, bool allow_symlinks, const std::vector<std::string>& ignore_paths) {
  struct stat st {};
  if (stat(model_path.c_str(), &st) != 0) return make_error(model_path + ": no such file or folder");
  Walk w;
  w.allow_symlinks = allow_symlinks;
  if (S_ISREG(st.st_mode)) {
    // A single-file model is named by its basename.
    const auto slash = model_path.find_last_of('/');
    w.files.emplace_back(slash == std::string::npos ? model_path : model_path.substr(slash + 1), model_path);
  } else if (S_ISDIR(st.st_mode)) {
    w.root = absolute(model_path);
    for (const char* g : {".git", ".gitattributes", ".github", ".gitignore"}) w.ignored.insert(g);
    for (const auto& p : ignore_paths) {
      if (auto r = relative_ignore(w.root, p); !r.empty()) w.ignored.insert(r);
    }
    if (!signature_path.empty()) {
      if (auto r = relative_ignore(w.root, absolute(signature_path)); !r.empty()) w.ignored.insert(r);
    }
    walk_dir(w, w.root, "");
    if (!w.error.empty()) return make_error(w.error);
  } else {
    return make_error(model_path + ": not a folder or a regular file");
  }
  Enumerated out;
  for (const auto& [rel, abs] : w.files) {
    if (method == "shards") {
      struct stat fs {};
      if (stat(abs.c_str(), &fs) != 0) return make_error(rel + ": cannot stat");
      const auto size = static_cast<std::uint64_t>(fs.st_size);
      for (std::uint64_t start = 0; start < size; start += shard_size) {
        const std::uint64_t end = std::min(size, start + shard_size);
        out.names.push_back(rel + ":" + std::to_string(start) + ":" + std::to_string(end));
        out.items.push_back({abs, nullptr, start, end - start});
      }
    } else {
      out.names.push_back(rel);
      out.items.push_back({abs, nullptr});
    }
  }
  return out;
}

std::string root_digest(const std::vector<Resource>& resources) {
  std::string all;
  for (const auto& r : resources) all += r.digest;
  return sha256_hex_of(all);
}

// protobuf's JSON mapping writes int64 as a decimal string; accept a plain number as well.
bool int64_field(const json& o, const char* key, std::int64_t& out) {
  const json* v = member(o, key);
  if (v == nullptr) return false;
  if (v->is_number_integer()) {
    out = v->get<std::int64_t>();
    return out >= 0;
  }
  if (!v->is_string()) return false;
  const auto& s = v->get_ref<const std::string&>();
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) return false;
  out = std::stoll(s);
  return true;
}

Result<std::string> base64_field(const json* o, const char* key) {
  const json* v = o ? member(*o, key) : nullptr;
  if (!is_string(v)) return make_error(std::string("no ") + key);
  auto raw = base64_decode(v->get_ref<const std::string&>());
  if (!raw) return make_error(std::string(key) + " is not base64");
  return raw;
}

Result<TlogEntry> parse_tlog_entry(const json& e) {
  if (!e.is_object()) return make_error("not an object");
  TlogEntry t;
  if (!int64_field(e, "logIndex", t.log_index)) return make_error("no logIndex");
  auto id = base64_field(member(e, "logId"), "keyId");
  if (!id) return make_error("logId: " + id.error().message);
  t.log_id = std::move(*id);
  const json* kv = member(e, "kindVersion");
  if (kv == nullptr || !is_string(member(*kv, "kind")) || !is_string(member(*kv, "version"))) return make_error("no kindVersion");
  t.kind = (*kv)["kind"].get<std::string>();
  t.version = (*kv)["version"].get<std::string>();
  if (!int64_field(e, "integratedTime", t.integrated_time)) return make_error("no integratedTime");
  if (const json* promise = member(e, "inclusionPromise")) {
    auto set = base64_field(promise, "signedEntryTimestamp");
    if (!set) return make_error("inclusionPromise: " + set.error().message);
    t.signed_entry_timestamp = std::move(*set);
  }
  const json* body = member(e, "canonicalizedBody");
  if (!is_string(body)) return make_error("no canonicalizedBody");
  t.body_base64 = body->get<std::string>();
  auto raw = base64_decode(t.body_base64);
  if (!raw) return make_error("canonicalizedBody is not base64");
  t.body = std::move(*raw);
  if (const json* proof = member(e, "inclusionProof")) {
    t.has_proof = true;
    if (!proof->is_object() || !int64_field(*proof, "logIndex", t.proof_index) || !int64_field(*proof, "treeSize", t.tree_size))
      return make_error("inclusionProof needs logIndex and treeSize");
    auto root = base64_field(proof, "rootHash");
    if (!root || root->size() != 32) return make_error("inclusionProof.rootHash is not a base64 SHA-256");
    t.root_hash = std::move(*root);
    const json* hashes = member(*proof, "hashes");
    if (hashes == nullptr || !hashes->is_array() || hashes->size() > 64) return make_error("inclusionProof.hashes is not an array of at most 64");
    for (const auto& h : *hashes) {
      auto d = h.is_string() ? base64_decode(h.get_ref<const std::string&>()) : Result<std::string>(make_error(""));
      if (!d || d->size() != 32) return make_error("an inclusionProof hash is not a base64 SHA-256");
      t.hashes.push_back(std::move(*d));
    }
    const json* cp = member(*proof, "checkpoint");
    const json* env = cp ? member(*cp, "envelope") : nullptr;
    if (!is_string(env)) return make_error("inclusionProof has no checkpoint.envelope");
    t.checkpoint = env->get<std::string>();
  }
  return t;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;  // also accept the URL-safe alphabet
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return make_error("base64 of impossible length");
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = val(c);
    if (v < 0) return make_error("not base64");
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string pae(std::string_view type, std::string_view payload) {
  std::string s = "DSSEv1 " + std::to_string(type.size()) + " ";
  s += type;
  s += " " + std::to_string(payload.size()) + " ";
  s += payload;
  return s;
}

Result<Bundle> parse_bundle(std::string_view text) {
  auto doc = parse_json(text, "signature bundle");
  if (!doc) return doc.error();
  const json& d = *doc;
  Bundle b;
  const json* mt = member(d, "mediaType");
  if (!is_string(mt) || !mt->get_ref<const std::string&>().starts_with("application/vnd.dev.sigstore.bundle"))
    return make_error("signature bundle: mediaType is not a Sigstore bundle");
  b.media_type = mt->get<std::string>();
  for (const auto& [k, v] : d.items()) {
    if (k != "mediaType" && k != "verificationMaterial" && k != "dsseEnvelope") return make_error("signature bundle: unexpected field " + k);
  }
  const json* vm = member(d, "verificationMaterial");
  if (vm == nullptr || !vm->is_object()) return make_error("signature bundle: no verificationMaterial");
  if (const json* tl = member(*vm, "tlogEntries")) {
    if (!tl->is_array()) return make_error("signature bundle: tlogEntries is not an array");
    b.tlog_entries = tl->size();
    if (tl->size() > 64) return make_error("signature bundle: more than 64 tlogEntries");
    for (const auto& e : *tl) {
      auto entry = parse_tlog_entry(e);
      if (!entry) return make_error("signature bundle: tlog entry: " + entry.error().message);
      b.tlog.push_back(std::move(*entry));
    }
  }
  auto raw_bytes = [](const json* o) -> Result<std::string> {
    const json* rb = o ? member(*o, "rawBytes") : nullptr;
    if (!is_string(rb) || rb->get_ref<const std::string&>().empty()) return make_error("no rawBytes");
    return base64_decode(rb->get_ref<const std::string&>());
  };
  if (const json* pk = member(*vm, "publicKey")) {
    b.material = Material::public_key;
    const json* hint = member(*pk, "hint");
    const json* raw = member(*pk, "rawBytes");
    if (!is_string(hint) && !is_string(raw)) return make_error("signature bundle: publicKey has neither hint nor rawBytes");
    if (is_string(hint)) b.key_hint = hint->get<std::string>();
    if (is_string(raw)) {
      auto der = base64_decode(raw->get_ref<const std::string&>());
      if (!der) return make_error("signature bundle: publicKey.rawBytes is not base64");
      b.key_der = *der;
    }
  } else if (const json* chain = member(*vm, "x509CertificateChain")) {
    b.material = Material::certificate_chain;
    const json* certs = member(*chain, "certificates");
    if (certs == nullptr || !certs->is_array() || certs->empty()) return make_error("signature bundle: x509CertificateChain has no certificates");
    for (const auto& c : *certs) {
      auto der = raw_bytes(&c);
      if (!der) return make_error("signature bundle: a chain certificate has no base64 rawBytes");
      b.certificates.push_back(std::move(*der));
    }
  } else if (const json* cert = member(*vm, "certificate")) {
    b.material = Material::sigstore;
    auto der = raw_bytes(cert);
    if (!der) return make_error("signature bundle: certificate has no base64 rawBytes");
    b.certificates.push_back(std::move(*der));
    if (member(*vm, "tlogEntries") == nullptr) return make_error("signature bundle: a Sigstore certificate bundle needs tlogEntries");
  } else {
    return make_error("signature bundle: verificationMaterial has no publicKey, x509CertificateChain or certificate");
  }
  const json* env = member(d, "dsseEnvelope");
  if (env == nullptr || !env->is_object()) return make_error("signature bundle: no dsseEnvelope");
  for (const auto& [k, v] : env->items()) {
    if (k != "payload" && k != "payloadType" && k != "signatures") return make_error("signature bundle: unexpected envelope field " + k);
  }
  const json* payload = member(*env, "payload");
  const json* type = member(*env, "payloadType");
  const json* sigs = member(*env, "signatures");
  if (!is_string(payload) || !is_string(type) || sigs == nullptr || !sigs->is_array())
    return make_error("signature bundle: dsseEnvelope needs payload, payloadType and signatures");
  b.payload_type = type->get<std::string>();
  if (b.payload_type != kPayloadType) return make_error("signature bundle: payloadType is " + b.payload_type + ", not " + std::string(kPayloadType));
  auto p = base64_decode(payload->get_ref<const std::string&>());
  if (!p) return make_error("signature bundle: payload is not base64");
  b.payload = std::move(*p);
  if (sigs->empty()) return make_error("signature bundle: no signatures");
  for (const auto& s : *sigs) {
    const json* sig = member(s, "sig");
    if (!is_string(sig)) return make_error("signature bundle: a signature has no sig");
    for (const auto& [k, v] : s.items()) {
      if (k != "sig" && k != "keyid") return make_error("signature bundle: unexpected signature field " + k);
    }
    auto raw = base64_decode(sig->get_ref<const std::string&>());
    if (!raw || raw->empty()) return make_error("signature bundle: a sig is not base64");
    b.signatures.push_back(std::move(*raw));
  }
  return b;
}

Result<Statement> parse_statement(std::string_view payload) {
  auto doc = parse_json(payload, "statement");
  if (!doc) return doc.error();
  const json& d = *doc;
  const json* type = member(d, "_type");
  if (!is_string(type) || *type != kStatementType) return make_error("statement: _type is not " + std::string(kStatementType));
  const json* pt = member(d, "predicateType");
  if (!is_string(pt)) return make_error("statement: no predicateType");
  Statement st;
  st.predicate_type = pt->get<std::string>();
  const json* subject = member(d, "subject");
  if (subject == nullptr || !subject->is_array() || subject->empty()) return make_error("statement: no subject");
  std::set<std::string> names;
  auto add = [&](Resource r) -> bool {
    if (r.name.empty() || r.name[0] == '/' || r.name.find("..") != std::string::npos) return false;
    if (!names.insert(r.name).second) return false;
    st.resources.push_back(std::move(r));
    return true;
  };
  if (st.predicate_type == kPredicateV01) {
    // Compat: one subject per file, files/sha256, no root digest.
    for (const auto& s : *subject) {
      const json* name = member(s, "name");
      const json* dig = member(s, "digest");
      const json* sha = dig ? member(*dig, "sha256") : nullptr;
      if (!is_string(name) || !is_string(sha)) return make_error("statement: a v0.1 subject lacks name or digest.sha256");
      auto raw = from_hex(sha->get_ref<const std::string&>());
      if (!raw || raw->size() != 32) return make_error("statement: a v0.1 digest is not 64 hex digits");
      if (!add({name->get<std::string>(), "sha256", *raw})) return make_error("statement: bad or duplicate name " + name->get<std::string>());
    }
    return st;
  }
  if (st.predicate_type != kPredicateV1) return make_error("statement: predicateType " + st.predicate_type + " is not an OMS v1.0 predicate");
  if (subject->size() != 1) return make_error("statement: an OMS v1.0 statement has exactly one subject");
  const json* sname = member((*subject)[0], "name");
  const json* sdig = member((*subject)[0], "digest");
  const json* sroot = sdig ? member(*sdig, "sha256") : nullptr;
  if (!is_string(sname) || !is_string(sroot) || !lower_hex(sroot->get_ref<const std::string&>()))
    return make_error("statement: the subject needs a name and a hex digest.sha256");
  st.subject_name = sname->get<std::string>();
  const json* pred = member(d, "predicate");
  if (pred == nullptr || !pred->is_object()) return make_error("statement: no predicate");
  const json* ser = member(*pred, "serialization");
  if (ser == nullptr || !ser->is_object()) return make_error("statement: predicate has no serialization");
  const json* method = member(*ser, "method");
  const json* hash = member(*ser, "hash_type");
  const json* links = member(*ser, "allow_symlinks");
  if (!is_string(method) || !is_string(hash) || links == nullptr || !links->is_boolean())
    return make_error("statement: serialization needs method, hash_type and allow_symlinks");
  st.method = method->get<std::string>();
  st.hash_type = hash->get<std::string>();
  st.allow_symlinks = links->get<bool>();
  if (st.method != "files" && st.method != "shards") return make_error("statement: serialization method " + st.method + " is unknown");
  if (st.hash_type != "sha256" && st.hash_type != "blake2b" && st.hash_type != "blake3")
    return make_error("statement: hash_type " + st.hash_type + " is unknown");
  if (st.method == "shards") {
    // Python writes the shard size as a float (1000000000.0): accept any integral number.
    const json* size = member(*ser, "shard_size");
    if (size == nullptr || !size->is_number()) return make_error("statement: shards serialization without a numeric shard_size");
    const double v = size->get<double>();
    if (!(v >= 1 && v <= 1e15) || std::floor(v) != v) return make_error("statement: shard_size is not a positive integer");
    st.shard_size = static_cast<std::uint64_t>(v);
  }
  if (const json* ig = member(*ser, "ignore_paths")) {
    if (!ig->is_array()) return make_error("statement: ignore_paths is not an array");
    for (const auto& p : *ig) {
      if (!p.is_string()) return make_error("statement: ignore_paths holds a non-string");
      st.ignore_paths.push_back(p.get<std::string>());
    }
  }
  const json* res = member(*pred, "resources");
  if (res == nullptr || !res->is_array()) return make_error("statement: predicate has no resources");
  for (const auto& r : *res) {
    const json* name = member(r, "name");
    const json* alg = member(r, "algorithm");
    const json* dig = member(r, "digest");
    if (!is_string(name) || !is_string(alg) || !is_string(dig)) return make_error("statement: a resource lacks name, algorithm or digest");
    auto raw = from_hex(dig->get_ref<const std::string&>());
    if (!raw || raw->empty()) return make_error("statement: digest of " + name->get<std::string>() + " is not hex");
    if (!add({name->get<std::string>(), alg->get<std::string>(), *raw}))
      return make_error("statement: resource name " + name->get<std::string>() + " is absolute, has '..' or is listed twice");
  }
  // The root digest is SHA-256 over the resource digests in listed order; a mismatch means the
  // manifest was edited after the subject was computed.
  if (root_digest(st.resources) != sroot->get<std::string>()) return make_error("statement: the subject digest does not match the resources");
  return st;
}

bool check_signature(const Bundle& b, const std::string& public_key_pem, std::string& signer, std::string& failure) {
  PKey key;
  if (!public_key_pem.empty()) {
    key = read_public_pem(public_key_pem);
    if (!key) {
      failure = "the public key is not a PEM SubjectPublicKeyInfo";
      return false;
    }
    const std::string hint = sha256_hex_of(public_pem(key.get()));
    signer = "key sha256:" + hint;
    if (b.material == Material::public_key) {
      if (!b.key_hint.empty() && b.key_hint != hint) {
        failure = "the bundle was signed by a different key (hint " + b.key_hint + ")";
        return false;
      }
      if (b.key_hint.empty() && !b.key_der.empty() && b.key_der != public_der(key.get())) {
        failure = "the bundle carries a different public key";
        return false;
      }
    }
  } else {
    if (b.certificates.empty()) {
      failure = "no key to check the signature with";
      return false;
    }
    X509Ptr leaf = der_cert(b.certificates[0]);
    if (!leaf) {
      failure = "the bundle's leaf certificate is not DER X.509";
      return false;
    }
    key.reset(X509_get_pubkey(leaf.get()));
    signer = subject_of(leaf.get());
    if (!key) {
      failure = "the leaf certificate has no usable public key";
      return false;
    }
  }
  // One envelope signature verifying is enough (DSSE allows several signers).
  const std::string message = pae(b.payload_type, b.payload);
  for (const auto& sig : b.signatures) {
    failure.clear();
    if (verify_with(key.get(), message, sig, failure)) return true;
  }
  return false;
}

Result<std::vector<Mismatch>> compare_manifest(const Statement& st, const std::string& model_path, const std::string& signature_path,
                                               unsigned threads) {
  if (st.hash_type == "blake3") return make_error("hash_type blake3 is not supported by this build (OpenSSL has no BLAKE3)");
  auto local = enumerate(model_path, signature_path, st.method, st.shard_size, st.allow_symlinks, st.ignore_paths);
  if (!local) return local.error();
  const auto digests = digest_all(local->items, st.hash_type == "sha256" ? DigestAlgo::sha256 : DigestAlgo::blake2b, threads);
  std::map<std::string, const Resource*> signed_files;
  for (const auto& r : st.resources) signed_files[r.name] = &r;
  std::vector<Mismatch> out;
  for (std::size_t i = 0; i < local->names.size(); ++i) {
    const auto it = signed_files.find(local->names[i]);
    if (it == signed_files.end()) {
      out.push_back({"extra", local->names[i]});
      continue;
    }
    if (!digests[i]) return make_error(local->names[i] + ": " + digests[i].error().message);
    if (*digests[i] != it->second->digest) out.push_back({"changed", local->names[i]});
    signed_files.erase(it);
  }
  for (const auto& [name, r] : signed_files) out.push_back({"missing", name});
  std::sort(out.begin(), out.end(), [](const Mismatch& a, const Mismatch& b) { return a.name < b.name; });
  return out;
}

Result<Verification> verify(std::string_view bundle_text, const std::string& model_path, const std::string& signature_path,
                            const VerifyKeys& keys, unsigned threads) {
  auto bundle = parse_bundle(bundle_text);
  if (!bundle) return bundle.error();
  if (keys.public_key_pem.empty() && keys.chain_pem.empty() && keys.trust_root_json.empty())
    return make_error("give --key, --certificate-chain or --trust-root to verify a signature");
  Verification v;
  if (!keys.trust_root_json.empty()) {
    if (bundle->material != Material::sigstore)
      return make_error(bundle->material == Material::public_key ? "the bundle is signed with a bare key, not Sigstore keyless: verify with --key"
                                                                 : "the bundle carries a certificate chain, not Sigstore keyless: verify with --certificate-chain");
    auto root = sigstore::parse_trust_root(keys.trust_root_json);
    if (!root) return root.error();
    const auto k = sigstore::verify_keyless(*bundle, *root, {keys.identity, keys.identity_regexp, keys.issuer});
    v.identity = k.identity;
    v.issuer = k.issuer;
    v.signed_at = k.signed_at;
    v.sct_checked = k.sct_checked;
    if (!k.ok) {
      v.failure = k.failure;
      return v;
    }
    std::string subject;
    v.signature_ok = check_signature(*bundle, "", subject, v.failure);
    v.signer = k.identity + " (issuer " + k.issuer + ")";
  } else if (!keys.chain_pem.empty()) {
    if (bundle->material != Material::certificate_chain)
      return make_error(bundle->material == Material::sigstore
                            ? "this is a Sigstore keyless bundle: verify with --trust-root, --sigstore-identity and --sigstore-issuer"
                            : "the bundle is signed with a bare key, not a certificate: verify with --key");
    if (!validate_chain(*bundle, keys.chain_pem, v.failure)) return v;
    v.signature_ok = check_signature(*bundle, "", v.signer, v.failure);
  } else {
    if (!read_public_pem(keys.public_key_pem)) return make_error("the --key file is not a PEM public key");
    v.signature_ok = check_signature(*bundle, keys.public_key_pem, v.signer, v.failure);
  }
  if (!v.signature_ok) return v;
  // Only a signed statement is read: its contents mean nothing until the signature holds.
  auto st = parse_statement(bundle->payload);
  if (!st) {
    v.signature_ok = false;
    v.failure = st.error().message;
    return v;
  }
  v.resources = st->resources.size();
  auto mism = compare_manifest(*st, model_path, signature_path, threads);
  if (!mism) return mism.error();
  v.mismatches = std::move(*mism);
  return v;
}

Result<std::string> sign(const std::string& model_path, const std::string& signature_path, const SignOptions& o, unsigned threads) {
  Bio kbio(BIO_new_mem_buf(o.private_key_pem.data(), static_cast<int>(o.private_key_pem.size())));
  // Our own callback, so OpenSSL never prompts on the terminal for an encrypted key.
  auto password_cb = [](char* buf, int size, int, void* u) -> int {
    const auto* opts = static_cast<const SignOptions*>(u);
    if (!opts->has_key_password || opts->key_password.size() > static_cast<std::size_t>(size)) return -1;
    std::copy(opts->key_password.begin(), opts->key_password.end(), buf);
    return static_cast<int>(opts->key_password.size());
  };
  PKey key(kbio ? PEM_read_bio_PrivateKey(kbio.get(), nullptr, password_cb, const_cast<SignOptions*>(&o)) : nullptr);
  if (!key) {
    const bool encrypted = o.private_key_pem.find("ENCRYPTED") != std::string::npos;
    if (encrypted && !o.has_key_password)
      return make_error("the private key is encrypted: give its password with --key-password-file FILE or MODELGATE_KEY_PASSWORD");
    if (encrypted) return make_error("cannot decrypt the private key with the password given (wrong password?)");
    return make_error("the private key is not a PEM private key");
  }
  auto md = md_for(key.get());
  if (!md) return md.error();
  X509Ptr leaf;
  std::vector<X509Ptr> chain;
  if (!o.certificate_pem.empty()) {
    auto certs = pem_certs(o.certificate_pem);
    if (certs.empty()) return make_error("the signing certificate is not PEM X.509");
    leaf = std::move(certs[0]);
    if (X509_check_private_key(leaf.get(), key.get()) != 1) return make_error("the signing certificate is not for this private key");
    for (const auto& pem : o.chain_pem) {
      for (auto& c : pem_certs(pem)) chain.push_back(std::move(c));
    }
  }

  std::vector<std::string> ignore = {".git", ".gitattributes", ".github", ".gitignore"};
  ignore.insert(ignore.end(), o.ignore_paths.begin(), o.ignore_paths.end());
  auto local = enumerate(model_path, signature_path, "files", 0, false, ignore);
  if (!local) return local.error();
  const auto digests = digest_all(local->items, DigestAlgo::sha256, threads);
  std::vector<Resource> resources;
  for (std::size_t i = 0; i < local->names.size(); ++i) {
    if (!digests[i]) return make_error(local->names[i] + ": " + digests[i].error().message);
    resources.push_back({local->names[i], "sha256", *digests[i]});
  }
  // OMS orders resources by name in code-point order; byte order of UTF-8 is the same.
  std::sort(resources.begin(), resources.end(), [](const Resource& a, const Resource& b) { return a.name < b.name; });
  std::string root = absolute(model_path);
  const auto slash = root.find_last_of('/');
  const std::string subject = slash == std::string::npos ? root : root.substr(slash + 1);
  // Record what was left out, as model_signing >= 1.1 does, so verifiers ignore the same paths.
  std::vector<std::string> recorded;
  for (const auto& p : ignore) recorded.push_back(relative_ignore(root, p));
  if (auto r = relative_ignore(root, absolute(signature_path)); !r.empty()) recorded.push_back(r);
  std::erase(recorded, std::string());

  JsonWriter w(true);
  w.begin_object();
  w.key("_type").value(kStatementType);
  w.key("subject").begin_array().begin_object().key("name").value(subject);
  w.key("digest").begin_object().key("sha256").value(root_digest(resources)).end_object().end_object().end_array();
  w.key("predicateType").value(kPredicateV1);
  w.key("predicate").begin_object();
  w.key("serialization").begin_object().key("method").value("files").key("hash_type").value("sha256").key("allow_symlinks").value(false);
  w.key("ignore_paths").begin_array();
  for (const auto& p : recorded) w.value(p);
  w.end_array().end_object();
  w.key("resources").begin_array();
  for (const auto& r : resources) w.begin_object().key("name").value(r.name).key("algorithm").value(r.algorithm).key("digest").value(to_hex(r.digest)).end_object();
  w.end_array().end_object().end_object();
  const std::string payload = w.take();

  const std::string message = pae(kPayloadType, payload);
  MdCtx ctx(EVP_MD_CTX_new());
  std::size_t sig_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, *md, nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &sig_len, reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1)
    return make_error("signing failed");
  std::string sig(sig_len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &sig_len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1)
    return make_error("signing failed");
  sig.resize(sig_len);

  JsonWriter b(true);
  b.begin_object();
  b.key("mediaType").value(kBundleMediaType);
  b.key("verificationMaterial").begin_object();
  if (leaf) {
    b.key("x509CertificateChain").begin_object().key("certificates").begin_array();
    auto der_of = [](X509* c) {
      unsigned char* der = nullptr;
      const int n = i2d_X509(c, &der);
      std::string s(reinterpret_cast<char*>(der), static_cast<std::size_t>(std::max(n, 0)));
      OPENSSL_free(der);
      return s;
    };
    b.begin_object().key("rawBytes").value(base64_encode(der_of(leaf.get()))).end_object();
    for (auto& c : chain) b.begin_object().key("rawBytes").value(base64_encode(der_of(c.get()))).end_object();
    b.end_array().end_object();
  } else {
    b.key("publicKey").begin_object().key("hint").value(sha256_hex_of(public_pem(key.get()))).end_object();
  }
  b.key("tlogEntries").begin_array().end_array();
  b.end_object();
  b.key("dsseEnvelope").begin_object();
  b.key("payload").value(base64_encode(payload));
  b.key("payloadType").value(kPayloadType);
  b.key("signatures").begin_array().begin_object().key("sig").value(base64_encode(sig)).key("keyid").value("").end_object().end_array();
  b.end_object();
  b.end_object();
  return b.take() + "\n";
}

}  // namespace mg::enforce::oms
