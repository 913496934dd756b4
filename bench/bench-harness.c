/*
 * bench-harness.c: the harness's speed on the fake, with figures.
 *
 *  - the whole corpus (scenarios/, run from the repository root): wall time
 *    for one pass (target < 1 s);
 *  - a generated 1,000-step scenario (target < 50 ms);
 *  - simulated / wall time on scenarios dominated by waits: a soft reboot
 *    that waits out wait_soft_reboot_seconds, and a power-off that waits
 *    out its timeout;
 *  - migration (from the corpus): a live migration scenario (checks, pre,
 *    the monitor, post, cleanup; target < 6 ms), a 30-minute
 *    non-converging one aborted by its completion timeout (target
 *    < 10 ms), and two migrations at once in the background.
 * It prints; it does not judge (benchmarks never assert).
 * Usage: bench-harness [CORPUS-DIR] [REPEATS]
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "run.h"
#include "scn.h"

static double
wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
collect(const char *dir, GPtrArray *out)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *n;

    if (!d)
        return;
    while ((n = g_dir_read_name(d))) {
        char *p = g_build_filename(dir, n, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR))
            collect(p, out);
        else if (g_str_has_suffix(p, ".json"))
            g_ptr_array_add(out, g_strdup(p));
        g_free(p);
    }
    g_dir_close(d);
}

static const char head[] =
    "{\"name\": \"bench\", \"config\": {\"virt_type\": \"qemu\","
    " \"wait_soft_reboot_seconds\": %d},"
    " \"hosts\": [{\"name\": \"h1\"}],"
    " \"instances\": [{\"name\": \"vm1\", \"host\": \"h1\","
    "   \"flavor\": {\"name\": \"t\", \"vcpus\": 1, \"memory_mb\": 96},"
    "   \"image\": {\"id\": \"g\", \"format\": \"raw\"}%s}],"
    " \"steps\": [";

/* Best wall time of 'repeats' runs of s; its simulated time in *sim. */
static double
time_runs(const scn *s, int repeats, double *sim)
{
    run_options opt = {.backend = "fake"};
    double best = 1e9;

    for (int i = 0; i < repeats; i++) {
        run_result res;
        double t0 = wall(), t;

        run_scenario(s, &opt, &res);
        t = wall() - t0;
        if (!res.passed) {
            fprintf(stderr, "bench scenario failed: %s\n", res.message);
            exit(1);
        }
        if (t < best)
            best = t;
        *sim = (double)res.sim_ns / 1e9;
        run_result_clear(&res);
    }
    return best;
}

static scn *
parse_or_die(const char *text)
{
    char *error = NULL;
    scn *s = scn_parse(text, "bench", &error);

    if (!s) {
        fprintf(stderr, "%s\n", error);
        exit(1);
    }
    return s;
}

int
main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "scenarios";
    int repeats = argc > 2 ? (int)g_ascii_strtoll(argv[2], NULL, 10) : 5;
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    GPtrArray *loaded = g_ptr_array_new();
    run_options opt = {.backend = "fake"};
    double best = 1e9, sim = 0, t, total_sim = 0;
    GString *text;
    scn *s;

    if (repeats < 1)
        repeats = 1;
    collect(dir, files);
    for (guint i = 0; i < files->len; i++) {
        char *error = NULL;
        scn *one = scn_load(g_ptr_array_index(files, i), &error);
        if (!one) {
            fprintf(stderr, "%s\n", error);
            return 1;
        }
        g_ptr_array_add(loaded, one);
    }
    /* the corpus: parse included, as `hvd run scenarios` does */
    for (int r = 0; r < repeats; r++) {
        double t0 = wall();
        total_sim = 0;
        for (guint i = 0; i < files->len; i++) {
            char *error = NULL;
            scn *one = scn_load(g_ptr_array_index(files, i), &error);
            run_result res;
            run_scenario(one, &opt, &res);
            total_sim += (double)res.sim_ns / 1e9;
            run_result_clear(&res);
            scn_free(one);
        }
        t = wall() - t0;
        if (t < best)
            best = t;
    }
    printf("corpus: %u scenarios in %.1f ms wall (best of %d; target < "
           "1000 ms), %.0f s simulated\n",
           files->len, best * 1e3, repeats, total_sim);

    /* 1,000 steps: spawn, 499 pause/unpause pairs with checks, destroy */
    text = g_string_new("");
    g_string_append_printf(text, head, 120, "");
    g_string_append(text, "{\"op\": \"spawn\", \"instance\": \"vm1\"}");
    for (int i = 0; i < 499; i++)
        g_string_append(text,
                        i % 2 ? ",{\"op\": \"unpause\", \"instance\": \"vm1\"}"
                              : ",{\"op\": \"pause\", \"instance\": \"vm1\"}");
    for (int i = 0; i < 499; i++)
        g_string_append(text, ",{\"check\": \"exists\", \"instance\": "
                              "\"vm1\", \"exists\": true}");
    g_string_append(text, ",{\"op\": \"destroy\", \"instance\": \"vm1\"}]}");
    s = parse_or_die(text->str);
    t = time_runs(s, repeats, &sim);
    printf("1,000-step scenario: %.2f ms wall (best of %d; target < 50 ms)\n",
           t * 1e3, repeats);
    scn_free(s);

    /* waits: soft reboot ignored (waits 120 s), then power-off timeout */
    g_string_truncate(text, 0);
    g_string_append_printf(text, head, 120, ", \"guest\": {\"acpi\": false}");
    g_string_append(text,
                    "{\"op\": \"spawn\", \"instance\": \"vm1\"},"
                    "{\"wait\": 5},"
                    "{\"op\": \"reboot\", \"instance\": \"vm1\"},"
                    "{\"op\": \"power_off\", \"instance\": \"vm1\","
                    " \"timeout\": 300, \"retry_interval\": 10},"
                    "{\"op\": \"destroy\", \"instance\": \"vm1\"}]}");
    s = parse_or_die(text->str);
    t = time_runs(s, repeats, &sim);
    printf("wait-dominated scenario: %.0f s simulated in %.3f ms wall: "
           "%.0fx faster than real time\n",
           sim, t * 1e3, sim / t);
    scn_free(s);

    /* migration scenarios of the corpus, by file */
    {
        static const struct {
            const char *file, *what;
            double target_ms;
        } mig[] = {
            {"migrate/live-completes.json", "live migration", 6},
            {"migrate/live-never-converges.json",
             "30-minute non-converging migration, aborted", 10},
            {"migrate/concurrent-opposite.json",
             "two live migrations at once (background tasks)", 0},
        };

        for (size_t i = 0; i < G_N_ELEMENTS(mig); i++) {
            char *path = g_build_filename(dir, mig[i].file, NULL);
            char *error = NULL;
            scn *m = scn_load(path, &error);

            if (!m) {
                fprintf(stderr, "%s\n", error);
                return 1;
            }
            t = time_runs(m, repeats * 4, &sim);
            printf("%s: %.0f s simulated in %.3f ms wall (best of %d%s",
                   mig[i].what, sim, t * 1e3, repeats * 4,
                   mig[i].target_ms > 0 ? "; target < " : ")\n");
            if (mig[i].target_ms > 0)
                printf("%.0f ms)\n", mig[i].target_ms);
            scn_free(m);
            g_free(path);
        }
    }

    g_string_free(text, TRUE);
    for (guint i = 0; i < loaded->len; i++)
        scn_free(g_ptr_array_index(loaded, i));
    g_ptr_array_free(loaded, TRUE);
    g_ptr_array_free(files, TRUE);
    return 0;
}
