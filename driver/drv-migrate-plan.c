/*
 * drv-migrate-plan.c: the live-migration monitor's arithmetic, as the
 * reference evaluates it under Python 3 — the data to transfer, the
 * max-downtime schedule, the abort and post-copy decisions, the three put
 * together as each poll of _live_migration_monitor does, and the
 * destination hostname check.
 *
 * Pure functions: no hv call, no state of their own. The monitor
 * (drv-migrate.c) holds the clock and the job info and asks these.
 *
 * Python 3 is the yardstick for every number: int / int is true division,
 * correctly rounded once (not two roundings through double); round() is
 * half to even; int() truncates toward zero; float ** int is C's pow()
 * with the int made a double; int * int is exact. Times are the hv
 * clock's exact nanoseconds where the reference has float seconds, so a
 * comparison such as "elapsed > 150" is decided exactly, at the virtual
 * nanosecond.
 */
#include "drv-priv.h"

#include <glib.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Bytes in the reference's units.Mi and units.Gi, as powers of two. */
#define MI_SHIFT 20
#define GI_SHIFT 30

double
drv_migrate_data_gb(uint64_t memory_mb, const int64_t *disk_bytes,
                    size_t n_disks)
{
    /* memory_mb * Mi / Gi: the exact quotient rounded once; scaling the
     * rounded integer by a power of two is exact, so this is it */
    double ram_gb = ldexp((double)memory_mb, MI_SHIFT - GI_SHIFT);
    double disk_gb = 0;

    if (ram_gb < 2)
        ram_gb = 2;
    for (size_t i = 0; i < n_disks; i++) {
        double size_gb;

        /* the reference skips a disk it cannot stat (OSError, logged) */
        if (disk_bytes[i] < 0)
            continue;
        size_gb = ldexp((double)disk_bytes[i], -GI_SHIFT);
        if (size_gb < 2)
            size_gb = 2;
        disk_gb += size_gb;
    }
    return ram_gb + disk_gb;
}

/* Python's int(x) of a finite double into *out; -1 if it does not fit an
 * int64_t (2^63 is the first double that does not). */
static int
py_int(double x, int64_t *out)
{
    if (!isfinite(x) || x >= 0x1p63 || x < -0x1p63)
        return -1;
    *out = (int64_t)x; /* C's conversion truncates toward zero, as int() */
    return 0;
}

int
drv_migrate_downtime_plan(int downtime, int steps, int delay, double data_gb,
                          drv_downtime_plan *plan, drv_error *err)
{
    int64_t d;

    if (!isfinite(data_gb) || data_gb < 0) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "live migration data size %g GB is not a size",
                      data_gb);
        return -1;
    }
    /* the option definitions have no minimum in Newton; the driver raises
     * a value below the minimum to it */
    if (downtime < DRV_MIGRATE_DOWNTIME_MIN)
        downtime = DRV_MIGRATE_DOWNTIME_MIN;
    if (steps < DRV_MIGRATE_DOWNTIME_STEPS_MIN)
        steps = DRV_MIGRATE_DOWNTIME_STEPS_MIN;
    if (delay < DRV_MIGRATE_DOWNTIME_DELAY_MIN)
        delay = DRV_MIGRATE_DOWNTIME_DELAY_MIN;
    /* Python's integers do not overflow: refuse what int64_t cannot hold
     * (the last step's start is delay x steps) rather than wrap */
    if (py_int((double)delay * data_gb, &d) < 0 ||
        (d > 0 && (int64_t)steps > INT64_MAX / d)) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "live_migration_downtime_delay %d s x %g GB over "
                      "live_migration_downtime_steps %d steps is out of range",
                      delay, data_gb, steps);
        return -1;
    }
    plan->downtime = downtime;
    plan->steps = steps;
    plan->delay = d;
    plan->offset = (double)downtime / (double)((int64_t)steps + 1);
    plan->base = pow((double)downtime - plan->offset, 1 / (double)steps);
    return 0;
}

drv_downtime_step
drv_migrate_downtime_step(const drv_downtime_plan *plan, int i)
{
    drv_downtime_step s;
    int64_t ms = 0;

    /* int * int is exact in Python; the plan ruled out an overflow */
    s.after_s = plan->delay * i;
    /* offset + base^i is at most about the downtime (an int): it fits */
    py_int(plan->offset + pow(plan->base, (double)i), &ms);
    s.ms = ms;
    return s;
}

