#!/usr/bin/env bash
# Builds the .deb from this build tree (cpack into a temp folder), checks its contents and control
# fields, unpacks it with dpkg -x and runs the unpacked binary from an unrelated folder with the
# source tree hidden (bubblewrap, when it can create namespaces here). Usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
BUILD=$1 SRC=$2
TMP=$(mktemp -d) && trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
(cd "$BUILD" && cpack -G DEB -B "$TMP/out" >/dev/null) || fail "cpack"
DEB=$(ls "$TMP"/out/modelgate_*.deb) || fail "no .deb produced"
dpkg-deb -c "$DEB" > "$TMP/list"
for f in ./usr/bin/modelgate ./usr/share/man/man1/modelgate.1.gz ./usr/share/bash-completion/completions/modelgate \
         ./usr/share/zsh/vendor-completions/_modelgate ./usr/share/fish/vendor_completions.d/modelgate.fish \
         ./usr/share/doc/modelgate/copyright ./usr/share/doc/modelgate/report-v1.schema.json \
         ./usr/share/doc/modelgate/examples/malicious-pickle/ ./usr/lib/python3/dist-packages/modelgate_guard/__init__.py; do
  grep -q " $f\$" "$TMP/list" || fail "$f not in the package"
done
dpkg-deb -I "$DEB" > "$TMP/info"
grep -q '^ Depends: .*libyara' "$TMP/info" || fail "Depends: lacks libyara"
grep -q '^ Recommends: .*bubblewrap' "$TMP/info" || fail "Recommends: lacks bubblewrap"
grep -q '^ Architecture: ' "$TMP/info" || fail "no Architecture:"
dpkg -x "$DEB" "$TMP/root"
BIN=$TMP/root/usr/bin/modelgate
! strings "$BIN" | grep -qF "$SRC" || fail "the packaged binary names the source tree $SRC"
mkdir "$TMP/cwd" && cd "$TMP/cwd"
RUN=()  # hide the source tree when bubblewrap works here
if bwrap --dev-bind / / --tmpfs "$SRC" true 2>/dev/null; then RUN=(bwrap --dev-bind / / --tmpfs "$SRC"); fi
"${RUN[@]}" "$BIN" --version | head -1 | grep -q '^modelgate ' || fail "--version"
"${RUN[@]}" "$BIN" version --format json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["rules"]["count"] > 0 and "libyara" in d["libraries"]' \
  || fail "version --format json"
"${RUN[@]}" "$BIN" rules --format json | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) > 50' || fail "rules"
EX=$TMP/root/usr/share/doc/modelgate/examples
set +e
"${RUN[@]}" "$BIN" scan --format json -q "$EX/malicious-pickle" > "$TMP/pickle.json"; rc=$?
set -e
[ "$rc" = 1 ] || fail "scan of the packaged malicious-pickle example exited $rc, expected 1"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["targets"][0]["verdict"] in ("high","critical")' "$TMP/pickle.json" \
  || fail "malicious-pickle verdict"
"${RUN[@]}" "$BIN" scan -q "$EX/clean-safetensors" >/dev/null || fail "scan of clean-safetensors"
zcat "$TMP/root/usr/share/man/man1/modelgate.1.gz" | grep -q '^\.SH ENVIRONMENT' || fail "man page"
echo "package test passed (${RUN[0]:+source tree hidden by bwrap})"
