/*
 * scn-step.c: a scenario's steps — operations, waits and checks (state,
 * id_changed, events, resources, calls, host_enabled, exists).
 */
#include <glib.h>
#include <jansson.h>
#include <libxml/xpath.h>
#include <limits.h>
#include <string.h>

#include "drv-json.h"
#include "drv.h"
#include "drv-json.h"
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
    [SCN_CHECK_TIME] = "time",
    [SCN_CHECK_XML] = "xml",
    /* SCN_CHECK_LISTING: named by ops_listing_get (volumes...) */
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
    if (check == SCN_CHECK_LISTING)
        return "listing";
    if (check < 0 || (size_t)check >= G_N_ELEMENTS(check_names) - 1)
        return NULL;
    return check_names[check];
}

/* ---- {uuid:NAME} in names and expected answers ---- */

#define UUID_OPEN "{uuid:"

/*
 * in with each "{uuid:NAME}" replaced by the uuid (given or derived) of
 * the scenario's instance NAME, into *out (g_free). An unknown NAME fails
 * at the current path.
 */
static int
expand_uuids(parser *p, const char *in, char **out)
{
    GString *s = g_string_new(NULL);
    const char *at;

    while ((at = strstr(in, UUID_OPEN))) {
        const char *name = at + strlen(UUID_OPEN);
        const char *end = strchr(name, '}');
        g_autofree char *inst = NULL;
        const scn_instance *si;

        if (!end) {
            jv_fail(&p->c, false, "\"" UUID_OPEN "\" without its '}'");
            g_string_free(s, TRUE);
            return -1;
        }
        inst = g_strndup(name, (gsize)(end - name));
        if (!(si = scn_find_instance(p->s, inst))) {
            const char *hint = jv_suggest(inst, p->instances);

            jv_fail(&p->c, false,
                    UUID_OPEN "%s}: unknown instance '%s'%s%s%s", inst, inst,
                    hint ? "; did you mean " : "", hint ? hint : "",
                    hint ? "?" : "");
            g_string_free(s, TRUE);
            return -1;
        }
        g_string_append_len(s, in, at - in);
        g_string_append(s, si->inst.uuid);
        in = end + 1;
    }
    g_string_append(s, in);
    *out = g_string_free(s, FALSE);
    return 0;
}

/* A copy of v with {uuid:NAME} replaced in every string, or NULL. */
static json_t *
expand_json(parser *p, json_t *v)
{
    jv_ctx *c = &p->c;
    json_t *out = NULL, *item;
    const char *key;
    size_t i;

    if (json_is_string(v)) {
        g_autofree char *s = NULL;

        if (expand_uuids(p, json_string_value(v), &s) < 0)
            return NULL;
        return json_string(s);
    }
    if (json_is_array(v)) {
        out = json_array();
        json_array_foreach(v, i, item) {
            json_t *e;

            jv_push_index(c, i);
            e = expand_json(p, item);
            jv_pop(c);
            if (!e) {
                json_decref(out);
                return NULL;
            }
            json_array_append_new(out, e);
        }
        return out;
    }
    if (json_is_object(v)) {
        out = json_object();
        json_object_foreach(v, key, item) {
            json_t *e;

            jv_push_key(c, key);
            e = expand_json(p, item);
            jv_pop(c);
            if (!e) {
                json_decref(out);
                return NULL;
            }
            json_object_set_new(out, key, e);
        }
        return out;
    }
    return json_deep_copy(v);
}

/* ---- steps ---- */

static const char *const wait_keys[] = {"wait", "description", "label",
                                        NULL};
static const char *const join_keys[] = {"join", "description", "label",
                                        NULL};

/* Keys every check may hold besides its own. */
#define CHECK_KEYS "check", "description", "label"

static const char *const state_keys[] = {CHECK_KEYS, "instance", "state",
                                         NULL};
static const char *const id_changed_keys[] = {CHECK_KEYS, "instance",
                                              "changed", NULL};
