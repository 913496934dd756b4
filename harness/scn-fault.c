/*
 * scn-fault.c: a scenario's faults — each kind's arguments as ops.h's
 * table lists them, and hv_call rules (operation, error, errno, nth,
 * count, probability, stall).
 */
#include <errno.h>
#include <glib.h>
#include <jansson.h>
#include <limits.h>
#include <string.h>

#include "hv.h"
#include "jsonv.h"
#include "ops.h"
#include "scn.h"
#include "scn-priv.h"

/*
 * The names of fault kinds come from ops.h's table; this fills a
 * NULL-terminated list of them for the lookup of a fault's "kind".
 */
static void
fault_names_fill(const char *names[SCN__FAULT_COUNT + 1])
{
    for (int i = 0; i < SCN__FAULT_COUNT; i++)
        names[i] = ops_fault_get(i)->name;
    names[SCN__FAULT_COUNT] = NULL;
}

/* errno names a fault may give instead of a number. */
static const struct {
    const char *name;
    int value;
} errno_table[] = {
    {"EBUSY", EBUSY},           {"ENOSPC", ENOSPC},
    {"EIO", EIO},               {"ENOENT", ENOENT},
    {"ECONNREFUSED", ECONNREFUSED}, {"EPERM", EPERM},
    {"EAGAIN", EAGAIN},         {"ETIMEDOUT", ETIMEDOUT},
    {"EINVAL", EINVAL},         {"ENOMEM", ENOMEM},
    {"EEXIST", EEXIST},         {"EACCES", EACCES},
    {"ECONNRESET", ECONNRESET}, {"EINTR", EINTR},
};

/* ---- faults ---- */

static const char *const hv_call_keys[] = {
    "kind", "host", "op", "target", "error", "errno", "nth", "count",
    "probability", "stall_s", NULL};
/* "errno": a name from errno_table or an integer. */
static int
get_errno(jv_ctx *c, json_t *obj, int *out)
{
    json_t *v = jv_enter(c, obj, "errno", false);
    const char *names[G_N_ELEMENTS(errno_table) + 1] = {NULL};
    long long n;
    int rc = -1;

    if (!v)
        return 0;
    for (size_t i = 0; i < G_N_ELEMENTS(errno_table); i++)
        names[i] = errno_table[i].name;
    if (json_is_integer(v)) {
        if (jv_read_int(c, v, 1, 4095, &n) == 0) {
            *out = (int)n;
            rc = 0;
        }
    } else if (!json_is_string(v)) {
        jv_fail(c, false, "expected an errno name or an integer, got %s",
                jv_type_name(v));
    } else {
        const char *s = json_string_value(v);
        int i = scn_name_index(names, s);
        const char *hint = jv_suggest(s, names);

        if (i >= 0) {
            *out = errno_table[i].value;
            rc = 0;
        } else if (hint) {
            jv_fail(c, false, "unknown errno '%.64s'; did you mean %s?", s,
                    hint);
        } else {
            g_autofree char *list = jv_join(names);
            jv_fail(c, false,
                    "unknown errno '%.64s' (expected an integer or one of "
                    "%s)", s, list);
        }
    }
    jv_pop(c);
    return rc;
}

/* "error": an hv error code name (not OK). */
static int
get_hv_error(parser *p, json_t *obj, int *out)
{
    jv_ctx *c = &p->c;
    json_t *v = jv_enter(c, obj, "error", false);
    int code, rc = -1;

    if (!v)
        return 0;
    if (!json_is_string(v)) {
        jv_fail(c, false, "expected an hv error code name, got %s",
                jv_type_name(v));
    } else if ((code = hv_error_code_from_name(json_string_value(v))) <= 0) {
        jv_fail_unknown_name(c, "hv error code", json_string_value(v),
                             (const char *const *)p->hv_errors->pdata);
    } else {
        *out = code;
        rc = 0;
    }
    jv_pop(c);
    return rc;
}

static int
parse_hv_call(parser *p, json_t *obj, scn_fault *f)
{
    jv_ctx *c = &p->c;
    long long nth = 1, count = 1;

    if (scn_get_ref(c, obj, "host", false, "host", p->hosts, &f->host) < 0 ||
        scn_get_name(c, obj, "op", true, "hv operation", p->hv_ops,
                     &f->op) < 0 ||
        jv_get_string(c, obj, "target", false, JV_NONEMPTY, NULL,
                      &f->target) < 0 ||
        get_hv_error(p, obj, &f->code) < 0 ||
        get_errno(c, obj, &f->sys_errno) < 0 ||
        jv_get_int(c, obj, "nth", false, 1, INT_MAX, &nth) < 0 ||
        jv_get_int(c, obj, "count", false, 0, INT_MAX, &count) < 0 ||
        jv_get_number(c, obj, "probability", false, 0, 1,
                      &f->probability) < 0 ||
        jv_get_number(c, obj, "stall_s", false, 0, SCN_MAX_SECONDS,
                      &f->stall_s) < 0)
        return -1;
    f->nth = (unsigned int)nth;
    f->count = (unsigned int)count;
    if (f->sys_errno && f->code != HV_ERR_SYSTEM_ERROR) {
        scn_fail_at_key(c, "errno", "errno goes with \"error\": "
                                "\"SYSTEM_ERROR\"");
        return -1;
    }
    if (!f->code && f->stall_s == 0) {
        jv_fail(c, false, "an hv_call fault needs \"error\" or \"stall_s\"");
        return -1;
    }
    return 0;
}

