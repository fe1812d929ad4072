// Hub targets on the command line: `hf:org/name@rev`, Hub URLs, `ms:`, `csg:`, `torchhub:`,
// `github:`. Parsing only; nothing here touches the network.
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace mg::hub {

enum class Hub : unsigned char { huggingface, modelscope, opencsg, torchhub, github };

std::string_view hub_name(Hub h);  // "huggingface", "modelscope", ...

struct HubTarget {
  Hub hub = Hub::huggingface;
  std::string repo;           // "org/name" (owner/repo for GitHub)
  std::string revision;       // as given; empty = the hub's default branch
  std::string repo_type = "model";  // model | dataset | space (Hugging Face, OpenCSG)
  std::string spelled;        // the target as the user wrote it
};

// nullopt: not a hub form (a path). An error: a hub form that is malformed, with the reason.
// `repo_type` applies --repo-type to forms that do not carry it (a URL under /datasets/ does).
Result<std::optional<HubTarget>> parse_hub_target(std::string_view target, std::string_view repo_type = "model");

// One path segment of a repository id: what the hubs accept (letters, digits, '-', '_', '.'),
// 1 to 96 bytes, no "..", not starting or ending with '-' or '.'.
bool valid_repo_part(std::string_view part);
// A branch, tag, commit or refs/pr/N: printable ASCII without spaces, "..", "//", '\\' or a
// leading '/', at most 255 bytes.
bool valid_revision(std::string_view rev);

// Percent-encodes everything but unreserved characters; '/' kept when `keep_slash`.
std::string url_quote(std::string_view s, bool keep_slash);

}  // namespace mg::hub
