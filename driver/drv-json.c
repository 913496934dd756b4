/*
 * drv-json.c: the driver's configuration and instance descriptions, read
 * from JSON (jansson). Migrate data is read the same way, in
 * drv-json-migrate.c.
 *
 * Reading is strict: an unknown key, a value of the wrong type or out of
 * range is an error, so that a typo never passes silently. Every error
 * names the source, the line:column of the offending key or value and its
 * JSON path ("cfg.json:3:5: $.vif_plugin_timeout: unknown option; did you
 * mean vif_plugging_timeout?"); the machinery for that is jsonv.h's.
 *
 * Loading is all or nothing: values are read into a copy that replaces
 * the caller's structure only once everything is valid.
 *
 * Two layers: drv_*_from_jv read a configuration or instance that is part
 * of a bigger document (a scenario) through the caller's jv_ctx, so that
 * errors carry the document's positions and path; drv_*_load_json parse a
 * text of their own and turn the context's error into a drv_error.
 */
#include <glib.h>
#include <jansson.h>
#include <float.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "drv-json.h"
#include "drv-priv.h"

/* ---- shared ---- */

/* The context's error, if any, into err as kind; the context is cleared. */
void
drv_json_finish(jv_ctx *c, drv_error_kind kind, drv_error *err)
{
    if (c->error)
        drv_error_set(err, kind, "%s", c->error);
    jv_clear(c);
}

static void
kv_free(drv_kv *kv, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        g_free(kv[i].key);
        g_free(kv[i].value);
    }
    g_free(kv);
}

/* An object of strings (fit for XML: image properties become kernel
 * command lines and paths) into a kv list, in the order of the text. */
static int
read_kv(jv_ctx *c, json_t *v, drv_kv **out, unsigned int *n_out)
{
    const char *key;
    json_t *val;
    drv_kv *kv;
    unsigned int n = 0;

    if (!json_is_object(v)) {
        jv_fail(c, false, "expected an object of strings, got %s",
                jv_type_name(v));
        return -1;
    }
    kv = g_new0(drv_kv, json_object_size(v) + 1);
    json_object_foreach(v, key, val) {
        if (!json_is_string(val) ||
            !jv_xml_text_ok(json_string_value(val), NULL)) {
            jv_push_key(c, key);
            if (!json_is_string(val))
                jv_fail(c, false, "expected a string, got %s",
                        jv_type_name(val));
            else
                jv_check_xml_text(c, json_string_value(val));
            jv_pop(c);
            kv_free(kv, n);
            return -1;
        }
        kv[n].key = g_strdup(key);
        kv[n].value = g_strdup(json_string_value(val));
        n++;
    }
    *out = kv;
    *n_out = n;
    return 0;
}

static int
get_kv(jv_ctx *c, json_t *obj, const char *key, drv_kv **out,
       unsigned int *n_out)
{
    json_t *v = jv_enter(c, obj, key, false);
    int rc;

    if (!v)
        return 0;
    rc = read_kv(c, v, out, n_out);
    jv_pop(c);
    return rc;
}

/*
 * Shared start of both text loaders: arguments, context, parsed root.
 * NULL with err set (the context holds no error then).
 */
json_t *
drv_json_begin(jv_ctx *c, const char *json, const char *source,
               drv_error_kind kind, bool have_out, drv_error *err)
{
    json_t *root;

    drv_error_reset(err);
    jv_init(c, json, source);
    if (!json || !have_out) {
        drv_error_set(err, kind, "%s: no JSON text or no result to fill",
                      c->source);
        return NULL;
    }
    root = jv_parse(c);
    if (!root)
        drv_json_finish(c, kind, err);
    return root;
}

/* ---- configuration ---- */

static const char *const cache_types[] = {"file", "block", "network", NULL};
static const char *const cpu_modes[] = {"host-model", "host-passthrough",
                                        "custom", "none", NULL};
static const char *const sysinfo_serials[] = {"none", "os", "hardware",
                                              "auto", NULL};
static const char *const pointer_models[] = {"usbtablet", "ps2mouse", NULL};
/* the reference also offers vmdk and vdi; hvd's image store holds what
 * both backends make (docs/reference-differences.md, Snapshots) */
static const char *const snapshot_image_formats[] = {"raw", "qcow2", NULL};

/* disk_prefix: what precedes a disk's letter ("vd"), 1-8 lower-case
 * letters, so that every name it makes is a guest disk name. */
static const char *
check_disk_prefix(char *s)
{
    size_t n = strlen(s);

    if (n < 1 || n > 8)
        return "expected 1 to 8 lower-case letters";
    for (const char *p = s; *p; p++)
        if (*p < 'a' || *p > 'z')
            return "expected 1 to 8 lower-case letters";
    return NULL;
}

