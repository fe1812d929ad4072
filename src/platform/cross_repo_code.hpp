// Cross-repository references made by Python code that runs at load (issue #12): a hubconf.py that
// calls torch.hub.load("owner/repo", ...), modelling code that calls
// AutoModel.from_pretrained("org/name", trust_remote_code=True), ModelScope's pipeline(model=...).
// Config files name such repositories before anything runs (transformers.cpp, LD102); these are
// only known once reachability says which lines run, so this stage runs after it and adds to the
// LoadPlan what the config profiles could not.
#pragma once
#include <vector>

#include "core/finding.hpp"
#include "core/limits.hpp"
#include "platform/load_plan.hpp"
#include "python/load_calls.hpp"
#include "python/reachability.hpp"
#include "source/snapshot.hpp"

namespace mg {

// For every call of a load-reachable (or unknown) line: a Trigger with remote_repo set (or value
// "computed" and no remote_repo), and an LD112 finding when the call pulls code (torch.hub.load,
// trust_remote_code=True) without pinning a commit. Calls reachability says never run at load are
// left out.
void add_cross_repo_code(const Snapshot& snapshot, const Limits& limits, const ReadCache* reads, const py::Reachability& reach,
                         LoadPlan& plan, std::vector<Finding>& findings);

// The same for calls already extracted (by file), for tests.
void add_cross_repo_calls(const std::vector<std::pair<std::string, std::vector<py::CrossRepoCall>>>& calls, const py::Reachability& reach,
                          LoadPlan& plan, std::vector<Finding>& findings);

// The hub target a reference is followed to: torch.hub -> "torchhub:owner/repo[:ref]" (no ref: the
// main-then-master probe torch.hub does), ModelScope -> "ms:", the others -> "hf:" with "@rev".
std::string follow_target(const py::CrossRepoCall& call);

}  // namespace mg
