#include "python/load_calls.hpp"

#include <algorithm>
#include <set>

namespace mg::py {

namespace {

bool is_hex40(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  }
  return true;
}

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

// The callee as a dotted name ("torch.hub.load"); "" for anything else (a call's result, a subscript).
std::string dotted(const Tree& tree, TSNode n) {
  std::string out;
  for (int i = 0; i < 32 && is(n, "attribute"); ++i) {
    out = "." + std::string(tree.text(field(n, "attribute"))) + out;
    n = field(n, "object");
  }
  if (is(n, "identifier")) return std::string(tree.text(n)) + out;
  if (is(n, "call") && !out.empty()) return "()" + out;  // super().from_pretrained, get_cls().from_pretrained
  return {};
}

struct Args {
  std::vector<TSNode> positional;
  std::vector<std::pair<std::string_view, TSNode>> keywords;
  TSNode keyword(std::string_view name) const {
    for (const auto& [k, v] : keywords) {
      if (k == name) return v;
    }
    return TSNode{};
  }
};

Args args_of(const Tree& tree, TSNode call) {
  Args a;
  TSNode list = field(call, "arguments");
  if (!is(list, "argument_list")) return a;
  const std::uint32_t n = ts_node_named_child_count(list);
  for (std::uint32_t i = 0; i < n; ++i) {
    TSNode c = ts_node_named_child(list, i);
    if (is(c, "keyword_argument")) a.keywords.emplace_back(tree.text(field(c, "name")), field(c, "value"));
    else if (is(c, "comment")) continue;
    else if (!is(c, "list_splat") && !is(c, "dictionary_splat")) a.positional.push_back(c);
  }
  return a;
}

enum class Kind : unsigned char { none, torch_hub, from_pretrained, pipeline, download };

Kind kind_of(std::string_view callee) {
  const auto dot = callee.rfind('.');
  const std::string_view tail = dot == std::string_view::npos ? callee : callee.substr(dot + 1);
  if (callee == "torch.hub.load" || ends_with(callee, ".hub.load") || callee == "hub.load") return Kind::torch_hub;
  if (tail == "from_pretrained") return Kind::from_pretrained;
  if (tail == "pipeline") return Kind::pipeline;
  if (tail == "snapshot_download" || tail == "hf_hub_download") return Kind::download;
  return Kind::none;
}

// Depth-first order for an explicit stack. named_children walks the children once;
// ts_node_named_child(n, i) starts from the first child on every call (quadratic on a long module).
void push_children_reversed(TSNode n, std::vector<TSNode>& stack) {
  const NodeList kids = named_children(n);
  for (std::size_t i = kids.size(); i-- > 0;) stack.push_back(kids[i]);
}

// Names this file binds from modelscope (`from modelscope.pipelines import pipeline`,
// `import modelscope as ms`), so `pipeline(...)` and `Model.from_pretrained(...)` go to ModelScope.
std::set<std::string, std::less<>> modelscope_names(const Tree& tree) {
  std::set<std::string, std::less<>> names;
  if (tree.text(tree.root()).find("modelscope") == std::string_view::npos) return names;
  std::vector<TSNode> stack{tree.root()};
  while (!stack.empty()) {
    TSNode n = stack.back();
    stack.pop_back();
    if (is(n, "import_from_statement")) {
      const std::string_view mod = tree.text(field(n, "module_name"));
      if (mod != "modelscope" && mod.substr(0, 11) != "modelscope.") continue;
      const std::uint32_t count = ts_node_named_child_count(n);
      for (std::uint32_t i = 1; i < count; ++i) {
        TSNode c = ts_node_named_child(n, i);
        if (is(c, "aliased_import")) names.emplace(tree.text(field(c, "alias")));
        else if (is(c, "dotted_name")) names.emplace(tree.text(c));
      }
      continue;
    }
    if (is(n, "import_statement")) {
      const std::uint32_t count = ts_node_named_child_count(n);
      for (std::uint32_t i = 0; i < count; ++i) {
        TSNode c = ts_node_named_child(n, i);
        std::string_view mod = tree.text(is(c, "aliased_import") ? field(c, "name") : c);
        if (mod != "modelscope" && mod.substr(0, 11) != "modelscope.") continue;
        names.emplace(is(c, "aliased_import") ? tree.text(field(c, "alias")) : std::string_view("modelscope"));
      }
      continue;
    }
    push_children_reversed(n, stack);
  }
  return names;
}

void read_call(const Tree& tree, TSNode call, const std::set<std::string, std::less<>>& ms_names, std::vector<CrossRepoCall>& out) {
  const std::string callee = dotted(tree, field(call, "function"));
  const Kind kind = kind_of(callee);
  if (kind == Kind::none) return;
  const Args args = args_of(tree, call);
  CrossRepoCall c;
  c.line = line_of(call);
  c.column = column_of(call);
  {
    const std::string_view src = tree.source();
    std::size_t b = ts_node_start_byte(call);
    while (b > 0 && src[b - 1] != '\n') --b;
    std::size_t e = src.find('\n', b);
    if (e == std::string_view::npos) e = src.size();
    std::string_view l = src.substr(b, e - b);
    while (!l.empty() && (l.front() == ' ' || l.front() == '\t')) l.remove_prefix(1);
    while (!l.empty() && (l.back() == ' ' || l.back() == '\r')) l.remove_suffix(1);
    c.snippet = std::string(l.substr(0, 200));
  }
  c.callee = callee;
  const std::string base = callee.substr(0, callee.find('.'));
  const bool modelscope = ms_names.count(base) != 0;

  TSNode id;
  switch (kind) {
    case Kind::torch_hub: {
      c.loader = "torch.hub";
      id = args.positional.empty() ? args.keyword("repo_or_dir") : args.positional[0];
      // source="local" loads a directory: no other repository.
      if (auto src = string_value(tree, args.keyword("source")); src && *src == "local") return;
      break;
    }
    case Kind::from_pretrained:
      c.loader = modelscope ? "modelscope" : "transformers";
      id = args.positional.empty() ? args.keyword("pretrained_model_name_or_path") : args.positional[0];
      if (ts_node_is_null(id)) id = args.keyword("model_name_or_path");
      if (ts_node_is_null(id)) id = args.keyword("model_id");
      break;
    case Kind::pipeline:
      c.loader = modelscope ? "modelscope" : "transformers";
      id = args.keyword("model");
      if (ts_node_is_null(id) && args.positional.size() > 1) id = args.positional[1];
      break;
    case Kind::download:
      c.loader = modelscope ? "modelscope" : "huggingface_hub";
      id = args.positional.empty() ? args.keyword("repo_id") : args.positional[0];
      if (ts_node_is_null(id)) id = args.keyword("model_id");
      break;
    case Kind::none: return;
  }
  if (ts_node_is_null(id)) return;  // pipeline(task) with its default model, or a call with **kwargs only

  if (TSNode trust = args.keyword("trust_remote_code"); !ts_node_is_null(trust)) {
    if (is(trust, "true")) c.trust_remote_code = true;
    else if (!is(trust, "false") && !is(trust, "none")) c.trust_computed = true;
  }
  if (auto rev = string_value(tree, args.keyword("code_revision"))) c.revision = *rev;
  else if (auto rev2 = string_value(tree, args.keyword("revision"))) c.revision = *rev2;

  if (auto value = string_value(tree, id)) {
    std::string v = *value;
    if (kind == Kind::torch_hub) {
      if (const auto colon = v.find(':'); colon != std::string::npos) {
        c.revision = v.substr(colon + 1);
        v.resize(colon);
      }
    }
    // Local paths and single-name ids are not another repository we can name.
    if (!looks_like_repo_id(v)) return;
    c.repo = std::move(v);
  } else {
    // A computed id that only loads weights is everywhere in modelling code (from_pretrained of the
    // caller's own path); one that pulls code is worth recording.
    if (!c.pulls_code()) return;
    c.computed = true;
  }
  out.push_back(std::move(c));
}

}  // namespace

