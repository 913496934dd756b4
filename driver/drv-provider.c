/*
 * drv-provider.c: the host as placement sees it — the driver's
 * capabilities and their COMPUTE_* traits (the contract's
 * capabilities_as_traits), the provider tree (its structure, its JSON)
 * and the contract's update_provider_tree: inventory with reserved
 * amounts and allocation ratios, and traits, on the compute node's
 * provider.
 */
#include "drv-priv.h"

#include <glib.h>
#include <jansson.h>
#include <string.h>

#include "drv-json.h"

/* ---- capabilities ---- */

/*
 * The driver's capabilities dict: every key of the contract's, with the
 * reference's value where Newton's libvirt driver sets one and hvd does
 * what it says, else what hvd does (docs/reference-differences.md):
 *  - has_imagecache, supports_attach_interface: the reference's true;
 *  - supports_evacuate: Newton's supports_recreate (true), later renamed;
 *  - supports_device_tagging: false, where the reference says true: hvd
 *    writes no device metadata (tags) for the guest;
 *  - supports_image_type_qcow2 / _raw: the image formats hvd boots from;
 *  - everything else the contract's false.
 * Sorted by name.
 */
static const drv_capability capabilities[] = {
    {"has_imagecache", true},
    {"supports_accelerators", false},
    {"supports_attach_interface", true},
    {"supports_bfv_rescue", false},
    {"supports_device_tagging", false},
    {"supports_ephemeral_encryption", false},
    {"supports_ephemeral_encryption_luks", false},
    {"supports_ephemeral_encryption_plain", false},
    {"supports_evacuate", true},
    {"supports_extend_volume", false},
    {"supports_image_type_aki", false},
    {"supports_image_type_ami", false},
    {"supports_image_type_ari", false},
    {"supports_image_type_iso", false},
    {"supports_image_type_ploop", false},
    {"supports_image_type_qcow2", true},
    {"supports_image_type_raw", true},
    {"supports_image_type_vdi", false},
    {"supports_image_type_vhd", false},
    {"supports_image_type_vhdx", false},
    {"supports_image_type_vmdk", false},
    {"supports_migrate_to_same_host", false},
    {"supports_multiattach", false},
    {"supports_pcpus", false},
    {"supports_remote_managed_ports", false},
    {"supports_secure_boot", false},
    {"supports_socket_pci_numa_affinity", false},
    {"supports_tagged_attach_interface", false},
    {"supports_tagged_attach_volume", false},
    {"supports_trusted_certs", false},
    {"supports_vtpm", false},
};

/* The contract's CAPABILITY_TRAITS_MAP: the capabilities placement sees
 * as traits (has_imagecache, supports_evacuate, supports_pcpus and
 * supports_vtpm have none). */
static const struct {
    const char *capability, *trait;
} capability_traits[] = {
    {"supports_attach_interface", "COMPUTE_NET_ATTACH_INTERFACE"},
    {"supports_device_tagging", "COMPUTE_DEVICE_TAGGING"},
    {"supports_tagged_attach_interface",
     "COMPUTE_NET_ATTACH_INTERFACE_WITH_TAG"},
    {"supports_tagged_attach_volume", "COMPUTE_VOLUME_ATTACH_WITH_TAG"},
    {"supports_extend_volume", "COMPUTE_VOLUME_EXTEND"},
    {"supports_multiattach", "COMPUTE_VOLUME_MULTI_ATTACH"},
    {"supports_trusted_certs", "COMPUTE_TRUSTED_CERTS"},
    {"supports_accelerators", "COMPUTE_ACCELERATORS"},
    {"supports_image_type_aki", "COMPUTE_IMAGE_TYPE_AKI"},
    {"supports_image_type_ami", "COMPUTE_IMAGE_TYPE_AMI"},
    {"supports_image_type_ari", "COMPUTE_IMAGE_TYPE_ARI"},
    {"supports_image_type_iso", "COMPUTE_IMAGE_TYPE_ISO"},
    {"supports_image_type_qcow2", "COMPUTE_IMAGE_TYPE_QCOW2"},
    {"supports_image_type_raw", "COMPUTE_IMAGE_TYPE_RAW"},
    {"supports_image_type_vdi", "COMPUTE_IMAGE_TYPE_VDI"},
    {"supports_image_type_vhd", "COMPUTE_IMAGE_TYPE_VHD"},
    {"supports_image_type_vhdx", "COMPUTE_IMAGE_TYPE_VHDX"},
    {"supports_image_type_vmdk", "COMPUTE_IMAGE_TYPE_VMDK"},
    {"supports_image_type_ploop", "COMPUTE_IMAGE_TYPE_PLOOP"},
    {"supports_migrate_to_same_host", "COMPUTE_SAME_HOST_COLD_MIGRATE"},
    {"supports_bfv_rescue", "COMPUTE_RESCUE_BFV"},
    {"supports_secure_boot", "COMPUTE_SECURITY_UEFI_SECURE_BOOT"},
    {"supports_socket_pci_numa_affinity",
     "COMPUTE_SOCKET_PCI_NUMA_AFFINITY"},
    {"supports_remote_managed_ports", "COMPUTE_REMOTE_MANAGED_PORTS"},
    {"supports_ephemeral_encryption", "COMPUTE_EPHEMERAL_ENCRYPTION"},
    {"supports_ephemeral_encryption_luks",
     "COMPUTE_EPHEMERAL_ENCRYPTION_LUKS"},
    {"supports_ephemeral_encryption_plain",
     "COMPUTE_EPHEMERAL_ENCRYPTION_PLAIN"},
};

