#!/usr/bin/env bash
# The scenario corpus on the fake, twice per scenario (determinism), with a
# JUnit report for CI. Prints TAP; run by make check through run-tests.sh.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
hvd="${HVD_BIN:-build/hvd}"
# shellcheck disable=SC2086
${HVD_WRAP:-} "$hvd" validate scenarios >&2 || exit 2
# shellcheck disable=SC2086
exec ${HVD_WRAP:-} "$hvd" run --check-determinism --junit "${HVD_JUNIT:-build/corpus-fake.xml}" scenarios