typedef enum {
    OPT_STRING,     /* char *, S_* flags, optional choices */
    OPT_INT,        /* int >= min */
    OPT_BOOL,       /* bool */
    OPT_RATIO,      /* double > 0 */
    OPT_RATIO_UNSET, /* double >= 0, or null: 0 (unset) */
    OPT_CACHEMODES, /* char ** of "TYPE=MODE" */
    OPT_STRLIST,    /* char ** of non-empty strings */
} opt_kind;

/* One key of the configuration object. */
typedef struct cfg_opt {
    const char *name;
    opt_kind kind;
    size_t offset;
    int min;                    /* OPT_INT; OPT_STRING: 1 if null clears */
    unsigned int flags;         /* OPT_STRING */
    const char *const *choices; /* OPT_STRING, or NULL */
    /* OPT_STRING: the value's own check (NULL: none), as jv_read_string's */
    const char *(*check)(char *s);
} cfg_opt;

#define OPT(field, okind, ...) \
    {.name = #field, .kind = okind, .offset = offsetof(drv_config, field), \
     __VA_ARGS__}

/*
 * Minimums follow Nova's option definitions (nova/conf/libvirt.py,
 * nova/conf/compute.py) where they have one, else 0.
 */
static const cfg_opt cfg_opts[] = {
    OPT(virt_type, OPT_STRING, 0, JV_NONEMPTY, drv_virt_types),
    OPT(storage_pool, OPT_STRING, 0, JV_NONEMPTY | JV_NOSLASH, NULL),
    OPT(instances_path, OPT_STRING, 0, JV_ABSPATH, NULL),
    OPT(wait_soft_reboot_seconds, OPT_INT, 0, 0, NULL),
    OPT(wait_for_running_seconds, OPT_INT, 0, 0, NULL),
    OPT(vif_plugging_timeout, OPT_INT, 0, 0, NULL),
    OPT(vif_plugging_is_fatal, OPT_BOOL, 0, 0, NULL),
    OPT(live_migration_bandwidth, OPT_INT, 0, 0, NULL),
    OPT(live_migration_downtime, OPT_INT, 100, 0, NULL),
    OPT(live_migration_downtime_steps, OPT_INT, 3, 0, NULL),
    OPT(live_migration_downtime_delay, OPT_INT, 3, 0, NULL),
    OPT(live_migration_completion_timeout, OPT_INT, 0, 0, NULL),
    OPT(live_migration_progress_timeout, OPT_INT, 0, 0, NULL),
    OPT(live_migration_permit_post_copy, OPT_BOOL, 0, 0, NULL),
    OPT(live_migration_permit_auto_converge, OPT_BOOL, 0, 0, NULL),
    OPT(cold_migration_uri, OPT_STRING, 0, JV_NONEMPTY, NULL),
    OPT(live_migration_uri, OPT_STRING, 1, JV_NONEMPTY, NULL),
    OPT(live_migration_inbound_addr, OPT_STRING, 1, JV_NONEMPTY, NULL),
    OPT(live_migration_tunnelled, OPT_BOOL, 0, 0, NULL),
    OPT(reserved_host_memory_mb, OPT_INT, 0, 0, NULL),
    OPT(reserved_host_disk_mb, OPT_INT, 0, 0, NULL),
    OPT(reserved_host_cpus, OPT_INT, 0, 0, NULL),
    OPT(cpu_allocation_ratio, OPT_RATIO_UNSET, 0, 0, NULL),
    OPT(ram_allocation_ratio, OPT_RATIO_UNSET, 0, 0, NULL),
    OPT(disk_allocation_ratio, OPT_RATIO_UNSET, 0, 0, NULL),
    OPT(disk_cachemodes, OPT_CACHEMODES, 0, 0, NULL),
    /* rescue */
    OPT(rescue_image_id, OPT_STRING, 0, JV_NONEMPTY | JV_NOSLASH, NULL),
    OPT(rescue_kernel_id, OPT_STRING, 0, JV_ABSPATH, NULL),
    OPT(rescue_ramdisk_id, OPT_STRING, 0, JV_ABSPATH, NULL),
    /* the guest's XML and consoles (drv-xml.c, drv-console.c) */
    OPT(cpu_mode, OPT_STRING, 1, JV_NONEMPTY, cpu_modes),
    OPT(cpu_model, OPT_STRING, 1, JV_NONEMPTY, NULL),
    OPT(hw_machine_type, OPT_STRLIST, 0, 0, NULL),
    OPT(enabled_perf_events, OPT_STRLIST, 0, 0, NULL),
    OPT(sysinfo_serial, OPT_STRING, 0, JV_NONEMPTY, sysinfo_serials),
    OPT(mem_stats_period_seconds, OPT_INT, INT_MIN, 0, NULL),
    OPT(pointer_model, OPT_STRING, 1, JV_NONEMPTY, pointer_models),
    OPT(use_usb_tablet, OPT_BOOL, 0, 0, NULL),
    OPT(rng_dev_path, OPT_STRING, 1, JV_ABSPATH, NULL),
    OPT(instances_path_direct_io, OPT_BOOL, 0, 0, NULL),
    OPT(vnc_enabled, OPT_BOOL, 0, 0, NULL),
    OPT(vnc_keymap, OPT_STRING, 0, JV_NONEMPTY, NULL),
    OPT(vncserver_listen, OPT_STRING, 0, JV_NONEMPTY, NULL),
    OPT(vncserver_proxyclient_address, OPT_STRING, 0, JV_NONEMPTY, NULL),
    OPT(spice_enabled, OPT_BOOL, 0, 0, NULL),
    OPT(spice_agent_enabled, OPT_BOOL, 0, 0, NULL),
    OPT(spice_keymap, OPT_STRING, 0, JV_NONEMPTY, NULL),
    OPT(spice_server_listen, OPT_STRING, 0, JV_NONEMPTY, NULL),
    OPT(spice_server_proxyclient_address, OPT_STRING, 0, JV_NONEMPTY, NULL),
    OPT(serial_console_enabled, OPT_BOOL, 0, 0, NULL),
    OPT(serial_console_port_range, OPT_STRING, 0, JV_NONEMPTY, NULL),
    OPT(serial_console_proxyclient_address, OPT_STRING, 0, JV_NONEMPTY,
        NULL),
    OPT(force_config_drive, OPT_BOOL, 0, 0, NULL),
    /* the host (drv-host.c, drv-provider.c) */
    OPT(my_ip, OPT_STRING, 1, JV_NONEMPTY, NULL),
    OPT(initial_cpu_allocation_ratio, OPT_RATIO, 0, 0, NULL),
    OPT(initial_ram_allocation_ratio, OPT_RATIO, 0, 0, NULL),
    OPT(initial_disk_allocation_ratio, OPT_RATIO, 0, 0, NULL),
    OPT(image_type_exclude_list, OPT_STRLIST, 0, 0, NULL),
    /* device names and the image cache (drv-devnames.c, drv-imagecache.c) */
    OPT(disk_prefix, OPT_STRING, 1, JV_NONEMPTY, NULL, check_disk_prefix),
    OPT(remove_unused_base_images, OPT_BOOL, 0, 0, NULL),
    OPT(remove_unused_original_minimum_age_seconds, OPT_INT, 0, 0, NULL),
    OPT(remove_unused_resized_minimum_age_seconds, OPT_INT, 0, 0, NULL),
    /* snapshots (drv-snapshot.c) */
    OPT(snapshot_image_format, OPT_STRING, 1, JV_NONEMPTY,
        snapshot_image_formats),
    OPT(disable_libvirt_livesnapshot, OPT_BOOL, 0, 0, NULL),
};

