/*
 * ops-fault.c: the fault kinds of scenarios (ops.h's fault table): what
 * each does in the fake's world, what it does on a real libvirt host at
 * wall time, and the table the parser and the runner read.
 */
#include "ops.h"


#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "fake.h"
#include "hv-libvirt.h"
#include "ops-host.h"
#include "ops-iface.h"
#include "ops-migrate.h"
#include "ops-volume.h"
#include "ops-names.h"
#include "ops-snapshot.h"
#include "ops-result.h"

/* ---- fault kinds: what they do ---- */

static void
guest_ignores_acpi(const scn_fault *f, fake_guest *g)
{
    (void)f;
    g->honours_acpi = false;
}

static void
guest_slow_boot(const scn_fault *f, fake_guest *g)
{
    g->boot_ns = scn_ns(f->boot_s);
}

static void
guest_holds_device(const scn_fault *f, fake_guest *g)
{
    (void)f;
    g->holds_devices = true;
}

static void
guest_restarts_on_shutdown(const scn_fault *f, fake_guest *g)
{
    (void)f;
    g->restarts_on_shutdown = true;
}

static void
at_guest_crash(fake_host *fh, const char *instance, const scn_fault *f)
{
    (void)f;
    hv_error hv;

    fake_domain_crash(fh, instance, &hv);
}

static void
at_disk_full(fake_host *fh, const char *instance, const scn_fault *f)
{
    (void)f;
    (void)instance;
    fake_host_set_disk_free(fh, 0);
}

static void
at_daemon_stop(fake_host *fh, const char *instance, const scn_fault *f)
{
    (void)f;
    (void)instance;
    fake_host_daemon_stop(fh);
}

static void
at_daemon_start(fake_host *fh, const char *instance, const scn_fault *f)
{
    (void)f;
    (void)instance;
    fake_host_daemon_start(fh);
}

/* The migration of the instance (running, or its next one) fails once
 * 'percent' of its data has been sent. */
static void
at_migration_fails(fake_host *fh, const char *instance, const scn_fault *f)
{
    hv_error hv;

    fake_migration_fail_at(fake_host_world(fh), instance, f->percent, &hv);
}

/* The link between the migration's two hosts breaks now (nothing happens
 * if the instance is not migrating). */
static void
at_migration_connection_lost(fake_host *fh, const char *instance,
                             const scn_fault *f)
{
    hv_error hv;

    (void)f;
    fake_migration_connection_lost(fake_host_world(fh), instance, &hv);
}

static void
at_host_crash(fake_host *fh, const char *instance, const scn_fault *f)
{
    (void)f;
    (void)instance;
    fake_host_crash_reboot(fh);
}

/* ---- fault kinds: what they do on a real libvirt host (wall time) ---- */

/* Where libvirt's QEMU driver keeps a running domain's pid file (system
 * daemon); HVD_QEMU_PID_DIR for another daemon's. */
static const char *
qemu_pid_dir(void)
{
    const char *dir = getenv("HVD_QEMU_PID_DIR");

    return dir && *dir ? dir : "/run/libvirt/qemu";
}

/* guest_crash: SIGKILL to the guest's QEMU process, as a crash of QEMU
 * itself; only a process whose name starts with "qemu" is killed. */
static int
real_guest_crash(const ops_real_target *tg, char **why)
{
    char *path = g_strdup_printf("%s/%s.pid", qemu_pid_dir(), tg->domain);
    char *text = NULL, *comm = NULL, *commf = NULL, *end = NULL;
    GError *gerr = NULL;
    long pid = 0;
    int rc = -1;

    if (!g_file_get_contents(path, &text, NULL, &gerr)) {
        *why = g_strdup_printf("no QEMU pid for domain %s: %s", tg->domain,
                               gerr->message);
        goto out;
    }
    pid = strtol(text, &end, 10);
    if (end == text || pid <= 1) {
        *why = g_strdup_printf("%s: no pid in it", path);
        goto out;
    }
    commf = g_strdup_printf("/proc/%ld/comm", pid);
    if (!g_file_get_contents(commf, &comm, NULL, NULL) ||
        !g_str_has_prefix(comm, "qemu")) {
        *why = g_strdup_printf("%s: pid %ld is not a QEMU process", path,
                               pid);
        goto out;
    }
    if (kill((pid_t)pid, SIGKILL) < 0) {
        *why = g_strdup_printf("kill -KILL %ld (%s): %s", pid, path,
                               g_strerror(errno));
        goto out;
    }
    rc = 0;
out:
    g_clear_error(&gerr);
    g_free(path);
    g_free(text);
    g_free(comm);
    g_free(commf);
    return rc;
}

/* The command that stops and starts a host's daemon, handed over by the
 * user: "$HVD_DAEMON_CTL stop|start HOST" (ci/daemon-ctl.sh). */
