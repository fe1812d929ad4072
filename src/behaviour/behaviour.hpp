// The behaviour engine's repository stage: links every file's model (model.hpp) through the load
// call graph, solves where each value's data comes from across functions (context-insensitive,
// flow-insensitive, bounded), and judges each sink by its capability and the provenance of what
// reaches it: the BH rules (rules/behaviour/). Every finding carries its evidence chain, from the
// source site through the calls to the sink.
#pragma once
#include <vector>

#include "behaviour/model.hpp"
#include "core/finding.hpp"
#include "python/reachability.hpp"

namespace mg::behaviour {

// `reach` resolves call sites to repository functions (the same resolution the reachability
// stage uses); findings come out with load_reachable unset, for the reachability stage to mark.
// `threads`: how many may resolve call sites side by side.
std::vector<Finding> analyse_repository(const std::vector<FileModel>& models, const py::Reachability& reach, unsigned threads = 1);

}  // namespace mg::behaviour
