/*
 * test-migrate-real.c: real live migration through the hv layer alone,
 * between two libvirtd hosts on this machine: A is qemu:///system, B the
 * daemon ci/host-b.sh runs in its own mount namespace. The tiny guest boots
 * on A and moves to B the way the driver moves it (live, peer-to-peer,
 * persistent on the destination, undefined on the source, data over
 * tcp://127.0.0.1); a slow migration is aborted; one guest goes to B and
 * back. Then the driver's drv_live_migration (driver/drv-migrate-live.c)
 * moves the guest A->B with its monitor, and an operator's
 * drv_live_migration_abort stops a slow one. Wall times are printed as
 * TAP comments.
 *
 * Runs when HVD_REAL=1, HVD_HOST_B_URI (eval "$(bash ci/host-b.sh up)") and
 * the tiny guest (HVD_GUEST_KERNEL/INITRD) are set; exit 77 otherwise.
 * Every domain is named hvd-mhost-[live-]PID-CASE and removed from both hosts by
 * the teardown, also when a case fails.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "drv.h"
#include "hv-libvirt.h"
#include "hv.h"

#define LOG_DIR "/var/cache/hvd/logs"
/* the data channel: without it B advertises tcp:<hostname>:port */
#define MIGRATE_URI "tcp://127.0.0.1"
#define MIGRATE_FLAGS                                                      \
    (HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER | HV_MIGRATE_PERSIST_DEST |    \
     HV_MIGRATE_UNDEFINE_SOURCE)

typedef struct mr_event {
    int type, detail;
    char name[96];
} mr_event;

/* One host: its connection and the events it delivered, in order. */
typedef struct mr_host {
    const char *label;
    hv_conn *conn;
    mr_event events[128];
    unsigned int nevents;
} mr_host;

/* A case's state: both hosts and the guest it made (one per case). */
typedef struct mr {
    mr_host a, b;
    char name[64];
    char log[128];
} mr;

static void
mr_record(hv_conn *conn, const hv_event *ev, void *opaque)
{
    mr_host *h = opaque;
    mr_event *e;

    (void)conn;
    if (h->nevents >= G_N_ELEMENTS(h->events))
        return;
    e = &h->events[h->nevents++];
    e->type = ev->type;
    e->detail = ev->detail;
    g_strlcpy(e->name, ev->name ? ev->name : "", sizeof(e->name));
}

static void
mr_host_open(mr_host *h, const char *label, const char *uri)
{
    hv_error err;

    h->label = label;
    h->conn = hv_libvirt_open(uri, &err);
    if (!h->conn)
        fail_msg("host %s (%s): %s", label, uri, err.message);
    if (hv_conn_events_register(h->conn, mr_record, h, &err) < 0)
        fail_msg("host %s: events: %s", label, err.message);
}

/* Let ms of real time pass, delivering both hosts' events meanwhile. */
static void
mr_pump(mr *m, int64_t ms)
{
    hv_error err;

    assert_int_equal(hv_sleep(m->a.conn, ms * HV_NS_PER_MS, &err), 0);
    assert_int_equal(hv_dispatch_events(m->b.conn, &err), 0);
}

/* The guest's events on h, "TYPE/DETAIL" joined by spaces; g_free. */
static char *
mr_events(const mr_host *h, const char *name)
{
    GString *s = g_string_new("");

    for (unsigned int i = 0; i < h->nevents; i++) {
        const mr_event *e = &h->events[i];
        if (strcmp(e->name, name) != 0)
            continue;
        if (s->len)
            g_string_append_c(s, ' ');
        g_string_append_printf(s, "%s/%s", hv_event_type_name(e->type),
                               hv_event_detail_name(e->type, e->detail));
    }
    return g_string_free(s, FALSE);
}

static unsigned int
mr_count(const mr_host *h, const char *name)
{
    unsigned int n = 0;

    for (unsigned int i = 0; i < h->nevents; i++)
        n += strcmp(h->events[i].name, name) == 0;
    return n;
}

