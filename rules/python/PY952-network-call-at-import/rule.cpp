#include "python/checker.hpp"
#include "rules/python/common/behaviour.hpp"

namespace mg::py {
namespace {
using namespace behaviour;

void check(Checker& c, const Call& call) {
  const bool network =
      one_of(call.qualname, {"requests.get", "requests.post", "requests.put", "requests.patch", "requests.delete", "requests.request",
                             "requests.head", "httpx.get", "httpx.post", "httpx.put", "httpx.request", "urllib.request.urlopen",
                             "urllib.request.urlretrieve", "urllib.urlopen", "urllib.urlretrieve", "urllib2.urlopen", "urlopen",
                             "urlretrieve", "socket.create_connection", "wget.download", "http.client.HTTPConnection",
                             "http.client.HTTPSConnection", "ftplib.FTP", "smtplib.SMTP", "telnetlib.Telnet"});
  if (!network || !runs_on_import(c, call.node)) return;
  c.report("PY952", call.node, call.qualname + " at module level: importing this file talks to the network before any model code is called");
}
}  // namespace

extern const RuleSpec kRule_PY952{
    .id = "PY952",
    .call_names = "get post put patch delete request head urlopen urlretrieve create_connection download HTTPConnection HTTPSConnection FTP SMTP Telnet",
    .on_call = check};

}  // namespace mg::py
