/*
 * drv-lifecycle.c: what changes an instance's state — spawn, destroy,
 * reboot (soft, hard), power off/on, pause, suspend, resume, crash dump,
 * rebuild — as the reference does it: the same retries, ignored
 * errors, fallbacks and wait loops, every wait on the hv clock
 * (drv_sleep), so that a run on the fake is exact in virtual time.
 */
#include "drv-priv.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#define DESTROY_ATTEMPTS 3

/*
 * Poll every 0.5 s until the instance is RUNNING, as the reference's
 * _wait_for_boot, _wait_for_reboot and _wait_for_running loops do: an
 * error reading the state ends the wait with that error. The reference
 * waits without end; hvd stops after wait_for_running_seconds (0: never)
 * with InstanceNotRunning, which is the driver's own limit, not a
 * hypervisor error (a soft reboot does not fall back on it).
 */
static int
wait_for_running(drv *d, const drv_instance *inst, drv_error *err)
{
    int64_t limit = (int64_t)d->cfg.wait_for_running_seconds * HV_NS_PER_SEC;
    int64_t deadline = hv_now(d->conn) + limit;
    drv_info info;

    for (;;) {
        if (drv_get_info(d, inst, &info, err) < 0)
            return -1;
        if (info.state == DRV_POWER_RUNNING)
            return 0;
        if (limit > 0 && hv_now(d->conn) >= deadline) {
            drv_error_set(err, DRV_ERR_INSTANCE_NOT_RUNNING,
                          "instance %s did not reach RUNNING within %d s "
                          "(wait_for_running_seconds; state %s)",
                          inst->uuid, d->cfg.wait_for_running_seconds,
                          drv_power_state_name(info.state));
            return -1;
        }
        if (drv_sleep(d, DRV_POLL_NS, err) < 0)
            return -1;
    }
}

/* Define the domain from xml and, if asked, start it (paused or not). */
hv_domain *
drv_create_domain(drv *d, const drv_instance *inst, const char *xml,
                  bool power_on, bool paused, drv_error *err)
{
    hv_error hv;
    hv_domain *dom = hv_domain_define(d->conn, xml, &hv);

    if (!dom) {
        drv_set_hv_error(err, &hv, "define", inst);
        return NULL;
    }
    if (power_on &&
        hv_domain_create(dom, paused ? HV_CREATE_START_PAUSED : 0, &hv) < 0) {
        drv_set_hv_error(err, &hv, "start", inst);
        hv_domain_free(dom);
        return NULL;
    }
    return dom;
}

/*
 * Undo a start that failed inside the reference's try (its
 * _cleanup_failed_start): power the guest off only if there is one and it
 * is active, then, whatever that gave, clean up as destroy does (VIFs,
 * volumes when destroy_disks, definition). err holds why the start failed;
 * an error of the power-off replaces it, and one of the clean-up replaces
 * both, as Python's try/finally lets the last exception out.
 */
static void
cleanup_failed_start(drv *d, const drv_instance *inst, hv_domain *dom,
                     bool destroy_disks, drv_error *err)
{
    drv_error off, clean;
    hv_domain_info info;
    hv_error hv;

    drv_error_reset(&off);
    drv_error_reset(&clean);
    if (dom) {
        /* libvirt's isActive: a domain with a process, paused ones too */
        if (hv_domain_get_info(dom, &info, &hv) < 0)
            drv_set_hv_error(&off, &hv, "is_active", inst);
        else if (info.state != HV_STATE_SHUTOFF &&
                 hv_domain_destroy(dom, 0, &hv) < 0)
            drv_set_hv_error(&off, &hv, "power off after a failed start",
                             inst);
    }
    drv_cleanup_instance(d, inst, destroy_disks, false, true, &clean);
    if (clean.kind != DRV_OK)
        *err = clean;
    else if (off.kind != DRV_OK)
        *err = off;
}

/*
 * The reference's _create_domain_and_network: plug the VIFs (always, even
 * when they are plugged already), define and start the domain, paused
 * while VIF events are awaited (power_on, VIFs not plugged already, a
 * timeout, inactive VIFs), wait for them, resume. A failure up to and
 * including the wait undoes the start (cleanup_failed_start, deleting the
 * volumes if destroy_disks); the resume sits after the reference's try, so
 * a failed resume is returned as it is, the paused guest left alone.
 */
