#!/bin/sh
# Golden cell tests: each NN_name.c holds cells separated by lines "//---";
# NN_name.expect holds exactly what a user sees (tests/cellrun.c prints
# it). Addresses are written 0xADDR on both sides, and durations in timing
# lines (CPU times, Wall time, per loop) <t>; %timeit's warning about a
# slow run, which only a busy machine causes, is left out. An NN_name.in file gives the
# lines the cells read from stdin.
#   run.sh CELLRUN [DIR]            run every test, print "N passed, M failed"
#   run.sh CELLRUN DIR --update     rewrite the .expect files (review the diff!)
cellrun=$1
dir=${2:-$(dirname "$0")}
update=$3
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
norm() {
  sed -E -e 's/0x[0-9a-f]{4,}/0xADDR/g' \
    -e '/^(CPU times|Wall time|Compiler)|per loop \(mean/s/[0-9][0-9.]* (ns|µs|ms|s|min|h|d)/<t>/g' \
    -e '/^The slowest run took [0-9.]+ times longer than the fastest/d'
}
for src in "$dir"/[0-9]*.c; do
  name=$(basename "$src" .c)
  input=
  [ -f "$dir/$name.in" ] && input="-i $dir/$name.in"
  # shellcheck disable=SC2086
  "$cellrun" $input "$src" 2>&1 | norm > "$tmp/$name.out"
  if [ "$update" = "--update" ]; then
    cp "$tmp/$name.out" "$dir/$name.expect"
  fi
  if diff -u "$dir/$name.expect" "$tmp/$name.out" > "$tmp/$name.diff" 2>&1; then
    pass=$((pass + 1))
    echo "ok   $name"
  else
    fail=$((fail + 1))
    echo "FAIL $name"
    cat "$tmp/$name.diff"
  fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
