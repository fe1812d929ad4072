// The yara engine: bundled rules (rules/yara/<ID>-<slug>/rule.yar) and user rules over a snapshot's
// source, config and documentation files. One finding per matching rule and file, located at the
// earliest matching non-private string.
//
// What it scans (by file name; see yara_file_kind):
//   code    .py .pyi .pyw .pyx .pxd .pxi .ipynb .sh .bash .zsh .bat .cmd .ps1 .js .mjs .rb .pl .lua,
//           text files without an extension and text .pth files (both up to 1 MiB)
//   config  .json .yaml .yml .toml .cfg .ini .conf .jinja .jinja2 .j2 .env
//   doc     .md .rst .txt
//   other   everything else: weights and binaries, which are the serialized engine's job
// Bundled rules scan code, config and doc files; user rules also scan other files (their rules may
// target binaries). Files over Limits::max_yara_file_bytes are skipped; a skipped code file is
// reported as incomplete, a skipped config/doc/other file is not (tokenizer.json, vocabularies and
// checkpoints are data). Findings in doc files are capped at medium and marked not load-reachable:
// no loader executes a README. Findings in module files the LoadPlan imports are load-reachable.
//
// User rules (--yara-rules): each matching rule becomes a finding from its own meta: `id` (default:
// the rule name), `severity` low|medium|high|critical (default medium), `confidence` (default
// medium), `cwe` as 94, "94" or "CWE-94, CWE-506" (default none), `description` (the title; default
// "YARA rule <name> matched"). They run in full matching mode, so counts and offsets work; bundled
// rules run in fast mode and must not depend on match counts. A string declared `private` is
// context: it never sets the finding's location.
#pragma once
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "engines/engine.hpp"
#include "engines/yara/yara_rules.hpp"
#include "engines/yara/yara_scanner.hpp"

namespace mg {

struct YaraEngineOptions {
  bool bundled = true;          // run the bundled rules
  CompiledRulesPtr user_rules;  // from compile_yara_rules(); null = none
  unsigned threads = 0;         // scanning threads per target; 0 = hardware threads, at most 8
};

// --yara-rules PATH... in the CLI:
//   auto rules = mg::compile_yara_rules(paths);
//   if (!rules) { print rules.error().message (one "file:line: error: ..." per line); exit 2; }
//   engines: replace the default yara engine by mg::make_yara_engine({.user_rules = *rules}).
std::unique_ptr<Engine> make_yara_engine(YaraEngineOptions options = {});

enum class YaraFileKind { code, config, doc, other };
// Classifies by name; `head` (the file's first bytes, may be empty) decides whether a file without
// an extension, or a .pth, is text.
YaraFileKind yara_file_kind(std::string_view path, std::span<const std::uint8_t> head);

// The per-thread part of the engine: one scanner per rule set. Also used by the rule-case runner
// and the bench to scan single files exactly as the engine does.
class YaraFileScanner {
 public:
  static Result<YaraFileScanner> create(const std::vector<CompiledRulesPtr>& sets, const Limits& limits);
  // Scans one file (its snapshot path and bytes) and appends findings and incomplete entries.
  // `plan` (may be null) marks findings in modules that loading imports as load-reachable.
  void scan(std::string_view path, std::span<const std::uint8_t> data, const LoadPlan* plan, EngineOutput& out);

 private:
  std::vector<YaraScanner> scanners_;
  Limits limits_;
};

}  // namespace mg
