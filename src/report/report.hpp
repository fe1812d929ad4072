// Sinks: human text, JSON (the v1 contract), JSON Lines for bulk runs, SARIF 2.1.0, HTML.
#pragma once
#include <string>

#include "pipeline/scan.hpp"

namespace mg {

inline constexpr const char* kToolName = "modelgate";
inline constexpr const char* kToolVersion = "0.1.0";

struct RenderOptions {
  bool color = false;           // ANSI colour (text only)
  bool reachable_only = false;  // hide findings known not to run at load
  bool show_existing = false;   // text: list findings the --baseline has (otherwise only counted)
};

std::string render_text(const ScanReport& report, const RenderOptions& options);
std::string render_json(const ScanReport& report, const RenderOptions& options);
std::string render_jsonl(const ScanReport& report, const RenderOptions& options);  // one target per line
std::string render_sarif(const ScanReport& report, const RenderOptions& options);
// One self-contained HTML page (inline CSS/JS/SVG, strict CSP; every repository string escaped).
std::string render_html(const ScanReport& report, const RenderOptions& options);

std::string_view verdict_name(const TargetReport& t);  // clean | low | medium | high | critical
std::string_view reach_name(Reach r);                   // "true" | "false" | "unknown"

// Findings of a target as the options filter them.
std::vector<const Finding*> visible_findings(const TargetReport& t, const RenderOptions& options);

}  // namespace mg
