#include <algorithm>
#include <cstdio>

#include "cli/commands.hpp"
#include "cli/enforce_common.hpp"
#include "enforce/lockfile.hpp"
#include "enforce/oms.hpp"
#include "pipeline/reachability_stage.hpp"
#include "platform/load_plan.hpp"

namespace mg {

void VerifyCommand::register_options(CLI::App& cmd) {
  cmd.add_option("target", target_, "What `scan` accepts (with --lock); a model folder or file (with --signature)")->required();
  cmd.add_option("--lock", lock_, "Lockfile written by `modelgate lock`");
  cmd.add_option("--signature", signature_, "OpenSSF Model Signing bundle (model.sig)");
  auto* key = cmd.add_option("--key", key_, "PEM public key the signature must verify with");
  auto* chain = cmd.add_option("--certificate-chain", chain_, "PEM certificates the bundle's certificate must chain to (repeatable)");
  key->excludes(chain);
  cmd.add_option("--endpoint", endpoint_, "Hub endpoint for hub targets");
  cmd.add_flag("--offline", offline_, "Hub targets from the caches only, no network");
  cmd.add_option("-j,--jobs", jobs_, "Hashing threads (default: number of cores)");
}

int VerifyCommand::run() {
  if (lock_.empty() && signature_.empty()) {
    std::fprintf(stderr, "modelgate: error: verify needs --lock FILE and/or --signature FILE\n");
    return 2;
  }
  if (!signature_.empty() && key_.empty() && chain_.empty()) {
    std::fprintf(stderr, "modelgate: error: --signature needs --key PEM or --certificate-chain PEM (Sigstore identities are not supported yet)\n");
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
  auto v = enforce::oms::verify(*bundle, target_, signature_, keys, jobs_);
  if (!v) {
    std::fprintf(stderr, "modelgate: error: %s: %s\n", signature_.c_str(), v.error().message.c_str());
    return 2;
  }
  if (!v->signature_ok) {
    std::printf("signature: INVALID  %s\n", v->failure.c_str());
    return 1;
  }
  for (const auto& m : v->mismatches) std::printf("drift: %-8s %s\n", m.kind.c_str(), m.name.c_str());
  if (!v->mismatches.empty()) {
    std::printf("%s: signature by %s is valid, but %zu file(s) differ from what it signed\n", target_.c_str(), v->signer.c_str(), v->mismatches.size());
    return 1;
  }
  std::printf("%s: signature valid, signed by %s; %zu resources match\n", target_.c_str(), v->signer.c_str(), v->resources);
  return 0;
}

}  // namespace mg
