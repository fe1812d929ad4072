#!/usr/bin/env bash
# Builds every libFuzzer target (fuzz/*_fuzzer.cpp, sandbox_policy included) in build-fuzz with clang, ASan and UBSan, then
# runs each for the given number of seconds on its seed corpus (fuzz/corpus/<name>/). New inputs go
# to build-fuzz/corpus/<name>/; a crash stops the script with a non-zero exit and the crashing input
# in build-fuzz/artifacts/.
#   fuzz/run_all.sh 30        # 30 s per target
set -euo pipefail
cd "$(dirname "$0")/.."
per_target=${1:-60}
jobs=${MODELGATE_FUZZ_JOBS:-2}

cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DMODELGATE_FUZZ=ON -DMODELGATE_SANITIZE=ON -DMODELGATE_TESTS=OFF -DMODELGATE_BENCH=OFF >/dev/null

targets=()
for src in fuzz/*_fuzzer.cpp; do
  targets+=("$(basename "$src" .cpp)")
done
cmake --build build-fuzz -j"$jobs" --target "${targets[@]}"

mkdir -p build-fuzz/artifacts
status=0
for t in "${targets[@]}"; do
  name=${t%_fuzzer}
  work=build-fuzz/corpus/$name
  mkdir -p "$work"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds+=("fuzz/corpus/$name")
  echo "== $t (${per_target}s)"
  if ! "build-fuzz/fuzz/$t" -max_total_time="$per_target" -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="build-fuzz/artifacts/$name-" -print_final_stats=1 "$work" "${seeds[@]}" \
       2> "build-fuzz/$name.log"; then
    echo "!! $t failed; see build-fuzz/$name.log and build-fuzz/artifacts/" >&2
    tail -30 "build-fuzz/$name.log" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "build-fuzz/$name.log" | tail -2
  fi
done
exit $status
