/*
 * libfuzzer.c: libFuzzer's entry for one target, picked at compile time
 * (-DFUZZ_ENTRY=fuzz_scn_parse). Only `make fuzz` builds this file, with
 * clang; the entries themselves are shared with tests/test-fuzz-regress.
 */
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

#ifndef FUZZ_ENTRY
#error "build with -DFUZZ_ENTRY=fuzz_<target>"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return FUZZ_ENTRY(data, size);
}
