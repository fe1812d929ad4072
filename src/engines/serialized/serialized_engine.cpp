#include "engines/serialized/serialized_engine.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "core/text.hpp"
#include "engines/serialized/archive_io.hpp"
#include "formats/chat_template.hpp"
#include "formats/gguf.hpp"
#include "formats/hdf5_configs.hpp"
#include "formats/json_guard.hpp"
#include "formats/keras.hpp"
#include "formats/npy.hpp"
#include "formats/onnx.hpp"
#include "formats/pickle.hpp"
#include "formats/pickle_policy.hpp"
#include "formats/safetensors.hpp"
#include "formats/tar_reader.hpp"
#include "formats/zip_reader.hpp"
#include "platform/sniff.hpp"

namespace mg {

namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::string_view kHandled[] = {
    "pickle", "pytorch-zip", "pytorch-legacy", "torchscript", "numpy", "numpy-object", "joblib",
    "safetensors", "gguf", "zip", "tar", "7z", "keras", "onnx",
};

constexpr int kMaxContainerDepth = 4;

std::string hex_offset(std::uint64_t v) {
  static const char* h = "0123456789abcdef";
  std::string s;
  do {
    s.insert(s.begin(), h[v & 15]);
    v >>= 4;
  } while (v);
  return "0x" + s;
}

std::string_view text_of(Bytes b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

// Bytes per element of torch's typed storages (UntypedStorage counts bytes).
std::uint64_t storage_element_size(std::string_view type) {
  static constexpr std::pair<std::string_view, std::uint64_t> kSizes[] = {
      {"Float", 4}, {"Double", 8}, {"Half", 2}, {"BFloat16", 2}, {"Long", 8}, {"Int", 4}, {"Short", 2},
      {"Char", 1}, {"Byte", 1}, {"Bool", 1}, {"ComplexFloat", 8}, {"ComplexDouble", 16}, {"QInt8", 1},
      {"QUInt8", 1}, {"QInt32", 4}, {"QUInt4x2", 1}, {"QUInt2x4", 1}, {"Untyped", 1},
      {"Float8_e4m3fn", 1}, {"Float8_e5m2", 1},
  };
  const auto dot = type.rfind('.');
  std::string_view n = dot == std::string_view::npos ? type : type.substr(dot + 1);
  if (n.size() > 7 && n.substr(n.size() - 7) == "Storage") n.remove_suffix(7);
  for (auto [name, size] : kSizes) {
    if (name == n) return size;
  }
  return 0;
}

// One file of the snapshot being scanned, and what it has produced so far.
class FileScan {
 public:
  FileScan(const EngineContext& ctx, EngineOutput& out, std::string file, Reach reach, std::string format)
      : ctx_(ctx), out_(out), file_(std::move(file)), reach_(reach), format_(std::move(format)) {}

  bool complete() const { return complete_; }

  // Dispatch on content, never on the name (model-formats.md C1, C6, C10).
  void scan(std::string_view where, Bytes b, int depth) {
    if (depth > kMaxContainerDepth) {
      incomplete(where, "containers nested deeper than " + std::to_string(kMaxContainerDepth));
      return;
    }
    if (b.size() >= 4 && (std::memcmp(b.data(), "PK\x03\x04", 4) == 0 || std::memcmp(b.data(), "PK\x05\x06", 4) == 0)) {
      scan_zip(where, b, depth);
    } else if (npy::is_npy(b)) {
      scan_npy(where, b);
    } else if (gguf::is_gguf(b)) {
      scan_gguf(where, b);
    } else if (b.size() >= 6 && std::memcmp(b.data(), "7z\xBC\xAF\x27\x1C", 6) == 0) {
      scan_7z(where, b, depth);
    } else if (tar::is_tar(b)) {
      scan_tar(where, b, depth);
    } else if (safetensors::looks_like_safetensors(b)) {
      // Before pickles: a header length such as 640 starts with the bytes of PROTO 2.
      scan_safetensors(where, b);
    } else if (pickle::has_proto_magic(b) || pickle::looks_like_pickle(b) || pickle::starts_like_pickle(b)) {
      scan_pickle(where, b, format_ == "pytorch-legacy" && where.empty() ? 5 : 0);
    } else if (!serialized::compression_of(b).empty() &&
               ((where.empty() && (format_ == "joblib" || compressed_name(file_))) || compressed_name(where))) {
      scan_compressed(where, b, depth);
    } else if (where.empty() && format_ == "onnx") {
      scan_onnx(b);
    } else if (where.empty() && !format_.empty()) {
      incomplete(where, "content does not match the " + format_ + " format it was detected as");
    }
  }

  // Legacy Keras .h5: the configs are checked, the rest of the HDF5 file is not (the pipeline keeps
  // the file incomplete because the engine does not claim the format).
  void scan_hdf5_configs(std::string_view where, Bytes b) {
    for (auto cfg : hdf5::keras_json_configs(b, ctx_.limits.max_config_bytes)) {
      scan_keras_config(std::string(label(where)) + "model_config",
                        Bytes(reinterpret_cast<const std::uint8_t*>(cfg.data()), cfg.size()));
    }
    for (const auto& link : hdf5::external_links(b)) {
      Finding f = make_finding("SZ404", file_, label(where) + "external link to '" + link +
                                                   "': following it opens a file outside the model (CVE-2026-1669)");
      f.snippet = link;
      add(std::move(f), Reach::yes);
    }
  }

  void scan_template_text(std::string_view where, std::string_view text, std::uint32_t line_base) {
    for (const auto& hit : chat_template::check(text)) {
      const bool inj = hit.risk == chat_template::Risk::injection;
      const std::string id = inj ? "SZ503" : "SZ504";
      if (!once(id + std::string(where))) continue;
      Finding f = make_finding(id, file_, std::string(label(where)) + "chat template uses '" + hit.pattern +
                                              "': rendered by an unsandboxed Jinja environment (llama-cpp-python < 0.2.72, "
                                              "CVE-2024-34359) this runs Python");
      f.line = line_base ? line_base : static_cast<std::uint32_t>(hit.line);
      f.snippet = excerpt(text, hit.offset);
      add(std::move(f), Reach::unknown);
    }
  }

  void incomplete(std::string_view where, const std::string& reason) {
    complete_ = false;
    out_.incomplete.push_back({file_, std::string(label(where)) + reason});
  }

 private:
  std::string label(std::string_view where) const { return where.empty() ? std::string() : std::string(where) + ": "; }

  static bool compressed_name(std::string_view name) {
    const std::string l = to_lower(name);
    for (const char* ext : {".joblib", ".z", ".gz", ".bz2", ".xz", ".lzma", ".pkl", ".pickle", ".sav", ".dat"}) {
      if (ends_with(l, ext)) return true;
    }
    return false;
  }

  static std::string excerpt(std::string_view text, std::size_t at) {
    const std::size_t begin = at > 40 ? at - 40 : 0;
    std::string s(text.substr(begin, 120));
    std::replace(s.begin(), s.end(), '\n', ' ');
    return sanitize_utf8(s);
  }

  bool once(const std::string& key) { return seen_.insert(key).second; }

  void add(Finding f, Reach reach) {
    // Only a deserialization point is loaded for certain; anything else might be.
    f.load_reachable = (reach_ == Reach::yes && reach == Reach::yes) ? Reach::yes : Reach::unknown;
    f.message = sanitize_utf8(f.message);
    f.snippet = sanitize_utf8(f.snippet);
    out_.findings.push_back(std::move(f));
  }

  // ---------------------------------------------------------------- pickle
  void scan_pickle(std::string_view where, Bytes b, std::uint32_t stacked) {
    pickle::PickleLimits lim;
    lim.max_stacked = stacked;
    auto rep = pickle::analyze(b, lim);
    report_pickle(where, rep);
    last_storages_ = std::move(rep.storages);
  }

  void report_pickle(std::string_view where, const pickle::PickleReport& rep) {
    const std::string at = label(where);
    for (const auto& g : rep.globals) {
      const bool only_instantiated = g.new_count > 0 && g.call_count == 0 && g.build_count == 0;
      const auto c = pickle::classify_global(g.module, g.name, !only_instantiated);
      if (c.verdict == pickle::Verdict::allowed) continue;
      const bool dangerous = c.verdict == pickle::Verdict::dangerous;
      const std::string id = dangerous ? "SZ201" : "SZ202";
      const std::string dotted = g.module + "." + g.name;
      if (!once(id + at + dotted)) continue;
      std::string msg = at + g.opcode + " at offset " + hex_offset(g.offset) + " imports " + dotted + " (" + c.reason + ")";
      if (g.call_count) msg += "; called " + std::to_string(g.call_count) + "x, first at offset " + hex_offset(g.first_call_offset);
      else if (g.new_count) msg += "; instantiated " + std::to_string(g.new_count) + "x";
      msg += dangerous ? "; unpickling runs it" : "; not on the allowlist of what checkpoints need (fail closed)";
      Finding f = make_finding(id, file_, std::move(msg));
      f.snippet = g.first_call.empty() ? dotted : g.first_call;
      add(std::move(f), Reach::yes);
    }
    std::map<std::string, int> per_rule;
    for (const auto& a : rep.anomalies) {
      std::string id;
      switch (a.kind) {
        case pickle::AnomalyKind::dynamic_global: id = "SZ203"; break;
        case pickle::AnomalyKind::indirect_call:
        case pickle::AnomalyKind::build_on_global: id = "SZ204"; break;
        case pickle::AnomalyKind::ext_opcode: id = "SZ205"; break;
        case pickle::AnomalyKind::frame_violation:
        case pickle::AnomalyKind::stack_underflow:
        case pickle::AnomalyKind::missing_memo:
        case pickle::AnomalyKind::duplicate_proto:
        case pickle::AnomalyKind::hidden_global: id = "SZ206"; break;
        case pickle::AnomalyKind::nested_pickle: continue;
      }
      if (++per_rule[id] > 5) continue;
      Finding f = make_finding(id, file_, at + std::string(pickle::to_string(a.kind)) + " at offset " + hex_offset(a.offset) + ": " + a.detail);
      f.snippet = a.detail.substr(0, 160);
      add(std::move(f), Reach::yes);
    }
    if (!rep.complete) {
      incomplete(where, "pickle " + rep.incomplete_reason + " at offset " + hex_offset(rep.error_offset) +
                            (rep.globals.empty() ? "" : " (imports before that point are reported)"));
    }
  }

  // ---------------------------------------------------------------- containers
  void scan_zip(std::string_view where, Bytes b, int depth) {
    zip::ZipLimits zl;
    zl.max_members = ctx_.limits.max_archive_members;
    zl.max_member_bytes = ctx_.limits.max_archive_member_bytes;
    zl.max_total_inflated = ctx_.limits.max_archive_total_bytes;
    zl.max_ratio = ctx_.limits.max_compression_ratio;
    auto ar = zip::read_archive(b, zl);
    if (!ar) {
      incomplete(where, "zip: " + ar.error().message);
      return;
    }
    const std::string at = label(where);
    int n = 0;
    for (const auto& a : ar->anomalies) {
      if (++n > 5) break;
      Finding f = make_finding("SZ301", file_, at + a);
      f.snippet = a.substr(0, 160);
      add(std::move(f), Reach::yes);
    }
    bool has_config = false;
    std::vector<std::string> code_files;
    bool constants = false;
    std::uint64_t inflated_total = 0;
    std::vector<std::pair<std::string, std::vector<pickle::StorageRef>>> storage_refs;
    for (const auto& m : ar->members) {
      if (m.name.empty() || m.name.back() == '/') continue;
      if (m.name.find("code/") != std::string::npos && (ends_with(m.name, ".py") || ends_with(m.name, ".pkl") || ends_with(m.name, ".debug_pkl"))) {
        if (ends_with(m.name, ".py") && code_files.size() < 8) code_files.push_back(m.name);
      }
      if (basename(m.name) == "constants.pkl") constants = true;
      if (m.name == "config.json") has_config = true;
      std::vector<std::uint8_t> storage;
      auto bytes = zip::member_bytes(b, m, storage, zl);
      const std::string inner = where.empty() ? m.name : std::string(where) + "/" + m.name;
      const bool encrypted = ((m.flags | m.local_flags) & 0x41u) != 0;  // bit 0, bit 6: (strong) encryption
      if (!bytes) {
        incomplete(inner, (encrypted ? "member is encrypted (password-protected); its contents were not analysed: " : "") +
                              bytes.error().message);
        continue;
      }
      inflated_total += storage.size();
      if (inflated_total > zl.max_total_inflated) {
        incomplete(where, "zip inflates past the total limit");
        return;
      }
      const Bytes mb = *bytes;
      // torch ignores the flag, so bytes that read as plain are scanned (C3); bytes that are no
      // format at all are ciphertext, which nothing here can read.
      if (encrypted && sniff_format(mb, m.name).empty() && !pickle::looks_like_pickle(mb)) {
        incomplete(inner, "member is encrypted (password-protected); its contents were not analysed");
        continue;
      }
      const bool is_pickle = pickle::has_proto_magic(mb) || pickle::looks_like_pickle(mb) || ends_with(m.name, ".pkl");
      if (is_pickle && !zip::crc_matches(mb, m.crc)) {
        Finding f = make_finding("SZ302", file_, label(inner) + "CRC-32 does not match the header: strict readers refuse "
                                                                "the member, PyTorch loads it");
        f.snippet = m.name;
        add(std::move(f), Reach::yes);
      }
      if (m.name == "config.json" && has_config) {
        scan_keras_config(inner, mb);
        continue;
      }
      if (hdf5::is_hdf5(mb)) {
        scan_hdf5_configs(inner, mb);
        incomplete(inner, "HDF5 inside the archive: configs and external links are checked, datasets and external "
                          "storage are not (model-formats.md F12)");
        continue;
      }
      last_storages_.clear();
      scan(inner, mb, depth + 1);
      if (basename(m.name) == "data.pkl" && !last_storages_.empty()) {
        storage_refs.emplace_back(std::string(dirname(m.name)), std::move(last_storages_));
      }
    }
    check_storages(where, *ar, storage_refs);
    if (!code_files.empty() || (constants && !code_files.empty())) {
      std::string list;
      for (const auto& c : code_files) list += (list.empty() ? "" : ", ") + c;
      Finding f = make_finding("SZ303", file_, at + "TorchScript archive with code: " + list +
                                                   "; torch.jit.load compiles and runs it, and torch <= 2.5.1 did so even "
                                                   "under weights_only=True (CVE-2025-32434)");
      f.snippet = code_files.front();
      add(std::move(f), Reach::yes);
    }
  }

  // Each storage data.pkl asks for must be exactly numel x element size bytes: loaders that trust the
  // declared count read or write past the buffer (CVE-2026-24747).
  void check_storages(std::string_view where, const zip::Archive& ar,
                      const std::vector<std::pair<std::string, std::vector<pickle::StorageRef>>>& refs) {
    if (refs.empty()) return;
    std::map<std::string, std::uint64_t> sizes;
    for (const auto& m : ar.members) sizes.emplace(m.name, m.size);
    int reported = 0;
    std::set<std::string> checked;
    for (const auto& [prefix, storages] : refs) {
      for (const auto& st : storages) {
        const std::string member = (prefix.empty() ? std::string() : prefix + "/") + "data/" + st.key;
        if (!checked.insert(member).second) continue;
        const auto it = sizes.find(member);
        const std::uint64_t el = storage_element_size(st.type);
        std::uint64_t want = 0;
        if (it == sizes.end() || el == 0 || st.numel < 0) continue;
        if (__builtin_mul_overflow(static_cast<std::uint64_t>(st.numel), el, &want) || want != it->second) {
          if (++reported > 5) return;
          Finding f = make_finding("SZ304", file_, label(where) + member + ": " + st.type + " declares " +
                                                       std::to_string(st.numel) + " elements (" + std::to_string(want) +
                                                       " bytes) but the member holds " + std::to_string(it->second) + " bytes");
          f.snippet = member;
          add(std::move(f), Reach::yes);
        }
      }
    }
  }

  void scan_tar(std::string_view where, Bytes b, int depth) {
    auto members = tar::list(b, ctx_.limits.max_archive_members);
    if (!members) {
      incomplete(where, "tar: " + members.error().message);
      return;
    }
    for (const auto& m : *members) {
      if (m.type != '0' && m.type != '7') continue;
      const std::string inner = where.empty() ? m.name : std::string(where) + "/" + m.name;
      scan(inner, b.subspan(m.offset, m.size), depth + 1);
    }
  }

  void scan_7z(std::string_view where, Bytes b, int depth) {
    serialized::DecompressLimits dl{ctx_.limits.max_archive_member_bytes, ctx_.limits.max_compression_ratio};
    auto entries = serialized::read_7z(b, dl, ctx_.limits.max_archive_members);
    if (!entries) {
      incomplete(where, entries.error().message);
      return;
    }
    for (const auto& e : *entries) {
      const std::string inner = where.empty() ? e.name : std::string(where) + "/" + e.name;
      if (e.truncated) incomplete(inner, "7z member larger than the limit");
      else scan(inner, Bytes(e.bytes.data(), e.bytes.size()), depth + 1);
    }
  }

  void scan_compressed(std::string_view where, Bytes b, int depth) {
    serialized::DecompressLimits dl{ctx_.limits.max_archive_member_bytes, ctx_.limits.max_compression_ratio};
    auto raw = serialized::decompress(b, dl);
    if (!raw) {
      incomplete(where, serialized::compression_of(b) + ": " + raw.error().message);
      return;
    }
    const Bytes rb(raw->data(), raw->size());
    if (pickle::has_proto_magic(rb) || pickle::looks_like_pickle(rb)) {
      scan_pickle(where, rb, 0);
    } else {
      scan(where, rb, depth + 1);
    }
  }

  // ---------------------------------------------------------------- numpy
  void scan_npy(std::string_view where, Bytes b) {
    auto h = npy::read_header(b);
    if (!h) {
      incomplete(where, h.error().message);
      return;
    }
    if (!h->object_dtype) return;
    Finding f = make_finding("SZ306", file_, label(where) + "object array (descr " + h->descr +
                                                 "): numpy.load needs allow_pickle=True and unpickles the data");
    f.snippet = h->descr;
    add(std::move(f), Reach::yes);
    if (h->data_offset < b.size()) scan_pickle(where, b.subspan(h->data_offset), 1);
    else incomplete(where, "object array without data");
  }

  // ---------------------------------------------------------------- keras
  void scan_keras_config(std::string_view where, Bytes b) {
    if (b.size() > ctx_.limits.max_config_bytes) {
      incomplete(where, "config.json larger than the limit");
      return;
    }
    const auto rep = keras::check_config(text_of(b), ctx_.limits.max_json_depth);
    if (!rep.parsed) {
      incomplete(where, rep.error);
      return;
    }
    for (const auto& h : rep.hits) {
      std::string id;
      switch (h.risk) {
        case keras::KerasRisk::lambda_layer: id = "SZ401"; break;
        case keras::KerasRisk::foreign_callable:
        case keras::KerasRisk::unsafe_keras_call:
        case keras::KerasRisk::torch_module: id = "SZ402"; break;
        case keras::KerasRisk::external_path: id = "SZ403"; break;
      }
      Finding f = make_finding(id, file_, label(where) + h.path + ": " + h.detail);
      if (id == "SZ402" && !h.critical) f.severity = Severity::high;
      f.snippet = h.detail.substr(0, 160);
      add(std::move(f), Reach::yes);
    }
  }

  // ---------------------------------------------------------------- safetensors, gguf, onnx
  void scan_safetensors(std::string_view where, Bytes b) {
    const auto rep = safetensors::validate(b);
    if (!rep.header_parsed && !rep.problems.empty()) {
      Finding f = make_finding("SZ501", file_, label(where) + rep.problems.front());
      f.snippet = rep.problems.front();
      add(std::move(f), Reach::yes);
      incomplete(where, "safetensors header unreadable: " + rep.problems.front());
      return;
    }
    int n = 0;
    for (const auto& p : rep.problems) {
      if (++n > 5) break;
      Finding f = make_finding("SZ501", file_, label(where) + p);
      f.snippet = p;
      add(std::move(f), Reach::yes);
    }
    for (const auto& s : safetensors::suspicious_metadata(rep)) {
      Finding f = make_finding("SZ502", file_, label(where) + "__metadata__ " + s);
      f.snippet = s.substr(0, 160);
      add(std::move(f), Reach::yes);
    }
  }

  void scan_gguf(std::string_view where, Bytes b) {
    const auto rep = gguf::read(b);
    for (const auto& [key, text] : rep.templates) {
      scan_template_text(std::string(label(where)) + key, text, 0);
    }
    int n = 0;
    for (const auto& p : rep.problems) {
      if (++n > 5) break;
      Finding f = make_finding("SZ505", file_, label(where) + p);
      f.snippet = p;
      add(std::move(f), Reach::yes);
    }
    if (!rep.complete) incomplete(where, "GGUF header: " + rep.error);
  }

  void scan_onnx(Bytes b) {
    const auto rep = onnx::read(b);
    if (!rep.parsed) {
      incomplete("", "ONNX: " + rep.error);
      return;
    }
    for (const auto& loc : rep.external_locations) {
      if (!onnx::location_escapes(loc) || !once("SZ506" + loc)) continue;
      Finding f = make_finding("SZ506", file_, "external_data location '" + loc +
                                                   "' leaves the model directory: the runtime reads that file into a tensor");
      f.snippet = loc;
      add(std::move(f), Reach::yes);
    }
    for (const auto& d : rep.custom_domains) {
      Finding f = make_finding("SZ507", file_, "operator domain '" + d +
                                                   "' is not a standard ONNX domain: loading needs a custom-op library (native code)");
      f.snippet = d;
      add(std::move(f), Reach::yes);
    }
  }

  const EngineContext& ctx_;
  EngineOutput& out_;
  std::string file_;
  Reach reach_;
  std::string format_;
  bool complete_ = true;
  std::set<std::string> seen_;
  std::vector<pickle::StorageRef> last_storages_;  // of the last pickle scanned (torch zip cross-check)
};



bool is_template_file(std::string_view path) {
  const auto base = basename(path);
  return base == "tokenizer_config.json" || base == "chat_template.jinja" || base == "chat_template.json" ||
         base == "processor_config.json" || ends_with(base, ".jinja");
}

void scan_template_file(const EngineContext& ctx, EngineOutput& out, const FileEntry& f) {
  if (f.size > ctx.limits.max_config_bytes) return;
  auto blob = ctx.read(f);
  if (!blob) return;
  const std::string_view text = (*blob)->text();
  FileScan scan(ctx, out, f.path, Reach::unknown, "");
  if (ends_with(f.path, ".jinja")) {
    scan.scan_template_text("", text, 0);
    return;
  }
  if (text.find("chat_template") == std::string_view::npos) return;
  if (!json_depth_within(text, ctx.limits.max_json_depth)) {
    scan.incomplete("", "JSON nests deeper than the limit");
    return;
  }
  const auto doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return;
  auto it = doc.find("chat_template");
  if (it == doc.end()) return;
  // A template is a string, or a list of {"name", "template"}.
  auto line_of = [&](const std::string& t) {
    const auto at = text.find(t.substr(0, std::min<std::size_t>(t.size(), 16)));
    return at == std::string_view::npos ? 0u : static_cast<std::uint32_t>(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  };
  if (it->is_string()) {
    const auto t = it->get<std::string>();
    scan.scan_template_text("chat_template", t, line_of(t));
  } else if (it->is_array()) {
    for (const auto& e : *it) {
      if (e.is_object() && e.contains("template") && e["template"].is_string()) {
        const auto t = e["template"].get<std::string>();
        const auto name = e.find("name");
        const std::string label = (name != e.end() && name->is_string()) ? name->get<std::string>() : "?";
        scan.scan_template_text("chat_template[" + label + "]", t, line_of(t));
      }
    }
  }
}

// Vocabularies and sources can start with "c<word>\n<word>\n" by chance; broken-pickle probing
// skips them (complete pickles are still recognised by their STOP).
bool is_text_name(std::string_view path) {
  const std::string l = to_lower(path);
  for (const char* ext : {".txt", ".json", ".md", ".py", ".yaml", ".yml", ".jinja", ".csv", ".tsv", ".cfg", ".toml"}) {
    if (ends_with(l, ext)) return true;
  }
  return false;
}

class SerializedEngine final : public Engine {
 public:
  std::string_view name() const override { return "serialized"; }

  bool handles_format(std::string_view format) const override {
    return std::find(std::begin(kHandled), std::end(kHandled), format) != std::end(kHandled);
  }

  void run(const EngineContext& ctx, EngineOutput& out) const override {
    std::set<std::string> planned;
    for (const auto& point : ctx.plan.deserialization) {
      if (point.format == "hdf5" && planned.insert(point.file).second) {
        if (const FileEntry* f = ctx.snapshot.find(point.file)) {
          if (auto blob = ctx.read(*f); blob && hdf5::is_hdf5((*blob)->bytes())) {
            FileScan(ctx, out, point.file, Reach::yes, point.format).scan_hdf5_configs("", (*blob)->bytes());
          }
        }
        continue;
      }
      if (!handles_format(point.format) || !planned.insert(point.file).second) continue;
      const FileEntry* f = ctx.snapshot.find(point.file);
      if (!f) continue;
      auto blob = ctx.read(*f);
      if (!blob) {
        out.incomplete.push_back({point.file, "cannot read: " + blob.error().message});
        continue;
      }
      FileScan scan(ctx, out, point.file, Reach::yes, point.format);
      scan.scan("", (*blob)->bytes(), 0);
      if (scan.complete()) out.analysed_files.push_back(point.file);
    }
    // Pickles the platform sniffing did not route (PROTO-less streams, odd names), and templates.
    for (const auto& f : ctx.snapshot.files) {
      if (is_template_file(f.path)) scan_template_file(ctx, out, f);
      if (planned.count(f.path) || f.size < 4) continue;
      auto blob = ctx.read(f);
      if (!blob) continue;
      const Bytes b = (*blob)->bytes();
      const Bytes head = b.subspan(0, std::min<std::size_t>(b.size(), 1u << 20));
      const bool zip = b.size() >= 4 && std::memcmp(b.data(), "PK\x03\x04", 4) == 0;
      if (!zip && !pickle::has_proto_magic(b) && !pickle::looks_like_pickle(head) &&
          (is_text_name(f.path) || !pickle::starts_like_pickle(head))) {
        continue;
      }
      FileScan scan(ctx, out, f.path, Reach::unknown, zip ? "zip" : "pickle");
      scan.scan("", b, 0);
    }
  }
};

}  // namespace

std::unique_ptr<Engine> make_serialized_engine() { return std::make_unique<SerializedEngine>(); }

}  // namespace mg
