// The reachability stage: reads every Python file of the snapshot into ModuleFacts, computes what a
// load runs from the LoadPlan, and marks each code finding with load_reachable and its path.
#pragma once
#include <vector>

#include "core/finding.hpp"
#include "core/limits.hpp"
#include "platform/load_plan.hpp"
#include "python/reachability.hpp"
#include "source/snapshot.hpp"

namespace mg {

// `known`: facts engines already extracted; only the other Python files are parsed here, from
// `reads` when an earlier stage read them.
py::Reachability compute_reachability(const Snapshot& snapshot, const LoadPlan& plan, const Limits& limits,
                                      std::vector<py::ModuleFacts> known = {}, const ReadCache* reads = nullptr);

// Sets load_reachable/reach_path on findings of the code engines (python, yara) in Python files,
// widens plan.module_files to every executed module and fills plan.required_packages.
void apply_reachability(const py::Reachability& reach, LoadPlan& plan, std::vector<Finding>& findings);

}  // namespace mg