/*
 * Wait (up to 10 s) until h has delivered n events of the guest, then a
 * further 500 ms for stragglers, so that an extra event shows as a
 * mismatch; assert the sequence.
 */
static void
mr_expect_events(mr *m, mr_host *h, const char *want)
{
    unsigned int n = *want ? 1 : 0;
    char *got;

    for (const char *p = want; *p; p++)
        n += *p == ' ';
    for (int waited = 0; mr_count(h, m->name) < n && waited < 10000;
         waited += 50)
        mr_pump(m, 50);
    mr_pump(m, 500);
    got = mr_events(h, m->name);
    printf("# events on %s: %s\n", h->label, got);
    if (strcmp(got, want) != 0)
        fail_msg("events on host %s: '%s', expected '%s'", h->label, got,
                 want);
    g_free(got);
}

static void
mr_clear_events(mr *m)
{
    mr_pump(m, 300);
    m->a.nevents = m->b.nevents = 0;
}

/* A case's hosts and guest name hvd-mhost-[TAG-]PID-CASE. */
static int
mr_setup_tag(void **state, const char *tag)
{
    static unsigned int serial;
    mr *m = g_new0(mr, 1);

    *state = m;
    g_snprintf(m->name, sizeof(m->name), "hvd-mhost-%s%d-%u", tag,
               (int)getpid() % 100000, serial++);
    g_snprintf(m->log, sizeof(m->log), "%s/%s.log", LOG_DIR, m->name);
    g_mkdir_with_parents(LOG_DIR, 0755);
    unlink(m->log);
    mr_host_open(&m->a, "A", "qemu:///system");
    mr_host_open(&m->b, "B", getenv("HVD_HOST_B_URI"));
    return 0;
}

static int
mr_setup(void **state)
{
    return mr_setup_tag(state, "");
}

/* The driver's cases: hvd-mhost-live-PID-CASE. */
static int
mr_setup_live(void **state)
{
    return mr_setup_tag(state, "live-");
}

/* Remove the case's guest from h, whatever state it is in. */
static void
mr_remove(mr_host *h, const char *name)
{
    hv_error err;
    hv_domain *d;

    if (!h->conn)
        return;
    d = hv_domain_lookup_by_name(h->conn, name, &err);
    if (!d)
        return;
    hv_domain_abort_job(d, &err);
    hv_domain_destroy(d, 0, &err);
    hv_domain_undefine(d, HV_UNDEFINE_MANAGED_SAVE | HV_UNDEFINE_NVRAM, &err);
    hv_domain_free(d);
}

static int
mr_teardown(void **state)
{
    mr *m = *state;

    mr_remove(&m->a, m->name);
    mr_remove(&m->b, m->name);
    hv_conn_close(m->a.conn);
    hv_conn_close(m->b.conn);
    unlink(m->log);
    g_free(m);
    return 0;
}

/*
 * The tiny guest's XML. The serial log is opened for appending: the
 * destination's QEMU opens the same file, and would otherwise truncate
 * what the source's wrote.
 */
static char *
mr_guest_xml(const mr *m)
{
    const char *vtype = getenv("HVD_VIRT_TYPE");

    return g_markup_printf_escaped(
        "<domain type='%s'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>96</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        "    <kernel>%s</kernel>\n"
        "    <initrd>%s</initrd>\n"
        "    <cmdline>console=ttyS0 panic=-1 quiet</cmdline>\n"
        "  </os>\n"
        "  <features><acpi/></features>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <on_reboot>restart</on_reboot>\n"
        "  <on_crash>destroy</on_crash>\n"
        "  <devices>\n"
        "    <serial type='file'><source path='%s' append='on'/>"
        "<target port='0'/></serial>\n"
        "    <console type='file'><source path='%s' append='on'/>"
        "<target type='serial' port='0'/></console>\n"
        "    <controller type='usb' model='none'/>\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "</domain>\n",
        vtype && *vtype ? vtype : "qemu", m->name,
        getenv("HVD_GUEST_KERNEL"), getenv("HVD_GUEST_INITRD"), m->log,
        m->log);
}

