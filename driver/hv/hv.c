/*
 * hv.c: the wrappers of the hv layer, its error record and its names.
 *
 * Every public call goes begin -> backend slot -> end. begin() resets the
 * error and gives the 'before' hook the chance to fail the call (fault
 * injection); end() makes sure a failure carries an error and shows the
 * outcome to the 'after' hook (tracing). Nothing else in hvd calls a
 * backend slot.
 */
#include "hv-backend.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

/* ---- errors ---- */

void
hv_error_reset(hv_error *err)
{
    if (!err)
        return;
    err->code = HV_ERR_OK;
    err->sys_errno = 0;
    err->message[0] = '\0';
    err->func = NULL;
    err->line = 0;
}

void
hv_error_setf(hv_error *err, int code, int sys_errno, const char *func,
              int line, const char *fmt, ...)
{
    va_list ap;

    if (!err || err->code != HV_ERR_OK)
        return;
    err->code = code;
    err->sys_errno = sys_errno;
    err->func = func;
    err->line = line;
    va_start(ap, fmt);
    g_vsnprintf(err->message, sizeof(err->message), fmt, ap);
    va_end(ap);
}

void
hv_error_copy(hv_error *dst, const hv_error *src)
{
    if (!dst || !src || dst->code != HV_ERR_OK || src->code == HV_ERR_OK)
        return;
    *dst = *src;
}

/* Every code hv knows, in ascending order (hv_error_code_at relies on it). */
static const struct {
    int code;
    const char *name;
} error_names[] = {
    {HV_ERR_OK, "OK"},
    {HV_ERR_INTERNAL_ERROR, "INTERNAL_ERROR"},
    {HV_ERR_NO_MEMORY, "NO_MEMORY"},
    {HV_ERR_NO_SUPPORT, "NO_SUPPORT"},
    {HV_ERR_NO_CONNECT, "NO_CONNECT"},
    {HV_ERR_INVALID_CONN, "INVALID_CONN"},
    {HV_ERR_INVALID_DOMAIN, "INVALID_DOMAIN"},
    {HV_ERR_INVALID_ARG, "INVALID_ARG"},
    {HV_ERR_OPERATION_FAILED, "OPERATION_FAILED"},
    {HV_ERR_NO_NAME, "NO_NAME"},
    {HV_ERR_XML_ERROR, "XML_ERROR"},
    {HV_ERR_OPERATION_DENIED, "OPERATION_DENIED"},
    {HV_ERR_XML_DETAIL, "XML_DETAIL"},
    {HV_ERR_SYSTEM_ERROR, "SYSTEM_ERROR"},
    {HV_ERR_RPC, "RPC"},
    {HV_ERR_NO_DOMAIN, "NO_DOMAIN"},
    {HV_ERR_NO_STORAGE_POOL, "NO_STORAGE_POOL"},
    {HV_ERR_NO_STORAGE_VOL, "NO_STORAGE_VOL"},
    {HV_ERR_OPERATION_INVALID, "OPERATION_INVALID"},
    {HV_ERR_CONFIG_UNSUPPORTED, "CONFIG_UNSUPPORTED"},
    {HV_ERR_OPERATION_TIMEOUT, "OPERATION_TIMEOUT"},
    {HV_ERR_ARGUMENT_UNSUPPORTED, "ARGUMENT_UNSUPPORTED"},
    {HV_ERR_OPERATION_ABORTED, "OPERATION_ABORTED"},
    {HV_ERR_OPERATION_UNSUPPORTED, "OPERATION_UNSUPPORTED"},
    {HV_ERR_AGENT_UNRESPONSIVE, "AGENT_UNRESPONSIVE"},
    {HV_ERR_RESOURCE_BUSY, "RESOURCE_BUSY"},
    {HV_ERR_STORAGE_VOL_EXIST, "STORAGE_VOL_EXIST"},
    {HV_ERR_DEVICE_MISSING, "DEVICE_MISSING"},
};

const char *
hv_error_code_name(int code)
{
    for (size_t i = 0; i < G_N_ELEMENTS(error_names); i++)
        if (error_names[i].code == code)
            return error_names[i].name;
    return "UNKNOWN";
}

