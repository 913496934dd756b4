/*
 * test-migrate-plan.c: the live-migration monitor's arithmetic
 * (driver/drv-migrate-plan.c) — the reference's own example, every
 * boundary at its exact value, and a differential test: the reference's
 * functions, run by python3 over a grid of inputs (tests/migrate-plan-ref.py
 * reads ../shared/reference), must give exactly what hvd gives.
 */
#include <glib.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "drv-priv.h"

#define NS HV_NS_PER_SEC
#define GIB (INT64_C(1) << 30)

/* ---- data to transfer ---- */

static void
test_data_gb(void **state)
{
    int64_t disks[] = {GIB, 3 * GIB, -1, 2 * GIB + 1};

    (void)state;
    /* Python 3's true division: not the 2 of Python 2's integer division */
    assert_true(drv_migrate_data_gb(3000, NULL, 0) == 2.9296875);
    /* at least 2 GB of RAM: 1 GiB and 2047 MiB count as 2 */
    assert_true(drv_migrate_data_gb(0, NULL, 0) == 2);
    assert_true(drv_migrate_data_gb(1024, NULL, 0) == 2);
    assert_true(drv_migrate_data_gb(2047, NULL, 0) == 2);
    assert_true(drv_migrate_data_gb(2049, NULL, 0) == 2 + 1.0 / 1024);
    assert_true(drv_migrate_data_gb(4096, NULL, 0) == 4);
    /* a 1 GiB disk counts 2, 3 GiB 3, one that cannot be read nothing */
    assert_true(drv_migrate_data_gb(4096, disks, 1) == 6);
    assert_true(drv_migrate_data_gb(4096, disks, 2) == 9);
    assert_true(drv_migrate_data_gb(4096, disks, 3) == 9);
    assert_true(drv_migrate_data_gb(4096, disks, 4) ==
                9 + (2 + 1.0 / (double)GIB));
    /* the largest sizes do not overflow */
    assert_true(drv_migrate_data_gb(UINT64_MAX, NULL, 0) == 0x1p54);
}

/* ---- the downtime schedule ---- */

/* The plan for (D, S, d, gb), which must be valid. */
static drv_downtime_plan
plan_of(int downtime, int steps, int delay, double gb)
{
    drv_downtime_plan p;
    drv_error err;

    drv_error_reset(&err);
    assert_int_equal(drv_migrate_downtime_plan(downtime, steps, delay, gb, &p,
                                               &err), 0);
    return p;
}

static void
test_reference_example(void **state)
{
    /* _migration_downtime_steps' docstring: D 400, S 10, d 30, 3 GB */
    static const int64_t ms[] = {37, 38, 39, 42, 46, 55, 70, 98, 148, 238, 400};
    drv_downtime_plan p = plan_of(400, 10, 30, 3.0);
    drv_downtime_step out[16];

    (void)state;
    assert_int_equal(p.delay, 90);
    assert_int_equal(drv_migrate_downtime_fill(&p, out, G_N_ELEMENTS(out)), 11);
    for (int i = 0; i < 11; i++) {
        assert_int_equal(out[i].after_s, 90 * i);
        assert_int_equal(out[i].ms, ms[i]);
    }
    /* a short array gets the first steps and learns the length */
    memset(out, 0, sizeof(out));
    assert_int_equal(drv_migrate_downtime_fill(&p, out, 2), 11);
    assert_int_equal(out[1].ms, 38);
    assert_int_equal(out[2].ms, 0);

    /* the defaults (500 ms, 10 steps, 75 s) and 3000 MB of RAM: the delay
     * is int(75 x 2.9296875) = 219 s, not 150 */
    p = plan_of(500, 10, 75, drv_migrate_data_gb(3000, NULL, 0));
    assert_int_equal(p.delay, 219);
    assert_int_equal(drv_migrate_downtime_step(&p, 10).after_s, 2190);
    assert_int_equal(drv_migrate_downtime_step(&p, 10).ms, 500);
    assert_int_equal(drv_migrate_downtime_step(&p, 0).ms, 46);
}

static void
test_downtime_minimums(void **state)
{
    drv_downtime_plan p;

    (void)state;
    /* below the minimum is raised to it; the minimum itself stays */
    p = plan_of(99, 3, 10, 2);
    assert_int_equal(p.downtime, DRV_MIGRATE_DOWNTIME_MIN);
    p = plan_of(100, 3, 10, 2);
    assert_int_equal(p.downtime, 100);
    p = plan_of(101, 3, 10, 2);
    assert_int_equal(p.downtime, 101);
    p = plan_of(-7, 2, 9, 2);
    assert_int_equal(p.downtime, 100);
    assert_int_equal(p.steps, DRV_MIGRATE_DOWNTIME_STEPS_MIN);
    assert_int_equal(p.delay, 2 * DRV_MIGRATE_DOWNTIME_DELAY_MIN);
    p = plan_of(500, 4, 11, 2);
    assert_int_equal(p.steps, 4);
    assert_int_equal(p.delay, 22);
    /* delay x data GB truncates: 10 x 2.9296875 = 29.296875 */
    p = plan_of(500, 10, 10, 2.9296875);
    assert_int_equal(p.delay, 29);
}

