/*
 * scn-step.c: a scenario's steps — operations, waits and checks (state,
 * id_changed, events, resources, calls, host_enabled, exists).
 */
#include <glib.h>
#include <jansson.h>
#include <limits.h>
#include <string.h>

#include "drv.h"
#include "hv.h"
#include "jsonv.h"
#include "ops.h"
#include "scn.h"
#include "scn-priv.h"

/*
 * The names of scenario operations come from ops.h's table; this fills a
 * NULL-terminated list of them for the name lookups below ("unknown
 * operation 'x'; did you mean y?").
 */
static void
op_names_fill(const char *names[SCN__OP_COUNT + 1])
{
    for (int i = 0; i < SCN__OP_COUNT; i++)
        names[i] = ops_op_get(i)->name;
    names[SCN__OP_COUNT] = NULL;
}

static const char *const check_names[] = {
    [SCN_CHECK_STATE] = "state",
    [SCN_CHECK_ID_CHANGED] = "id_changed",
    [SCN_CHECK_EVENTS] = "events",
    [SCN_CHECK_RESOURCES] = "resources",
    [SCN_CHECK_CALLS] = "calls",
    [SCN_CHECK_HOST_ENABLED] = "host_enabled",
    [SCN_CHECK_EXISTS] = "exists",
    NULL,
};

static const char *const state_names[] = {"RUNNING", "SHUTDOWN", "PAUSED",
                                          "CRASHED", "SUSPENDED", "NOSTATE",
                                          NULL};
static const int state_values[] = {DRV_POWER_RUNNING, DRV_POWER_SHUTDOWN,
                                   DRV_POWER_PAUSED, DRV_POWER_CRASHED,
                                   DRV_POWER_SUSPENDED, DRV_POWER_NOSTATE};

/* drv_event_name's names, in drv_event_transition order. */
static const char *const event_names[] = {"STARTED", "STOPPED", "PAUSED",
                                          "RESUMED", "SUSPENDED", NULL};

static const char *const reboot_types[] = {"soft", "hard", NULL};

const char *
scn_check_name(int check)
{
    if (check < 0 || (size_t)check >= G_N_ELEMENTS(check_names) - 1)
        return NULL;
    return check_names[check];
}

/* ---- steps ---- */

static const char *const wait_keys[] = {"wait", "description", NULL};

static const char *const state_keys[] = {"check", "instance", "state",
                                         "description", NULL};
static const char *const id_changed_keys[] = {"check", "instance", "changed",
                                              "description", NULL};
static const char *const events_keys[] = {"check", "instance", "events",
                                          "description", NULL};
static const char *const resources_keys[] = {
    "check", "host", "vcpus", "vcpus_used", "memory_mb", "memory_mb_used",
    "local_gb_used", "description", NULL};
static const char *const calls_keys[] = {"check", "op", "count", "min",
                                         "max", "description", NULL};
static const char *const host_enabled_keys[] = {"check", "host", "enabled",
                                                "description", NULL};
static const char *const exists_keys[] = {"check", "instance", "exists",
                                          "description", NULL};

static const char *const *const check_keys[] = {
    [SCN_CHECK_STATE] = state_keys,
    [SCN_CHECK_ID_CHANGED] = id_changed_keys,
    [SCN_CHECK_EVENTS] = events_keys,
    [SCN_CHECK_RESOURCES] = resources_keys,
    [SCN_CHECK_CALLS] = calls_keys,
    [SCN_CHECK_HOST_ENABLED] = host_enabled_keys,
    [SCN_CHECK_EXISTS] = exists_keys,
};

/* "expect": "ok" or a drv error kind name. */
static int
get_expect(parser *p, json_t *obj, drv_error_kind *out)
{
    jv_ctx *c = &p->c;
    json_t *v = jv_enter(c, obj, "expect", false);
    const char *s;
    int kind, rc = -1;

    if (!v)
        return 0;
    if (!json_is_string(v)) {
        jv_fail(c, false, "expected \"ok\" or an error kind name, got %s",
                jv_type_name(v));
    } else if (strcmp((s = json_string_value(v)), "ok") == 0) {
        *out = DRV_OK;
        rc = 0;
    } else if ((kind = drv_error_kind_from_name(s)) > DRV_OK) {
        *out = (drv_error_kind)kind;
        rc = 0;
    } else {
        jv_fail_unknown_name(c, "error kind", s,
                             (const char *const *)p->expects->pdata);
    }
    jv_pop(c);
    return rc;
}

