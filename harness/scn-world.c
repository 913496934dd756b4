/*
 * scn-world.c: a scenario's world — hosts, images, instances and their
 * guests (with the uuids derived for instances that give none).
 */
#include <glib.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "drv-json.h"
#include "hv.h"
#include "jsonv.h"
#include "scn.h"
#include "scn-priv.h"

static const char *const image_formats[] = {"qcow2", "raw", NULL};

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

/* ---- hosts and images ---- */

/* "9.0.0" (or "9.0"): each part 0..999, the first >= 1. */
static const char *
check_version(char *s)
{
    unsigned int part[3] = {0, 0, 0}, n = 0;
    const char *q = s;

    while (n < 3) {
        unsigned int v = 0, digits = 0;
        for (; *q >= '0' && *q <= '9' && digits < 4; q++, digits++)
            v = v * 10 + (unsigned int)(*q - '0');
        if (digits == 0 || digits > 3)
            return "expected a version MAJOR.MINOR[.MICRO], each 0..999";
        part[n++] = v;
        if (*q != '.')
            break;
        q++;
    }
    if (*q || n < 2 || part[0] == 0)
        return "expected a version MAJOR.MINOR[.MICRO], each 0..999";
    return NULL;
}

static unsigned long
version_number(const char *s)
{
    unsigned long v[3] = {0, 0, 0};
    char **parts = g_strsplit(s, ".", 3);

    for (unsigned int i = 0; i < 3 && parts[i]; i++)
        v[i] = strtoul(parts[i], NULL, 10);
    g_strfreev(parts);
    return v[0] * 1000000 + v[1] * 1000 + v[2];
}

/* A CPU feature name as libvirt writes them: "sse4.2", "avx512f". */
static const char *
check_feature(char *s)
{
    for (const char *q = s; *q; q++)
        if (!g_ascii_isalnum(*q) && *q != '.' && *q != '_' && *q != '-')
            return "expected a CPU feature name ([A-Za-z0-9._-]+)";
    return NULL;
}

/* "cpu_features": a list of names, possibly empty (no features). */
static int
parse_cpu_features(jv_ctx *c, json_t *obj, char ***out)
{
    json_t *arr, *v;
    size_t i;
    int rc = 0;
    GPtrArray *names;

    if (!(arr = jv_enter_typed(c, obj, "cpu_features", false, JSON_ARRAY,
                               &rc)))
        return rc;
    names = g_ptr_array_new_with_free_func(g_free);
    json_array_foreach(arr, i, v) {
        char *name = NULL;
        jv_push_index(c, i);
        rc = jv_read_string(c, v, JV_NONEMPTY, check_feature, &name);
        jv_pop(c);
        if (rc < 0)
            break;
        g_ptr_array_add(names, name);
    }
    jv_pop(c);
    if (rc < 0) {
        g_ptr_array_free(names, TRUE);
        return -1;
    }
    g_ptr_array_set_free_func(names, NULL);
    g_ptr_array_add(names, NULL);
    *out = (char **)g_ptr_array_free(names, FALSE);
    return 0;
}

