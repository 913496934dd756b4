/*
 * run.h: the runner — runs one scenario on a backend, checks each step's
 * expectations and the invariants after every step, and records a trace.
 *
 * The runner stands in for the compute manager and the network service: it
 * holds what it believes about each instance (alive on a host, or gone),
 * confirms plugged VIFs after the scenario's delay, and checks the driver
 * against its beliefs through a separate observer connection per host (so
 * checks neither show in the trace nor consume fault countdowns).
 *
 * Trace: one JSON object per line — hv calls, hv events, lifecycle events,
 * steps — stamped with virtual time on the fake (wall time since the start
 * on libvirt). On the fake two runs of one scenario give byte-identical
 * traces; the hash is trace_hash (FNV-1a 64) over the trace text. The
 * format, the files and their reader are trace.h's.
 */
#ifndef HVD_RUN_H
#define HVD_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "scn.h"
#include "trace.h"

struct sim_world; /* the fake's world (sim.h), for the test hook */

typedef struct run_options {
    const char *backend;   /* "fake" (default) or "libvirt" */
    char **host_uris;      /* "NAME=URI" ("*=URI": any other host),
                              NULL-terminated; libvirt only */
    bool verbose;          /* print each step as it runs (stderr) */
    /* libvirt only (settings.h resolves them): the domain type, NULL for
     * the scenario's; the tiny guest's kernel and initramfs (absolute
     * paths), NULL for the scenario's image as it is */
    const char *virt_type;
    const char *guest_kernel;
    const char *guest_initrd;
    /* libvirt only: the URI a host reaches another by ("%s": its name),
     * for the drivers' live_migration_uri and cold_migration_uri; NULL:
     * the scenario's */
    const char *migration_uri;
    /* Test hook, never set in normal runs: perturb this run by one extra
     * nanosecond of virtual time before the first step, so that its trace
     * differs from an unperturbed run's (`hvd run --check-determinism`
     * sets it on its second run when HVD_TEST_NONDETERMINISM=1). */
    bool test_perturb;
    /* Test hook, NULL in hvd: on the fake, called after each step's
     * action (an operation's driver call, a wait; before a check looks)
     * and before the runner checks anything, with the world — so that a
     * test can change the world behind the driver's back and see the
     * runner's checks and invariants fail (tests/test-run.c). */
    void (*test_after_step)(void *opaque, struct sim_world *w,
                            unsigned int step);
    void *test_opaque;
} run_options;

typedef struct run_result {
    bool passed;
    bool skipped;          /* the scenario does not run on this backend */
    char *message;         /* failure or skip reason (g_free), NULL if none */
    int failed_step;       /* index, -1 if none */
    unsigned int steps_run;
    char *trace;           /* the trace text, JSON lines (g_free) */
    char hash[TRACE_HASH_LEN + 1]; /* trace_hash of the trace */
    int64_t sim_ns;        /* time that passed in the scenario */
    double wall_s;         /* wall time the run took */
} run_result;

/*
 * Run s on the backend in opt. Returns 0 when the scenario ran (passed or
 * failed: see res->passed) or was skipped, -1 when it could not run at all
 * (a host URI missing or unreachable: res->message says why).
 */
int run_scenario(const scn *s, const run_options *opt, run_result *res);
void run_result_clear(run_result *res);

#endif /* HVD_RUN_H */
