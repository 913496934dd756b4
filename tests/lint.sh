#!/usr/bin/env bash
# make lint checked against planted violations: each rule of ci/lint.sh
# must report a copy of the tree that breaks it, and pass the tree as it
# is. Prints TAP; run by make check through run-tests.sh.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0

# fresh copy of the sources lint reads
copy() {
    rm -rf "$tmp/t" && mkdir -p "$tmp/t"
    (cd "$root" && cp -r Makefile ci driver fakes harness tests bench fuzz "$tmp/t/")
}

# planted NAME FILE LINE PATTERN: append LINE to FILE in a fresh copy;
# lint must fail and say PATTERN
planted() {
    local name="$1" file="$2" line="$3" want="$4" rc
    copy
    printf '%s\n' "$line" >>"$tmp/t/$file"
    bash "$tmp/t/ci/lint.sh" >"$tmp/out" 2>&1
    rc=$?
    n=$((n + 1))
    if [ "$rc" -ne 0 ] && grep -qF -- "$want" "$tmp/out"; then
        echo "ok $n - lint reports $name"
    else
        echo "not ok $n - lint reports $name (exit $rc)"
        sed 's/^/#   /' "$tmp/out" | head -10
    fi
}

copy
n=$((n + 1))
if bash "$tmp/t/ci/lint.sh" >"$tmp/out" 2>&1; then echo "ok $n - the tree as it is passes"
else echo "not ok $n - the tree as it is passes"; sed 's/^/#   /' "$tmp/out" | head -10; fi

planted "the host clock in the driver" driver/drv-vif.c \
    'static long t(void) { return time(NULL); }' "the driver must get time"
planted "getenv in the driver" driver/drv-host.c \
    'static const char *e(void) { return getenv("X"); }' "the driver must get time"
planted "a file opened in the driver" driver/drv-disk.c \
    'static int o(void) { return open("/x", 0); }' "the driver must get time"
planted "a second open in jsonv.c" driver/jsonv.c \
    'static int o(const char *path) { int fd = open(path, 0); return fd; }' "the driver must get time"
planted "a fake header in the driver" driver/drv-disk.c \
    '#include "fake.h"' "driver/ must not include fake or harness headers"
planted "a driver header in the fake" fakes/fake-world.c \
    '#include "drv.h"' "fakes/ must not include driver internals"
planted "sprintf" harness/run.c \
    'static void f(char *b) { sprintf(b, "x"); }' "unsafe functions"
planted "an include by relative path" driver/drv-vif.c \
    '#include "../fakes/fake.h"' "include by name, not by a relative path"
planted "hv-backend.h outside the backends" harness/run.c \
    '#include "hv-backend.h"' "hv-backend.h is for backends"
planted "another folder's private header" harness/ops.c \
    '#include "fake-priv.h"' "fake-priv.h is private to fakes/"
planted "the driver's private header in the harness" harness/scn.c \
    '#include "drv-priv.h"' "drv-priv.h is private to driver/"

# a cmocka program without TAP output (a new file: the rule reads tests/)
copy
printf '%s\n' '#include <cmocka.h>' 'int main(void) { return cmocka_run_group_tests(NULL, NULL, NULL); }' >"$tmp/t/tests/test-planted.c"
n=$((n + 1))
if ! bash "$tmp/t/ci/lint.sh" >"$tmp/out" 2>&1 && grep -qF "CM_OUTPUT_TAP" "$tmp/out" &&
    grep -qF "tests/test-planted.c" "$tmp/out"; then
    echo "ok $n - lint reports a cmocka program without TAP"
else
    echo "not ok $n - lint reports a cmocka program without TAP"
    sed 's/^/#   /' "$tmp/out" | head -10
fi

