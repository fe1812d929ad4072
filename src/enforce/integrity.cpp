#include "enforce/integrity.hpp"

#include "enforce/oms.hpp"
#include "enforce/sigstore.hpp"
#include "source/snapshot.hpp"

namespace mg::enforce {

Integrity check_integrity(const Snapshot& snap, unsigned threads) {
  Integrity out;
  const FileEntry* sig = snap.find("model.sig");  // the model_signing CLI's default name, at the root
  if (sig == nullptr) return out;
  out.signature_file = sig->path;
  auto blob = snap.read(*sig);
  if (!blob) {
    out.problem = "model.sig cannot be read: " + blob.error().message;
    return out;
  }
  if ((*blob)->size() > (64u << 20)) {
    out.problem = "model.sig is larger than 64 MiB; not read";
    return out;
  }
  auto bundle = oms::parse_bundle((*blob)->text());
  if (!bundle) {
    out.problem = bundle.error().message;
    return out;
  }
  out.method = bundle->material == oms::Material::public_key ? "key" : bundle->material == oms::Material::certificate_chain ? "certificate" : "sigstore";
  if (bundle->material == oms::Material::public_key) {
    out.signer = "key sha256:" + (bundle->key_hint.empty() ? std::string("(no hint)") : bundle->key_hint);
  } else {
    std::string failure;
    out.signature_valid = oms::check_signature(*bundle, "", out.signer, failure);
    if (!*out.signature_valid) out.problem = failure;
    if (bundle->material == oms::Material::sigstore) {
      // A Fulcio leaf has an empty subject: the signer is the identity it was issued to.
      const auto id = sigstore::certificate_identity(bundle->certificates[0]);
      if (!id.sans.empty()) out.identity = id.sans[0];
      out.issuer = id.issuer;
      if (!out.identity.empty()) out.signer = out.identity + (out.issuer.empty() ? "" : " (issuer " + out.issuer + ")");
    }
  }
  auto st = oms::parse_statement(bundle->payload);
  if (!st) {
    out.problem = st.error().message;
    return out;
  }
  // Only files on disk under a folder are re-hashed; archives and hub targets would need every byte.
  if (snap.kind != "directory" || snap.root.empty()) {
    if (out.problem.empty()) out.problem = "files not compared with the signed manifest (" + snap.kind + " target); use modelgate verify on a local folder";
    return out;
  }
  auto mism = oms::compare_manifest(*st, snap.root, snap.root + "/model.sig", threads);
  if (!mism) {
    out.problem = mism.error().message;
    return out;
  }
  out.files_match = mism->empty();
  for (const auto& m : *mism) out.mismatches.push_back(m.kind + ": " + m.name);
  return out;
}

}  // namespace mg::enforce
