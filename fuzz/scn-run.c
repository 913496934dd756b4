/*
 * scn-run.c: parse, then run on the fake — a scenario from arbitrary
 * bytes, run twice on the fake backend.
 *
 * Inputs are capped so that each runs in milliseconds: at most
 * FUZZ_MAX_STEPS steps, a few hosts, instances and faults, and no time
 * (waits, timeouts, fault times, guest timings) over FUZZ_MAX_SECONDS of
 * virtual time; others are skipped, not run.
 *
 * Checks: no crash, no leak, no hang (libFuzzer's -timeout), and the two
 * runs give the same trace (the fake is deterministic: `hvd run
 * --check-determinism`). A scenario that fails its own expectations is
 * fine; arbitrary expectations often are wrong.
 */
#include <glib.h>
#include <string.h>

#include "fuzz.h"
#include "run.h"
#include "scn.h"

#define T "scn-run"
#define FUZZ_MAX_STEPS 50
#define FUZZ_MAX_SECONDS 600.0

static bool
secs_ok(double s)
{
    return s <= FUZZ_MAX_SECONDS; /* the parser refuses negative times */
}

/* Is s small enough to run in a few milliseconds? */
static bool
within_caps(const scn *s)
{
    const drv_config *c = &s->config;

    if (s->n_steps > FUZZ_MAX_STEPS || s->n_hosts > 4 ||
        s->n_instances > 8 || s->n_faults > 8 || s->n_images > 8)
        return false;
    if (c->wait_soft_reboot_seconds > FUZZ_MAX_SECONDS ||
        c->vif_plugging_timeout > FUZZ_MAX_SECONDS ||
        !secs_ok(s->vif_plug_delay_s))
        return false;
    for (unsigned int i = 0; i < s->n_instances; i++) {
        const scn_guest *g = &s->instances[i].guest;

        if (!secs_ok(g->boot_s) || !secs_ok(g->acpi_delay_s) ||
            !secs_ok(g->crash_after_s))
            return false;
    }
    for (unsigned int i = 0; i < s->n_faults; i++) {
        const scn_fault *f = &s->faults[i];

        if (!secs_ok(f->at_s) || !secs_ok(f->for_s) ||
            !secs_ok(f->boot_s) || !secs_ok(f->stall_s))
            return false;
    }
    for (unsigned int i = 0; i < s->n_steps; i++) {
        const scn_step *st = &s->steps[i];

        if (!secs_ok(st->seconds) || st->timeout > FUZZ_MAX_SECONDS ||
            st->retry_interval > FUZZ_MAX_SECONDS)
            return false;
    }
    return true;
}

int
fuzz_scn_run(const uint8_t *data, size_t size)
{
    g_autofree char *text = fuzz_text(data, size);
    g_autofree char *error = NULL;
    scn *s = scn_parse(text, "fuzz", &error);
    run_options opt = {.backend = "fake"};
    run_result a, b;

    if (!s)
        return 0;
    if (!within_caps(s)) {
        scn_free(s);
        return 0;
    }
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    if (run_scenario(s, &opt, &a) < 0)
        fuzz_fail(T, "could not run on the fake: %s",
                  a.message ? a.message : "(no message)");
    if (run_scenario(s, &opt, &b) < 0)
        fuzz_fail(T, "second run could not run: %s",
                  b.message ? b.message : "(no message)");
    if (strcmp(a.hash, b.hash) != 0 || a.passed != b.passed)
        fuzz_fail(T, "two runs differ: %s %s / %s %s", a.hash,
                  a.passed ? "passed" : "failed", b.hash,
                  b.passed ? "passed" : "failed");
    run_result_clear(&a);
    run_result_clear(&b);
    scn_free(s);
    return 0;
}