static const char *const events_keys[] = {CHECK_KEYS, "instance", "events",
                                          NULL};
static const char *const resources_keys[] = {
    CHECK_KEYS, "host", "vcpus", "vcpus_used", "memory_mb", "memory_mb_used",
    "local_gb_used", NULL};
static const char *const calls_keys[] = {CHECK_KEYS, "op", "count", "min",
                                         "max", "since", NULL};
static const char *const host_enabled_keys[] = {CHECK_KEYS, "host",
                                                "enabled", NULL};
static const char *const exists_keys[] = {CHECK_KEYS, "instance", "exists",
                                          NULL};
static const char *const time_keys[] = {CHECK_KEYS, "at_s", "tolerance_s",
                                        NULL};
static const char *const xml_keys[] = {CHECK_KEYS, "instance", "xpath",
                                       "inactive", NULL};
static const char *const listing_keys[] = {CHECK_KEYS, "host", "exist",
                                           "absent", NULL};

static const char *const *const check_keys[] = {
    [SCN_CHECK_STATE] = state_keys,
    [SCN_CHECK_ID_CHANGED] = id_changed_keys,
    [SCN_CHECK_EVENTS] = events_keys,
    [SCN_CHECK_RESOURCES] = resources_keys,
    [SCN_CHECK_CALLS] = calls_keys,
    [SCN_CHECK_HOST_ENABLED] = host_enabled_keys,
    [SCN_CHECK_EXISTS] = exists_keys,
    [SCN_CHECK_TIME] = time_keys,
    [SCN_CHECK_XML] = xml_keys,
    [SCN_CHECK_LISTING] = listing_keys,
};

/* "at_s" (the key given) and "tolerance_s": a time to check. */
static int
get_when(jv_ctx *c, json_t *obj, const char *key, bool required,
         scn_when *w)
{
    w->given = json_object_get(obj, key) != NULL;
    w->has_tolerance = json_object_get(obj, "tolerance_s") != NULL;
    if (jv_get_number(c, obj, key, required, 0, SCN_MAX_SECONDS,
                      &w->at_s) < 0 ||
        jv_get_number(c, obj, "tolerance_s", false, 0, SCN_MAX_SECONDS,
                      &w->tolerance_s) < 0)
        return -1;
    if (!w->given && w->has_tolerance) {
        scn_fail_at_key(c, "tolerance_s", "\"tolerance_s\" without \"%s\"",
                        key);
        return -1;
    }
    return 0;
}

/* "result": the expected answer of a query operation, a subset of the
 * keys d renders, {uuid:NAME} replaced. */
static int
get_result(parser *p, json_t *obj, const ops_op *d, scn_step *st)
{
    jv_ctx *c = &p->c;
    json_t *v;
    int rc;

    if (!(v = jv_enter_typed(c, obj, "result", false, JSON_OBJECT, &rc)))
        return rc;
    /* result_keys NULL: the answer's keys depend on the guest */
    if (!d->result_keys || jv_check_keys(c, v, d->result_keys) == 0)
        st->result = expand_json(p, v);
    jv_pop(c);
    return st->result ? 0 : -1;
}

/* "rescue_image": one of the scenario's images, on the instance's host. */
static int
get_rescue_image(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    const scn *s = p->s;
    const char *host = NULL;
    char *name = NULL;

    if (jv_get_string(c, obj, "rescue_image", false, JV_NONEMPTY, NULL,
                      &name) < 0)
        return -1;
    if (!name)
        return 0;
    for (unsigned int i = 0; i < s->n_instances; i++)
        if (st->instance && strcmp(s->instances[i].name, st->instance) == 0)
            host = s->instances[i].host;
    for (unsigned int i = 0; i < s->n_images; i++) {
        const scn_image *im = &s->images[i];

        if (strcmp(im->name, name) == 0 &&
            (!im->host || (host && strcmp(im->host, host) == 0))) {
            st->rescue_image = name;
            st->rescue_format = g_strdup(im->format);
            return 0;
        }
    }
    scn_fail_at_key(c, "rescue_image",
                    "no image '%s' on the instance's host", name);
    g_free(name);
    return -1;
}