static int
parse_op_step(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    const char *names[SCN__OP_COUNT + 1];
    const ops_op *d;
    int op = -1, type = DRV_REBOOT_SOFT;
    long long timeout = 0, interval = 0;

    st->kind = SCN_STEP_OP;
    op_names_fill(names);
    if (scn_get_name(c, obj, "op", true, "operation", names, &op) < 0)
        return -1;
    st->op = (scn_op)op;
    d = ops_op_get(op);
    if (jv_check_keys(c, obj, d->keys) < 0)
        return -1;
    if (d->target == OPS_TARGET_HOST) {
        if (scn_get_ref(c, obj, "host", true, "host", p->hosts, &st->host) < 0)
            return -1;
    } else if (scn_get_ref(c, obj, "instance", true, "instance", p->instances,
                           &st->instance) < 0) {
        return -1;
    }
    if (jv_get_bool(c, obj, "power_on", false, &st->power_on) < 0 ||
        jv_get_bool(c, obj, "destroy_disks", false, &st->destroy_disks) < 0 ||
        scn_get_choice_index(c, obj, "type", false, reboot_types, &type) < 0 ||
        jv_get_int(c, obj, "timeout", false, 0, INT_MAX, &timeout) < 0 ||
        jv_get_int(c, obj, "retry_interval", false, 0, INT_MAX,
                   &interval) < 0 ||
        get_expect(p, obj, &st->expect) < 0)
        return -1;
    st->reboot_type = type == 1 ? DRV_REBOOT_HARD : DRV_REBOOT_SOFT;
    st->timeout = (int)timeout;
    st->retry_interval = (int)interval;
    return 0;
}

static int
get_events(jv_ctx *c, json_t *obj, char ***out)
{
    json_t *arr, *item;
    GPtrArray *names;
    size_t i;
    int rc;

    if (!(arr = jv_enter_typed(c, obj, "events", true, JSON_ARRAY, &rc)))
        return -1;
    names = g_ptr_array_new_with_free_func(g_free);
    json_array_foreach(arr, i, item) {
        char *e = NULL;

        jv_push_index(c, i);
        rc = jv_read_choice(c, item, event_names, &e);
        jv_pop(c);
        if (rc < 0)
            break;
        g_ptr_array_add(names, e);
    }
    jv_pop(c);
    if (rc < 0) {
        g_ptr_array_free(names, TRUE);
        return -1;
    }
    g_ptr_array_add(names, NULL);
    *out = (char **)g_ptr_array_free(names, FALSE);
    return 0;
}

/* "calls": "count", or "min" and/or "max". */
static int
parse_calls(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    bool has_count = json_object_get(obj, "count") != NULL;
    bool has_min = json_object_get(obj, "min") != NULL;
    bool has_max = json_object_get(obj, "max") != NULL;
    long long count = 0, min = 0, max = INT_MAX;

    if (scn_get_name(c, obj, "op", true, "hv operation", p->hv_ops,
                     &st->call_op) < 0)
        return -1;
    if (has_count && (has_min || has_max)) {
        scn_fail_at_key(c, has_min ? "min" : "max",
                        "give \"count\" or \"min\"/\"max\", not both");
        return -1;
    }
    if (!has_count && !has_min && !has_max) {
        jv_fail(c, false, "a calls check needs \"count\", or \"min\" "
                          "and/or \"max\"");
        return -1;
    }
    if (jv_get_int(c, obj, "count", false, 0, INT_MAX, &count) < 0 ||
        jv_get_int(c, obj, "min", false, 0, INT_MAX, &min) < 0 ||
        jv_get_int(c, obj, "max", false, 0, INT_MAX, &max) < 0)
        return -1;
    if (has_count) {
        st->call_min = st->call_max = (int)count;
    } else if (max < min) {
        jv_push_key(c, "max");
        jv_fail(c, false, "expected max >= min (%lld), got %lld", min, max);
        jv_pop(c);
        return -1;
    } else {
        st->call_min = (int)min;
        st->call_max = (int)max;
    }
    return 0;
}

