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
#include "formats/hdf5_reader.hpp"
#include "formats/json_guard.hpp"
#include "formats/keras.hpp"
#include "formats/npy.hpp"
#include "formats/onnx.hpp"
#include "formats/pickle.hpp"
#include "formats/pickle_policy.hpp"
#include "formats/safetensors.hpp"
#include "formats/savedmodel.hpp"
#include "formats/skops.hpp"
#include "formats/tar_reader.hpp"
#include "formats/torchscript.hpp"
#include "formats/zip_reader.hpp"
#include "platform/sniff.hpp"

namespace mg {

namespace {

using Bytes = std::span<const std::uint8_t>;

constexpr std::string_view kHandled[] = {
    "pickle", "pytorch-zip", "pytorch-legacy", "torchscript", "numpy", "numpy-object", "joblib",
    "safetensors", "gguf", "zip", "tar", "7z", "keras", "onnx", "hdf5", "tf-savedmodel", "skops",
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
  FileScan(const EngineContext& ctx, EngineOutput& out, std::string file, Reach reach, std::string format,
           const std::set<std::string>* user_allowed = nullptr)
      : ctx_(ctx), out_(out), file_(std::move(file)), reach_(reach), format_(std::move(format)), user_allowed_(user_allowed) {}
  // Identical findings were collapsed into their first one while scanning; its message gets the
  // count and where the next ones were.
  ~FileScan() {
    for (const auto& [key, c] : collapsed_) {
      if (c.count < 2 || c.index >= out_.findings.size()) continue;
      std::string more;
      for (const auto& w : c.next) more += (more.empty() ? "" : ", ") + w;
      out_.findings[c.index].message += "; " + std::to_string(c.count) + " identical findings in this file" +
                                        (more.empty() ? "" : ", the next at " + more) +
                                        (c.count - 1 > c.next.size() ? ", ..." : "");
    }
  }
  FileScan(const FileScan&) = delete;
  FileScan& operator=(const FileScan&) = delete;

  bool complete() const { return complete_; }

  // Dispatch on content, never on the name (model-formats.md C1, C6, C10).
  // `hdf5_done`: the bytes were already read as HDF5; what else they are (a pickle in the user
  // block, say) is what is left to find.
  void scan(std::string_view where, Bytes b, int depth, bool hdf5_done = false) {
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
    } else if (!hdf5_done && hdf5::is_hdf5(b) && scan_hdf5(where, b, depth)) {
      // read as HDF5 (and its user block as whatever it is)
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
    } else if (where.empty() && format_ == "tf-savedmodel") {
      scan_savedmodel(where, b, basename(file_));
    } else if (where.empty() && !format_.empty()) {
      incomplete(where, "content does not match the " + format_ + " format it was detected as");
    }
  }

