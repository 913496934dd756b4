/*
 * bench-parse.c: how loading a scenario grows with its number of steps.
 *
 * Generates scenarios of 10^3, 10^4, ... steps in memory (one step a
 * line: operations, waits and checks in turn) and times scn_parse on each:
 * steps, seconds, steps per second, and the process's peak RSS so far.
 * Loading must be linear: a 10^6-step scenario loads in seconds.
 * It prints; it does not judge (benchmarks never assert).
 * Usage: bench-parse [MAX-STEPS] (default 1000000)
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "scn.h"

static double
wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Peak resident set of the process so far, in MiB (Linux: KiB units). */
static double
peak_rss_mib(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return 0;
    return (double)ru.ru_maxrss / 1024.0;
}

/* A scenario of n steps (n >= 1), one step a line (g_string_free). */
static GString *
scenario_text(unsigned long n)
{
    static const char *const steps[] = {
        "{\"op\": \"pause\", \"instance\": \"vm1\"}",
        "{\"wait\": 1}",
        "{\"check\": \"state\", \"instance\": \"vm1\", \"state\": "
        "\"PAUSED\"}",
        "{\"op\": \"unpause\", \"instance\": \"vm1\", \"description\": "
        "\"unpaus\xc3\xa9\"}",
        "{\"check\": \"exists\", \"instance\": \"vm1\", \"exists\": true}",
    };
    GString *text = g_string_sized_new(n * 56 + 512);

    g_string_append(text,
                    "{\n  \"name\": \"bench-parse\",\n"
                    "  \"hosts\": [{\"name\": \"h1\"}],\n"
                    "  \"instances\": [{\"name\": \"vm1\", \"host\": \"h1\",\n"
                    "    \"flavor\": {\"name\": \"t\", \"vcpus\": 1, "
                    "\"memory_mb\": 96},\n"
                    "    \"image\": {\"id\": \"g\", \"format\": \"raw\"}}],\n"
                    "  \"steps\": [\n"
                    "    {\"op\": \"spawn\", \"instance\": \"vm1\"}");
    for (unsigned long i = 1; i < n; i++)
        g_string_append_printf(text, ",\n    %s",
                               steps[i % G_N_ELEMENTS(steps)]);
    g_string_append(text, "\n  ]\n}\n");
    return text;
}

int
main(int argc, char **argv)
{
    unsigned long max = argc > 1
                            ? (unsigned long)g_ascii_strtoull(argv[1], NULL, 10)
                            : 1000000UL;
    unsigned long sizes[] = {1000, 10000, 20000, 100000, 1000000};

    printf("%10s %10s %12s %10s %14s\n", "steps", "MiB", "seconds", "steps/s",
           "peak RSS MiB");
    for (size_t k = 0; k < G_N_ELEMENTS(sizes) && sizes[k] <= max; k++) {
        GString *text = scenario_text(sizes[k]);
        char *error = NULL;
        double t0 = wall(), t;
        scn *s = scn_parse(text->str, "bench", &error);

        t = wall() - t0;
        if (!s) {
            fprintf(stderr, "bench-parse: %s\n", error);
            g_free(error);
            g_string_free(text, TRUE);
            return 1;
        }
        if (s->n_steps != sizes[k]) {
            fprintf(stderr, "bench-parse: %u steps parsed, %lu written\n",
                    s->n_steps, sizes[k]);
            return 1;
        }
        printf("%10lu %10.1f %12.3f %10.0f %14.1f\n", sizes[k],
               (double)text->len / (1024.0 * 1024.0), t,
               (double)sizes[k] / t, peak_rss_mib());
        fflush(stdout);
        scn_free(s);
        g_string_free(text, TRUE);
    }
    return 0;
}
