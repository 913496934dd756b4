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
 */
#include <errno.h>
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

/* Longest time a scenario may name, in seconds (about 11.5 days). */
#define SCN_MAX_SECONDS 1e6
/* Upper bounds that keep sizes in bytes within 64 bits. */
#define SCN_MAX_MB (1LL << 40)
#define SCN_MAX_GB (1LL << 30)

/* ---- names ---- */

/*
 * The names of scenario operations and fault kinds come from ops.h's
 * tables; these fill a NULL-terminated list of them for the name
 * lookups below ("unknown operation 'x'; did you mean y?").
 */
static void
op_names_fill(const char *names[SCN__OP_COUNT + 1])
{
    for (int i = 0; i < SCN__OP_COUNT; i++)
        names[i] = ops_op_get(i)->name;
    names[SCN__OP_COUNT] = NULL;
}

static void
fault_names_fill(const char *names[SCN__FAULT_COUNT + 1])
{
    for (int i = 0; i < SCN__FAULT_COUNT; i++)
        names[i] = ops_fault_get(i)->name;
    names[SCN__FAULT_COUNT] = NULL;
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

static const char *const backend_names[] = {"fake", "libvirt", NULL};
static const char *const image_formats[] = {"qcow2", "raw", NULL};
static const char *const reboot_types[] = {"soft", "hard", NULL};

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

const char *
scn_check_name(int check)
{
    if (check < 0 || (size_t)check >= G_N_ELEMENTS(check_names) - 1)
        return NULL;
    return check_names[check];
}

/* Index of s in the NULL-terminated names, or -1. */
static int
name_index(const char *const *names, const char *s)
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
    for (unsigned int i = 0; i < s->n_hosts; i++)
        g_free(s->hosts[i].name);
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

/* ---- derived uuids ---- */

static uint64_t
fnv1a64(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);

    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

/*
 * The uuid of an instance that gives none: splitmix64 seeded with
 * seed XOR FNV-1a-64("SCENARIO/INSTANCE") gives two words (the scenario's
 * name keeps scenarios apart on a shared real host), hi and lo, printed as
 * 8-4-4-4-12 hex digits with the version (4) and variant (10) bits of a
 * random RFC 4122 uuid set. Same seed and name, same uuid, on every
 * machine. g_free.
 */
static char *
derive_uuid(uint64_t seed, const char *scenario, const char *name)
{
    char *key = g_strdup_printf("%s/%s", scenario, name);
    uint64_t state = seed ^ fnv1a64(key);
    /* two statements: the order of the draws is fixed */
    uint64_t hi = hv_splitmix64(&state);
    uint64_t lo = hv_splitmix64(&state);
    char uuid[HV_UUID_STRLEN];

    g_free(key);
    hv_uuid_format_v4(hi, lo, uuid);
    return g_strdup(uuid);
}

/* ---- the parser ---- */

typedef struct parser {
    jv_ctx c;
    scn *s;
    /* NULL-terminated name lists for references and suggestions; the
     * strings are borrowed (from s or static tables) */
    const char **hosts;
    const char **instances;
    const char *hv_ops[HV_OP__COUNT + 1];
    GPtrArray *hv_errors;
    GPtrArray *expects;
} parser;

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
typedef int (*item_parser)(parser *p, json_t *obj, unsigned int idx);

static int
parse_list(parser *p, json_t *root, const char *key, bool required,
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
static int
get_ref(jv_ctx *c, json_t *obj, const char *key, bool required,
        const char *what, const char *const *names, char **out)
{
    json_t *v = jv_enter(c, obj, key, required);
    char *name = NULL;
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = jv_read_string(c, v, JV_NONEMPTY, NULL, &name);
    if (rc == 0 && name_index(names, name) < 0) {
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
static int
get_name(jv_ctx *c, json_t *obj, const char *key, bool required,
         const char *what, const char *const *names, int *out)
{
    json_t *v = jv_enter(c, obj, key, required);
    int rc = -1;

    if (!v)
        return required ? -1 : 0;
    if (!json_is_string(v)) {
        jv_fail(c, false, "expected a string, got %s", jv_type_name(v));
    } else if ((rc = name_index(names, json_string_value(v))) < 0) {
        jv_fail_unknown_name(c, what, json_string_value(v), names);
    } else {
        *out = rc;
        rc = 0;
    }
    jv_pop(c);
    return rc;
}

/* As get_name, the names being a short list shown in full on error. */
static int
get_choice_index(jv_ctx *c, json_t *obj, const char *key, bool required,
                 const char *const *names, int *out)
{
    char *s = NULL;
    int rc = jv_get_choice(c, obj, key, required, names, &s);

    if (rc == 0 && s)
        *out = name_index(names, s);
    g_free(s);
    return rc;
}

/* Fail at member key of obj (which is present), at its key. */
static void fail_at_key(jv_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fail_at_key(jv_ctx *c, const char *key, const char *fmt, ...)
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

/* ---- hosts and images ---- */

static int
parse_host(parser *p, json_t *obj, unsigned int idx)
{
    static const char *const keys[] = {"name", "vcpus", "memory_mb",
                                       "disk_gb", NULL};
    jv_ctx *c = &p->c;
    scn_host *h = &p->s->hosts[idx];
    long long vcpus = 8;

    h->memory_mb = 16384;
    h->disk_gb = 100;
    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_string(c, obj, "name", true, JV_NONEMPTY | JV_NOSLASH, NULL,
                      &h->name) < 0 ||
        jv_get_int(c, obj, "vcpus", false, 1, INT_MAX, &vcpus) < 0 ||
        jv_get_u64(c, obj, "memory_mb", false, 1, SCN_MAX_MB,
                   &h->memory_mb) < 0 ||
        jv_get_u64(c, obj, "disk_gb", false, 1, SCN_MAX_GB, &h->disk_gb) < 0)
        return -1;
    h->vcpus = (unsigned int)vcpus;
    for (unsigned int j = 0; j < idx; j++) {
        if (strcmp(p->s->hosts[j].name, h->name) == 0) {
            jv_push_key(c, "name");
            jv_fail(c, false, "duplicate host name '%s', also at [%u]",
                    h->name, j);
            jv_pop(c);
            return -1;
        }
    }
    return 0;
}

static int
parse_hosts(parser *p, json_t *root)
{
    scn *s = p->s;

    if (parse_list(p, root, "hosts", true, sizeof(scn_host),
                   (void **)&s->hosts, &s->n_hosts, parse_host) < 0)
        return -1;
    if (s->n_hosts == 0) {
        jv_push_key(&p->c, "hosts");
        jv_fail(&p->c, false, "expected at least one host");
        jv_pop(&p->c);
        return -1;
    }
    p->hosts = g_new0(const char *, s->n_hosts + 1);
    for (unsigned int i = 0; i < s->n_hosts; i++)
        p->hosts[i] = s->hosts[i].name;
    return 0;
}

static int
parse_image(parser *p, json_t *obj, unsigned int idx)
{
    static const char *const keys[] = {"name", "host", "size_mb", "format",
                                       NULL};
    jv_ctx *c = &p->c;
    scn_image *im = &p->s->images[idx];

    im->size_mb = 64;
    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_string(c, obj, "name", true, JV_NONEMPTY | JV_NOSLASH, NULL,
                      &im->name) < 0 ||
        get_ref(c, obj, "host", false, "host", p->hosts, &im->host) < 0 ||
        jv_get_u64(c, obj, "size_mb", false, 1, SCN_MAX_MB,
                   &im->size_mb) < 0 ||
        jv_get_choice(c, obj, "format", false, image_formats,
                      &im->format) < 0)
        return -1;
    if (!im->format)
        im->format = g_strdup("qcow2");
    /* one volume name per pool: an all-hosts image clashes with any */
    for (unsigned int j = 0; j < idx; j++) {
        const scn_image *o = &p->s->images[j];

        if (strcmp(o->name, im->name) == 0 &&
            (!o->host || !im->host || strcmp(o->host, im->host) == 0)) {
            jv_push_key(c, "name");
            jv_fail(c, false, "duplicate image '%s' on %s%s, also at [%u]",
                    im->name, im->host ? "host " : "every host",
                    im->host ? im->host : "", j);
            jv_pop(c);
            return -1;
        }
    }
    return 0;
}

static int
parse_images(parser *p, json_t *root)
{
    return parse_list(p, root, "images", false, sizeof(scn_image),
                      (void **)&p->s->images, &p->s->n_images, parse_image);
}

/* ---- instances ---- */

static int
parse_guest(parser *p, json_t *obj, scn_guest *g)
{
    static const char *const keys[] = {"boot_s", "acpi", "acpi_delay_s",
                                       "crash_after_s", "dirty_rate_mib",
                                       NULL};
    jv_ctx *c = &p->c;

    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_number(c, obj, "boot_s", false, 0, SCN_MAX_SECONDS,
                      &g->boot_s) < 0 ||
        jv_get_bool(c, obj, "acpi", false, &g->acpi) < 0 ||
        jv_get_number(c, obj, "acpi_delay_s", false, 0, SCN_MAX_SECONDS,
                      &g->acpi_delay_s) < 0 ||
        jv_get_number(c, obj, "crash_after_s", false, 0, SCN_MAX_SECONDS,
                      &g->crash_after_s) < 0 ||
        jv_get_u64(c, obj, "dirty_rate_mib", false, 0, SCN_MAX_MB,
                   &g->dirty_rate_mib) < 0)
        return -1;
    return 0;
}

/* The image volume an instance boots from must be in its host's pool. */
static int
check_image_volume(parser *p, const scn_instance *si)
{
    jv_ctx *c = &p->c;
    const char *vol = si->inst.image.volume;
    g_autofree const char **names = NULL;
    unsigned int n = 0;
    bool elsewhere = false;

    if (!vol)
        return 0;
    names = g_new0(const char *, p->s->n_images + 1);
    for (unsigned int i = 0; i < p->s->n_images; i++) {
        const scn_image *im = &p->s->images[i];

        if (im->host && strcmp(im->host, si->host) != 0) {
            elsewhere |= strcmp(im->name, vol) == 0;
            continue;
        }
        if (strcmp(im->name, vol) == 0)
            return 0;
        names[n++] = im->name;
    }
    jv_push_key(c, "image");
    jv_push_key(c, "volume");
    if (elsewhere)
        jv_fail(c, false, "image '%s' is not on host '%s'", vol, si->host);
    else
        jv_fail_unknown_name(c, "image", vol, names);
    jv_pop(c);
    jv_pop(c);
    return -1;
}

static int
parse_instance(parser *p, json_t *obj, unsigned int idx)
{
    static const char *const extra[] = {"host", "guest", NULL};
    jv_ctx *c = &p->c;
    scn_instance *si = &p->s->instances[idx];
    json_t *g;
    int rc;

    si->guest.boot_s = 3.4;
    si->guest.acpi = true;
    si->guest.acpi_delay_s = 2.1;
    if (drv_instance_from_jv(c, obj, extra, true, &si->inst) < 0)
        return -1;
    si->name = g_strdup(si->inst.name);
    if (get_ref(c, obj, "host", true, "host", p->hosts, &si->host) < 0)
        return -1;
    if ((g = jv_enter_typed(c, obj, "guest", false, JSON_OBJECT, &rc))) {
        rc = parse_guest(p, g, &si->guest);
        jv_pop(c);
    }
    if (rc < 0 || check_image_volume(p, si) < 0)
        return -1;
    if (!si->inst.uuid)
        si->inst.uuid = derive_uuid(p->s->seed, p->s->name, si->name);
    for (unsigned int j = 0; j < idx; j++) {
        const scn_instance *o = &p->s->instances[j];

        if (strcmp(o->name, si->name) == 0) {
            jv_push_key(c, "name");
            jv_fail(c, false, "duplicate instance name '%s', also at [%u]",
                    si->name, j);
            jv_pop(c);
            return -1;
        }
        if (strcmp(o->inst.uuid, si->inst.uuid) == 0) {
            bool given = json_object_get(obj, "uuid") != NULL;

            jv_push_key(c, given ? "uuid" : "name");
            jv_fail(c, false, "%suuid %s, also at [%u]",
                    given ? "duplicate " : "the derived ", si->inst.uuid, j);
            jv_pop(c);
            return -1;
        }
    }
    return 0;
}

static int
parse_instances(parser *p, json_t *root)
{
    scn *s = p->s;

    if (parse_list(p, root, "instances", false, sizeof(scn_instance),
                   (void **)&s->instances, &s->n_instances,
                   parse_instance) < 0)
        return -1;
    p->instances = g_new0(const char *, s->n_instances + 1);
    for (unsigned int i = 0; i < s->n_instances; i++)
        p->instances[i] = s->instances[i].name;
    return 0;
}

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
        int i = name_index(names, s);
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

    if (get_ref(c, obj, "host", false, "host", p->hosts, &f->host) < 0 ||
        get_name(c, obj, "op", true, "hv operation", p->hv_ops, &f->op) < 0 ||
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
        fail_at_key(c, "errno", "errno goes with \"error\": "
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
    return get_ref(c, obj, "vif", false, "VIF", ids, &f->vif);
}

/* One argument of a fault, as its kind's table entry lists it. */
static int
parse_fault_arg(parser *p, json_t *obj, const ops_arg *arg, scn_fault *f)
{
    jv_ctx *c = &p->c;
    const char *key = ops_arg_key(arg->kind);

    switch (arg->kind) {
    case OPS_ARG_INSTANCE:
        return get_ref(c, obj, key, arg->required, "instance", p->instances,
                       &f->instance);
    case OPS_ARG_HOST:
        return get_ref(c, obj, key, arg->required, "host", p->hosts,
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
    if (get_choice_index(c, obj, "kind", true, names, &kind) < 0)
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

static int
parse_faults(parser *p, json_t *root)
{
    return parse_list(p, root, "faults", false, sizeof(scn_fault),
                      (void **)&p->s->faults, &p->s->n_faults,
                      parse_fault_at);
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
    if (get_name(c, obj, "op", true, "operation", names, &op) < 0)
        return -1;
    st->op = (scn_op)op;
    d = ops_op_get(op);
    if (jv_check_keys(c, obj, d->keys) < 0)
        return -1;
    if (d->target == OPS_TARGET_HOST) {
        if (get_ref(c, obj, "host", true, "host", p->hosts, &st->host) < 0)
            return -1;
    } else if (get_ref(c, obj, "instance", true, "instance", p->instances,
                       &st->instance) < 0) {
        return -1;
    }
    if (jv_get_bool(c, obj, "power_on", false, &st->power_on) < 0 ||
        jv_get_bool(c, obj, "destroy_disks", false, &st->destroy_disks) < 0 ||
        get_choice_index(c, obj, "type", false, reboot_types, &type) < 0 ||
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

    if (get_name(c, obj, "op", true, "hv operation", p->hv_ops,
                 &st->call_op) < 0)
        return -1;
    if (has_count && (has_min || has_max)) {
        fail_at_key(c, has_min ? "min" : "max",
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

    if (get_ref(c, obj, "host", true, "host", p->hosts, &st->host) < 0)
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
    if (get_choice_index(c, obj, "check", true, check_names, &check) < 0)
        return -1;
    st->check = (scn_check_kind)check;
    if (jv_check_keys(c, obj, check_keys[check]) < 0)
        return -1;
    switch (st->check) {
    case SCN_CHECK_STATE:
        if (get_ref(c, obj, "instance", true, "instance", p->instances,
                    &st->instance) < 0 ||
            get_choice_index(c, obj, "state", true, state_names, &state) < 0)
            return -1;
        st->state = state_values[state];
        return 0;
    case SCN_CHECK_ID_CHANGED:
        if (get_ref(c, obj, "instance", true, "instance", p->instances,
                    &st->instance) < 0 ||
            jv_get_bool(c, obj, "changed", true, &st->changed) < 0)
            return -1;
        return 0;
    case SCN_CHECK_EVENTS:
        if (get_ref(c, obj, "instance", true, "instance", p->instances,
                    &st->instance) < 0 ||
            get_events(c, obj, &st->events) < 0)
            return -1;
        return 0;
    case SCN_CHECK_RESOURCES:
        return parse_resources(p, obj, st);
    case SCN_CHECK_CALLS:
        return parse_calls(p, obj, st);
    case SCN_CHECK_HOST_ENABLED:
        if (get_ref(c, obj, "host", true, "host", p->hosts, &st->host) < 0 ||
            jv_get_bool(c, obj, "enabled", true, &st->enabled) < 0)
            return -1;
        return 0;
    case SCN_CHECK_EXISTS:
        if (get_ref(c, obj, "instance", true, "instance", p->instances,
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
        fail_at_key(c, "wait", "a step is one of \"op\", \"wait\" or "
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

static int
parse_steps(parser *p, json_t *root)
{
    return parse_list(p, root, "steps", false, sizeof(scn_step),
                      (void **)&p->s->steps, &p->s->n_steps, parse_step_at);
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
        parse_hosts(p, root) < 0 ||
        parse_images(p, root) < 0 ||
        parse_instances(p, root) < 0 ||
        parse_faults(p, root) < 0 ||
        parse_steps(p, root) < 0)
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
