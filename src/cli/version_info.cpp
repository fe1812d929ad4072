#include "cli/version_info.hpp"

#include <archive.h>
#include <curl/curl.h>
#include <hdf5.h>
#include <libpq-fe.h>
#include <lz4.h>
#include <openssl/crypto.h>
#include <seccomp.h>
#include <sqlite3.h>
#include <yara/libyara.h>
#include <zlib.h>
#if defined(MODELGATE_MIMALLOC)
#include <mimalloc.h>
#endif

#include <CLI/Version.hpp>
#include <fmt/core.h>

#include <string>
#include <utility>
#include <vector>

#include "cli/enforce_common.hpp"
#include "core/json_writer.hpp"
#include "core/rule.hpp"
#include "report/report.hpp"
#include "study/store.hpp"

// Set by cmake/Packaging.cmake for the modelgate target; a build without them still says so.
#ifndef MODELGATE_BUILD_TYPE
#define MODELGATE_BUILD_TYPE "unknown"
#endif
#ifndef MODELGATE_BUILD_LTO
#define MODELGATE_BUILD_LTO 0
#endif
#ifndef MODELGATE_BUILD_PGO
#define MODELGATE_BUILD_PGO "unknown"
#endif
#ifndef MODELGATE_BUILD_SANITIZE
#define MODELGATE_BUILD_SANITIZE 0
#endif
#ifndef MODELGATE_BUILD_TREE_ARENA
#define MODELGATE_BUILD_TREE_ARENA 1
#endif
#ifndef MODELGATE_TS_PYTHON_VERSION
#define MODELGATE_TS_PYTHON_VERSION "unknown"
#endif

namespace mg {

namespace {

std::string compiler() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

struct Library {
  std::string name;
  std::string version;
};

// Versions reported by the shared libraries actually loaded (a distribution update changes them
// without a rebuild); YARA, fmt and CLI11 have no run-time query, so theirs are the headers'.
std::vector<Library> libraries() {
  std::vector<Library> libs;
  libs.push_back({"libyara", std::to_string(YR_MAJOR_VERSION) + "." + std::to_string(YR_MINOR_VERSION) + "." +
                                 std::to_string(YR_MICRO_VERSION)});
  std::string archive = archive_version_string();  // "libarchive 3.6.2"
  if (archive.rfind("libarchive ", 0) == 0) archive.erase(0, 11);
  libs.push_back({"libarchive", archive});
  libs.push_back({"openssl", OpenSSL_version(OPENSSL_VERSION)});
  libs.push_back({"libcurl", curl_version_info(CURLVERSION_NOW)->version});
  libs.push_back({"sqlite", sqlite3_libversion()});
  const int pq = PQlibVersion();  // 150010 = 15.10
  libs.push_back({"libpq", std::to_string(pq / 10000) + "." + std::to_string(pq % 10000)});
  const scmp_version* sc = seccomp_version();
  libs.push_back({"libseccomp", std::to_string(sc->major) + "." + std::to_string(sc->minor) + "." + std::to_string(sc->micro)});
  unsigned h5_major = 0, h5_minor = 0, h5_release = 0;
  H5get_libversion(&h5_major, &h5_minor, &h5_release);
  libs.push_back({"libhdf5", std::to_string(h5_major) + "." + std::to_string(h5_minor) + "." + std::to_string(h5_release)});
  libs.push_back({"liblz4", LZ4_versionString()});
  libs.push_back({"zlib", zlibVersion()});
  libs.push_back({"tree-sitter-python", MODELGATE_TS_PYTHON_VERSION});
  libs.push_back({"fmt", std::to_string(FMT_VERSION / 10000) + "." + std::to_string(FMT_VERSION / 100 % 100) + "." +
                             std::to_string(FMT_VERSION % 100)});
  libs.push_back({"cli11", CLI11_VERSION});
#if defined(MODELGATE_MIMALLOC)
  const int mi = mi_version();  // 209 = 2.0.9
  libs.push_back({"mimalloc", std::to_string(mi / 100) + "." + std::to_string(mi / 10 % 10) + "." + std::to_string(mi % 10)});
#endif
  return libs;
}

std::size_t rule_count() { return RuleRegistry::builtin().all().size(); }

}  // namespace

std::string version_text() {
  std::string out = std::string(kToolName) + " " + kToolVersion + "\n";
  out += "rules: " + std::to_string(rule_count()) + " (lockfile rule set " + cli::rules_version() + ", study store " +
         study::rules_version() + ")\n";
  out += "compiler: " + compiler() + "\n";
  out += std::string("build: ") + MODELGATE_BUILD_TYPE + ", LTO " + (MODELGATE_BUILD_LTO ? "on" : "off") + ", PGO " +
         MODELGATE_BUILD_PGO + (MODELGATE_BUILD_SANITIZE ? ", ASan+UBSan" : "") + "\n";
  out += "libraries:";
  for (const auto& lib : libraries()) out += " " + lib.name + " " + lib.version + ",";
  out.back() = '\n';
  return out;
}

std::string version_json() {
  JsonWriter w(true);
  w.begin_object();
  w.key("name").value(kToolName).key("version").value(kToolVersion);
  w.key("rules").begin_object();
  w.key("count").value(static_cast<std::uint64_t>(rule_count()));
  w.key("lockfile_rules_version").value(cli::rules_version());
  w.key("study_rules_version").value(study::rules_version());
  w.end_object();
  w.key("build").begin_object();
  w.key("compiler").value(compiler()).key("build_type").value(MODELGATE_BUILD_TYPE);
  w.key("lto").value(static_cast<bool>(MODELGATE_BUILD_LTO)).key("pgo").value(MODELGATE_BUILD_PGO);
  w.key("sanitizers").value(static_cast<bool>(MODELGATE_BUILD_SANITIZE));
  w.key("tree_arena").value(static_cast<bool>(MODELGATE_BUILD_TREE_ARENA));
  w.end_object();
  w.key("libraries").begin_object();
  for (const auto& lib : libraries()) w.key(lib.name).value(lib.version);
  w.end_object();
  w.end_object();
  return w.take() + "\n";
}

}  // namespace mg
