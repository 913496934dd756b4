/*
 * drv-events.c: lifecycle events for the compute agent, and the driver's
 * clock. hv's events become drv_lifecycle_events; a STOPPED is held back
 * for a while so that a reboot's STOPPED+STARTED reaches the listener as
 * nothing. Every wait of the driver goes through drv_sleep, which emits
 * held-back events exactly when due, on the hv clock.
 */
#include "drv-priv.h"

#include <glib.h>
#include <string.h>

/* A STOPPED event waits this long for a following event that cancels it. */
#define LIFECYCLE_DELAY_NS (15 * HV_NS_PER_SEC)

void
drv_register_event_listener(drv *d, drv_event_listener fn, void *opaque)
{
    d->listener = fn;
    d->listener_opaque = opaque;
}

static void
emit_now(drv *d, const drv_lifecycle_event *ev)
{
    if (d->listener)
        d->listener(d->listener_opaque, ev);
}

/*
 * Any event for an instance cancels its pending STOPPED; a STOPPED waits
 * LIFECYCLE_DELAY_NS before it is emitted (a reboot's STOPPED is followed
 * by a STARTED and never reaches the listener).
 */
static void
emit_delayed(drv *d, const drv_lifecycle_event *ev)
{
    for (guint i = 0; i < d->delayed->len; i++) {
        drv_delayed_event *p =
            &g_array_index(d->delayed, drv_delayed_event, i);
        if (strcmp(p->ev.uuid, ev->uuid) == 0) {
            g_array_remove_index(d->delayed, i);
            break;
        }
    }
    if (ev->transition == DRV_EVENT_STOPPED) {
        drv_delayed_event p = {.ev = *ev,
                               .due = ev->time_ns + LIFECYCLE_DELAY_NS};
        g_array_append_val(d->delayed, p);
    } else {
        emit_now(d, ev);
    }
}

/* Emit the delayed events that are due, oldest first. */
static void
flush_delayed(drv *d)
{
    int64_t now = hv_now(d->conn);

    for (guint i = 0; i < d->delayed->len;) {
        drv_delayed_event p = g_array_index(d->delayed, drv_delayed_event, i);
        if (p.due <= now) {
            g_array_remove_index(d->delayed, i);
            p.ev.time_ns = p.due;
            emit_now(d, &p.ev);
        } else {
            i++;
        }
    }
}

/*
 * The transition a libvirt lifecycle event is for the compute agent, as
 * the reference's _event_lifecycle_callback maps it: STOPPED, STARTED,
 * SUSPENDED (PAUSED to the agent) and RESUMED, whatever the detail (a
 * post-copy SUSPENDED or RESUMED too); -1 for every other event (defined,
 * undefined, shutdown, pmsuspended, crashed, reboot, device removed),
 * which reaches no listener.
 */
int
drv_lifecycle_transition(int hv_type, int hv_detail)
{
    (void)hv_detail;
    switch (hv_type) {
    case HV_EVENT_STARTED:
        return DRV_EVENT_STARTED;
    case HV_EVENT_STOPPED:
        return DRV_EVENT_STOPPED;
    case HV_EVENT_SUSPENDED:
        return DRV_EVENT_PAUSED;
    case HV_EVENT_RESUMED:
        return DRV_EVENT_RESUMED;
    default:
        return -1;
    }
}

static void
on_hv_event(hv_conn *conn, const hv_event *ev, void *opaque)
{
    drv *d = opaque;
    drv_lifecycle_event out = {.time_ns = ev->time_ns};

    (void)conn;
    if ((out.transition = drv_lifecycle_transition(ev->type, ev->detail)) < 0)
        return;
    g_strlcpy(out.uuid, ev->uuid ? ev->uuid : "", sizeof(out.uuid));
    emit_delayed(d, &out);
}

int
drv_register_events(drv *d, hv_error *hv)
{
    if (hv_conn_events_register(d->conn, on_hv_event, d, hv) < 0)
        return -1;
    d->events_registered = true;
    return 0;
}

/*
 * Let ns pass on the hv clock in steps that end at each delayed event's due
 * time, so delayed events are emitted exactly when due.
 */
int
drv_sleep(drv *d, int64_t ns, drv_error *err)
{
    int64_t now = hv_now(d->conn), end = now + ns;
    hv_error hv;

    do {
        int64_t step = end - now;

        for (guint i = 0; i < d->delayed->len; i++) {
            int64_t due = g_array_index(d->delayed, drv_delayed_event, i).due;
            if (due > now && due - now < step)
                step = due - now;
        }
        if (hv_sleep(d->conn, step, &hv) < 0) {
            drv_set_hv_error(err, &hv, "sleep", NULL);
            return -1;
        }
        flush_delayed(d);
        now = hv_now(d->conn);
    } while (now < end);
    return 0;
}

int
drv_wait(drv *d, int64_t ns, drv_error *err)
{
    drv_error_reset(err);
    if (drv_sleep(d, ns, err) < 0)
        return -1;
    drv_host_check_connection(d);
    return 0;
}