static int
create_domain_and_network(drv *d, const drv_instance *inst, const char *xml,
                          bool power_on, bool vifs_plugged,
                          bool destroy_disks, drv_error *err)
{
    bool pause = power_on && !vifs_plugged && drv_vifs_pending(d, inst);
    hv_domain *dom = NULL;
    hv_error hv;
    int got;

    drv_vifs_plug(d, inst);
    /* a start that fails leaves no guest to power off, only a definition
     * for the clean-up to remove */
    if (!(dom = drv_create_domain(d, inst, xml, power_on, pause, err)))
        goto error;
    if (pause) {
        got = drv_wait_for_vifs(d, inst, err);
        if (got < 0)
            goto error;
        if (got == 0 && d->cfg.vif_plugging_is_fatal) {
            drv_error_set(err, DRV_ERR_VIF_CREATE,
                          "Virtual Interface creation failed: timed out "
                          "after %d s waiting for network-vif-plugged of "
                          "instance %s",
                          d->cfg.vif_plugging_timeout, inst->uuid);
            goto error;
        }
        if (hv_domain_resume(dom, &hv) < 0) {
            drv_set_hv_error(err, &hv, "resume", inst);
            hv_domain_free(dom);
            return -1;
        }
    }
    hv_domain_free(dom);
    return 0;

error:
    cleanup_failed_start(d, inst, dom, destroy_disks, err);
    hv_domain_free(dom);
    return -1;
}

/* ---- spawn ---- */

static int
check_instance(const drv_instance *inst, drv_error *err)
{
    if (!inst || !inst->uuid || !inst->name || inst->flavor.vcpus == 0 ||
        inst->flavor.memory_mb == 0) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "an instance needs a uuid, a name, vCPUs and memory");
        return -1;
    }
    return 0;
}

/*
 * The reference's spawn: images, XML, _create_domain_and_network (which
 * cleans up after itself, volumes included), then the wait for RUNNING,
 * which sits outside any try: its failure, like a failed resume, is
 * returned with the guest left for the caller's destroy (the compute
 * manager's _shutdown_instance). A failure before the domain (disks, XML)
 * leaves no volume behind (hvd's all-or-none, where the reference leaves
 * that to the manager too).
 */
