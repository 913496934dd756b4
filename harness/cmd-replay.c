/*
 * cmd-replay.c: hvd replay: a recorded trace re-run and compared, or a
 * scenario run twice.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "cmd-priv.h"
#include "run.h"
#include "scn.h"
#include "trace.h"

/*
 * Compare the replay of a trace recorded on libvirt with the recording:
 * a real run's times (and the hv calls its timing decides, polls and
 * retries) differ every time, so both are compared by their normalised
 * traces (trace_normalise: steps and lifecycle events). One hash per run,
 * of its normalised trace. EXIT_PASS or EXIT_NONDETERMINISM.
 */
static int
replay_compare_real(const char *name, const char *recorded_body,
                    const run_result *res, bool two_runs)
{
    char *nrec = trace_normalise(recorded_body);
    char *nnow = trace_normalise(res->trace ? res->trace : "");
    char hrec[TRACE_HASH_LEN + 1], hnow[TRACE_HASH_LEN + 1];
    char *la = NULL, *lb = NULL;
    unsigned int line;
    int ret;

    trace_hash(nrec, hrec);
    trace_hash(nnow, hnow);
    printf("replay %s: %s on libvirt, so compared by the normalised trace "
           "(steps and lifecycle events, not times)\n", name,
           two_runs ? "run twice" : "recorded");
    line = trace_first_difference(nrec, nnow, &la, &lb);
    if (line == 0) {
        printf("replay %s: identical (normalised trace %s)\n", name, hrec);
        ret = EXIT_PASS;
    } else {
        printf("# first difference at normalised trace line %u:\n"
               "#   recorded: %s\n#   this run: %s\n", line, la, lb);
        printf("replay %s: differs (normalised trace: recorded %s, this run "
               "%s)\n", name, hrec, hnow);
        ret = EXIT_NONDETERMINISM;
    }
    g_free(la);
    g_free(lb);
    g_free(nrec);
    g_free(nnow);
    return ret;
}

int
cmd_replay(int argc, char **argv)
{
    cli c = {.cmd = "replay"};
    trace_file *tf = NULL;
    char *error = NULL;
    run_result res;
    scn *s = NULL;
    int ret = EXIT_BAD_INPUT, rc;

    if (cli_parse(argc, argv, &c, 0, cmd_usage_replay) < 0)
        goto out;
    if (optind != argc - 1) {
        cmd_usage_replay(stderr);
        goto out;
    }
    rc = trace_read(argv[optind], &tf, &error);
    if (rc < 0) {
        fprintf(stderr, "hvd replay: %s\n", error);
        goto out;
    }
    if (rc == 0) {
        char recorded[TRACE_HASH_LEN + 1];

        if (strcmp(tf->backend, "fake") != 0 &&
            strcmp(tf->backend, "libvirt") != 0) {
            fprintf(stderr, "hvd replay: %s:1: unknown backend '%s' in the "
                            "trace header\n", argv[optind], tf->backend);
            goto out;
        }
        if (strcmp(c.opt.backend, "fake") != 0 &&
            strcmp(c.opt.backend, tf->backend) != 0) {
            fprintf(stderr, "hvd replay: %s was recorded on %s: it replays "
                            "there (--backend is not needed)\n",
                    argv[optind], tf->backend);
            goto out;
        }
        c.opt.backend = tf->backend;
        if (cli_resolve_backend(&c) < 0)
            goto out;
        trace_hash(tf->body, recorded);
        if (strcmp(recorded, tf->hash) != 0)
            fprintf(stderr, "hvd replay: %s: the trace was edited after "
                            "it was written (its header's hash is not its "
                            "content's); comparing with its content\n",
                    argv[optind]);
        if (!(s = scn_load(tf->scenario, &error))) {
            fprintf(stderr, "%s\n", error);
            goto out;
        }
        /* the seed the run was recorded with (hvd run --seed) */
        s->seed = tf->seed;
        if (run_scenario(s, &c.opt, &res) < 0) {
            fprintf(stderr, "hvd replay: %s\n", res.message);
            run_result_clear(&res);
            ret = EXIT_UNREACHABLE;
            goto out;
        }
        if (strcmp(tf->backend, "fake") != 0) {
            ret = replay_compare_real(s->name, tf->body, &res, false);
        } else if (strcmp(res.hash, recorded) == 0) {
            printf("replay %s: identical (trace %s)\n", s->name, res.hash);
            ret = EXIT_PASS;
        } else {
            /* where the recorded run and this one part */
            cmd_print_difference(s->name, recorded, tf->body, res.hash,
                             res.trace);
            printf("replay %s: differs (recorded %s, this run %s)\n",
                   s->name, recorded, res.hash);
            ret = EXIT_NONDETERMINISM;
        }
        run_result_clear(&res);
        goto out;
    }
    g_clear_pointer(&error, g_free);
    /* a scenario: run it twice */
    if (cli_resolve_backend(&c) < 0)
        goto out;
    if (!(s = scn_load(argv[optind], &error))) {
        fprintf(stderr, "%s\n", error);
        goto out;
    }
    if (run_scenario(s, &c.opt, &res) < 0) {
        fprintf(stderr, "hvd replay: %s\n", res.message);
        run_result_clear(&res);
        ret = EXIT_UNREACHABLE;
        goto out;
    }
    if (strcmp(c.opt.backend, "fake") != 0) {
        /* a real run's times differ every time: compare what it did */
        run_result again = {0};

        if (run_scenario(s, &c.opt, &again) < 0) {
            fprintf(stderr, "hvd replay: %s\n", again.message);
            ret = EXIT_UNREACHABLE;
        } else {
            ret = replay_compare_real(s->name, res.trace, &again, true);
        }
        run_result_clear(&again);
    } else if (cmd_differs(s, &c.opt, &res)) {
        ret = EXIT_NONDETERMINISM;
    } else {
        printf("replay %s: identical over two runs (trace %s)\n", s->name,
               res.hash);
        ret = EXIT_PASS;
    }
    run_result_clear(&res);

out:
    scn_free(s);
    g_free(error);
    trace_file_free(tf);
    cli_clear(&c);
    return ret;
}
