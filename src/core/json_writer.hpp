// Streaming JSON writer for the sinks: keeps field order as the contract lists it, escapes all
// strings (invalid UTF-8 is sanitized first), and pretty-prints when asked.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mg {

class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = true) : pretty_(pretty) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(std::int64_t n);
  JsonWriter& value(std::uint64_t n);
  JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
  JsonWriter& value(unsigned n) { return value(static_cast<std::uint64_t>(n)); }
  JsonWriter& null();
  // value(s), or null when s is empty: the contract's optional strings.
  JsonWriter& string_or_null(std::string_view s) { return s.empty() ? null() : value(s); }
  JsonWriter& raw(std::string_view json);  // pre-serialised JSON value

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

  static void escape_into(std::string& out, std::string_view s);

 private:
  void before_value();
  void newline();

  bool pretty_;
  std::string out_;
  struct Level {
    bool array;
    bool empty;
  };
  std::vector<Level> stack_;
  bool after_key_ = false;
};

}  // namespace mg
