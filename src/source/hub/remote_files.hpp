// What every hub client shares once it has a listing: the files of a snapshot fetched small ones
// whole (verified against the listing's hashes, kept in the download cache) and large ones by
// range through the sparse-blob / range-plan machinery, so the engines cannot tell the bytes came
// from the network.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"
#include "source/hub/cache.hpp"
#include "source/hub/http.hpp"
#include "source/hub/listing.hpp"
#include "source/hub/range_plan.hpp"
#include "source/hub/sparse_blob.hpp"
#include "source/snapshot.hpp"

namespace mg::hub {

constexpr std::uint64_t kApiBody = 64u << 20;  // one API answer (a listing page)

// "what: why" for an HTTP error status, in the words of the hub that answered.
using StatusError = std::function<std::string(const HttpResponse&, const std::string& what)>;

// SHA-1 git blob id of `bytes` (what listings give for files outside LFS).
std::string git_blob_sha1(std::string_view bytes);

struct RemoteFile {
  std::string path;
  std::string url;
  std::string key;  // cache key
  std::shared_ptr<SparseBlob> blob;
  std::string resolved;  // where the hub redirected the last range request
  std::uint64_t refetched = 0;
};

class HubFiles final : public RemoteFiles {
 public:
  HubFiles(std::shared_ptr<HttpClient> http, Cache cache, bool offline, const Limits& limits, StatusError status_error,
           std::string offline_why)
      : http_(std::move(http)), cache_(std::move(cache)), offline_(offline), limits_(limits), status_error_(std::move(status_error)),
        offline_why_(std::move(offline_why)) {}

  Transfer transfer_;
  std::vector<RemoteFile> files;

  Transfer transfer() const override;
  bool fetch_missing(std::vector<Incomplete>& incomplete) override;
  // Fills `ranges` (page aligned) of f.blob from the cache, then over HTTP.
  Result<bool> fetch_ranges(RemoteFile& f, const Ranges& ranges);

  std::shared_ptr<HttpClient> http_;
  Cache cache_;
  bool offline_;
  Limits limits_;
  StatusError status_error_;
  std::string offline_why_;  // "offline (HF_HUB_OFFLINE=1)"
};

struct ListedSource {
  // The download URL of a listed file.
  std::function<std::string(const ListedFile&)> url;
  // A local copy to use in place (the Hugging Face cache), or "".
  std::function<std::string(const ListedFile&)> local;
};

// Adds every listed file to `snap` (whole, by range, or in place), recording what could not be
// read in snap.incomplete; then sorts the files and hands `files` to the snapshot for refetches.
void add_listed_files(Snapshot& snap, const std::shared_ptr<HubFiles>& files, const std::vector<ListedFile>& listed,
                      const ListedSource& source, const Limits& limits);

}  // namespace mg::hub