int
hv_error_code_count(void)
{
    return (int)G_N_ELEMENTS(error_names) - 1; /* all but HV_ERR_OK */
}

int
hv_error_code_at(int i)
{
    if (i < 0 || i >= hv_error_code_count())
        return -1;
    return error_names[i + 1].code;
}

int
hv_error_code_from_name(const char *name)
{
    if (!name)
        return -1;
    if (g_str_has_prefix(name, "VIR_ERR_"))
        name += strlen("VIR_ERR_");
    for (size_t i = 0; i < G_N_ELEMENTS(error_names); i++)
        if (g_ascii_strcasecmp(error_names[i].name, name) == 0)
            return error_names[i].code;
    return -1;
}

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

/* ---- names of states, reasons, events, operations ---- */

static const char *const state_names[] = {
    "NOSTATE", "RUNNING", "BLOCKED", "PAUSED",
    "SHUTDOWN", "SHUTOFF", "CRASHED", "PMSUSPENDED",
};

const char *
hv_state_name(int state)
{
    if (state < 0 || state >= (int)G_N_ELEMENTS(state_names))
        return "UNKNOWN";
    return state_names[state];
}

static const char *
name_in(const char *const *names, size_t n, int i)
{
    if (i < 0 || (size_t)i >= n || !names[i])
        return "UNKNOWN";
    return names[i];
}
#define NAME_IN(arr, i) name_in((arr), G_N_ELEMENTS(arr), (i))

static const char *const running_reasons[] = {
    "UNKNOWN", "BOOTED", "MIGRATED", "RESTORED", "FROM_SNAPSHOT",
    "UNPAUSED", "MIGRATION_CANCELED", "SAVE_CANCELED", "WAKEUP", "CRASHED",
    "POSTCOPY", "POSTCOPY_FAILED",
};
static const char *const paused_reasons[] = {
    "UNKNOWN", "USER", "MIGRATION", "SAVE", "DUMP", "IOERROR", "WATCHDOG",
    "FROM_SNAPSHOT", "SHUTTING_DOWN", "SNAPSHOT", "CRASHED", "STARTING_UP",
    "POSTCOPY", "POSTCOPY_FAILED",
};
static const char *const shutdown_reasons[] = {"UNKNOWN", "USER"};
static const char *const shutoff_reasons[] = {
    "UNKNOWN", "SHUTDOWN", "DESTROYED", "CRASHED", "MIGRATED",
    "SAVED", "FAILED", "FROM_SNAPSHOT", "DAEMON",
};
static const char *const crashed_reasons[] = {"UNKNOWN", "PANICKED"};
static const char *const unknown_reasons[] = {"UNKNOWN"};

const char *
hv_state_reason_name(int state, int reason)
{
    switch (state) {
    case HV_STATE_RUNNING:
        return NAME_IN(running_reasons, reason);
    case HV_STATE_PAUSED:
        return NAME_IN(paused_reasons, reason);
    case HV_STATE_SHUTDOWN:
        return NAME_IN(shutdown_reasons, reason);
    case HV_STATE_SHUTOFF:
        return NAME_IN(shutoff_reasons, reason);
    case HV_STATE_CRASHED:
        return NAME_IN(crashed_reasons, reason);
    default:
        return NAME_IN(unknown_reasons, reason);
    }
}

static const char *const event_names[] = {
    "DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED",
    "STOPPED", "SHUTDOWN", "PMSUSPENDED", "CRASHED",
};

const char *
hv_event_type_name(int type)
{
    if (type == HV_EVENT_REBOOT)
        return "REBOOT";
    if (type == HV_EVENT_DEVICE_REMOVED)
        return "DEVICE_REMOVED";
    return NAME_IN(event_names, type);
}

static const char *const ev_defined[] = {"ADDED", "UPDATED", "RENAMED",
                                         "FROM_SNAPSHOT"};
static const char *const ev_undefined[] = {"REMOVED", "RENAMED"};
static const char *const ev_started[] = {"BOOTED", "MIGRATED", "RESTORED",
                                         "FROM_SNAPSHOT", "WAKEUP"};
