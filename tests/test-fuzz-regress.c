/*
 * test-fuzz-regress.c: replays the fuzzers' findings with the normal build.
 *
 * Every file under tests/data/fuzz-regressions/TARGET/ is fed to the entry
 * function of fuzz target TARGET (fuzz/fuzz.h; the same code `make fuzz`
 * runs under libFuzzer), each in a child process so that a crash (abort,
 * signal) fails that input by name and the others still run. One TAP line
 * per input. The folder: $HVD_FUZZ_REGRESS_DIR, else
 * tests/data/fuzz-regressions (make check runs from the repo root). The
 * seed corpora (fuzz/corpus/TARGET/) are replayed the same way: the
 * targets' properties hold on the seeds, and the entries get exercised on
 * every make check.
 *
 * The replay itself is checked first: an entry that aborts must come out
 * as a failure.
 */
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

static int n_tests;

/* Run entry on data in a child: 0 if it returned, else -1 with *why set
 * (g_free). */
static int
replay(int (*entry)(const uint8_t *, size_t), const uint8_t *data,
       size_t size, char **why)
{
    int status;
    pid_t pid;

    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        *why = g_strdup("fork failed");
        return -1;
    }
    if (pid == 0) {
        entry(data, size);
        _exit(0);
    }
    if (waitpid(pid, &status, 0) < 0) {
        *why = g_strdup("waitpid failed");
        return -1;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    *why = WIFSIGNALED(status)
               ? g_strdup_printf("killed by signal %d", WTERMSIG(status))
               : g_strdup_printf("exit %d", WEXITSTATUS(status));
    return -1;
}

static void
tap(bool ok, const char *what)
{
    printf("%sok %d - %s\n", ok ? "" : "not ", ++n_tests, what);
}

/* A planted entry that breaks its property. */
static int
aborts(const uint8_t *data, size_t size)
{
    (void)data;
    (void)size;
    fuzz_fail("planted", "this entry always fails (expected)");
}

static int
by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * What the parent holds while a child runs, owned here: reachable from a
 * global, so that valgrind in a child (make valgrind) does not count it
 * as lost when the child leaves with _exit.
 */
static GPtrArray *held;

static char *
hold(char *s)
{
    g_ptr_array_add(held, s);
    return s;
}

static int
replay_folder(const char *root, const fuzz_target *t)
{
    const char *dir = hold(g_build_filename(root, t->name, NULL));
    GDir *d = g_dir_open(dir, 0, NULL);
    unsigned int first = held->len, last;
    const char *name;
    int failed = 0;

    while (d && (name = g_dir_read_name(d)))
        hold(g_strdup(name));
    if (d)
        g_dir_close(d);
    last = held->len;
    /* the order of the TAP lines does not depend on the file system */
    qsort(held->pdata + first, last - first, sizeof(char *), by_name);
    for (unsigned int i = first; i < last; i++) {
        const char *file = g_ptr_array_index(held, i);
        const char *path = hold(g_build_filename(dir, file, NULL));
        const char *what = hold(g_strdup_printf("%s: %s/%s", root, t->name,
                                                file));
        char *data = NULL;
        g_autofree char *why = NULL;
        gsize size;

        if (!g_file_get_contents(path, &data, &size, NULL)) {
            printf("# %s: cannot read it\n", path);
            tap(false, what);
            failed++;
            continue;
        }
        hold(data);
        if (replay(t->entry, (const uint8_t *)data, size, &why) < 0) {
            printf("# %s: %s\n", path, why);
            tap(false, what);
            failed++;
        } else {
            tap(true, what);
        }
    }
    g_ptr_array_set_size(held, 0);
    return failed;
}

int
main(void)
{
    const char *roots[] = {g_getenv("HVD_FUZZ_REGRESS_DIR"), "fuzz/corpus"};
    g_autofree char *why = NULL;
    int failed = 0;

    if (!roots[0])
        roots[0] = "tests/data/fuzz-regressions";
    held = g_ptr_array_new_with_free_func(g_free);
    for (size_t i = 0; i < G_N_ELEMENTS(roots); i++) {
        if (!g_file_test(roots[i], G_FILE_TEST_IS_DIR)) {
            printf("# %s: no such folder (run from the repository's "
                   "root)\n", roots[i]);
            return 1;
        }
    }
    if (replay(aborts, (const uint8_t *)"", 0, &why) < 0) {
        printf("# the planted entry: %s\n", why);
        tap(true, "a crashing entry fails its input");
    } else {
        tap(false, "a crashing entry fails its input");
        failed++;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(roots); i++)
        for (const fuzz_target *t = fuzz_targets; t->name; t++)
            failed += replay_folder(roots[i], t);
    printf("1..%d\n", n_tests);
    g_ptr_array_unref(held);
    return failed ? 1 : 0;
}
