#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs the whole test suite:
# the C tests through meson, the same C tests again in a build with
# AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer (and the
# kernel's protocol tests against that build), the fuzzers for a bounded
# time, then the Python-driven end-to-end tests through pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
meson test -C build --print-errorlogs

if [ ! -f build-sanitize/build.ninja ]; then
  meson setup build-sanitize -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C build-sanitize >/dev/null
# Memory errors, undefined behaviour and leaks of parc's own processes fail
# the run. Sanitized processes also write their reports into $san_logs, so
# that those of processes whose stderr nobody reads (the kernel, the
# session's executor) are seen. scripts/lsan.supp says which leaks are not
# parc's to fix, and why.
san_logs=$(mktemp -d)
check_san_logs() {
  # Errors only: LeakSanitizer also notes threads that ended during its check.
  local reports
  reports=$(grep -l -e 'ERROR: ' -e 'runtime error: ' "$san_logs"/* 2>/dev/null || true)
  if [ -n "$reports" ]; then
    cat $reports
    echo "test.sh: sanitizer reports from $1 (above)"
    exit 1
  fi
}
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$san_logs/asan"
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$san_logs/ubsan"
meson test -C build-sanitize --print-errorlogs || { check_san_logs "the C tests"; exit 1; }
check_san_logs "the C tests"
# The protocol tests again, against the sanitized kernel and executor.
PARC_BUILD_DIR=build-sanitize .venv/bin/python -m pytest -q \
  tests/kernel/test_kernel_protocol.py tests/kernel/test_kernel_hostile.py
check_san_logs "the kernel's protocol tests"
unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS
rm -rf "$san_logs"

# The fuzzers: replay their corpora (past findings included), then fuzz
# each for 40 s (scripts/fuzz.sh --long fuzzes for hours).
bash scripts/fuzz.sh

.venv/bin/python -m pytest -q tests "$@"
