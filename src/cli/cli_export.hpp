// The man page and the shell completions, generated from the CLI11 definition itself (main.cpp's
// App), so neither can drift from the options: `modelgate completion bash|zsh|fish` prints a
// completion script, the hidden `modelgate manpage` prints modelgate(1) in troff. The build runs
// both (cmake/Packaging.cmake) and the package installs their output.
#pragma once
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace mg {

struct CliExportHints {
  std::vector<std::string> rule_ids;  // completed for `explain`'s positional argument
  std::string date;                   // the man page's .TH date (empty: none)
};

// shell: "bash", "zsh" or "fish"; anything else returns an empty string.
std::string render_completion(const CLI::App& app, const std::string& shell, const CliExportHints& hints);
std::string render_manpage(const CLI::App& app, const CliExportHints& hints);

}  // namespace mg