/* How often the serial log holds line. */
static int
mr_log_count(const mr *m, const char *line)
{
    char *text = NULL;
    int n = 0;

    if (!g_file_get_contents(m->log, &text, NULL, NULL))
        return 0;
    for (const char *p = text; (p = strstr(p, line)); p += strlen(line))
        n++;
    g_free(text);
    return n;
}

/* Define and start the guest on A, wait for its ready line (acpid up). */
static hv_domain *
mr_boot_on_a(mr *m)
{
    char *xml = mr_guest_xml(m);
    hv_error err;
    hv_domain *d = hv_domain_define(m->a.conn, xml, &err);

    g_free(xml);
    if (!d)
        fail_msg("define %s on A: %s", m->name, err.message);
    if (hv_domain_create(d, 0, &err) < 0)
        fail_msg("start %s on A: %s", m->name, err.message);
    for (int i = 0; mr_log_count(m, "HVD-GUEST-READY") == 0; i++) {
        if (i >= 600)
            fail_msg("%s never printed its ready line in %s", m->name,
                     m->log);
        mr_pump(m, 100);
    }
    /* acpid starts just before the ready line */
    mr_pump(m, 300);
    return d;
}

static int
mr_state(hv_domain *d, int *reason)
{
    hv_domain_info info;
    hv_error err;

    if (hv_domain_get_info(d, &info, &err) < 0)
        fail_msg("get_info %s: %s", hv_domain_name(d), err.message);
    if (reason)
        *reason = info.reason;
    return info.state;
}

/*
 * Migrate dom to dest_uri (as the driver does) and poll every 20 ms until
 * the migration ends; returns the poll's result (0 or -1, err set) and
 * the wall time in ms.
 */
static int
mr_migrate(mr *m, hv_domain *dom, const char *dest_uri, uint64_t bw,
           double *wall_ms, hv_error *err)
{
    hv_migrate_params p = {.dest_uri = dest_uri, .migrate_uri = MIGRATE_URI,
                           .bandwidth_mib = bw};
    gint64 t0 = g_get_monotonic_time();
    hv_migration *mig = hv_domain_migrate_start(dom, &p, MIGRATE_FLAGS, err);
    int rc;

    if (!mig)
        fail_msg("migrate_start %s -> %s: %s", m->name, dest_uri,
                 err->message);
    while ((rc = hv_migration_poll(mig, err)) == 0)
        mr_pump(m, 20);
    *wall_ms = (double)(g_get_monotonic_time() - t0) / 1000.0;
    hv_migration_free(mig);
    return rc < 0 ? -1 : 0;
}

/* The guest is not defined on h (any more). */
static void
assert_absent(mr_host *h, const char *name)
{
    hv_error err;
    hv_domain *d = hv_domain_lookup_by_name(h->conn, name, &err);

    if (d) {
        hv_domain_free(d);
        fail_msg("%s is still defined on host %s", name, h->label);
    }
    assert_int_equal(err.code, HV_ERR_NO_DOMAIN);
}

/*
 * The guest runs on h after a migration: running (reason MIGRATED),
 * persistent, the same UUID, booted only once (one ready line in its
 * log, so its memory came along rather than a fresh boot).
 */