#undef OPT

/* ["file=directsync", "block=none"]: known types and modes, each type once. */
static int
read_cachemodes(jv_ctx *c, json_t *v, char ***out)
{
    GPtrArray *modes;
    size_t i;
    json_t *item;

    if (!json_is_array(v)) {
        jv_fail(c, false, "expected an array of \"TYPE=MODE\" strings, got %s",
                jv_type_name(v));
        return -1;
    }
    modes = g_ptr_array_new_with_free_func(g_free);
    json_array_foreach(v, i, item) {
        const char *s, *eq;
        g_autofree char *type = NULL;

        jv_push_index(c, i);
        if (!json_is_string(item)) {
            jv_fail(c, false, "expected a \"TYPE=MODE\" string, got %s",
                    jv_type_name(item));
            goto error;
        }
        s = json_string_value(item);
        eq = strchr(s, '=');
        if (!eq) {
            jv_fail(c, false, "expected TYPE=MODE, got \"%.64s\"", s);
            goto error;
        }
        type = g_strndup(s, (size_t)(eq - s));
        if (!jv_in_choices(cache_types, type)) {
            g_autofree char *list = jv_join(cache_types);
            jv_fail(c, false, "unknown disk type \"%.32s\" (expected %s)",
                    type, list);
            goto error;
        }
        if (!jv_in_choices(drv_cache_modes, eq + 1)) {
            g_autofree char *list = jv_join(drv_cache_modes);
            jv_fail(c, false, "unknown cache mode \"%.32s\" (expected %s)",
                    eq + 1, list);
            goto error;
        }
        for (guint j = 0; j < modes->len; j++) {
            const char *other = g_ptr_array_index(modes, j);
            if (strncmp(other, s, (size_t)(eq - s) + 1) == 0) {
                jv_fail(c, false, "cache mode for %s already given at [%u]",
                        type, j);
                goto error;
            }
        }
        g_ptr_array_add(modes, g_strdup(s));
        jv_pop(c);
    }
    g_ptr_array_add(modes, NULL);
    g_strfreev(*out);
    *out = (char **)g_ptr_array_free(modes, FALSE);
    return 0;

error:
    jv_pop(c);
    g_ptr_array_free(modes, TRUE);
    return -1;
}