#define IMAGE_TYPE_PREFIX "supports_image_type_"

const char *const drv_image_types[] = {"aki", "ami",  "ari", "iso",
                                       "qcow2", "raw", "vdi", "vhd",
                                       "vhdx", "vmdk", "ploop", NULL};

const drv_capability *
drv_capabilities(unsigned int *n)
{
    *n = G_N_ELEMENTS(capabilities);
    return capabilities;
}

static int
cmp_flag(const void *a, const void *b)
{
    return strcmp(((const drv_trait_flag *)a)->trait,
                  ((const drv_trait_flag *)b)->trait);
}

void
drv_capabilities_as_traits(drv *d, drv_trait_flag **flags, unsigned int *n)
{
    *flags = g_new0(drv_trait_flag, G_N_ELEMENTS(capability_traits));
    *n = 0;
    for (size_t i = 0; i < G_N_ELEMENTS(capabilities); i++) {
        const drv_capability *c = &capabilities[i];
        bool supported = c->supported;

        /* an excluded image type is reported unsupported (the
         * contract's _check_image_type_exclude_list) */
        if (g_str_has_prefix(c->name, IMAGE_TYPE_PREFIX) &&
            d->cfg.image_type_exclude_list &&
            g_strv_contains(
                (const char *const *)d->cfg.image_type_exclude_list,
                c->name + strlen(IMAGE_TYPE_PREFIX)))
            supported = false;
        for (size_t k = 0; k < G_N_ELEMENTS(capability_traits); k++)
            if (strcmp(capability_traits[k].capability, c->name) == 0) {
                (*flags)[*n].trait = capability_traits[k].trait;
                (*flags)[(*n)++].supported = supported;
            }
    }
    qsort(*flags, *n, sizeof(**flags), cmp_flag);
}

/* ---- the provider tree ---- */

static void
provider_clear(drv_provider *p)
{
    g_free(p->uuid);
    g_free(p->name);
    g_free(p->parent_uuid);
    for (unsigned int i = 0; i < p->n_inventory; i++)
        g_free(p->inventory[i].resource_class);
    g_free(p->inventory);
    g_strfreev(p->traits);
    g_strfreev(p->aggregates);
    memset(p, 0, sizeof(*p));
}

void
drv_provider_tree_clear(drv_provider_tree *tree)
{
    if (!tree)
        return;
    for (unsigned int i = 0; i < tree->n_providers; i++)
        provider_clear(&tree->providers[i]);
    g_free(tree->providers);
    memset(tree, 0, sizeof(*tree));
}

drv_provider *
drv_provider_tree_find(drv_provider_tree *tree, const char *name)
{
    for (unsigned int i = 0; name && i < tree->n_providers; i++)
        if (strcmp(tree->providers[i].name, name) == 0)
            return &tree->providers[i];
    return NULL;
}