/* A volume key: one of the scenario's images on the instance's host. */
static int
get_volume_ref(parser *p, json_t *obj, const char *key, bool required,
               const scn_step *st, char **out)
{
    jv_ctx *c = &p->c;
    const scn *s = p->s;
    const char *host = NULL;
    char *name = NULL;

    if (jv_get_string(c, obj, key, required, JV_NONEMPTY, NULL, &name) < 0)
        return -1;
    if (!name)
        return 0;
    for (unsigned int i = 0; i < s->n_instances; i++)
        if (st->instance && strcmp(s->instances[i].name, st->instance) == 0)
            host = s->instances[i].host;
    for (unsigned int i = 0; i < s->n_images; i++) {
        const scn_image *im = &s->images[i];

        if (strcmp(im->name, name) == 0 &&
            (!im->host || (host && strcmp(im->host, host) == 0))) {
            *out = name;
            return 0;
        }
    }
    scn_fail_at_key(c, key, "no image '%s' on the instance's host", name);
    g_free(name);
    return -1;
}

/* The volume family's keys (what each operation allows: ops.c). */
static int
get_volume_args(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    bool needs_volume = st->op == SCN_OP_ATTACH_VOLUME ||
                        st->op == SCN_OP_DETACH_VOLUME ||
                        st->op == SCN_OP_SWAP_VOLUME ||
                        st->op == SCN_OP_EXTEND_VOLUME;
    bool needs_mount = st->op == SCN_OP_ATTACH_VOLUME ||
                       st->op == SCN_OP_DETACH_VOLUME ||
                       st->op == SCN_OP_SWAP_VOLUME;

    if (get_volume_ref(p, obj, "volume", needs_volume, st, &st->volume) < 0 ||
        get_volume_ref(p, obj, "new_volume", st->op == SCN_OP_SWAP_VOLUME, st,
                       &st->new_volume) < 0 ||
        jv_get_string(c, obj, "volume_type", false, JV_NONEMPTY, NULL,
                      &st->volume_type) < 0 ||
        jv_get_string(c, obj, "mountpoint", needs_mount, JV_NONEMPTY, NULL,
                      &st->mountpoint) < 0 ||
        jv_get_string(c, obj, "disk_bus", false, JV_NONEMPTY, NULL,
                      &st->disk_bus) < 0 ||
        jv_get_string(c, obj, "device_type", false, JV_NONEMPTY, NULL,
                      &st->device_type) < 0 ||
        jv_get_string(c, obj, "disk", st->op == SCN_OP_BLOCK_STATS,
                      JV_NONEMPTY, NULL, &st->disk) < 0 ||
        jv_get_u64(c, obj, "resize_to", false, 0, 1 << 20,
                   &st->resize_to) < 0 ||
        jv_get_u64(c, obj, "size", false, 0, LLONG_MAX, &st->size) < 0)
        return -1;
    if (st->volume)
        st->pool = g_strdup(p->s->config.storage_pool);
    return 0;
}

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

/* "background": a task name, new among the scenario's (a join step
 * names it later). */
static int
get_background(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    gpointer at;

    if (jv_get_string(c, obj, "background", false, JV_NONEMPTY, NULL,
                      &st->background) < 0)
        return -1;
    if (!st->background)
        return 0;
    if ((at = g_hash_table_lookup(p->background, st->background))) {
        scn_fail_at_key(c, "background", "task '%s' is already the "
                        "background of steps[%u]", st->background,
                        GPOINTER_TO_UINT(at) - 1);
        return -1;
    }
    return 0;
}

/* "block_migration": true or false; absent: the checks decide (-1). */
static int
get_block_migration(jv_ctx *c, json_t *obj, scn_step *st)
{
    bool b = false;

    st->block_migration = -1;
    if (!json_object_get(obj, "block_migration"))
        return 0;
    if (jv_get_bool(c, obj, "block_migration", true, &b) < 0)
        return -1;
    st->block_migration = b;
    return 0;
}

