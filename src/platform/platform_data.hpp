// modelgate's own platform data (the paper's Table 6, paper.md §5.1, beside what modelgate's
// loader model knows about each hub): one reviewed table, compiled in, printed by
// `modelgate platforms` and included in the study report. Every cell names its source.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mg::platforms {

struct Column {
  std::string_view id;     // JSON key and CSV/Markdown column name
  std::string_view title;  // human heading
  bool from_paper;         // one of the paper's Table 6 columns (else modelgate's loader model)
};

struct Cell {
  std::string_view value;
  std::string_view source;  // a documentation URL (or the paper's, for Table 6 as published)
};

struct Platform {
  std::string_view id;    // the platform name the scanner and the study use (huggingface, ...)
  std::string_view name;  // as the paper writes it
  std::vector<Cell> cells;  // one per column, in columns() order
};

// The columns, in order: the paper's five, then modelgate's four.
const std::vector<Column>& columns();
// The five hubs of the paper, in the paper's order.
const std::vector<Platform>& all();

// Renderings (the `platforms` command; the Markdown one is also the study report's section).
std::string render_text();
std::string render_json();
std::string render_markdown();

}  // namespace mg::platforms
