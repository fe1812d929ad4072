#include "python/checker.hpp"

namespace mg::py {
namespace {
bool bad_protocol(const Checker& c, TSNode n) {
  if (ts_node_is_null(n)) return false;
  const auto v = bandit_value(c.tree(), n);
  return v && one_of(*v, {"PROTOCOL_SSLv2", "SSLv2_METHOD", "SSLv23_METHOD", "PROTOCOL_SSLv3", "PROTOCOL_TLSv1",
                          "SSLv3_METHOD", "TLSv1_METHOD", "PROTOCOL_TLSv1_1", "TLSv1_1_METHOD"});
}

void check(Checker& c, const Call& call) {
  if (call.keywords.empty()) return;
  if (call.qualname == "ssl.wrap_socket") {
    if (bad_protocol(c, call.keyword("ssl_version"))) {
      c.report_line("PY502", call.node, keyword_line(call, "ssl_version"), "ssl.wrap_socket with an insecure protocol version");
    }
  } else if (call.qualname == "pyOpenSSL.SSL.Context" || call.qualname == "OpenSSL.SSL.Context") {
    if (bad_protocol(c, call.keyword("method"))) {
      c.report_line("PY502", call.node, keyword_line(call, "method"), "SSL.Context with an insecure protocol version");
    }
  } else if (bad_protocol(c, call.keyword("method")) || bad_protocol(c, call.keyword("ssl_version"))) {
    const std::uint32_t line = call.has_keyword("method") ? keyword_line(call, "method") : keyword_line(call, "ssl_version");
    c.report_line("PY502", call.node, line, "call with an insecure SSL/TLS protocol version", Severity::medium, Confidence::medium);
  }
}
}  // namespace

extern const RuleSpec kRule_PY502{.id = "PY502", .on_call = check};

}  // namespace mg::py