bool CrossRepoCall::pinned() const { return is_hex40(revision); }

bool looks_like_repo_id(std::string_view id) {
  const auto slash = id.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= id.size()) return false;
  if (id.find('/', slash + 1) != std::string_view::npos || id.find("..") != std::string_view::npos) return false;
  if (id.front() == '.' || id.front() == '-') return false;
  for (char ch : id) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' || ch == '/';
    if (!ok) return false;
  }
  return id.size() <= 200;
}

bool may_call_other_repo(std::string_view source) {
  for (std::string_view needle : {"from_pretrained", "hub.load", "pipeline", "_download"}) {
    if (source.find(needle) != std::string_view::npos) return true;
  }
  return false;
}

std::vector<CrossRepoCall> extract_cross_repo_calls(const Tree& tree) {
  std::vector<CrossRepoCall> out;
  if (!tree) return out;
  // Every call kind_of() accepts names one of these identifiers in its callee chain
  // (`X.from_pretrained`, `pipeline`, `torch.hub.load`, `snapshot_download`...). The calls are found
  // from where the names occur in the text, not by walking the whole tree.
  const std::string_view src = tree.source();
  const TSNode root = tree.root();
  std::vector<TSNode> calls;
  for (std::string_view name : {std::string_view("from_pretrained"), std::string_view("pipeline"), std::string_view("snapshot_download"),
                                std::string_view("hf_hub_download"), std::string_view("hub")}) {
    for (std::size_t at = src.find(name); at != std::string_view::npos; at = src.find(name, at + 1)) {
      TSNode n = ts_node_named_descendant_for_byte_range(root, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(at + name.size()));
      if (!is(n, "identifier") || tree.text(n) != name) continue;  // inside a string, a comment, a longer name
      for (int depth = 0; depth < 64; ++depth) {  // up the attribute chain to the call it names
        const TSNode parent = ts_node_parent(n);
        if (is(parent, "attribute")) {
          n = parent;
          continue;
        }
        if (is(parent, "call") && ts_node_eq(field(parent, "function"), n)) calls.push_back(parent);
        break;
      }
    }
  }
  if (calls.empty()) return out;
  // Source order, an enclosing call before the calls inside it (as a tree walk meets them).
  std::sort(calls.begin(), calls.end(), [](TSNode a, TSNode b) {
    const auto sa = ts_node_start_byte(a), sb = ts_node_start_byte(b);
    return sa != sb ? sa < sb : ts_node_end_byte(a) > ts_node_end_byte(b);
  });
  calls.erase(std::unique(calls.begin(), calls.end(), [](TSNode a, TSNode b) { return ts_node_eq(a, b); }), calls.end());
  const auto ms_names = modelscope_names(tree);
  for (const TSNode c : calls) read_call(tree, c, ms_names, out);
  return out;
}

std::vector<CrossRepoCall> read_cross_repo_calls(Parser& parser, std::string_view source) {
  if (!may_call_other_repo(source)) return {};
  Tree tree = parser.parse(source);
  return extract_cross_repo_calls(tree);
}

}  // namespace mg::py
