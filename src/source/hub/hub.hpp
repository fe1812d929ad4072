// Hub targets as snapshots: resolve the revision to a commit, list the files through the hub's
// API, fetch the small files whole and read the large ones by range (docs/hubs.md).
#pragma once
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "source/hub/http.hpp"
#include "source/hub/target.hpp"
#include "source/snapshot.hpp"

namespace mg::hub {

struct HubOptions {
  std::string endpoint;             // --endpoint; else the hub's own variable (HF_ENDPOINT, ...)
  std::string repo_type = "model";  // --repo-type
  bool offline = false;             // HF_HUB_OFFLINE=1: the caches only
  HttpConfig http = HttpConfig::from_env();

  // Defaults with the environment applied (HF_HUB_OFFLINE, the HTTP settings).
  static HubOptions from_env();
};

// Whether this build reads targets of a hub (the others are a usage error that says so).
bool hub_supported(Hub hub);

// A hub target as one snapshot. An Error means nothing could be scanned (not found, gated,
// offline without a cache): the caller reports the target partial with that reason.
Result<std::vector<Snapshot>> open_hub_target(const HubTarget& target, const HubOptions& options, const Limits& limits);

}  // namespace mg::hub
