#include "python/checker.hpp"

namespace mg::py {
namespace {
void check(Checker& c, const Call& call) {
  if (one_of(call.qualname, {"urllib.urlopen", "urllib.request.urlopen", "urllib.urlretrieve", "urllib.request.urlretrieve",
                             "urllib.URLopener", "urllib.request.URLopener", "urllib.FancyURLopener",
                             "urllib.request.FancyURLopener", "urllib2.urlopen", "urllib2.Request",
                             "six.moves.urllib.request.urlopen", "six.moves.urllib.request.urlretrieve",
                             "six.moves.urllib.request.URLopener", "six.moves.urllib.request.FancyURLopener"})) {
    c.report("PY310", call.node, call.qualname + " opens any URL scheme, file:// included; check the URL before opening it");
  }
}
}  // namespace

extern const RuleSpec kRule_PY310{.id = "PY310", .call_names = "urlopen urlretrieve URLopener FancyURLopener Request", .on_call = check};

}  // namespace mg::py