static const char *const ev_suspended[] = {
    "PAUSED", "MIGRATED", "IOERROR", "WATCHDOG", "RESTORED",
    "FROM_SNAPSHOT", "API_ERROR", "POSTCOPY", "POSTCOPY_FAILED",
};
static const char *const ev_resumed[] = {"UNPAUSED", "MIGRATED",
                                         "FROM_SNAPSHOT", "POSTCOPY",
                                         "POSTCOPY_FAILED"};
static const char *const ev_stopped[] = {"SHUTDOWN", "DESTROYED", "CRASHED",
                                         "MIGRATED", "SAVED", "FAILED",
                                         "FROM_SNAPSHOT"};
static const char *const ev_shutdown[] = {"FINISHED", "GUEST", "HOST"};
static const char *const ev_pmsuspended[] = {"MEMORY", "DISK"};
static const char *const ev_crashed[] = {"PANICKED", "CRASHLOADED"};

const char *
hv_event_detail_name(int type, int detail)
{
    switch (type) {
    case HV_EVENT_DEFINED:
        return NAME_IN(ev_defined, detail);
    case HV_EVENT_UNDEFINED:
        return NAME_IN(ev_undefined, detail);
    case HV_EVENT_STARTED:
        return NAME_IN(ev_started, detail);
    case HV_EVENT_SUSPENDED:
        return NAME_IN(ev_suspended, detail);
    case HV_EVENT_RESUMED:
        return NAME_IN(ev_resumed, detail);
    case HV_EVENT_STOPPED:
        return NAME_IN(ev_stopped, detail);
    case HV_EVENT_SHUTDOWN:
        return NAME_IN(ev_shutdown, detail);
    case HV_EVENT_PMSUSPENDED:
        return NAME_IN(ev_pmsuspended, detail);
    case HV_EVENT_CRASHED:
        return NAME_IN(ev_crashed, detail);
    default:
        return "NONE";
    }
}

static const char *const op_names[HV_OP__COUNT] = {
#define HV_OP_NAME_(name, NAME, slot, mandatory) [HV_OP_##NAME] = #name,
    HV_OPS(HV_OP_NAME_)
#undef HV_OP_NAME_
};

const char *
hv_op_name(hv_op op)
{
    if ((int)op < 0 || op >= HV_OP__COUNT)
        return NULL;
    return op_names[op];
}

int
hv_op_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < HV_OP__COUNT; i++)
        if (strcmp(op_names[i], name) == 0)
            return i;
    return -1;
}

/* ---- the event queue ---- */

struct hv_events {
    GMutex lock;
    GCond cond;
    GQueue queue; /* of hv_queued *, under lock */
};

/* One queued event, owning copies of its strings. */
typedef struct hv_queued {
    int type, detail, id;
    char *name, *device;
    char uuid[HV_UUID_STRLEN];
    int64_t time_ns;
} hv_queued;

static void
hv_queued_free(gpointer p)
{
    hv_queued *q = p;

    g_free(q->name);
    g_free(q->device);
    g_free(q);
}

static hv_events *
hv_events_new(void)
{
    hv_events *q = g_atomic_rc_box_new0(hv_events);

    g_mutex_init(&q->lock);
    g_cond_init(&q->cond);
    g_queue_init(&q->queue);
    return q;
}

static void
hv_events_clear(gpointer p)
{
    hv_events *q = p;

    g_queue_clear_full(&q->queue, hv_queued_free);
    g_cond_clear(&q->cond);
    g_mutex_clear(&q->lock);
}

hv_events *
hv_conn_events(hv_conn *conn)
{
    return conn->events;
}

hv_events *
hv_events_ref(hv_events *q)
{
    return g_atomic_rc_box_acquire(q);
}

void
hv_events_unref(hv_events *q)
{
    if (q)
        g_atomic_rc_box_release_full(q, hv_events_clear);
}

void
hv_events_push(hv_events *q, const hv_event *ev)
{
    hv_queued *e = g_new0(hv_queued, 1);

    e->type = ev->type;
    e->detail = ev->detail;
    e->id = ev->id;
    e->name = g_strdup(ev->name);
    e->device = g_strdup(ev->device);
    g_strlcpy(e->uuid, ev->uuid ? ev->uuid : "", sizeof(e->uuid));
    e->time_ns = ev->time_ns;

    g_mutex_lock(&q->lock);
    g_queue_push_tail(&q->queue, e);
    g_cond_broadcast(&q->cond);
    g_mutex_unlock(&q->lock);
}