  // HDF5 (legacy Keras .h5, model.weights.h5): read through libhdf5 in a child process. Keras
  // configs in string attributes, links and storage in other files, and the user block (bytes a
  // pickle or zip reader would see first) are checked; numeric datasets are weights, not code.
  // False when libhdf5 refuses bytes whose signature is not at offset 0: they are then read as
  // whatever else they start like (a signature planted at 512 must not hide a pickle).
  bool scan_hdf5(std::string_view where, Bytes b, int depth) {
    hdf5::ReadLimits hl;
    hl.max_attribute_bytes = ctx_.limits.max_config_bytes;
    const auto c = hdf5::read(b, hl);
    if (!c.opened) {
      if (!(b.size() >= 8 && std::memcmp(b.data(), "\x89HDF\r\n\x1a\n", 8) == 0)) return false;
      // Whatever libhdf5 refused, Keras configs and link messages found in the raw bytes are still checked.
      scan_hdf5_bytes(where, b);
      incomplete(where, "HDF5: " + c.error);
      return true;
    }
    for (const auto& a : c.attributes) {
      const std::string_view v = a.value;
      const bool config = a.name == "model_config" || a.name == "training_config" ||
                          (v.size() > 2 && v.front() == '{' && (v.find("\"class_name\"") != std::string_view::npos ||
                                                                 v.find("\"module\"") != std::string_view::npos));
      if (!config) continue;
      const std::string at = label(where) + (a.object == "/" ? "" : a.object) + "@" + a.name;
      scan_keras_config(at, Bytes(reinterpret_cast<const std::uint8_t*>(v.data()), v.size()),
                        "HDF5 attribute '" + a.name + "' of '" + a.object + "'");
    }
    const auto report = [&](const hdf5::ExternalRef& r, const std::string& what) {
      const std::string shown = r.target.empty() ? r.file : r.file + ":" + r.target;
      Finding f = make_finding("SZ404", file_, label(where) + what + " '" + r.object + "' -> '" + shown +
                                                   "': reading it opens a file outside the model (CVE-2026-1669)");
      f.snippet = shown;
      add(std::move(f), Reach::yes, what + "\n" + shown, label(where) + r.object);
    };
    for (const auto& r : c.external_links) report(r, "external link");
    for (const auto& r : c.external_storage) report(r, "dataset with external storage");
    for (const auto& r : c.virtual_sources) report(r, "virtual dataset mapping");
    if (c.userblock_size > 0) {
      // Readers that start at offset 0 (torch.load, pickle, zip) see the user block first, and may
      // read on past it: the whole file is scanned again as anything but HDF5.
      const Bytes ub = b.subspan(0, std::min<std::uint64_t>(c.userblock_size, b.size()));
      if (std::any_of(ub.begin(), ub.end(), [](std::uint8_t x) { return x != 0; })) {
        scan(label(where) + "user block", b, depth + 1, true);
      }
    }
    if (!c.complete) incomplete(where, "HDF5: " + c.error);
    return true;
  }

  // Without libhdf5's answer: Keras configs and external-link messages found in the raw bytes.
  void scan_hdf5_bytes(std::string_view where, Bytes b) {
    for (auto cfg : hdf5::keras_json_configs(b, ctx_.limits.max_config_bytes)) {
      scan_keras_config(std::string(label(where)) + "model_config",
                        Bytes(reinterpret_cast<const std::uint8_t*>(cfg.data()), cfg.size()),
                        "the Keras config found in the raw HDF5 bytes");
    }
    for (const auto& link : hdf5::external_links(b)) {
      Finding f = make_finding("SZ404", file_, label(where) + "external link to '" + link +
                                                   "': following it opens a file outside the model (CVE-2026-1669)");
      f.snippet = link;
      add(std::move(f), Reach::yes, link);
    }
  }

