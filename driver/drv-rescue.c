/*
 * drv-rescue.c: rescue and unrescue, in the reference's order of
 * operations.
 *
 * rescue: the instance's current definition goes to unrescue.xml in its
 * folder (an instance file, so it outlives the driver); the rescue image
 * is chosen (the call's, else the configuration's rescue_image_id, else
 * the instance's; the kernel and ramdisk from the configuration, else the
 * instance's), its disk made as "<uuid>_disk.rescue", a domain with the
 * rescue disk first and the instance's root disk second — nothing else —
 * is built, the instance's domain destroyed, and the rescue domain defined
 * in its place and started.
 *
 * Where the reference lets a failure leave things half-done (a rescue
 * domain that does not start leaves the instance destroyed, its rescue
 * definition in place), hvd puts the instance back as it was: its own
 * definition again, started if it was running, no rescue disk, no
 * unrescue.xml; the error is returned. See docs/reference-differences.md.
 *
 * unrescue: read unrescue.xml (its absence is an error, as the reference's
 * load_file), look the domain up, destroy it, define and start the saved
 * definition, delete unrescue.xml and the rescue disk.
 */
#include "drv-priv.h"

#include <glib.h>
#include <string.h>

/* unrescue.xml is a domain definition: far below this. */
#define UNRESCUE_MAX_BYTES (4u << 20)

/* Image properties that choose the kernel: they stay the instance's. */
static const char *const kernel_props[] = {
    "kernel_path", "initrd_path", "os_command_line",
    "rescue_kernel_path", "rescue_initrd_path", "rescue_os_command_line",
    NULL};

static bool
is_kernel_prop(const char *key)
{
    for (size_t i = 0; kernel_props[i]; i++)
        if (strcmp(kernel_props[i], key) == 0)
            return true;
    return false;
}

/*
 * The instance as its rescue boots it: a shallow copy of inst whose image
 * is the rescue image and whose properties are, first match wins, the
 * configuration's rescue kernel and ramdisk, the instance's kernel
 * properties, then the rescue image's other properties. *props (g_free)
 * holds the new property array; the strings are borrowed.
 */
static int
rescue_view(drv *d, const drv_instance *inst, const drv_image *call_image,
            drv_instance *view, drv_kv **props, char **format,
            drv_error *err)
{
    const drv_image *img = call_image ? call_image : &inst->image;
    GArray *kv = g_array_new(FALSE, FALSE, sizeof(drv_kv));
    drv_kv item;

    *view = *inst;
    *props = NULL;
    *format = NULL;
    if (call_image) {
        view->image = *call_image;
    } else if (d->cfg.rescue_image_id) {
        hv_vol_info vi;
        hv_error hv;

        if (hv_vol_get_info(d->conn, d->cfg.storage_pool,
                            d->cfg.rescue_image_id, &vi, &hv) < 0) {
            drv_set_hv_error(err, &hv, "the rescue image", inst);
            g_array_free(kv, TRUE);
            return -1;
        }
        *format = g_strdup(vi.format);
        view->image = (drv_image){
            .id = d->cfg.rescue_image_id,
            .volume = d->cfg.rescue_image_id,
            .format = *format,
        };
        img = &inst->image; /* no properties of its own */
    }
    if (d->cfg.rescue_kernel_id) {
        item = (drv_kv){(char *)"rescue_kernel_path", d->cfg.rescue_kernel_id};
        g_array_append_val(kv, item);
    }
    if (d->cfg.rescue_ramdisk_id) {
        item = (drv_kv){(char *)"rescue_initrd_path",
                        d->cfg.rescue_ramdisk_id};
        g_array_append_val(kv, item);
    }
    for (unsigned int i = 0; i < inst->image.n_properties; i++)
        if (is_kernel_prop(inst->image.properties[i].key))
            g_array_append_val(kv, inst->image.properties[i]);
    for (unsigned int i = 0; i < img->n_properties; i++)
        if (!is_kernel_prop(img->properties[i].key))
            g_array_append_val(kv, img->properties[i]);
    view->image.n_properties = kv->len;
    *props = (drv_kv *)(void *)g_array_free(kv, FALSE);
    view->image.properties = *props;
    return 0;
}

/*
 * Does the domain definition xml boot the rescue disk "<uuid>_disk.rescue"
 * (the volume drv-disk.c names for DRV_VOL_RESCUE)? Then the instance is
 * rescued, and its unrescue.xml holds the only copy of its own definition.
 */
static bool
boots_rescue_disk(const drv_instance *inst, const char *xml)
{
    char *vol = g_strconcat(inst->uuid, "_disk.rescue", NULL);
    bool found = strstr(xml, vol) != NULL;

    g_free(vol);
    return found;
}

/* Something to boot: a disk image or a kernel. */
static bool
rescuable(const drv_instance *view, const char *backing)
{
    const drv_image *im = &view->image;

    return backing ||
           drv_kv_get(im->properties, im->n_properties, "rescue_kernel_path") ||
           drv_kv_get(im->properties, im->n_properties, "kernel_path");
}

/*
 * Put the instance back after a rescue domain failed to be defined or
 * started: its own definition, started again if it was running.
 */