/* "flavor": the flavor a resize gives ({"name", "vcpus", "memory_mb",
 * "root_gb", "ephemeral_gb", "swap_mb"}; sizes the instance's where
 * absent, filled in when the scenario runs: 0 here means "unchanged"). */
static int
get_flavor(jv_ctx *c, json_t *obj, scn_step *st)
{
    static const char *const keys[] = {"name", "vcpus", "memory_mb",
                                       "root_gb", "ephemeral_gb", "swap_mb",
                                       NULL};
    long long vcpus = 0, mem = 0, root = 0, eph = 0, swap = 0;
    json_t *f;
    int rc;

    if (!(f = jv_enter_typed(c, obj, "flavor", false, JSON_OBJECT, &rc)))
        return rc;
    rc = -1;
    if (jv_check_keys(c, f, keys) < 0 ||
        jv_get_string(c, f, "name", false, JV_NONEMPTY, NULL,
                      &st->flavor.name) < 0 ||
        jv_get_int(c, f, "vcpus", false, 1, 4096, &vcpus) < 0 ||
        jv_get_int(c, f, "memory_mb", false, 1, SCN_MAX_MB, &mem) < 0 ||
        jv_get_int(c, f, "root_gb", false, 0, SCN_MAX_GB, &root) < 0 ||
        jv_get_int(c, f, "ephemeral_gb", false, 0, SCN_MAX_GB, &eph) < 0 ||
        jv_get_int(c, f, "swap_mb", false, 0, SCN_MAX_MB, &swap) < 0)
        goto out;
    st->has_flavor = true;
    st->flavor.vcpus = (unsigned int)vcpus;
    st->flavor.memory_mb = (uint64_t)mem;
    /* -1 (as unsigned) marks a size the step leaves as it is */
    st->flavor.root_gb = json_object_get(f, "root_gb") ? (uint64_t)root
                                                       : UINT64_MAX;
    st->flavor.ephemeral_gb = json_object_get(f, "ephemeral_gb")
                                  ? (uint64_t)eph : UINT64_MAX;
    st->flavor.swap_mb = json_object_get(f, "swap_mb") ? (uint64_t)swap
                                                       : UINT64_MAX;
    rc = 0;
out:
    jv_pop(c);
    return rc;
}

/* A join step: {"join": NAME}, a background task started earlier and not
 * joined yet. */
static int
parse_join_step(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    gpointer at;

    st->kind = SCN_STEP_JOIN;
    if (jv_check_keys(c, obj, join_keys) < 0 ||
        jv_get_string(c, obj, "join", true, JV_NONEMPTY, NULL, &st->join) < 0)
        return -1;
    if (!(at = g_hash_table_lookup(p->background, st->join))) {
        scn_fail_at_key(c, "join", "no earlier step runs '%s' in the "
                        "background (\"background\": \"%s\" on an operation)",
                        st->join, st->join);
        return -1;
    }
    if (g_hash_table_contains(p->joined, st->join)) {
        scn_fail_at_key(c, "join", "task '%s' is joined already",
                        st->join);
        return -1;
    }
    st->join_of = GPOINTER_TO_UINT(at) - 1;
    g_hash_table_add(p->joined, st->join);
    return 0;
}

/* The host family's arguments (ops-host.c): refresh, enabled, action,
 * mode, and provider_tree, read as the driver reads a tree so that a bad
 * one is refused here with its position. */
