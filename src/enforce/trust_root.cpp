#include "enforce/trust_root.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "enforce/oms.hpp"
#include "formats/json_guard.hpp"

namespace mg::enforce::sigstore {

namespace {

using nlohmann::json;

const json* member(const json& o, const char* key) {
  if (!o.is_object()) return nullptr;
  const auto it = o.find(key);
  return it == o.end() ? nullptr : &*it;
}

Result<TimeWindow> window(const json& owner, const std::string& what) {
  TimeWindow w;
  const json* v = member(owner, "validFor");
  if (v == nullptr) return w;
  if (!v->is_object()) return make_error(what + ": validFor is not an object");
  for (const char* k : {"start", "end"}) {
    const json* t = member(*v, k);
    if (t == nullptr) continue;
    if (!t->is_string()) return make_error(what + ": validFor." + k + " is not a timestamp string");
    auto s = parse_rfc3339(t->get_ref<const std::string&>());
    if (!s) return make_error(what + ": validFor." + k + ": " + s.error().message);
    (k[0] == 's' ? w.start : w.end) = *s;
  }
  if (member(*v, "start") == nullptr) return make_error(what + ": validFor has no start");
  return w;
}

Result<std::vector<LogKey>> logs(const json& doc, const char* field) {
  std::vector<LogKey> out;
  const json* arr = member(doc, field);
  if (arr == nullptr) return out;
  if (!arr->is_array() || arr->size() > 256) return make_error(std::string("trust root: ") + field + " is not an array of at most 256");
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const json& l = (*arr)[i];
    const std::string what = std::string("trust root: ") + field + "[" + std::to_string(i) + "]";
    LogKey k;
    if (const json* u = member(l, "baseUrl"); u != nullptr && u->is_string()) k.base_url = u->get<std::string>();
    const json* pk = member(l, "publicKey");
    const json* raw = pk ? member(*pk, "rawBytes") : nullptr;
    if (raw == nullptr || !raw->is_string()) return make_error(what + ": no publicKey.rawBytes");
    auto der = oms::base64_decode(raw->get_ref<const std::string&>());
    if (!der || der->empty()) return make_error(what + ": publicKey.rawBytes is not base64");
    k.key_der = std::move(*der);
    auto w = window(*pk, what + ".publicKey");
    if (!w) return w.error();
    k.valid = *w;
    const json* id = member(l, "logId");
    const json* kid = id ? member(*id, "keyId") : nullptr;
    if (kid == nullptr || !kid->is_string()) return make_error(what + ": no logId.keyId");
    auto idraw = oms::base64_decode(kid->get_ref<const std::string&>());
    if (!idraw || idraw->empty()) return make_error(what + ": logId.keyId is not base64");
    k.log_id = std::move(*idraw);
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace

Result<std::int64_t> parse_rfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z; the fraction is dropped (windows are checked in seconds).
  auto digits = [&](std::size_t at, std::size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    return true;
  };
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(0, 4, y) || s.size() < 20 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' || !digits(17, 2, se))
    return make_error("not an RFC 3339 timestamp");
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == from || i - from > 9) return make_error("bad fraction of a second in a timestamp");
  }
  if (i + 1 != s.size() || (s[i] != 'Z' && s[i] != 'z')) return make_error("timestamp not in UTC (Z)");
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) return make_error("timestamp out of range");
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<std::int64_t>(timegm(&tm));
}

std::string format_time(std::int64_t t) {
  const auto tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr) return std::to_string(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<TrustRoot> parse_trust_root(std::string_view text) {
  if (!json_depth_within(text, 32)) return make_error("trust root: JSON nested too deeply");
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return make_error("trust root: not a JSON object");
  const json* mt = member(doc, "mediaType");
  if (mt == nullptr || !mt->is_string() || !mt->get_ref<const std::string&>().starts_with("application/vnd.dev.sigstore.trustedroot"))
    return make_error("trust root: mediaType is not a Sigstore trusted root (application/vnd.dev.sigstore.trustedroot+json)");
  TrustRoot root;
  auto t = logs(doc, "tlogs");
  if (!t) return t.error();
  root.tlogs = std::move(*t);
  auto c = logs(doc, "ctlogs");
  if (!c) return c.error();
  root.ctlogs = std::move(*c);
  if (const json* cas = member(doc, "certificateAuthorities")) {
    if (!cas->is_array() || cas->size() > 256) return make_error("trust root: certificateAuthorities is not an array of at most 256");
    for (std::size_t i = 0; i < cas->size(); ++i) {
      const json& a = (*cas)[i];
      const std::string what = "trust root: certificateAuthorities[" + std::to_string(i) + "]";
      CertificateAuthority ca;
      if (const json* u = member(a, "uri"); u != nullptr && u->is_string()) ca.uri = u->get<std::string>();
      const json* chain = member(a, "certChain");
      const json* certs = chain ? member(*chain, "certificates") : nullptr;
      if (certs == nullptr || !certs->is_array() || certs->empty() || certs->size() > 16)
        return make_error(what + ": certChain.certificates needs 1 to 16 certificates");
      for (const auto& cert : *certs) {
        const json* raw = member(cert, "rawBytes");
        auto der = raw != nullptr && raw->is_string() ? oms::base64_decode(raw->get_ref<const std::string&>()) : Result<std::string>(make_error(""));
        if (!der || der->empty()) return make_error(what + ": a certificate has no base64 rawBytes");
        ca.chain_der.push_back(std::move(*der));
      }
      auto w = window(a, what);
      if (!w) return w.error();
      ca.valid = *w;
      root.authorities.push_back(std::move(ca));
    }
  }
  if (root.authorities.empty()) return make_error("trust root: no certificateAuthorities (Fulcio)");
  if (root.tlogs.empty()) return make_error("trust root: no tlogs (Rekor)");
  return root;
}

}  // namespace mg::enforce::sigstore