static hv_domain *
assert_arrived(mr *m, mr_host *h, const char *uuid)
{
    hv_error err;
    hv_domain *d = hv_domain_lookup_by_name(h->conn, m->name, &err);
    int reason;

    if (!d)
        fail_msg("%s not on host %s: %s", m->name, h->label, err.message);
    assert_int_equal(mr_state(d, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_MIGRATED);
    assert_int_equal(hv_domain_is_persistent(d, &err), 1);
    assert_string_equal(hv_domain_uuid(d), uuid);
    assert_int_equal(mr_log_count(m, "HVD-GUEST-READY"), 1);
    return d;
}

/* ACPI power-off on the guest's new host: the guest acts on it. */
static void
assert_acpi_answers(mr *m, hv_domain *d)
{
    hv_error err;
    int state = HV_STATE_RUNNING;
    gint64 t0 = g_get_monotonic_time();

    assert_int_equal(hv_domain_shutdown(d, HV_SHUTDOWN_ACPI, &err), 0);
    for (int i = 0; i < 300 && state != HV_STATE_SHUTOFF; i++) {
        mr_pump(m, 100);
        state = mr_state(d, NULL);
    }
    assert_int_equal(state, HV_STATE_SHUTOFF);
    assert_int_equal(mr_log_count(m, "HVD-GUEST-POWEROFF"), 1);
    printf("# ACPI power-off on the destination: %.2f s\n",
           (double)(g_get_monotonic_time() - t0) / 1e6);
}

static void
test_live_a_to_b(void **state)
{
    mr *m = *state;
    hv_domain *d = mr_boot_on_a(m), *db;
    char uuid[HV_UUID_STRLEN];
    double ms;
    hv_error err;

    g_strlcpy(uuid, hv_domain_uuid(d), sizeof(uuid));
    mr_clear_events(m);
    assert_int_equal(mr_migrate(m, d, getenv("HVD_HOST_B_URI"), 0, &ms, &err),
                     0);
    printf("# live migration A->B: %.0f ms\n", ms);
    hv_domain_free(d);

    assert_absent(&m->a, m->name);
    db = assert_arrived(m, &m->b, uuid);
    mr_expect_events(m, &m->a,
                     "SUSPENDED/MIGRATED STOPPED/MIGRATED");
    mr_expect_events(m, &m->b,
                     "STARTED/MIGRATED DEFINED/ADDED RESUMED/MIGRATED");
    assert_acpi_answers(m, db);
    hv_domain_free(db);
}

static void
test_abort_slow(void **state)
{
    mr *m = *state;
    hv_domain *d = mr_boot_on_a(m);
    hv_migrate_params p = {.dest_uri = getenv("HVD_HOST_B_URI"),
                           .migrate_uri = MIGRATE_URI, .bandwidth_mib = 1};
    hv_migration *mig;
    hv_job_info j1 = {0}, j2 = {0};
    hv_error err;
    gint64 t0;
    int rc, reason;

    mr_clear_events(m);
    mig = hv_domain_migrate_start(d, &p, MIGRATE_FLAGS, &err);
    if (!mig)
        fail_msg("migrate_start: %s", err.message);
    t0 = g_get_monotonic_time();
    /* the job shows once the destination is prepared and data flows */
    for (int i = 0; i < 200; i++) {
        assert_int_equal(hv_domain_get_job_info(d, &j1, &err), 0);
        if (j1.type == HV_JOB_UNBOUNDED && j1.data_processed > 0)
            break;
        mr_pump(m, 50);
    }
    mr_pump(m, 1000);
    assert_int_equal(hv_domain_get_job_info(d, &j2, &err), 0);
    printf("# at 1 MiB/s after %.2f s: type %d, data total %" G_GUINT64_FORMAT
           " processed %" G_GUINT64_FORMAT " remaining %" G_GUINT64_FORMAT
           "; memory total %" G_GUINT64_FORMAT "; elapsed %" G_GUINT64_FORMAT
           " ms\n",
           (double)(g_get_monotonic_time() - t0) / 1e6, j2.type,
           j2.data_total, j2.data_processed, j2.data_remaining, j2.mem_total,
           j2.time_elapsed_ms);
    assert_int_equal(j1.type, HV_JOB_UNBOUNDED);
    assert_int_equal(j2.type, HV_JOB_UNBOUNDED);
    assert_true(j2.data_total >= UINT64_C(96) << 20);
    assert_true(j2.data_processed > j1.data_processed);
    assert_true(j2.data_remaining > 0);
    assert_true(j2.data_remaining < j2.data_total);
    /* at 1 MiB/s, 96 MiB cannot be nearly done in a few seconds */
    assert_true(j2.data_processed < UINT64_C(32) << 20);
    assert_true(j2.time_elapsed_ms > 1000);

    t0 = g_get_monotonic_time();
    assert_int_equal(hv_domain_abort_job(d, &err), 0);
    while ((rc = hv_migration_poll(mig, &err)) == 0)
        mr_pump(m, 20);
    printf("# abort to failed migration: %.0f ms\n",
           (double)(g_get_monotonic_time() - t0) / 1000.0);
    hv_migration_free(mig);
    assert_int_equal(rc, -1);
    if (err.code != HV_ERR_OPERATION_ABORTED)
        fail_msg("aborted migration failed with %s: %s",
                 hv_error_code_name(err.code), err.message);

    /* the source keeps running, defined; B keeps nothing */
    assert_int_equal(mr_state(d, &reason), HV_STATE_RUNNING);
    printf("# source after the abort: RUNNING/%s\n",
           hv_state_reason_name(HV_STATE_RUNNING, reason));
    assert_int_equal(hv_domain_is_persistent(d, &err), 1);
    assert_absent(&m->b, m->name);
    /* the guest was never paused: no event, its reason unchanged */
    assert_int_equal(reason, HV_RUNNING_BOOTED);
    mr_expect_events(m, &m->a, "");
    /* B's incoming QEMU had started; the abort kills it */
    mr_expect_events(m, &m->b, "STARTED/MIGRATED STOPPED/FAILED");
    hv_domain_free(d);
}

/*
 * The guest paused on the source in the middle of its migration (what the
 * driver's force-complete does without post-copy): paused with reason
 * MIGRATION while the job runs, and once the migration completes it runs
 * on the destination (libvirt resumes it there). The fake must agree
 * (test-fake-migrate's test_pause_converges).
 */
static void
test_paused_midway(void **state)
{
    mr *m = *state;
    hv_domain *d = mr_boot_on_a(m), *db;
    hv_migrate_params p = {.dest_uri = getenv("HVD_HOST_B_URI"),
                           .migrate_uri = MIGRATE_URI, .bandwidth_mib = 1};
    char uuid[HV_UUID_STRLEN];
    hv_migration *mig;
    hv_job_info ji = {0};
    hv_error err;
    int rc, reason;

    g_strlcpy(uuid, hv_domain_uuid(d), sizeof(uuid));
    mr_clear_events(m);
    mig = hv_domain_migrate_start(d, &p, MIGRATE_FLAGS, &err);
    if (!mig)
        fail_msg("migrate_start: %s", err.message);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(hv_domain_get_job_info(d, &ji, &err), 0);
        if (ji.type == HV_JOB_UNBOUNDED && ji.data_processed > 0)
            break;
        mr_pump(m, 50);
    }
    assert_int_equal(ji.type, HV_JOB_UNBOUNDED);
    assert_int_equal(hv_domain_suspend(d, &err), 0);
    assert_int_equal(mr_state(d, &reason), HV_STATE_PAUSED);
    printf("# paused mid-migration: PAUSED/%s\n",
           hv_state_reason_name(HV_STATE_PAUSED, reason));
    assert_int_equal(reason, HV_PAUSED_MIGRATION);
    assert_int_equal(hv_domain_migrate_set_max_speed(d, 1024, &err), 0);
    while ((rc = hv_migration_poll(mig, &err)) == 0)
        mr_pump(m, 20);
    hv_migration_free(mig);
    if (rc < 0)
        fail_msg("migration failed: %s", err.message);
    hv_domain_free(d);
    assert_absent(&m->a, m->name);
    db = assert_arrived(m, &m->b, uuid);
    /* the suspend's event is the migration's: SUSPENDED/MIGRATED, and no
     * second one when the migration stops the (already paused) guest */
    mr_expect_events(m, &m->a, "SUSPENDED/MIGRATED STOPPED/MIGRATED");
    mr_expect_events(m, &m->b,
                     "STARTED/MIGRATED DEFINED/ADDED RESUMED/MIGRATED");
    hv_domain_free(db);
}