int
hv_events_wait(hv_events *q, int64_t deadline_us)
{
    int queued;

    g_mutex_lock(&q->lock);
    while (g_queue_is_empty(&q->queue) &&
           g_cond_wait_until(&q->cond, &q->lock, deadline_us))
        ;
    queued = !g_queue_is_empty(&q->queue);
    g_mutex_unlock(&q->lock);
    return queued;
}

static hv_queued *
hv_events_pop(hv_events *q)
{
    hv_queued *e;

    g_mutex_lock(&q->lock);
    e = g_queue_pop_head(&q->queue);
    g_mutex_unlock(&q->lock);
    return e;
}

/*
 * Hand every queued event, oldest first, to the event hook and then to the
 * registered callback. No lock is held while they run, so they may call
 * back into hv (even hv_sleep: a nested drain goes on where this one is).
 */
static void
hv_deliver(hv_conn *conn)
{
    hv_queued *q;

    while ((q = hv_events_pop(conn->events))) {
        hv_event ev = {
            .type = q->type,
            .detail = q->detail,
            .name = q->name,
            .uuid = q->uuid,
            .id = q->id,
            .device = q->device,
            .time_ns = q->time_ns,
        };

        if (conn->hooks.event)
            conn->hooks.event(conn->hooks.opaque, conn, &ev);
        if (conn->event_cb)
            conn->event_cb(conn, &ev, conn->event_opaque);
        hv_queued_free(q);
    }
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
static int
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
static int
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

static int
hv_no_support(hv_conn *conn, const hv_call *call, hv_error *err)
{
    hv_error_set(err, HV_ERR_NO_SUPPORT, "this function is not supported by "
                 "the %s backend: %s", conn->backend->name,
                 hv_op_name(call->op));
    return -1;
}

/*
 * HV_DISPATCH: run one call through the path. 'slot' is the backend member,
 * the remaining arguments are passed to it. Evaluates to the call's rc.
 */
#define HV_DISPATCH(conn, callp, err, slot, ...)                              \
    hv_end((conn), (callp),                                                   \
           hv_begin((conn), (callp), (err)) < 0   ? -1                        \
           : !(conn)->backend->slot ? hv_no_support((conn), (callp), (err))   \
                                    : (conn)->backend->slot(__VA_ARGS__),     \
           (err))

#define CALL(opv, tgt, flg) {.op = (opv), .target = (tgt), .flags = (flg)}

void
hv_conn_close(hv_conn *conn)
{
    hv_call call = CALL(HV_OP_CONNECT_CLOSE, NULL, 0);
    hv_error err;

    if (!conn)
        return;
    hv_error_reset(&err);
    /* close cannot be vetoed; the hooks only see it */
    if (conn->backend->close)
        conn->backend->close(conn);
    hv_end(conn, &call, 0, &err);
    hv_events_unref(conn->events);
    g_free(conn->uri);
    g_free(conn);
}

int
hv_conn_get_version(hv_conn *conn, unsigned long *lib_version,
                    unsigned long *hv_version, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_GET_VERSION, NULL, 0);
    return HV_DISPATCH(conn, &call, err, get_version, conn, lib_version,
                       hv_version, err);
}

char *
hv_conn_get_hostname(hv_conn *conn, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_GET_HOSTNAME, NULL, 0);
    char *out = NULL;

    if (HV_DISPATCH(conn, &call, err, get_hostname, conn, &out, err) < 0)
        return NULL;
    return out;
}

char *
hv_conn_get_capabilities(hv_conn *conn, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_GET_CAPABILITIES, NULL, 0);
    char *out = NULL;

    if (HV_DISPATCH(conn, &call, err, get_capabilities, conn, &out, err) < 0)
        return NULL;
    return out;
}

int
hv_conn_is_alive(hv_conn *conn, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_IS_ALIVE, NULL, 0);
    int alive = 0;

    if (HV_DISPATCH(conn, &call, err, is_alive, conn, &alive, err) < 0)
        return -1;
    return alive ? 1 : 0;
}