static int
get_host_args(jv_ctx *c, json_t *obj, scn_step *st)
{
    static const char *const actions[] = {"startup", "shutdown", "reboot",
                                          NULL};
    drv_provider_tree tree;
    json_t *v;
    int rc;

    if (jv_get_bool(c, obj, "refresh", false, &st->refresh) < 0 ||
        jv_get_bool(c, obj, "enabled", st->op == SCN_OP_SET_HOST_ENABLED,
                    &st->set_enabled) < 0 ||
        jv_get_choice(c, obj, "action", st->op == SCN_OP_HOST_POWER_ACTION,
                      actions, &st->power_action) < 0 ||
        jv_get_bool(c, obj, "mode", st->op == SCN_OP_HOST_MAINTENANCE_MODE,
                    &st->maintenance_mode) < 0)
        return -1;
    if (!(v = jv_enter(c, obj, "provider_tree", false)))
        return 0;
    rc = drv_provider_tree_from_jv(c, v, &tree);
    jv_pop(c);
    if (rc < 0)
        return -1;
    drv_provider_tree_clear(&tree);
    st->provider_tree = json_incref(v);
    return 0;
}

/* The VIF called id that instance has when step number upto runs: one
 * of its network_info, or the latest earlier attach_interface's; NULL if
 * none. */
static const drv_vif *
known_vif(parser *p, const char *instance, unsigned int upto, const char *id)
{
    const scn_instance *si = scn_find_instance(p->s, instance);

    for (unsigned int i = upto; i-- > 0;) {
        const scn_step *e = &p->s->steps[i];

        if (e->kind == SCN_STEP_OP && e->op == SCN_OP_ATTACH_INTERFACE &&
            e->has_vif && strcmp(e->instance, instance) == 0 &&
            strcmp(e->vif.id, id) == 0)
            return &e->vif;
    }
    for (unsigned int i = 0; si && i < si->inst.n_vifs; i++)
        if (strcmp(si->inst.vifs[i].id, id) == 0)
            return &si->inst.vifs[i];
    return NULL;
}

/*
 * "vif" of attach_interface (a network_info entry, required) and of
 * detach_interface (the same, or the id of a VIF the instance has: from
 * its network_info or an earlier attach_interface step).
 */
static int
get_vif(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    bool wanted = st->op == SCN_OP_ATTACH_INTERFACE ||
                  st->op == SCN_OP_DETACH_INTERFACE;
    const drv_vif *known;
    json_t *v;
    int rc;

    if (!wanted)
        return 0;
    if (!(v = jv_enter(c, obj, "vif", true)))
        return -1;
    if (json_is_string(v) && st->op == SCN_OP_DETACH_INTERFACE) {
        const char *id = json_string_value(v);

        jv_pop(c);
        if (!(known = known_vif(p, st->instance,
                                (unsigned int)(st - p->s->steps), id))) {
            scn_fail_at_key(c, "vif", "instance '%s' has no VIF '%s' (in "
                            "its network_info or attached by an earlier "
                            "step); give the VIF as an object to detach "
                            "one it does not have", st->instance, id);
            return -1;
        }
        drv_vif_copy(&st->vif, known);
        st->has_vif = true;
        return 0;
    }
    rc = drv_vif_from_jv(c, v, &st->vif);
    jv_pop(c);
    if (rc < 0)
        return -1;
    st->has_vif = true;
    return 0;
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
        jv_get_string(c, obj, "nodename", false, JV_NONEMPTY, NULL,
                      &st->nodename) < 0 ||
        jv_get_string(c, obj, "name", op == SCN_OP_EXTERNAL_EVENT,
                      JV_NONEMPTY, NULL, &st->event_name) < 0 ||
        jv_get_string(c, obj, "tag", op == SCN_OP_EXTERNAL_EVENT,
                      JV_NONEMPTY, NULL, &st->event_tag) < 0 ||
        get_rescue_image(p, obj, st) < 0 ||
        jv_get_bool(c, obj, "disabled", op == SCN_OP_SET_SERVICE_DISABLED,
                    &st->disabled) < 0 ||
        jv_get_string(c, obj, "reason", false, JV_NONEMPTY, NULL,
                      &st->reason) < 0 ||
        get_when(c, obj, "returns_at_s", false, &st->when) < 0 ||
        get_expect(p, obj, &st->expect) < 0 ||
        ((d->query || d->result_keys) && get_result(p, obj, d, st) < 0) ||
        get_background(p, obj, st) < 0 ||
        scn_get_ref(c, obj, "dest", d->there == OPS_THERE_DEST, "host",
                    p->hosts, &st->dest) < 0 ||
        jv_get_string(c, obj, "dest_hostname", false, 0, NULL,
                      &st->dest_hostname) < 0 ||
        get_block_migration(c, obj, st) < 0 ||
        get_flavor(c, obj, st) < 0 ||
        get_volume_args(p, obj, st) < 0 ||
        get_host_args(c, obj, st) < 0 ||
        get_vif(p, obj, st) < 0 ||
        jv_get_string(c, obj, "image", op == SCN_OP_SNAPSHOT,
                      JV_NONEMPTY | JV_NOSLASH, NULL, &st->image) < 0 ||
        jv_get_string(c, obj, "password", op == SCN_OP_SET_ADMIN_PASSWORD,
                      0, NULL, &st->password) < 0)
        return -1;
    if (st->result && st->expect != DRV_OK) {
        scn_fail_at_key(c, "result", "a \"result\" needs the operation to "
                                     "succeed (\"expect\": \"ok\")");
        return -1;
    }
    st->reboot_type = type == 1 ? DRV_REBOOT_HARD : DRV_REBOOT_SOFT;
    st->timeout = (int)timeout;
    st->retry_interval = (int)interval;
    return 0;
}

