/*
 * drv-json-migrate.c: migrate data (drv_migrate_data, what the live
 * migration checks return and the later calls take) read from and written
 * to JSON, with drv-json.c's rules: strict keys and types, positioned
 * errors, all or nothing.
 */
#include <glib.h>
#include <jansson.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "drv-json.h"
#include "drv-priv.h"

static void
migrate_bdm_clear(drv_migrate_bdm *b)
{
    g_free(b->serial);
    g_free(b->bus);
    g_free(b->dev);
    g_free(b->type);
    g_free(b->format);
    g_free(b->driver_volume_type);
    g_free(b->device_path);
    memset(b, 0, sizeof(*b));
}

void
drv_migrate_data_clear(drv_migrate_data *md)
{
    if (!md)
        return;
    g_free(md->filename);
    g_free(md->image_type);
    g_free(md->instance_relative_path);
    g_free(md->graphics_listen_addr_vnc);
    g_free(md->graphics_listen_addr_spice);
    g_free(md->serial_listen_addr);
    g_free(md->target_connect_addr);
    g_strfreev(md->supported_perf_events);
    for (unsigned int i = 0; i < md->n_bdms; i++)
        migrate_bdm_clear(&md->bdms[i]);
    g_free(md->bdms);
    memset(md, 0, sizeof(*md));
}

/* An optional boolean member: *has and *out when present. */
static int
get_opt_bool(jv_ctx *c, json_t *obj, const char *key, bool *has, bool *out)
{
    if (!json_object_get(obj, key))
        return 0;
    if (jv_get_bool(c, obj, key, false, out) < 0)
        return -1;
    *has = true;
    return 0;
}

static int
load_migrate_bdm(jv_ctx *c, json_t *obj, drv_migrate_bdm *b)
{
    static const char *const keys[] = {"serial", "bus", "dev", "type",
                                       "format", "boot_index",
                                       "connection_info", NULL};
    static const char *const ci_keys[] = {"driver_volume_type", "data", NULL};
    static const char *const data_keys[] = {"device_path", NULL};
    long long boot_index = -1;
    json_t *ci, *data;
    int rc;

    b->boot_index = -1;
    if (!json_is_object(obj)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(obj));
        return -1;
    }
    if (jv_check_keys(c, obj, keys) < 0 ||
        jv_get_string(c, obj, "serial", true, JV_NONEMPTY, NULL,
                      &b->serial) < 0 ||
        jv_get_string(c, obj, "bus", false, JV_NONEMPTY, NULL, &b->bus) < 0 ||
        jv_get_string(c, obj, "dev", false, JV_NONEMPTY | JV_NOSLASH, NULL,
                      &b->dev) < 0 ||
        jv_get_string(c, obj, "type", false, JV_NONEMPTY, NULL,
                      &b->type) < 0)
        return -1;
    /* format and boot_index may be null, the reference's None */
    if (!json_is_null(json_object_get(obj, "format")) &&
        jv_get_string(c, obj, "format", false, JV_NONEMPTY, NULL,
                      &b->format) < 0)
        return -1;
    if (!json_is_null(json_object_get(obj, "boot_index"))) {
        if (jv_get_int(c, obj, "boot_index", false, 0, INT_MAX,
                       &boot_index) < 0)
            return -1;
        b->boot_index = (int)boot_index;
    }
    ci = jv_enter_typed(c, obj, "connection_info", false, JSON_OBJECT, &rc);
    if (!ci)
        return rc;
    rc = -1;
    if (jv_check_keys(c, ci, ci_keys) < 0 ||
        jv_get_string(c, ci, "driver_volume_type", false, JV_NONEMPTY, NULL,
                      &b->driver_volume_type) < 0)
        goto out;
    data = jv_enter_typed(c, ci, "data", false, JSON_OBJECT, &rc);
    if (!data)
        goto out;
    rc = -1;
    if (jv_check_keys(c, data, data_keys) == 0 &&
        jv_get_string(c, data, "device_path", false, JV_ABSPATH, NULL,
                      &b->device_path) == 0)
        rc = 0;
    jv_pop(c);
out:
    jv_pop(c);
    return rc;
}