int
hv_conn_reconnect(hv_conn *conn, hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_RECONNECT, NULL, 0);
    return HV_DISPATCH(conn, &call, err, reconnect, conn, err);
}

int
hv_conn_events_register(hv_conn *conn, hv_event_cb cb, void *opaque,
                        hv_error *err)
{
    hv_call call = CALL(HV_OP_CONNECT_EVENTS_REGISTER, NULL, 0);

    if (HV_DISPATCH(conn, &call, err, events_register, conn, err) < 0)
        return -1;
    conn->event_cb = cb;
    conn->event_opaque = opaque;
    return 0;
}

void
hv_conn_events_unregister(hv_conn *conn, void *opaque)
{
    if (!conn || conn->event_opaque != opaque)
        return;
    conn->event_cb = NULL;
    conn->event_opaque = NULL;
}

int
hv_node_get_info(hv_conn *conn, hv_node_info *info, hv_error *err)
{
    hv_call call = CALL(HV_OP_NODE_GET_INFO, NULL, 0);
    memset(info, 0, sizeof(*info));
    return HV_DISPATCH(conn, &call, err, node_get_info, conn, info, err);
}

int
hv_node_get_free_memory(hv_conn *conn, uint64_t *bytes, hv_error *err)
{
    hv_call call = CALL(HV_OP_NODE_GET_FREE_MEMORY, NULL, 0);
    return HV_DISPATCH(conn, &call, err, node_get_free_memory, conn, bytes,
                       err);
}

int
hv_node_get_cpu_stats(hv_conn *conn, hv_cpu_stats *stats, hv_error *err)
{
    hv_call call = CALL(HV_OP_NODE_GET_CPU_STATS, NULL, 0);
    memset(stats, 0, sizeof(*stats));
    return HV_DISPATCH(conn, &call, err, node_get_cpu_stats, conn, stats,
                       err);
}

int
hv_node_get_uptime(hv_conn *conn, int64_t *seconds, hv_error *err)
{
    hv_call call = CALL(HV_OP_NODE_GET_UPTIME, NULL, 0);
    return HV_DISPATCH(conn, &call, err, node_get_uptime, conn, seconds, err);
}

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
    else
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

uint64_t
hv_random(hv_conn *conn)
{
    return conn->backend->clock_random(conn);
}

/* ---- domains ---- */

int
hv_domain_list(hv_conn *conn, unsigned int flags, hv_domain ***doms,
               hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_LIST, NULL, flags);
    int count = 0;

    *doms = NULL;
    if (HV_DISPATCH(conn, &call, err, domain_list, conn, flags, doms, &count,
                    err) < 0)
        return -1;
    return count;
}

hv_domain *
hv_domain_define(hv_conn *conn, const char *xml, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_DEFINE, NULL, 0);
    hv_domain *dom = NULL;

    if (HV_DISPATCH(conn, &call, err, domain_define, conn, xml, &dom, err) < 0)
        return NULL;
    return dom;
}

int
hv_domain_undefine(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_UNDEFINE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_undefine, dom, flags,
                       err);
}

int
hv_domain_create(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_CREATE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_create, dom, flags, err);
}

hv_domain *
hv_domain_create_xml(hv_conn *conn, const char *xml, unsigned int flags,
                     hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_CREATE_XML, NULL, flags);
    hv_domain *dom = NULL;

    if (HV_DISPATCH(conn, &call, err, domain_create_xml, conn, xml, flags,
                    &dom, err) < 0)
        return NULL;
    return dom;
}

hv_domain *
hv_domain_lookup_by_name(hv_conn *conn, const char *name, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_LOOKUP_BY_NAME, name, 0);
    hv_domain *dom = NULL;

    if (HV_DISPATCH(conn, &call, err, domain_lookup_by_name, conn, name, &dom,
                    err) < 0)
        return NULL;
    return dom;
}

hv_domain *
hv_domain_lookup_by_uuid(hv_conn *conn, const char *uuid, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_LOOKUP_BY_UUID, uuid, 0);
    hv_domain *dom = NULL;

    if (HV_DISPATCH(conn, &call, err, domain_lookup_by_uuid, conn, uuid, &dom,
                    err) < 0)
        return NULL;
    return dom;
}