/* One item of an events check: "NAME", or {"event": NAME, "at_s": T,
 * "tolerance_s": D} for an event that must arrive at T. */
static int
get_event(jv_ctx *c, json_t *item, char **name, scn_when *w)
{
    static const char *const keys[] = {"event", "at_s", "tolerance_s", NULL};
    json_t *v;
    int rc;

    if (!json_is_object(item))
        return jv_read_choice(c, item, event_names, name);
    if (jv_check_keys(c, item, keys) < 0 || !(v = jv_enter(c, item, "event",
                                                          true)))
        return -1;
    rc = jv_read_choice(c, v, event_names, name);
    jv_pop(c);
    if (rc < 0)
        return -1;
    return get_when(c, item, "at_s", false, w);
}

static int
get_events(jv_ctx *c, json_t *obj, char ***out, scn_when **when)
{
    json_t *arr, *item;
    GPtrArray *names;
    size_t i;
    int rc;

    if (!(arr = jv_enter_typed(c, obj, "events", true, JSON_ARRAY, &rc)))
        return -1;
    names = g_ptr_array_new_with_free_func(g_free);
    *when = g_new0(scn_when, json_array_size(arr) + 1);
    json_array_foreach(arr, i, item) {
        char *e = NULL;

        jv_push_index(c, i);
        rc = get_event(c, item, &e, &(*when)[i]);
        jv_pop(c);
        if (rc < 0) {
            g_free(e);
            break;
        }
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
                     &st->call_op) < 0 ||
        jv_get_string(c, obj, "since", false, JV_NONEMPTY, NULL,
                      &st->since) < 0)
        return -1;
    if (st->since && !g_hash_table_contains(p->labels, st->since)) {
        g_autofree const char **known = (const char **)
            g_hash_table_get_keys_as_array(p->labels, NULL);
        const char *hint = jv_suggest(st->since, known);

        jv_push_key(c, "since");
        jv_fail(c, false, "no earlier step is labelled '%s'%s%s%s", st->since,
                hint ? "; did you mean " : "", hint ? hint : "",
                hint ? "?" : "");
        jv_pop(c);
        return -1;
    }
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

/* libxml2 reports a bad expression on stderr too; the parser's message
 * is the one that counts. */
static void
xpath_quiet(void *ctx, const xmlError *e)
{
    (void)ctx;
    (void)e;
}

/* "xpath": {EXPR: VALUE, ...}, each EXPR a valid XPath 1.0 expression,
 * each VALUE a string ({uuid:NAME} replaced), a number or a boolean. */