size_t
drv_migrate_downtime_fill(const drv_downtime_plan *plan,
                          drv_downtime_step *out, size_t n)
{
    size_t total = (size_t)plan->steps + 1;

    if (n > total)
        n = total;
    for (size_t i = 0; i < n; i++)
        out[i] = drv_migrate_downtime_step(plan, (int)i);
    return total;
}

/* ns > s seconds, exactly, for any int64_t values. */
static bool
ns_after(int64_t ns, int64_t s)
{
    if (s > INT64_MAX / HV_NS_PER_SEC)
        return false;
    if (s < INT64_MIN / HV_NS_PER_SEC)
        return true;
    return ns > s * HV_NS_PER_SEC;
}

int
drv_migrate_downtime_due(const drv_downtime_plan *plan, int64_t elapsed_ns,
                         int64_t cur_ms, drv_downtime_step *step)
{
    int64_t i;
    drv_downtime_step s;

    /*
     * The reference takes the last step whose start elapsed time has
     * passed, strictly. Starts are delay x i with delay >= 0, in order, so
     * that is the largest i with delay x i < elapsed — found by division,
     * not a walk over every step (steps has no upper bound).
     */
    if (!ns_after(elapsed_ns, 0))
        return -1;
    if (plan->delay == 0 || plan->delay > INT64_MAX / HV_NS_PER_SEC)
        i = plan->delay == 0 ? plan->steps : 0;
    else
        i = (elapsed_ns - 1) / (plan->delay * HV_NS_PER_SEC);
    if (i > plan->steps)
        i = plan->steps;
    s = drv_migrate_downtime_step(plan, (int)i);
    /* the value in force is not set again */
    if (s.ms == cur_ms)
        return -1;
    if (step)
        *step = s;
    return (int)i;
}

int64_t
drv_migrate_completion_timeout(int completion_timeout, double data_gb)
{
    double t = (double)completion_timeout * data_gb;
    int64_t out;

    /* beyond int64_t either way the comparison with an elapsed time comes
     * out as with Python's unbounded int */
    if (py_int(t, &out) < 0)
        return t > 0 ? INT64_MAX : INT64_MIN;
    return out;
}

void
drv_migrate_progress_start(drv_migrate_progress *p, int64_t start_ns)
{
    p->have_mark = false;
    p->watermark = 0;
    p->progress_ns = start_ns;
}

void
drv_migrate_progress_update(drv_migrate_progress *p, uint64_t data_remaining,
                            int64_t now_ns)
{
    /* an equal value is no progress; a mark of 0 (the job info before the
     * transfer has sized itself) does not hold: the next value replaces it */
    if (!p->have_mark || p->watermark == 0 || p->watermark > data_remaining) {
        p->have_mark = true;
        p->watermark = data_remaining;
        p->progress_ns = now_ns;
    }
}

bool
drv_migrate_should_abort(int64_t now_ns, int64_t progress_ns,
                         int progress_timeout, int64_t elapsed_ns,
                         int64_t completion_timeout, bool post_copy)
{
    /* in post-copy the destination runs the guest: aborting would lose it */
    if (post_copy)
        return false;
    if (progress_timeout != 0) {
        int64_t since;

        /* a difference past int64_t is past any timeout in seconds (or
         * before all of them) */
        if (__builtin_sub_overflow(now_ns, progress_ns, &since))
            since = now_ns > progress_ns ? INT64_MAX : INT64_MIN;
        if (ns_after(since, progress_timeout))
            return true;
    }
    if (completion_timeout != 0 && ns_after(elapsed_ns, completion_timeout))
        return true;
    return false;
}