static drv_provider *
find_uuid(const drv_provider_tree *tree, const char *uuid)
{
    for (unsigned int i = 0; i < tree->n_providers; i++)
        if (strcmp(tree->providers[i].uuid, uuid) == 0)
            return &tree->providers[i];
    return NULL;
}

/* A new provider at the end of tree (which may move its array). */
static drv_provider *
provider_add(drv_provider_tree *tree, const char *uuid, const char *name)
{
    drv_provider *p;

    tree->providers = g_renew(drv_provider, tree->providers,
                              tree->n_providers + 1);
    p = &tree->providers[tree->n_providers++];
    memset(p, 0, sizeof(*p));
    p->uuid = g_strdup(uuid);
    p->name = g_strdup(name);
    return p;
}

drv_provider *
drv_provider_tree_ensure_root(drv_provider_tree *tree, const char *uuid,
                              const char *name)
{
    drv_provider *p = drv_provider_tree_find(tree, name);

    return p ? p : provider_add(tree, uuid, name);
}

const drv_inventory_class *
drv_provider_inventory(const drv_provider *p, const char *resource_class)
{
    for (unsigned int i = 0; i < p->n_inventory; i++)
        if (strcmp(p->inventory[i].resource_class, resource_class) == 0)
            return &p->inventory[i].inv;
    return NULL;
}

bool
drv_provider_has_trait(const drv_provider *p, const char *trait)
{
    return p->traits &&
           g_strv_contains((const char *const *)p->traits, trait);
}

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* set (a strv, replaced) as a sorted strv with each name once, from the
 * GPtrArray names (char*, owned; consumed). */
