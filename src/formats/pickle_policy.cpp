#include "formats/pickle_policy.hpp"

#include <algorithm>
#include <vector>

namespace mg::pickle {

namespace {

// Modules that run code, spawn processes, touch files or the network, or load further pickles.
// Matched against every dotted component of module + name, so submodules (asyncio.unix_events),
// dotted names (pathlib + "os.system") and aliases (posix, nt, _operator) all hit.
constexpr std::string_view kDangerousComponents[] = {
    "os", "posix", "nt", "subprocess", "_posixsubprocess", "_winapi", "sys", "pty", "tty",
    "pickle", "_pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve",
    "shutil", "socket", "_socket", "ssl", "_ssl", "select", "selectors", "runpy", "code", "codeop",
    "ctypes", "_ctypes", "cffi", "importlib", "_imp", "imp", "pkgutil", "zipimport", "multiprocessing",
    "_multiprocessing", "asyncio", "threading", "_thread", "concurrent", "signal", "pdb", "bdb",
    "trace", "cProfile", "profile", "_lsprof", "timeit", "pydoc", "pydoc_data", "pip", "_pip",
    "ensurepip", "venv", "webbrowser", "idlelib", "lib2to3", "doctest", "unittest", "_interpreters",
    "_xxsubinterpreters", "interpreters", "urllib", "urllib2", "urllib3", "http", "httplib", "requests",
    "aiohttp", "httpx", "ftplib", "smtplib", "imaplib", "poplib", "nntplib", "telnetlib", "socketserver",
    "xmlrpc", "mailcap", "tempfile", "glob", "dbm", "sqlite3", "tarfile", "zipfile", "atexit", "gc",
    "site", "sitecustomize", "inspect", "linecache", "logging", "_osx_support", "_aix_support",
    "_pyrepl", "test", "distutils", "setuptools", "getpass", "resource", "syslog", "mmap",
    "py_compile", "compileall", "weakref", "_weakref", "fickling", "picklescan", "modelscan",
    "modelaudit", "model_unpickler", "saferpickle", "operator", "_operator", "functools", "types",
    "io", "_io", "codecs", "commands", "popen2", "crypt", "xml", "gzip", "bz2", "lzma", "tkinter",
    "turtle", "ftplib", "wsgiref", "cgi", "cgitb", "sched", "readline", "rlcompleter", "_signal",
};

// Dotted prefixes that are dangerous although their first component is an ML library.
constexpr std::string_view kDangerousPrefixes[] = {
    "torch.load", "torch.serialization.load", "torch.storage._load_from_bytes", "torch.hub",
    "torch.jit", "torch._inductor", "torch._dynamo", "torch.utils.bottleneck", "torch.utils.collect_env",
    "torch.utils._config_module", "torch.utils.data.datapipes", "torch.fx.experimental.symbolic_shapes",
    "torch.distributed", "torch.package", "torch.ops", "torch.classes", "torch.cuda.memory",
    "numpy.f2py", "numpy.testing", "numpy.load", "numpy.lib.npyio", "numpy.distutils", "numpy.ctypeslib",
    "numpy.lib.format.read_array", "mlflow.projects", "pandas.io", "pandas.read_", "joblib.load",
    "joblib.numpy_pickle.load", "keras.models.load_model", "keras.saving", "keras.src.saving",
    "keras.src.models.model.model_from_json", "tf_keras.models.load_model", "tf_keras.src.saving",
    "tensorflow.keras.models.load_model", "tensorflow.io", "tensorflow.python.platform.gfile",
    "copyreg.add_extension", "uuid._",
};

// Builtins that are plain data types; every other builtin is a function or a gadget.
constexpr std::string_view kBuiltinTypes[] = {
    "set", "frozenset", "list", "dict", "tuple", "bytearray", "bytes", "str", "int", "float",
    "complex", "bool", "slice", "range", "xrange", "object", "NoneType", "unicode", "long", "basestring",
};

constexpr std::string_view kDangerousBuiltins[] = {
    "eval", "exec", "execfile", "compile", "open", "__import__", "getattr", "setattr", "delattr",
    "globals", "locals", "vars", "breakpoint", "input", "apply", "help", "exit", "quit", "memoryview",
    "type", "super", "reload",
};

// Exact (module, name) pairs real checkpoints use: torch state_dicts, numpy arrays and dtypes,
// joblib arrays, the rebuild helpers, containers.
constexpr std::string_view kAllowed[] = {
    "collections.OrderedDict", "collections.defaultdict", "collections.Counter", "collections.deque",
    "copyreg._reconstructor", "_codecs.encode", "datetime.datetime", "datetime.date",
    "datetime.time", "datetime.timedelta", "datetime.timezone", "decimal.Decimal", "fractions.Fraction",
    "argparse.Namespace", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePosixPath",
    "pathlib.PureWindowsPath", "re._compile", "enum.Enum",
    "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor_v3",
    "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    "torch._utils._rebuild_qtensor", "torch._utils._rebuild_sparse_tensor",
    "torch._utils._rebuild_sparse_csr_tensor", "torch._utils._rebuild_device_tensor_from_numpy",
    "torch._utils._rebuild_meta_tensor_no_storage", "torch._utils._rebuild_wrapper_subclass",
    "torch._utils._rebuild_nested_tensor", "torch._utils._rebuild_xla_tensor",
    "torch._tensor._rebuild_from_type_v2", "torch._tensor._rebuild_from_type", "torch.Size",
    "torch.device", "torch.Tensor", "torch.nn.parameter.Parameter", "torch.nn.Parameter",
    "torch.serialization._get_layout", "torch.strided", "torch.sparse_coo", "torch.sparse_csr",
    "torch.per_tensor_affine", "torch.per_channel_affine", "torch.channels_last", "torch.contiguous_format",
    "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.BFloat16Storage",
    "torch.LongStorage", "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage",
    "torch.ByteStorage", "torch.BoolStorage", "torch.ComplexFloatStorage", "torch.ComplexDoubleStorage",
    "torch.QInt8Storage", "torch.QUInt8Storage", "torch.QInt32Storage", "torch.QUInt4x2Storage",
    "torch.QUInt2x4Storage", "torch.UntypedStorage", "torch.storage.UntypedStorage",
    "torch.storage.TypedStorage", "torch.float32", "torch.float16", "torch.bfloat16", "torch.float64",
    "torch.int64", "torch.int32", "torch.int16", "torch.int8", "torch.uint8", "torch.bool",
    "torch.complex64", "torch.complex128", "torch.float8_e4m3fn", "torch.float8_e5m2",
    "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct", "numpy.ndarray",
    "numpy.dtype", "numpy.core.multiarray.scalar", "numpy._core.multiarray.scalar",
    "numpy.core.numeric._frombuffer", "numpy._core.numeric._frombuffer", "numpy.ma.core._mareconstruct",
    "numpy.ma.core.MaskedArray", "numpy.matrixlib.defmatrix.matrix", "numpy.matrix", "numpy.core.memmap.memmap",
    "numpy.random._pickle.__randomstate_ctor", "numpy.random._pickle.__bit_generator_ctor",
    "numpy.random._pickle.__generator_ctor",
    "joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper",
};

// Libraries whose classes hold fitted models; accepted only when the stream instantiates them
// (NEWOBJ, copyreg._reconstructor), never when it calls them.
constexpr std::string_view kClassPrefixes[] = {
    "sklearn.", "scipy.sparse.", "xgboost.", "lightgbm.", "catboost.", "numpy.dtypes.", "pandas.core.",
    "tokenizers.",
};

template <std::size_t N>
bool in(std::string_view s, const std::string_view (&set)[N]) {
  return std::find(std::begin(set), std::end(set), s) != std::end(set);
}

std::vector<std::string_view> components(std::string_view dotted) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    auto dot = dotted.find('.', start);
    if (dot == std::string_view::npos) dot = dotted.size();
    out.push_back(dotted.substr(start, dot - start));
    start = dot + 1;
  }
  return out;
}

