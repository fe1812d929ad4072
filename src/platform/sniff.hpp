// Format detection by content (magic bytes and container listings), never by extension alone.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mg {

// The deserialization format of a file's bytes (names as in DeserializationPoint::format), or "" if
// it is none of them. `name` only breaks ties the bytes cannot (a protobuf has no magic).
// `bytes` may be only the head of a file of `file_size` bytes, except when needs_whole_file() says so.
std::string sniff_format(std::span<const std::uint8_t> bytes, std::string_view name, std::uint64_t file_size);
std::string sniff_format(std::span<const std::uint8_t> bytes, std::string_view name);  // bytes = whole file

// True when the head alone cannot tell (a zip's listing is at its end; an old pickle ends in STOP).
bool needs_whole_file(std::span<const std::uint8_t> head);

// Names in a zip's central directory (bounded; empty when it is not a readable zip).
std::vector<std::string> zip_member_names(std::span<const std::uint8_t> bytes, std::size_t max_names = 100000);

// The loader that reads a format, for the report.
std::string_view loader_for_format(std::string_view format, std::string_view name);

}  // namespace mg
