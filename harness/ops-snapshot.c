/*
 * ops-snapshot.c: the scenario operations of snapshots and the guest
 * agent. snapshot stands in for the compute manager's snapshot_instance:
 * it hands the driver an update_task_state that records each state (and
 * the state the manager expects the instance to hold then), and answers
 * {"image", "task_states", "disk_format", "status"}: the image as the
 * store now describes it. The other three are the manager's plain calls.
 */
#include "ops-snapshot.h"

#include <glib.h>
#include <string.h>

/* The manager's update_task_state: the states, in order. */
static void
record_task_state(void *opaque, drv_task_state state, int expected)
{
    (void)expected;
    json_array_append_new(opaque, json_string(drv_task_state_name(state)));
}

json_t *
ops_query_snapshot(drv *d, const drv_instance *inst, const scn_step *st,
                   const char *host, drv_error *err)
{
    json_t *states = json_array(), *meta = NULL, *out;
    char *text;

    (void)host;
    if (drv_snapshot(d, inst, st->image, record_task_state, states, err) < 0 ||
        !(text = drv_image_get(d, st->image, err))) {
        json_decref(states);
        return NULL;
    }
    meta = json_loads(text, 0, NULL);
    g_free(text);
    out = json_object();
    json_object_set_new(out, "image", json_string(st->image));
    json_object_set_new(out, "task_states", states);
    json_object_set(out, "disk_format", json_object_get(meta, "disk_format"));
    json_object_set(out, "status", json_object_get(meta, "status"));
    json_decref(meta);
    return out;
}

int
ops_call_quiesce(drv *d, const drv_instance *inst, const scn_step *st,
                 const char *host, drv_error *err)
{
    (void)st;
    (void)host;
    return drv_quiesce(d, inst, NULL, err);
}

int
ops_call_unquiesce(drv *d, const drv_instance *inst, const scn_step *st,
                   const char *host, drv_error *err)
{
    (void)st;
    (void)host;
    return drv_unquiesce(d, inst, NULL, err);
}

int
ops_call_set_admin_password(drv *d, const drv_instance *inst,
                            const scn_step *st, const char *host,
                            drv_error *err)
{
    (void)host;
    return drv_set_admin_password(d, inst, st->password, err);
}

bool
ops_snapshot_image_of(const scn *s, const char *vol)
{
    for (unsigned int i = 0; i < s->n_steps; i++)
        if (s->steps[i].kind == SCN_STEP_OP &&
            s->steps[i].op == SCN_OP_SNAPSHOT && s->steps[i].image &&
            strcmp(s->steps[i].image, vol) == 0)
            return true;
    return false;
}

void
ops_snapshot_cleanup(const scn *s, drv *d)
{
    drv_error err;

    for (unsigned int i = 0; d && i < s->n_steps; i++)
        if (s->steps[i].kind == SCN_STEP_OP &&
            s->steps[i].op == SCN_OP_SNAPSHOT && s->steps[i].image)
            drv_image_delete(d, s->steps[i].image, &err);
}