static int
parse_xml(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    json_t *x, *v, *want = NULL;
    const char *expr;
    int rc = 0;

    if (scn_get_ref(c, obj, "instance", true, "instance", p->instances,
                    &st->instance) < 0 ||
        jv_get_bool(c, obj, "inactive", false, &st->inactive) < 0 ||
        !(x = jv_enter_typed(c, obj, "xpath", true, JSON_OBJECT, &rc)))
        return -1;
    if (json_object_size(x) == 0) {
        jv_fail(c, false, "expected at least one XPath expression");
        jv_pop(c);
        return -1;
    }
    st->xpaths = g_new0(scn_xpath, json_object_size(x));
    json_object_foreach(x, expr, v) {
        xmlXPathCompExprPtr comp;

        jv_push_key(c, expr);
        xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)xpath_quiet);
        comp = xmlXPathCompile((const xmlChar *)expr);
        xmlSetStructuredErrorFunc(NULL, NULL);
        if (!comp) {
            jv_fail(c, true, "invalid XPath expression '%.80s'", expr);
            rc = -1;
        } else if (!json_is_string(v) && !json_is_number(v) &&
                   !json_is_boolean(v)) {
            jv_fail(c, false, "expected a string, a number or a boolean, "
                              "got %s", jv_type_name(v));
            rc = -1;
        }
        xmlXPathFreeCompExpr(comp);
        if (rc == 0 && !(want = expand_json(p, v)))
            rc = -1;
        jv_pop(c);
        if (rc < 0)
            break;
        st->xpaths[st->n_xpaths].expr = g_strdup(expr);
        st->xpaths[st->n_xpaths++].want = want;
    }
    jv_pop(c);
    return rc;
}

/* "exist" / "absent": arrays of names, {uuid:NAME} replaced. */
static int
get_names(parser *p, json_t *obj, const char *key, char ***out)
{
    jv_ctx *c = &p->c;
    json_t *arr, *item;
    GPtrArray *names;
    size_t i;
    int rc;

    if (!(arr = jv_enter_typed(c, obj, key, false, JSON_ARRAY, &rc)))
        return rc;
    names = g_ptr_array_new_with_free_func(g_free);
    json_array_foreach(arr, i, item) {
        char *raw = NULL, *name = NULL;

        jv_push_index(c, i);
        rc = jv_read_string(c, item, JV_NONEMPTY, NULL, &raw);
        if (rc == 0)
            rc = expand_uuids(p, raw, &name);
        jv_pop(c);
        g_free(raw);
        if (rc < 0)
            break;
        g_ptr_array_add(names, name);
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

static int
parse_listing(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;

    if (scn_get_ref(c, obj, "host", true, "host", p->hosts, &st->host) < 0 ||
        get_names(p, obj, "exist", &st->exist) < 0 ||
        get_names(p, obj, "absent", &st->absent) < 0)
        return -1;
    if (!st->exist && !st->absent) {
        jv_fail(c, false, "a %s check needs \"exist\" and/or \"absent\"",
                ops_listing_get(st->listing)->name);
        return -1;
    }
    return 0;
}

/* The check names: check_names, then the listings'. */
static void
check_names_fill(const char **names, size_t n)
{
    size_t k = 0;

    for (; check_names[k] && k + 1 < n; k++)
        names[k] = check_names[k];
    for (int i = 0; ops_listing_get(i) && k + 1 < n; i++)
        names[k++] = ops_listing_get(i)->name;
    names[k] = NULL;
}

static int
parse_check_step(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    const char *names[32];
    int check = -1, state = -1;

    st->kind = SCN_STEP_CHECK;
    check_names_fill(names, G_N_ELEMENTS(names));
    if (scn_get_choice_index(c, obj, "check", true, names, &check) < 0)
        return -1;
    if (check >= SCN_CHECK_LISTING) {
        st->listing = check - SCN_CHECK_LISTING;
        check = SCN_CHECK_LISTING;
    }
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
            get_events(c, obj, &st->events, &st->event_when) < 0)
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
    case SCN_CHECK_TIME:
        return get_when(c, obj, "at_s", true, &st->when);
    case SCN_CHECK_XML:
        return parse_xml(p, obj, st);
    case SCN_CHECK_LISTING:
        return parse_listing(p, obj, st);
    }
    return -1;
}

