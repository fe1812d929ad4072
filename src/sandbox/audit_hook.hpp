// The sitecustomize.py modelgate writes into a private folder on the sandbox's PYTHONPATH: it adds
// a sys.addaudithook hook before any of the loaded code runs (audit hooks cannot be removed) and
// writes one JSON line per runtime event to the descriptor named by MODELGATE_AUDIT_FD.
#pragma once
#include <string_view>

namespace mg::sandbox {

std::string_view audit_hook_source();

}  // namespace mg::sandbox