int
drv_spawn(drv *d, const drv_instance *inst, bool power_on, drv_error *err)
{
    char *xml = NULL;
    int exists, ret = -1;

    drv_error_reset(err);
    if (check_instance(inst, err) < 0)
        return -1;
    if ((exists = drv_instance_exists(d, inst, err)) != 0) {
        if (exists > 0)
            drv_error_set(err, DRV_ERR_INSTANCE_EXISTS,
                          "Instance %s already exists.", inst->name);
        return -1;
    }
    /* the reference's _create_image: the folder first, then the disks;
     * the console log before the XML (_ensure_console_log_for_instance) */
    if (drv_create_instance_dir(d, inst, err) < 0)
        return -1;
    if (drv_create_disks(d, inst, err) < 0) {
        drv_remove_instance_dir(d, inst);
        return -1;
    }
    /* _create_image ends with the config drive, in the instance folder */
    if (drv_ensure_console_log(d, inst, err) < 0 ||
        drv_config_drive_build(d, inst, err) < 0 ||
        !(xml = drv_build_xml(d, inst, NULL, err))) {
        drv_delete_instance_volumes(d, inst);
        drv_remove_instance_dir(d, inst);
        goto cleanup;
    }
    if (create_domain_and_network(d, inst, xml, power_on, false, true,
                                  err) < 0)
        goto cleanup;
    if (power_on && wait_for_running(d, inst, err) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    g_free(xml);
    return ret;
}

/* ---- destroy ---- */

/*
 * Power the domain off, as the reference's _destroy: NO_DOMAIN is fine,
 * OPERATION_INVALID is fine if it is already shut off, OPERATION_TIMEOUT is
 * a power-off failure, SYSTEM_ERROR/EBUSY is tried up to three times; then
 * wait until it is off, and destroy again if it was started meanwhile.
 * The reference takes the old ID from the domain it holds, with no call
 * that can fail: here a failed read of it is no reason to leave the guest
 * running, so the destroy call is made anyway (with -1 as the old ID).
 */
int
drv_destroy_domain(drv *d, const drv_instance *inst, int attempt,
                   drv_error *err)
{
    hv_domain *dom;
    hv_error hv;
    int old_id = -1;

    dom = drv_get_guest(d, inst, err);
    if (!dom) {
        if (err->kind != DRV_ERR_INSTANCE_NOT_FOUND)
            return -1;
        drv_error_reset(err);
    } else {
        if (drv_guest_state(d, inst, dom, &old_id, err) < 0)
            old_id = -1;
        drv_error_reset(err);
        if (hv_domain_destroy(dom, 0, &hv) < 0) {
            bool okay = false;

            if (hv.code == HV_ERR_NO_DOMAIN) {
                okay = true;
            } else if (hv.code == HV_ERR_OPERATION_INVALID) {
                int state = drv_guest_state(d, inst, dom, NULL, err);

                if (state < 0)
                    goto fail; /* the reference lets this error out */
                okay = state == DRV_POWER_SHUTDOWN;
            } else if (hv.code == HV_ERR_OPERATION_TIMEOUT) {
                drv_error_set(err, DRV_ERR_INSTANCE_POWER_OFF_FAILURE,
                              "Failed to power off instance: operation time "
                              "out");
                err->hv = hv;
                goto fail;
            } else if (hv.code == HV_ERR_SYSTEM_ERROR &&
                       hv.sys_errno == EBUSY && attempt < DESTROY_ATTEMPTS) {
                hv_domain_free(dom);
                return drv_destroy_domain(d, inst, attempt + 1, err);
            }
            if (!okay) {
                drv_set_hv_error(err, &hv, "destroy", inst);
                goto fail;
            }
        }
        hv_domain_free(dom);
        dom = NULL;
    }

    for (;;) {
        drv_info info;

        if (drv_get_info(d, inst, &info, err) < 0) {
            if (err->kind == DRV_ERR_INSTANCE_NOT_FOUND) {
                drv_error_reset(err); /* it vanished: fine */
                return 0;
            }
            return -1;
        }
        if (info.state == DRV_POWER_SHUTDOWN)
            return 0;
        if (info.id != old_id) /* started again meanwhile */
            return drv_destroy_domain(d, inst, 1, err);
        if (drv_sleep(d, DRV_POLL_NS, err) < 0)
            return -1;
    }

fail:
    hv_domain_free(dom);
    return -1;
}

/* Undefine with the managed-save and NVRAM flags, else plainly. */
static int
undefine_domain(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom = drv_get_guest(d, inst, err);
    hv_error hv;
    int ret = 0;

    if (!dom) {
        if (err->kind != DRV_ERR_INSTANCE_NOT_FOUND)
            return -1;
        drv_error_reset(err);
        return 0;
    }
    if (hv_domain_undefine(dom, HV_UNDEFINE_MANAGED_SAVE | HV_UNDEFINE_NVRAM,
                           &hv) < 0 &&
        hv.code != HV_ERR_NO_DOMAIN &&
        hv_domain_undefine(dom, 0, &hv) < 0 && hv.code != HV_ERR_NO_DOMAIN) {
        drv_set_hv_error(err, &hv, "undefine", inst);
        ret = -1;
    }
    hv_domain_free(dom);
    return ret;
}

/*
 * The reference's cleanup, after the domain is off: VIFs when
 * destroy_vifs (errors ignored), the instance's volumes when
 * destroy_disks, its files (delete_instance_files) when destroy_disks or
 * delete_files (the reference's shared block storage), and last the
 * definition, whose failure is returned. Volumes kept by
 * destroy_disks=false stay for the caller.
 */
int
drv_cleanup_instance(drv *d, const drv_instance *inst, bool destroy_disks,
                     bool delete_files, bool destroy_vifs, drv_error *err)
{
    if (destroy_vifs)
        drv_vifs_unplug(d, inst);
    if (destroy_disks)
        drv_delete_instance_volumes(d, inst);
    /* the reference deletes the instance files before it undefines */
    if (destroy_disks || delete_files)
        drv_cleanup_instance_files(d, inst);
    if (undefine_domain(d, inst, err) < 0)
        return -1;
    return 0;
}

int
drv_destroy(drv *d, const drv_instance *inst, bool destroy_disks,
            drv_error *err)
{
    drv_error_reset(err);
    if (drv_destroy_domain(d, inst, 1, err) < 0)
        return -1;
    return drv_cleanup_instance(d, inst, destroy_disks, false, true, err);
}

/* ---- reboot ---- */

/*
 * The reference's _hard_reboot: destroy, undefine, make again the disks
 * that are missing (its _create_images_and_backing), define from fresh
 * XML and start through _create_domain_and_network (VIFs plugged again,
 * no VIF events awaited), then wait for RUNNING. A failed start is undone
 * but keeps the instance's volumes (docs/reference-differences.md).
 */
static int
hard_reboot(drv *d, const drv_instance *inst, drv_error *err)
{
    char *xml;
    int rc;

    if (drv_destroy_domain(d, inst, 1, err) < 0 ||
        undefine_domain(d, inst, err) < 0)
        return -1;
    /* the reference's fileutils.ensure_tree(instance_dir), then its
     * _create_images_and_backing */
    if (drv_create_instance_dir(d, inst, err) < 0 ||
        drv_ensure_disks(d, inst, err) < 0)
        return -1;
    if (!(xml = drv_build_xml(d, inst, NULL, err)))
        return -1;
    rc = create_domain_and_network(d, inst, xml, true, true, false, err);
    g_free(xml);
    if (rc < 0)
        return -1;
    return wait_for_running(d, inst, err);
}

/*
 * The reference's _soft_reboot: ACPI shutdown (if running), then look
 * once a second, for wait_soft_reboot_seconds, for a new domain ID; off
 * (or crashed) with a new ID: start it again and wait for RUNNING;
 * running with a new ID: the guest rebooted by itself. Returns 1 done,
 * 0 to fall back to a hard reboot: a hypervisor error of the shutdown or
 * the start (the reference's libvirtError) or no new ID in time; -1 with
 * err for every other failure (lookups and state reads, which the
 * reference raises as Nova exceptions, and the wait for RUNNING), which
 * reboot returns without a hard reboot.
 */
static int
soft_reboot(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom = drv_get_guest(d, inst, err);
    hv_error hv;
    int state, old_id = -1, new_id = -1, ret = -1;

    if (!dom)
        return -1;
    if ((state = drv_guest_state(d, inst, dom, &old_id, err)) < 0)
        goto cleanup;
    if (state == DRV_POWER_RUNNING && hv_domain_shutdown(dom, 0, &hv) < 0) {
        ret = 0;
        goto cleanup;
    }
    for (int x = 0; x < d->cfg.wait_soft_reboot_seconds; x++) {
        hv_domain_free(dom);
        if (!(dom = drv_get_guest(d, inst, err)))
            return -1;
        if ((state = drv_guest_state(d, inst, dom, &new_id, err)) < 0)
            goto cleanup;
        if (old_id != new_id) {
            if (state == DRV_POWER_SHUTDOWN || state == DRV_POWER_CRASHED) {
                if (hv_domain_create(dom, 0, &hv) < 0) {
                    ret = 0;
                    goto cleanup;
                }
                ret = wait_for_running(d, inst, err) < 0 ? -1 : 1;
            } else {
                ret = 1; /* it rebooted by itself meanwhile */
            }
            goto cleanup;
        }
        if (drv_sleep(d, HV_NS_PER_SEC, err) < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    hv_domain_free(dom);
    return ret;
}

int
drv_reboot(drv *d, const drv_instance *inst, drv_reboot_type type,
           drv_error *err)
{
    drv_error_reset(err);
    if (type == DRV_REBOOT_SOFT) {
        int rc = soft_reboot(d, inst, err);

        if (rc != 0)
            return rc > 0 ? 0 : -1;
        drv_error_reset(err); /* soft failed: hard reboot */
    }
    return hard_reboot(d, inst, err);
}

/* ---- power ---- */

/* The shutdown states of the reference's _clean_shutdown. */
static bool
is_shut_down(int state)
{
    return state == DRV_POWER_SHUTDOWN || state == DRV_POWER_CRASHED;
}

/*
 * The reference's _clean_shutdown: ACPI shutdown, then look once a second
 * for timeout seconds, re-sending it every retry_interval seconds. No
 * domain at first: nothing to wait for. The first request, and every
 * lookup and state read, return their error; only a re-sent request may
 * fail (the guest may have just gone off), and then the next look comes
 * at once, without the second's sleep. Returns 1 shut down, 0 not in
 * time, -1 with err.
 */
static int
clean_shutdown(drv *d, const drv_instance *inst, int timeout,
               int retry_interval, drv_error *err)
{
    hv_domain *dom = drv_get_guest(d, inst, err);
    hv_error hv;
    int state, countdown = retry_interval, ret = -1;

    if (!dom) {
        if (err->kind != DRV_ERR_INSTANCE_NOT_FOUND)
            return -1;
        drv_error_reset(err); /* gone: nothing to wait for */
        return 1;
    }
    if ((state = drv_guest_state(d, inst, dom, NULL, err)) < 0)
        goto cleanup;
    if (is_shut_down(state)) {
        ret = 1;
        goto cleanup;
    }
    if (hv_domain_shutdown(dom, 0, &hv) < 0) {
        drv_set_hv_error(err, &hv, "shutdown", inst);
        goto cleanup;
    }
    for (int sec = 0; sec < timeout; sec++) {
        hv_domain_free(dom);
        if (!(dom = drv_get_guest(d, inst, err)))
            return -1;
        if ((state = drv_guest_state(d, inst, dom, NULL, err)) < 0)
            goto cleanup;
        if (is_shut_down(state)) {
            ret = 1;
            goto cleanup;
        }
        if (countdown == 0) {
            countdown = retry_interval;
            if (hv_domain_shutdown(dom, 0, &hv) < 0)
                continue;
        } else {
            countdown--;
        }
        if (drv_sleep(d, HV_NS_PER_SEC, err) < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    hv_domain_free(dom);
    return ret;
}

/* The reference's power_off: a clean shutdown if timeout, whose errors
 * are returned (the guest is then not destroyed); then destroy. */
int
drv_power_off(drv *d, const drv_instance *inst, int timeout,
              int retry_interval, drv_error *err)
{
    drv_error_reset(err);
    if (timeout > 0 &&
        clean_shutdown(d, inst, timeout, retry_interval, err) < 0)
        return -1;
    return drv_destroy_domain(d, inst, 1, err);
}

int
drv_power_on(drv *d, const drv_instance *inst, drv_error *err)
{
    drv_error_reset(err);
    return hard_reboot(d, inst, err);
}

/* Run one domain call on the instance's domain. */
static int
guest_call(drv *d, const drv_instance *inst,
           int (*call)(hv_domain *, hv_error *), const char *what,
           drv_error *err)
{
    hv_domain *dom;
    hv_error hv;
    int rc;

    drv_error_reset(err);
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    if ((rc = call(dom, &hv)) < 0)
        drv_set_hv_error(err, &hv, what, inst);
    hv_domain_free(dom);
    return rc;
}

int
drv_pause(drv *d, const drv_instance *inst, drv_error *err)
{
    return guest_call(d, inst, hv_domain_suspend, "pause", err);
}

int
drv_unpause(drv *d, const drv_instance *inst, drv_error *err)
{
    return guest_call(d, inst, hv_domain_resume, "unpause", err);
}

int
drv_suspend(drv *d, const drv_instance *inst, drv_error *err)
{
    return guest_call(d, inst, hv_domain_managed_save, "suspend", err);
}

/* The domain's current XML, or fresh XML if it has no domain. */
char *
drv_existing_domain_xml(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom = drv_get_guest(d, inst, err);
    hv_error hv;
    char *xml;

    if (!dom) {
        if (err->kind != DRV_ERR_INSTANCE_NOT_FOUND)
            return NULL;
        drv_error_reset(err);
        return drv_build_xml(d, inst, NULL, err);
    }
    if (!(xml = hv_domain_get_xml(dom, HV_XML_INACTIVE, &hv)))
        drv_set_hv_error(err, &hv, "get_xml", inst);
    hv_domain_free(dom);
    return xml;
}

/* The reference's resume: the existing XML through
 * _create_domain_and_network (VIFs plugged again), then wait for RUNNING. */
int
drv_resume(drv *d, const drv_instance *inst, drv_error *err)
{
    char *xml;
    int rc;

    drv_error_reset(err);
    if (!(xml = drv_existing_domain_xml(d, inst, err)))
        return -1;
    rc = create_domain_and_network(d, inst, xml, true, true, false, err);
    g_free(xml);
    if (rc < 0)
        return -1;
    return wait_for_running(d, inst, err);
}

int
drv_resume_state_on_host_boot(drv *d, const drv_instance *inst,
                              drv_error *err)
{
    hv_domain *dom;
    int state;

    drv_error_reset(err);
    if ((dom = drv_get_guest(d, inst, err))) {
        state = drv_guest_state(d, inst, dom, NULL, err);
        hv_domain_free(dom);
        if (state == DRV_POWER_RUNNING || state == DRV_POWER_SUSPENDED ||
            state == DRV_POWER_NOSTATE || state == DRV_POWER_PAUSED)
            return 0;
    }
    /* not up, or in an unknown state: make it run, as absolutely as can be */
    drv_error_reset(err);
    return hard_reboot(d, inst, err);
}

int
drv_trigger_crash_dump(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom;
    hv_error hv;
    int rc;

    drv_error_reset(err);
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    rc = hv_domain_inject_nmi(dom, &hv);
    hv_domain_free(dom);
    if (rc == 0)
        return 0;
    if (hv.code == HV_ERR_NO_SUPPORT)
        drv_error_set(err, DRV_ERR_NMI_NOT_SUPPORTED,
                      "Triggering crash dump is not supported");
    else if (hv.code == HV_ERR_OPERATION_INVALID)
        drv_error_set(err, DRV_ERR_INSTANCE_NOT_RUNNING,
                      "Instance %s is not running.", inst->uuid);
    else
        drv_set_hv_error(err, &hv,
                         "Error from libvirt while injecting an NMI", inst);
    err->hv = hv;
    return -1;
}

/* What the reference libvirt driver leaves to the contract's default. */
static int
not_implemented(const drv_instance *inst, const char *what, drv_error *err)
{
    drv_error_reset(err);
    drv_error_set(err, DRV_ERR_NOT_SUPPORTED,
                  "%s is not implemented by the libvirt driver (instance %s)",
                  what, inst ? inst->uuid : "?");
    return -1;
}

int
drv_soft_delete(drv *d, const drv_instance *inst, drv_error *err)
{
    (void)d;
    return not_implemented(inst, "soft_delete", err);
}

int
drv_restore(drv *d, const drv_instance *inst, drv_error *err)
{
    (void)d;
    return not_implemented(inst, "restore", err);
}

int
drv_rebuild(drv *d, const drv_instance *inst, drv_error *err)
{
    drv_error_reset(err);
    /* attached volumes are the user's: only the instance's own disks go */
    if (drv_destroy(d, inst, true, err) < 0)
        return -1;
    return drv_spawn(d, inst, true, err);
}

int
drv_poll_rebooting_instances(drv *d, int timeout, drv_error *err)
{
    (void)d;
    (void)timeout;
    drv_error_reset(err);
    return 0;
}

/* ---- lent to drv-migrate-cold.c (drv-priv.h) ---- */

int
drv_start_guest(drv *d, const drv_instance *inst, const char *xml,
                bool power_on, bool vifs_plugged, bool destroy_disks,
                drv_error *err)
{
    return create_domain_and_network(d, inst, xml, power_on, vifs_plugged,
                                     destroy_disks, err);
}

int
drv_wait_running(drv *d, const drv_instance *inst, drv_error *err)
{
    return wait_for_running(d, inst, err);
}

int
drv_undefine_guest(drv *d, const drv_instance *inst, drv_error *err)
{
    return undefine_domain(d, inst, err);
}
