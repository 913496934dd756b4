/*
 * scn.c: scenario files — parsing and validation (format: docs/scenarios.md,
 * data model: scn.h).
 *
 * Everything is checked before a scenario is returned: keys, types,
 * ranges, unique names, and that every name reference resolves (hosts,
 * instances, images, VIFs, operations, error codes). Errors come from
 * jsonv.h and name the file, line:column and JSON path; the embedded
 * configuration and instances are read by the driver's own loaders
 * through the same context, so their errors carry the scenario's
 * positions too ("s.json:14:20: $.instances[1].flavor.vcpus: ...").
 *
 * Parsing fills a scn step by step; on any error the partial scenario is
 * freed with scn_free, which copes with half-filled arrays because each
 * array's count is raised before its element is read.
 *
 * This file holds the top level (name, backends, seed, config, network),
 * the parser's shared state and helpers, loading and freeing; the other
 * sections live in scn-world.c, scn-fault.c and scn-step.c (scn-priv.h).
 */
#include <glib.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "drv-json.h"
#include "drv.h"
#include "hv.h"
#include "jsonv.h"
#include "ops.h"
#include "scn.h"
#include "scn-priv.h"

/* ---- names ---- */

static const char *const backend_names[] = {"fake", "libvirt", NULL};

const char *
scn_op_name(int op)
{
    const ops_op *d = ops_op_get(op);

    return d ? d->name : NULL;
}

int
scn_op_from_name(const char *name)
{
    for (int i = 0; name && i < SCN__OP_COUNT; i++)
        if (strcmp(ops_op_get(i)->name, name) == 0)
            return i;
    return -1;
}