static const char *
daemon_ctl(void)
{
    const char *ctl = getenv("HVD_DAEMON_CTL");

    return ctl && *ctl ? ctl : NULL;
}

static const char *
connection_lost_unavailable(const scn *s, const scn_fault *f)
{
    (void)s;
    (void)f;
    return daemon_ctl() ? NULL
                        : "needs HVD_DAEMON_CTL, the command that stops and "
                          "starts the daemon (see docs/scenarios.md)";
}

static int
run_daemon_ctl(const char *verb, const ops_real_target *tg, char **why)
{
    const char *ctl = daemon_ctl();
    char **argv = NULL, *out = NULL, *errs = NULL;
    GError *gerr = NULL;
    int argc = 0, status = 0, rc = -1;

    if (!ctl) {
        *why = g_strdup("HVD_DAEMON_CTL is not set");
        return -1;
    }
    if (!g_shell_parse_argv(ctl, &argc, &argv, &gerr)) {
        *why = g_strdup_printf("HVD_DAEMON_CTL: %s", gerr->message);
        goto out;
    }
    argv = g_renew(char *, argv, argc + 3);
    argv[argc] = g_strdup(verb);
    argv[argc + 1] = g_strdup(tg->host);
    argv[argc + 2] = NULL;
    if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                      &out, &errs, &status, &gerr)) {
        *why = g_strdup_printf("%s %s %s: %s", ctl, verb, tg->host,
                               gerr->message);
        goto out;
    }
    if (!g_spawn_check_wait_status(status, &gerr)) {
        *why = g_strdup_printf("%s %s %s: %s: %s", ctl, verb, tg->host,
                               gerr->message, g_strstrip(errs));
        goto out;
    }
    rc = 0;
out:
    g_clear_error(&gerr);
    g_strfreev(argv);
    g_free(out);
    g_free(errs);
    return rc;
}

static int
real_daemon_stop(const ops_real_target *tg, char **why)
{
    return run_daemon_ctl("stop", tg, why);
}

static int
real_daemon_start(const ops_real_target *tg, char **why)
{
    return run_daemon_ctl("start", tg, why);
}

/* disk_full fills the pool with one preallocated raw volume of this name,
 * deleted when the run ends. Only a pool the user handed over. */
#define FILL_VOLUME "hvd-disk-full-filler.raw"

static const char *
disk_full_unavailable(const scn *s, const scn_fault *f)
{
    const char *pools = getenv("HVD_FILL_POOLS");
    char **v;
    bool ok;

    (void)f;
    if (!pools || !*pools)
        return "needs HVD_FILL_POOLS, the storage pools the harness may fill "
               "(see docs/scenarios.md)";
    v = g_strsplit(pools, ",", -1);
    ok = g_strv_contains((const char *const *)v, s->config.storage_pool);
    g_strfreev(v);
    return ok ? NULL : "the scenario's storage pool is not in HVD_FILL_POOLS";
}

static int
real_disk_fill(const ops_real_target *tg, char **why)
{
    hv_error hv;
    hv_conn *c = hv_libvirt_open(tg->uri, &hv);
    hv_pool_info pi;
    hv_vol_spec spec = {.name = FILL_VOLUME, .format = "raw"};
    int rc = -1;

    if (!c) {
        *why = g_strdup_printf("%s: %s", tg->uri, hv.message);
        return -1;
    }
    if (hv_pool_get_info(c, tg->pool, &pi, &hv) < 0)
        goto fail;
    spec.capacity = spec.allocation = pi.available;
    if (pi.available && hv_vol_create(c, tg->pool, &spec, &hv) < 0)
        goto fail;
    rc = 0;
    goto out;
fail:
    *why = g_strdup_printf("filling pool %s: %s", tg->pool, hv.message);
out:
    hv_conn_close(c);
    return rc;
}

static int
real_disk_unfill(const ops_real_target *tg, char **why)
{
    hv_error hv;
    hv_conn *c = hv_libvirt_open(tg->uri, &hv);
    int rc = 0;

    if (!c) {
        *why = g_strdup_printf("%s: %s", tg->uri, hv.message);
        return -1;
    }
    if (hv_vol_delete(c, tg->pool, FILL_VOLUME, &hv) < 0 &&
        hv.code != HV_ERR_NO_STORAGE_VOL) {
        *why = g_strdup_printf("deleting %s/%s: %s", tg->pool, FILL_VOLUME,
                               hv.message);
        rc = -1;
    }
    hv_conn_close(c);
    return rc;
}

/* ---- fault kinds: the table ---- */

#define ARG(k) {.kind = OPS_ARG_##k, .required = true}
#define OPTIONAL(k) {.kind = OPS_ARG_##k, .required = false}