static void
test_there_and_back(void **state)
{
    mr *m = *state;
    hv_domain *d = mr_boot_on_a(m), *db, *da;
    const char *back = getenv("HVD_HOST_A_URI_FROM_B");
    char uuid[HV_UUID_STRLEN];
    double ms;
    hv_error err;

    if (!back || !*back) {
        hv_domain_free(d);
        skip();
    }
    g_strlcpy(uuid, hv_domain_uuid(d), sizeof(uuid));
    assert_int_equal(mr_migrate(m, d, getenv("HVD_HOST_B_URI"), 0, &ms, &err),
                     0);
    printf("# A->B: %.0f ms\n", ms);
    hv_domain_free(d);
    db = assert_arrived(m, &m->b, uuid);
    mr_clear_events(m);
    /* B's daemon reaches A's socket where ci/host-b.sh bound it */
    if (mr_migrate(m, db, back, 0, &ms, &err) < 0)
        fail_msg("B->A: %s (%s)", err.message, hv_error_code_name(err.code));
    printf("# B->A: %.0f ms\n", ms);
    hv_domain_free(db);
    assert_absent(&m->b, m->name);
    da = assert_arrived(m, &m->a, uuid);
    mr_expect_events(m, &m->b,
                     "SUSPENDED/MIGRATED STOPPED/MIGRATED");
    mr_expect_events(m, &m->a,
                     "STARTED/MIGRATED DEFINED/ADDED RESUMED/MIGRATED");
    assert_acpi_answers(m, da);
    hv_domain_free(da);
}

