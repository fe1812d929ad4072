// Small text helpers shared by sources, profiles and sinks.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mg {

// Valid UTF-8 is returned unchanged; each invalid byte becomes "\xNN" so names stay readable and
// every sink can emit them.
std::string sanitize_utf8(std::string_view in);
bool is_valid_utf8(std::string_view in);
// Text for an HTML element or a quoted attribute value: invalid UTF-8 as by sanitize_utf8, the
// five markup characters as entities, other control characters (but tab, newline) as "\xNN".
std::string html_escape(std::string_view s);

bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
std::vector<std::string_view> split(std::string_view s, char sep);
std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);

// Path helpers over '/'-separated relative paths (snapshot paths never start with '/').
std::string_view basename(std::string_view path);
std::string_view dirname(std::string_view path);  // "" for a top-level file
std::string join_path(std::string_view dir, std::string_view name);
// Lexically normalises "a/./b/../c" to "a/c"; returns false (and leaves `out` empty) if it climbs
// above the root. `out` must not alias `path`.
bool normalize_relative(std::string_view path, std::string& out);

}  // namespace mg
