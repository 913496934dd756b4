/*
 * hv.c: the hv connection and the machinery every call goes through: the
 * backend table and its mandatory slots, the objects, the hooks, the
 * dispatch path, the clock (time, sleep, randomness) and the helpers shared
 * with the backends. The wrappers themselves are in hv-ops.c (hv-priv.h
 * maps the files).
 *
 * Every public call goes begin -> backend slot -> end. begin() resets the
 * error and gives the 'before' hook the chance to fail the call (fault
 * injection); end() makes sure a failure carries an error and shows the
 * outcome to the 'after' hook (tracing). Nothing else in hvd calls a
 * backend slot.
 */
#include "hv-priv.h"

#include <glib.h>
#include <string.h>

/* ---- shared helpers ---- */

uint64_t
hv_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

void
hv_uuid_format(uint64_t hi, uint64_t lo, char out[HV_UUID_STRLEN])
{
    g_snprintf(out, HV_UUID_STRLEN, "%08x-%04x-%04x-%04x-%012llx",
               (unsigned int)(hi >> 32), (unsigned int)((hi >> 16) & 0xffff),
               (unsigned int)(hi & 0xffff), (unsigned int)(lo >> 48),
               (unsigned long long)(lo & UINT64_C(0xffffffffffff)));
}

void
hv_uuid_format_v4(uint64_t hi, uint64_t lo, char out[HV_UUID_STRLEN])
{
    hi = (hi & ~UINT64_C(0xf000)) | UINT64_C(0x4000);
    lo = (lo & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);
    hv_uuid_format(hi, lo, out);
}

/* ---- the backend table ---- */

/* Every slot is a function pointer of one size, so one can be read
 * generically by its offset. */
#define HV_SLOT_SIZE_(name, NAME, slot, mandatory)                            \
    G_STATIC_ASSERT(sizeof(((hv_backend *)0)->slot) == sizeof(void (*)(void)));
HV_OPS(HV_SLOT_SIZE_)
#undef HV_SLOT_SIZE_

typedef struct hv_slot {
    const char *name; /* the slot's member name */
    size_t offset;    /* in hv_backend */
    int mandatory;
} hv_slot;

/* Each operation's slot, made from HV_OPS like the enum and the names. */
static const hv_slot op_slots[HV_OP__COUNT] = {
#define HV_OP_SLOT_(name, NAME, slot, mandatory)                              \
    [HV_OP_##NAME] = {#slot, offsetof(hv_backend, slot), (mandatory)},
    HV_OPS(HV_OP_SLOT_)
#undef HV_OP_SLOT_
};

/* Mandatory slots that are no operation of their own (no hooks, no trace). */
static const hv_slot extra_slots[] = {
    {"clock_now", offsetof(hv_backend, clock_now), 1},
    {"clock_random", offsetof(hv_backend, clock_random), 1},
};

static int
slot_filled(const hv_backend *backend, const hv_slot *s)
{
    void (*fn)(void) = NULL;

    memcpy(&fn, (const char *)backend + s->offset, sizeof(fn));
    return fn != NULL;
}

int
hv_conn_supports(const hv_conn *conn, hv_op op)
{
    if ((int)op < 0 || op >= HV_OP__COUNT)
        return 0;
    return slot_filled(conn->backend, &op_slots[op]);
}

/* ---- objects ---- */

hv_conn *
hv_conn_new(const hv_backend *backend, void *priv, const char *uri,
            hv_error *err)
{
    GString *missing = g_string_new(NULL);
    hv_conn *conn = NULL;

    hv_error_reset(err);
    for (size_t i = 0; i < G_N_ELEMENTS(op_slots); i++)
        if (op_slots[i].mandatory && !slot_filled(backend, &op_slots[i]))
            g_string_append_printf(missing, " %s", op_slots[i].name);
    for (size_t i = 0; i < G_N_ELEMENTS(extra_slots); i++)
        if (!slot_filled(backend, &extra_slots[i]))
            g_string_append_printf(missing, " %s", extra_slots[i].name);
    if (missing->len > 0) {
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "internal error: the %s backend leaves mandatory "
                     "slots empty:%s", backend->name ? backend->name : "?",
                     missing->str);
        goto cleanup;
    }
    conn = g_new0(hv_conn, 1);
    conn->backend = backend;
    conn->priv = priv;
    conn->uri = g_strdup(uri ? uri : "");
    conn->events = hv_events_new();

cleanup:
    g_string_free(missing, TRUE);
    return conn;
}

hv_domain *
hv_domain_new(hv_conn *conn, const char *name, const char *uuid, void *priv)
{
    hv_domain *dom = g_new0(hv_domain, 1);

    dom->conn = conn;
    dom->name = g_strdup(name);
    g_strlcpy(dom->uuid, uuid ? uuid : "", sizeof(dom->uuid));
    dom->priv = priv;
    return dom;
}