bool is_dunder(std::string_view c) { return c.size() > 4 && c.substr(0, 2) == "__" && c.substr(c.size() - 2) == "__"; }

bool is_class_name(std::string_view n) {
  if (n.empty() || n[0] < 'A' || n[0] > 'Z') return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "torch.jit" matches torch.jit and torch.jit.x, not torch.jitter; "uuid._" matches any private name.
bool prefix_match(std::string_view whole, std::string_view p) {
  if (!starts_with(whole, p)) return false;
  if (whole.size() == p.size() || p.back() == '_' || p.back() == '.') return true;
  return whole[p.size()] == '.';
}

}  // namespace

std::string canonical_module(std::string_view module) {
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"__builtin__", "builtins"}, {"exceptions", "builtins"}, {"copy_reg", "copyreg"},
      {"_operator", "operator"},   {"posix", "os"},           {"nt", "os"},
      {"_pickle", "pickle"},       {"cPickle", "pickle"},     {"_io", "io"},
      {"_codecs", "_codecs"},      {"__main__", "__main__"},  {"UserDict", "collections"},
      {"_collections", "collections"}, {"Queue", "queue"},    {"cStringIO", "io"},
      {"StringIO", "io"},          {"_functools", "functools"}, {"_socket", "socket"},
      {"_posixsubprocess", "subprocess"},
  };
  for (auto [from, to] : kAliases) {
    if (module == from) return std::string(to);
    // Submodules of an alias keep their tail.
    if (module.size() > from.size() && starts_with(module, from) && module[from.size()] == '.') {
      return std::string(to) + std::string(module.substr(from.size()));
    }
  }
  return std::string(module);
}