  // `line_base`: the line the template starts on in the file (0 = the text is the whole file);
  // `multiline`: the template's own newlines are the file's (text files, YAML block scalars).
  void scan_template_text(std::string_view where, std::string_view text, std::uint32_t line_base, bool multiline = false) {
    for (const auto& hit : chat_template::check(text)) {
      const bool inj = hit.risk == chat_template::Risk::injection;
      const std::string id = inj ? "SZ503" : "SZ504";
      if (!once(id + std::string(where))) continue;
      Finding f = make_finding(id, file_, std::string(label(where)) + "chat template uses '" + hit.pattern +
                                              "': rendered by an unsandboxed Jinja environment (llama-cpp-python < 0.2.72, "
                                              "CVE-2024-34359) this runs Python");
      f.line = !line_base ? static_cast<std::uint32_t>(hit.line)
                          : multiline ? line_base + static_cast<std::uint32_t>(hit.line) - 1 : line_base;
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
    for (const char* ext : {".joblib", ".z", ".gz", ".bz2", ".xz", ".lzma", ".lz4", ".pkl", ".pickle", ".sav", ".dat"}) {
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

  // `key` (rule id + what was found, without where): findings with the same key in this file are
  // one finding with a count; `at` says where this occurrence is.
  void add(Finding f, Reach reach, const std::string& key = {}, const std::string& at = {}) {
    if (!key.empty()) {
      auto [it, fresh] = collapsed_.try_emplace(f.rule_id + "\n" + key);
      ++it->second.count;
      if (!fresh) {
        if (it->second.next.size() < 3 && !at.empty()) it->second.next.push_back(at);
        return;
      }
      it->second.index = out_.findings.size();
    }
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
      const std::string dotted = g.module + "." + g.name;
      if (torchscript_ > 0 && pickle::is_torchscript_class(g.module, g.name)) {
        if (torchscript_classes_.size() < 10'000) torchscript_classes_.insert(dotted);
        continue;
      }
      if (torchscript_ > 0 && pickle::is_torchscript_helper(g.module, g.name)) continue;
      // A bytes loader whose every payload was read to the end and holds only allowlisted content
      // loads nothing else (torch.storage._load_from_bytes of an ordinary tensor stream).
      if (pickle::is_bytes_loader(g.module, g.name) && g.call_count > 0 && g.vetted_calls == g.call_count &&
          g.new_count == 0 && g.build_count == 0) {
        continue;
      }
      const auto c = pickle::classify_global(g.module, g.name, !only_instantiated);
      if (c.verdict == pickle::Verdict::allowed) continue;
      if (c.verdict == pickle::Verdict::unknown && user_allowed_ != nullptr && user_allowed_->count(dotted) != 0) continue;
      const bool dangerous = c.verdict == pickle::Verdict::dangerous;
      const std::string id = dangerous ? "SZ201" : "SZ202";
      std::string msg = at + g.opcode + " at offset " + hex_offset(g.offset) + " imports " + dotted + " (" + c.reason + ")";
      if (g.call_count) msg += "; called " + std::to_string(g.call_count) + "x, first at offset " + hex_offset(g.first_call_offset);
      else if (g.new_count) msg += "; instantiated " + std::to_string(g.new_count) + "x";
      if (g.vetted_calls) msg += " (" + std::to_string(g.vetted_calls) + " of the calls load benign bytes)";
      msg += dangerous ? "; unpickling runs it" : "; not on the allowlist of what checkpoints need (fail closed)";
      Finding f = make_finding(id, file_, std::move(msg));
      f.snippet = g.first_call.empty() ? dotted : g.first_call;
      add(std::move(f), Reach::yes, dotted, std::string(where.empty() ? "" : std::string(where) + "@") + hex_offset(g.offset));
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
      add(std::move(f), Reach::yes, std::string(pickle::to_string(a.kind)) + "\n" + a.detail,
          std::string(where.empty() ? "" : std::string(where) + "@") + hex_offset(a.offset));
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
    std::uint64_t code_bytes = 0;
    std::size_t code_count = 0;
    for (const auto& m : ar->members) {
      if (!torchscript::is_code_member(m.name)) continue;
      if (code_files.size() < 8) code_files.push_back(m.name);
      ++code_count;
      code_bytes += m.size;
    }
    // The torchscript_ depth covers this archive's members (nested archives included).
    struct Depth {
      int& d;
      bool on;
      ~Depth() { if (on) --d; }
    } depth_guard{torchscript_, code_count > 0};
    if (code_count > 0) ++torchscript_;
    const std::size_t classes_before = torchscript_classes_.size();
    std::uint64_t inflated_total = 0;
    std::vector<std::pair<std::string, std::vector<pickle::StorageRef>>> storage_refs;
    for (const auto& m : ar->members) {
      if (m.name.empty() || m.name.back() == '/') continue;
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
      // The flags say encrypted or patched but the bytes are plain: the headers lie (C3).
      if (zip::odd_flags(m) != 0) {
        Finding f = make_finding("SZ301", file_, at + "member '" + m.name + "': " + zip::describe_odd_flags(m) +
                                                     " set, but its bytes are plain; strict readers refuse it, PyTorch reads it");
        f.snippet = m.name;
        add(std::move(f), Reach::yes, "flags\n" + m.name);
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
      if (m.name == "schema.json" && (format_ == "skops" || ends_with(to_lower(file_), ".skops"))) {
        scan_skops_schema(inner, mb);
        continue;
      }
      // Zipped SavedModels: the protobufs have no magic, their names say what they are.
      if (const auto base = basename(m.name); base == "saved_model.pb" || base == "keras_metadata.pb") {
        scan_savedmodel(inner, mb, base);
        continue;
      }
      last_storages_.clear();
      scan(inner, mb, depth + 1);
      if (basename(m.name) == "data.pkl" && !last_storages_.empty()) {
        storage_refs.emplace_back(std::string(dirname(m.name)), std::move(last_storages_));
      }
    }
    check_storages(where, *ar, storage_refs);
    if (code_count > 0) {
      std::string list;
      for (const auto& c : code_files) list += (list.empty() ? "" : ", ") + c;
      if (code_count > code_files.size()) list += " and " + std::to_string(code_count - code_files.size()) + " more";
      std::string classes;
      std::size_t shown = 0;
      for (const auto& c : torchscript_classes_) {
        if (++shown > 3) break;
        classes += (classes.empty() ? "" : ", ") + c;
      }
      const std::size_t class_count = torchscript_classes_.size() - std::min(classes_before, torchscript_classes_.size());
      Finding f = make_finding(
          "SZ303", file_,
          at + "TorchScript archive with " + std::to_string(code_count) + " code file(s), " + std::to_string(code_bytes) +
              " bytes of TorchScript source: " + list +
              (class_count ? "; its pickles instantiate " + std::to_string(class_count) + " TorchScript class(es) from that code (" +
                                 classes + (class_count > 3 ? ", ..." : "") + ")"
                           : "") +
              "; torch.jit.load compiles and runs it, and torch <= 2.5.1 did so even under weights_only=True (CVE-2025-32434)");
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
    std::string stopped;
    auto raw = serialized::decompress(b, dl, &stopped);
    if (!raw) {
      incomplete(where, serialized::compression_of(b) + ": " + raw.error().message);
      return;
    }
    // joblib unpickles while it decompresses: what came before a break has run; it is analysed.
    if (!stopped.empty()) {
      incomplete(where, serialized::compression_of(b) + ": " + stopped + "; the " + std::to_string(raw->size()) +
                            " bytes before that point were analysed");
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
  // `what` names the text in messages (a .keras config.json, an HDF5 attribute, SavedModel metadata).
  void scan_keras_config(std::string_view where, Bytes b, const std::string& what = "config.json") {
    if (b.size() > ctx_.limits.max_config_bytes) {
      incomplete(where, what + " is larger than the limit (" + std::to_string(b.size()) + " > " +
                            std::to_string(ctx_.limits.max_config_bytes) + " bytes)");
      return;
    }
    const auto rep = keras::check_config(text_of(b), ctx_.limits.max_json_depth, what);
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
        case keras::KerasRisk::custom_object: id = "SZ405"; break;
      }
      Finding f = make_finding(id, file_, label(where) + h.path + ": " + h.detail);
      if (id == "SZ402" && !h.critical) f.severity = Severity::high;
      f.snippet = h.detail.substr(0, 160);
      add(std::move(f), Reach::yes, h.detail, label(where) + h.path);
    }
  }

  // ---------------------------------------------------------------- skops
  void scan_skops_schema(std::string_view where, Bytes b) {
    if (b.size() > ctx_.limits.max_config_bytes) {
      incomplete(where, "schema.json larger than the limit");
      return;
    }
    const auto rep = skops::read_schema(text_of(b), ctx_.limits.max_json_depth);
    if (!rep.parsed) {
      incomplete(where, rep.error);
      return;
    }
    for (const auto& t : rep.types) {
      if (skops::trusted(t)) continue;
      const bool call = t.loader == "FunctionNode" || t.loader == "MethodNode";
      const auto c = pickle::classify_global(t.module.empty() ? "?" : t.module, t.name.empty() ? "?" : t.name, call);
      const bool dangerous = c.verdict == pickle::Verdict::dangerous;
      const std::string dotted = t.module + "." + t.name;
      Finding f = make_finding("SZ701", file_, label(where) + t.path + ": " + t.loader + " " + dotted + " (" + c.reason +
                                                   "): outside the types skops trusts; loading it needs trusted=[...]" +
                                                   (dangerous ? ", and building it runs that callable" : ""));
      f.severity = dangerous ? Severity::critical : Severity::medium;
      f.snippet = dotted;
      add(std::move(f), Reach::yes, t.loader + "\n" + dotted, label(where) + t.path);
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

  // ---------------------------------------------------------------- TensorFlow SavedModel
  // saved_model.pb: every op of the graph and its function library; keras_metadata.pb: the Keras
  // configs of every layer. fingerprint.pb holds hashes only and is not read.
  void scan_savedmodel(std::string_view where, Bytes b, std::string_view base) {
    const bool metadata = base == "keras_metadata.pb";
    const auto rep = metadata ? savedmodel::read_keras_metadata(b) : savedmodel::read_saved_model(b);
    for (const auto& cfg : rep.keras_configs) {
      scan_keras_config(label(where) + (metadata ? "keras metadata" : "object graph metadata"),
                        Bytes(reinterpret_cast<const std::uint8_t*>(cfg.data()), cfg.size()),
                        metadata ? "a Keras layer config in keras_metadata.pb" : "a Keras config in saved_model.pb");
    }
    for (const auto& h : rep.hits) {
      const bool py = h.risk == savedmodel::OpRisk::py_func;
      std::string msg = label(where) + h.scope + ": node '" + h.node + "' is a " + h.op + " op";
      if (py) {
        msg += ": it calls a Python function of the process that runs the graph (tf.py_function / tf.numpy_function)";
      } else if (h.path.empty()) {
        msg += " on a path computed when the graph runs: serving this model reads or writes files";
      } else {
        msg += " on the constant path '" + h.path + "', outside the model's variables/: loading or serving touches that file";
      }
      Finding f = make_finding(py ? "SZ601" : "SZ602", file_, std::move(msg));
      if (h.risk == savedmodel::OpRisk::file_io_runtime) f.severity = Severity::medium;
      f.snippet = h.path.empty() ? h.op : h.op + "('" + h.path + "')";
      add(std::move(f), Reach::yes, h.op + "\n" + h.path, h.scope + "/" + h.node);
    }
    if (!rep.parsed) {
      incomplete(where, "SavedModel: " + rep.error);
      return;
    }
    if (!rep.unknown_ops.empty()) {
      std::string list;
      for (std::size_t k = 0; k < rep.unknown_ops.size() && k < 8; ++k) list += (k ? ", " : "") + rep.unknown_ops[k];
      if (rep.unknown_ops.size() > 8) list += " and " + std::to_string(rep.unknown_ops.size() - 8) + " more";
      incomplete(where, "SavedModel uses ops this build does not know (" + list +
                            "): custom or unusual ops may load native code or touch files; not analysed");
    }
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
    if (rep.custom_domains.empty()) return;
    // Native libraries in the repository: what a custom-op model is most likely registered with.
    std::vector<std::string> shipped;
    for (const auto& f : ctx_.snapshot.files) {
      if (onnx::is_native_library_name(basename(f.path)) && shipped.size() < 8) shipped.push_back(f.path);
    }
    std::vector<std::string> named_and_shipped;
    for (const auto& lib : rep.native_libraries) {
      const std::string want = to_lower(basename(lib.substr(lib.rfind(": ") == std::string::npos ? 0 : lib.rfind(": ") + 2)));
      for (const auto& path : shipped) {
        if (to_lower(basename(path)) == want) named_and_shipped.push_back(path);
      }
    }
    std::string named;
    for (std::size_t k = 0; k < rep.native_libraries.size() && k < 4; ++k) named += (k ? ", " : "") + rep.native_libraries[k];
    std::string ships;
    for (const auto& path : shipped) ships += (ships.empty() ? "" : ", ") + path;
    for (const auto& d : rep.custom_domains) {
      std::string ops;
      for (const auto& op : d.op_types) ops += (ops.empty() ? "" : ", ") + op;
      std::string msg = "operator domain '" + d.domain + "' " +
                        (d.nodes ? "is used by " + std::to_string(d.nodes) + " node(s) (" + ops + (d.op_types.size() >= 16 ? ", ..." : "") + ")"
                                 : "is imported (opset_import) though no node uses it") +
                        ": onnxruntime has no kernels for it, so a session loads the model only after the user registers a "
                        "custom-op library (SessionOptions.register_custom_ops_library): native code running in the process";
      if (const auto known = onnx::known_library(d.domain); !known.empty()) msg += "; this domain is " + known;
      if (!named.empty()) msg += "; the model names " + named;
      Finding f = make_finding("SZ507", file_, std::move(msg));
      if (!ships.empty()) {
        // Native code from the model's own repository: as much a risk as remote code.
        f.message += "; the repository ships native libraries (" + ships + ")" +
                     (named_and_shipped.empty() ? "" : ", the one the model names among them");
        f.severity = Severity::high;
      }
      f.snippet = d.domain + (ops.empty() ? "" : ": " + ops);
      add(std::move(f), Reach::yes);
    }
  }

  const EngineContext& ctx_;
  EngineOutput& out_;
  std::string file_;
  Reach reach_;
  std::string format_;
  const std::set<std::string>* user_allowed_;  // SerializedOptions::allowed_globals
  bool complete_ = true;
  std::set<std::string> seen_;
  struct Collapsed {
    std::size_t index = 0;
    std::uint32_t count = 0;
    std::vector<std::string> next;  // where the 2nd, 3rd, 4th were
  };
  std::map<std::string, Collapsed> collapsed_;
  // Inside a TorchScript archive, __torch__.* globals are the archive's own compiled classes:
  // reported with its code (SZ303), not as dangerous imports.
  int torchscript_ = 0;
  std::set<std::string> torchscript_classes_;
  std::vector<pickle::StorageRef> last_storages_;  // of the last pickle scanned (torch zip cross-check)
};



// Templates are found by content: template files by extension, and any JSON or YAML file with a
// chat_template key (tokenizer, processor and chat_template.json configs under any name, nested
// under other keys).
enum class TemplateSource : unsigned char { none, text, json, yaml };

TemplateSource template_source(std::string_view path) {
  const std::string l = to_lower(basename(path));
  for (const char* ext : {".jinja", ".jinja2", ".j2", ".template"}) {
    if (ends_with(l, ext)) return TemplateSource::text;
  }
  if (ends_with(l, ".json")) return TemplateSource::json;
  if (ends_with(l, ".yaml") || ends_with(l, ".yml")) return TemplateSource::yaml;
  return TemplateSource::none;
}

bool is_template_key(std::string_view key) {
  const std::string l = to_lower(key);
  return l.find("chat_template") != std::string::npos;
}

std::uint32_t line_at(std::string_view text, std::size_t at) {
  if (at == std::string_view::npos || at > text.size()) return 0;
  return static_cast<std::uint32_t>(1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

// Every template under a chat_template key: a string, a list of strings or of {"name", "template"},
// or an object of named templates. Bounded by depth and count.
void collect_json_templates(const nlohmann::json& v, const std::string& path, bool under_key, int depth,
                            std::vector<std::pair<std::string, std::string>>& out) {
  if (depth > 64 || out.size() >= 256) return;
  if (v.is_string()) {
    if (under_key) out.emplace_back(path, v.get<std::string>());
    return;
  }
  if (v.is_array()) {
    for (std::size_t k = 0; k < v.size() && out.size() < 256; ++k) {
      const auto& e = v[k];
      if (under_key && e.is_object() && e.contains("template") && e["template"].is_string()) {
        const auto name = e.find("name");
        const std::string label = (name != e.end() && name->is_string()) ? name->get<std::string>() : std::to_string(k);
        out.emplace_back(path + "[" + label + "]", e["template"].get<std::string>());
        continue;
      }
      collect_json_templates(e, path + "[" + std::to_string(k) + "]", under_key, depth + 1, out);
    }
    return;
  }
  if (!v.is_object()) return;
  for (auto it = v.begin(); it != v.end() && out.size() < 256; ++it) {
    const std::string child = path.empty() ? it.key() : path + "." + it.key();
    collect_json_templates(it.value(), child, under_key || is_template_key(it.key()), depth + 1, out);
  }
}

// YAML without a YAML library: the value of each `chat_template:` key (inline scalar, or a block
// scalar / nested mapping: every following line indented deeper than the key), with the escapes of
// double-quoted scalars left to the template checker's decoding.
std::vector<std::pair<std::size_t, std::string_view>> yaml_templates(std::string_view text) {
  std::vector<std::pair<std::size_t, std::string_view>> out;
  std::size_t line_start = 0;
  while (line_start < text.size() && out.size() < 64) {
    std::size_t line_end = text.find('\n', line_start);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = text.substr(line_start, line_end - line_start);
    std::size_t indent = 0;
    while (indent < line.size() && (line[indent] == ' ' || line[indent] == '-')) ++indent;
    const std::size_t key_at = line.find("chat_template");
    const std::size_t colon = key_at == std::string_view::npos ? key_at : line.find(':', key_at);
    if (key_at != std::string_view::npos && key_at <= indent + 1 && colon != std::string_view::npos) {
      std::size_t end = line_end;
      // Following lines indented deeper than the key (or blank) belong to its value.
      while (end < text.size()) {
        std::size_t next_end = text.find('\n', end + 1);
        if (next_end == std::string_view::npos) next_end = text.size();
        const std::string_view next = text.substr(end + 1, next_end - end - 1);
        std::size_t ni = 0;
        while (ni < next.size() && next[ni] == ' ') ++ni;
        if (ni < next.size() && ni <= indent) break;
        end = next_end;
      }
      out.emplace_back(line_start + colon + 1, text.substr(line_start + colon + 1, end - line_start - colon - 1));
      line_start = end + 1;
      continue;
    }
    line_start = line_end + 1;
  }
  return out;
}

void scan_template_file(const EngineContext& ctx, EngineOutput& out, const FileEntry& f, TemplateSource kind) {
  if (f.size > ctx.limits.max_config_bytes) return;
  auto blob = ctx.read(f);
  if (!blob) return;
  const std::string_view text = (*blob)->text();
  FileScan scan(ctx, out, f.path, Reach::unknown, "");
  if (kind == TemplateSource::text) {
    scan.scan_template_text("", text, 0);
    return;
  }
  if (text.find("chat_template") == std::string_view::npos) return;
  if (kind == TemplateSource::yaml) {
    for (const auto& [at, value] : yaml_templates(text)) scan.scan_template_text("chat_template", value, line_at(text, at), true);
    return;
  }
  if (!json_depth_within(text, ctx.limits.max_json_depth)) {
    scan.incomplete("", "JSON nests deeper than the limit");
    return;
  }
  const auto doc = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (doc.is_discarded()) {
    scan.incomplete("", "names chat_template but is not valid JSON");
    return;
  }
  std::vector<std::pair<std::string, std::string>> templates;
  collect_json_templates(doc, "", false, 0, templates);
  for (const auto& [label, t] : templates) {
    // The template's first characters as written in the file (JSON escapes kept) give its line.
    std::string head = nlohmann::json(t.substr(0, std::min<std::size_t>(t.size(), 24))).dump(-1, ' ', false,
                                                                                           nlohmann::json::error_handler_t::replace);
    head = head.substr(1, head.size() > 2 ? head.size() - 2 : 0);
    scan.scan_template_text(label, t, line_at(text, head.empty() ? std::string_view::npos : text.find(head)));
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
  explicit SerializedEngine(SerializedOptions options) : options_(std::move(options)) {}
  std::string_view name() const override { return "serialized"; }

  bool handles_format(std::string_view format) const override {
    return std::find(std::begin(kHandled), std::end(kHandled), format) != std::end(kHandled);
  }

  void run(const EngineContext& ctx, EngineOutput& out) const override {
    std::set<std::string> planned;
    for (const auto& point : ctx.plan.deserialization) {
      if (!handles_format(point.format) || !planned.insert(point.file).second) continue;
      const FileEntry* f = ctx.snapshot.find(point.file);
      if (!f) continue;
      auto blob = ctx.read(*f);
      if (!blob) {
        out.incomplete.push_back({point.file, "cannot read: " + blob.error().message});
        continue;
      }
      FileScan scan(ctx, out, point.file, Reach::yes, point.format, &options_.allowed_globals);
      scan.scan("", (*blob)->bytes(), 0);
      if (scan.complete()) out.analysed_files.push_back(point.file);
    }
    // Pickles the platform sniffing did not route (PROTO-less streams, odd names), and templates.
    for (const auto& f : ctx.snapshot.files) {
      if (const auto kind = template_source(f.path); kind != TemplateSource::none) scan_template_file(ctx, out, f, kind);
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
      FileScan scan(ctx, out, f.path, Reach::unknown, zip ? "zip" : "pickle", &options_.allowed_globals);
      scan.scan("", b, 0);
    }
  }

 private:
  SerializedOptions options_;
};

}  // namespace

std::unique_ptr<Engine> make_serialized_engine(SerializedOptions options) { return std::make_unique<SerializedEngine>(std::move(options)); }

}  // namespace mg
