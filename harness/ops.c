/*
 * ops.c: the descriptor tables of scenario operations and fault kinds
 * (ops.h), and the one function each entry needs.
 */
#include "ops.h"

#include <stddef.h>

#include "fake.h"

/* ---- scenario operations: the driver calls ---- */

static int
call_spawn(drv *d, const drv_instance *inst, const scn_step *st,
           const char *host, drv_error *err)
{
    (void)host;
    return drv_spawn(d, inst, st->power_on, err);
}

static int
call_destroy(drv *d, const drv_instance *inst, const scn_step *st,
             const char *host, drv_error *err)
{
    (void)host;
    return drv_destroy(d, inst, st->destroy_disks, err);
}

static int
call_reboot(drv *d, const drv_instance *inst, const scn_step *st,
            const char *host, drv_error *err)
{
    (void)host;
    return drv_reboot(d, inst, st->reboot_type, err);
}

static int
call_power_off(drv *d, const drv_instance *inst, const scn_step *st,
               const char *host, drv_error *err)
{
    (void)host;
    return drv_power_off(d, inst, st->timeout, st->retry_interval, err);
}

static int
call_get_info(drv *d, const drv_instance *inst, const scn_step *st,
              const char *host, drv_error *err)
{
    drv_info info;

    (void)st;
    (void)host;
    return drv_get_info(d, inst, &info, err);
}

static int
call_get_resources(drv *d, const drv_instance *inst, const scn_step *st,
                   const char *host, drv_error *err)
{
    drv_resources res;

    (void)inst;
    (void)st;
    (void)host;
    return drv_get_available_resource(d, &res, err);
}

static int
call_init_host(drv *d, const drv_instance *inst, const scn_step *st,
               const char *host, drv_error *err)
{
    (void)inst;
    (void)st;
    return drv_init_host(d, host, err);
}

/* Operations that take the instance and nothing else. */
#define CALL_INSTANCE(fn)                                                     \
    static int call_##fn(drv *d, const drv_instance *inst,                    \
                         const scn_step *st, const char *host,                \
                         drv_error *err)                                      \
    {                                                                         \
        (void)st;                                                             \
        (void)host;                                                           \
        return drv_##fn(d, inst, err);                                        \
    }

CALL_INSTANCE(power_on)
CALL_INSTANCE(pause)
CALL_INSTANCE(unpause)
CALL_INSTANCE(suspend)
CALL_INSTANCE(resume)
CALL_INSTANCE(rescue)
CALL_INSTANCE(unrescue)
CALL_INSTANCE(rebuild)
CALL_INSTANCE(trigger_crash_dump)
CALL_INSTANCE(resume_state_on_host_boot)
CALL_INSTANCE(soft_delete)
CALL_INSTANCE(restore)

#undef CALL_INSTANCE

/* ---- scenario operations: the table ---- */

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define INSTANCE_KEYS KEYS("op", "instance", "expect", "description")