static const ops_fault fault_table[SCN__FAULT_COUNT] = {
    [SCN_FAULT_HV_CALL] = {
        .name = "hv_call",
        .schedule = OPS_FAULT_ON_HV_CALL,
    },
    [SCN_FAULT_GUEST_IGNORES_ACPI] = {
        .name = "guest_ignores_acpi",
        .schedule = OPS_FAULT_ON_GUEST,
        .args = {ARG(INSTANCE)},
        .guest = guest_ignores_acpi,
    },
    [SCN_FAULT_GUEST_CRASH] = {
        .name = "guest_crash",
        .schedule = OPS_FAULT_AT_TIME,
        .args = {ARG(INSTANCE), ARG(AT_S)},
        .at = at_guest_crash,
        .real_at = real_guest_crash,
    },
    [SCN_FAULT_VIF_NEVER_PLUGGED] = {
        .name = "vif_never_plugged",
        .schedule = OPS_FAULT_ON_VIF_PLUG,
        .args = {ARG(INSTANCE), OPTIONAL(VIF)},
    },
    [SCN_FAULT_SLOW_BOOT] = {
        .name = "slow_boot",
        .fake_only = true,
        .schedule = OPS_FAULT_ON_GUEST,
        .args = {ARG(INSTANCE), ARG(BOOT_S)},
        .guest = guest_slow_boot,
    },
    [SCN_FAULT_DISK_FULL] = {
        .name = "disk_full",
        .schedule = OPS_FAULT_AT_TIME,
        .args = {ARG(HOST), OPTIONAL(AT_S)},
        .at = at_disk_full,
        .real_at = real_disk_fill,
        .real_end = real_disk_unfill,
        .real_unavailable = disk_full_unavailable,
    },
    [SCN_FAULT_CONNECTION_LOST] = {
        .name = "connection_lost",
        .schedule = OPS_FAULT_AT_TIME,
        .args = {ARG(HOST), ARG(AT_S), ARG(FOR_S)},
        .at = at_daemon_stop,
        .end = at_daemon_start,
        .real_at = real_daemon_stop,
        .real_end = real_daemon_start,
        .real_unavailable = connection_lost_unavailable,
    },
    [SCN_FAULT_MIGRATION_FAILS] = {
        .name = "migration_fails",
        .fake_only = true,
        .schedule = OPS_FAULT_AT_TIME,
        .args = {ARG(INSTANCE), ARG(PERCENT), OPTIONAL(AT_S)},
        .at = at_migration_fails,
    },
    [SCN_FAULT_MIGRATION_CONNECTION_LOST] = {
        .name = "migration_connection_lost",
        .fake_only = true,
        .schedule = OPS_FAULT_AT_TIME,
        .args = {ARG(INSTANCE), ARG(AT_S)},
        .at = at_migration_connection_lost,
    },
    [SCN_FAULT_HOST_CRASH] = {
        .name = "host_crash",
        .fake_only = true,
        .schedule = OPS_FAULT_AT_TIME,
        .args = {ARG(HOST), ARG(AT_S)},
        .at = at_host_crash,
    },
    [SCN_FAULT_GUEST_RESTARTS_ON_SHUTDOWN] = {
        .name = "guest_restarts_on_shutdown",
        .fake_only = true,
        .schedule = OPS_FAULT_ON_GUEST,
        .args = {ARG(INSTANCE)},
        .guest = guest_restarts_on_shutdown,
    },
    /* the network stand-in answers the plug with
     * "network-vif-plugged:failed" (Neutron's status "failed") */
    [SCN_FAULT_VIF_PLUG_FAILED] = {
        .name = "vif_plug_failed",
        .schedule = OPS_FAULT_ON_VIF_PLUG,
        .args = {ARG(INSTANCE), OPTIONAL(VIF)},
    },
    /* volumes: the guest never releases a device a live detach asks
     * for (the tiny guest releases a disk in 0.14 s) */
    [SCN_FAULT_GUEST_HOLDS_DEVICE] = {
        .name = "guest_holds_device",
        .fake_only = true,
        .schedule = OPS_FAULT_ON_GUEST,
        .args = {ARG(INSTANCE)},
        .guest = guest_holds_device,
    },
};

const ops_fault *
ops_fault_get(int kind)
{
    if (kind < 0 || kind >= SCN__FAULT_COUNT || !fault_table[kind].name)
        return NULL;
    return &fault_table[kind];
}

const char *
ops_arg_key(ops_arg_kind kind)
{
    switch (kind) {
    case OPS_ARG_INSTANCE:
        return "instance";
    case OPS_ARG_HOST:
        return "host";
    case OPS_ARG_VIF:
        return "vif";
    case OPS_ARG_AT_S:
        return "at_s";
    case OPS_ARG_FOR_S:
        return "for_s";
    case OPS_ARG_BOOT_S:
        return "boot_s";
    case OPS_ARG_PERCENT:
        return "percent";
    case OPS_ARG_NONE:
        break;
    }
    return NULL;
}
