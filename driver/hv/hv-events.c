/*
 * hv-events.c: a connection's event queue (backends push, any thread) and
 * its delivery to the event hook and the registered callback (from
 * hv_sleep, in hv.c).
 */
#include "hv-priv.h"

#include <glib.h>
#include <string.h>

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

hv_events *
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
int64_t
hv_events_head_time(hv_conn *conn)
{
    hv_events *q = conn->events;
    hv_queued *e;
    int64_t t;

    g_mutex_lock(&q->lock);
    e = g_queue_peek_head(&q->queue);
    t = e ? e->time_ns : INT64_MAX;
    g_mutex_unlock(&q->lock);
    return t;
}

bool
hv_deliver_one(hv_conn *conn)
{
    hv_queued *q = hv_events_pop(conn->events);

    if (!q)
        return false;
    {
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
    return true;
}

void
hv_deliver(hv_conn *conn)
{
    while (hv_deliver_one(conn))
        ;
}
