/*
 * fuzz.h: the entry points of hvd's fuzz targets.
 *
 * Each fuzz/<target>.c defines one fuzz_<target>() that takes arbitrary
 * bytes, feeds them to the code under test and aborts (abort(), so that
 * libFuzzer and the regression test see a crash) when a property the
 * target checks does not hold. The same entry functions are compiled twice:
 * by clang with -fsanitize=fuzzer,address,undefined behind the
 * LLVMFuzzerTestOneInput wrapper (fuzz/libfuzzer.c, `make fuzz`), and by the
 * normal build into tests/test-fuzz-regress, which replays every file under
 * tests/data/fuzz-regressions/<target>/ on each `make check`.
 *
 * Every entry returns 0 (libFuzzer's "keep going"); the input is borrowed.
 */
#ifndef HVD_FUZZ_H
#define HVD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* One target: its name (the folder of its seeds and regressions) and its
 * entry. (fuzz/run.sh gives each its -max_len.) */
typedef struct fuzz_target {
    const char *name;
    int (*entry)(const uint8_t *data, size_t size);
} fuzz_target;

int fuzz_scn_parse(const uint8_t *data, size_t size);
int fuzz_config_load(const uint8_t *data, size_t size);
int fuzz_instance_load(const uint8_t *data, size_t size);
int fuzz_domain_xml(const uint8_t *data, size_t size);
int fuzz_fake_xml(const uint8_t *data, size_t size);
int fuzz_scn_run(const uint8_t *data, size_t size);

/* The targets above, in that order, NULL-name terminated. */
extern const fuzz_target fuzz_targets[];

/* The input as a NUL-terminated string (g_free): the parsers read C
 * strings. An input holding a NUL byte is cut there, as a file reader
 * refusing NUL bytes would never pass it on anyway. */
char *fuzz_text(const uint8_t *data, size_t size);

/* abort() with a message on stderr: a property of the target failed. */
void fuzz_fail(const char *target, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

#endif /* HVD_FUZZ_H */
