#!/usr/bin/env bash
# The generated completions: bash driven through COMP_WORDS/COMP_CWORD, fish through complete -C,
# zsh parsed with zsh -n, and every long option of every --help present in the man page.
# Usage: completion_test.sh MODELGATE
set -euo pipefail
MG=$1
TMP=$(mktemp -d) && trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$MG" completion bash > "$TMP/bash"; "$MG" completion zsh > "$TMP/zsh"; "$MG" completion fish > "$TMP/fish"
complete_bash() {  # words... (the last is the word under the cursor)
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _modelgate; echo "${COMPREPLY[*]}"' _ "$TMP/bash" "$@"
}
[ "$(complete_bash modelgate sc)" = "scan" ] || fail "bash: modelgate sc"
[[ " $(complete_bash modelgate scan --fo) " == *" --format "* ]] || fail "bash: modelgate scan --fo"
[ "$(complete_bash modelgate scan --form)" = "--format" ] || fail "bash: modelgate scan --form"
[ "$(complete_bash modelgate scan --format '')" = "text json sarif jsonl html" ] || fail "bash: --format values"
[ "$(complete_bash modelgate study r)" = "run report" ] || fail "bash: study r"
[[ " $(complete_bash modelgate explain LD10) " == *" LD102 "* ]] || fail "bash: explain rule ids"
[ "$(complete_bash modelgate study run --rate '' )" = "" ] || fail "bash: free value"
zsh -n "$TMP/zsh" || fail "zsh -n"
fish -n "$TMP/fish" || fail "fish -n"
fish -c "source $TMP/fish; complete -C 'modelgate sc'" | grep -q '^scan' || fail "fish: modelgate sc"
fish -c "source $TMP/fish; complete -C 'modelgate scan --form'" | grep -q '^--format' || fail "fish: --form"
"$MG" manpage > "$TMP/man"
groff -man -Tutf8 -z "$TMP/man" 2>"$TMP/groff.err"; ! grep -q error "$TMP/groff.err" || fail "groff: $(cat "$TMP/groff.err")"
for cmd in scan lock verify sign run rules explain version completion "study init" "study add" "study run" "study status" "study report"; do
  # shellcheck disable=SC2086
  for opt in $("$MG" $cmd --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
    grep -qF -- "$(echo "$opt" | sed 's/-/\\-/g')" "$TMP/man" || fail "man page lacks $cmd $opt"
  done
done
echo "completion test passed"
