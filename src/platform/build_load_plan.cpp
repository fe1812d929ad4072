#include <algorithm>

#include "core/text.hpp"
#include "platform/plan_builder.hpp"

namespace mg {

namespace {

bool has_any(const Snapshot& s, std::initializer_list<std::string_view> names) {
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return s.contains(n); });
}

std::string guess_platform(const Snapshot& snap, const LoadPlan& plan) {
  if (snap.root.find("/.cache/csg/") != std::string::npos) return "opencsg";
  if (!snap.platform_hint.empty()) return snap.platform_hint;
  auto loader_used = [&](std::string_view loader) {
    return std::any_of(plan.triggers.begin(), plan.triggers.end(), [&](const Trigger& t) { return t.loader == loader; });
  };
  if (loader_used("modelscope") || snap.contains("configuration.json")) return "modelscope";
  if (loader_used("torch.hub")) return "torchhub";
  if (loader_used("mmengine") || has_any(snap, {"model-index.yml", "metafile.yml", "model_zoo.yml"})) return "openmmlab";
  if (has_any(snap, {"config.json", "model_index.json", "modules.json", "tokenizer_config.json", "adapter_config.json"})) return "huggingface";
  return "unknown";
}

}  // namespace

LoadPlan build_load_plan(const Snapshot& snapshot, const Limits& limits, ReadCache* reads, unsigned threads) {
  PlanBuilder b(snapshot, limits, threads);
  profile_transformers(b);
  profile_diffusers(b);
  profile_sentence_transformers(b);
  profile_modelscope(b);
  profile_mmengine(b);
  profile_torchhub(b);
  profile_deserialization(b);
  profile_nemo(b);
  profile_paper_criteria(b);
  add_trigger_findings(b);
  LoadPlan plan = b.finish();
  plan.platform = guess_platform(snapshot, plan);
  if (reads != nullptr) *reads = b.take_reads();
  return plan;
}

}  // namespace mg
