// A file of a repository that may be an archive: content sniffing, opening it in place (tar in any
// compression, .nemo, 7z; nested up to the depth limit) and the load plan over its members, with
// small bounds so bombs and member floods stop quickly.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "platform/load_plan.hpp"
#include "source/archive.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mg::Limits limits;
  limits.max_archive_member_bytes = 1u << 20;
  limits.max_archive_total_bytes = 4u << 20;
  limits.bomb_check_after_bytes = 1u << 20;
  limits.max_archive_members = 1000;
  limits.max_files = 2000;
  mg::Snapshot snap;
  snap.kind = "directory";
  snap.members.push_back(std::make_shared<mg::OwnedBlob>(std::vector<std::uint8_t>(data, data + size)));
  snap.files.push_back(mg::FileEntry{"model.nemo", size, "", 0, {}, false});
  mg::open_nested_archives(snap, limits);
  (void)mg::build_load_plan(snap, limits);
  return 0;
}
