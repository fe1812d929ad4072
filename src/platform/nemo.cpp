// NVIDIA NeMo: a `.nemo` checkpoint is a tar (often gzip'd) that `ModelPT.restore_from` extracts.
// It reads model_config.yaml, imports the class named by its top-level `target:` and instantiates
// it; building the model then instantiates every nested `_target_:` through Hydra. Finally it
// torch.load()s model_weights.ckpt. The source opens the archive, so its members are snapshot
// files named `x.nemo!model_config.yaml`; a top-level .nemo target has them at the root.
#include <algorithm>
#include <set>
#include <vector>

#include "core/text.hpp"
#include "formats/pickle_policy.hpp"
#include "platform/plan_builder.hpp"

namespace mg {

namespace {

constexpr std::string_view kConfig = "model_config.yaml";
constexpr std::string_view kWeights = "model_weights.ckpt";

struct ClassRef {
  std::string key;    // YAML path, e.g. "encoder._target_"
  std::string value;  // dotted class path
};

bool is_dotted_name(std::string_view s) {
  if (s.empty() || s.find('.') == std::string_view::npos || s.front() == '.' || s.back() == '.') return false;
  for (auto part : split(s, '.')) {
    if (part.empty() || std::isdigit(static_cast<unsigned char>(part.front()))) return false;
    for (char c : part) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
    }
  }
  return true;
}

std::string unquote(std::string_view v) {
  v = trim(v);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) v = v.substr(1, v.size() - 2);
  return std::string(trim(v));
}

// `target:` and `_target_:` values of a block-style YAML document (what OmegaConf writes), with the
// key path from indentation. Not a YAML parser: flow mappings and anchors are not followed, which
// only loses key paths, never a line that names a class the way NeMo writes it.
std::vector<ClassRef> class_refs(std::string_view text) {
  std::vector<ClassRef> out;
  std::vector<std::pair<std::size_t, std::string>> parents;  // indent, key
  for (auto raw : split(text, '\n')) {
    std::string_view line = raw;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    std::string_view rest = line.substr(indent);
    while (starts_with(rest, "- ")) {  // a list item's mapping sits deeper than the dash
      rest.remove_prefix(2);
      indent += 2;
      while (!rest.empty() && rest.front() == ' ') {
        rest.remove_prefix(1);
        ++indent;
      }
    }
    if (rest.empty() || rest.front() == '#') continue;
    const auto colon = rest.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    const std::string key = unquote(rest.substr(0, colon));
    std::string_view value = rest.substr(colon + 1);
    if (!value.empty() && value.front() != ' ' && value.front() != '\t') continue;  // "a:b" is a scalar
    if (const auto hash = value.find(" #"); hash != std::string_view::npos) value = value.substr(0, hash);
    while (!parents.empty() && parents.back().first >= indent) parents.pop_back();
    const std::string v = unquote(value);
    if (v.empty()) {
      parents.emplace_back(indent, key);
      continue;
    }
    if ((key == "target" || key == "_target_") && is_dotted_name(v)) {
      std::string path;
      for (const auto& p : parents) path += p.second + ".";
      out.push_back({path + key, v});
    }
  }
  return out;
}

// Archive roots ("x.nemo!") and the snapshot root that hold a NeMo checkpoint.
std::vector<std::string> nemo_roots(const Snapshot& snap) {
  std::vector<std::string> roots;
  for (const auto& f : snap.files) {
    if (!ends_with(f.path, kConfig)) continue;
    const std::string root = f.path.substr(0, f.path.size() - kConfig.size());
    if (!root.empty() && root.back() != '!') continue;
    const std::string archive = root.empty() ? snap.target : root.substr(0, root.size() - 1);
    if (ends_with(to_lower(archive), ".nemo") || snap.contains(root + std::string(kWeights))) roots.push_back(root);
  }
  return roots;
}

}  // namespace

void profile_nemo(PlanBuilder& b) {
  for (const auto& root : nemo_roots(b.snap)) {
    const std::string config = root + std::string(kConfig);
    const std::string weights = root + std::string(kWeights);
    std::vector<std::string> nemo_classes;
    if (auto text = b.text(config)) {
      for (const auto& ref : class_refs(*text)) {
        if (starts_with(ref.value, "nemo.")) {
          if (std::find(nemo_classes.begin(), nemo_classes.end(), ref.value) == nemo_classes.end()) nemo_classes.push_back(ref.value);
          continue;
        }
        // A class outside NeMo: restore_from imports and runs code the nemo package does not ship.
        const auto dot = ref.value.rfind('.');
        const std::string module = ref.value.substr(0, dot), symbol = ref.value.substr(dot + 1);
        const auto c = pickle::classify_global(module, symbol);
        Trigger t;
        t.file = config;
        t.key = ref.key;
        t.loader = "nemo";
        t.gate = "none";
        t.module = module;
        t.symbol = symbol;
        t.rule_id = "LD111";
        t.value = ref.value;
        if (c.verdict == pickle::Verdict::dangerous) {
          t.severity = Severity::critical;
          t.why = "NeMo's restore_from calls " + ref.value + " (" + t.key + " in model_config.yaml) with arguments from the config when the checkpoint loads: a dangerous callable (" +
                  c.reason + "), not a model class.";
        } else {
          t.why = "NeMo's restore_from imports and instantiates " + ref.value + " from " + t.key +
                  " in model_config.yaml: a class outside the nemo package, so loading this checkpoint runs code NeMo does not ship.";
        }
        b.add_trigger(std::move(t));
      }
    }
    // The weights: found by content like any deserialization point; the loader is NeMo's.
    std::string loader = "NeMo restore_from (torch.load)";
    for (std::size_t i = 0; i < nemo_classes.size() && i < 3; ++i) loader += (i ? ", " : "; instantiates ") + nemo_classes[i];
    if (nemo_classes.size() > 3) loader += " and " + std::to_string(nemo_classes.size() - 3) + " more";
    bool found = false;
    for (auto& point : b.plan.deserialization) {
      if (point.file != weights) continue;
      point.loader = loader;
      found = true;
    }
    if (!found && b.snap.contains(weights)) {
      b.add_incomplete(weights, "not a format modelgate recognises; NeMo's restore_from would torch.load it");
    }
  }
}

}  // namespace mg
