// Hub answers and hub targets are hostile input: the file listing and revision record parsers
// (Hugging Face trees, ModelScope's wrapped file and revision lists, the model-info siblings OpenCSG serves),
// Link headers, target ids and URLs, and the range planner over a sparse blob (fed from the input).
#include <cstdint>
#include <cstring>
#include <string_view>

#include "source/hub/http.hpp"
#include "source/hub/listing.hpp"
#include "source/hub/range_plan.hpp"
#include "source/hub/sparse_blob.hpp"
#include "source/hub/target.hpp"

namespace {

class InputFetcher final : public mg::hub::RangeFetcher {
 public:
  InputFetcher(const std::uint8_t* d, std::size_t n, mg::hub::SparseBlob& b) : d_(d), n_(n), b_(b) {}
  mg::Result<bool> fetch(const mg::hub::Ranges& ranges) override {
    for (const auto& [a, e] : ranges) {
      if (a > e || e > n_) return mg::make_error("out of range");
      b_.fill(a, d_ + a, e - a);
    }
    return true;
  }

 private:
  const std::uint8_t* d_;
  std::size_t n_;
  mg::hub::SparseBlob& b_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<mg::hub::ListedFile> files;
  std::vector<mg::Incomplete> problems;
  (void)mg::hub::parse_hf_tree_page(text, files, problems, 1000);
  for (const auto& f : files) {
    if (!mg::hub::safe_listing_path(f.path)) __builtin_trap();  // a name that passed must be safe
  }
  std::string message;
  const std::size_t before = files.size();
  (void)mg::hub::parse_ms_files(text, files, problems, 1000, &message);
  std::string sha;
  (void)mg::hub::parse_hf_model_info(text, sha, files, problems, 1000);
  for (std::size_t i = before; i < files.size(); ++i) {
    if (!mg::hub::safe_listing_path(files[i].path)) __builtin_trap();
  }
  if (!sha.empty() && sha.size() != 40) __builtin_trap();
  std::vector<mg::hub::MsRevision> revisions;
  (void)mg::hub::parse_ms_revisions(text, revisions, &message);
  for (const auto& r : revisions) {
    if (!r.commit.empty() && r.commit.size() != 40) __builtin_trap();
  }
  (void)mg::hub::parse_hf_revision_sha(text);
  (void)mg::hub::link_next(text);
  (void)mg::hub::parse_hub_target(text);
  (void)mg::hub::url_host(std::string(text));
  if (size > 0) {
    auto blob = mg::hub::SparseBlob::create(size);
    if (blob) {
      InputFetcher f(data, size, **blob);
      mg::Limits lim;
      (void)mg::hub::plan_and_fetch(**blob, f, "fuzz.bin", lim);
    }
  }
  return 0;
}
