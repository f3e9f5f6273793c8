#!/usr/bin/env bash
# Builds the libFuzzer harnesses (fuzz/) with clang into build-fuzz/ and
# runs each of them: first over its checked-in corpus (fuzz/corpus/NAME:
# seeds and the inputs of past findings, which must all pass), then
# fuzzing for a bounded time from it.
#
#   bash scripts/fuzz.sh              # CI: 40 s per harness (about 2 minutes)
#   bash scripts/fuzz.sh --long       # 1 hour per harness, on every core
#   bash scripts/fuzz.sh -t SECONDS [NAME...]   # chosen time and harnesses
#
# New inputs found while fuzzing go to build-fuzz/corpus/NAME (kept between
# runs, never into the repository); a crashing input is written to
# build-fuzz/findings/ and the script fails. After fixing the bug, add the
# input to fuzz/corpus/NAME/ as regress-WHAT so that every later run
# replays it. Assumes scripts/setup.sh has run (clang, libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=40
jobs=1
names=()
while [ $# -gt 0 ]; do
  case "$1" in
    --long) seconds=3600; jobs=$(nproc) ;;
    -t) seconds="$2"; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) names+=("$1") ;;
  esac
  shift
done
[ ${#names[@]} -gt 0 ] || names=(kmsg split magic)

if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang meson setup build-fuzz -Dfuzz=true >/dev/null
fi
ninja -C build-fuzz "${names[@]/#/fuzz/fuzz_}" >/dev/null
mkdir -p build-fuzz/findings

status=0
for name in "${names[@]}"; do
  bin=$PWD/build-fuzz/fuzz/fuzz_$name
  seeds=$PWD/fuzz/corpus/$name
  work=$PWD/build-fuzz/corpus/$name
  mkdir -p "$work"
  opts=(-artifact_prefix="$PWD/build-fuzz/findings/$name-" -max_len=8192 -timeout=10
        -rss_limit_mb=2048 -print_final_stats=0)
  echo "fuzz: $name: replaying $(ls "$seeds" | wc -l) inputs of $seeds"
  if ! "$bin" "${opts[@]}" -runs=0 "$seeds" >"build-fuzz/$name.log" 2>&1; then
    tail -40 "build-fuzz/$name.log"
    echo "fuzz: $name: an input of $seeds fails (log: build-fuzz/$name.log)"
    status=1
    continue
  fi
  echo "fuzz: $name: fuzzing for ${seconds} s"
  if [ "$jobs" -gt 1 ]; then
    par=(-jobs="$jobs" -workers="$jobs")
  else
    par=()
  fi
  # In build-fuzz: parallel jobs write their fuzz-N.log files there.
  if ! (cd build-fuzz && "$bin" "${opts[@]}" "${par[@]}" -max_total_time="$seconds" \
      "$work" "$seeds") >>"build-fuzz/$name.log" 2>&1; then
    tail -40 "build-fuzz/$name.log"
    echo "fuzz: $name: FOUND a failing input: $(ls build-fuzz/findings/$name-* 2>/dev/null | head -1)"
    status=1
    continue
  fi
  grep -a "^Done" "build-fuzz/$name.log" | tail -1 | sed "s/^/fuzz: $name: /"
done
exit $status