/* Index of s in the NULL-terminated names, or -1. */
int
scn_name_index(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

/* ---- freeing ---- */

static void
fault_clear(scn_fault *f)
{
    g_free(f->host);
    g_free(f->instance);
    g_free(f->vif);
    g_free(f->target);
}

static void
step_clear(scn_step *st)
{
    g_free(st->label);
    g_free(st->instance);
    g_free(st->host);
    g_strfreev(st->events);
    g_free(st->mark);
    json_decref(st->result);
    g_free(st->nodename);
    g_free(st->rescue_image);
    g_free(st->reason);
    g_free(st->rescue_format);
    g_free(st->event_name);
    g_free(st->event_tag);
    g_free(st->background);
    g_free(st->join);
    g_free(st->dest);
    g_free(st->dest_hostname);
    g_free(st->volume);
    g_free(st->new_volume);
    g_free(st->volume_type);
    g_free(st->mountpoint);
    g_free(st->disk_bus);
    g_free(st->device_type);
    g_free(st->disk);
    g_free(st->pool);
    g_free(st->power_action);
    json_decref(st->provider_tree);
    g_free(st->image);
    g_free(st->password);
    g_free(st->flavor.name);
    drv_vif_clear(&st->vif);
    g_free(st->since);
    g_free(st->event_when);
    for (unsigned int i = 0; i < st->n_xpaths; i++) {
        g_free(st->xpaths[i].expr);
        json_decref(st->xpaths[i].want);
    }
    g_free(st->xpaths);
    g_strfreev(st->exist);
    g_strfreev(st->absent);
}

/* Frees s and everything in it. NULL is fine. */
void
scn_free(scn *s)
{
    if (!s)
        return;
    g_free(s->path);
    g_free(s->name);
    g_free(s->description);
    g_strfreev(s->backends);
    drv_config_clear(&s->config);
    for (unsigned int i = 0; i < s->n_hosts; i++) {
        g_free(s->hosts[i].name);
        g_free(s->hosts[i].arch);
        g_free(s->hosts[i].cpu_model);
        g_free(s->hosts[i].cpu_vendor);
        g_strfreev(s->hosts[i].cpu_features);
    }
    g_free(s->hosts);
    for (unsigned int i = 0; i < s->n_images; i++) {
        g_free(s->images[i].name);
        g_free(s->images[i].host);
        g_free(s->images[i].format);
    }
    g_free(s->images);
    for (unsigned int i = 0; i < s->n_instances; i++) {
        g_free(s->instances[i].name);
        g_free(s->instances[i].host);
        drv_instance_clear(&s->instances[i].inst);
    }
    g_free(s->instances);
    for (unsigned int i = 0; i < s->n_faults; i++)
        fault_clear(&s->faults[i]);
    g_free(s->faults);
    for (unsigned int i = 0; i < s->n_steps; i++)
        step_clear(&s->steps[i]);
    g_free(s->steps);
    g_free(s);
}

/* ---- lookups ---- */

scn_instance *
scn_find_instance(const scn *s, const char *name)
{
    for (unsigned int i = 0; s && name && i < s->n_instances; i++)
        if (strcmp(s->instances[i].name, name) == 0)
            return &s->instances[i];
    return NULL;
}

scn_host *
scn_find_host(const scn *s, const char *name)
{
    for (unsigned int i = 0; s && name && i < s->n_hosts; i++)
        if (strcmp(s->hosts[i].name, name) == 0)
            return &s->hosts[i];
    return NULL;
}

bool
scn_runs_on(const scn *s, const char *backend)
{
    for (char **b = s && backend ? s->backends : NULL; b && *b; b++)
        if (strcmp(*b, backend) == 0)
            return true;
    return false;
}

int64_t
scn_ns(double seconds)
{
    return (int64_t)(seconds * (double)HV_NS_PER_SEC + 0.5);
}

/* ---- the parser ---- */

static void
parser_init(parser *p, const char *text, const char *source)
{
    memset(p, 0, sizeof(*p));
    jv_init(&p->c, text, source);
    for (int i = 0; i < HV_OP__COUNT; i++)
        p->hv_ops[i] = hv_op_name((hv_op)i);
    p->hv_errors = g_ptr_array_new();
    for (int i = 0; i < hv_error_code_count(); i++)
        g_ptr_array_add(p->hv_errors,
                        (gpointer)hv_error_code_name(hv_error_code_at(i)));
    g_ptr_array_add(p->hv_errors, NULL);
    p->expects = g_ptr_array_new();
    g_ptr_array_add(p->expects, "ok");
    for (int k = DRV_OK + 1; k < DRV__ERR_COUNT; k++)
        g_ptr_array_add(p->expects,
                        (gpointer)drv_error_kind_name((drv_error_kind)k));
    g_ptr_array_add(p->expects, NULL);
}

static void
parser_clear(parser *p)
{
    jv_clear(&p->c);
    g_free(p->hosts);
    g_free(p->instances);
    g_ptr_array_free(p->hv_errors, TRUE);
    g_ptr_array_free(p->expects, TRUE);
}

/* The object at index i of arr, pushed (pop it after use); NULL if not
 * an object (not pushed then). */
static json_t *
enter_item(jv_ctx *c, json_t *arr, size_t i)
{
    json_t *v = json_array_get(arr, i);

    jv_push_index(c, i);
    if (!json_is_object(v)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(v));
        jv_pop(c);
        return NULL;
    }
    return v;
}

/*
 * Parse the array member key of root, each item an object: *items gets
 * room for every item (and a spare), *n counts the items begun (so that
 * scn_free frees a half-parsed one), parse_one reads item idx. Absent and
 * optional is 0 with nothing allocated.
 */
int
scn_parse_list(parser *p, json_t *root, const char *key, bool required,
               size_t elem_size, void **items, unsigned int *n,
               item_parser parse_one)
{
    jv_ctx *c = &p->c;
    json_t *arr, *obj;
    int rc;

    if (!(arr = jv_enter_typed(c, root, key, required, JSON_ARRAY, &rc)))
        return rc;
    *items = g_malloc0_n(json_array_size(arr) + 1, elem_size);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        if (!(obj = enter_item(c, arr, i))) {
            rc = -1;
            break;
        }
        (*n)++;
        rc = parse_one(p, obj, (unsigned int)i);
        jv_pop(c);
        if (rc < 0)
            break;
    }
    jv_pop(c);
    return rc;
}