static int
parse_host(parser *p, json_t *obj, unsigned int idx)
{
    static const char *const keys[] = {
        "name",      "vcpus",      "memory_mb",  "disk_gb",
        "libvirt_version", "qemu_version", "arch", "cpu_model",
        "cpu_vendor", "cpu_features", NULL};
    jv_ctx *c = &p->c;
    scn_host *h = &p->s->hosts[idx];
    long long vcpus = 8;
    char *libv = NULL, *qemuv = NULL;
    int rc;

    h->memory_mb = 16384;
    h->disk_gb = 100;
    rc = jv_check_keys(c, obj, keys) < 0 ||
         jv_get_string(c, obj, "name", true, JV_NONEMPTY | JV_NOSLASH, NULL,
                       &h->name) < 0 ||
         jv_get_int(c, obj, "vcpus", false, 1, INT_MAX, &vcpus) < 0 ||
         jv_get_u64(c, obj, "memory_mb", false, 1, SCN_MAX_MB,
                    &h->memory_mb) < 0 ||
         jv_get_u64(c, obj, "disk_gb", false, 1, SCN_MAX_GB, &h->disk_gb) < 0 ||
         jv_get_string(c, obj, "libvirt_version", false, JV_NONEMPTY,
                       check_version, &libv) < 0 ||
         jv_get_string(c, obj, "qemu_version", false, JV_NONEMPTY,
                       check_version, &qemuv) < 0 ||
         jv_get_string(c, obj, "arch", false, JV_NONEMPTY | JV_NOSLASH,
                       check_feature, &h->arch) < 0 ||
         jv_get_string(c, obj, "cpu_model", false, JV_NONEMPTY | JV_NOSLASH,
                       check_feature, &h->cpu_model) < 0 ||
         jv_get_string(c, obj, "cpu_vendor", false, JV_NONEMPTY | JV_NOSLASH,
                       NULL, &h->cpu_vendor) < 0 ||
         parse_cpu_features(c, obj, &h->cpu_features) < 0
             ? -1
             : 0;
    if (libv)
        h->libvirt_version = version_number(libv);
    if (qemuv)
        h->qemu_version = version_number(qemuv);
    g_free(libv);
    g_free(qemuv);
    if (rc < 0)
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

int
scn_parse_hosts(parser *p, json_t *root)
{
    scn *s = p->s;

    if (scn_parse_list(p, root, "hosts", true, sizeof(scn_host),
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
        scn_get_ref(c, obj, "host", false, "host", p->hosts, &im->host) < 0 ||
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

int
scn_parse_images(parser *p, json_t *root)
{
    return scn_parse_list(p, root, "images", false, sizeof(scn_image),
                          (void **)&p->s->images, &p->s->n_images,
                          parse_image);
}

/* ---- instances ---- */

/* Guest keys that only the fake can act: nothing on a real host makes the
 * tiny guest panic or suspend on cue (docs/scenarios.md says why). A
 * scenario that lists libvirt may not give them. */
static int
check_fake_only(parser *p, const scn_guest *g)
{
    const char *key = g->crash_state != SCN_CRASH_SHUTOFF ? "crash_state"
                      : g->restarts_on_shutdown ? "restarts_on_shutdown"
                      : g->pm_suspend_after_s > 0 ? "pm_suspend_after_s"
                      : g->detach_delay_s >= 0 ? "detach_delay_s"
                      : g->agent ? "agent"
                                 : NULL;

    if (!key || !scn_runs_on(p->s, "libvirt"))
        return 0;
    scn_fail_at_key(&p->c, key, "acts only on the fake: remove \"libvirt\" "
                                "from the scenario's backends");
    return -1;
}

static int
parse_guest(parser *p, json_t *obj, scn_guest *g)
{
    static const char *const keys[] = {"boot_s", "acpi", "acpi_delay_s",
                                       "crash_after_s", "dirty_rate_mib",
                                       "crash_state", "restarts_on_shutdown",
                                       "pm_suspend_after_s",
                                       "detach_delay_s", "agent", NULL};
    static const char *const crash_states[] = {"shutoff", "crashed",
                                               "restart", NULL};
    jv_ctx *c = &p->c;
    int crash = SCN_CRASH_SHUTOFF;

    if (jv_check_keys(c, obj, keys) < 0 ||
        scn_get_choice_index(c, obj, "crash_state", false, crash_states,
                             &crash) < 0 ||
        jv_get_bool(c, obj, "restarts_on_shutdown", false,
                    &g->restarts_on_shutdown) < 0 ||
        jv_get_number(c, obj, "pm_suspend_after_s", false, 0, SCN_MAX_SECONDS,
                      &g->pm_suspend_after_s) < 0 ||
        jv_get_number(c, obj, "detach_delay_s", false, 0, SCN_MAX_SECONDS,
                      &g->detach_delay_s) < 0 ||
        jv_get_bool(c, obj, "agent", false, &g->agent) < 0)
        return -1;
    g->crash_state = (scn_crash_state)crash;
    if (check_fake_only(p, g) < 0)
        return -1;
    if (jv_get_number(c, obj, "boot_s", false, 0, SCN_MAX_SECONDS,
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
    si->guest.detach_delay_s = -1; /* not given: the fake's own */
    if (drv_instance_from_jv(c, obj, extra, true, &si->inst) < 0)
        return -1;
    si->name = g_strdup(si->inst.name);
    if (scn_get_ref(c, obj, "host", true, "host", p->hosts, &si->host) < 0)
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

int
scn_parse_instances(parser *p, json_t *root)
{
    scn *s = p->s;

    if (scn_parse_list(p, root, "instances", false, sizeof(scn_instance),
                       (void **)&s->instances, &s->n_instances,
                       parse_instance) < 0)
        return -1;
    p->instances = g_new0(const char *, s->n_instances + 1);
    for (unsigned int i = 0; i < s->n_instances; i++)
        p->instances[i] = s->instances[i].name;
    return 0;
}