static void
test_downtime_plan_errors(void **state)
{
    drv_downtime_plan p;
    drv_error err;

    (void)state;
    drv_error_reset(&err);
    assert_int_equal(drv_migrate_downtime_plan(500, 10, 75, NAN, &p, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_non_null(strstr(err.message, "data size"));
    drv_error_reset(&err);
    assert_int_equal(drv_migrate_downtime_plan(500, 10, 75, -1, &p, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    /* delay x GB past int64_t, and a last step past it */
    drv_error_reset(&err);
    assert_int_equal(drv_migrate_downtime_plan(500, 10, 75, 0x1p60, &p, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_non_null(strstr(err.message, "live_migration_downtime_delay"));
    drv_error_reset(&err);
    assert_int_equal(drv_migrate_downtime_plan(500, 1 << 30, 1 << 30, 0x1p33,
                                               &p, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    /* a huge step count is fine: nothing is allocated per step */
    p = plan_of(500, INT32_MAX, 75, 2);
    assert_int_equal(drv_migrate_downtime_step(&p, INT32_MAX).after_s,
                     (int64_t)150 * INT32_MAX);
}

/* drv_migrate_downtime_due's index at elapsed t given cur, its ms in *ms. */
static int
due(const drv_downtime_plan *p, int64_t t, int64_t cur, int64_t *ms)
{
    drv_downtime_step s = {-7, -7};
    int i = drv_migrate_downtime_due(p, t, cur, &s);

    if (ms)
        *ms = s.ms;
    if (i < 0)
        assert_int_equal(s.ms, -7); /* untouched */
    return i;
}

static void
test_downtime_due(void **state)
{
    drv_downtime_plan p = plan_of(400, 10, 30, 3.0);
    int64_t ms;

    (void)state;
    /* nothing at elapsed 0: step 0 starts at 0 and is due strictly after */
    assert_int_equal(due(&p, 0, -1, NULL), -1);
    assert_int_equal(due(&p, -1, -1, NULL), -1);
    assert_int_equal(due(&p, 1, -1, &ms), 0);
    assert_int_equal(ms, 37);
    /* the value in force is not set again */
    assert_int_equal(due(&p, 1, 37, NULL), -1);
    assert_int_equal(due(&p, 90 * NS, 37, NULL), -1);
    /* step 1 at 90 s: due after it, not at it */
    assert_int_equal(due(&p, 90 * NS + 1, 37, &ms), 1);
    assert_int_equal(ms, 38);
    /* a poll that missed steps goes to the latest */
    assert_int_equal(due(&p, 500 * NS, 38, &ms), 5);
    assert_int_equal(ms, 55);
    assert_int_equal(due(&p, 900 * NS, 238, NULL), -1);
    assert_int_equal(due(&p, 900 * NS + 1, 238, &ms), 10);
    assert_int_equal(ms, 400);
    assert_int_equal(due(&p, INT64_MAX, 400, NULL), -1);
    /* any other value in force is replaced, lower or higher */
    assert_int_equal(due(&p, 900 * NS + 1, 1000, &ms), 10);
    /* NULL step */
    assert_int_equal(drv_migrate_downtime_due(&p, 91 * NS, 37, NULL), 1);

    /* a delay of 0 (no data) starts every step at 0: the last is due */
    p = plan_of(400, 10, 30, 0);
    assert_int_equal(p.delay, 0);
    assert_int_equal(due(&p, 0, -1, NULL), -1);
    assert_int_equal(due(&p, 1, -1, &ms), 10);
    assert_int_equal(ms, 400);
    /* a delay past the clock's range: step 0 only */
    p = plan_of(400, 10, 1 << 30, 1 << 24);
    assert_int_equal(due(&p, INT64_MAX, -1, &ms), 0);
}

/* ---- abort ---- */

static void
test_completion_timeout(void **state)
{
    int64_t ct;

    (void)state;
    /* int(800 x 2.9296875) = int(2343.75) */
    ct = drv_migrate_completion_timeout(800, 2.9296875);
    assert_int_equal(ct, 2343);
    assert_false(drv_migrate_should_abort(2343 * NS, 2343 * NS, 150,
                                          2343 * NS, ct, false));
    assert_true(drv_migrate_should_abort(2343 * NS + 1, 2343 * NS + 1, 150,
                                         2343 * NS + 1, ct, false));
    /* 0 disables it; post-copy never aborts */
    assert_false(drv_migrate_should_abort(0, 0, 0, INT64_MAX, 0, false));
    assert_false(drv_migrate_should_abort(0, 0, 150, INT64_MAX, ct, true));
    assert_int_equal(drv_migrate_completion_timeout(0, 1e300), 0);
    assert_int_equal(drv_migrate_completion_timeout(800, 1e300), INT64_MAX);
    assert_int_equal(drv_migrate_completion_timeout(-800, 1e300), INT64_MIN);
    /* a saturated timeout never fires; a negative one at once */
    assert_false(drv_migrate_should_abort(0, 0, 0, INT64_MAX, INT64_MAX, false));
    assert_true(drv_migrate_should_abort(0, 0, 0, 0, INT64_MIN, false));
}

static void
test_progress_timeout(void **state)
{
    drv_migrate_progress p;
    int64_t t0 = 1000 * NS;

    (void)state;
    drv_migrate_progress_start(&p, t0);
    assert_false(p.have_mark);
    assert_int_equal(p.progress_ns, t0);
    /* the first value sets the mark */
    drv_migrate_progress_update(&p, 5000, t0 + NS / 2);
    assert_true(p.have_mark);
    assert_int_equal(p.watermark, 5000);
    assert_int_equal(p.progress_ns, t0 + NS / 2);
    /* equal is not progress, higher neither */
    drv_migrate_progress_update(&p, 5000, t0 + NS);
    drv_migrate_progress_update(&p, 7000, t0 + 2 * NS);
    assert_int_equal(p.watermark, 5000);
    assert_int_equal(p.progress_ns, t0 + NS / 2);
    /* no abort at exactly 150 s without progress, at 150 s + 1 ns yes */
    assert_false(drv_migrate_should_abort(p.progress_ns + 150 * NS,
                                          p.progress_ns, 150, 150 * NS, 0,
                                          false));
    assert_true(drv_migrate_should_abort(p.progress_ns + 150 * NS + 1,
                                         p.progress_ns, 150, 150 * NS, 0,
                                         false));
    /* ... unless in post-copy, or disabled */
    assert_false(drv_migrate_should_abort(p.progress_ns + 150 * NS + 1,
                                          p.progress_ns, 150, 0, 0, true));
    assert_false(drv_migrate_should_abort(INT64_MAX, 0, 0, 0, 0, false));
    /* differences past int64_t do not wrap */
    assert_true(drv_migrate_should_abort(INT64_MAX, INT64_MIN, 150, 0, 0,
                                         false));
    assert_false(drv_migrate_should_abort(INT64_MIN, INT64_MAX, 150, 0, 0,
                                          false));
    /* lower is progress */
    drv_migrate_progress_update(&p, 4999, t0 + 3 * NS);
    assert_int_equal(p.watermark, 4999);
    assert_int_equal(p.progress_ns, t0 + 3 * NS);
    /* a mark of 0 is replaced by the next value, even a higher one */
    drv_migrate_progress_update(&p, 0, t0 + 4 * NS);
    assert_int_equal(p.watermark, 0);
    drv_migrate_progress_update(&p, 9000, t0 + 5 * NS);
    assert_int_equal(p.watermark, 9000);
    assert_int_equal(p.progress_ns, t0 + 5 * NS);
    /* the progress timeout is checked before the completion one, either
     * suffices */
    assert_true(drv_migrate_should_abort(200 * NS, 0, 150, 0, 1000, false));
    assert_true(drv_migrate_should_abort(0, 0, 150, 1000 * NS + 1, 1000,
                                         false));
}

/* ---- post-copy ---- */

/* should_postcopy with the reference's previous value (-1: none). */
static bool
spc(uint64_t iteration, uint64_t remaining, int64_t previous, bool post_copy)
{
    return drv_migrate_should_postcopy(iteration, remaining, previous >= 0,
                                       previous >= 0 ? (uint64_t)previous : 0,
                                       post_copy);
}

static void
test_postcopy(void **state)
{
    (void)state;
    /* 200 -> 182: 9 % shrink, switch; 181: 9.5 % rounds half to even,
     * 10, no switch; 179: 10.5 % rounds to 10, no switch */
    assert_true(spc(2, 182, 200, false));
    assert_false(spc(2, 181, 200, false));
    assert_false(spc(2, 180, 200, false));
    assert_false(spc(2, 179, 200, false));
    assert_true(drv_migrate_percent(200, 179, 200) == 10);
    assert_true(drv_migrate_percent(200, 181, 200) == 10);
    assert_true(drv_migrate_percent(200, 183, 200) == 8);  /* 8.5 */
    assert_true(drv_migrate_percent(200, 201, 200) == -0.0); /* -0.5 */
    /* 9.45 % rounds to 9: switch */
    assert_true(spc(2, 18110, 20000, false));
    /* more remaining than before: a negative percentage, switch */
    assert_true(spc(2, 300, 200, false));
    assert_true(spc(2, UINT64_MAX, INT64_MAX, false));
    /* previous values past INT64_MAX are values too: 5 % and 10 % */
    assert_true(drv_migrate_should_postcopy(2, UINT64_MAX - UINT64_MAX / 20,
                                            true, UINT64_MAX, false));
    assert_false(drv_migrate_should_postcopy(2, UINT64_MAX - UINT64_MAX / 10,
                                             true, UINT64_MAX, false));
    assert_false(drv_migrate_should_postcopy(2, 0, false, 1000, false));
    assert_false(drv_migrate_should_postcopy(2, 0, true, 0, false));
    assert_true(drv_migrate_should_postcopy(2, 995, true, 1000, false));
    /* not in the first iteration, not in post-copy, not without a
     * previous value */
    assert_false(spc(1, 200, 200, false));
    assert_false(spc(0, 200, 200, false));
    assert_false(spc(2, 200, 200, true));
    assert_false(spc(2, 200, 0, false));
    assert_false(spc(2, 200, -1, false));
    /* past 2^53, where converting to double before dividing would decide
     * the other way: Python's exact quotients are 9.5 exactly (10, no
     * switch) and just below 9.5 (9, switch) */
    assert_false(spc(2, 2247197649323146046,
                                             INT64_C(2483091325218945903),
                                             false));
    assert_true(spc(2, 274200881573709280,
                                            INT64_C(302984399528960526),
                                            false));
    /* the memory remaining figure: 100 with no total */
    assert_true(drv_migrate_remaining_percent(5, 0) == 100);
    assert_true(drv_migrate_remaining_percent(1, 3) == 33);
    assert_true(drv_migrate_remaining_percent(1, 200) == 0);  /* 0.5 */
    assert_true(drv_migrate_remaining_percent(3, 200) == 2);  /* 1.5 */
    assert_true(drv_migrate_remaining_percent(UINT64_MAX, 1) == 0x1.9p70);
    /* Python: round(102787259146728781 * 100 / 2936778832763679545) == 4,
     * the quotient being 3.5 exactly as a correctly rounded double */
    assert_true(drv_migrate_percent(102787259146728781, 0,
                                    2936778832763679545) == 4);
    assert_true(drv_migrate_percent(1, 0, 0) == 0);
}

/* ---- host names ---- */

static void
test_hostname(void **state)
{
    static const char *const good[] = {
        "host-1.example.com", "a", "10.0.0.1:16509", "::1", "under_score",
        "-", ".", ":", "_", "ABCxyz0189",
    };
    static const char *const bad[] = {
        "foo/?com=/bin/sh", "foo\n", "foo\n\n", "\nfoo", "a b", "[::1]",
        "h\xc3\xa9llo", "\xd9\xa1", "foo\r", "x@y", "x%y", "x\ty",
    };
    drv_error err;

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        drv_error_reset(&err);
        assert_int_equal(drv_migrate_check_hostname(good[i], &err), 0);
        assert_int_equal(err.kind, DRV_OK);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        drv_error_reset(&err);
        assert_int_equal(drv_migrate_check_hostname(bad[i], &err), -1);
        assert_int_equal(err.kind, DRV_ERR_INVALID_HOSTNAME);
        assert_non_null(strstr(err.message, "invalid characters"));
    }
    /* the message shows the name escaped and where it goes wrong */
    drv_error_reset(&err);
    assert_int_equal(drv_migrate_check_hostname("foo\n", &err), -1);
    assert_non_null(strstr(err.message, "\"foo\\n\" at byte 3"));
    drv_error_reset(&err);
    assert_int_equal(drv_migrate_check_hostname("foo/?com=/bin/sh", &err), -1);
    assert_non_null(strstr(err.message, "at byte 3"));
    drv_error_reset(&err);
    assert_int_equal(drv_migrate_check_hostname("", &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_HOSTNAME);
    assert_non_null(strstr(err.message, "empty"));
    drv_error_reset(&err);
    assert_int_equal(drv_migrate_check_hostname(NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_HOSTNAME);
}

/* ---- the differential test against the reference ---- */

enum {
    K_GB, K_STEPS, K_DUE, K_CTIMEOUT, K_MARK, K_ABORT, K_POSTCOPY, K_PCT,
    K_REMAIN, K_HOST, K_MON, K__COUNT
};
static const char *const kinds[K__COUNT] = {
    "gb", "steps", "due", "ctimeout", "mark", "abort", "postcopy", "pct",
    "remain", "host", "mon",
};

/* One line's fields, and where they are read. */
typedef struct line_reader {
    char **tok;
    size_t n, pos, eq; /* eq: index of "=" */
    bool bad;
} line_reader;

static const char *
next_tok(line_reader *r, bool result)
{
    /* inputs come before "=", results after */
    if (r->pos == r->eq && result)
        r->pos++;
    if (r->pos >= r->n || (!result && r->pos >= r->eq)) {
        r->bad = true;
        return "0";
    }
    return r->tok[r->pos++];
}

static int64_t
rd_i64(line_reader *r, bool result)
{
    const char *s = next_tok(r, result);
    char *end = NULL;
    gint64 v = g_ascii_strtoll(s, &end, 10);

    if (end == s || *end)
        r->bad = true;
    return v;
}

static uint64_t
u64_of(line_reader *r, const char *s)
{
    char *end = NULL;
    guint64 v = g_ascii_strtoull(s, &end, 10);

    if (end == s || *end || *s == '-')
        r->bad = true;
    return v;
}

static uint64_t
rd_u64(line_reader *r, bool result)
{
    return u64_of(r, next_tok(r, result));
}

/* A float.hex() or a decimal integer, as a double (exactly: the decimal
 * integers printed are values of doubles). */
static double
rd_f64(line_reader *r, bool result)
{
    const char *s = next_tok(r, result);
    char *end = NULL;
    double v = g_ascii_strtod(s, &end);

    if (end == s || *end)
        r->bad = true;
    return v;
}

/* Does hvd agree with the reference on this host name? A difference is
 * allowed only where docs/reference-differences.md says (a trailing "\n",
 * non-ASCII word characters); *diff counts those. */
static bool
host_agrees(const char *hex, bool ref_ok, unsigned int *diff)
{
    g_autofree char *s = g_malloc0(strlen(hex) / 2 + 1);
    size_t len = 0;
    bool ok, ascii = true;
    drv_error err;

    if (strcmp(hex, "-") != 0)
        for (const char *p = hex; p[0] && p[1]; p += 2) {
            int hi = g_ascii_xdigit_value(p[0]), lo = g_ascii_xdigit_value(p[1]);
            if (hi < 0 || lo < 0)
                return false;
            s[len++] = (char)(hi * 16 + lo);
        }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80)
            ascii = false;
    drv_error_reset(&err);
    ok = drv_migrate_check_hostname(s, &err) == 0;
    if (ok == ref_ok)
        return true;
    if (ok || !ref_ok)
        return false; /* hvd is never laxer than the reference */
    if (!ascii) {
        (*diff)++;
        return true;
    }
    if (len > 0 && s[len - 1] == '\n') {
        s[len - 1] = '\0';
        drv_error_reset(&err);
        if (drv_migrate_check_hostname(s, &err) == 0) {
            (*diff)++;
            return true;
        }
    }
    return false;
}

/* Counts of the lines checked, per kind, and of host name differences. */
typedef struct diff_stats {
    unsigned int lines[K__COUNT];
    unsigned int host_diffs;
} diff_stats;

/*
 * Check one line of migrate-plan-ref.py's output against hvd: true if
 * they agree; false with why (what hvd computed) if not.
 */
static bool
check_line(const char *line, diff_stats *st, GString *why)
{
    g_auto(GStrv) tok = g_strsplit(line, " ", -1);
    line_reader r = {tok, g_strv_length(tok), 1, 0, false};
    int k;
    bool same = false;

    for (r.eq = 0; r.eq < r.n && strcmp(tok[r.eq], "=") != 0; r.eq++)
        ;
    for (k = 0; k < K__COUNT; k++)
        if (r.n > 0 && strcmp(tok[0], kinds[k]) == 0)
            break;
    if (k == K__COUNT || r.eq == r.n) {
        g_string_assign(why, "unknown line");
        return false;
    }
    switch (k) {
    case K_GB: {
        uint64_t mem = rd_u64(&r, false);
        int64_t n = rd_i64(&r, false);
        int64_t sizes[64];
        double got;

        if (n < 0 || n > 64) {
            g_string_assign(why, "malformed line");
            return false;
        }
        for (int64_t i = 0; i < n; i++)
            sizes[i] = rd_i64(&r, false);
        got = drv_migrate_data_gb(mem, sizes, (size_t)n);
        same = got == rd_f64(&r, true);
        g_string_printf(why, "hvd %a", got);
        break;
    }
    case K_STEPS:
    case K_DUE: {
        int dt = (int)rd_i64(&r, false), s = (int)rd_i64(&r, false);
        int dl = (int)rd_i64(&r, false);
        double gb = rd_f64(&r, false);
        drv_downtime_plan p;
        drv_error err;

        drv_error_reset(&err);
        if (drv_migrate_downtime_plan(dt, s, dl, gb, &p, &err) < 0) {
            g_string_printf(why, "hvd: %s", err.message);
            return false;
        }
        if (k == K_STEPS) {
            int64_t n = rd_i64(&r, true);
            same = n == (int64_t)p.steps + 1;
            g_string_printf(why, "hvd %d steps", p.steps + 1);
            for (int64_t i = 0; same && i < n; i++) {
                drv_downtime_step x = drv_migrate_downtime_step(&p, (int)i);
                int64_t t = rd_i64(&r, true), ms = rd_i64(&r, true);
                same = x.after_s == t && x.ms == ms;
                g_string_printf(why, "hvd step %" G_GINT64_FORMAT ": %"
                                G_GINT64_FORMAT " s %" G_GINT64_FORMAT " ms",
                                i, x.after_s, x.ms);
            }
        } else {
            int64_t t = rd_i64(&r, false), cur = rd_i64(&r, false);
            drv_downtime_step x;
            int i = drv_migrate_downtime_due(&p, t, cur, &x);
            int64_t nw = i >= 0 ? x.ms : cur, set = i >= 0 ? x.ms : -1;

            same = rd_i64(&r, true) == nw;
            same = rd_i64(&r, true) == set && same;
            g_string_printf(why, "hvd %" G_GINT64_FORMAT " %" G_GINT64_FORMAT,
                            nw, set);
        }
        break;
    }
    case K_CTIMEOUT: {
        int cfg = (int)rd_i64(&r, false);
        double gb = rd_f64(&r, false);
        int64_t got = drv_migrate_completion_timeout(cfg, gb);

        same = got == rd_i64(&r, true);
        g_string_printf(why, "hvd %" G_GINT64_FORMAT, got);
        break;
    }
    case K_MARK: {
        drv_migrate_progress p;
        uint64_t rem;
        int64_t now;

        p.have_mark = rd_i64(&r, false) != 0;
        p.watermark = rd_u64(&r, false);
        p.progress_ns = rd_i64(&r, false);
        rem = rd_u64(&r, false);
        now = rd_i64(&r, false);
        drv_migrate_progress_update(&p, rem, now);
        same = (rd_i64(&r, true) != 0) == p.have_mark;
        same = rd_u64(&r, true) == p.watermark && same;
        same = rd_i64(&r, true) == p.progress_ns && same;
        g_string_printf(why, "hvd %d %" G_GUINT64_FORMAT " %" G_GINT64_FORMAT,
                        p.have_mark, p.watermark, p.progress_ns);
        break;
    }
    case K_ABORT: {
        int64_t now = rd_i64(&r, false), prog = rd_i64(&r, false);
        int pto = (int)rd_i64(&r, false);
        int64_t el = rd_i64(&r, false), cto = rd_i64(&r, false);
        bool pc = rd_i64(&r, false) != 0;
        bool got = drv_migrate_should_abort(now, prog, pto, el, cto, pc);

        same = got == (rd_i64(&r, true) != 0);
        g_string_printf(why, "hvd %d", got);
        break;
    }
    case K_POSTCOPY: {
        uint64_t it = rd_u64(&r, false), cur = rd_u64(&r, false), prev = 0;
        const char *ptok = next_tok(&r, false);
        bool have = strcmp(ptok, "-1") != 0, pc, got;

        /* -1 is the monitor's "no previous value" */
        if (have)
            prev = u64_of(&r, ptok);
        pc = rd_i64(&r, false) != 0;
        got = drv_migrate_should_postcopy(it, cur, have, prev, pc);

        same = got == (rd_i64(&r, true) != 0);
        g_string_printf(why, "hvd %d", got);
        break;
    }
    case K_PCT: {
        uint64_t a = rd_u64(&r, false), b = rd_u64(&r, false);
        uint64_t w = rd_u64(&r, false);
        double got = drv_migrate_percent(a, b, w);

        same = got == rd_f64(&r, true);
        g_string_printf(why, "hvd %.0f", got);
        break;
    }
    case K_REMAIN: {
        uint64_t rem = rd_u64(&r, false), tot = rd_u64(&r, false);
        double got = drv_migrate_remaining_percent(rem, tot);

        same = got == rd_f64(&r, true);
        g_string_printf(why, "hvd %.0f", got);
        break;
    }
    case K_MON: {
        uint64_t mem = rd_u64(&r, false);
        int64_t n = rd_i64(&r, false), sizes[64], np;
        drv_config cfg;
        drv_migrate_monitor m;
        drv_error err;
        bool pce, post_copy = false;
        g_autofree uint64_t *in = NULL;

        if (n < 0 || n > 64) {
            g_string_assign(why, "malformed line");
            return false;
        }
        for (int64_t i = 0; i < n; i++)
            sizes[i] = rd_i64(&r, false);
        memset(&cfg, 0, sizeof(cfg));
        cfg.live_migration_downtime = (int)rd_i64(&r, false);
        cfg.live_migration_downtime_steps = (int)rd_i64(&r, false);
        cfg.live_migration_downtime_delay = (int)rd_i64(&r, false);
        cfg.live_migration_completion_timeout = (int)rd_i64(&r, false);
        cfg.live_migration_progress_timeout = (int)rd_i64(&r, false);
        pce = rd_i64(&r, false) != 0;
        np = rd_i64(&r, false);
        if (np < 0 || np > 100000) {
            g_string_assign(why, "malformed line");
            return false;
        }
        in = g_new0(uint64_t, 3 * np + 1);
        for (int64_t i = 0; i < 3 * np; i++)
            in[i] = rd_u64(&r, false);
        drv_error_reset(&err);
        if (drv_migrate_monitor_start(&m, &cfg,
                                      drv_migrate_data_gb(mem, sizes,
                                                          (size_t)n),
                                      pce, 1000 * NS, &err) < 0) {
            g_string_printf(why, "hvd: %s", err.message);
            return false;
        }
        same = true;
        /* a poll every 0.5 s from the start; a switch that succeeds puts
         * the migration in post-copy for the polls after it */
        for (int64_t i = 0; i < np && same; i++) {
            drv_migrate_poll o;
            int64_t a, pc, dt;

            drv_migrate_monitor_poll(&m, in[3 * i], in[3 * i + 1], post_copy,
                                     1000 * NS + i * (NS / 2), &o);
            if (o.postcopy && !in[3 * i + 2])
                post_copy = true;
            a = rd_i64(&r, true);
            pc = rd_i64(&r, true);
            dt = rd_i64(&r, true);
            same = a == o.abort && pc == o.postcopy && dt == o.downtime_ms;
            g_string_printf(why, "hvd at poll %" G_GINT64_FORMAT ": %d %d %"
                            G_GINT64_FORMAT, i, o.abort, o.postcopy,
                            o.downtime_ms);
        }
        if (!same)
            r.pos = r.n; /* the rest unread: not malformed */
        break;
    }
    case K_HOST: {
        const char *hex = next_tok(&r, false);

        same = host_agrees(hex, rd_i64(&r, true) != 0, &st->host_diffs);
        g_string_assign(why, "hvd differs beyond the documented difference");
        break;
    }
    }
    if (r.bad || r.pos != r.n) {
        g_string_assign(why, "malformed line");
        return false;
    }
    st->lines[k]++;
    return same;
}

/* Where the reference is: $HVD_REFERENCE_DIR, else ../shared/reference
 * beside the repository (g_free). */
static char *
reference_dir(void)
{
    const char *env = getenv("HVD_REFERENCE_DIR");
    g_autofree char *tests = g_path_get_dirname(__FILE__);

    if (env && *env)
        return g_strdup(env);
    return g_build_filename(tests, "..", "..", "shared", "reference", NULL);
}

static void
test_differential(void **state)
{
    g_autofree char *python = g_find_program_in_path("python3");
    g_autofree char *ref = reference_dir();
    g_autofree char *tests = g_path_get_dirname(__FILE__);
    g_autofree char *script = g_build_filename(tests, "migrate-plan-ref.py",
                                               NULL);
    g_autofree char *drvpy = g_build_filename(ref, "nova-libvirt-driver.py",
                                              NULL);
    g_autofree char *out = NULL, *errout = NULL;
    g_autoptr(GString) why = g_string_new(NULL);
    char *argv[] = {python, script, ref, NULL};
    diff_stats st = {{0}, 0};
    GError *gerr = NULL;
    unsigned int bad = 0, total = 0;
    int status = 0;
    char *line, *save = NULL;

    (void)state;
    if (!python) {
        print_message("# SKIP differential: python3 is not installed "
                      "(bash ci/deps.sh installs it)\n");
        skip();
    }
    if (!g_file_test(drvpy, G_FILE_TEST_IS_REGULAR)) {
        print_error("the reference is not at %s (../shared/reference beside "
                    "the repository; or set HVD_REFERENCE_DIR)\n", ref);
        fail();
    }
    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                      &errout, &status, &gerr)) {
        print_error("cannot run %s: %s\n", script, gerr->message);
        g_error_free(gerr);
        fail();
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        print_error("%s failed (status %d): %s\n", script, status, errout);
        fail();
    }
    for (line = strtok_r(out, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        total++;
        if (!check_line(line, &st, why)) {
            /* monitor lines run to kilobytes: their head says enough */
            if (bad++ < 20)
                print_error("reference: %.240s%s\n    %s\n", line,
                            strlen(line) > 240 ? " ..." : "", why->str);
        }
    }
    print_message("# differential: %u lines, %u disagree; host names "
                  "refused by hvd only (documented): %u\n",
                  total, bad, st.host_diffs);
    for (int k = 0; k < K__COUNT; k++) {
        print_message("#   %-8s %u\n", kinds[k], st.lines[k]);
        /* a grid that shrank to nothing would prove nothing */
        assert_true(st.lines[k] >= 40);
    }
    assert_int_equal(bad, 0);
    /* the documented differences are exercised: "foo\n" and non-ASCII */
    assert_true(st.host_diffs >= 2);
}

/* The comparison sees a wrong reference value: each line here is off. */
static void
test_differential_detects(void **state)
{
    static const char *const wrong[] = {
        /* Python 2's integer division */
        "gb 3000 0 = 0x1.0000000000000p+1",
        /* the example with step 3 at 41 ms */
        "steps 400 10 30 0x1.8p+1 = 11 0 37 90 38 180 39 270 41 360 46 450 55 "
        "540 70 630 98 720 148 810 238 900 400",
        "steps 400 10 30 0x1.8p+1 = 10 0 37",
        /* set at elapsed 0; set again at the same value */
        "due 400 10 30 0x1.8p+1 0 -1 = 37 37",
        "due 400 10 30 0x1.8p+1 91000000000 38 = 38 38",
        "ctimeout 800 0x1.7700000000000p+1 = 2344",
        /* an equal value as progress */
        "mark 1 1000 5 1000 7 = 1 1000 7",
        /* abort at exactly 150 s */
        "abort 150000000000 0 150 0 0 0 = 1",
        /* a switch at 9.5 % */
        "postcopy 2 181 200 0 = 1",
        "pct 200 181 200 = 9",
        "remain 1 0 = 0",
        /* hvd laxer than the reference; a difference not documented */
        "host 666f6f2f = 1",
        "host 666f6f = 0",
        "host 666f6f0d = 1",
        /* the monitor: a downtime set at elapsed 0; an abort at exactly
         * the 2 s progress timeout (polls every 0.5 s, no progress after
         * the first); the post-copy switch on the first poll */
        "mon 512 0 400 10 30 0 2 0 1 1000 1 0 = 0 0 37",
        "mon 512 0 400 10 30 0 2 0 6 5 1 0 5 1 0 5 1 0 5 1 0 5 1 0 5 1 0 = "
        "0 0 -1 0 0 37 0 0 -1 0 0 -1 1 0 -1 1 0 -1",
        "mon 512 0 400 10 30 0 0 1 1 5 2 0 = 0 1 -1",
        /* malformed */
        "gb 3000 = 0x1p+1",
        "steps 400 10 30 0x1.8p+1 = 1 0",
        "frob 1 = 2",
        "gb 3000 0 0x1p+1",
    };
    g_autoptr(GString) why = g_string_new(NULL);
    diff_stats st = {{0}, 0};

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(wrong); i++) {
        if (check_line(wrong[i], &st, why))
            fail_msg("not detected: %s", wrong[i]);
    }
    /* and the right values pass */
    assert_true(check_line("gb 3000 0 = 0x1.7700000000000p+1", &st, why));
    assert_true(check_line("abort 150000000001 0 150 0 0 0 = 1", &st, why));
    assert_true(check_line("host 666f6f0a = 1", &st, why));
    assert_true(check_line("mon 512 0 400 10 30 0 2 0 6 5 1 0 5 1 0 5 1 0 5 1 "
                           "0 5 1 0 5 1 0 = 0 0 -1 0 0 37 0 0 -1 0 0 -1 0 0 "
                           "-1 1 0 -1", &st, why));
    assert_int_equal(st.host_diffs, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_data_gb),
        cmocka_unit_test(test_reference_example),
        cmocka_unit_test(test_downtime_minimums),
        cmocka_unit_test(test_downtime_plan_errors),
        cmocka_unit_test(test_downtime_due),
        cmocka_unit_test(test_completion_timeout),
        cmocka_unit_test(test_progress_timeout),
        cmocka_unit_test(test_postcopy),
        cmocka_unit_test(test_hostname),
        cmocka_unit_test(test_differential),
        cmocka_unit_test(test_differential_detects),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("migrate-plan", tests, NULL, NULL);
}