bool is_bytes_loader(std::string_view module_in, std::string_view name) {
  const std::string module = canonical_module(module_in);
  if (module == "pickle") return name == "loads";
  return (module == "torch.storage" && name == "_load_from_bytes") || (module == "dill" && name == "loads") ||
         (module == "cloudpickle" && name == "loads");
}

bool is_torchscript_class(std::string_view module, std::string_view name) {
  if (module != "__torch__" && !starts_with(module, "__torch__.")) return false;
  const auto ident = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    });
  };
  return ident(module) && ident(name);
}

bool is_torchscript_helper(std::string_view module, std::string_view name) {
  static constexpr std::string_view kHelpers[] = {"build_intlist", "build_tensorlist", "build_doublelist",
                                                  "build_boollist", "build_tensor_from_id", "restore_type_tag"};
  return module == "torch.jit._pickle" && in(name, kHelpers);
}

Classification classify_global(std::string_view module_in, std::string_view name, bool called) {
  const std::string module = canonical_module(module_in);
  const std::string full = module + "." + std::string(name);
  const std::string raw_full = std::string(module_in) + "." + std::string(name);

  // Empty or malformed names cannot be audited.
  if (module_in.empty() || name.empty()) return {Verdict::dangerous, "empty module or name"};

  // 1. Denylist first, so nothing allowlisted can shadow it (model-formats.md §3.E5).
  if (module == "builtins") {
    const auto first = components(name).front();
    if (in(first, kDangerousBuiltins)) return {Verdict::dangerous, "builtin " + std::string(first)};
    if (name.find('.') != std::string_view::npos && !in(first, kBuiltinTypes)) {
      return {Verdict::dangerous, "attribute chain on builtins"};
    }
  }
  for (const std::string* whole : {&full, &raw_full}) {
    for (auto c : components(*whole)) {
      if (c.empty()) return {Verdict::dangerous, "empty dotted component"};
      if (in(c, kDangerousComponents)) return {Verdict::dangerous, "module " + std::string(c)};
      if (is_dunder(c) && c != "__main__" && c != "__builtin__") {
        return {Verdict::dangerous, "attribute " + std::string(c)};
      }
    }
    for (auto p : kDangerousPrefixes) {
      if (prefix_match(*whole, p)) return {Verdict::dangerous, "gadget " + std::string(p)};
    }
  }
  // 2. Allowlist: exact names only.
  if (module == "builtins") {
    if (in(name, kBuiltinTypes)) return {Verdict::allowed, "builtin type"};
    return {Verdict::unknown, "builtin outside the data types"};
  }
  if (in(std::string_view(full), kAllowed) || in(std::string_view(raw_full), kAllowed)) {
    return {Verdict::allowed, "allowlisted"};
  }
  if (!called && is_class_name(name)) {
    for (auto p : kClassPrefixes) {
      if (starts_with(full, p)) return {Verdict::allowed, "class instantiated without a call"};
    }
  }
  // 3. Everything else fails closed.
  return {Verdict::unknown, "not on the allowlist"};
}

}  // namespace mg::pickle