static int
parse_resources(parser *p, json_t *obj, scn_step *st)
{
    static const char *const fields[] = {"vcpus", "vcpus_used", "memory_mb",
                                         "memory_mb_used", "local_gb_used",
                                         NULL};
    jv_ctx *c = &p->c;
    int64_t *out[] = {&st->vcpus, &st->vcpus_used, &st->memory_mb,
                      &st->memory_mb_used, &st->local_gb_used};
    bool any = false;

    if (scn_get_ref(c, obj, "host", true, "host", p->hosts, &st->host) < 0)
        return -1;
    for (size_t i = 0; fields[i]; i++) {
        long long n = -1;

        if (jv_get_int(c, obj, fields[i], false, 0, LLONG_MAX, &n) < 0)
            return -1;
        *out[i] = n;
        any |= n >= 0;
    }
    if (!any) {
        g_autofree char *list = jv_join(fields);
        jv_fail(c, false, "a resources check needs at least one of %s", list);
        return -1;
    }
    return 0;
}

static int
parse_check_step(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    int check = -1, state = -1;

    st->kind = SCN_STEP_CHECK;
    if (scn_get_choice_index(c, obj, "check", true, check_names, &check) < 0)
        return -1;
    st->check = (scn_check_kind)check;
    if (jv_check_keys(c, obj, check_keys[check]) < 0)
        return -1;
    switch (st->check) {
    case SCN_CHECK_STATE:
        if (scn_get_ref(c, obj, "instance", true, "instance", p->instances,
                        &st->instance) < 0 ||
            scn_get_choice_index(c, obj, "state", true, state_names,
                                 &state) < 0)
            return -1;
        st->state = state_values[state];
        return 0;
    case SCN_CHECK_ID_CHANGED:
        if (scn_get_ref(c, obj, "instance", true, "instance", p->instances,
                        &st->instance) < 0 ||
            jv_get_bool(c, obj, "changed", true, &st->changed) < 0)
            return -1;
        return 0;
    case SCN_CHECK_EVENTS:
        if (scn_get_ref(c, obj, "instance", true, "instance", p->instances,
                        &st->instance) < 0 ||
            get_events(c, obj, &st->events) < 0)
            return -1;
        return 0;
    case SCN_CHECK_RESOURCES:
        return parse_resources(p, obj, st);
    case SCN_CHECK_CALLS:
        return parse_calls(p, obj, st);
    case SCN_CHECK_HOST_ENABLED:
        if (scn_get_ref(c, obj, "host", true, "host", p->hosts,
                        &st->host) < 0 ||
            jv_get_bool(c, obj, "enabled", true, &st->enabled) < 0)
            return -1;
        return 0;
    case SCN_CHECK_EXISTS:
        if (scn_get_ref(c, obj, "instance", true, "instance", p->instances,
                        &st->instance) < 0 ||
            jv_get_bool(c, obj, "exists", true, &st->exists) < 0)
            return -1;
        return 0;
    }
    return -1;
}

static int
parse_step(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    bool has_op = json_object_get(obj, "op") != NULL;
    bool has_wait = json_object_get(obj, "wait") != NULL;
    bool has_check = json_object_get(obj, "check") != NULL;
    int line, column;

    if (jv_position(c, false, &line, &column) == 0)
        st->line = line;
    st->power_on = true;
    st->destroy_disks = true;
    st->reboot_type = DRV_REBOOT_SOFT;
    st->expect = DRV_OK;
    st->call_op = -1;
    st->vcpus_used = st->memory_mb_used = st->local_gb_used = -1;
    st->vcpus = st->memory_mb = -1;
    if (jv_get_string(c, obj, "description", false, 0, NULL, &st->label) < 0)
        return -1;
    if (has_wait && (has_op || has_check)) {
        scn_fail_at_key(c, "wait", "a step is one of \"op\", \"wait\" or "
                               "\"check\", not several");
        return -1;
    }
    if (has_check)
        return parse_check_step(p, obj, st);
    if (has_op)
        return parse_op_step(p, obj, st);
    if (has_wait) {
        st->kind = SCN_STEP_WAIT;
        if (jv_check_keys(c, obj, wait_keys) < 0 ||
            jv_get_number(c, obj, "wait", true, 0, SCN_MAX_SECONDS,
                          &st->seconds) < 0)
            return -1;
        return 0;
    }
    jv_fail(c, false, "a step needs \"op\", \"wait\" or \"check\"");
    return -1;
}

static int
parse_step_at(parser *p, json_t *obj, unsigned int idx)
{
    return parse_step(p, obj, &p->s->steps[idx]);
}

int
scn_parse_steps(parser *p, json_t *root)
{
    return scn_parse_list(p, root, "steps", false, sizeof(scn_step),
                          (void **)&p->s->steps, &p->s->n_steps,
                          parse_step_at);
}
