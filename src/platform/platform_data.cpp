#include "platform/platform_data.hpp"

#include <algorithm>

#include "core/json_writer.hpp"

namespace mg::platforms {

namespace {

// The paper's Table 6 cells are quoted as published (the October 2025 submission, which says it
// verified them against official documentation); their source is the paper itself, or the
// platform documentation page the cell summarises where the reference files name one. The loader
// columns are modelgate's own model (src/platform/*.cpp, docs/hubs.md), sourced to the loader's
// code or documentation. Review every cell against its source when a hub changes.
constexpr std::string_view kPaper = "https://thromel.github.io/assets/pdf/ml-rce-study.pdf";
constexpr std::string_view kHfMalware = "https://huggingface.co/docs/hub/security-malware";
constexpr std::string_view kHfPickle = "https://huggingface.co/docs/hub/security-pickle";
constexpr std::string_view kTransformersDyn =
    "https://github.com/huggingface/transformers/blob/main/src/transformers/dynamic_module_utils.py";
constexpr std::string_view kTransformersCustom = "https://huggingface.co/docs/transformers/custom_models";
constexpr std::string_view kModelScope = "https://github.com/modelscope/modelscope";
constexpr std::string_view kModelScopeWarn = "https://github.com/modelscope/modelscope/pull/1171";
constexpr std::string_view kModelScopePlugins = "https://github.com/modelscope/modelscope/issues/1702";
constexpr std::string_view kCsgSdk = "https://github.com/OpenCSGs/csghub-sdk";
constexpr std::string_view kOpenCsg = "https://opencsg.com";
constexpr std::string_view kMmengineConfig = "https://github.com/open-mmlab/mmengine/blob/main/mmengine/config/config.py";
constexpr std::string_view kMimDownload = "https://github.com/open-mmlab/mim/blob/main/mim/commands/download.py";
constexpr std::string_view kTorchHub = "https://github.com/pytorch/pytorch/blob/main/torch/hub.py";
constexpr std::string_view kTorchHubDocs = "https://pytorch.org/docs/stable/hub.html";

const std::vector<Column> kColumns = {
    {"upload_verification", "Upload verification", true},
    {"trust_model", "Trust model", true},
    {"malware_scanning", "Malware scanning", true},
    {"warning_systems", "Warning systems", true},
    {"user_protection", "User protection", true},
    {"code_trigger", "How loading runs repository code", false},
    {"trust_default", "Default of the trust flag", false},
    {"loader_warns", "Loader warns or prompts", false},
    {"revision_pin", "Does a revision pin pin cross-repository code", false},
};

const std::vector<Platform> kPlatforms = {
    {"huggingface",
     "Hugging Face",
     {
         {"Automated scanning", kHfMalware},
         {"Trust-all with verified badges", kPaper},
         {"Yes: comprehensive, multi-layered (ClamAV, PickleScan, secrets; third-party Protect AI and JFrog)", kHfMalware},
         {"UI warnings, file badges (ok/infected) & verified badges", kHfPickle},
         {"Documentation hub, UI warnings, SafeTensors support", kHfPickle},
         {"config.json auto_map (also tokenizer_config.json, custom_generate/) makes transformers import the "
          "repository's modeling files; diffusers custom_pipeline and sentence-transformers modules likewise",
          kTransformersDyn},
         {"trust_remote_code=None: resolves to False when the library has the class, else prompts", kTransformersDyn},
         {"Prompts \"Do you wish to run the custom code? [y/N]\" on a terminal (15 s timeout); raises without one; "
          "warns when new code files were downloaded with no revision",
          kTransformersDyn},
         {"No: an auto_map entry \"repo--module.Class\" loads the other repository at code_revision (default: its "
          "default branch), not at the model's revision",
          kTransformersCustom},
     }},
    {"opencsg",
     "OpenCSG",
     {
         {"Open uploads via Git or web", kOpenCsg},
         {"Community trust", kPaper},
         {"None documented", kPaper},
         {"None documented", kPaper},
         {"Documentation (community guidelines)", kOpenCsg},
         {"pycsghub downloads the snapshot, then transformers from_pretrained on the local folder: the same auto_map "
          "remote code as Hugging Face; CSGHub adds no mechanism of its own",
          kCsgSdk},
         {"transformers' trust_remote_code=None (prompt), naming the local folder", kCsgSdk},
         {"transformers' prompt only", kCsgSdk},
         {"No: as transformers (code_revision, default branch of the other repository)", kTransformersDyn},
     }},
    {"modelscope",
     "ModelScope",
     {
         {"No platform-level automated scanning documented", kPaper},
         {"Trust-all (no verification)", kPaper},
         {"None: no platform-level scanning", kPaper},
         {"Post-download trust_remote_code warnings only", kModelScopeWarn},
         {"Documentation, trust_remote_code parameter", kModelScope},
         {"configuration.json plugins (pip install, then import) and allow_remote (imports every .py file); .py "
          "configurations executed; transformers auto_map through the patched Auto classes",
          kModelScope},
         {"trust_remote_code=False since 1.27/1.28.1 (plugins) and 1.37.0 (allow_remote); forced True for models "
          "under an iic/ or damo/ folder; honoured ungated before 1.28.1",
          kModelScopePlugins},
         {"Logs a warning when it runs remote code (since 1.22.1); no prompt of its own", kModelScopeWarn},
         {"No: cross-repository auto_map code is fetched from ModelScope's default revision, then transformers' rules",
          kModelScope},
     }},
    {"openmmlab",
     "OpenMMLab",
     {
         {"Maintainer pull-request review", kPaper},
         {"Verify-first", kPaper},
         {"None documented", kPaper},
         {"None documented", kPaper},
         {"Documentation (reviewed code)", kPaper},
         {"Config.fromfile executes .py configurations (and their _base_ chain); custom_imports imports modules; "
          "checkpoints are read with torch.load(weights_only=False)",
          kMmengineConfig},
         {"No trust flag: loading a configuration runs it", kMmengineConfig},
         {"No: neither mmengine nor mim warns; mim downloads Weights without a hash check", kMimDownload},
         {"Not applicable: configurations come from the installed package or the repository at whatever ref was "
          "checked out; _base_ references resolve inside it",
          kMmengineConfig},
     }},
    {"torchhub",
     "PyTorch Hub",
     {
         {"No automated verification", kPaper},
         {"Trust-all with trust_repo parameter", kTorchHubDocs},
         {"None documented", kPaper},
         {"Interactive prompts (trust_repo), deprecation warnings", kTorchHub},
         {"Strong documentation warnings: \"models are programs\"", kTorchHubDocs},
         {"torch.hub.load imports hubconf.py (top-level code runs) and calls the entrypoint; source=\"local\" too",
          kTorchHub},
         {"trust_repo=None: an untrusted repository only gets a UserWarning, then is added to trusted_list",
          kTorchHub},
         {"Warns by default; prompts (y/N) with trust_repo=False or \"check\"; no check at all with source=\"local\"",
          kTorchHub},
         {"Yes for the repository itself (owner/repo:ref); code that hubconf.py loads from other repositories "
          "follows its own refs (often a branch)",
          kTorchHub},
     }},
};

std::string pad(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

std::string md_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

const std::vector<Column>& columns() { return kColumns; }
const std::vector<Platform>& all() { return kPlatforms; }

std::string render_text() {
  std::size_t width = 0;
  for (const auto& c : kColumns) width = std::max(width, c.title.size());
  std::string out;
  for (const auto& p : kPlatforms) {
    out += std::string(p.name) + " (" + std::string(p.id) + ")\n";
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      out += "  " + pad(kColumns[i].title, width) + "  " + std::string(p.cells[i].value) + "\n";
      out += "  " + pad("", width) + "  source: " + std::string(p.cells[i].source) + "\n";
    }
    out += "\n";
  }
  out += "The first five rows of each hub are the paper's Table 6 as published; the last four are modelgate's "
         "loader model (docs/hubs.md).\n";
  return out;
}

std::string render_json() {
  JsonWriter w(true);
  w.begin_object();
  w.key("columns").begin_array();
  for (const auto& c : kColumns) {
    w.begin_object().key("id").value(c.id).key("title").value(c.title).key("table6").value(c.from_paper).end_object();
  }
  w.end_array();
  w.key("platforms").begin_array();
  for (const auto& p : kPlatforms) {
    w.begin_object().key("id").value(p.id).key("name").value(p.name);
    for (std::size_t i = 0; i < kColumns.size(); ++i) {
      w.key(kColumns[i].id).begin_object().key("value").value(p.cells[i].value).key("source").value(p.cells[i].source).end_object();
    }
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take() + "\n";
}

std::string render_markdown() {
  std::string out;
  // Two tables: the paper's five columns, then the loader model; sources as numbered notes.
  std::vector<std::string_view> sources;
  auto note = [&](std::string_view s) {
    auto it = std::find(sources.begin(), sources.end(), s);
    if (it == sources.end()) {
      sources.push_back(s);
      return sources.size();
    }
    return static_cast<std::size_t>(it - sources.begin()) + 1;
  };
  for (int part = 0; part < 2; ++part) {
    const bool paper = part == 0;
    out += paper ? "Table 6 as published (the paper's columns):\n\n" : "\nWhat modelgate's loader model knows:\n\n";
    out += "| Platform |";
    std::string rule = "|---|";
    for (const auto& c : kColumns) {
      if (c.from_paper != paper) continue;
      out += " " + std::string(c.title) + " |";
      rule += "---|";
    }
    out += "\n" + rule + "\n";
    for (const auto& p : kPlatforms) {
      out += "| " + std::string(p.name) + " |";
      for (std::size_t i = 0; i < kColumns.size(); ++i) {
        if (kColumns[i].from_paper != paper) continue;
        out += " " + md_cell(p.cells[i].value) + " [" + std::to_string(note(p.cells[i].source)) + "] |";
      }
      out += "\n";
    }
  }
  out += "\nSources:\n\n";
  for (std::size_t i = 0; i < sources.size(); ++i) out += std::to_string(i + 1) + ". <" + std::string(sources[i]) + ">\n";
  return out;
}

}  // namespace mg::platforms
