#!/bin/sh
# bench/study_bench.sh BUILD_DIR [COUNT]: study_bench with a throwaway PostgreSQL server
# (tests/study/pg_server.py: initdb + pg_ctl into a temp folder, loopback port, as nobody when
# root), so the PostgreSQL numbers are printed beside SQLite's.
set -eu
build=${1:?usage: study_bench.sh BUILD_DIR [COUNT]}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/mg_bench_pg.XXXXXX)
trap 'python3 "$here/../tests/study/pg_server.py" stop "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
uri=$(python3 "$here/../tests/study/pg_server.py" start "$dir")
MODELGATE_STUDY_BENCH_PG=$uri "$build/bench/study_bench" ${2:+"$2"}