/* "label": a name for the step, unique, that a later "since" names. */
static int
get_label(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;

    if (jv_get_string(c, obj, "label", false, JV_NONEMPTY, NULL,
                      &st->mark) < 0)
        return -1;
    if (!st->mark)
        return 0;
    if (g_hash_table_contains(p->labels, st->mark)) {
        jv_push_key(c, "label");
        jv_fail(c, false, "duplicate label '%s', also at steps[%u]",
                st->mark, GPOINTER_TO_UINT(g_hash_table_lookup(p->labels,
                                                               st->mark)));
        jv_pop(c);
        return -1;
    }
    return 0;
}

static int
parse_step(parser *p, json_t *obj, scn_step *st)
{
    jv_ctx *c = &p->c;
    bool has_op = json_object_get(obj, "op") != NULL;
    bool has_wait = json_object_get(obj, "wait") != NULL;
    bool has_check = json_object_get(obj, "check") != NULL;
    bool has_join = json_object_get(obj, "join") != NULL;
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
    if (jv_get_string(c, obj, "description", false, 0, NULL, &st->label) < 0 ||
        get_label(p, obj, st) < 0)
        return -1;
    if ((int)has_wait + has_op + has_check + has_join > 1 &&
        (has_wait || has_join)) {
        scn_fail_at_key(c, has_join ? "join" : "wait",
                        "a step is one of \"op\", \"wait\", \"check\" or "
                        "\"join\", not several");
        return -1;
    }
    if (has_join)
        return parse_join_step(p, obj, st);
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
    jv_fail(c, false, "a step needs \"op\", \"wait\", \"check\" or "
                      "\"join\"");
    return -1;
}

/* A step's label is known from the next step on: "since" names an
 * earlier step. */
static int
parse_step_at(parser *p, json_t *obj, unsigned int idx)
{
    scn_step *st = &p->s->steps[idx];

    if (parse_step(p, obj, st) < 0)
        return -1;
    if (st->mark)
        g_hash_table_insert(p->labels, st->mark, GUINT_TO_POINTER(idx));
    if (st->background)
        g_hash_table_insert(p->background, st->background,
                            GUINT_TO_POINTER(idx + 1));
    return 0;
}

/* Every background task is joined by a later step: its outcome is
 * checked there, and nothing runs on after the scenario's end. */
static int
check_all_joined(parser *p)
{
    for (unsigned int i = 0; i < p->s->n_steps; i++) {
        const scn_step *st = &p->s->steps[i];

        if (!st->background || g_hash_table_contains(p->joined,
                                                     st->background))
            continue;
        jv_push_key(&p->c, "steps");
        jv_push_index(&p->c, i);
        scn_fail_at_key(&p->c, "background", "task '%s' is never joined "
                        "(a later step {\"join\": \"%s\"} waits for it and "
                        "checks its outcome)", st->background, st->background);
        jv_pop(&p->c);
        jv_pop(&p->c);
        return -1;
    }
    return 0;
}

int
scn_parse_steps(parser *p, json_t *root)
{
    int rc;

    p->labels = g_hash_table_new(g_str_hash, g_str_equal);
    p->background = g_hash_table_new(g_str_hash, g_str_equal);
    p->joined = g_hash_table_new(g_str_hash, g_str_equal);
    rc = scn_parse_list(p, root, "steps", false, sizeof(scn_step),
                        (void **)&p->s->steps, &p->s->n_steps,
                        parse_step_at);
    if (rc == 0)
        rc = check_all_joined(p);
    g_clear_pointer(&p->labels, g_hash_table_destroy);
    g_clear_pointer(&p->background, g_hash_table_destroy);
    g_clear_pointer(&p->joined, g_hash_table_destroy);
    return rc;
}
