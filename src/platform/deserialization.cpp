// Deserialization points: every file whose bytes are a format a loader deserializes. On-disk files
// are judged from their first bytes; only zips and possible old pickles are mapped whole.
#include "platform/plan_builder.hpp"
#include "platform/sniff.hpp"

namespace mg {

namespace {
constexpr std::size_t kHeadBytes = 4096;  // numpy headers and safetensors' opening fit in this
}  // namespace

void profile_deserialization(PlanBuilder& b) {
  for (const auto& f : b.snap.files) {
    if (f.size < 8) continue;
    std::string format;
    if (f.member < 0) {
      auto head = read_head(f.abs_path, kHeadBytes);
      if (!head) {
        b.add_incomplete(f.path, "cannot read: " + head.error().message);
        continue;
      }
      if (!needs_whole_file(*head)) {
        format = sniff_format(*head, f.path, f.size);
      } else if (auto blob = b.snap.read(f); blob) {
        format = sniff_format((*blob)->bytes(), f.path);
      } else {
        b.add_incomplete(f.path, "cannot read: " + blob.error().message);
        continue;
      }
    } else if (auto blob = b.snap.read(f); blob) {
      format = sniff_format((*blob)->bytes(), f.path);
    }
    if (format.empty()) continue;
    b.plan.deserialization.push_back({f.path, format, std::string(loader_for_format(format, f.path))});
  }
}

}  // namespace mg