/* ["x86_64=pc-q35-7.2", ...]: an array of non-empty strings. */
static int
read_strlist(jv_ctx *c, json_t *v, char ***out)
{
    GPtrArray *items;
    size_t i;
    json_t *item;

    if (!json_is_array(v)) {
        jv_fail(c, false, "expected an array of strings, got %s",
                jv_type_name(v));
        return -1;
    }
    items = g_ptr_array_new_with_free_func(g_free);
    json_array_foreach(v, i, item) {
        char *s = NULL;

        jv_push_index(c, i);
        if (jv_read_string(c, item, JV_NONEMPTY, NULL, &s) < 0) {
            jv_pop(c);
            g_ptr_array_free(items, TRUE);
            return -1;
        }
        g_ptr_array_add(items, s);
        jv_pop(c);
    }
    g_ptr_array_add(items, NULL);
    g_strfreev(*out);
    *out = (char **)g_ptr_array_free(items, FALSE);
    return 0;
}

static const cfg_opt *
cfg_opt_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cfg_opts); i++)
        if (strcmp(cfg_opts[i].name, name) == 0)
            return &cfg_opts[i];
    return NULL;
}

/* One option's value into cfg; the key is on the path. */
static int
read_option(jv_ctx *c, const cfg_opt *o, json_t *v, drv_config *cfg)
{
    char *field = (char *)cfg + o->offset;
    long long n;

    switch (o->kind) {
    case OPT_STRING:
        if (o->min == 1 && json_is_null(v)) {
            /* an option whose default is "unset" (Nova's None) */
            g_clear_pointer((char **)(void *)field, g_free);
            return 0;
        }
        if (o->choices)
            return jv_read_choice(c, v, o->choices, (char **)(void *)field);
        return jv_read_string(c, v, o->flags, o->check,
                              (char **)(void *)field);
    case OPT_INT:
        if (jv_read_int(c, v, o->min, INT_MAX, &n) < 0)
            return -1;
        *(int *)(void *)field = (int)n;
        return 0;
    case OPT_BOOL:
        return jv_read_bool(c, v, (bool *)(void *)field);
    case OPT_RATIO:
        return jv_read_positive(c, v, (double *)(void *)field);
    case OPT_RATIO_UNSET:
        if (json_is_null(v)) {
            *(double *)(void *)field = 0.0;
            return 0;
        }
        return jv_read_number(c, v, 0.0, DBL_MAX, (double *)(void *)field);
    case OPT_CACHEMODES:
        return read_cachemodes(c, v, (char ***)(void *)field);
    case OPT_STRLIST:
        return read_strlist(c, v, (char ***)(void *)field);
    }
    return -1;
}

/*
 * Read cfg from obj, the value at c's current path: keys are drv_config's
 * field names, missing ones keep cfg's values. cfg (initialised, e.g. by
 * drv_config_defaults) is changed only on success; -1 with c's error set
 * otherwise.
 */
int
drv_config_from_jv(jv_ctx *c, json_t *obj, drv_config *cfg)
{
    drv_config tmp;
    const char *key;
    json_t *v;

    if (!json_is_object(obj)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(obj));
        return -1;
    }
    drv_config_copy(&tmp, cfg);
    json_object_foreach(obj, key, v) {
        const cfg_opt *o = cfg_opt_find(key);
        int rc;

        jv_push_key(c, key);
        if (!o) {
            jv_near n = {.word = key};
            const char *hint;

            for (size_t i = 0; i < G_N_ELEMENTS(cfg_opts); i++)
                jv_near_consider(&n, cfg_opts[i].name);
            hint = jv_near_result(&n);
            if (hint)
                jv_fail(c, true, "unknown option; did you mean %s?", hint);
            else
                jv_fail(c, true, "unknown option");
            rc = -1;
        } else {
            rc = read_option(c, o, v, &tmp);
        }
        jv_pop(c);
        if (rc < 0) {
            drv_config_clear(&tmp);
            return -1;
        }
    }
    {
        /* options that only make sense together (cpu_mode and cpu_model,
         * ...): refused here, not at the first spawn */
        drv_error xerr;

        drv_error_reset(&xerr);
        if (drv_xml_check_options(&tmp, &xerr) < 0 ||
            drv_live_migration_check_options(&tmp, &xerr) < 0 ||
            drv_host_check_options(&tmp, &xerr) < 0) {
            jv_fail(c, false, "%s", xerr.message);
            drv_config_clear(&tmp);
            return -1;
        }
    }
    drv_config_clear(cfg);
    *cfg = tmp;
    return 0;
}

