/*
 * hv-names.c: the names of domain states and their reasons, of event types
 * and their details, and of operations (from HV_OPS).
 */
#include "hv-priv.h"

#include <glib.h>
#include <string.h>

/* ---- names of states, reasons, events, operations ---- */

static const char *const state_names[] = {
    "NOSTATE", "RUNNING", "BLOCKED", "PAUSED",
    "SHUTDOWN", "SHUTOFF", "CRASHED", "PMSUSPENDED",
};

const char *
hv_state_name(int state)
{
    if (state < 0 || state >= (int)G_N_ELEMENTS(state_names))
        return "UNKNOWN";
    return state_names[state];
}

static const char *
name_in(const char *const *names, size_t n, int i)
{
    if (i < 0 || (size_t)i >= n || !names[i])
        return "UNKNOWN";
    return names[i];
}
#define NAME_IN(arr, i) name_in((arr), G_N_ELEMENTS(arr), (i))

static const char *const running_reasons[] = {
    "UNKNOWN", "BOOTED", "MIGRATED", "RESTORED", "FROM_SNAPSHOT",
    "UNPAUSED", "MIGRATION_CANCELED", "SAVE_CANCELED", "WAKEUP", "CRASHED",
    "POSTCOPY", "POSTCOPY_FAILED",
};
static const char *const paused_reasons[] = {
    "UNKNOWN", "USER", "MIGRATION", "SAVE", "DUMP", "IOERROR", "WATCHDOG",
    "FROM_SNAPSHOT", "SHUTTING_DOWN", "SNAPSHOT", "CRASHED", "STARTING_UP",
    "POSTCOPY", "POSTCOPY_FAILED",
};
static const char *const shutdown_reasons[] = {"UNKNOWN", "USER"};
static const char *const shutoff_reasons[] = {
    "UNKNOWN", "SHUTDOWN", "DESTROYED", "CRASHED", "MIGRATED",
    "SAVED", "FAILED", "FROM_SNAPSHOT", "DAEMON",
};
static const char *const crashed_reasons[] = {"UNKNOWN", "PANICKED"};
static const char *const unknown_reasons[] = {"UNKNOWN"};

const char *
hv_state_reason_name(int state, int reason)
{
    switch (state) {
    case HV_STATE_RUNNING:
        return NAME_IN(running_reasons, reason);
    case HV_STATE_PAUSED:
        return NAME_IN(paused_reasons, reason);
    case HV_STATE_SHUTDOWN:
        return NAME_IN(shutdown_reasons, reason);
    case HV_STATE_SHUTOFF:
        return NAME_IN(shutoff_reasons, reason);
    case HV_STATE_CRASHED:
        return NAME_IN(crashed_reasons, reason);
    default:
        return NAME_IN(unknown_reasons, reason);
    }
}

static const char *const event_names[] = {
    "DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED",
    "STOPPED", "SHUTDOWN", "PMSUSPENDED", "CRASHED",
};

const char *
hv_event_type_name(int type)
{
    if (type == HV_EVENT_REBOOT)
        return "REBOOT";
    if (type == HV_EVENT_DEVICE_REMOVED)
        return "DEVICE_REMOVED";
    return NAME_IN(event_names, type);
}

static const char *const ev_defined[] = {"ADDED", "UPDATED", "RENAMED",
                                         "FROM_SNAPSHOT"};
static const char *const ev_undefined[] = {"REMOVED", "RENAMED"};
static const char *const ev_started[] = {"BOOTED", "MIGRATED", "RESTORED",
                                         "FROM_SNAPSHOT", "WAKEUP"};
static const char *const ev_suspended[] = {
    "PAUSED", "MIGRATED", "IOERROR", "WATCHDOG", "RESTORED",
    "FROM_SNAPSHOT", "API_ERROR", "POSTCOPY", "POSTCOPY_FAILED",
};
static const char *const ev_resumed[] = {"UNPAUSED", "MIGRATED",
                                         "FROM_SNAPSHOT", "POSTCOPY",
                                         "POSTCOPY_FAILED"};
static const char *const ev_stopped[] = {"SHUTDOWN", "DESTROYED", "CRASHED",
                                         "MIGRATED", "SAVED", "FAILED",
                                         "FROM_SNAPSHOT"};
static const char *const ev_shutdown[] = {"FINISHED", "GUEST", "HOST"};
static const char *const ev_pmsuspended[] = {"MEMORY", "DISK"};
static const char *const ev_crashed[] = {"PANICKED", "CRASHLOADED"};

const char *
hv_event_detail_name(int type, int detail)
{
    switch (type) {
    case HV_EVENT_DEFINED:
        return NAME_IN(ev_defined, detail);
    case HV_EVENT_UNDEFINED:
        return NAME_IN(ev_undefined, detail);
    case HV_EVENT_STARTED:
        return NAME_IN(ev_started, detail);
    case HV_EVENT_SUSPENDED:
        return NAME_IN(ev_suspended, detail);
    case HV_EVENT_RESUMED:
        return NAME_IN(ev_resumed, detail);
    case HV_EVENT_STOPPED:
        return NAME_IN(ev_stopped, detail);
    case HV_EVENT_SHUTDOWN:
        return NAME_IN(ev_shutdown, detail);
    case HV_EVENT_PMSUSPENDED:
        return NAME_IN(ev_pmsuspended, detail);
    case HV_EVENT_CRASHED:
        return NAME_IN(ev_crashed, detail);
    default:
        return "NONE";
    }
}

static const char *const op_names[HV_OP__COUNT] = {
#define HV_OP_NAME_(name, NAME, slot, mandatory) [HV_OP_##NAME] = #name,
    HV_OPS(HV_OP_NAME_)
#undef HV_OP_NAME_
};

const char *
hv_op_name(hv_op op)
{
    if ((int)op < 0 || op >= HV_OP__COUNT)
        return NULL;
    return op_names[op];
}

int
hv_op_from_name(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < HV_OP__COUNT; i++)
        if (strcmp(op_names[i], name) == 0)
            return i;
    return -1;
}

/* The keys of the dict Python's libvirt binding makes of memoryStats(),
 * which the reference prefixes with "memory-". */
static const char *const memstat_names[HV_MEMSTAT_NR] = {
    [HV_MEMSTAT_SWAP_IN] = "swap_in",
    [HV_MEMSTAT_SWAP_OUT] = "swap_out",
    [HV_MEMSTAT_MAJOR_FAULT] = "major_fault",
    [HV_MEMSTAT_MINOR_FAULT] = "minor_fault",
    [HV_MEMSTAT_UNUSED] = "unused",
    [HV_MEMSTAT_AVAILABLE] = "available",
    [HV_MEMSTAT_ACTUAL_BALLOON] = "actual",
    [HV_MEMSTAT_RSS] = "rss",
    [HV_MEMSTAT_USABLE] = "usable",
    [HV_MEMSTAT_LAST_UPDATE] = "last_update",
    [HV_MEMSTAT_DISK_CACHES] = "disk_caches",
    [HV_MEMSTAT_HUGETLB_PGALLOC] = "hugetlb_pgalloc",
    [HV_MEMSTAT_HUGETLB_PGFAIL] = "hugetlb_pgfail",
};

const char *
hv_memory_stat_name(int tag)
{
    if (tag < 0 || tag >= HV_MEMSTAT_NR)
        return NULL;
    return memstat_names[tag];
}
