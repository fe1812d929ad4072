// Calls in Python code that make a load fetch another repository (modelgate issue #12): torch.hub
// repositories that delegate to another GitHub repository, modelling code that loads a second model
// with from_pretrained/pipeline (possibly with trust_remote_code=True), snapshot_download, and
// ModelScope's pipeline/Model.from_pretrained. Only the call and its constant arguments are read
// here; whether the call runs at load is reachability's question (pipeline/ asks it per line).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "python/tree.hpp"

namespace mg::py {

struct CrossRepoCall {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string snippet;   // the call's first line, trimmed (at most 200 bytes)
  std::string callee;    // as written: "torch.hub.load", "AutoModel.from_pretrained", "pipeline"
  std::string loader;    // torch.hub | transformers | modelscope | huggingface_hub
  std::string repo;      // "owner/repo" or "org/name"; "" when the argument is computed
  bool computed = false;   // the id is not a constant string: recorded, never followed
  std::string revision;  // the pinned ref (`:ref`, revision=, code_revision=); "" = the default
  // trust_remote_code=True as a constant; `trust_computed` when the keyword is there with another
  // expression (the code may run or not).
  bool trust_remote_code = false;
  bool trust_computed = false;
  bool pulls_code() const { return loader == "torch.hub" || trust_remote_code || trust_computed; }
  bool pinned() const;  // a full 40-hex commit
};

// Cheap test on the source text: can this file contain such a call at all?
bool may_call_other_repo(std::string_view source);

// Every such call in the tree (an iterative walk; bounded by the tree).
std::vector<CrossRepoCall> extract_cross_repo_calls(const Tree& tree);

// The calls of a source, parsed here (for callers without a tree at hand).
std::vector<CrossRepoCall> read_cross_repo_calls(Parser& parser, std::string_view source);

// "owner/name": two non-empty parts of [A-Za-z0-9._-] (what the hubs and GitHub accept), no "..".
bool looks_like_repo_id(std::string_view id);

}  // namespace mg::py