/*
 * Load cfg from a JSON object text: as drv_config_from_jv. -1 with
 * DRV_ERR_INVALID_CONFIG otherwise.
 */
int
drv_config_load_json(const char *json, const char *source, drv_config *cfg,
                     drv_error *err)
{
    jv_ctx c;
    json_auto_t *root = drv_json_begin(&c, json, source,
                                       DRV_ERR_INVALID_CONFIG, cfg != NULL,
                                       err);
    int rc;

    if (!root)
        return -1;
    rc = drv_config_from_jv(&c, root, cfg);
    drv_json_finish(&c, DRV_ERR_INVALID_CONFIG, err);
    return rc;
}

/* ---- instance ---- */

static void
flavor_clear(drv_flavor *f)
{
    g_free(f->name);
    kv_free(f->extra_specs, f->n_extra_specs);
}

static void
image_clear(drv_image *im)
{
    g_free(im->id);
    g_free(im->path);
    g_free(im->volume);
    g_free(im->format);
    kv_free(im->properties, im->n_properties);
}

static void
vif_clear(drv_vif *v)
{
    g_free(v->id);
    g_free(v->mac);
    g_free(v->type);
    g_free(v->network);
    g_free(v->bridge);
    g_free(v->devname);
}

static void
bdm_clear(drv_bdm *b)
{
    g_free(b->volume_id);
    g_free(b->mount_device);
    g_free(b->device_path);
    g_free(b->driver_type);
}

/* Frees everything inst holds and zeroes it. NULL is fine. */
void
drv_instance_clear(drv_instance *inst)
{
    if (!inst)
        return;
    g_free(inst->uuid);
    g_free(inst->name);
    flavor_clear(&inst->flavor);
    image_clear(&inst->image);
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        vif_clear(&inst->vifs[i]);
    g_free(inst->vifs);
    g_free(inst->root_device_name);
    for (unsigned int i = 0; i < inst->n_volumes; i++)
        bdm_clear(&inst->volumes[i]);
    g_free(inst->volumes);
    memset(inst, 0, sizeof(*inst));
}

/* 8-4-4-4-12 hex digits; lower-cased (libvirt reports UUIDs that way). */
static const char *
check_uuid(char *s)
{
    if (strlen(s) != 36)
        return "expected a UUID (8-4-4-4-12 hex digits)";
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !g_ascii_isxdigit(s[i]))
            return "expected a UUID (8-4-4-4-12 hex digits)";
        s[i] = g_ascii_tolower(s[i]);
    }
    return NULL;
}

const char *
drv_json_check_uuid(char *s)
{
    return check_uuid(s);
}

/* Six hex pairs separated by ':', unicast; lower-cased. */
static const char *
check_mac(char *s)
{
    if (strlen(s) != 17)
        return "expected a MAC address (six hex pairs)";
    for (size_t i = 0; i < 17; i++) {
        if (i % 3 == 2 ? s[i] != ':' : !g_ascii_isxdigit(s[i]))
            return "expected a MAC address (six hex pairs)";
        s[i] = g_ascii_tolower(s[i]);
    }
    if (g_ascii_xdigit_value(s[1]) & 1)
        return "expected a unicast MAC address";
    return NULL;
}

/* "/dev/vdb": a guest disk name. */
static const char *
check_device(char *s)
{
    const char *p = s + 5;

    if (strncmp(s, "/dev/", 5) != 0 || !*p)
        return "expected /dev/ and a lower-case disk name";
    for (; *p; p++)
        if (*p < 'a' || *p > 'z')
            return "expected /dev/ and a lower-case disk name";
    return NULL;
}

/* A host interface name: at most 15 characters, no '/' or white space. */
static const char *
check_ifname(char *s)
{
    if (strlen(s) > 15)
        return "expected an interface name of at most 15 characters";
    for (const char *p = s; *p; p++)
        if (*p == '/' || g_ascii_isspace(*p) || g_ascii_iscntrl(*p))
            return "expected an interface name without '/' or spaces";
    return NULL;
}

