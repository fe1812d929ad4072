// `modelgate --version` and `modelgate version [--format json]`: the tool version, the rule-set
// identities the lockfile and the study store record, and how this binary was built (compiler,
// LTO/PGO, and the versions of the libraries it runs with, asked of each library at run time).
#pragma once
#include <string>

namespace mg {

std::string version_text();  // first line "modelgate X.Y.Z", then one "key: value" per line
std::string version_json();  // one JSON object (docs/packaging.md lists the keys)

}  // namespace mg
