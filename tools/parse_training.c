/* The training run of scripts/bootstrap's profile-guided build of the tree-sitter runtime and the
 * Python grammar: parses every file named on standard input (one path per line) and walks each
 * tree with a cursor, as the Python engine does. Built and run by bootstrap only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage* tree_sitter_python(void);

static char* read_all(const char* path, size_t* size) {
  FILE* f = fopen(path, "rb");
  if (f == NULL) return NULL;
  size_t cap = 1 << 16, n = 0;
  char* buf = malloc(cap);
  for (size_t got; buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0;) {
    n += got;
    if (n == cap) buf = realloc(buf, cap *= 2);
  }
  fclose(f);
  *size = n;
  return buf;
}

int main(void) {
  TSParser* parser = ts_parser_new();
  ts_parser_set_language(parser, tree_sitter_python());
  char path[4096];
  unsigned long files = 0, nodes = 0;
  while (fgets(path, sizeof path, stdin) != NULL) {
    path[strcspn(path, "\n")] = '\0';
    size_t size = 0;
    char* source = read_all(path, &size);
    if (source == NULL || size > 0xffffffffu) {
      free(source);
      continue;
    }
    TSTree* tree = ts_parser_parse_string(parser, NULL, source, (uint32_t)size);
    TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
    for (int done = 0; !done;) {
      const TSNode n = ts_tree_cursor_current_node(&cursor);
      nodes += ts_node_is_named(n) && ts_node_symbol(n) != 0;
      if (ts_tree_cursor_goto_first_child(&cursor)) continue;
      while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
        if (!ts_tree_cursor_goto_parent(&cursor)) {
          done = 1;
          break;
        }
      }
    }
    ts_tree_cursor_delete(&cursor);
    ts_tree_delete(tree);
    free(source);
    ++files;
  }
  ts_parser_delete(parser);
  fprintf(stderr, "parse_training: %lu files, %lu named nodes\n", files, nodes);
  return 0;
}