/* Upper bounds that keep sizes in bytes within 64 bits (1 EiB). */
#define MAX_MB (1LL << 40)
#define MAX_GB (1LL << 30)

static int
load_flavor(jv_ctx *c, json_t *obj, drv_flavor *f)
{
    static const char *const keys[] = {"name", "vcpus", "memory_mb",
                                       "root_gb", "ephemeral_gb", "swap_mb",
                                       "extra_specs", NULL};
    uint64_t vcpus = 0;

    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_string(c, obj, "name", false, JV_NONEMPTY, NULL,
                      &f->name) < 0 ||
        jv_get_u64(c, obj, "vcpus", true, 1, INT_MAX, &vcpus) < 0 ||
        jv_get_u64(c, obj, "memory_mb", true, 1, MAX_MB, &f->memory_mb) < 0 ||
        jv_get_u64(c, obj, "root_gb", false, 0, MAX_GB, &f->root_gb) < 0 ||
        jv_get_u64(c, obj, "ephemeral_gb", false, 0, MAX_GB,
                   &f->ephemeral_gb) < 0 ||
        jv_get_u64(c, obj, "swap_mb", false, 0, MAX_MB, &f->swap_mb) < 0 ||
        get_kv(c, obj, "extra_specs", &f->extra_specs, &f->n_extra_specs) < 0)
        return -1;
    f->vcpus = (unsigned int)vcpus;
    return 0;
}

static int
load_image(jv_ctx *c, json_t *obj, drv_image *im)
{
    static const char *const keys[] = {"id", "path", "volume", "format",
                                       "properties", NULL};
    static const char *const formats[] = {"raw", "qcow2", NULL};

    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_string(c, obj, "id", false, JV_NONEMPTY, NULL, &im->id) < 0 ||
        jv_get_string(c, obj, "path", false, JV_ABSPATH, NULL,
                      &im->path) < 0 ||
        jv_get_string(c, obj, "volume", false, JV_NONEMPTY | JV_NOSLASH, NULL,
                      &im->volume) < 0 ||
        jv_get_choice(c, obj, "format", im->path || im->volume, formats,
                      &im->format) < 0 ||
        get_kv(c, obj, "properties", &im->properties, &im->n_properties) < 0)
        return -1;
    if (im->path && im->volume) {
        jv_fail(c, false, "give \"path\" or \"volume\", not both");
        return -1;
    }
    return 0;
}

static int
load_vif(jv_ctx *c, json_t *obj, drv_vif *vif)
{
    static const char *const keys[] = {"id", "address", "type", "network",
                                       "bridge", "devname", "active", NULL};
    static const char *const types[] = {"bridge", "ethernet", "network",
                                        NULL};

    if (!json_is_object(obj)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(obj));
        return -1;
    }
    /* no "active": up already, as the reference's vif.get('active', True)
     * in _get_neutron_events has it (a cache that may be stale is not
     * waited on) */
    vif->active = true;
    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_string(c, obj, "id", true, JV_NONEMPTY, NULL, &vif->id) < 0 ||
        jv_get_string(c, obj, "address", true, 0, check_mac, &vif->mac) < 0 ||
        jv_get_choice(c, obj, "type", true, types, &vif->type) < 0 ||
        jv_get_string(c, obj, "network", strcmp(vif->type, "network") == 0,
                      JV_NONEMPTY | JV_NOSLASH, NULL, &vif->network) < 0 ||
        jv_get_string(c, obj, "bridge", strcmp(vif->type, "bridge") == 0,
                      JV_NONEMPTY, check_ifname, &vif->bridge) < 0 ||
        jv_get_string(c, obj, "devname", strcmp(vif->type, "ethernet") == 0,
                      JV_NONEMPTY, check_ifname, &vif->devname) < 0 ||
        jv_get_bool(c, obj, "active", false, &vif->active) < 0)
        return -1;
    return 0;
}

int
drv_vif_from_jv(jv_ctx *c, json_t *obj, drv_vif *vif)
{
    memset(vif, 0, sizeof(*vif));
    if (load_vif(c, obj, vif) == 0)
        return 0;
    vif_clear(vif);
    memset(vif, 0, sizeof(*vif));
    return -1;
}

