// Trigger detection per kind, positive and negative, on small repositories built in the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "pipeline/scan.hpp"
#include "../support/temp_repo.hpp"

namespace {

using mg::test::TempRepo;

mg::TargetReport scan_one(const TempRepo& repo) {
  auto report = mg::scan({repo.path()}, mg::ScanOptions{});
  EXPECT_EQ(report.targets.size(), 1u);
  return report.targets.at(0);
}

std::vector<std::string> trigger_keys(const mg::TargetReport& r) {
  std::vector<std::string> keys;
  for (const auto& t : r.plan.triggers) keys.push_back(t.file + "|" + t.key + "|" + t.module + "|" + t.symbol + "|" + t.remote_repo);
  std::sort(keys.begin(), keys.end());
  return keys;
}

bool has_finding(const mg::TargetReport& r, std::string_view rule) {
  return std::any_of(r.findings.begin(), r.findings.end(), [&](const mg::Finding& f) { return f.rule_id == rule; });
}

const std::string kPy = "class X:\n    pass\n";

TEST(Transformers, LegacyBareListTokenizerAutoMap) {
  TempRepo repo({{"tokenizer_config.json", R"({"auto_map": ["tok.Slow", "tok.Fast"]})"}, {"tok.py", kPy}});
  EXPECT_EQ(trigger_keys(scan_one(repo)), (std::vector<std::string>{"tokenizer_config.json|auto_map[0]|tok.py|Slow|",
                                                                    "tokenizer_config.json|auto_map[1]|tok.py|Fast|"}));
}

TEST(Transformers, ProcessorAndVideoProcessorConfigs) {
  TempRepo repo({{"preprocessor_config.json", R"({"auto_map": {"AutoImageProcessor": "img.Proc"}})"},
                 {"processor_config.json", R"({"auto_map": {"AutoProcessor": ["org/code--proc.P", null]}})"},
                 {"video_preprocessor_config.json", R"({"auto_map": {"AutoVideoProcessor": "vid.V"}})"},
                 {"img.py", kPy},
                 {"vid.py", kPy}});
  const auto r = scan_one(repo);
  EXPECT_EQ(trigger_keys(r), (std::vector<std::string>{"preprocessor_config.json|auto_map.AutoImageProcessor|img.py|Proc|",
                                                       "processor_config.json|auto_map.AutoProcessor[0]|proc.py|P|org/code",
                                                       "video_preprocessor_config.json|auto_map.AutoVideoProcessor|vid.py|V|"}));
  EXPECT_TRUE(has_finding(r, "LD102"));
}

TEST(Transformers, CustomPipelineImpl) {
  TempRepo repo({{"config.json", R"({"custom_pipelines": {"pair-classification": {"impl": "pair_pipe.PairPipeline", "pt": ["AutoModel"]}}})"},
                 {"pair_pipe.py", kPy}});
  EXPECT_EQ(trigger_keys(scan_one(repo)),
            (std::vector<std::string>{"config.json|custom_pipelines.pair-classification.impl|pair_pipe.py|PairPipeline|"}));
}

TEST(Transformers, GenerationConfigAutoMapIsNotDispatched) {
  TempRepo repo({{"generation_config.json", R"({"auto_map": {"AutoModel": "m.M"}})"}, {"m.py", kPy}});
  const auto r = scan_one(repo);
  EXPECT_TRUE(r.plan.triggers.empty());
  EXPECT_FALSE(r.verdict.has_value());
}

TEST(Transformers, ConfigWithoutAutoMapHasNoTrigger) {
  TempRepo repo({{"config.json", R"({"model_type": "bert", "architectures": ["BertModel"]})"}, {"modeling_bert.py", kPy}});
  const auto r = scan_one(repo);
  EXPECT_TRUE(r.plan.triggers.empty());
  EXPECT_FALSE(r.plan.paper.custom_code_tag);
  EXPECT_EQ(r.plan.paper.prefixed_files, std::vector<std::string>{"modeling_bert.py"});  // the paper's criterion still fires
}

TEST(Transformers, MissingModuleIsReported) {
  TempRepo repo({{"config.json", R"({"auto_map": {"AutoModel": "modeling_gone.M"}})"}});
  EXPECT_TRUE(has_finding(scan_one(repo), "LD110"));
}

TEST(Transformers, RelativeImportClosureFollowsTransformersRules) {
  TempRepo repo({{"config.json", R"({"auto_map": {"AutoModel": "modeling_a.A"}})"},
                 {"modeling_a.py", "from .b import x\nimport os\n"},
                 {"b.py", "    from .c import y  # indented still counts\n"},
                 {"c.py", "from .pkg import z\n"},
                 {"pkg/__init__.py", "VALUE = 1\n"},
                 {"unused.py", "from .b import x\n"}});
  const auto r = scan_one(repo);
  EXPECT_EQ(r.plan.module_files, (std::vector<std::string>{"b.py", "c.py", "modeling_a.py", "pkg/__init__.py"}));
}

TEST(Transformers, SubfolderModulePath) {
  TempRepo repo({{"config.json", R"({"auto_map": {"AutoModel": "code/modeling_x.X"}})"}, {"code/modeling_x.py", kPy}});
  EXPECT_EQ(trigger_keys(scan_one(repo)), (std::vector<std::string>{"config.json|auto_map.AutoModel|code/modeling_x.py|X|"}));
}

TEST(Diffusers, CustomPipelineClassAndMissingComponentFile) {
  TempRepo repo({{"model_index.json", R"({"_class_name": ["my_pipeline", "MyPipeline"], "unet": ["nope", "U"], "vae": ["diffusers", "AutoencoderKL"]})"},
                 {"my_pipeline.py", kPy}});
  EXPECT_EQ(trigger_keys(scan_one(repo)), (std::vector<std::string>{"model_index.json|_class_name|my_pipeline.py|MyPipeline|"}));
}

TEST(Diffusers, LibraryComponentsOnlyHaveNoTrigger) {
  TempRepo repo({{"model_index.json", R"({"_class_name": "StableDiffusionPipeline", "unet": ["diffusers", "UNet2DConditionModel"]})"}});
  EXPECT_TRUE(scan_one(repo).plan.triggers.empty());
}

TEST(SentenceTransformers, LibraryModulesHaveNoTrigger) {
  TempRepo repo({{"modules.json", R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"}])"}});
  EXPECT_TRUE(scan_one(repo).plan.triggers.empty());
}

TEST(SentenceTransformers, InstalledModuleOutsideLibrary) {
  TempRepo repo({{"modules.json", R"([{"idx":0,"name":"0","path":"","type":"other_pkg.layers.Pool"}])"}});
  EXPECT_EQ(trigger_keys(scan_one(repo)), (std::vector<std::string>{"modules.json|modules[0].type|other_pkg.layers|Pool|"}));
}

TEST(ModelScope, PluginUrlAndNoAllowRemote) {
  TempRepo repo({{"configuration.json", R"({"framework": "pytorch", "plugins": "https://pkgs.example.invalid/p.whl", "allow_remote": false})"},
                 {"model.py", kPy}});
  const auto r = scan_one(repo);
  EXPECT_EQ(trigger_keys(r), (std::vector<std::string>{"configuration.json|plugins|https://pkgs.example.invalid/p.whl||"}));
  EXPECT_EQ(r.plan.platform, "modelscope");
  EXPECT_EQ(r.verdict, mg::Severity::high);
}

TEST(ModelScope, OwnerDirectoryForcesTrust) {
  TempRepo outer;
  outer.write("iic/some-model/configuration.json", R"({"framework": "pytorch"})");
  auto report = mg::scan({outer.path("iic/some-model")}, mg::ScanOptions{});
  EXPECT_TRUE(has_finding(report.targets.at(0), "LD106"));
  TempRepo other;
  other.write("someone/some-model/configuration.json", R"({"framework": "pytorch"})");
  auto clean = mg::scan({other.path("someone/some-model")}, mg::ScanOptions{});
  EXPECT_FALSE(has_finding(clean.targets.at(0), "LD106"));
}

TEST(MMEngine, PlainPythonModuleIsNotAConfig) {
  TempRepo repo({{"utils.py", "def model():\n    return dict(a=1)\n"}});
  EXPECT_TRUE(scan_one(repo).plan.triggers.empty());
}

// The text test that decides which files are parsed as configs must let every spelling through.
TEST(MMEngine, ConfigSpellingsAllDetected) {
  TempRepo repo({{"a.py", "import os; _base_ = ['b.py']\n"},
                 {"b.py", "\xef\xbb\xbf" "custom_imports=dict(imports=['x.y'])\n"},
                 {"c.py", "model \\\n  = dict (type='Net')\n"},
                 {"d.py", "model: dict = dict(type='Net')\n"},
                 {"e.py", "class D:\n    def __init__(self):\n        self._base_folder = 'x'\n        model = dict(a=1)\n"},
                 {"f.py", "mymodel = dict(type='Net')\nmodel == dict(a=1)\n"}});
  const auto r = scan_one(repo);
  std::vector<std::string> files;
  for (const auto& t : r.plan.triggers) {
    if (t.key == "(python config)") files.push_back(t.file);
  }
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"a.py", "b.py", "c.py", "d.py"}));
}

