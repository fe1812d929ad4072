// The study's other hub listings (docs/study.md, "Adding repositories"): the ModelScope and
// OpenCSG model listings over HTTP, the PyTorch Hub index (the pytorch/hub repository's Markdown
// files) and OpenMMLab model indexes (model-index.yml + metafile.yml) from a checkout. Every
// parser takes hostile text and is bounded (fuzz target hub_catalog).
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"
#include "source/hub/catalog.hpp"
#include "source/hub/http.hpp"

namespace mg::hub {

// --- ModelScope: PUT {endpoint}/api/v1/dolphin/models (the site's search; the SDK's own
// list_models is the same PUT on /api/v1/models/ for one owner) --------------------------------

// One page: {"Code":200,"Data":{"Model":{"Models":[{"Path":owner,"Name":name,"Tags":[...]}...],
// "TotalCount":N}},"Success":true} (Data.Models / Data.TotalCount, the SDK's form, too). Records
// without a valid Path/Name are skipped into `problems`. `total` gets TotalCount (-1 when absent),
// `records` the records on the page, valid or not. False when the body is not such an answer; a
// wrapper reporting failure sets `hub_message`.
bool parse_ms_model_page(std::string_view body, std::vector<CatalogEntry>& out, std::vector<std::string>& problems,
                         std::size_t max_entries, std::int64_t& total, std::size_t& records, std::string* hub_message = nullptr);

struct MsListQuery {
  std::string endpoint;                // "" = MODELSCOPE_DOMAIN, else https://www.modelscope.cn
  std::vector<std::string> criteria;   // "category=value" (tags=custom_code, organizations=Qwen, ...), ANDed
  std::string name;                    // free-text Name filter ("" = none)
  std::size_t page_size = 100;
  std::size_t max_entries = 0;         // 0 = the whole listing
  HttpConfig http = HttpConfig::from_env();
};

// The request body of one page (exposed for tests): {"PageSize":..,"PageNumber":..,"SortBy":
// "Default","Target":"","Name":..,"Criterion":[{"category":..,"predicate":"contains","values":[..]}],
// "SingleCriterion":[]}. An Error when a criterion is not category=value.
Result<std::string> ms_listing_body(const MsListQuery& q, std::size_t page_number);

Result<std::vector<CatalogEntry>> list_ms_models(const MsListQuery& query, std::vector<std::string>& problems,
                                                 const std::function<void(std::size_t)>& on_page = {});

// --- OpenCSG: GET {endpoint}/api/v1/models?page=&per=&search=&tag_category=&tag_name=... -------

// One page: {"data":[{"path":"ns/name","tags":[{"name":..,"category":..}|"name"]}...],"total":N}.
bool parse_csg_model_page(std::string_view body, std::vector<CatalogEntry>& out, std::vector<std::string>& problems,
                          std::size_t max_entries, std::int64_t& total, std::size_t& records);

struct CsgListQuery {
  std::string endpoint;                // "" = CSGHUB_DOMAIN, else https://hub.opencsg.com
  std::vector<std::string> params;     // "key=value" query filters (search=, task_tag=, tag_category=, tag_name=, source=, sort=)
  std::size_t page_size = 100;         // per=
  std::size_t max_entries = 0;
  HttpConfig http = HttpConfig::from_env();
};

Result<std::vector<CatalogEntry>> list_csg_models(const CsgListQuery& query, std::vector<std::string>& problems,
                                                  const std::function<void(std::size_t)>& on_page = {});

// --- PyTorch Hub: the pytorch/hub repository's <owner>_<repo>_<title>.md files ----------------

// "owner/repo" of the file's front matter line `github-link: https://github.com/owner/repo`
// (between the leading --- lines), or "" when the file has none or it is not a GitHub repository.
std::string parse_torchhub_markdown(std::string_view text);

// Every *.md file at the top of a pytorch/hub checkout (or a folder of them): one entry per
// distinct repository, id owner/repo (the study adds it as torchhub:owner/repo).
Result<std::vector<CatalogEntry>> list_torchhub_index(const std::string& folder, std::vector<std::string>& problems);

// --- OpenMMLab: model-index.yml -> Import: metafile.yml files -> Models[]{Name, Config, Weights} --

struct MmModel {
  std::string name;
  std::string config;   // configs/...py, relative to the repository root
  std::string weights;  // the checkpoint URL ("" when not given)
};

// The Import: list of a model-index.yml (relative paths; unsafe ones are dropped into `problems`).
std::vector<std::string> parse_mm_model_index(std::string_view yaml, std::vector<std::string>& problems);
// The Models: list of a metafile.yml (a subset of YAML: block mappings and sequences, plain or
// quoted scalars; flow collections and anchors are not read). At most `max_models`.
std::vector<MmModel> parse_mm_metafile(std::string_view yaml, std::vector<std::string>& problems, std::size_t max_models);

struct MmIndex {
  std::string repo;              // owner/name (from --platform-less default: open-mmlab/<folder name>)
  std::vector<MmModel> models;   // listed models whose Config exists in the checkout
  std::size_t metafiles = 0;
};

// Reads <checkout>/model-index.yml (or .mim/model-index.yml) and the metafiles it imports.
// Models whose Config file is missing from the checkout are reported in `problems`.
Result<MmIndex> read_mm_index(const std::string& checkout, std::vector<std::string>& problems);

}  // namespace mg::hub
