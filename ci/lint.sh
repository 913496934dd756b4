#!/usr/bin/env bash
# Static rules a commit must keep (make lint):
#  1. the driver reaches the host clock, randomness, environment and sleep
#     only through the hv layer (driver/hv/hv-libvirt*.c IS the hv layer's host side);
#     one open() is allowed: jsonv.c's jv_read_file, the bounded reader of the
#     JSON files a caller names (scenarios), which no driver operation calls;
#  2. layering: driver/ includes no fake or harness header; fakes/ includes
#     no driver internals (only hv.h and hv-backend.h);
#  3. no unsafe string functions anywhere (curl's checksrc habit);
#  4. what the include folders cannot stop: no include by a relative path
#     ("../fakes/fake.h" would walk round the build's layering); the
#     backend header hv-backend.h only in the hv layer, the fake and the hv
#     layer's own test; a *-priv.h only in its own folder and in tests/;
#  5. every cmocka test program prints TAP (run-tests.sh counts its cases);
#  6. docs/contract.md has one row per method of the contract
#     (ci/contract-table.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bad=0
report() { printf 'lint: %s\n' "$1" >&2; printf '%s\n' "$2" >&2; bad=1; }

hits=$(grep -nP '(?<![>.\w])(time|clock_gettime|gettimeofday|nanosleep|usleep|sleep|rand|random|srand|srandom|getenv|secure_getenv|g_get_monotonic_time|g_get_real_time|g_usleep|g_random_[a-z_]+|getrandom|fopen|open)\s*\(' \
        driver/*.c driver/*.h driver/hv/*.c driver/hv/*.h 2>/dev/null | grep -vE '^driver/hv/hv-libvirt(-[a-z]+)?\.c:' | grep -vE ':\s*(/\*|\*)' | grep -vE '^driver/jsonv\.c:[0-9]+:    fd = open\(path, O_RDONLY \| O_NONBLOCK \| O_CLOEXEC\);$' || true)
[ -z "$hits" ] || report "the driver must get time, randomness, environment and files from hv:" "$hits"

hits=$(grep -nE '#include\s+"(fake|sim|fault|scn|run|trace|xpl|harness)[^"]*\.h"' driver/*.[ch] driver/hv/*.[ch] 2>/dev/null || true)
[ -z "$hits" ] || report "driver/ must not include fake or harness headers:" "$hits"

hits=$(grep -nE '#include\s+"(drv|driver)[^"]*\.h"' fakes/*.[ch] 2>/dev/null || true)
[ -z "$hits" ] || report "fakes/ must not include driver internals:" "$hits"

hits=$(grep -nP '(?<![>.\w])(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atof|strtok)\s*\(' \
        driver/*.[ch] driver/hv/*.[ch] fakes/*.[ch] harness/*.[ch] tests/*.[ch] bench/*.[ch] fuzz/*.[ch] 2>/dev/null || true)
[ -z "$hits" ] || report "unsafe functions (use g_strlcpy, g_snprintf, g_ascii_strtoll, g_strsplit):" "$hits"

src=$(ls driver/*.[ch] driver/hv/*.[ch] fakes/*.[ch] harness/*.[ch] tests/*.[ch] bench/*.[ch] fuzz/*.[ch] 2>/dev/null)

# shellcheck disable=SC2086
hits=$(grep -nE '#include\s+"[^"]*\.\./' $src || true)
[ -z "$hits" ] || report "include by name, not by a relative path (the Makefile's include folders are the layering):" "$hits"

# shellcheck disable=SC2086
hits=$(grep -nE '#include\s+"hv-backend\.h"' $src | grep -vE '^(driver/hv/[^/:]+|fakes/[^/:]+|tests/test-hv\.c):' || true)
[ -z "$hits" ] || report "hv-backend.h is for backends (driver/hv/, fakes/) only; callers use hv.h:" "$hits"

# a private header NAME-priv.h belongs to the folder that holds it
for priv in $(ls driver/*-priv.h driver/hv/*-priv.h fakes/*-priv.h harness/*-priv.h 2>/dev/null); do
    dir=$(dirname "$priv") base=$(basename "$priv")
    # shellcheck disable=SC2086
    hits=$(grep -nE "#include\s+\"$base\"" $src | grep -vE "^($dir/[^/:]+|tests/[^/:]+|fuzz/[^/:]+):" || true)
    [ -z "$hits" ] || report "$base is private to $dir/ (and its tests and fuzz targets):" "$hits"
done

# every cmocka program speaks TAP, or run-tests.sh cannot count its cases
# (a program printing cmocka's own format is tallied as one line, not N)
hits=$(for t in tests/test-*.c; do
    grep -q 'cmocka_run_group_tests' "$t" && ! grep -q 'CM_OUTPUT_TAP' "$t" && echo "$t"
done || true)
[ -z "$hits" ] || report "a cmocka test program must call cmocka_set_message_output(CM_OUTPUT_TAP):" "$hits"

# the table of contract methods keeps up with the contract
if [ -f docs/contract.md ] && ! out=$(bash ci/contract-table.sh 2>&1); then
    report "docs/contract.md does not match the contract:" "$out"
fi

[ "$bad" -eq 0 ] && echo "lint: clean"
exit "$bad"
