// Node-type and field names of the tree-sitter-python grammar as compile-time handles.
// `is(n, "call")` and `field(n, "name")` are checked against these lists when the code compiles
// (a misspelt name does not build) and compare small integers at run time: no string compare or
// field-name search per node, which the engine would otherwise do millions of times per scan.
#pragma once
#include <tree_sitter/api.h>

#include <cstdint>
#include <string_view>

extern "C" const TSLanguage* tree_sitter_python(void);

namespace mg::py {

namespace grammar {

// The grammar's named node types (src/node-types.json of tree-sitter-python 0.23.6), and ERROR.
inline constexpr std::string_view kNodeTypes[] = {
    "ERROR", "_compound_statement", "_simple_statement", "aliased_import", "argument_list",
    "as_pattern", "assert_statement", "assignment", "attribute", "augmented_assignment", "await",
    "binary_operator", "block", "boolean_operator", "break_statement", "call", "case_clause",
    "case_pattern", "chevron", "class_definition", "class_pattern", "comment", "comparison_operator",
    "complex_pattern", "concatenated_string", "conditional_expression", "constrained_type",
    "continue_statement", "decorated_definition", "decorator", "default_parameter", "delete_statement",
    "dict_pattern", "dictionary", "dictionary_comprehension", "dictionary_splat",
    "dictionary_splat_pattern", "dotted_name", "elif_clause", "ellipsis", "else_clause",
    "escape_interpolation", "escape_sequence", "except_clause", "except_group_clause",
    "exec_statement", "expression", "expression_list", "expression_statement", "false",
    "finally_clause", "float", "for_in_clause", "for_statement", "format_expression",
    "format_specifier", "function_definition", "future_import_statement", "generator_expression",
    "generic_type", "global_statement", "identifier", "if_clause", "if_statement",
    "import_from_statement", "import_prefix", "import_statement", "integer", "interpolation",
    "keyword_argument", "keyword_pattern", "keyword_separator", "lambda", "lambda_parameters",
    "line_continuation", "list", "list_comprehension", "list_pattern", "list_splat",
    "list_splat_pattern", "match_statement", "member_type", "module", "named_expression", "none",
    "nonlocal_statement", "not_operator", "pair", "parameter", "parameters",
    "parenthesized_expression", "parenthesized_list_splat", "pass_statement", "pattern",
    "pattern_list", "positional_separator", "primary_expression", "print_statement", "raise_statement",
    "relative_import", "return_statement", "set", "set_comprehension", "slice", "splat_pattern",
    "splat_type", "string", "string_content", "string_end", "string_start", "subscript", "true",
    "try_statement", "tuple", "tuple_pattern", "type", "type_alias_statement", "type_conversion",
    "type_parameter", "typed_default_parameter", "typed_parameter", "unary_operator", "union_pattern",
    "union_type", "while_statement", "wildcard_import", "with_clause", "with_item", "with_statement",
    "yield"};

inline constexpr std::string_view kFields[] = {
    "alias", "alternative", "argument", "arguments", "attribute", "body", "cause", "code", "condition",
    "consequence", "definition", "expression", "format_specifier", "function", "guard", "key", "left",
    "module_name", "name", "object", "operator", "operators", "parameters", "return_type", "right",
    "subject", "subscript", "superclasses", "type", "type_conversion", "type_parameters", "value"};

inline constexpr std::uint16_t kNone = 0xffff;

template <std::size_t N>
consteval std::uint16_t index_of(const std::string_view (&names)[N], std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<std::uint16_t>(i);
  }
  throw "not a node type or field name of tree-sitter-python";  // a compile error at the call site
}

// Run-time side: grammar symbol -> index in kNodeTypes, and field index -> TSFieldId.
struct Tables {
  const std::uint16_t* type_of_symbol;
  std::uint32_t symbol_count;
  std::uint16_t error_type;  // index of "ERROR", for ts_builtin_sym_error
  const TSFieldId* field_ids;
};
const Tables& tables();

}  // namespace grammar

// A node type name, resolved when the code compiles.
struct NodeType {
  consteval NodeType(const char* name) : index(grammar::index_of(grammar::kNodeTypes, name)) {}  // NOLINT: implicit on purpose
  std::uint16_t index;
};

// A field name, resolved when the code compiles.
struct FieldName {
  consteval FieldName(const char* name) : index(grammar::index_of(grammar::kFields, name)) {}  // NOLINT: implicit on purpose
  std::uint16_t index;
};

// For switch statements: `switch (type_index(n)) { case type_id("call"): ... }`.
consteval std::uint16_t type_id(const char* name) { return NodeType(name).index; }

// The kNodeTypes index of a node's type, grammar::kNone for anonymous tokens of other names.
inline std::uint16_t type_index(TSNode n) {
  const grammar::Tables& t = grammar::tables();
  const TSSymbol s = ts_node_symbol(n);
  if (s < t.symbol_count) return t.type_of_symbol[s];
  return s == static_cast<TSSymbol>(-1) ? t.error_type : grammar::kNone;
}

inline bool is(TSNode n, NodeType type) { return !ts_node_is_null(n) && type_index(n) == type.index; }
inline TSNode field(TSNode n, FieldName name) {
  return ts_node_is_null(n) ? n : ts_node_child_by_field_id(n, grammar::tables().field_ids[name.index]);
}

}  // namespace mg::py