static int
load_network_info(jv_ctx *c, json_t *arr, drv_instance *inst)
{
    size_t i;
    json_t *item;

    inst->vifs = g_new0(drv_vif, json_array_size(arr) + 1);
    json_array_foreach(arr, i, item) {
        drv_vif *vif = &inst->vifs[i];
        int rc;

        jv_push_index(c, i);
        inst->n_vifs++;
        rc = load_vif(c, item, vif);
        for (unsigned int j = 0; rc == 0 && j < i; j++) {
            const drv_vif *other = &inst->vifs[j];

            if (strcmp(other->id, vif->id) == 0) {
                jv_push_key(c, "id");
                jv_fail(c, false, "duplicate VIF id, also at [%u]", j);
                jv_pop(c);
                rc = -1;
            } else if (strcmp(other->mac, vif->mac) == 0) {
                jv_push_key(c, "address");
                jv_fail(c, false, "duplicate MAC address, also at [%u]", j);
                jv_pop(c);
                rc = -1;
            }
        }
        jv_pop(c);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int
load_bdm(jv_ctx *c, json_t *obj, drv_bdm *b)
{
    static const char *const keys[] = {"volume_id", "mount_device",
                                       "connection_info", NULL};
    static const char *const ci_keys[] = {"driver_volume_type", "data", NULL};
    static const char *const data_keys[] = {"device_path", NULL};
    json_t *ci, *data;
    int rc;

    if (!json_is_object(obj)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(obj));
        return -1;
    }
    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_string(c, obj, "volume_id", true, JV_NONEMPTY, NULL,
                      &b->volume_id) < 0 ||
        jv_get_string(c, obj, "mount_device", true, 0, check_device,
                      &b->mount_device) < 0)
        return -1;
    ci = jv_enter_typed(c, obj, "connection_info", true, JSON_OBJECT, &rc);
    if (!ci)
        return rc;
    rc = -1;
    if (jv_check_keys(c, ci, ci_keys) < 0 ||
        jv_get_string(c, ci, "driver_volume_type", true, JV_NONEMPTY, NULL,
                      &b->driver_type) < 0)
        goto out;
    data = jv_enter_typed(c, ci, "data", true, JSON_OBJECT, &rc);
    if (!data)
        goto out;
    rc = -1;
    if (jv_check_keys(c, data, data_keys) == 0 &&
        jv_get_string(c, data, "device_path", true, JV_ABSPATH, NULL,
                      &b->device_path) == 0)
        rc = 0;
    jv_pop(c);
out:
    jv_pop(c);
    return rc;
}

static int
load_block_device_info(jv_ctx *c, json_t *obj, drv_instance *inst)
{
    static const char *const keys[] = {"root_device_name",
                                       "block_device_mapping", NULL};
    size_t i;
    json_t *arr, *item;
    int rc;

    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_string(c, obj, "root_device_name", false, 0, check_device,
                      &inst->root_device_name) < 0)
        return -1;
    arr = jv_enter_typed(c, obj, "block_device_mapping", false, JSON_ARRAY,
                         &rc);
    if (!arr)
        return rc;
    inst->volumes = g_new0(drv_bdm, json_array_size(arr) + 1);
    json_array_foreach(arr, i, item) {
        drv_bdm *b = &inst->volumes[i];

        jv_push_index(c, i);
        inst->n_volumes++;
        rc = load_bdm(c, item, b);
        if (rc == 0 && inst->root_device_name &&
            strcmp(b->mount_device, inst->root_device_name) == 0) {
            jv_push_key(c, "mount_device");
            jv_fail(c, false, "%s is the root device", b->mount_device);
            jv_pop(c);
            rc = -1;
        }
        for (unsigned int j = 0; rc == 0 && j < i; j++) {
            if (strcmp(inst->volumes[j].mount_device, b->mount_device) == 0) {
                jv_push_key(c, "mount_device");
                jv_fail(c, false, "%s already used at [%u]",
                        b->mount_device, j);
                jv_pop(c);
                rc = -1;
            }
        }
        jv_pop(c);
        if (rc < 0)
            break;
    }
    jv_pop(c);
    return rc;
}

/* Fail on the first key of obj in neither known nor extra (may be NULL). */
static int
check_keys_extra(jv_ctx *c, json_t *obj, const char *const *known,
                 const char *const *extra)
{
    g_autoptr(GPtrArray) all = NULL;

    if (!extra || !extra[0])
        return jv_check_keys(c, obj, known);
    all = g_ptr_array_new();
    for (size_t i = 0; known[i]; i++)
        g_ptr_array_add(all, (gpointer)known[i]);
    for (size_t i = 0; extra[i]; i++)
        g_ptr_array_add(all, (gpointer)extra[i]);
    g_ptr_array_add(all, NULL);
    return jv_check_keys(c, obj, (const char *const *)all->pdata);
}

/*
 * "launched_at": seconds since the epoch (an integer >= 1) or an ISO 8601
 * time; without an offset it is UTC, as Nova keeps its times.
 */