static char **
sorted_set(GPtrArray *names)
{
    GPtrArray *out = g_ptr_array_new();

    g_ptr_array_sort(names, cmp_str);
    for (guint i = 0; i < names->len; i++) {
        char *s = g_ptr_array_index(names, i);

        if (out->len &&
            strcmp(g_ptr_array_index(out, out->len - 1), s) == 0)
            g_free(s);
        else
            g_ptr_array_add(out, s);
    }
    g_ptr_array_free(names, TRUE);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

/* ---- update_provider_tree ---- */

/* Which ratio the contract's precedence picks for one class. */
static double
pick_ratio(double configured, double initial,
           const drv_inventory_class *existing)
{
    if (configured > 0)
        return configured;
    if (!existing)
        return initial;
    return existing->allocation_ratio;
}

/* Is there a provider sharing resource_class with others (the contract's
 * MISC_SHARES_VIA_AGGREGATE)? */
static bool
has_sharing_provider(const drv_provider_tree *tree,
                     const char *resource_class)
{
    for (unsigned int i = 0; i < tree->n_providers; i++)
        if (drv_provider_has_trait(&tree->providers[i],
                                   "MISC_SHARES_VIA_AGGREGATE") &&
            drv_provider_inventory(&tree->providers[i], resource_class))
            return true;
    return false;
}

/* The traits of p: those in flags that are supported added, those not
 * supported removed, any other kept. */
static void
apply_traits(drv_provider *p, const drv_trait_flag *flags, unsigned int n)
{
    GPtrArray *names = g_ptr_array_new();

    for (char **t = p->traits; t && *t; t++) {
        bool controlled = false;

        for (unsigned int i = 0; i < n; i++)
            if (strcmp(flags[i].trait, *t) == 0)
                controlled = true;
        if (!controlled)
            g_ptr_array_add(names, g_strdup(*t));
    }
    for (unsigned int i = 0; i < n; i++)
        if (flags[i].supported)
            g_ptr_array_add(names, g_strdup(flags[i].trait));
    g_strfreev(p->traits);
    p->traits = sorted_set(names);
}

int
drv_update_provider_tree(drv *d, drv_provider_tree *tree,
                         const char *nodename, drv_error *err)
{
    drv_resources res;
    drv_provider *p;
    drv_trait_flag *cpu = NULL, *caps = NULL;
    unsigned int n_cpu = 0, n_caps = 0, n = 0;
    drv_inventory_record inv[3];
    char **nodes = NULL;
    int ret = -1;

    drv_error_reset(err);
    memset(&res, 0, sizeof(res));
    if (!nodename || !(p = drv_provider_tree_find(tree, nodename))) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "the provider tree has no provider named '%s'",
                      nodename ? nodename : "(null)");
        return -1;
    }
    if (drv_get_available_nodes(d, false, &nodes, err) < 0)
        return -1;
    if (!g_strv_contains((const char *const *)nodes, nodename)) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "'%s' is not this driver's node (%s)", nodename,
                      nodes[0]);
        goto cleanup;
    }
    /* every read first: the tree changes only once nothing can fail */
    if (drv_get_available_resource(d, &res, err) < 0 ||
        drv_host_cpu_traits(d, &cpu, &n_cpu, err) < 0)
        goto cleanup;
    drv_capabilities_as_traits(d, &caps, &n_caps);

    inv[n++] = (drv_inventory_record){
        "VCPU",
        {.total = res.vcpus, .reserved = (uint64_t)d->cfg.reserved_host_cpus,
         .min_unit = 1, .max_unit = res.vcpus, .step_size = 1,
         .allocation_ratio =
             pick_ratio(d->cfg.cpu_allocation_ratio,
                        d->cfg.initial_cpu_allocation_ratio,
                        drv_provider_inventory(p, "VCPU"))}};
    inv[n++] = (drv_inventory_record){
        "MEMORY_MB",
        {.total = res.memory_mb,
         .reserved = (uint64_t)d->cfg.reserved_host_memory_mb,
         .min_unit = 1, .max_unit = res.memory_mb, .step_size = 1,
         .allocation_ratio =
             pick_ratio(d->cfg.ram_allocation_ratio,
                        d->cfg.initial_ram_allocation_ratio,
                        drv_provider_inventory(p, "MEMORY_MB"))}};
    /* a disk shared through an aggregate is reported by its provider */
    if (!has_sharing_provider(tree, "DISK_GB"))
        inv[n++] = (drv_inventory_record){
            "DISK_GB",
            {.total = res.local_gb,
             /* configured in MiB, reserved in whole GiB rounded up (the
              * contract's _get_reserved_host_disk_gb_from_config) */
             .reserved = ((uint64_t)d->cfg.reserved_host_disk_mb + 1023) /
                         1024,
             .min_unit = 1, .max_unit = res.local_gb, .step_size = 1,
             .allocation_ratio =
                 pick_ratio(d->cfg.disk_allocation_ratio,
                            d->cfg.initial_disk_allocation_ratio,
                            drv_provider_inventory(p, "DISK_GB"))}};

    for (unsigned int i = 0; i < p->n_inventory; i++)
        g_free(p->inventory[i].resource_class);
    g_free(p->inventory);
    p->inventory = g_new0(drv_inventory_record, n);
    for (unsigned int i = 0; i < n; i++) {
        p->inventory[i] = inv[i];
        p->inventory[i].resource_class = g_strdup(inv[i].resource_class);
    }
    p->n_inventory = n;
    apply_traits(p, cpu, n_cpu);
    apply_traits(p, caps, n_caps);
    ret = 0;

cleanup:
    g_strfreev(nodes);
    g_free(cpu);
    g_free(caps);
    drv_resources_clear(&res);
    return ret;
}

/* ---- JSON ---- */

static json_t *
strv_json(char *const *v)
{
    json_t *a = json_array();

    for (; v && *v; v++)
        json_array_append_new(a, json_string(*v));
    return a;
}

json_t *
drv_provider_tree_to_jv(const drv_provider_tree *tree)
{
    json_t *o = json_object();

    for (unsigned int i = 0; i < tree->n_providers; i++) {
        const drv_provider *p = &tree->providers[i];
        json_t *inv = json_object();

        for (unsigned int k = 0; k < p->n_inventory; k++) {
            const drv_inventory_class *c = &p->inventory[k].inv;

            json_object_set_new(
                inv, p->inventory[k].resource_class,
                json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "total",
                          (json_int_t)c->total, "reserved",
                          (json_int_t)c->reserved, "min_unit",
                          (json_int_t)c->min_unit, "max_unit",
                          (json_int_t)c->max_unit, "step_size",
                          (json_int_t)c->step_size, "allocation_ratio",
                          c->allocation_ratio));
        }
        json_object_set_new(
            o, p->name,
            json_pack("{s:s, s:o, s:o, s:o, s:o}", "uuid", p->uuid,
                      "parent_uuid",
                      p->parent_uuid ? json_string(p->parent_uuid)
                                     : json_null(),
                      "inventory", inv, "traits", strv_json(p->traits),
                      "aggregates", strv_json(p->aggregates)));
    }
    return o;
}