/* Bits in x (0 for 0). */
static int
bit_length(unsigned __int128 x)
{
    int n = 0;

    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

/*
 * num / den (den > 0) as Python 3's int / int: the exact quotient rounded
 * once to a double, ties to even. Converting both to double first would
 * round up to three times for values past 2^53.
 */
static double
true_div(unsigned __int128 num, uint64_t den)
{
    unsigned __int128 n = num, d = den, q, r, low, half;
    int shift, extra;

    if (num == 0)
        return 0;
    /* scale so that the integer quotient has 55 or 56 bits: 53 kept, a
     * guard bit, and the rest with the remainder decide the rounding */
    shift = 55 - (bit_length(num) - bit_length(den));
    if (shift >= 0)
        n <<= shift;
    else
        d <<= -shift;
    q = n / d;
    r = n % d;
    extra = bit_length(q) - 53;
    low = q & (((unsigned __int128)1 << extra) - 1);
    half = (unsigned __int128)1 << (extra - 1);
    q >>= extra;
    if (low > half || (low == half && (r != 0 || (q & 1))))
        q++;
    return ldexp((double)(uint64_t)q, extra - shift);
}

double
drv_migrate_percent(uint64_t a, uint64_t b, uint64_t whole)
{
    unsigned __int128 diff;
    double q;

    if (whole == 0)
        return 0;
    diff = a >= b ? (unsigned __int128)(a - b) : (unsigned __int128)(b - a);
    q = true_div(diff * 100, whole);
    /* round(): half to even, which nearbyint does in the default mode */
    return nearbyint(a >= b ? q : -q);
}

double
drv_migrate_remaining_percent(uint64_t memory_remaining, uint64_t memory_total)
{
    if (memory_total == 0)
        return 100;
    return drv_migrate_percent(memory_remaining, 0, memory_total);
}

bool
drv_migrate_should_postcopy(uint64_t memory_iteration, uint64_t data_remaining,
                            bool have_previous, uint64_t previous_remaining,
                            bool post_copy)
{
    /* the monitor starts the previous value at -1: "none" and 0 alike
     * never switch */
    if (post_copy || !have_previous || previous_remaining == 0)
        return false;
    /* the first pass copies everything once; only later passes tell
     * whether the guest dirties memory faster than it goes */
    if (memory_iteration > 1 &&
        drv_migrate_percent(previous_remaining, data_remaining,
                            previous_remaining) < 10)
        return true;
    return false;
}

int
drv_migrate_monitor_start(drv_migrate_monitor *m, const drv_config *cfg,
                          double data_gb, bool post_copy_enabled,
                          int64_t start_ns, drv_error *err)
{
    drv_migrate_monitor fresh = {0};

    if (drv_migrate_downtime_plan(cfg->live_migration_downtime,
                                  cfg->live_migration_downtime_steps,
                                  cfg->live_migration_downtime_delay, data_gb,
                                  &fresh.plan, err) < 0)
        return -1;
    fresh.start_ns = start_ns;
    fresh.progress_timeout = cfg->live_migration_progress_timeout;
    fresh.completion_timeout = drv_migrate_completion_timeout(
        cfg->live_migration_completion_timeout, data_gb);
    fresh.post_copy_enabled = post_copy_enabled;
    drv_migrate_progress_start(&fresh.progress, start_ns);
    fresh.have_previous = false;
    fresh.downtime_ms = -1;
    *m = fresh;
    return 0;
}

void
drv_migrate_monitor_poll(drv_migrate_monitor *m, uint64_t data_remaining,
                         uint64_t memory_iteration, bool post_copy,
                         int64_t now_ns, drv_migrate_poll *out)
{
    drv_downtime_step step;
    int64_t elapsed;

    /* the reference's order: the mark, the abort decision, the post-copy
     * decision, the previous value, the downtime; the abort does not stop
     * the rest of the poll, and none of them waits for the others'
     * calls (a post-copy switch changes the status for the next poll) */
    if (__builtin_sub_overflow(now_ns, m->start_ns, &elapsed))
        elapsed = now_ns > m->start_ns ? INT64_MAX : INT64_MIN;
    drv_migrate_progress_update(&m->progress, data_remaining, now_ns);
    out->abort = drv_migrate_should_abort(now_ns, m->progress.progress_ns,
                                          m->progress_timeout, elapsed,
                                          m->completion_timeout, post_copy);
    out->postcopy = m->post_copy_enabled &&
                    drv_migrate_should_postcopy(memory_iteration,
                                                data_remaining,
                                                m->have_previous,
                                                m->previous_remaining,
                                                post_copy);
    m->have_previous = true;
    m->previous_remaining = data_remaining;
    out->downtime_ms = -1;
    if (drv_migrate_downtime_due(&m->plan, elapsed, m->downtime_ms,
                                 &step) >= 0) {
        out->downtime_ms = step.ms;
        m->downtime_ms = step.ms;
    }
}

int
drv_migrate_check_hostname(const char *dest, drv_error *err)
{
    const char *p;

    for (p = dest ? dest : ""; *p; p++)
        if (!g_ascii_isalnum(*p) && !strchr("_-.:", *p))
            break;
    if (dest && *dest && !*p)
        return 0;
    if (!dest || !*dest) {
        drv_error_set(err, DRV_ERR_INVALID_HOSTNAME,
                      "empty destination host name");
    } else {
        g_autofree char *shown = g_strescape(dest, NULL);
        drv_error_set(err, DRV_ERR_INVALID_HOSTNAME,
                      "invalid characters in destination host name \"%s\" "
                      "at byte %zu (ASCII letters, digits, '_', '-', '.', "
                      "':' only)", shown, (size_t)(p - dest));
    }
    return -1;
}
