#include "behaviour/behaviour.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <thread>
#include <unordered_map>

#include "behaviour/paths.hpp"
#include "core/parallel.hpp"
#include "core/text.hpp"
#include "formats/pickle.hpp"
#include "formats/pickle_policy.hpp"

namespace mg::behaviour {

std::string describe(std::uint32_t mask) {
  static constexpr std::pair<Prov, std::string_view> kNames[] = {
      {kSecret, "a secret"},          {kNetwork, "a network response"}, {kDecoded, "decoded data"},
      {kUserInput, "user input"},     {kSystemInfo, "system information"}, {kCapture, "captured input"},
      {kEnv, "the environment"},      {kSocket, "a socket"},            {kDownload, "a downloaded file"},
      {kHosted, "a download from a model or code host"},
  };
  std::string out;
  for (auto [bit, name] : kNames) {
    if ((mask & bit) == 0 || (bit == kEnv && (mask & kSecret))) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out.empty() ? "repository constants" : out;
}

std::string_view to_string(Cap c) {
  switch (c) {
    case Cap::exec: return "exec";
    case Cap::import_code: return "import";
    case Cap::deserialize: return "deserialize";
    case Cap::process: return "process";
    case Cap::fd_redirect: return "fd-redirect";
    case Cap::net_send: return "network-send";
    case Cap::net_connect: return "network-connect";
    case Cap::file_write: return "file-write";
    case Cap::make_exec: return "chmod";
    case Cap::native_load: return "native-load";
    case Cap::capture: return "capture";
    case Cap::install: return "install";
    case Cap::inject: return "inject";
  }
  return "?";
}

void relocate(FileModel& m, std::uint32_t line) {
  for (auto& t : m.terms) t.line = line;
  for (auto& s : m.scopes) s.body_first_line = 0;
  for (auto& c : m.calls) c.line = line;
  for (auto& s : m.sources) s.line = line;
  for (auto& s : m.sinks) {
    s.line = line;
    s.column = 0;
  }
  for (auto& p : m.payloads) p.line = line;
}

namespace {

// Method names that containers, files, tensors and frameworks all have: a call of one of them on
// an object of unknown type says nothing about which repository method runs.
bool is_common_method(std::string_view m) {
  static constexpr std::string_view kCommon[] = {
      "get", "set", "items", "keys", "values", "read", "write", "load", "save", "run", "update", "pop", "append", "extend",
      "format", "join", "split", "copy", "close", "open", "call", "forward", "__call__", "encode", "decode", "send", "recv",
      "start", "stop", "put", "add", "remove", "clear", "apply", "to", "cuda", "cpu", "eval", "train", "step", "reset", "build",
      "parse", "process", "fit", "predict", "transform", "init", "setup", "main", "next", "sort", "index", "count", "find",
      "replace", "strip", "lower", "upper", "item", "numpy", "tolist", "view", "reshape", "request", "fetch", "download",
      "upload", "post", "execute", "connect", "generate", "__init__", "register", "info", "debug", "warning", "error", "log",
      "dump", "dumps", "loads", "state_dict", "load_state_dict", "parameters", "named_parameters", "modules", "children",
  };
  for (auto c : kCommon) {
    if (c == m) return true;
  }
  return false;
}

// Values grouped by key as one flat array (CSR): key k's values are values[first[k] .. first[k + 1]),
// in the order `each` gives them. `each(put)` calls put(key, value) for every entry, the same
// entries both times it is called (once to count, once to place), so no entry list is held.
template <class V, class Each>
void group_by_key(std::size_t keys, Each&& each, std::vector<std::uint32_t>& first, std::vector<V>& values) {
  first.assign(keys + 1, 0);
  each([&](std::uint32_t k, const V&) { ++first[k + 1]; });
  for (std::size_t i = 1; i < first.size(); ++i) first[i] += first[i - 1];
  values.resize(first.back());
  std::vector<std::uint32_t> fill(first.begin(), first.end() - 1);
  each([&](std::uint32_t k, const V& v) { values[fill[k]++] = v; });
}

constexpr std::size_t kMaxTargets = 8;     // a method name shared by more repository methods is left unlinked
constexpr int kMaxEvidenceDepth = 200;

// The repository's models as one program: global indices for variables, calls and sources.
class Program {
 public:
  Program(const std::vector<FileModel>& models, const py::Reachability& reach, unsigned threads)
      : models_(models), reach_(reach), threads_(std::max(1u, threads)) {
    for (const auto& m : models_) {
      var_base_.push_back(static_cast<std::uint32_t>(vars_.size()));
      call_base_.push_back(static_cast<std::uint32_t>(calls_.size()));
      scope_base_.push_back(static_cast<std::uint32_t>(scope_file_.size()));
      for (std::size_t i = 0; i < m.vars.size(); ++i) vars_.push_back({static_cast<std::uint32_t>(&m - models_.data()), static_cast<std::uint32_t>(i)});
      for (std::size_t i = 0; i < m.calls.size(); ++i) calls_.push_back({static_cast<std::uint32_t>(&m - models_.data()), static_cast<std::uint32_t>(i)});
      for (std::size_t i = 0; i < m.scopes.size(); ++i) scope_file_.push_back(static_cast<std::uint32_t>(&m - models_.data()));
    }
    var_val_.assign(vars_.size(), 0);
    call_val_.assign(calls_.size(), 0);
    link();
    flows_to_return();
    // Two passes, so that what a function returns depends on the call: first every function's
    // own return (parameters empty), then parameters fed by every caller (for the sinks inside),
    // while a call's result stays "own return + the arguments that flow to it".
    build_readers();
    with_params_ = false;
    solve();
    ret_own_.resize(vars_.size());
    for (std::uint32_t g = 0; g < vars_.size(); ++g) ret_own_[g] = var_val_[g];
    with_params_ = true;
    solve();
  }

  std::uint32_t value(std::uint32_t file, Range r) const { return value(file, models_[file].terms_of(r)); }
  std::uint32_t value(std::uint32_t file, std::span<const Term> ts) const {
    std::uint32_t v = 0;
    for (const auto& t : ts) v |= term_value(file, t);
    return v;
  }

  // Evidence: the steps from a source of `want` to the terms `ts` (in file `file`), source first.
  std::vector<EvidenceStep> evidence(std::uint32_t file, Range r, std::uint32_t want) const {
    std::vector<EvidenceStep> path;
    std::set<std::pair<int, std::uint32_t>> seen;
    trace(file, models_[file].terms_of(r), want, 0, seen, path);  // steps are appended as the search unwinds: source first
    return path;
  }

  const std::vector<FileModel>& models() const { return models_; }

 private:
  struct Ref {
    std::uint32_t file;
    std::uint32_t index;
  };
  struct Target {
    std::uint32_t file;
    std::uint32_t scope;
    bool constructor;
    std::uint32_t offset;  // parameters skipped (self)
  };

  const Var& var_of(std::uint32_t g) const { return models_[vars_[g].file].vars[vars_[g].index]; }
  const CallSite& call_of(std::uint32_t g) const { return models_[calls_[g].file].calls[calls_[g].index]; }
  std::span<const Term> terms_of_var(std::uint32_t g) const { return models_[vars_[g].file].terms_of(var_of(g).terms); }
  // The terms of argument `i` (TermKind::arg) or keyword `i` (kwarg) of global call `g`.
  std::span<const Term> argument(std::uint32_t g, TermKind kind, std::uint32_t i) const {
    const auto& m = models_[calls_[g].file];
    const auto& c = call_of(g);
    if (kind == TermKind::arg) return i < c.args.size ? m.terms_of(m.args_of(c)[i]) : std::span<const Term>{};
    return i < c.kwargs.size ? m.terms_of(m.kwargs_of(c)[i].terms) : std::span<const Term>{};
  }

  std::uint32_t term_value(std::uint32_t file, const Term& t) const {
    switch (t.kind) {
      case TermKind::bits: return t.a;
      case TermKind::var: return var_val_[var_base_[file] + t.a];
      case TermKind::call: return call_val_[call_base_[file] + t.a];
      case TermKind::source: return models_[file].sources[t.a].mask;
      case TermKind::arg:  // t.a: global call index
      case TermKind::kwarg: return value(calls_[t.a].file, argument(t.a, t.kind, t.b));
    }
    return 0;
  }

  // Each call site to the repository functions it may run, and their parameters to its arguments.
  void link() {
    // Each model's module in the reachability index and the scope of each of its defs, by index.
    // A file's own model comes first; models decoded from its payloads share its path and are
    // never call targets (relocate() clears their lines).
    std::vector<int> module_of(models_.size(), -1);
    std::unordered_map<int, std::uint32_t> model_of_module;
    std::vector<std::vector<int>> def_of(models_.size());       // scope -> def
    std::vector<std::vector<int>> scope_of_def(models_.size());  // def -> scope (-1: none)
    for (std::uint32_t f = 0; f < models_.size(); ++f) {
      const int m = reach_.module_index(models_[f].path);
      module_of[f] = m;
      const bool own = m >= 0 && model_of_module.emplace(m, f).second;
      def_of[f].resize(models_[f].scopes.size(), -1);
      for (std::uint32_t s = 1; s < models_[f].scopes.size(); ++s) {
        const auto& sc = models_[f].scopes[s];
        const int d = reach_.def_index(m, sc.body_first_line, models_[f].leaf_of(sc));
        def_of[f][s] = d;
        if (!own || d < 0 || sc.body_first_line == 0) continue;
        if (scope_of_def[f].size() <= static_cast<std::size_t>(d)) scope_of_def[f].resize(static_cast<std::size_t>(d) + 1, -1);
        scope_of_def[f][static_cast<std::size_t>(d)] = static_cast<int>(s);
      }
    }
    struct Key {
      std::uint32_t file;
      int def;
      std::string_view ref;
      bool operator==(const Key&) const = default;
    };
    struct KeyHash {
      std::size_t operator()(const Key& k) const {
        return std::hash<std::string_view>{}(k.ref) ^ (std::size_t{k.file} * 0x9E3779B97F4A7C15ull) ^
               (static_cast<std::size_t>(static_cast<unsigned>(k.def)) * 0xC2B2AE3D27D4EB4Full);
      }
    };
    // Each distinct (file, scope, reference) is resolved once; most are library calls that resolve
    // to nothing. Resolution only reads the index, so the distinct references are split over the
    // threads; linking arguments to parameters stays in call order.
    std::unordered_map<Key, std::uint32_t, KeyHash> memo;
    memo.reserve(calls_.size());
    target_set_.assign(calls_.size(), 0);
    std::vector<std::uint32_t> first_call;  // per distinct reference: a call that makes it
    for (std::uint32_t g = 0; g < calls_.size(); ++g) {
      const std::uint32_t f = calls_[g].file;
      const auto& c = call_of(g);
      const auto [it, added] = memo.try_emplace(Key{f, def_of[f][c.scope], models_[f].text_of(c.ref)}, static_cast<std::uint32_t>(first_call.size()));
      if (added) first_call.push_back(g);
      target_set_[g] = it->second;
    }
    decltype(memo)().swap(memo);  // freed (buckets too) before resolution allocates
    auto& resolved = target_sets_;
    resolved.resize(first_call.size());
    auto resolve_some = [&](std::size_t begin, std::size_t step) {
      std::vector<Target> ts;  // reused: most references resolve to nothing, some to hundreds
      for (std::size_t k = begin; k < first_call.size(); k += step) {
        const std::uint32_t g = first_call[k];
        const std::uint32_t f = calls_[g].file;
        const auto& c = call_of(g);
        const int def = def_of[f][c.scope];
        const std::string_view ref = models_[f].text_of(c.ref);
        ts.clear();
        for (const auto& [m, d] : reach_.resolve(module_of[f], def, ref)) {
          const auto mit = model_of_module.find(m);
          if (mit == model_of_module.end()) continue;
          const std::uint32_t tf = mit->second;
          const auto& defs = scope_of_def[tf];
          if (static_cast<std::size_t>(d) >= defs.size() || defs[static_cast<std::size_t>(d)] < 0) continue;
          const auto scope = static_cast<std::uint32_t>(defs[static_cast<std::size_t>(d)]);
          const auto& sc = models_[tf].scopes[scope];
          const bool method = sc.parent >= 0 && models_[tf].scopes[static_cast<std::size_t>(sc.parent)].is_class;
          const std::string_view leaf = models_[tf].leaf_of(sc);
          const bool ctor = leaf == "__init__" || leaf == "__new__" || leaf == "__post_init__";
          const auto params = models_[tf].params_of(sc);
          std::uint32_t offset = 0;
          const std::string_view first = params.empty() ? std::string_view() : models_[tf].var_name(params[0]);
          if (method && (first == "self" || first == "cls")) {
            offset = (ref.find('.') != std::string_view::npos || ctor || c.callback) ? 1 : 0;
          }
          ts.push_back(Target{tf, scope, ctor, offset});
        }
        if (ts.size() > kMaxTargets) ts.clear();
        if (c.unknown_receiver && (ts.size() != 1 || is_common_method(ref.substr(ref.rfind('.') + 1)))) ts.clear();
        if (!ts.empty()) resolved[k].assign(ts.begin(), ts.end());  // exactly sized
      }
    };
    {
      // A few thousand references are not worth a thread.
      const unsigned n = first_call.size() < 4096 ? 1u : threads_;
      std::vector<std::thread> pool;
      for (unsigned t = 1; t < n; ++t) pool.emplace_back(resolve_some, t, n);
      resolve_some(0, n);
      for (auto& t : pool) t.join();
    }
    std::vector<std::pair<std::uint32_t, Term>> inputs;  // (global variable, what a caller or alias feeds it)
    // A function that runs at load takes its arguments from the callers that run at load: a
    // training script's call of the model's constructor says nothing about what loading passes.
    std::vector<std::vector<char>> runs_at_load(models_.size());
    for (std::uint32_t f = 0; f < models_.size(); ++f) {
      runs_at_load[f].resize(models_[f].scopes.size(), 0);
      for (std::uint32_t s = 1; s < models_[f].scopes.size(); ++s) {
        runs_at_load[f][s] = reach_.classify(module_of[f], models_[f].scopes[s].body_first_line) == Reach::yes;
      }
    }
    for (std::uint32_t g = 0; g < calls_.size(); ++g) {
      const std::uint32_t f = calls_[g].file;
      const auto& c = call_of(g);
      int caller_at_load = -1;  // computed on first need
      for (const auto& t : targets(g)) {
        if (runs_at_load[t.file][t.scope]) {
          if (caller_at_load < 0) caller_at_load = reach_.classify(module_of[f], c.line) == Reach::yes;
          if (caller_at_load == 0) continue;
        }
        const auto& tm = models_[t.file];
        const auto params = tm.params_of(tm.scopes[t.scope]);
        for (std::size_t i = 0; i < c.args.size; ++i) {
          const std::size_t p = i + t.offset;
          if (p >= params.size()) break;
          inputs.emplace_back(var_base_[t.file] + params[p], Term{TermKind::arg, g, static_cast<std::uint32_t>(i), c.line});
        }
        const auto kwargs = models_[f].kwargs_of(c);
        for (std::size_t k = 0; k < kwargs.size(); ++k) {
          const std::string_view name = models_[f].text_of(kwargs[k].name);
          for (const auto param : params) {
            if (tm.var_name(param) == name) {
              inputs.emplace_back(var_base_[t.file] + param, Term{TermKind::kwarg, g, static_cast<std::uint32_t>(k), c.line});
            }
          }
        }
      }
    }
    // Files named by the same constant path in several modules are one file.
    std::unordered_map<std::string_view, std::vector<std::uint32_t>> files;
    for (std::uint32_t g = 0; g < vars_.size(); ++g) {
      const auto& v = var_of(g);
      if (v.scope != 0) continue;
      const std::string_view name = models_[vars_[g].file].text_of(v.name);
      if (starts_with(name, "file:")) files[name].push_back(g);
    }
    for (auto& [name, ids] : files) {
      if (ids.size() < 2) continue;
      for (auto a : ids) {
        for (auto b : ids) {
          if (a != b) inputs.emplace_back(a, Term{TermKind::bits, 0, b, 0});  // b: global var (see solve)
        }
      }
    }
    group_by_key(
        vars_.size(),
        [&](auto&& put) {
          for (const auto& [g, t] : inputs) put(g, t);
        },
        extra_first_, extra_terms_);
  }

  std::uint32_t call_value(std::uint32_t g) const {
    const auto& c = call_of(g);
    const std::uint32_t f = calls_[g].file;
    const auto& m = models_[f];
    std::uint32_t v = 0;
    bool returns = false;
    for (const auto& t : targets(g)) {
      if (t.constructor) continue;
      returns = true;
      const auto& sc = models_[t.file].scopes[t.scope];
      const std::uint32_t rv = var_base_[t.file] + sc.ret_var;
      v |= with_params_ ? ret_own_[rv] : var_val_[rv];
      // The arguments of this call that the callee passes through to its return.
      const auto& flows = flows_[scope_base_[t.file] + t.scope];
      const auto args = m.args_of(c);
      for (std::size_t i = 0; i < args.size(); ++i) {
        const std::size_t p = i + t.offset;
        if (p < flows.size() && flows[p]) v |= value(f, args[i]);
      }
      const auto& tm = models_[t.file];
      const auto params = tm.params_of(sc);
      for (const auto& k : m.kwargs_of(c)) {
        const std::string_view name = m.text_of(k.name);
        for (std::size_t p = 0; p < params.size() && p < flows.size(); ++p) {
          if (flows[p] && tm.var_name(params[p]) == name) v |= value(f, k.terms);
        }
      }
    }
    if (!returns) {  // library code, or an object built from its arguments
      for (const auto& a : m.args_of(c)) v |= value(f, a);
      for (const auto& k : m.kwargs_of(c)) v |= value(f, k.terms);
      v |= value(f, c.receiver);
      if (c.decoder_name && targets(g).empty()) v |= kDecoded;
    }
    return v;
  }

  // For each function: which parameters can reach its return value (through its variables and
  // the calls it makes, taken as passing their arguments on).
  void flows_to_return() {
    flows_.assign(scope_file_.size(), {});
    const auto nv = static_cast<std::uint32_t>(vars_.size());
    // Each function's search stays in its file: files are independent and split over the threads,
    // each thread with its own marks.
    parallel_for_with(
        models_.size(), models_.size() < 64 ? 1u : threads_,
        [&] {
          FlowScratch w;
          w.seen.assign(nv, 0);
          return w;
        },
        [&](FlowScratch& w, std::size_t file) { flows_of_file(static_cast<std::uint32_t>(file), w); });
  }

  struct FlowScratch {
    std::vector<std::uint32_t> stack, reads, inner, touched;
    std::vector<char> seen;
  };

  void flows_of_file(std::uint32_t f, FlowScratch& w) {
    const auto nv = static_cast<std::uint32_t>(vars_.size());
    const auto& m = models_[f];
    for (std::uint32_t s = 1; s < m.scopes.size(); ++s) {
      const auto& sc = m.scopes[s];
      const auto params = m.params_of(sc);
      if (params.empty()) continue;
      auto& out = flows_[scope_base_[f] + s];
      out.assign(params.size(), 0);
      w.stack.assign(1, var_base_[f] + sc.ret_var);
      std::size_t steps = 0;
      while (!w.stack.empty() && ++steps < 100000) {
        const std::uint32_t g = w.stack.back();
        w.stack.pop_back();
        if (w.seen[g]) continue;
        w.seen[g] = 1;
        w.touched.push_back(g);
        for (std::size_t p = 0; p < params.size(); ++p) {
          if (g == var_base_[f] + params[p]) out[p] = 1;
        }
        w.reads.clear();
        reads(vars_[g].file, terms_of_var(g), w.reads);
        for (std::size_t i = 0; i < w.reads.size(); ++i) {
          const std::uint32_t r = w.reads[i];
          if (r < nv) {
            if (vars_[r].file == f) w.stack.push_back(r);
            continue;
          }
          const auto& c = call_of(r - nv);  // a call passes its arguments on
          if (calls_[r - nv].file != f) continue;
          w.inner.clear();
          for (const auto& a : m.args_of(c)) reads(f, m.terms_of(a), w.inner);
          for (const auto& k : m.kwargs_of(c)) reads(f, m.terms_of(k.terms), w.inner);
          reads(f, m.terms_of(c.receiver), w.inner);
          for (auto x : w.inner) {
            if (x < nv && vars_[x].file == f) w.stack.push_back(x);
          }
        }
      }
      for (auto g : w.touched) w.seen[g] = 0;
      w.touched.clear();
    }
  }

  std::uint32_t var_value(std::uint32_t g) const {
    std::uint32_t v = value(vars_[g].file, terms_of_var(g));
    if (!with_params_) return v;
    for (const auto& t : extra(g)) {
      if (t.kind == TermKind::bits && t.a == 0) v |= var_val_[t.b];  // alias of another file's variable
      else v |= term_value(vars_[g].file, t);
    }
    return v;
  }

  // Nodes are variables [0, V) and call results [V, V + C). What a term reads, as nodes.
  void reads(std::uint32_t file, std::span<const Term> ts, std::vector<std::uint32_t>& out, int depth = 0) const {
    const auto nv = static_cast<std::uint32_t>(vars_.size());
    for (const auto& t : ts) {
      switch (t.kind) {
        case TermKind::var: out.push_back(var_base_[file] + t.a); break;
        case TermKind::call: out.push_back(nv + call_base_[file] + t.a); break;
        case TermKind::arg:
        case TermKind::kwarg: {
          if (depth > 0) break;
          reads(calls_[t.a].file, argument(t.a, t.kind, t.b), out, depth + 1);
          break;
        }
        case TermKind::bits:
        case TermKind::source: break;
      }
    }
  }

  // Who reads each node, as one flat array (CSR): edges (read node, reader) counted and placed.
  // Built once for both passes, with the parameter edges: the first pass's values do not read
  // them, so there they only cost a recomputation that changes nothing.
  void build_readers() {
    const auto nv = static_cast<std::uint32_t>(vars_.size());
    const auto total = nv + static_cast<std::uint32_t>(calls_.size());
    // Every edge (read node r, reader n); enumerated twice instead of held: edges outnumber nodes.
    std::vector<std::uint32_t> scratch;
    auto each_edge = [&](auto&& edge) {
      for (std::uint32_t g = 0; g < nv; ++g) {
        scratch.clear();
        reads(vars_[g].file, terms_of_var(g), scratch);
        for (const auto& t : extra(g)) {
          if (t.kind == TermKind::bits && t.a == 0) scratch.push_back(t.b);
          else reads(vars_[g].file, std::span<const Term>(&t, 1), scratch);
        }
        for (auto r : scratch) edge(r, g);
      }
      for (std::uint32_t c = 0; c < calls_.size(); ++c) {
        scratch.clear();
        for (const auto& t : targets(c)) {
          if (!t.constructor) scratch.push_back(var_base_[t.file] + models_[t.file].scopes[t.scope].ret_var);
        }
        // A call reads its arguments either way: they may flow through the callee.
        const auto& cs = call_of(c);
        const auto& m = models_[calls_[c].file];
        for (const auto& a : m.args_of(cs)) reads(calls_[c].file, m.terms_of(a), scratch);
        for (const auto& k : m.kwargs_of(cs)) reads(calls_[c].file, m.terms_of(k.terms), scratch);
        reads(calls_[c].file, m.terms_of(cs.receiver), scratch);
        for (auto r : scratch) edge(r, nv + c);
      }
    };
    group_by_key(total, each_edge, first_, readers_);
  }

  // Worklist fixpoint: a node is recomputed only when something it reads changed. Masks only
  // grow and have ten bits, so every node changes at most ten times.
  void solve() {
    const auto nv = static_cast<std::uint32_t>(vars_.size());
    const auto total = nv + static_cast<std::uint32_t>(calls_.size());
    std::vector<std::uint32_t> work;
    std::vector<char> queued(total, 1);
    work.reserve(total);
    for (std::uint32_t n = total; n-- > 0;) work.push_back(n);
    std::uint64_t budget = static_cast<std::uint64_t>(total) * 12 + 1024;  // bounded whatever the input
    while (!work.empty() && budget-- > 0) {
      const std::uint32_t n = work.back();
      work.pop_back();
      queued[n] = 0;
      const std::uint32_t v = n < nv ? var_value(n) : call_value(n - nv);
      std::uint32_t& slot = n < nv ? var_val_[n] : call_val_[n - nv];
      if (v == slot) continue;
      slot = v;
      for (auto i = first_[n]; i < first_[n + 1]; ++i) {
        const std::uint32_t r = readers_[i];
        if (!queued[r]) queued[r] = 1, work.push_back(r);
      }
    }
  }

  std::string where(std::uint32_t file, std::uint32_t line) const { return models_[file].path + ":" + std::to_string(line); }

  bool trace(std::uint32_t file, std::span<const Term> ts, std::uint32_t want, int depth, std::set<std::pair<int, std::uint32_t>>& seen,
             std::vector<EvidenceStep>& path) const {
    if (depth > kMaxEvidenceDepth) return false;
    for (const auto& t : ts) {
      if ((term_value(file, t) & want) == 0) continue;
      switch (t.kind) {
        case TermKind::source: {
          const auto& s = models_[file].sources[t.a];
          path.push_back({models_[file].path, s.line, "source: " + s.what});
          return true;
        }
        case TermKind::bits:
          path.push_back({models_[file].path, t.line, "source: " + describe(t.a & want) + " produced here"});
          return true;
        case TermKind::var: {
          const std::uint32_t g = var_base_[file] + t.a;
          if (!seen.insert({0, g}).second) continue;
          if (trace(file, terms_of_var(g), want, depth + 1, seen, path)) return true;
          for (const auto& e : extra(g)) {
            if (e.kind == TermKind::bits && e.a == 0) {
              if ((var_val_[e.b] & want) && trace(vars_[e.b].file, terms_of_var(e.b), want, depth + 1, seen, path)) return true;
              continue;
            }
            if (trace(file, std::span<const Term>(&e, 1), want, depth + 1, seen, path)) return true;
          }
          continue;
        }
        case TermKind::call: {
          const std::uint32_t g = call_base_[file] + t.a;
          if (!seen.insert({1, g}).second) continue;
          const auto& c = call_of(g);
          for (const auto& tg : targets(g)) {
            if (tg.constructor) continue;
            const auto& sc = models_[tg.file].scopes[tg.scope];
            const std::uint32_t rv = var_base_[tg.file] + sc.ret_var;
            if ((ret_own_[rv] & want) == 0) continue;  // what the callee itself returns, whoever calls it
            if (trace(tg.file, terms_of_var(rv), want, depth + 1, seen, path)) {
              path.push_back({models_[file].path, c.line, "returned by " + std::string(models_[tg.file].name_of(sc)) + "()"});
              return true;
            }
          }
          const auto& m = models_[file];
          const auto receiver = m.terms_of(c.receiver);
          Terms all(receiver.begin(), receiver.end());
          for (const auto& a : m.args_of(c)) {
            const auto arg = m.terms_of(a);
            all.insert(all.end(), arg.begin(), arg.end());
          }
          for (const auto& k : m.kwargs_of(c)) {
            const auto arg = m.terms_of(k.terms);
            all.insert(all.end(), arg.begin(), arg.end());
          }
          if (trace(file, all, want, depth + 1, seen, path)) return true;
          continue;
        }
        case TermKind::arg:
        case TermKind::kwarg: {
          const auto& c = call_of(t.a);
          const std::uint32_t cf = calls_[t.a].file;
          if (trace(cf, argument(t.a, t.kind, t.b), want, depth + 1, seen, path)) {
            path.push_back({models_[cf].path, c.line,
                            std::string(c.callback ? "handed as a callback to " : "passed to ") + std::string(models_[cf].text_of(c.ref)) + "()"});
            return true;
          }
          continue;
        }
      }
    }
    return false;
  }

  const std::vector<FileModel>& models_;
  const py::Reachability& reach_;
  unsigned threads_ = 1;
  std::vector<std::uint32_t> var_base_, call_base_, scope_base_, scope_file_;
  std::vector<Ref> vars_, calls_;
  std::vector<std::uint32_t> var_val_, call_val_;
  // Per global variable, inputs from call sites (global call indices in Term::a) and aliases:
  // extra_terms_[extra_first_[g] .. extra_first_[g + 1]).
  std::vector<std::uint32_t> extra_first_;
  std::vector<Term> extra_terms_;
  std::span<const Term> extra(std::uint32_t g) const { return {extra_terms_.data() + extra_first_[g], extra_first_[g + 1] - extra_first_[g]}; }
  // What each call may run: calls making the same reference from the same scope share a set.
  std::vector<std::vector<Target>> target_sets_;
  std::vector<std::uint32_t> target_set_;  // per global call
  const std::vector<Target>& targets(std::uint32_t g) const { return target_sets_[target_set_[g]]; }
  std::vector<std::vector<char>> flows_;  // per global scope: parameter i reaches the return
  std::vector<std::uint32_t> ret_own_;    // first pass: values without callers' arguments
  bool with_params_ = true;
  std::vector<std::uint32_t> first_, readers_;  // readers_[first_[n] .. first_[n + 1]): who reads node n
};

// ---- the rules --------------------------------------------------------------------------------

class Judge {
 public:
  explicit Judge(const Program& p) : p_(p) {}

  std::vector<Finding> run() {
    const auto& models = p_.models();
    for (std::uint32_t f = 0; f < models.size(); ++f) {
      const auto& m = models[f];
      for (const auto& s : m.sinks) judge(f, s);
      droppers(f);
      for (const auto& pl : m.payloads) payload(f, pl);
    }
    return std::move(out_);
  }

 private:
  void emit(std::string_view rule, std::uint32_t f, const Sink& s, std::string message, Severity sev, std::uint32_t want,
            const Range* from = nullptr) {
    const auto& m = p_.models()[f];
    // One finding per rule and site.
    if (!emitted_.insert({std::string(rule), m.path, s.line}).second) return;
    Finding x = make_finding(rule, m.path, std::move(message));
    x.line = s.line;
    x.column = s.column;
    x.severity = sev;
    if (want != 0) x.evidence = p_.evidence(f, from != nullptr ? *from : s.data, want);
    std::string at = std::string(to_string(s.cap)) + " via " + s.api;
    if (!s.constant.empty()) at += ": " + s.constant.substr(0, 120);
    x.evidence.push_back({m.path, s.line, "sink: " + sanitize_utf8(at)});
    out_.push_back(std::move(x));
  }

  static std::string quoted(std::string_view s) { return "`" + sanitize_utf8(s.substr(0, 100)) + (s.size() > 100 ? "…" : "") + "`"; }

  void judge(std::uint32_t f, const Sink& s) {
    const std::uint32_t data = p_.value(f, s.data);
    const std::uint32_t aux = p_.value(f, s.aux);
    const std::string& k = s.constant;
    if (s.hidden_name && (s.cap == Cap::exec || s.cap == Cap::process || s.cap == Cap::native_load || s.cap == Cap::deserialize ||
                          s.cap == Cap::import_code)) {
      emit("BH103", f, s, "calls " + s.api + " through a computed name (getattr, __dict__, vars(builtins), a decoded string): code that hides what it runs",
           Severity::critical, 0);
      // What it runs may say more (a reverse shell, a miner): judged below as well.
    }
    switch (s.cap) {
      case Cap::exec:
      case Cap::import_code:
        if (data & kDownload) {
          emit("BH104", f, s, s.api + " runs a file downloaded at run time (dropper)", Severity::critical, kDownload);
        } else if (data & (kNetwork | kHosted)) {
          emit("BH103", f, s, s.api + " runs code that came over the network: whoever controls that server runs code on this machine",
               Severity::critical, data & (kNetwork | kHosted));
        } else if ((data & kDecoded) && s.cap == Cap::exec) {
          emit("BH103", f, s, s.api + " runs code the repository hides behind an encoding (" + describe(data & (kDecoded | kSecret | kEnv)) + ")",
               Severity::critical, kDecoded);
        } else if (data & kUserInput) {
          emit("BH110", f, s, s.api + " runs code taken from user input", Severity::high, kUserInput);
        }
        return;
      case Cap::deserialize:
        // Weights fetched at load from a model or code host are what from_pretrained does
        // (medium, like a pickle the loader reads); from anywhere else, whoever answers runs code.
        if (s.restricted == 1 || !(data & (kNetwork | kHosted))) return;
        if ((data & kNetwork) && s.restricted == 0) {
          emit("BH103", f, s, s.api + " deserializes bytes that came over the network: a pickle runs any code its sender chose",
               Severity::critical, kNetwork);
        } else {
          emit("BH103", f, s, s.api + " deserializes a download (" + describe(data & (kNetwork | kHosted)) + ")" +
                                  (s.restricted == 2 ? ", without weights_only (pickle code runs on torch before 2.6)" : ""),
               Severity::medium, data & (kNetwork | kHosted));
        }
        return;
      case Cap::process: {
        if (aux & kSocket) {
          emit("BH101", f, s, s.api + " starts a process whose input and output are a network socket (reverse shell)", Severity::critical, kSocket,
               &s.aux);
          return;
        }
        if (!k.empty() && is_reverse_shell_command(k)) {
          emit("BH101", f, s, s.api + " runs a reverse-shell command " + quoted(k), Severity::critical, 0);
          return;
        }
        if (!k.empty() && is_miner(k)) {
          emit("BH106", f, s, s.api + " starts a cryptocurrency miner " + quoted(k), Severity::critical, 0);
          return;
        }
        if (data & kDownload) {
          // A fixed program handed the download (tar, bzip2, unzip) reads it; the download runs when
          // it is the program, a shell's or interpreter's script, or a later command in a chain.
          const std::string prog = fixed_program(k);  // a bare name: an installed tool, not a file it was given
          const bool tool = !prog.empty() && prog.find_first_of("/\\") == std::string::npos;
          if (!tool || is_command_chain(k) || is_download_and_run_command(k)) {
            const bool known = !k.empty() && k.find_first_not_of("\xe2\x80\xa6 ") != std::string::npos;
            emit("BH104", f, s, s.api + (known ? " runs a file downloaded at run time (dropper)" : " runs a command built from a downloaded file"),
                 known ? Severity::critical : Severity::high, kDownload);
            return;
          }
        }
        // Network data as the arguments of a fixed program (a URL handed to curl) is injection at
        // most; as the program, the script of a shell or interpreter, it is code from the network.
        const bool fetched = data & (kNetwork | kHosted);
        const std::string program = fetched && !is_download_and_run_command(k) ? fixed_program(k) : std::string();
        if (fetched && program.empty()) {
          emit("BH103", f, s, s.api + " runs a command that came over the network", Severity::critical, data & (kNetwork | kHosted));
          return;
        }
        if (auto why = hidden_command(k); !k.empty() && !why.empty()) {
          emit("BH103", f, s, s.api + " runs " + why + ": " + quoted(k), Severity::critical, 0);
          return;
        }
        if (!k.empty() && is_download_and_run_command(k)) {
          emit("BH103", f, s, s.api + " downloads and runs code: " + quoted(k), Severity::critical, 0);
          return;
        }
        if ((data & kSecret) || (!k.empty() && is_secret_path(k) && (k.find("curl") != std::string::npos || k.find("nc ") != std::string::npos))) {
          const bool sends = !k.empty() && (k.find("curl") != std::string::npos || k.find("wget") != std::string::npos ||
                                            k.find("nc ") != std::string::npos || k.find("http") != std::string::npos);
          if (sends || (data & kSecret)) {
            emit("BH102", f, s, s.api + " hands " + describe(kSecret) + " to a command" +
                                    (sends ? " that sends it over the network" : ""),
                 sends ? Severity::critical : Severity::high, kSecret);
            return;
          }
        }
        if ((data & kDecoded) || s.decoded_constant) {
          emit("BH103", f, s, s.api + " runs a command the repository hides behind an encoding" + (k.empty() ? std::string() : ": " + quoted(k)),
               Severity::critical, s.decoded_constant ? 0u : static_cast<std::uint32_t>(kDecoded));
          return;
        }
        if (!k.empty() && runs_from_temp(k)) {
          emit("BH104", f, s, s.api + " runs a program from a temporary folder: " + quoted(k), Severity::high, 0);
          return;
        }
        if (auto cls = persistence_command(k); !k.empty() && !cls.empty()) {
          emit("BH105", f, s, s.api + " installs itself into " + cls + ": " + quoted(k), Severity::high, 0);
          return;
        }
        if (data & kUserInput) {
          emit("BH110", f, s, s.api + " runs a command built from user input", Severity::high, kUserInput);
        } else if (data & kNetwork) {
          emit("BH110", f, s, s.api + " runs " + quoted(program) + " with arguments that came over the network" +
                                  (s.shell ? ", through a shell (command injection)" : ""),
               s.shell ? Severity::high : Severity::medium, kNetwork);
        }
        return;
      }
      case Cap::fd_redirect:
        if (data & kSocket) emit("BH101", f, s, "os.dup2 puts a network socket on the process's standard streams (reverse shell)", Severity::critical, kSocket);
        return;
      case Cap::net_send:
      case Cap::net_connect: {
        const std::string host = host_of(k);
        if (!k.empty() && is_miner(k)) {
          emit("BH106", f, s, s.api + " connects to a mining pool " + quoted(k), Severity::critical, 0);
          return;
        }
        // A suspicious endpoint is worth its own finding; what is sent to it may be worse.
        if (auto why = suspicious_endpoint(k); !why.empty()) {
          emit("BH111", f, s, s.api + " talks to " + why + " (" + sanitize_utf8(k.substr(0, 120)) + ")", Severity::high, 0);
        }
        if (s.cap == Cap::net_connect) return;
        if ((data & kSecret) && !(host.size() && is_hub_or_local_host(host))) {
          emit("BH102", f, s, s.api + " sends " + describe(data & (kSecret | kSystemInfo | kCapture)) + " over the network" +
                                  (host.empty() ? std::string() : " to " + host),
               Severity::critical, kSecret);
          return;
        }
        if (data & kCapture) {
          emit("BH107", f, s, s.api + " sends captured keystrokes, clipboard or screen contents over the network", Severity::critical, kCapture);
          return;
        }
        if ((data & kSystemInfo) && !(host.size() && is_hub_or_local_host(host))) {
          emit("BH108", f, s, s.api + " reports this machine's identity (" + describe(kSystemInfo) + ") to " + (host.empty() ? "a server" : host),
               Severity::high, kSystemInfo);
        }
        return;
      }
      case Cap::file_write: {
        const std::string cls = persistence_class(k);
        if (cls.empty()) {
          if ((data & (kNetwork | kHosted | kDownload)) && is_executable_file(k)) {
            emit("BH104", f, s, s.api + " saves a downloaded executable or script (" + sanitize_utf8(k.substr(0, 120)) + ")", Severity::critical,
                 data & (kNetwork | kHosted | kDownload));
          }
          return;
        }
        constexpr std::uint32_t kExternal = kNetwork | kHosted | kDecoded | kDownload;
        const bool external = data & kExternal;
        emit("BH105", f, s, s.api + " writes " + (external ? describe(data & kExternal) + " " : std::string()) + "into " + cls + " (" +
                                sanitize_utf8(k.substr(0, 120)) + "): it runs again later, outside the model",
             external ? Severity::critical : Severity::high, external ? (data & kExternal) : 0);
        return;
      }
      case Cap::native_load:
        if (data & (kNetwork | kHosted | kDownload)) {
          emit("BH104", f, s, s.api + " loads native code downloaded at run time", Severity::critical, data & (kNetwork | kHosted | kDownload));
        }
        return;
      case Cap::make_exec:
        if (data & (kNetwork | kHosted | kDownload)) {
          emit("BH104", f, s, s.api + " makes a downloaded file executable (dropper)", Severity::critical, data & (kNetwork | kHosted | kDownload));
        }
        return;
      case Cap::capture:
        emit("BH107", f, s, s.api + " reads keystrokes, the clipboard or the screen", Severity::high, 0);
        return;
      case Cap::install: return;  // PY956 reports package installs wherever they are
      case Cap::inject:
        emit("BH104", f, s, s.api + " writes code into, or starts a thread in, another process (process injection)", Severity::critical, 0);
        return;
    }
  }

  // Download -> write -> make executable / run, in one function: a dropper even when the path is
  // computed (so the file var does not connect them).
  void droppers(std::uint32_t f) {
    const auto& m = p_.models()[f];
    std::map<std::uint32_t, const Sink*> downloads;  // scope -> a network write to an executable place
    for (const auto& s : m.sinks) {
      if (s.cap != Cap::file_write) continue;
      const std::uint32_t data = p_.value(f, s.data);
      const bool unknown_path = s.constant.empty() || s.constant.find("…") != std::string::npos;
      if ((data & (kNetwork | kHosted | kDownload)) && (unknown_path || is_executable_location(s.constant))) downloads.emplace(s.scope, &s);
    }
    for (const auto& s : m.sinks) {
      if (s.cap != Cap::make_exec && s.cap != Cap::process && s.cap != Cap::native_load) continue;
      auto it = downloads.find(s.scope);
      if (it == downloads.end() || it->second->line > s.line) continue;
      // A program started after a download runs the download only if it names it.
      if (s.cap == Cap::process) {
        const std::string& path = it->second->constant;
        const std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
        const bool unknown = base.empty() || base.find("…") != std::string::npos;
        // An unknown download path can only be named by a command built at run time.
        if (unknown ? s.constant.find("…") == std::string::npos : s.constant.find(base) == std::string::npos) continue;
        // A fixed program other than the download (bzip2, tar, unzip), alone, only reads it.
        const std::string prog = fixed_program(s.constant);
        if (!prog.empty() && !is_command_chain(s.constant) && (unknown || prog.find(base) == std::string::npos)) continue;
      }
      const std::string then = s.cap == Cap::make_exec ? "makes it executable" : s.cap == Cap::process ? "runs a program" : "loads native code";
      emit("BH104", f, *it->second, "saves a download that line " + std::to_string(s.line) + " then " + then + " (dropper)", Severity::critical,
           kNetwork | kHosted | kDownload);
      emit("BH104", f, s, "downloads a file (line " + std::to_string(it->second->line) + ") and then " + then + " (dropper)", Severity::critical,
           kNetwork | kHosted | kDownload, &it->second->data);
    }
  }

  void payload(std::uint32_t f, const FileModel::Payload& pl) {
    if (pl.kind != "pickle") return;  // python payloads are analysed by the engine as code; shell by the process rule
    std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(pl.bytes.data()), pl.bytes.size());
    if (!pickle::looks_like_pickle(bytes) && !pickle::starts_like_pickle(bytes)) return;
    pickle::PickleLimits lim;
    lim.max_opcodes = 1'000'000;
    lim.max_seconds = 2;
    const auto report = pickle::analyze(bytes, lim);
    for (const auto& g : report.globals) {
      const auto c = pickle::classify_global(g.module, g.name, g.call_count > 0);
      if (c.verdict != pickle::Verdict::dangerous) continue;
      Sink s;
      s.cap = Cap::deserialize;
      s.line = pl.line;
      s.api = pl.via;
      s.constant = g.first_call.empty() ? g.module + "." + g.name : g.first_call;
      emit("BH109", f, s, pl.via + " unpickles a pickle embedded in the code that calls " + g.module + "." + g.name +
                              (g.first_call.empty() ? std::string() : " (" + sanitize_utf8(g.first_call.substr(0, 120)) + ")"),
           Severity::critical, 0);
      return;
    }
  }

  const Program& p_;
  std::vector<Finding> out_;
  std::set<std::tuple<std::string, std::string, std::uint32_t>> emitted_;
};

}  // namespace

std::vector<Finding> analyse_repository(const std::vector<FileModel>& models, const py::Reachability& reach, unsigned threads) {
  if (models.empty()) return {};
  Program program(models, reach, threads);
  return Judge(program).run();
}

}  // namespace mg::behaviour