static int
load_migrate_data(jv_ctx *c, json_t *obj, drv_migrate_data *md)
{
    static const char *const keys[] = {
        "is_volume_backed", "filename", "image_type", "block_migration",
        "disk_over_commit", "disk_available_mb", "is_shared_instance_path",
        "is_shared_block_storage", "instance_relative_path",
        "graphics_listen_addr_vnc", "graphics_listen_addr_spice",
        "serial_listen_addr", "target_connect_addr",
        "supported_perf_events", "bdms", NULL};
    static const struct {
        const char *key;
        size_t off;
        unsigned int flags;
    } strs[] = {
        {"filename", offsetof(drv_migrate_data, filename), JV_NOSLASH},
        {"image_type", offsetof(drv_migrate_data, image_type), 0},
        {"instance_relative_path",
         offsetof(drv_migrate_data, instance_relative_path), JV_NOSLASH},
        {"graphics_listen_addr_vnc",
         offsetof(drv_migrate_data, graphics_listen_addr_vnc), 0},
        {"graphics_listen_addr_spice",
         offsetof(drv_migrate_data, graphics_listen_addr_spice), 0},
        {"serial_listen_addr", offsetof(drv_migrate_data, serial_listen_addr),
         0},
        {"target_connect_addr",
         offsetof(drv_migrate_data, target_connect_addr), 0},
    };
    long long mb = 0;
    json_t *arr, *item;
    size_t i;
    int rc;

    if (jv_check_keys(c, obj, keys) < 0 ||
        get_opt_bool(c, obj, "is_volume_backed", &md->has_is_volume_backed,
                     &md->is_volume_backed) < 0 ||
        get_opt_bool(c, obj, "block_migration", &md->has_block_migration,
                     &md->block_migration) < 0 ||
        get_opt_bool(c, obj, "disk_over_commit", &md->has_disk_over_commit,
                     &md->disk_over_commit) < 0 ||
        get_opt_bool(c, obj, "is_shared_instance_path",
                     &md->has_is_shared_instance_path,
                     &md->is_shared_instance_path) < 0 ||
        get_opt_bool(c, obj, "is_shared_block_storage",
                     &md->has_is_shared_block_storage,
                     &md->is_shared_block_storage) < 0)
        return -1;
    if (json_object_get(obj, "disk_available_mb")) {
        if (jv_get_int(c, obj, "disk_available_mb", false, INT64_MIN / 2,
                       INT64_MAX / 2, &mb) < 0)
            return -1;
        md->has_disk_available_mb = true;
        md->disk_available_mb = mb;
    }
    for (i = 0; i < G_N_ELEMENTS(strs); i++) {
        char **dst = (char **)((char *)md + strs[i].off);

        /* null is the reference's None: left unset */
        if (json_is_null(json_object_get(obj, strs[i].key)))
            continue;
        if (jv_get_string(c, obj, strs[i].key, false,
                          JV_NONEMPTY | strs[i].flags, NULL, dst) < 0)
            return -1;
    }
    arr = jv_enter_typed(c, obj, "supported_perf_events", false, JSON_ARRAY,
                         &rc);
    if (rc < 0)
        return -1;
    if (arr) {
        md->has_supported_perf_events = true;
        md->supported_perf_events = g_new0(char *, json_array_size(arr) + 1);
        json_array_foreach(arr, i, item) {
            jv_push_index(c, i);
            rc = jv_read_string(c, item, JV_NONEMPTY, NULL,
                                &md->supported_perf_events[i]);
            jv_pop(c);
            if (rc < 0)
                break;
        }
        jv_pop(c);
        if (rc < 0)
            return -1;
    }
    arr = jv_enter_typed(c, obj, "bdms", false, JSON_ARRAY, &rc);
    if (rc < 0)
        return -1;
    if (arr) {
        md->has_bdms = true;
        md->bdms = g_new0(drv_migrate_bdm, json_array_size(arr) + 1);
        json_array_foreach(arr, i, item) {
            jv_push_index(c, i);
            md->n_bdms++;
            rc = load_migrate_bdm(c, item, &md->bdms[i]);
            jv_pop(c);
            if (rc < 0)
                break;
        }
        jv_pop(c);
        if (rc < 0)
            return -1;
    }
    return 0;
}

/*
 * Read migrate data from obj, the value at c's current path. md is
 * overwritten, not freed first: on success it owns copies of everything
 * (drv_migrate_data_clear), on failure it is all zero and c's error set.
 */
int
drv_migrate_data_from_jv(jv_ctx *c, json_t *obj, drv_migrate_data *md)
{
    drv_migrate_data tmp = {0};

    memset(md, 0, sizeof(*md));
    if (!json_is_object(obj)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(obj));
        return -1;
    }
    if (load_migrate_data(c, obj, &tmp) < 0) {
        drv_migrate_data_clear(&tmp);
        return -1;
    }
    *md = tmp;
    return 0;
}