TEST(MMEngine, BaseChainWithPackageReferenceAndDictLiteralImports) {
  TempRepo repo({{"cfg/a.py", "_base_ = 'b.py'\ncustom_imports = {'imports': ['mmdet.models'], 'allow_failed_imports': False}\n"},
                 {"cfg/b.py", "_base_ = ['mmdet::_base_/default_runtime.py', 'c.py']\n"},
                 {"cfg/c.py", "x = 1\n"}});
  const auto r = scan_one(repo);
  EXPECT_EQ(trigger_keys(r), (std::vector<std::string>{"cfg/a.py|(python config)|cfg/a.py||", "cfg/a.py|custom_imports.imports[0]|mmdet.models||",
                                                       "cfg/b.py|(python config)|cfg/b.py||", "cfg/c.py|(python config)|cfg/c.py||"}));
}

TEST(TorchHub, ModuleBodyOnlyHubconf) {
  TempRepo repo({{"hubconf.py", "dependencies = ['torch']\n_hidden = 1\n"}});
  EXPECT_EQ(trigger_keys(scan_one(repo)), (std::vector<std::string>{"hubconf.py|(module body)|hubconf.py||"}));
}

TEST(TorchHub, NoHubconfNoTrigger) {
  TempRepo repo({{"model.py", "def resnet():\n    pass\n"}});
  EXPECT_TRUE(scan_one(repo).plan.triggers.empty());
}

