/*
 * fault.c: countdown fault injection in the hv 'before' hook.
 */
#include "fault.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

typedef struct fault_entry {
    fault_rule rule;   /* strings owned */
    unsigned int seen; /* matching calls so far */
    unsigned int fired;
} fault_entry;

struct fault_set {
    GArray *entries; /* fault_entry */
    hv_hooks prev;   /* hooks chained to */
    hv_conn *conn;
    int stalling;    /* inside our own stall: let the sleep through */
};

fault_set *
fault_set_new(void)
{
    fault_set *fs = g_new0(fault_set, 1);

    fs->entries = g_array_new(FALSE, TRUE, sizeof(fault_entry));
    return fs;
}

void
fault_set_free(fault_set *fs)
{
    if (!fs)
        return;
    for (guint i = 0; i < fs->entries->len; i++) {
        fault_entry *e = &g_array_index(fs->entries, fault_entry, i);
        g_free((char *)e->rule.target);
        g_free((char *)e->rule.message);
    }
    g_array_free(fs->entries, TRUE);
    g_free(fs);
}

unsigned int
fault_set_add(fault_set *fs, const fault_rule *rule)
{
    fault_entry e = {.rule = *rule};

    e.rule.target = g_strdup(rule->target);
    e.rule.message = g_strdup(rule->message);
    if (e.rule.nth == 0)
        e.rule.nth = 1;
    g_array_append_val(fs->entries, e);
    return fs->entries->len - 1;
}

unsigned int
fault_set_fired(const fault_set *fs, unsigned int i)
{
    if (i >= fs->entries->len)
        return 0;
    return g_array_index(fs->entries, fault_entry, i).fired;
}

static bool
entry_matches(const fault_entry *e, const hv_call *call)
{
    if (e->rule.op >= 0 && e->rule.op != (int)call->op)
        return false;
    if (e->rule.target &&
        (!call->target || strcmp(e->rule.target, call->target) != 0))
        return false;
    return true;
}

/* Is the k-th matching call (1-based) inside the rule's window? */
static bool
in_window(const fault_rule *r, unsigned int k)
{
    if (k < r->nth)
        return false;
    return r->count == 0 || k < r->nth + r->count;
}

static int
fault_before(void *opaque, hv_conn *conn, const hv_call *call, hv_error *err)
{
    fault_set *fs = opaque;

    if (fs->prev.before &&
        fs->prev.before(fs->prev.opaque, conn, call, err) < 0)
        return -1;
    if (fs->stalling)
        return 0;
    /* every matching rule counts the call, whichever of them acts on it */
    for (guint i = 0; i < fs->entries->len; i++) {
        fault_entry *e = &g_array_index(fs->entries, fault_entry, i);
        if (entry_matches(e, call))
            e->seen++;
    }
    for (guint i = 0; i < fs->entries->len; i++) {
        fault_entry *e = &g_array_index(fs->entries, fault_entry, i);
        const fault_rule *r = &e->rule;

        if (!entry_matches(e, call) || !in_window(r, e->seen))
            continue;
        if (r->probability > 0) {
            /* 53 random bits -> [0, 1) */
            double x = (double)(hv_random(conn) >> 11) / 9007199254740992.0;
            if (x >= r->probability)
                continue;
        }
        e->fired++;
        if (r->stall_ns > 0) {
            hv_error ignored;
            fs->stalling++;
            hv_sleep(conn, r->stall_ns, &ignored);
            fs->stalling--;
        }
        if (r->code != HV_ERR_OK) {
            if (r->message)
                hv_error_setf(err, r->code, r->sys_errno, __func__, __LINE__,
                              "%s", r->message);
            else
                hv_error_setf(err, r->code, r->sys_errno, __func__, __LINE__,
                              "injected fault: %s call %u fails with %s",
                              hv_op_name(call->op), e->seen,
                              hv_error_code_name(r->code));
            return -1;
        }
    }
    return 0;
}

static void
fault_after(void *opaque, hv_conn *conn, const hv_call *call, int rc,
            const hv_error *err)
{
    fault_set *fs = opaque;

    if (fs->prev.after)
        fs->prev.after(fs->prev.opaque, conn, call, rc, err);
}

static void
fault_event(void *opaque, hv_conn *conn, const hv_event *ev)
{
    fault_set *fs = opaque;

    if (fs->prev.event)
        fs->prev.event(fs->prev.opaque, conn, ev);
}

void
fault_set_attach(fault_set *fs, hv_conn *conn)
{
    hv_hooks mine = {
        .before = fault_before,
        .after = fault_after,
        .event = fault_event,
        .opaque = fs,
    };

    fs->prev = hv_conn_get_hooks(conn);
    fs->conn = conn;
    hv_conn_set_hooks(conn, &mine);
}

void
fault_set_detach(fault_set *fs, hv_conn *conn)
{
    if (fs->conn != conn)
        return;
    hv_conn_set_hooks(conn, &fs->prev);
    fs->conn = NULL;
}
