// Jinja chat templates (GGUF tokenizer.chat_template, any JSON/YAML chat_template key,
// *.jinja / *.j2 / *.template files). Rendered by an unsandboxed jinja2 Environment (llama-cpp-python < 0.2.72,
// CVE-2024-34359) a template is Python code; real templates never need dunder attributes.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mg::chat_template {

enum class Risk : unsigned char { none, obfuscated, injection };

struct TemplateHit {
  Risk risk = Risk::none;
  std::string pattern;  // what matched
  std::size_t offset = 0;
  std::size_t line = 1;  // 1-based, in the template text
};

// Every match, strongest first; empty for an ordinary template. Names spelled with escapes
// (`\x5f\x5fclass\x5f\x5f`) or assembled from strings (`'__cla' ~ 'ss__'`) are decoded and
// reported as the injection they spell, with " (decoded)" after the pattern.
std::vector<TemplateHit> check(std::string_view template_text);

// The template with \x, \u, \U and octal escapes decoded and string concatenations joined
// (`'a' ~ 'b'`, `'a' + 'b'`, `'a''b'` become one literal). Bounded by the input's length.
std::string normalize(std::string_view template_text);

}  // namespace mg::chat_template