char *
drv_provider_tree_to_json(const drv_provider_tree *tree)
{
    json_t *o = drv_provider_tree_to_jv(tree);
    char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    char *out = g_strdup(s);

    free(s);
    json_decref(o);
    return out;
}

/* Placement's names: upper case letters, digits and '_' (resource
 * classes, traits, CUSTOM_* included). */
static const char *
check_placement_name(char *s)
{
    if (!*s)
        return "expected a name of A-Z, 0-9 and _";
    for (char *c = s; *c; c++)
        if (!(g_ascii_isupper(*c) || g_ascii_isdigit(*c) || *c == '_'))
            return "expected a name of A-Z, 0-9 and _";
    return NULL;
}

/* A list of strings checked by check (each once after sorting). */
static int
read_names(jv_ctx *c, json_t *obj, const char *key, jv_str_check check,
           char ***out)
{
    json_t *arr, *item;
    GPtrArray *names;
    size_t i;
    int rc;

    if (!(arr = jv_enter_typed(c, obj, key, false, JSON_ARRAY, &rc)))
        return rc;
    names = g_ptr_array_new_with_free_func(g_free);
    json_array_foreach(arr, i, item) {
        char *s = NULL;

        jv_push_index(c, i);
        rc = jv_read_string(c, item, JV_NONEMPTY, check, &s);
        jv_pop(c);
        if (rc < 0) {
            g_ptr_array_free(names, TRUE);
            jv_pop(c);
            return -1;
        }
        g_ptr_array_add(names, s);
    }
    jv_pop(c);
    g_ptr_array_set_free_func(names, NULL);
    *out = sorted_set(names);
    return 0;
}

static const char *const record_keys[] = {"total",    "reserved",
                                          "min_unit", "max_unit",
                                          "step_size", "allocation_ratio",
                                          NULL};

/* One inventory record {"total": ..., ...} at c's current path. */
static int
read_record(jv_ctx *c, json_t *obj, drv_inventory_class *ic)
{
    const uint64_t big = (uint64_t)INT64_MAX;

    if (!json_is_object(obj)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(obj));
        return -1;
    }
    ic->reserved = 0;
    ic->min_unit = ic->step_size = 1;
    ic->allocation_ratio = 1.0;
    if (jv_check_keys(c, obj, record_keys) < 0 ||
        jv_get_u64(c, obj, "total", true, 1, (long long)big, &ic->total) < 0)
        return -1;
    ic->max_unit = ic->total;
    if (jv_get_u64(c, obj, "reserved", false, 0, (long long)big,
                   &ic->reserved) < 0 ||
        jv_get_u64(c, obj, "min_unit", false, 1, (long long)big,
                   &ic->min_unit) < 0 ||
        jv_get_u64(c, obj, "max_unit", false, 1, (long long)big,
                   &ic->max_unit) < 0 ||
        jv_get_u64(c, obj, "step_size", false, 1, (long long)big,
                   &ic->step_size) < 0)
        return -1;
    if (json_object_get(obj, "allocation_ratio")) {
        json_t *v = jv_enter(c, obj, "allocation_ratio", true);
        int rc = jv_read_positive(c, v, &ic->allocation_ratio);

        jv_pop(c);
        if (rc < 0)
            return -1;
    }
    if (ic->reserved > ic->total) {
        jv_push_key(c, "reserved");
        jv_fail(c, false, "reserved (%llu) is more than total (%llu)",
                (unsigned long long)ic->reserved,
                (unsigned long long)ic->total);
        jv_pop(c);
        return -1;
    }
    if (ic->min_unit > ic->max_unit || ic->max_unit > ic->total) {
        jv_push_key(c, "max_unit");
        jv_fail(c, false,
                "expected min_unit (%llu) <= max_unit (%llu) <= total (%llu)",
                (unsigned long long)ic->min_unit,
                (unsigned long long)ic->max_unit,
                (unsigned long long)ic->total);
        jv_pop(c);
        return -1;
    }
    return 0;
}

static const char *const provider_keys[] = {"uuid",   "parent_uuid",
                                            "inventory", "traits",
                                            "aggregates", NULL};

