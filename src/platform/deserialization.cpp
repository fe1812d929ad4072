// Deserialization points: every file whose bytes are a format a loader deserializes.
#include "platform/plan_builder.hpp"
#include "platform/sniff.hpp"

namespace mg {

void profile_deserialization(PlanBuilder& b) {
  for (const auto& f : b.snap.files) {
    if (f.size < 8) continue;
    auto blob = b.snap.read(f);
    if (!blob) {
      b.add_incomplete(f.path, "cannot read: " + blob.error().message);
      continue;
    }
    const std::string format = sniff_format((*blob)->bytes(), f.path);
    if (format.empty()) continue;
    b.plan.deserialization.push_back({f.path, format, std::string(loader_for_format(format, f.path))});
  }
}

}  // namespace mg