/*
 * Load migrate data from a JSON text. -1 with DRV_ERR_INVALID_MIGRATE_DATA
 * naming the source, line:column and JSON path of the problem; md all
 * zero then.
 */
int
drv_migrate_data_load_json(const char *json, const char *source,
                           drv_migrate_data *md, drv_error *err)
{
    jv_ctx c;
    json_auto_t *root = NULL;
    int rc;

    if (md)
        memset(md, 0, sizeof(*md));
    root = drv_json_begin(&c, json, source, DRV_ERR_INVALID_MIGRATE_DATA,
                          md != NULL, err);
    if (!root)
        return -1;
    rc = drv_migrate_data_from_jv(&c, root, md);
    drv_json_finish(&c, DRV_ERR_INVALID_MIGRATE_DATA, err);
    return rc;
}

static void
set_opt_string(json_t *o, const char *key, const char *v)
{
    if (v)
        json_object_set_new(o, key, json_string(v));
}

/* md as a JSON object of the fields that are set (a new reference). */
json_t *
drv_migrate_data_to_jv(const drv_migrate_data *md)
{
    json_t *o = json_object();

    if (md->has_is_volume_backed)
        json_object_set_new(o, "is_volume_backed",
                            json_boolean(md->is_volume_backed));
    set_opt_string(o, "filename", md->filename);
    set_opt_string(o, "image_type", md->image_type);
    if (md->has_block_migration)
        json_object_set_new(o, "block_migration",
                            json_boolean(md->block_migration));
    if (md->has_disk_over_commit)
        json_object_set_new(o, "disk_over_commit",
                            json_boolean(md->disk_over_commit));
    if (md->has_disk_available_mb)
        json_object_set_new(o, "disk_available_mb",
                            json_integer(md->disk_available_mb));
    if (md->has_is_shared_instance_path)
        json_object_set_new(o, "is_shared_instance_path",
                            json_boolean(md->is_shared_instance_path));
    if (md->has_is_shared_block_storage)
        json_object_set_new(o, "is_shared_block_storage",
                            json_boolean(md->is_shared_block_storage));
    set_opt_string(o, "instance_relative_path", md->instance_relative_path);
    set_opt_string(o, "graphics_listen_addr_vnc",
                   md->graphics_listen_addr_vnc);
    set_opt_string(o, "graphics_listen_addr_spice",
                   md->graphics_listen_addr_spice);
    set_opt_string(o, "serial_listen_addr", md->serial_listen_addr);
    set_opt_string(o, "target_connect_addr", md->target_connect_addr);
    if (md->has_supported_perf_events) {
        json_t *a = json_array();

        for (char **e = md->supported_perf_events; e && *e; e++)
            json_array_append_new(a, json_string(*e));
        json_object_set_new(o, "supported_perf_events", a);
    }
    if (md->has_bdms) {
        json_t *a = json_array();

        for (unsigned int i = 0; i < md->n_bdms; i++) {
            const drv_migrate_bdm *b = &md->bdms[i];
            json_t *bo = json_object(), *ci = json_object();

            set_opt_string(bo, "serial", b->serial);
            set_opt_string(bo, "bus", b->bus);
            set_opt_string(bo, "dev", b->dev);
            set_opt_string(bo, "type", b->type);
            json_object_set_new(bo, "format", b->format
                                                  ? json_string(b->format)
                                                  : json_null());
            json_object_set_new(bo, "boot_index",
                                b->boot_index >= 0
                                    ? json_integer(b->boot_index)
                                    : json_null());
            set_opt_string(ci, "driver_volume_type", b->driver_volume_type);
            if (b->device_path) {
                json_t *data = json_object();

                json_object_set_new(data, "device_path",
                                    json_string(b->device_path));
                json_object_set_new(ci, "data", data);
            }
            json_object_set_new(bo, "connection_info", ci);
            json_array_append_new(a, bo);
        }
        json_object_set_new(o, "bdms", a);
    }
    return o;
}

/* md as JSON text (g_free), sorted keys, compact. */
char *
drv_migrate_data_to_json(const drv_migrate_data *md)
{
    json_t *o = drv_migrate_data_to_jv(md);
    char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    char *out = g_strdup(s);

    free(s);
    json_decref(o);
    return out;
}