static void
restore_instance(drv *d, const drv_instance *inst, const char *xml,
                 bool had_domain, bool was_running)
{
    drv_error e2;
    hv_domain *dom;

    if (!had_domain) {
        /* nothing was defined before: nothing stays defined */
        drv_destroy_domain(d, inst, 1, &e2);
        if ((dom = drv_get_guest(d, inst, &e2))) {
            hv_error hv;
            hv_domain_undefine(dom, HV_UNDEFINE_MANAGED_SAVE |
                                        HV_UNDEFINE_NVRAM, &hv);
            hv_domain_free(dom);
        }
        return;
    }
    drv_error_reset(&e2);
    drv_destroy_domain(d, inst, 1, &e2);
    drv_error_reset(&e2);
    if ((dom = drv_create_domain(d, inst, xml, was_running, false, &e2)))
        hv_domain_free(dom);
}

int
drv_rescue(drv *d, const drv_instance *inst, const drv_image *rescue_image,
           drv_error *err)
{
    char *unrescue_xml = NULL, *xml = NULL, *backing = NULL, *format = NULL;
    drv_kv *props = NULL;
    drv_instance view;
    bool wrote = false, had_domain = false, was_running = false;
    drv_info info;
    hv_domain *dom;
    int ret = -1;

    drv_error_reset(err);
    if (!inst || !inst->uuid) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE, "an instance needs a uuid");
        return -1;
    }
    if (!(unrescue_xml = drv_existing_domain_xml(d, inst, err)))
        return -1;
    /* The reference would save the rescue definition over unrescue.xml
     * (its compute manager refuses a RESCUED instance, not an ERROR one),
     * losing the instance's own definition: refused before anything is
     * written. */
    if (boots_rescue_disk(inst, unrescue_xml)) {
        drv_error_set(err, DRV_ERR_INSTANCE_NOT_RESCUABLE,
                      "Instance %s cannot be rescued: it is rescued already "
                      "(its domain boots %s_disk.rescue); unrescue it first",
                      inst->uuid, inst->uuid);
        goto cleanup;
    }
    if (rescue_view(d, inst, rescue_image, &view, &props, &format, err) < 0)
        goto cleanup;
    backing = drv_image_backing_path(d, &view, err);
    if (err->kind != DRV_OK)
        goto cleanup;
    if (!rescuable(&view, backing)) {
        drv_error_set(err, DRV_ERR_INSTANCE_NOT_RESCUABLE,
                      "Instance %s cannot be rescued: its rescue image has "
                      "no disk and no kernel to boot", inst->uuid);
        goto cleanup;
    }
    if (drv_write_instance_file(d, inst, DRV_FILE_UNRESCUE, unrescue_xml,
                                err) < 0)
        goto cleanup;
    wrote = true;
    if (backing &&
        drv_create_root_volume(d, &view, DRV_VOL_RESCUE, backing, err) < 0)
        goto cleanup;
    if (!(xml = drv_build_xml(d, &view, inst, err)))
        goto cleanup;
    if (drv_get_info(d, inst, &info, err) == 0) {
        had_domain = true;
        was_running = info.state == DRV_POWER_RUNNING;
    } else if (err->kind == DRV_ERR_INSTANCE_NOT_FOUND) {
        drv_error_reset(err);
    } else {
        goto cleanup;
    }
    if (drv_destroy_domain(d, inst, 1, err) < 0)
        goto cleanup;
    if (!(dom = drv_create_domain(d, inst, xml, true, false, err))) {
        restore_instance(d, inst, unrescue_xml, had_domain, was_running);
        goto cleanup;
    }
    hv_domain_free(dom);
    ret = 0;

cleanup:
    if (ret < 0) {
        drv_error e2;

        drv_delete_volume(d, inst, DRV_VOL_RESCUE);
        if (wrote)
            drv_delete_instance_file(d, inst, DRV_FILE_UNRESCUE, true, &e2);
    }
    g_free(unrescue_xml);
    g_free(xml);
    g_free(backing);
    g_free(format);
    g_free(props);
    return ret;
}

int
drv_unrescue(drv *d, const drv_instance *inst, drv_error *err)
{
    char *xml = NULL;
    hv_domain *dom;
    int ret = -1;

    drv_error_reset(err);
    if (!inst || !inst->uuid) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE, "an instance needs a uuid");
        return -1;
    }
    if (!(xml = drv_read_instance_file(d, inst, DRV_FILE_UNRESCUE,
                                       UNRESCUE_MAX_BYTES, err)))
        return -1;
    if (!(dom = drv_get_guest(d, inst, err)))
        goto cleanup;
    hv_domain_free(dom);
    if (drv_destroy_domain(d, inst, 1, err) < 0)
        goto cleanup;
    if (!(dom = drv_create_domain(d, inst, xml, true, false, err)))
        goto cleanup;
    hv_domain_free(dom);
    if (drv_delete_instance_file(d, inst, DRV_FILE_UNRESCUE, false, err) < 0)
        goto cleanup;
    drv_delete_volume(d, inst, DRV_VOL_RESCUE);
    ret = 0;

cleanup:
    g_free(xml);
    return ret;
}
