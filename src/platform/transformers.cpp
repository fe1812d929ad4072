// transformers: auto_map in every config the Auto classes read, custom pipelines, custom_generate
// (hub-loading.md §1.1).
#include "core/text.hpp"
#include "platform/config_json.hpp"
#include "platform/plan_builder.hpp"

namespace mg {

namespace {

constexpr std::string_view kAutoMapFiles[] = {
    "config.json", "tokenizer_config.json", "processor_config.json", "preprocessor_config.json",
    "video_preprocessor_config.json", "modular_config.json",
};

// "org/repo--module.Class" or "module.Class" -> trigger fields.
void add_class_ref(PlanBuilder& b, const std::string& file, const std::string& key, std::string_view ref,
                   const std::string& loader) {
  const std::string written(ref);
  std::string remote;
  if (const auto dd = ref.find("--"); dd != std::string_view::npos) {
    remote = std::string(ref.substr(0, dd));
    ref.remove_prefix(dd + 2);
  }
  const auto dot = ref.rfind('.');
  const std::string module(dot == std::string_view::npos ? ref : ref.substr(0, dot));
  const std::string symbol(dot == std::string_view::npos ? std::string_view{} : ref.substr(dot + 1));
  Trigger t;
  t.file = file;
  t.key = key;
  t.loader = loader;
  t.gate = "trust_remote_code";
  t.symbol = symbol;
  t.remote_repo = remote;
  t.value = written;
  if (!remote.empty()) {
    t.module = module + ".py";
    t.rule_id = "LD102";
    t.why = "With trust_remote_code, " + loader + " downloads " + t.module + " from " + remote +
            " at that repository's default branch and runs it; pinning this model's revision does not pin that code.";
  } else {
    std::string path;
    if (!normalize_relative(join_path(dirname(file), module + ".py"), path)) path = module + ".py";
    t.module = path;
    t.rule_id = "LD101";
    t.why = "With trust_remote_code, " + loader + " imports " + path + " (and the files it imports relatively) and runs it in the loading process.";
  }
  b.add_trigger(std::move(t));
}

// A value of auto_map: a string, or a [slow, fast] list whose nulls mean "no class".
void add_auto_map_value(PlanBuilder& b, const std::string& file, const std::string& key, const nlohmann::json& v,
                        const std::string& loader) {
  if (v.is_string()) {
    add_class_ref(b, file, key, v.get_ref<const std::string&>(), loader);
  } else if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i].is_string()) add_class_ref(b, file, index_path(key, i), v[i].get_ref<const std::string&>(), loader);
    }
  }
}

void scan_config(PlanBuilder& b, const std::string& file) {
  const nlohmann::json* j = b.json(file);
  if (j == nullptr || !j->is_object()) return;
  const bool diffusers = j->contains("_diffusers_version") || j->contains("_class_name");
  const std::string loader = diffusers ? "diffusers" : "transformers";
  if (auto it = j->find("auto_map"); it != j->end()) {
    if (it->is_object()) {
      for (const auto& [k, v] : it->items()) add_auto_map_value(b, file, key_path("auto_map", k), v, loader);
    } else if (it->is_array()) {  // legacy tokenizer form: auto_map itself is [slow, fast]
      add_auto_map_value(b, file, "auto_map", *it, loader);
    }
  }
  if (basename(file) != "config.json") return;
  if (auto it = j->find("custom_pipelines"); it != j->end() && it->is_object()) {
    for (const auto& [task, spec] : it->items()) {
      if (!spec.is_object()) continue;
      auto impl = spec.find("impl");
      if (impl != spec.end() && impl->is_string()) {
        add_class_ref(b, file, "custom_pipelines." + task + ".impl", impl->get_ref<const std::string&>(), "transformers.pipeline");
      }
    }
  }
}

}  // namespace

void profile_transformers(PlanBuilder& b) {
  for (const auto& f : b.snap.files) {
    const auto name = basename(f.path);
    for (auto candidate : kAutoMapFiles) {
      if (name == candidate) {
        scan_config(b, f.path);
        break;
      }
    }
  }
  // custom_generate replaces model.generate on from_pretrained; a local folder needs no trust flag.
  for (const auto& f : b.snap.files) {
    if (basename(f.path) != "generate.py" || basename(dirname(f.path)) != "custom_generate") continue;
    Trigger t;
    t.file = f.path;
    t.key = "custom_generate/generate.py";
    t.loader = "transformers";
    t.gate = "none for a local folder; trust_remote_code for a Hub repository";
    t.module = f.path;
    t.symbol = "generate";
    t.rule_id = "LD103";
    t.why = "PreTrainedModel.from_pretrained imports " + f.path +
            " to replace model.generate; from a local folder no trust_remote_code is asked for.";
    b.add_trigger(std::move(t));
  }
}

}  // namespace mg
