// LoadPlan: what loading a snapshot makes a loader execute or deserialize (DESIGN.md, "Platform
// profiles"). Built by the platform profiles in this folder, read by every engine.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/finding.hpp"
#include "source/snapshot.hpp"

namespace mg {

struct Trigger {
  std::string file;         // the file whose content makes the loader run code
  std::string key;          // e.g. "auto_map.AutoModel", "custom_pipelines.text.impl", "plugins[0]"
  std::string loader;       // transformers | diffusers | sentence-transformers | modelscope | mmengine | torch.hub
  std::string gate;         // what the user must pass for it to run ("none" when nothing)
  std::string module;       // module file in the repo (e.g. modeling_x.py) or an importable name
  std::string symbol;       // class or function the loader takes from it; "" when the module body is all
  std::string remote_repo;  // repository the code comes from when it is not this one ("" = null)
  std::string rule_id;      // the LD rule that reports it
  std::string why;          // one sentence for the finding: what runs, when (not in the JSON contract)
  std::string value;        // the configuration value as written, to locate it in the file
  std::optional<Severity> severity;  // when the trigger is the risk itself (it names os.system), over the rule's
  // References made by Python code that runs at load (cross_repo_code.hpp): the line of the call, and
  // the hub target --follow-remote-code opens ("torchhub:o/r:ref", "hf:org/name@rev", "ms:org/name").
  std::uint32_t line = 0;
  std::string remote_target;
};

struct DeserializationPoint {
  std::string file;
  std::string format;  // pickle | pytorch-zip | pytorch-legacy | torchscript | numpy | numpy-object | joblib |
                       // keras | hdf5 | safetensors | gguf | onnx | tar | 7z | zip | tf-savedmodel
  std::string loader;  // the loader that would read it
  // False for files loaders do not read when loading the model: training state (optimizer,
  // scheduler, RNG, training_args.bin) and intermediate checkpoint-N/ folders, which only a
  // resumed training run unpickles.
  bool read_at_load = true;
};

// The paper's RQ1 criteria (reported beside the precise answer, for comparison with the study).
struct PaperCriteria {
  bool custom_code_tag = false;             // config.json has auto_map (what the Hub tags custom_code)
  std::vector<std::string> entry_files;     // tokenizer.py, __init__.py, hubconf.py
  std::vector<std::string> prefixed_files;  // modeling_*, tokenization_*, configuration_* .py
};

// Where reachability starts: a module file the loader imports, and the symbol it then uses.
struct EntryPoint {
  std::string file;
  std::string symbol;   // "" = module body only
  std::string trigger;  // "config.json:auto_map.AutoModel"
};

struct LoadPlan {
  std::string platform = "unknown";  // huggingface | modelscope | opencsg | openmmlab | torchhub | unknown
  std::vector<Trigger> triggers;
  std::vector<DeserializationPoint> deserialization;
  std::vector<EntryPoint> entry_points;
  std::vector<std::string> module_files;  // repo .py files loading executes (sorted, unique)
  std::vector<std::string> required_packages;  // third-party packages that code imports (set by reachability)
  PaperCriteria paper;
  std::vector<Finding> findings;          // the load engine's findings (one per trigger group)
  std::vector<Incomplete> incomplete;     // configs that could not be read

  bool custom_code_required() const { return !triggers.empty(); }
};

// Runs every platform profile over the snapshot. `reads`, when given, receives the files the
// profiles read.
LoadPlan build_load_plan(const Snapshot& snapshot, const Limits& limits, ReadCache* reads = nullptr, unsigned threads = 1);

}  // namespace mg