# the build's include folders: an include that runs back up the layers
# does not compile (the object alone is built, in the copy)
uncompiled() { # uncompiled NAME FOLDER HEADER
    local name="$1" dir="$2" header="$3" rc
    copy
    printf '#include "%s"\nint hvd_lint_probe(void);\nint hvd_lint_probe(void) { return 0; }\n' \
        "$header" >"$tmp/t/$dir/zz-probe.c"
    make -C "$tmp/t" --no-print-directory BUILD=build EXTRA_CFLAGS= \
        "build/$dir/zz-probe.o" >"$tmp/out" 2>&1
    rc=$?
    n=$((n + 1))
    if [ "$rc" -ne 0 ] && grep -qF -- "$header: No such file" "$tmp/out"; then
        echo "ok $n - the build refuses $name"
    else
        echo "not ok $n - the build refuses $name (exit $rc)"
        sed 's/^/#   /' "$tmp/out" | head -10
    fi
}
uncompiled "the fake in the driver" driver fake.h
uncompiled "the harness in the driver" driver run.h
uncompiled "the driver in the hv layer" driver/hv drv.h
uncompiled "the driver in the fake" fakes drv.h
uncompiled "the harness in the fake" fakes scn.h
# the scenario parser compiles without the fake
copy
printf '#include "fake.h"\n' >>"$tmp/t/harness/scn.c"
make -C "$tmp/t" --no-print-directory BUILD=build EXTRA_CFLAGS= build/harness/scn.o >"$tmp/out" 2>&1
rc=$?
n=$((n + 1))
if [ "$rc" -ne 0 ] && grep -qF "fake.h: No such file" "$tmp/out"; then
    echo "ok $n - the build refuses the fake in the scenario parser"
else
    echo "not ok $n - the build refuses the fake in the scenario parser (exit $rc)"
    sed 's/^/#   /' "$tmp/out" | head -10
fi
# and the same probe with an allowed include compiles (the probe is sound)
copy
printf '#include "hv.h"\nint hvd_lint_probe(void);\nint hvd_lint_probe(void) { return 0; }\n' >"$tmp/t/fakes/zz-probe.c"
n=$((n + 1))
if make -C "$tmp/t" --no-print-directory BUILD=build EXTRA_CFLAGS= build/fakes/zz-probe.o >"$tmp/out" 2>&1; then
    echo "ok $n - an allowed include compiles"
else
    echo "not ok $n - an allowed include compiles"; sed 's/^/#   /' "$tmp/out" | head -10
fi

# the table of contract methods (ci/contract-table.sh): a contract method
# without a row, a row for no method and a doubled row are each reported;
# a made-up contract stands in when the reference is not beside the tree
contract=$root/../shared/reference/nova-virt-driver.py
if [ ! -f "$contract" ]; then
    contract=$tmp/contract.py
    printf 'class ComputeDriver(object):\n' >"$contract"
    sed -n 's/^| `\([A-Za-z_][A-Za-z0-9_]*\)` |.*/    def \1(self):\n        pass/p' \
        "$root/docs/contract.md" >>"$contract"
fi
# table_case NAME SED-EXPR WANT: the table edited by SED-EXPR must fail
# saying WANT ("" : must pass)
table_case() {
    local name="$1" expr="$2" want="$3" rc
    sed "$expr" "$root/docs/contract.md" >"$tmp/contract.md"
    bash "$root/ci/contract-table.sh" "$contract" "$tmp/contract.md" >"$tmp/out" 2>&1
    rc=$?
    n=$((n + 1))
    if { [ -z "$want" ] && [ "$rc" -eq 0 ]; } ||
       { [ -n "$want" ] && [ "$rc" -ne 0 ] && grep -qF -- "$want" "$tmp/out"; }; then
        echo "ok $n - contract table: $name"
    else
        echo "not ok $n - contract table: $name (exit $rc)"
        sed 's/^/#   /' "$tmp/out" | head -10
    fi
}
table_case "the table as it is passes" 's/^$//' ""
table_case "a method without a row" '/^| `snapshot` |/d' "no row for contract method(s):"
table_case "a row for no method" '$a| `teleport` | — | missing | — | |' "not in the contract"
table_case "a doubled row" '/^| `spawn` |/p' "more than one row for"
echo "1..$n"
