#!/usr/bin/env bash
# Sets everything up (scripts/setup.sh) and runs the whole test suite:
# the C tests through meson, the same C tests again in a build with
# AddressSanitizer and UndefinedBehaviorSanitizer, then the Python-driven
# end-to-end tests through pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
meson test -C build --print-errorlogs

if [ ! -f build-sanitize/build.ninja ]; then
  meson setup build-sanitize -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C build-sanitize >/dev/null
ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-sanitize --print-errorlogs

.venv/bin/python -m pytest -q tests "$@"