static const ops_op op_table[SCN__OP_COUNT] = {
    [SCN_OP_SPAWN] = {
        .name = "spawn",
        .keys = KEYS("op", "instance", "power_on", "expect", "description"),
        .call = call_spawn,
        .after = OPS_AFTER_BY_POWER_ON,
        .on_ok = OPS_BELIEF_ALIVE,
        .on_error = OPS_BELIEF_GONE_UNLESS_ALIVE,
        .id_baseline = true,
    },
    [SCN_OP_DESTROY] = {
        .name = "destroy",
        .keys = KEYS("op", "instance", "destroy_disks", "expect",
                     "description"),
        .call = call_destroy,
        .on_ok = OPS_BELIEF_GONE,
    },
    [SCN_OP_REBOOT] = {
        .name = "reboot",
        .keys = KEYS("op", "instance", "type", "expect", "description"),
        .call = call_reboot,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_POWER_OFF] = {
        .name = "power_off",
        .keys = KEYS("op", "instance", "timeout", "retry_interval", "expect",
                     "description"),
        .call = call_power_off,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_SHUTDOWN,
    },
    [SCN_OP_POWER_ON] = {
        .name = "power_on", .keys = INSTANCE_KEYS, .call = call_power_on,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_PAUSE] = {
        .name = "pause", .keys = INSTANCE_KEYS, .call = call_pause,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_PAUSED,
    },
    [SCN_OP_UNPAUSE] = {
        .name = "unpause", .keys = INSTANCE_KEYS, .call = call_unpause,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_SUSPEND] = {
        .name = "suspend", .keys = INSTANCE_KEYS, .call = call_suspend,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_SHUTDOWN,
    },
    [SCN_OP_RESUME] = {
        .name = "resume", .keys = INSTANCE_KEYS, .call = call_resume,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_RESCUE] = {
        .name = "rescue", .keys = INSTANCE_KEYS, .call = call_rescue,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_UNRESCUE] = {
        .name = "unrescue", .keys = INSTANCE_KEYS, .call = call_unrescue,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
    },
    [SCN_OP_REBUILD] = {
        .name = "rebuild", .keys = INSTANCE_KEYS, .call = call_rebuild,
        .after = OPS_AFTER_STATE, .state = DRV_POWER_RUNNING,
        .on_ok = OPS_BELIEF_ALIVE,
    },
    [SCN_OP_TRIGGER_CRASH_DUMP] = {
        .name = "trigger_crash_dump", .keys = INSTANCE_KEYS,
        .call = call_trigger_crash_dump,
    },
    [SCN_OP_RESUME_STATE_ON_HOST_BOOT] = {
        .name = "resume_state_on_host_boot", .keys = INSTANCE_KEYS,
        .call = call_resume_state_on_host_boot,
        .after = OPS_AFTER_RUNNING_OR_AS_WAS,
    },
    [SCN_OP_SOFT_DELETE] = {
        .name = "soft_delete", .keys = INSTANCE_KEYS,
        .call = call_soft_delete,
    },
    [SCN_OP_RESTORE] = {
        .name = "restore", .keys = INSTANCE_KEYS, .call = call_restore,
    },
    [SCN_OP_GET_INFO] = {
        .name = "get_info", .keys = INSTANCE_KEYS, .call = call_get_info,
    },
    [SCN_OP_GET_RESOURCES] = {
        .name = "get_resources",
        .keys = KEYS("op", "host", "expect", "description"),
        .target = OPS_TARGET_HOST,
        .call = call_get_resources,
    },
    [SCN_OP_INIT_HOST] = {
        .name = "init_host",
        .keys = KEYS("op", "host", "expect", "description"),
        .target = OPS_TARGET_HOST,
        .call = call_init_host,
    },
};

const ops_op *
ops_op_get(int op)
{
    if (op < 0 || op >= SCN__OP_COUNT || !op_table[op].name)
        return NULL;
    return &op_table[op];
}

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
guest_restarts_on_shutdown(const scn_fault *f, fake_guest *g)
{
    (void)f;
    g->restarts_on_shutdown = true;
}

static void
at_guest_crash(fake_host *fh, const char *instance)
{
    hv_error hv;

    fake_domain_crash(fh, instance, &hv);
}

static void
at_disk_full(fake_host *fh, const char *instance)
{
    (void)instance;
    fake_host_set_disk_free(fh, 0);
}

static void
at_daemon_stop(fake_host *fh, const char *instance)
{
    (void)instance;
    fake_host_daemon_stop(fh);
}

static void
at_daemon_start(fake_host *fh, const char *instance)
{
    (void)instance;
    fake_host_daemon_start(fh);
}

static void
at_host_crash(fake_host *fh, const char *instance)
{
    (void)instance;
    fake_host_crash_reboot(fh);
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
        .fake_only = true,
        .schedule = OPS_FAULT_AT_TIME,
        .args = {ARG(INSTANCE), ARG(AT_S)},
        .at = at_guest_crash,
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
        .fake_only = true,
        .schedule = OPS_FAULT_AT_TIME,
        .args = {ARG(HOST), OPTIONAL(AT_S)},
        .at = at_disk_full,
    },
    [SCN_FAULT_CONNECTION_LOST] = {
        .name = "connection_lost",
        .fake_only = true,
        .schedule = OPS_FAULT_AT_TIME,
        .args = {ARG(HOST), ARG(AT_S), ARG(FOR_S)},
        .at = at_daemon_stop,
        .end = at_daemon_start,
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
    case OPS_ARG_NONE:
        break;
    }
    return NULL;
}