/* ---- the driver's live migration ---- */

/*
 * The driver's URI template for B: the socket ci/host-b.sh gives B, with
 * the host name "b" in its folder (/run/hvd-host-%s). NULL if
 * HVD_HOST_B_URI is not that (B runs elsewhere): the driver cases skip.
 */
#define DRV_B_TEMPLATE "qemu+unix:///system?socket=/run/hvd-host-%s/libvirt-sock"
#define DRV_B_URI "qemu+unix:///system?socket=/run/hvd-host-b/libvirt-sock"

typedef struct mr_drv {
    mr *m;
    drv *d;
    drv_instance inst;
    unsigned int posts, recovers;
    char status[32];
    gint64 t0, end_us;
    /* abort once the job has run this long (us, 0: never) */
    gint64 abort_after_us;
    int abort_rc;
    drv_error abort_err;
    gint64 abort_us;
} mr_drv;

static void
md_post(void *opaque, drv *d, const drv_instance *inst, const char *dest,
        bool block_migration, drv_migrate_data *md)
{
    mr_drv *x = opaque;

    (void)d;
    (void)inst;
    (void)block_migration;
    (void)md;
    assert_string_equal(dest, "b");
    x->posts++;
    x->end_us = g_get_monotonic_time();
}

static void
md_recover(void *opaque, drv *d, const drv_instance *inst, const char *dest,
           bool block_migration, drv_migrate_data *md, const char *status)
{
    mr_drv *x = opaque;

    (void)d;
    (void)inst;
    (void)block_migration;
    (void)md;
    assert_string_equal(dest, "b");
    x->recovers++;
    g_strlcpy(x->status, status ? status : "(null)", sizeof(x->status));
    x->end_us = g_get_monotonic_time();
}

/* The operator's abort, from A's hook once the job has run long enough
 * (the monitor polls job info every 0.5 s). */
static void
md_after(void *opaque, hv_conn *conn, const hv_call *call, int rc,
         const hv_error *err)
{
    mr_drv *x = opaque;

    (void)conn;
    (void)rc;
    (void)err;
    if (x->abort_after_us && call->op == HV_OP_DOMAIN_GET_JOB_INFO &&
        g_get_monotonic_time() - x->t0 >= x->abort_after_us) {
        x->abort_after_us = 0;
        x->abort_us = g_get_monotonic_time();
        x->abort_rc = drv_live_migration_abort(x->d, &x->inst,
                                               &x->abort_err);
    }
}