int
hv_domain_get_info(hv_domain *dom, hv_domain_info *info, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_GET_INFO, dom->name, 0);
    memset(info, 0, sizeof(*info));
    info->id = -1;
    return HV_DISPATCH(dom->conn, &call, err, domain_get_info, dom, info, err);
}

char *
hv_domain_get_xml(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_GET_XML, dom->name, flags);
    char *xml = NULL;

    if (HV_DISPATCH(dom->conn, &call, err, domain_get_xml, dom, flags, &xml,
                    err) < 0)
        return NULL;
    return xml;
}

int
hv_domain_is_persistent(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_IS_PERSISTENT, dom->name, 0);
    int v = 0;

    if (HV_DISPATCH(dom->conn, &call, err, domain_is_persistent, dom, &v,
                    err) < 0)
        return -1;
    return v ? 1 : 0;
}

int
hv_domain_has_managed_save(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_HAS_MANAGED_SAVE, dom->name, 0);
    int v = 0;

    if (HV_DISPATCH(dom->conn, &call, err, domain_has_managed_save, dom, &v,
                    err) < 0)
        return -1;
    return v ? 1 : 0;
}

int
hv_domain_shutdown(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_SHUTDOWN, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_shutdown, dom, flags,
                       err);
}

int
hv_domain_reboot(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_REBOOT, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_reboot, dom, flags, err);
}

int
hv_domain_reset(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_RESET, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_reset, dom, err);
}

int
hv_domain_destroy(hv_domain *dom, unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_DESTROY, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_destroy, dom, flags,
                       err);
}

int
hv_domain_suspend(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_SUSPEND, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_suspend, dom, err);
}

int
hv_domain_resume(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_RESUME, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_resume, dom, err);
}

int
hv_domain_managed_save(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_MANAGED_SAVE, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_managed_save, dom, err);
}

int
hv_domain_managed_save_remove(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_MANAGED_SAVE_REMOVE, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_managed_save_remove, dom,
                       err);
}

int
hv_domain_inject_nmi(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_INJECT_NMI, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_inject_nmi, dom, err);
}

int
hv_domain_attach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_ATTACH_DEVICE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_attach_device, dom, xml,
                       flags, err);
}

int
hv_domain_detach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_DETACH_DEVICE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_detach_device, dom, xml,
                       flags, err);
}

int
hv_domain_update_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_UPDATE_DEVICE, dom->name, flags);
    return HV_DISPATCH(dom->conn, &call, err, domain_update_device, dom, xml,
                       flags, err);
}

int
hv_domain_get_job_info(hv_domain *dom, hv_job_info *info, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_GET_JOB_INFO, dom->name, 0);
    memset(info, 0, sizeof(*info));
    return HV_DISPATCH(dom->conn, &call, err, domain_get_job_info, dom, info,
                       err);
}

int
hv_domain_abort_job(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_ABORT_JOB, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_abort_job, dom, err);
}

/* ---- migration ---- */

hv_migration *
hv_domain_migrate_start(hv_domain *dom, const hv_migrate_params *params,
                        unsigned int flags, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_MIGRATE_START, dom->name, flags);
    hv_migration *mig = g_new0(hv_migration, 1);

    mig->conn = dom->conn;
    mig->name = g_strdup(dom->name);
    if (HV_DISPATCH(dom->conn, &call, err, domain_migrate_start, dom, params,
                    flags, mig, err) < 0) {
        g_free(mig->name);
        g_free(mig);
        return NULL;
    }
    return mig;
}

int
hv_migration_poll(hv_migration *mig, hv_error *err)
{
    hv_call call = CALL(HV_OP_MIGRATION_POLL, mig->name, 0);
    int done = 0;

    if (HV_DISPATCH(mig->conn, &call, err, migration_poll, mig, &done, err) < 0)
        return -1;
    return done ? 1 : 0;
}

void
hv_migration_free(hv_migration *mig)
{
    if (!mig)
        return;
    if (mig->conn->backend->migration_release)
        mig->conn->backend->migration_release(mig);
    g_free(mig->name);
    g_free(mig);
}