/* vif_never_plugged: the instance must have VIFs, and vif be one. */
static int
check_vif(parser *p, json_t *obj, scn_fault *f)
{
    jv_ctx *c = &p->c;
    const scn_instance *si = scn_find_instance(p->s, f->instance);
    g_autofree const char **ids = NULL;

    if (si->inst.n_vifs == 0) {
        jv_push_key(c, "instance");
        jv_fail(c, false, "instance '%s' has no VIFs (network_info)",
                f->instance);
        jv_pop(c);
        return -1;
    }
    ids = g_new0(const char *, si->inst.n_vifs + 1);
    for (unsigned int i = 0; i < si->inst.n_vifs; i++)
        ids[i] = si->inst.vifs[i].id;
    return scn_get_ref(c, obj, "vif", false, "VIF", ids, &f->vif);
}

/* One argument of a fault, as its kind's table entry lists it. */
static int
parse_fault_arg(parser *p, json_t *obj, const ops_arg *arg, scn_fault *f)
{
    jv_ctx *c = &p->c;
    const char *key = ops_arg_key(arg->kind);

    switch (arg->kind) {
    case OPS_ARG_INSTANCE:
        return scn_get_ref(c, obj, key, arg->required, "instance",
                           p->instances, &f->instance);
    case OPS_ARG_HOST:
        return scn_get_ref(c, obj, key, arg->required, "host", p->hosts,
                           &f->host);
    case OPS_ARG_VIF:
        return check_vif(p, obj, f);
    case OPS_ARG_AT_S:
        return jv_get_number(c, obj, key, arg->required, 0, SCN_MAX_SECONDS,
                             &f->at_s);
    case OPS_ARG_FOR_S:
        return jv_get_number(c, obj, key, arg->required, 0, SCN_MAX_SECONDS,
                             &f->for_s);
    case OPS_ARG_BOOT_S:
        return jv_get_number(c, obj, key, arg->required, 0, SCN_MAX_SECONDS,
                             &f->boot_s);
    case OPS_ARG_PERCENT: {
        long long pct = 0;

        if (jv_get_int(c, obj, key, arg->required, 0, 100, &pct) < 0)
            return -1;
        f->percent = (unsigned int)pct;
        return 0;
    }
    case OPS_ARG_NONE:
        break;
    }
    return -1;
}

static int
parse_fault(parser *p, json_t *obj, scn_fault *f)
{
    jv_ctx *c = &p->c;
    const char *names[SCN__FAULT_COUNT + 1];
    const char *keys[OPS_MAX_ARGS + 1] = {"kind"};
    const ops_fault *d;
    int kind = -1;
    unsigned int n = 1;

    f->op = -1;
    f->nth = 1;
    f->count = 1;
    f->probability = 1.0;
    fault_names_fill(names);
    if (scn_get_choice_index(c, obj, "kind", true, names, &kind) < 0)
        return -1;
    f->kind = (scn_fault_kind)kind;
    d = ops_fault_get(kind);
    if (d->fake_only && scn_runs_on(p->s, "libvirt")) {
        jv_push_key(c, "kind");
        jv_fail(c, false,
                "\"%s\" acts only on the fake backend, but the scenario's "
                "\"backends\" include \"libvirt\" (remove it there, or "
                "the fault)", d->name);
        jv_pop(c);
        return -1;
    }
    if (d->schedule == OPS_FAULT_ON_HV_CALL) {
        if (jv_check_keys(c, obj, hv_call_keys) < 0)
            return -1;
        return parse_hv_call(p, obj, f);
    }
    for (const ops_arg *a = d->args; a->kind != OPS_ARG_NONE; a++)
        keys[n++] = ops_arg_key(a->kind);
    keys[n] = NULL;
    if (jv_check_keys(c, obj, keys) < 0)
        return -1;
    for (const ops_arg *a = d->args; a->kind != OPS_ARG_NONE; a++)
        if (parse_fault_arg(p, obj, a, f) < 0)
            return -1;
    return 0;
}

static int
parse_fault_at(parser *p, json_t *obj, unsigned int idx)
{
    return parse_fault(p, obj, &p->s->faults[idx]);
}

int
scn_parse_faults(parser *p, json_t *root)
{
    return scn_parse_list(p, root, "faults", false, sizeof(scn_fault),
                          (void **)&p->s->faults, &p->s->n_faults,
                          parse_fault_at);
}