/* A driver on A for the guest dom booted there (bandwidth MiB/s). */
static void
mr_drv_open(mr_drv *x, mr *m, hv_domain *dom, int bandwidth)
{
    const char *vtype = getenv("HVD_VIRT_TYPE");
    drv_config cfg;
    drv_error err;

    x->m = m;
    drv_config_defaults(&cfg);
    g_free(cfg.virt_type);
    cfg.virt_type = g_strdup(vtype && *vtype ? vtype : "qemu");
    cfg.live_migration_uri = g_strdup(DRV_B_TEMPLATE);
    cfg.live_migration_bandwidth = bandwidth;
    x->d = drv_new(&cfg, m->a.conn, &err);
    drv_config_clear(&cfg);
    if (!x->d)
        fail_msg("drv_new: %s", err.message);
    x->inst = (drv_instance){
        .uuid = g_strdup(hv_domain_uuid(dom)),
        .name = m->name,
        .flavor = {.name = "tiny", .vcpus = 1, .memory_mb = 96},
    };
}

static void
mr_drv_close(mr_drv *x)
{
    hv_conn_set_hooks(x->m->a.conn, NULL);
    drv_free(x->d);
    g_free(x->inst.uuid);
}

/* drv_live_migration of x's instance to "b"; wall ms. */
static double
mr_drv_migrate(mr_drv *x)
{
    drv_migrate_callbacks cb = {.post = md_post, .recover = md_recover,
                                .opaque = x};
    /* what pre_live_migration on B gives with the default options and
     * no live_migration_inbound_addr: B's URI comes from "b" */
    drv_migrate_data md = {.has_block_migration = true};
    hv_hooks hooks = {.after = md_after, .opaque = x};
    drv_error err;
    int rc;

    md.graphics_listen_addr_vnc = g_strdup("127.0.0.1");
    md.graphics_listen_addr_spice = g_strdup("127.0.0.1");
    hv_conn_set_hooks(x->m->a.conn, &hooks);
    x->t0 = g_get_monotonic_time();
    rc = drv_live_migration(x->d, &x->inst, "b", &cb, false, &md, &err);
    drv_migrate_data_clear(&md);
    if (rc < 0)
        fail_msg("drv_live_migration: %s: %s", drv_error_kind_name(err.kind),
                 err.message);
    return (double)(x->end_us - x->t0) / 1000.0;
}