/*
 * The string member key of obj, which must be one of names (what says
 * which kind of name: "host"); a copy goes to *out. Absent and optional
 * is 0 with *out untouched.
 */
int
scn_get_ref(jv_ctx *c, json_t *obj, const char *key, bool required,
            const char *what, const char *const *names, char **out)
{
    json_t *v = jv_enter(c, obj, key, required);
    char *name = NULL;
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = jv_read_string(c, v, JV_NONEMPTY, NULL, &name);
    if (rc == 0 && scn_name_index(names, name) < 0) {
        jv_fail_unknown_name(c, what, name, names);
        rc = -1;
    }
    jv_pop(c);
    if (rc < 0) {
        g_free(name);
        return -1;
    }
    g_free(*out);
    *out = name;
    return 0;
}

/* The string member key of obj as an index in names (fails with
 * "unknown WHAT 'x'; did you mean y?"). */
int
scn_get_name(jv_ctx *c, json_t *obj, const char *key, bool required,
             const char *what, const char *const *names, int *out)
{
    json_t *v = jv_enter(c, obj, key, required);
    int rc = -1;

    if (!v)
        return required ? -1 : 0;
    if (!json_is_string(v)) {
        jv_fail(c, false, "expected a string, got %s", jv_type_name(v));
    } else if ((rc = scn_name_index(names, json_string_value(v))) < 0) {
        jv_fail_unknown_name(c, what, json_string_value(v), names);
    } else {
        *out = rc;
        rc = 0;
    }
    jv_pop(c);
    return rc;
}

/* As scn_get_name, the names being a short list shown in full on error. */
int
scn_get_choice_index(jv_ctx *c, json_t *obj, const char *key, bool required,
                     const char *const *names, int *out)
{
    char *s = NULL;
    int rc = jv_get_choice(c, obj, key, required, names, &s);

    if (rc == 0 && s)
        *out = scn_name_index(names, s);
    g_free(s);
    return rc;
}

/* Fail at member key of obj (which is present), at its key. */
void
scn_fail_at_key(jv_ctx *c, const char *key, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    jv_push_key(c, key);
    jv_fail(c, true, "%s", msg);
    jv_pop(c);
}

/* [A-Za-z0-9_.-]+ */
static const char *
check_scn_name(char *s)
{
    if (!*s)
        return "expected a name of letters, digits, '_', '.' and '-'";
    for (const char *q = s; *q; q++)
        if (!g_ascii_isalnum(*q) && !strchr("_.-", *q))
            return "expected a name of letters, digits, '_', '.' and '-'";
    return NULL;
}

/* ---- top level: name, backends, network ---- */

static int
parse_backends(parser *p, json_t *root)
{
    jv_ctx *c = &p->c;
    json_t *arr, *item;
    GPtrArray *names;
    size_t i;
    int rc;

    if (!(arr = jv_enter_typed(c, root, "backends", false, JSON_ARRAY,
                               &rc))) {
        if (rc < 0)
            return -1;
        p->s->backends = g_new0(char *, 2);
        p->s->backends[0] = g_strdup("fake");
        return 0;
    }
    if (json_array_size(arr) == 0) {
        jv_fail(c, false, "expected at least one backend (fake, libvirt)");
        jv_pop(c);
        return -1;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    json_array_foreach(arr, i, item) {
        char *b = NULL;

        jv_push_index(c, i);
        rc = jv_read_choice(c, item, backend_names, &b);
        for (guint j = 0; rc == 0 && j < names->len; j++) {
            if (strcmp(g_ptr_array_index(names, j), b) == 0) {
                jv_fail(c, false, "duplicate backend, also at [%u]", j);
                rc = -1;
            }
        }
        jv_pop(c);
        if (rc < 0) {
            g_free(b);
            g_ptr_array_free(names, TRUE);
            jv_pop(c);
            return -1;
        }
        g_ptr_array_add(names, b);
    }
    jv_pop(c);
    g_ptr_array_add(names, NULL);
    p->s->backends = (char **)g_ptr_array_free(names, FALSE);
    return 0;
}

static int
parse_network(parser *p, json_t *root)
{
    static const char *const keys[] = {"vif_plug_delay_s", NULL};
    jv_ctx *c = &p->c;
    json_t *obj;
    int rc;

    if (!(obj = jv_enter_typed(c, root, "network", false, JSON_OBJECT, &rc)))
        return rc;
    rc = 0;
    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_number(c, obj, "vif_plug_delay_s", false, 0, SCN_MAX_SECONDS,
                      &p->s->vif_plug_delay_s) < 0)
        rc = -1;
    jv_pop(c);
    return rc;
}

