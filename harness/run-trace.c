/*
 * run-trace.c: the runner's trace — time stamps, and the lines that the hv
 * hooks (calls, events) and the driver's lifecycle events append.
 */
#include "run-priv.h"

#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "trace.h"

int64_t
rn_trace_time(runner *r)
{
    return hv_now(r->hosts[0].conn) - r->t0;
}

/* Append one JSON line, stamped with the time; obj is stolen. */
void
rn_trace_line(runner *r, json_t *obj)
{
    const char *task = r->tasks ? hv_tasks_current(r->tasks) : "main";

    /* a line a background operation wrote names its task */
    if (strcmp(task, "main") != 0)
        trace_line_set_string(obj, "task", task);
    trace_append(r->trace, obj, rn_trace_time(r));
}

void
rn_hook_after(void *opaque, hv_conn *conn, const hv_call *call, int rc,
              const hv_error *err)
{
    rhost *h = opaque;
    runner *r = h->r;
    json_t *o;

    (void)conn;
    r->calls[call->op]++;
    o = trace_line_new();
    trace_line_set_string(o, "host", h->spec->name);
    trace_line_set_string(o, "call", hv_op_name(call->op));
    if (call->target)
        trace_line_set_string(o, "target", call->target);
    if (call->arg)
        json_object_set_new(o, "arg", json_integer(call->arg));
    if (rc < 0) {
        trace_line_set_string(o, "error", hv_error_code_name(err->code));
        if (err->sys_errno)
            json_object_set_new(o, "errno", json_integer(err->sys_errno));
    }
    rn_trace_line(r, o);
}

void
rn_hook_event(void *opaque, hv_conn *conn, const hv_event *ev)
{
    rhost *h = opaque;
    json_t *o;
    char *name;

    (void)conn;
    /* a real host may run others' domains: only the scenario's count */
    if (!ev->uuid || !rn_inst_by_uuid(h->r, ev->uuid))
        return;
    o = trace_line_new();
    name = g_strdup_printf("%s/%s", hv_event_type_name(ev->type),
                           hv_event_detail_name(ev->type, ev->detail));
    trace_line_set_string(o, "host", h->spec->name);
    trace_line_set_string(o, "event", name);
    trace_line_set_string(o, "domain", ev->name ? ev->name : "");
    rn_trace_line(h->r, o);
    g_free(name);
}

void
rn_on_lifecycle(void *opaque, const drv_lifecycle_event *ev)
{
    rhost *h = opaque;
    rinst *ri = rn_inst_by_uuid(h->r, ev->uuid);
    json_t *o;

    if (!ri)
        return; /* not one of the scenario's instances */
    o = trace_line_new();
    trace_line_set_string(o, "host", h->spec->name);
    trace_line_set_string(o, "lifecycle", drv_event_name(ev->transition));
    trace_line_set_string(o, "instance", ri->spec->name);
    rn_trace_line(h->r, o);
    g_ptr_array_add(ri->events, g_strdup(drv_event_name(ev->transition)));
    {
        /* when the compute manager gets it: the time of its trace line */
        int64_t t = rn_trace_time(h->r);

        g_array_append_val(ri->event_times, t);
    }
}
