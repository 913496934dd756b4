#!/usr/bin/env bash
# `make install` as a library user meets it: only the public headers are
# installed, each compiles alone with nothing but `pkg-config --cflags hvd`,
# and a small program using <hvd/drv.h> builds, links and runs against the
# installed files alone (no include path into the source tree).
# Prints TAP; run by make check through run-tests.sh. The build settings of
# the calling make (BUILD, OPT, EXTRA_LDFLAGS under `make asan`) reach the
# inner `make install` through MAKEFLAGS and the environment.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix="$tmp/prefix"
cc="${CC:-cc}"
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # not_ok NAME FILE: the output in FILE explains
    n=$((n + 1)); echo "not ok $n - $1"; sed 's/^/#   /' "$2" | head -30
}

# 1. install into a fresh prefix
if make -C "$root" --no-print-directory install PREFIX="$prefix" >"$tmp/log" 2>&1; then
    ok "make install PREFIX=<tmp>"
else
    not_ok "make install PREFIX=<tmp>" "$tmp/log"
    echo "1..$n"
    exit 1
fi

# 2. exactly the public headers: the driver, the hv layer and its backends'
#    interface, the fake; nothing private (drv-priv.h, drv-json.h, jsonv.h)
#    and nothing of the harness
want="drv.h fake.h fault.h hv-backend.h hv-libvirt.h hv.h sim.h"
got=$(cd "$prefix/include/hvd" && ls | sort | tr '\n' ' ' | sed 's/ $//')
if [ "$got" = "$want" ]; then ok "installed headers are the public ones"
else echo "want: $want" >"$tmp/log"; echo "got:  $got" >>"$tmp/log"
     not_ok "installed headers are the public ones" "$tmp/log"; fi

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=(-std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 -Werror)
if ! cflags=$(pkg-config --cflags hvd 2>"$tmp/log") ||
   ! libs=$(pkg-config --libs hvd 2>>"$tmp/log"); then
    not_ok "pkg-config finds hvd" "$tmp/log"
    echo "1..$n"
    exit 1
fi
ok "pkg-config finds hvd"

# 3. each header compiles on its own, as <hvd/NAME.h>
for h in $want; do
    printf '#include <hvd/%s>\n' "$h" >"$tmp/one.c"
    # shellcheck disable=SC2086
    if (cd "$tmp" && "$cc" "${flags[@]}" $cflags -fsyntax-only one.c) >"$tmp/log" 2>&1
    then ok "<hvd/$h> compiles alone"
    else not_ok "<hvd/$h> compiles alone" "$tmp/log"; fi
done

# 4. a program on the public API: load a configuration and an instance from
#    text, get a positioned error for a bad one, build, link and run
cat >"$tmp/user.c" <<'C'
#include <hvd/drv.h>
#include <stdio.h>

int
main(void)
{
    drv_config cfg;
    drv_instance inst = {0};
    drv_error err;

    drv_config_defaults(&cfg);
    if (drv_config_load_json("{\"virt_type\": \"qemu\"}", "cfg.json", &cfg,
                             &err) < 0)
        return 1;
    printf("virt_type=%s pool=%s\n", cfg.virt_type, cfg.storage_pool);
    if (drv_config_load_json("{\n  \"vif_plugin_timeout\": 1}", "bad.json",
                             &cfg, &err) == 0)
        return 1;
    printf("%s: %s\n", drv_error_kind_name(err.kind), err.message);
    if (drv_instance_load_json("{\"uuid\": \"8c6a5fd2-0e0b-4c43-8c53-"
                               "2c6f2b0c0a11\", \"name\": \"vm1\", "
                               "\"flavor\": {\"vcpus\": 1, \"memory_mb\": 64}}",
                               "vm1.json", &inst, &err) < 0) {
        printf("%s\n", err.message);
        return 1;
    }
    printf("instance=%s vcpus=%u\n", inst.name, inst.flavor.vcpus);
    drv_instance_clear(&inst);
    drv_config_clear(&cfg);
    return 0;
}
C
# shellcheck disable=SC2086
if (cd "$tmp" && "$cc" "${flags[@]}" $cflags user.c -o user $libs ${EXTRA_LDFLAGS:-}) >"$tmp/log" 2>&1
then ok "a program on <hvd/drv.h> builds against the installed files"
else not_ok "a program on <hvd/drv.h> builds against the installed files" "$tmp/log"; fi
if "$tmp/user" >"$tmp/out" 2>&1 &&
   grep -q '^virt_type=qemu pool=hvd$' "$tmp/out" &&
   grep -q '^InvalidConfiguration: bad.json:2:3: .*vif_plugin_timeout' "$tmp/out" &&
   grep -q '^instance=vm1 vcpus=1$' "$tmp/out"
then ok "it loads JSON text and reports positioned errors"
else not_ok "it loads JSON text and reports positioned errors" "$tmp/out"; fi
echo "1..$n"