TEST(ConfigEngine, TrustRemoteCodeKeysInJsonAndYaml) {
  TempRepo repo({{"open_clip_config.json", R"({"model_cfg": {}, "preprocess_cfg": {"tokenizer_kwargs": {"trust_remote_code": true}}})"},
                 {"cfg.yaml", "data:\n  trust_remote_code: True  # needed\n  other: 1\n"},
                 {"off.json", R"({"trust_remote_code": false})"},
                 {"off.yaml", "trust_remote_code: false\n"}});
  const auto r = scan_one(repo);
  std::vector<std::string> files;
  for (const auto& f : r.findings) if (f.rule_id == "CF201") files.push_back(f.file + ":" + std::to_string(f.line));
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"cfg.yaml:2", "open_clip_config.json:1"}));
}

TEST(ConfigEngine, YamlPythonTag) {
  TempRepo repo({{"model_config.yaml", "a: 1\nb: !!python/object/apply:os.system ['echo canary > /tmp/modelgate-canary']\n"},
                 {"safe.yaml", "# !!python/object is only mentioned in a comment\nc: 2\n"},
                 // Plain-value tags construct nothing a loader calls.
                 {"joints.yaml", "left_elbow: !!python/tuple\n- LeftArm\n- LeftForeArm\nn: !!python/long 3\n"},
                 {"verbatim.yaml", "x: !<tag:yaml.org,2002:python/name:os.system> ''\n"}});
  const auto r = scan_one(repo);
  std::vector<std::string> at;
  for (const auto& f : r.findings) {
    if (f.rule_id == "CF203") at.push_back(f.file + ":" + std::to_string(f.line));
  }
  std::sort(at.begin(), at.end());
  EXPECT_EQ(at, (std::vector<std::string>{"model_config.yaml:2", "verbatim.yaml:1"}));
}

TEST(Deserialization, DetectedByContentNotExtension) {
  const std::string pickle_v2("\x80\x02}q\x00.", 6);
  TempRepo repo({{"weights.txt", pickle_v2 + std::string(8, ' ')},
                 {"model.bin", "just text that is not a pickle at all"},
                 {"old.dat", "(dp0\nS'a'\np1\nI1\ns."},
                 {"arr.npy", std::string("\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", 64)}});
  const auto r = scan_one(repo);
  std::vector<std::string> points;
  for (const auto& d : r.plan.deserialization) points.push_back(d.file + ":" + d.format);
  std::sort(points.begin(), points.end());
  EXPECT_EQ(points, (std::vector<std::string>{"arr.npy:numpy-object", "old.dat:pickle", "weights.txt:pickle"}));
}

TEST(PaperCriteria, EntryAndPrefixedFiles) {
  TempRepo repo({{"config.json", R"({"auto_map": {"AutoModel": "modeling_q.Q"}})"},
                 {"modeling_q.py", kPy},
                 {"tokenizer.py", kPy},
                 {"sub/__init__.py", ""},
                 {"configuration_q.py", kPy}});
  const auto r = scan_one(repo);
  EXPECT_TRUE(r.plan.paper.custom_code_tag);
  EXPECT_EQ(r.plan.paper.entry_files, (std::vector<std::string>{"sub/__init__.py", "tokenizer.py"}));
  EXPECT_EQ(r.plan.paper.prefixed_files, (std::vector<std::string>{"configuration_q.py", "modeling_q.py"}));
}

}  // namespace

namespace {

TEST(Deserialization, TrainingStateIsNotReadAtLoad) {
  // A pickle of an object whose class is not on the allow-list: NEWOBJ of TrainingArguments.
  const std::string training_args("\x80\x02" "ctransformers.training_args\nTrainingArguments\n)\x81.", 51);
  TempRepo repo({{"config.json", R"({"model_type": "bert"})"},
                 {"training_args.bin", training_args},
                 {"checkpoint-500/optimizer.pt", training_args},
                 {"pytorch_model.bin", training_args}});
  const auto r = scan_one(repo);
  std::map<std::string, bool> read;
  for (const auto& d : r.plan.deserialization) read[d.file] = d.read_at_load;
  EXPECT_EQ(read, (std::map<std::string, bool>{{"checkpoint-500/optimizer.pt", false}, {"pytorch_model.bin", true}, {"training_args.bin", false}}));
  for (const auto& f : r.findings) {
    if (f.engine != "serialized") continue;
    EXPECT_EQ(f.load_reachable, f.file == "pytorch_model.bin" ? mg::Reach::yes : mg::Reach::no) << f.file << " " << f.rule_id;
  }
  EXPECT_TRUE(has_finding(r, "SZ202"));
}

}  // namespace
