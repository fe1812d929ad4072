// The project configuration file (docs/configuration.md): `modelgate.toml`, `.modelgate.toml`, or
// `[tool.modelgate]` in `pyproject.toml`, found by walking up from the working directory. Every
// `scan` option can be set there; the command line wins over the file, the file over the defaults.
// The file is a user's, but it may come with a repository they cloned, so the loader treats it as
// untrusted text: anything it does not know is an error with file:line:column, never ignored.
#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/limits.hpp"
#include "core/result.hpp"

namespace mg::config {

// Where a value was written, for messages ("modelgate.toml:4:12").
struct Origin {
  std::string file;
  std::uint32_t line = 0;
  std::uint32_t column = 0;
  std::string str() const;
};

// A pickle global the user declares safe to import (`module.name`, no wildcards).
struct PickleAllow {
  std::string module;
  std::string name;
  Origin origin;
};

// Rules switched off for files whose path matches `glob` (docs/configuration.md, per-file-ignores).
struct PathIgnore {
  std::string glob;
  std::vector<std::string> rules;  // ids or family prefixes
};

// What the file sets; unset optionals leave the command line's default.
struct ScanSettings {
  std::optional<std::string> fail_on;
  std::optional<std::string> format;
  std::optional<std::string> output;
  std::optional<std::vector<std::string>> engines;
  std::optional<bool> reachable_only;
  std::optional<unsigned> jobs;
  std::optional<int> follow_remote_code;
  std::optional<std::string> endpoint;
  std::optional<bool> offline;
  std::optional<std::string> repo_type;
  std::optional<bool> quiet;
  std::optional<bool> no_color;
  std::optional<bool> ignore_suppressions;
  std::optional<bool> show_existing;
  std::optional<std::string> baseline;     // resolved against the file's folder
  std::optional<std::vector<std::string>> select;  // rule ids or prefixes; unset = every rule
  std::vector<std::string> ignore;                 // rule ids or prefixes
  std::vector<PathIgnore> per_file_ignores;
  std::vector<std::string> yara_rules;  // resolved against the file's folder
  std::vector<PickleAllow> pickle_allow;
  // [limits]: (name, value) as written; apply_limits() sets them.
  std::vector<std::pair<std::string, std::uint64_t>> limits;
};

struct Config {
  std::string path;  // the file read
  ScanSettings scan;
};

// Parses configuration text. `pyproject`: read only the [tool.modelgate] table (other tables are
// someone else's); otherwise the whole document is modelgate's. `path` names the file in messages
// and anchors relative paths. Never throws; every problem is an Error whose message starts with
// "path:line:column: ".
Result<Config> parse_config(std::string_view text, const std::string& path, bool pyproject);

// Reads and parses a file chosen with --config (a pyproject.toml by its name).
Result<Config> load_config_file(const std::string& path);

// The file discovery would use, walking up from `start`: in each folder `modelgate.toml`, then
// `.modelgate.toml`, then a `pyproject.toml` that has a [tool.modelgate] table. The walk stops
// after the folder that holds `.git` (the repository's root) or at the filesystem root. nullopt:
// no file.
std::optional<std::filesystem::path> discover_config(const std::filesystem::path& start);

// Sets the [limits] the file names on `limits`.
void apply_limits(const ScanSettings& settings, Limits& limits);

// The names [limits] accepts, for docs and messages.
std::vector<std::string_view> limit_names();

// Does `path` (a finding's file, relative to the target, '/'-separated) match `glob`? `*` and `?`
// stay within one path segment, `**` spans segments, `[abc]` is a class; a glob without '/' matches
// the file name in any folder.
bool glob_match(std::string_view glob, std::string_view path);

// Does rule `id` match a select/ignore entry (the id itself, or a family prefix such as "PY3")?
bool rule_matches(std::string_view entry, std::string_view id);

// Does a select/ignore entry match at least one rule of this build? (A typo must not be a silent no-op.)
bool names_a_rule(std::string_view entry);

}  // namespace mg::config
