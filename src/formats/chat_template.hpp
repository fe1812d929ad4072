// Jinja chat templates (GGUF tokenizer.chat_template, tokenizer_config.json chat_template,
// chat_template.jinja). Rendered by an unsandboxed jinja2 Environment (llama-cpp-python < 0.2.72,
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

// Every match, strongest first; empty for an ordinary template.
std::vector<TemplateHit> check(std::string_view template_text);

}  // namespace mg::chat_template
