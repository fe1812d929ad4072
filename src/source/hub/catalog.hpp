// Hub catalogs: which model repositories a hub lists, for the study (docs/study.md). The Hugging
// Face listing is GET {endpoint}/api/models?filter=...&limit=..., paged by the cursor URL in the
// response's `Link: <...>; rel="next"` header.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "source/hub/http.hpp"

namespace mg::hub {

struct CatalogEntry {
  std::string id;                 // "owner/name"
  std::vector<std::string> tags;  // as listed (custom_code among them when the hub sets it)
  std::string sha;                // the listed head commit, when the listing has one
};

// One page of the listing: a JSON array of model records; each needs an "id" (or "modelId") that
// is a valid owner/name. Records with a bad id are skipped into `problems`; false when the body is
// not such an array at all. At most `max_entries` entries in `out` in total.
bool parse_catalog_page(std::string_view body, std::vector<CatalogEntry>& out, std::vector<std::string>& problems,
                        std::size_t max_entries);

struct CatalogQuery {
  std::string endpoint;              // "" = HF_ENDPOINT, else https://huggingface.co
  std::vector<std::string> filters;  // each sent as filter=... (the Hub ANDs them)
  std::size_t page_size = 1000;      // limit=... per request
  std::size_t max_entries = 0;       // stop after this many (0 = the whole listing)
  HttpConfig http = HttpConfig::from_env();
};

// Walks the listing page by page; `on_page` (optional) sees the count so far. Next links to another
// host are refused (the token is only for the endpoint's host). An Error when a request fails or a
// page is not a listing; entries read before are lost only to the caller that ignores `partial`.
Result<std::vector<CatalogEntry>> list_hf_models(const CatalogQuery& query, std::vector<std::string>& problems,
                                                 const std::function<void(std::size_t)>& on_page = {});

}  // namespace mg::hub