void
hv_domain_free(hv_domain *dom)
{
    if (!dom)
        return;
    if (dom->conn->backend->domain_release)
        dom->conn->backend->domain_release(dom);
    g_free(dom->name);
    g_free(dom);
}

void
hv_domain_list_free(hv_domain **doms, int n)
{
    if (!doms)
        return;
    for (int i = 0; i < n; i++)
        hv_domain_free(doms[i]);
    g_free(doms);
}

const char *
hv_domain_name(const hv_domain *dom)
{
    return dom->name;
}

const char *
hv_domain_uuid(const hv_domain *dom)
{
    return dom->uuid;
}

hv_conn *
hv_domain_conn(const hv_domain *dom)
{
    return dom->conn;
}

const char *
hv_conn_backend(const hv_conn *conn)
{
    return conn->backend->name;
}

const char *
hv_conn_uri(const hv_conn *conn)
{
    return conn->uri;
}

void
hv_conn_set_hooks(hv_conn *conn, const hv_hooks *hooks)
{
    if (hooks)
        conn->hooks = *hooks;
    else
        memset(&conn->hooks, 0, sizeof(conn->hooks));
}

hv_hooks
hv_conn_get_hooks(const hv_conn *conn)
{
    return conn->hooks;
}

/* ---- the dispatch path ---- */

/* Reset err and let the 'before' hook veto the call. */
int
hv_begin(hv_conn *conn, const hv_call *call, hv_error *err)
{
    hv_error_reset(err);
    if (conn->hooks.before &&
        conn->hooks.before(conn->hooks.opaque, conn, call, err) < 0) {
        if (err->code == HV_ERR_OK)
            hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                         "%s failed by a hook without an error",
                         hv_op_name(call->op));
        return -1;
    }
    return 0;
}

/* Give every failure an error, show the outcome to 'after', return rc. */
int
hv_end(hv_conn *conn, const hv_call *call, int rc, hv_error *err)
{
    if (rc < 0 && err->code == HV_ERR_OK)
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "%s failed without an error from the %s backend",
                     hv_op_name(call->op), conn->backend->name);
    if (conn->hooks.after)
        conn->hooks.after(conn->hooks.opaque, conn, call, rc, err);
    return rc;
}

int
hv_no_support(hv_conn *conn, const hv_call *call, hv_error *err)
{
    hv_error_set(err, HV_ERR_NO_SUPPORT, "this function is not supported by "
                 "the %s backend: %s", conn->backend->name,
                 hv_op_name(call->op));
    return -1;
}

void
hv_conn_close(hv_conn *conn)
{
    hv_call call = CALL(HV_OP_CONNECT_CLOSE, NULL, 0);
    hv_error err;

    if (!conn)
        return;
    hv_error_reset(&err);
    /* close cannot be vetoed; the hooks only see it */
    hv_tasks_detach(conn);
    if (conn->backend->close)
        conn->backend->close(conn);
    hv_end(conn, &call, 0, &err);
    hv_events_unref(conn->events);
    g_free(conn->uri);
    g_free(conn);
}

/* ---- the clock and the random source; waiting is where events reach
 * callers ---- */

int64_t
hv_now(hv_conn *conn)
{
    return conn->backend->clock_now(conn);
}

/*
 * The one place events reach callers: deliver what is queued, then let the
 * backend's clock run towards now + ns, delivering again at every point
 * where it stops (on the fake: after each virtual instant at which timers
 * fired; on libvirt: when an event arrives), until the deadline.
 */
static int
hv_sleep_run(hv_conn *conn, int64_t ns, hv_error *err)
{
    int64_t now = conn->backend->clock_now(conn);
    int64_t until = ns > INT64_MAX - now ? INT64_MAX : now + ns;
    int rc;

    hv_deliver(conn);
    while ((rc = conn->backend->clock_wait(conn, until, err)) > 0)
        hv_deliver(conn);
    hv_deliver(conn);
    return rc < 0 ? -1 : 0;
}

int
hv_sleep(hv_conn *conn, int64_t ns, hv_error *err)
{
    hv_call call = {.op = HV_OP_SLEEP, .arg = ns};

    int rc;

    if (ns < 0)
        ns = 0;
    /* clock_wait is mandatory: hv_conn_new refuses a backend without it */
    if (hv_begin(conn, &call, err) < 0)
        rc = -1;
    else if (!hv_tasks_sleep(conn, ns, err, &rc))
        rc = hv_sleep_run(conn, ns, err);
    return hv_end(conn, &call, rc, err);
}

int
hv_dispatch_events(hv_conn *conn, hv_error *err)
{
    hv_error_reset(err);
    /* no hooks: dispatching is not an operation of its own */
    return hv_sleep_run(conn, 0, err);
}

int64_t
hv_wall_now(hv_conn *conn)
{
    if (!conn->backend->clock_wall)
        return hv_now(conn);
    return conn->backend->clock_wall(conn);
}

uint64_t
hv_random(hv_conn *conn)
{
    return conn->backend->clock_random(conn);
}
