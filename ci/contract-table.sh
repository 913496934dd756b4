#!/usr/bin/env bash
# ci/contract-table.sh [CONTRACT] [TABLE]: docs/contract.md must have one
# row for every public method of the ComputeDriver class in the contract
# (../shared/reference/nova-virt-driver.py beside the repository), and no
# row for a method the contract does not have, so the table cannot drift.
# A row is a table line starting with "| `name` |". Exit 1 with the
# differences; exit 0 with a note when the contract file is not there
# (a tree without the reference beside it has nothing to compare with).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
contract=${1:-$root/../shared/reference/nova-virt-driver.py}
table=${2:-$root/docs/contract.md}

if [ ! -f "$contract" ]; then
    echo "contract-table: $contract not found; not checked"
    exit 0
fi
if [ ! -f "$table" ]; then
    echo "contract-table: $table: no such file" >&2
    exit 1
fi
# the class's own methods: 4-space "def" lines between "class ComputeDriver"
# and the next top-level line; private ones (leading _) are not the contract
want=$(awk '/^class ComputeDriver\(/ {c = 1; next}
            c && /^[^ \t#\n]/ {c = 0}
            c && /^    def [A-Za-z]/ {sub(/^    def /, ""); sub(/\(.*/, ""); print}' \
        "$contract" | sort -u)
if [ -z "$want" ]; then
    echo "contract-table: $contract: no ComputeDriver methods found" >&2
    exit 1
fi
have=$(sed -n 's/^| `\([A-Za-z_][A-Za-z0-9_]*\)` |.*/\1/p' "$table" | sort)
dups=$(printf '%s\n' "$have" | uniq -d)
have=$(printf '%s\n' "$have" | sort -u)
missing=$(comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$have"))
extra=$(comm -13 <(printf '%s\n' "$want") <(printf '%s\n' "$have"))
bad=0
if [ -n "$missing" ]; then
    printf 'contract-table: %s: no row for contract method(s):\n%s\n' "$table" "$missing" >&2
    bad=1
fi
if [ -n "$extra" ]; then
    printf 'contract-table: %s: row(s) for method(s) not in the contract:\n%s\n' "$table" "$extra" >&2
    bad=1
fi
if [ -n "$dups" ]; then
    printf 'contract-table: %s: more than one row for:\n%s\n' "$table" "$dups" >&2
    bad=1
fi
[ "$bad" -eq 0 ] && echo "contract-table: $(printf '%s\n' "$want" | wc -l) methods, one row each"
exit "$bad"