static int
load_launched_at(jv_ctx *c, json_t *root, int64_t *out)
{
    json_t *v = jv_enter(c, root, "launched_at", false);
    long long secs;
    int rc = -1;

    if (!v)
        return 0;
    if (json_is_integer(v)) {
        if (jv_read_int(c, v, 1, LLONG_MAX, &secs) == 0) {
            *out = secs;
            rc = 0;
        }
    } else if (json_is_string(v)) {
        GTimeZone *utc = g_time_zone_new_utc();
        GDateTime *dt = g_date_time_new_from_iso8601(json_string_value(v),
                                                     utc);
        if (dt && g_date_time_to_unix(dt) >= 1) {
            *out = g_date_time_to_unix(dt);
            rc = 0;
        } else {
            jv_fail(c, false,
                    "expected an ISO 8601 date and time after 1970 such as "
                    "\"2026-01-01T00:00:00Z\", got \"%s\"",
                    json_string_value(v));
        }
        if (dt)
            g_date_time_unref(dt);
        g_time_zone_unref(utc);
    } else {
        jv_fail(c, false,
                "expected an ISO 8601 time or seconds since the epoch, got %s",
                jv_type_name(v));
    }
    jv_pop(c);
    return rc;
}

static int
load_instance(jv_ctx *c, json_t *root, const char *const *extra_keys,
              bool uuid_optional, drv_instance *inst)
{
    static const char *const keys[] = {"uuid", "name", "flavor", "image",
                                       "network_info", "block_device_info",
                                       "launched_at", "config_drive", NULL};
    json_t *v;
    int rc;

    if (check_keys_extra(c, root, keys, extra_keys) < 0 ||
        jv_get_string(c, root, "uuid", !uuid_optional, 0, check_uuid,
                      &inst->uuid) < 0 ||
        jv_get_string(c, root, "name", true, JV_NONEMPTY | JV_NOSLASH, NULL,
                      &inst->name) < 0 ||
        load_launched_at(c, root, &inst->launched_at) < 0 ||
        jv_get_bool(c, root, "config_drive", false, &inst->config_drive) < 0)
        return -1;

    if (!(v = jv_enter_typed(c, root, "flavor", true, JSON_OBJECT, &rc)))
        return -1;
    rc = load_flavor(c, v, &inst->flavor);
    jv_pop(c);
    if (rc < 0)
        return -1;

    if ((v = jv_enter_typed(c, root, "image", false, JSON_OBJECT, &rc))) {
        rc = load_image(c, v, &inst->image);
        jv_pop(c);
    }
    if (rc < 0)
        return -1;

    if ((v = jv_enter_typed(c, root, "network_info", false, JSON_ARRAY,
                            &rc))) {
        rc = load_network_info(c, v, inst);
        jv_pop(c);
    }
    if (rc < 0)
        return -1;

    if ((v = jv_enter_typed(c, root, "block_device_info", false,
                            JSON_OBJECT, &rc))) {
        rc = load_block_device_info(c, v, inst);
        jv_pop(c);
    }
    return rc;
}

/*
 * Read one instance from obj, the value at c's current path. extra_keys
 * (NULL-terminated, or NULL) are keys the caller reads itself: allowed
 * here and ignored. With uuid_optional an absent "uuid" leaves inst->uuid
 * NULL. inst is overwritten, not freed first: on success it owns copies
 * of everything (drv_instance_clear), on failure it is all zero and c's
 * error is set.
 */
int
drv_instance_from_jv(jv_ctx *c, json_t *obj,
                     const char *const *extra_keys, bool uuid_optional,
                     drv_instance *inst)
{
    drv_instance tmp = {0};

    memset(inst, 0, sizeof(*inst));
    if (!json_is_object(obj)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(obj));
        return -1;
    }
    if (load_instance(c, obj, extra_keys, uuid_optional, &tmp) < 0) {
        drv_instance_clear(&tmp);
        return -1;
    }
    *inst = tmp;
    return 0;
}

/*
 * Load one instance description. inst is overwritten, not freed first
 * (clear an old one before): on success it owns copies of everything
 * (free with drv_instance_clear), on failure it is all zero.
 * -1 with DRV_ERR_INVALID_INSTANCE naming the source, line:column and
 * JSON path of the problem.
 */
int
drv_instance_load_json(const char *json, const char *source,
                       drv_instance *inst, drv_error *err)
{
    jv_ctx c;
    json_auto_t *root = NULL;
    int rc;

    if (inst)
        memset(inst, 0, sizeof(*inst));
    root = drv_json_begin(&c, json, source, DRV_ERR_INVALID_INSTANCE,
                          inst != NULL, err);
    if (!root)
        return -1;
    rc = drv_instance_from_jv(&c, root, NULL, false, inst);
    drv_json_finish(&c, DRV_ERR_INVALID_INSTANCE, err);
    return rc;
}