int
hv_domain_migrate_set_max_downtime(hv_domain *dom, uint64_t ms, hv_error *err)
{
    hv_call call = {.op = HV_OP_DOMAIN_MIGRATE_SET_MAX_DOWNTIME,
                    .target = dom->name, .arg = (int64_t)ms};
    return HV_DISPATCH(dom->conn, &call, err, domain_migrate_set_max_downtime,
                       dom, ms, err);
}

int
hv_domain_migrate_set_max_speed(hv_domain *dom, uint64_t mib_per_s,
                                hv_error *err)
{
    hv_call call = {.op = HV_OP_DOMAIN_MIGRATE_SET_MAX_SPEED,
                    .target = dom->name, .arg = (int64_t)mib_per_s};
    return HV_DISPATCH(dom->conn, &call, err, domain_migrate_set_max_speed,
                       dom, mib_per_s, err);
}

int
hv_domain_migrate_start_post_copy(hv_domain *dom, hv_error *err)
{
    hv_call call = CALL(HV_OP_DOMAIN_MIGRATE_START_POST_COPY, dom->name, 0);
    return HV_DISPATCH(dom->conn, &call, err, domain_migrate_start_post_copy,
                       dom, err);
}

/* ---- storage ---- */

/* "pool/name" for traces, in a caller's buffer. */
static const char *
vol_target(char *buf, size_t len, const char *pool, const char *name)
{
    g_snprintf(buf, len, "%s/%s", pool ? pool : "", name ? name : "");
    return buf;
}

int
hv_pool_get_info(hv_conn *conn, const char *pool, hv_pool_info *info,
                 hv_error *err)
{
    hv_call call = CALL(HV_OP_POOL_GET_INFO, pool, 0);
    memset(info, 0, sizeof(*info));
    return HV_DISPATCH(conn, &call, err, pool_get_info, conn, pool, info, err);
}

int
hv_vol_create(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
              hv_error *err)
{
    char tgt[256];
    hv_call call = {.op = HV_OP_VOL_CREATE,
                    .target = vol_target(tgt, sizeof(tgt), pool, spec->name),
                    .arg = (int64_t)spec->capacity};
    return HV_DISPATCH(conn, &call, err, vol_create, conn, pool, spec, err);
}

int
hv_vol_delete(hv_conn *conn, const char *pool, const char *name,
              hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_VOL_DELETE,
                        vol_target(tgt, sizeof(tgt), pool, name), 0);
    return HV_DISPATCH(conn, &call, err, vol_delete, conn, pool, name, err);
}

int
hv_vol_get_info(hv_conn *conn, const char *pool, const char *name,
                hv_vol_info *info, hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_VOL_GET_INFO,
                        vol_target(tgt, sizeof(tgt), pool, name), 0);
    memset(info, 0, sizeof(*info));
    return HV_DISPATCH(conn, &call, err, vol_get_info, conn, pool, name, info,
                       err);
}

int
hv_vol_resize(hv_conn *conn, const char *pool, const char *name,
              uint64_t capacity, hv_error *err)
{
    char tgt[256];
    hv_call call = {.op = HV_OP_VOL_RESIZE,
                    .target = vol_target(tgt, sizeof(tgt), pool, name),
                    .arg = (int64_t)capacity};
    return HV_DISPATCH(conn, &call, err, vol_resize, conn, pool, name,
                       capacity, err);
}

char *
hv_vol_get_path(hv_conn *conn, const char *pool, const char *name,
                hv_error *err)
{
    char tgt[256];
    hv_call call = CALL(HV_OP_VOL_GET_PATH,
                        vol_target(tgt, sizeof(tgt), pool, name), 0);
    char *path = NULL;

    if (HV_DISPATCH(conn, &call, err, vol_get_path, conn, pool, name, &path,
                    err) < 0)
        return NULL;
    return path;
}

int
hv_vol_list(hv_conn *conn, const char *pool, char ***names, hv_error *err)
{
    hv_call call = CALL(HV_OP_VOL_LIST, pool, 0);

    *names = NULL;
    return HV_DISPATCH(conn, &call, err, vol_list, conn, pool, names, err);
}
