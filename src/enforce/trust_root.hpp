// A Sigstore trusted root (protobuf-specs TrustedRoot, `trusted_root.json`): the Fulcio
// certificate authorities, the Rekor transparency logs and the certificate-transparency logs a
// keyless signature is checked against, each with the window in which it may be trusted. The
// file comes from the user, but may have been copied from anywhere: parsed defensively.
#pragma once
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace mg::enforce::sigstore {

// Seconds since the epoch; an absent end means "still valid".
struct TimeWindow {
  std::int64_t start = std::numeric_limits<std::int64_t>::min();
  std::int64_t end = std::numeric_limits<std::int64_t>::max();
  bool contains(std::int64_t t) const { return t >= start && t <= end; }
};

struct LogKey {
  std::string base_url;
  std::string key_der;  // SubjectPublicKeyInfo
  std::string log_id;   // raw bytes of logId.keyId (SHA-256 of key_der for Rekor and CT logs)
  TimeWindow valid;
};

struct CertificateAuthority {
  std::string uri;
  std::vector<std::string> chain_der;  // as listed: issuing certificate first, root last
  TimeWindow valid;
};

struct TrustRoot {
  std::vector<CertificateAuthority> authorities;
  std::vector<LogKey> tlogs;
  std::vector<LogKey> ctlogs;
};

Result<TrustRoot> parse_trust_root(std::string_view text);

// "2021-03-07T03:20:29.000Z" (protobuf Timestamp JSON, RFC 3339 in UTC) to seconds.
Result<std::int64_t> parse_rfc3339(std::string_view text);
// Seconds to "2021-03-07T03:20:29Z", for messages.
std::string format_time(std::int64_t t);

}  // namespace mg::enforce::sigstore