static void
test_drv_live_a_to_b(void **state)
{
    mr *m = *state;
    hv_domain *d, *db;
    mr_drv x = {0};
    drv *dbd;
    drv_config cfg;
    drv_error err;
    double ms;
    int reason;

    if (strcmp(getenv("HVD_HOST_B_URI"), DRV_B_URI) != 0)
        skip();
    d = mr_boot_on_a(m);
    mr_drv_open(&x, m, d, 0);
    hv_domain_free(d);
    mr_clear_events(m);
    ms = mr_drv_migrate(&x);
    printf("# drv_live_migration A->B: post after %.0f ms\n", ms);
    assert_int_equal(x.posts, 1);
    assert_int_equal(x.recovers, 0);
    /* undefined on A (UNDEFINE_SOURCE), running on B */
    assert_absent(&m->a, m->name);
    {
        hv_error hv;

        db = hv_domain_lookup_by_name(m->b.conn, m->name, &hv);
        if (!db)
            fail_msg("%s not on B: %s", m->name, hv.message);
    }
    assert_int_equal(mr_state(db, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_MIGRATED);
    assert_int_equal(mr_log_count(m, "HVD-GUEST-READY"), 1);
    mr_expect_events(m, &m->a, "SUSPENDED/MIGRATED STOPPED/MIGRATED");
    mr_expect_events(m, &m->b, "STARTED/MIGRATED RESUMED/MIGRATED");
    /* the compute manager's post_live_migration_at_destination defines
     * it on B (the flags have no PERSIST_DEST, as the reference's) */
    drv_config_defaults(&cfg);
    assert_non_null(dbd = drv_new(&cfg, m->b.conn, &err));
    drv_config_clear(&cfg);
    if (drv_post_live_migration_at_destination(dbd, &x.inst, false, &err) < 0)
        fail_msg("post at destination: %s", err.message);
    {
        hv_error hv;

        assert_int_equal(hv_domain_is_persistent(db, &hv), 1);
    }
    drv_free(dbd);
    assert_acpi_answers(m, db);
    hv_domain_free(db);
    mr_drv_close(&x);
}

static void
test_drv_abort(void **state)
{
    mr *m = *state;
    hv_domain *d;
    mr_drv x = {0};
    double ms;
    int reason;

    if (strcmp(getenv("HVD_HOST_B_URI"), DRV_B_URI) != 0)
        skip();
    d = mr_boot_on_a(m);
    /* 1 MiB/s: 96 MiB would take minutes; the operator aborts after 3 s */
    mr_drv_open(&x, m, d, 1);
    x.abort_after_us = 3 * G_USEC_PER_SEC;
    mr_clear_events(m);
    ms = mr_drv_migrate(&x);
    printf("# drv_live_migration at 1 MiB/s, aborted after %.0f ms: "
           "recover after %.0f ms (%.0f ms after the abort), status %s\n",
           (double)(x.abort_us - x.t0) / 1000.0, ms,
           (double)(x.end_us - x.abort_us) / 1000.0, x.status);
    if (x.abort_rc != 0)
        fail_msg("drv_live_migration_abort: %s", x.abort_err.message);
    assert_int_equal(x.posts, 0);
    assert_int_equal(x.recovers, 1);
    /* libvirt's job reads NONE once the aborted job is over and the
     * domain runs here: find_job_type's FAILED, so no "cancelled" */
    assert_string_equal(x.status, "(null)");
    /* the source keeps running, never paused; B keeps nothing */
    assert_int_equal(mr_state(d, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_BOOTED);
    assert_absent(&m->b, m->name);
    mr_expect_events(m, &m->b, "STARTED/MIGRATED STOPPED/FAILED");
    hv_domain_free(d);
    mr_drv_close(&x);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_live_a_to_b, mr_setup,
                                        mr_teardown),
        cmocka_unit_test_setup_teardown(test_abort_slow, mr_setup,
                                        mr_teardown),
        cmocka_unit_test_setup_teardown(test_paused_midway, mr_setup,
                                        mr_teardown),
        cmocka_unit_test_setup_teardown(test_there_and_back, mr_setup,
                                        mr_teardown),
        cmocka_unit_test_setup_teardown(test_drv_live_a_to_b, mr_setup_live,
                                        mr_teardown),
        cmocka_unit_test_setup_teardown(test_drv_abort, mr_setup_live,
                                        mr_teardown),
    };
    const char *realv = getenv("HVD_REAL");

    if (!realv || strcmp(realv, "1") != 0) {
        printf("# test-migrate-real: runs under make check-real "
               "(HVD_REAL=1)\n");
        return 77;
    }
    if (!getenv("HVD_HOST_B_URI")) {
        printf("# test-migrate-real: HVD_HOST_B_URI not set "
               "(eval \"$(bash ci/host-b.sh up)\")\n");
        return 77;
    }
    if (!getenv("HVD_GUEST_KERNEL") || !getenv("HVD_GUEST_INITRD")) {
        printf("# test-migrate-real: HVD_GUEST_KERNEL/HVD_GUEST_INITRD "
               "not set (ci/tiny-guest.sh)\n");
        return 77;
    }
    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("live migration between two real hosts",
                                       tests, NULL, NULL);
}
