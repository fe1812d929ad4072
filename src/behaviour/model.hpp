// What the behaviour engine keeps of one Python file after its tree is gone: per scope (module
// body, class bodies, functions), equations saying where each variable's data comes from, the call
// sites that may reach other repository functions, the sources (secrets, network responses,
// system facts, decoded constants) and the sinks (exec, processes, network sends, file writes...).
// The repository stage (behaviour.hpp) links files through the call graph and solves the
// equations; the model itself is flow-insensitive: a variable holds everything ever assigned to it.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mg::behaviour {

// Where data comes from (bits of a provenance mask).
enum Prov : std::uint32_t {
  kEnv = 1u << 0,         // an environment variable
  kSecret = 1u << 1,      // a credential: token variables, the whole environment, credential files
  kNetwork = 1u << 2,     // a network response
  kUserInput = 1u << 3,   // input(), sys.argv, stdin
  kDecoded = 1u << 4,     // produced by a decoder or an obfuscation step
  kSystemInfo = 1u << 5,  // host name, user, machine id, OS, addresses
  kCapture = 1u << 6,     // keystrokes, clipboard, screen
  kSocket = 1u << 7,      // a connected socket (an object, not data)
  kDownload = 1u << 8,    // a file fetched from the network (a path whose content came over the wire)
  // A response from a model hub or code host the code names (huggingface.co, github.com,
  // download.pytorch.org...): what the repository's authors publish, like its own files.
  kHosted = 1u << 9,
};
std::string describe(std::uint32_t mask);  // "a secret, a network response"

enum class TermKind : std::uint8_t {
  bits,    // a: the mask
  var,     // a: variable index
  call,    // a: call-site index (its result)
  source,  // a: source index
  arg,     // a: call-site index, b: argument position (a parameter fed by a call)
  kwarg,   // a: call-site index, b: keyword index
};

struct Term {
  TermKind kind = TermKind::bits;
  std::uint32_t a = 0;
  std::uint32_t b = 0;
  std::uint32_t line = 0;  // where the reference occurs (evidence)
};
using Terms = std::vector<Term>;  // a list being built

// A run of one of FileModel's pools (terms, text, param_vars, arg_lists, kwarg_lists). A model holds its lists
// end to end in those pools instead of a vector each: a repository has hundreds of thousands of
// them, all held until the behaviour stage.
struct Range {
  std::uint32_t first = 0;
  std::uint32_t size = 0;
};

struct Var {
  std::uint32_t scope = 0;
  Range name;   // text: "x"; instance attributes "self.x" live in the class scope
  Range terms;  // terms
};

struct Scope {
  Range name;                 // text: "<module>", "Model", "Model.__init__"
  std::uint32_t leaf = 0;     // length of the last name, at the end of `name`
  int parent = -1;
  bool is_class = false;
  std::uint32_t body_first_line = 0;  // matches py::DefFact::body.first
  Range params;                       // param_vars: in order, self/cls included
  std::uint32_t ret_var = 0;          // variable "$return"
};

struct Kwarg {
  Range name;   // text
  Range terms;  // terms
};

struct CallSite {
  std::uint32_t scope = 0;
  std::uint32_t line = 0;
  Range ref;       // text, as reachability names references: "f", "self.m", "mod.f", "super.m", ".m"
  Range args;      // arg_lists: a term range per positional argument
  Range kwargs;    // kwarg_lists
  Range receiver;  // terms: what the call's object carries, for calls that resolve to no repository code
  bool callback = false;  // a function handed to Thread/Timer/atexit/submit...: no return value
  // The receiver is an object of unknown type (`.m`, or a local variable's method): data flow links
  // it only to a single, distinctively named repository method (dict.get is not Cache.get).
  bool unknown_receiver = false;
  // A bare function named like a decoder (`decode(x)`, `decrypt(x)`): when it resolves to no
  // repository code, its result is decoded data.
  bool decoder_name = false;
};

struct Source {
  std::uint32_t mask = 0;
  std::uint32_t line = 0;
  std::string what;  // "environment variable HF_TOKEN", "credential file ~/.ssh/id_rsa"
};

enum class Cap : std::uint8_t {
  exec,         // exec/eval/compile/runpy: data becomes code
  import_code,  // a module imported from a computed name or a file path
  deserialize,  // pickle/marshal/dill/yaml.load/torch.load of bytes
  process,      // a process starts (data: the command)
  fd_redirect,  // os.dup2 of a socket onto stdio
  net_send,     // data leaves over the network (HTTP, sockets, DNS names, mail)
  net_connect,  // a connection is opened (data: the address)
  file_write,   // data written to a path (aux: the path)
  make_exec,    // chmod +x
  native_load,  // a shared library is loaded or built (data: the path)
  capture,      // keystrokes, clipboard or screen read
  install,      // a package is installed at run time
  inject,       // code written into or started in another process
};
std::string_view to_string(Cap c);

struct Sink {
  Cap cap = Cap::exec;
  std::uint32_t scope = 0;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string api;       // "os.system", "requests.post"
  std::string constant;  // the constant command, path or URL when known (bounded)
  Range data;            // terms: what flows in (command, payload, code)
  Range aux;             // terms: stdio streams of a process, the target path of a write
  bool shell = false;    // the command goes through a shell
  bool decoded_constant = false;  // `constant` came out of a decoder
  bool hidden_name = false;       // the callee was reached through a computed name (getattr, __dict__...)
  // Deserializers: 1 when told to rebuild plain data only (weights_only=True, SafeLoader), 2 when
  // current releases do so by default (torch.load since torch 2.6).
  std::uint8_t restricted = 0;
};

struct FileModel {
  std::string path;
  std::vector<Scope> scopes;  // 0 = module body
  std::vector<Var> vars;
  std::vector<CallSite> calls;
  std::vector<Source> sources;
  std::vector<Sink> sinks;
  // The pools the Ranges above point into.
  std::vector<Term> terms;
  std::string text;               // scope, variable and keyword names, call references
  std::vector<std::uint32_t> param_vars;  // Scope::params: variable indices (their names are the parameters')
  std::vector<Range> arg_lists;   // CallSite::args: a range of terms each
  std::vector<Kwarg> kwarg_lists;

  std::span<const Term> terms_of(Range r) const { return {terms.data() + r.first, r.size}; }
  std::string_view text_of(Range r) const { return std::string_view(text).substr(r.first, r.size); }
  std::span<const Range> args_of(const CallSite& c) const { return {arg_lists.data() + c.args.first, c.args.size}; }
  std::span<const Kwarg> kwargs_of(const CallSite& c) const { return {kwarg_lists.data() + c.kwargs.first, c.kwargs.size}; }
  std::span<const std::uint32_t> params_of(const Scope& s) const { return {param_vars.data() + s.params.first, s.params.size}; }
  std::string_view var_name(std::uint32_t v) const { return text_of(vars[v].name); }
  std::string_view name_of(const Scope& s) const { return text_of(s.name); }
  std::string_view leaf_of(const Scope& s) const { return name_of(s).substr(s.name.size - s.leaf); }

  // Constant payloads the file decodes and runs (exec of decoded source, loads of embedded
  // pickles): analysed in turn by the engines.
  struct Payload {
    std::uint32_t line = 0;
    std::string kind;  // "python" | "pickle"
    std::string bytes;
    std::string via;   // the sink's API
  };
  std::vector<Payload> payloads;
};

// Code that was decoded out of a constant runs where the constant is run: every line of its model
// becomes `line`, and its scopes match no definition of the file.
void relocate(FileModel& m, std::uint32_t line);

}  // namespace mg::behaviour