/* One provider's object (its name is the key on the path). */
static int
read_provider(jv_ctx *c, json_t *obj, drv_provider *p)
{
    json_t *inv, *v;
    const char *rc_name;
    int rc;

    if (!json_is_object(obj)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(obj));
        return -1;
    }
    if (jv_check_keys(c, obj, provider_keys) < 0 ||
        jv_get_string(c, obj, "uuid", true, 0, drv_json_check_uuid,
                      &p->uuid) < 0)
        return -1;
    v = json_object_get(obj, "parent_uuid");
    if (v && !json_is_null(v) &&
        jv_get_string(c, obj, "parent_uuid", false, 0, drv_json_check_uuid,
                      &p->parent_uuid) < 0)
        return -1;
    if (read_names(c, obj, "traits", check_placement_name, &p->traits) < 0 ||
        read_names(c, obj, "aggregates", drv_json_check_uuid,
                   &p->aggregates) < 0)
        return -1;
    if (!(inv = jv_enter_typed(c, obj, "inventory", false, JSON_OBJECT, &rc)))
        return rc;
    json_object_foreach(inv, rc_name, v) {
        drv_inventory_record r = {0};
        char *name = g_strdup(rc_name);
        const char *bad = check_placement_name(name);

        jv_push_key(c, rc_name);
        if (bad) {
            jv_fail(c, true, "%s", bad);
            rc = -1;
        } else {
            rc = read_record(c, v, &r.inv);
        }
        jv_pop(c);
        if (rc < 0) {
            g_free(name);
            jv_pop(c);
            return -1;
        }
        r.resource_class = name;
        p->inventory = g_renew(drv_inventory_record, p->inventory,
                               p->n_inventory + 1);
        p->inventory[p->n_inventory++] = r;
    }
    jv_pop(c);
    return 0;
}

int
drv_provider_tree_from_jv(jv_ctx *c, json_t *obj, drv_provider_tree *tree)
{
    const char *name;
    json_t *v;

    memset(tree, 0, sizeof(*tree));
    if (!json_is_object(obj)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(obj));
        return -1;
    }
    json_object_foreach(obj, name, v) {
        drv_provider *p;
        int rc;

        jv_push_key(c, name);
        if (!*name) {
            jv_fail(c, true, "a provider needs a name");
            rc = -1;
        } else {
            p = provider_add(tree, NULL, name);
            rc = read_provider(c, v, p);
            if (rc == 0 && find_uuid(tree, p->uuid) != p) {
                jv_push_key(c, "uuid");
                jv_fail(c, false, "uuid %s is another provider's",
                        p->uuid);
                jv_pop(c);
                rc = -1;
            }
        }
        jv_pop(c);
        if (rc < 0) {
            drv_provider_tree_clear(tree);
            return -1;
        }
    }
    /* parents last: a parent may come after its child */
    for (unsigned int i = 0; i < tree->n_providers; i++) {
        drv_provider *p = &tree->providers[i];

        const drv_provider *up = p;
        unsigned int steps = 0;

        /* up the parents: each must be there, and the walk must reach a
         * root (no cycle) */
        while (up && up->parent_uuid && steps++ <= tree->n_providers)
            up = find_uuid(tree, up->parent_uuid);
        if (!up || up->parent_uuid) {
            jv_push_key(c, p->name);
            jv_push_key(c, "parent_uuid");
            jv_fail(c, false, "parent %s: not in the tree, or its "
                              "parents never reach a root",
                    p->parent_uuid);
            jv_pop(c);
            jv_pop(c);
            drv_provider_tree_clear(tree);
            return -1;
        }
    }
    return 0;
}

int
drv_provider_tree_load_json(const char *json, const char *source,
                            drv_provider_tree *tree, drv_error *err)
{
    jv_ctx c;
    json_auto_t *root = NULL;
    int rc;

    if (tree)
        memset(tree, 0, sizeof(*tree));
    root = drv_json_begin(&c, json, source, DRV_ERR_INVALID_CONFIG,
                          tree != NULL, err);
    if (!root)
        return -1;
    rc = drv_provider_tree_from_jv(&c, root, tree);
    drv_json_finish(&c, DRV_ERR_INVALID_CONFIG, err);
    return rc;
}
