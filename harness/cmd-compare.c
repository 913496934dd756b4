/*
 * cmd-compare.c: determinism (a second run, its trace compared) and
 * --compare (a real run's normalised trace against the fake's).
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-priv.h"
#include "run.h"
#include "trace.h"

/*
 * Compare two traces of scenario 'name' (texts and hashes); 1 if they
 * differ, after printing the hashes and the first differing line of each
 * (a first, b second).
 */
int
cmd_print_difference(const char *name, const char *hash_a, const char *trace_a,
                 const char *hash_b, const char *trace_b)
{
    char *la = NULL, *lb = NULL;
    unsigned int line;
    int d = 0;

    line = trace_first_difference(trace_a ? trace_a : "",
                                  trace_b ? trace_b : "", &la, &lb);
    if (line || strcmp(hash_a, hash_b) != 0) {
        fprintf(stdout, "# non-determinism in %s: hashes %s and %s; first "
                        "difference at trace line %u:\n#   %s\n#   %s\n",
                name, hash_a, hash_b, line, la ? la : "(none)",
                lb ? lb : "(none)");
        d = 1;
    }
    g_free(la);
    g_free(lb);
    return d;
}

/*
 * Run a scenario again, independently of 'first' (a fresh world, a fresh
 * trace), and compare the two traces' texts and hashes; 1 if they differ
 * (prints where). HVD_TEST_NONDETERMINISM=1 in the environment perturbs
 * this second run (see run_options.test_perturb): a test hook that proves
 * the check can fail.
 */
int
cmd_differs(const scn *s, const run_options *opt, const run_result *first)
{
    run_options second = *opt;
    run_result again;
    const char *hook = getenv("HVD_TEST_NONDETERMINISM");
    int d;

    second.test_perturb = hook && strcmp(hook, "1") == 0;
    run_scenario(s, &second, &again);
    d = cmd_print_difference(s->name, first->hash, first->trace, again.hash,
                         again.trace);
    run_result_clear(&again);
    return d;
}

/*
 * Run s on the fake too and compare the normalised traces: a difference
 * fails the real run (a case where the fake and real QEMU disagree is a
 * bug in the fake, or in the scenario's expectations).
 */
void
cmd_compare_with_fake(const scn *s, run_result *res)
{
    run_options fake = {.backend = "fake"};
    run_result f;
    char *nf, *nr, *la = NULL, *lb = NULL;

    run_scenario(s, &fake, &f);
    nf = trace_normalise(f.trace);
    nr = trace_normalise(res->trace);
    if (trace_first_difference(nf, nr, &la, &lb)) {
        res->passed = false;
        g_free(res->message);
        res->message = g_strdup_printf(
            "the fake and this backend differ: fake [%s], here [%s]", la, lb);
        g_free(la);
        g_free(lb);
    }
    g_free(nf);
    g_free(nr);
    run_result_clear(&f);
}
