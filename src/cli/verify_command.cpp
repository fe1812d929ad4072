#include <algorithm>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/enforce_common.hpp"
#include "enforce/lockfile.hpp"
#include "enforce/oms.hpp"
#include "enforce/trust_root.hpp"
#include "pipeline/reachability_stage.hpp"
#include "platform/load_plan.hpp"

namespace mg {

void VerifyCommand::register_options(CLI::App& cmd) {
  cmd.add_option("target", target_, "What `scan` accepts (with --lock); a model folder or file (with --signature)")->required();
  cmd.add_option("--lock", lock_, "Lockfile written by `modelgate lock`");
  cmd.add_option("--signature", signature_, "OpenSSF Model Signing bundle (model.sig)");
  auto* key = cmd.add_option("--key", key_, "PEM public key the signature must verify with");
  auto* chain = cmd.add_option("--certificate-chain", chain_, "PEM certificates the bundle's certificate must chain to (repeatable)");
  auto* root = cmd.add_option("--trust-root", trust_root_, "Sigstore trusted_root.json: verify a keyless bundle offline");
  auto* id = cmd.add_option("--sigstore-identity", sigstore_identity_, "Keyless: the certificate's SAN (email or URI) must equal this");
  auto* idre = cmd.add_option("--sigstore-identity-regexp", sigstore_identity_regexp_, "Keyless: ... or match this ECMAScript regexp (whole SAN)");
  auto* iss = cmd.add_option("--sigstore-issuer", sigstore_issuer_, "Keyless: the OIDC issuer in the certificate must equal this URL");
  key->excludes(chain);
  root->excludes(key)->excludes(chain);
  id->excludes(idre);
  id->needs(root);
  idre->needs(root);
  iss->needs(root);
  cmd.add_option("--endpoint", endpoint_, "Hub endpoint for hub targets");
  cmd.add_flag("--offline", offline_, "Hub targets from the caches only, no network");
  cmd.add_option("-j,--jobs", jobs_, "Hashing threads (default: number of cores)");
}

int VerifyCommand::run() {
  if (lock_.empty() && signature_.empty()) {
    std::fprintf(stderr, "modelgate: error: verify needs --lock FILE and/or --signature FILE\n");
    return 2;
  }
  if (!signature_.empty() && key_.empty() && chain_.empty() && trust_root_.empty()) {
    std::fprintf(stderr, "modelgate: error: --signature needs --key PEM, --certificate-chain PEM or --trust-root FILE with --sigstore-identity and --sigstore-issuer\n");
    return 2;
  }
  if (!trust_root_.empty() && ((sigstore_identity_.empty() && sigstore_identity_regexp_.empty()) || sigstore_issuer_.empty())) {
    // Keyless without an expected identity would accept anyone with an OIDC account.
    std::fprintf(stderr, "modelgate: error: --trust-root needs --sigstore-identity (or --sigstore-identity-regexp) and --sigstore-issuer\n");
    return 2;
  }
  int rc = 0;
  if (!lock_.empty()) rc = std::max(rc, verify_lock());
  if (rc != 2 && !signature_.empty()) rc = std::max(rc, verify_signature());
  return rc;
}

int VerifyCommand::verify_lock() {
  auto text = cli::read_text_file(lock_);
  if (!text) {
    std::fprintf(stderr, "modelgate: error: %s\n", text.error().message.c_str());
    return 2;
  }
  auto locked = enforce::parse_lockfile(*text);
  if (!locked) {
    std::fprintf(stderr, "modelgate: error: %s: %s\n", lock_.c_str(), locked.error().message.c_str());
    return 2;
  }
  auto snap = cli::open_single_target(target_, endpoint_, offline_);
  if (!snap) {
    std::fprintf(stderr, "modelgate: error: %s\n", snap.error().message.c_str());
    return 2;
  }
  // The load plan widened by reachability (the modules the entry modules import) says what is
  // execution-relevant now, as in the scan the lock came from; no engine needs to run.
  LoadPlan plan = build_load_plan(*snap, Limits{});
  std::vector<Finding> no_findings;
  apply_reachability(compute_reachability(*snap, plan, Limits{}), plan, no_findings);
  auto now = enforce::make_lock(*snap, plan, jobs_);
  if (!now) {
    std::fprintf(stderr, "modelgate: error: %s: %s\n", target_.c_str(), now.error().message.c_str());
    return 2;
  }
  const auto drifts = enforce::compare_locks(*locked, *now);
  for (const auto& d : drifts) std::printf("drift: %-17s %s  (%s)\n", d.kind.c_str(), d.subject.c_str(), d.detail.c_str());
  if (!drifts.empty()) {
    std::printf("%s: %zu drift(s) from %s\n", target_.c_str(), drifts.size(), lock_.c_str());
    return 1;
  }
  std::printf("%s: matches %s (%zu files, %zu triggers)\n", target_.c_str(), lock_.c_str(), locked->files.size(), locked->triggers.size());
  return 0;
}

int VerifyCommand::verify_signature() {
  auto bundle = cli::read_text_file(signature_);
  if (!bundle) {
    std::fprintf(stderr, "modelgate: error: %s\n", bundle.error().message.c_str());
    return 2;
  }
  enforce::oms::VerifyKeys keys;
  if (!key_.empty()) {
    auto pem = cli::read_text_file(key_, 1u << 20);
    if (!pem) {
      std::fprintf(stderr, "modelgate: error: %s\n", pem.error().message.c_str());
      return 2;
    }
    keys.public_key_pem = *pem;
  }
  for (const auto& c : chain_) {
    auto pem = cli::read_text_file(c, 1u << 20);
    if (!pem) {
      std::fprintf(stderr, "modelgate: error: %s\n", pem.error().message.c_str());
      return 2;
    }
    keys.chain_pem.push_back(*pem);
  }
  if (!trust_root_.empty()) {
    auto root = cli::read_text_file(trust_root_, 16u << 20);
    if (!root) {
      std::fprintf(stderr, "modelgate: error: %s\n", root.error().message.c_str());
      return 2;
    }
    keys.trust_root_json = std::move(*root);
    keys.identity_regexp = !sigstore_identity_regexp_.empty();
    keys.identity = keys.identity_regexp ? sigstore_identity_regexp_ : sigstore_identity_;
    keys.issuer = sigstore_issuer_;
  }
  auto v = enforce::oms::verify(*bundle, target_, signature_, keys, jobs_);
  if (!v) {
    std::fprintf(stderr, "modelgate: error: %s: %s\n", signature_.c_str(), v.error().message.c_str());
    return 2;
  }
  if (!v->signature_ok) {
    std::printf("signature: INVALID  %s\n", v->failure.c_str());
    return 1;
  }
  if (v->signed_at >= 0)
    std::printf("signed at %s (transparency log), certificate transparency %s\n", enforce::sigstore::format_time(v->signed_at).c_str(),
                v->sct_checked ? "verified" : "not checked");
  for (const auto& m : v->mismatches) std::printf("drift: %-8s %s\n", m.kind.c_str(), m.name.c_str());
  if (!v->mismatches.empty()) {
    std::printf("%s: signature by %s is valid, but %zu file(s) differ from what it signed\n", target_.c_str(), v->signer.c_str(), v->mismatches.size());
    return 1;
  }
  std::printf("%s: signature valid, signed by %s; %zu resources match\n", target_.c_str(), v->signer.c_str(), v->resources);
  return 0;
}

}  // namespace mg