static int
parse_config(parser *p, json_t *root)
{
    jv_ctx *c = &p->c;
    json_t *obj = jv_enter(c, root, "config", false);
    int rc;

    if (!obj)
        return 0;
    rc = drv_config_from_jv(c, obj, &p->s->config);
    jv_pop(c);
    return rc;
}

/* ---- entry points ---- */

static int
parse_root(parser *p, json_t *root)
{
    static const char *const keys[] = {"name", "description", "backends",
                                       "seed", "config", "network", "hosts",
                                       "images", "instances", "faults",
                                       "steps", NULL};
    jv_ctx *c = &p->c;
    scn *s = p->s;
    long long seed = 1;

    if (jv_check_keys(c, root, keys) < 0 ||
        jv_get_string(c, root, "name", true, 0, check_scn_name,
                      &s->name) < 0 ||
        jv_get_string(c, root, "description", false, 0, NULL,
                      &s->description) < 0 ||
        parse_backends(p, root) < 0 ||
        jv_get_int(c, root, "seed", false, 0, LLONG_MAX, &seed) < 0)
        return -1;
    s->seed = (uint64_t)seed;
    if (parse_config(p, root) < 0 ||
        parse_network(p, root) < 0 ||
        scn_parse_hosts(p, root) < 0 ||
        scn_parse_images(p, root) < 0 ||
        scn_parse_instances(p, root) < 0 ||
        scn_parse_faults(p, root) < 0 ||
        scn_parse_steps(p, root) < 0)
        return -1;
    return 0;
}

/*
 * Parse and validate a scenario from text; source names it in errors (and
 * becomes s->path). NULL with *error (g_free; error may be NULL) set to
 * "SOURCE:LINE:COLUMN: $.path: what is wrong".
 */
scn *
scn_parse(const char *text, const char *source, char **error)
{
    parser p;
    json_t *root = NULL;
    scn *s = NULL;

    if (error)
        *error = NULL;
    parser_init(&p, text, source);
    if (!text) {
        p.c.error = g_strdup_printf("%s: no scenario text", p.c.source);
        goto cleanup;
    }
    if (!(root = jv_parse(&p.c)))
        goto cleanup;
    s = p.s = g_new0(scn, 1);
    s->path = g_strdup(p.c.source);
    s->vif_plug_delay_s = 1.0;
    drv_config_defaults(&s->config);
    if (parse_root(&p, root) < 0) {
        scn_free(s);
        s = NULL;
    }

cleanup:
    if (!s && error) {
        *error = jv_take_error(&p.c);
        /* every failure above records why; never hand back NULL */
        if (!*error)
            *error = g_strdup_printf("%s: invalid scenario", p.c.source);
    }
    json_decref(root);
    parser_clear(&p);
    return s;
}

/*
 * Load and validate the scenario file at path (see scn_parse). The file
 * is read by jv_read_file: a regular file of at most JV_FILE_MAX_BYTES
 * without NUL bytes; its errors ("PATH: not a regular file (a FIFO)")
 * come back as they are.
 */
scn *
scn_load(const char *path, char **error)
{
    g_autofree char *text = NULL;
    char *why = NULL;

    if (error)
        *error = NULL;
    if (!path) {
        if (error)
            *error = g_strdup("no scenario file given");
        return NULL;
    }
    if (jv_read_file(path, JV_FILE_MAX_BYTES, &text, &why) < 0) {
        if (error)
            *error = why;
        else
            g_free(why);
        return NULL;
    }
    return scn_parse(text, path, error);
}
