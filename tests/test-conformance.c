/*
 * test-conformance.c: one table of cases, each run on every backend, that
 * holds the fake hypervisor to real libvirt + QEMU.
 *
 * The expected behaviour is real QEMU's (measured on libvirt 9.0 / QEMU 7.2,
 * see ../shared/PLATFORM.md). libvirt's test:///default driver differs in
 * places; those differences are asserted explicitly with QEMU_OR_TEST(), so
 * they are listed (docs/conformance.md) rather than hidden, and a change in
 * either driver shows up here. A case on which the fake and real QEMU
 * disagree is a bug in the fake.
 *
 * Backends: fake always; test:///default always (libvirt is linked in);
 * qemu:///system when HVD_REAL=1 with the tiny guest (make check-real).
 * Select with HVD_BACKENDS=fake,test,qemu and one case with HVD_CASE=name.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "support-backend.h"

/* Skip the running case, saying why first (cmocka's skip takes no
 * reason): the line precedes the case's "# SKIP" line in the TAP. */
#define skip_because(why)                                                     \
    do {                                                                      \
        print_message("# skipped on %s: %s\n", t->label, (why));             \
        skip();                                                               \
    } while (0)

/* The value real QEMU gives, or the test driver's where it differs. */
#define QEMU_OR_TEST(t, q, test) ((t)->kind == TB_TEST ? (test) : (q))

/* Real guests take real seconds; budgets are generous, the fake is exact. */
#define ACPI_TIMEOUT_MS 20000

static void
expect_fail(int rc, const hv_error *err, int code, const char *what)
{
    if (rc == 0 || err->code != code)
        fail_msg("%s: expected %s (%d), got rc=%d %s (%d): %s", what,
                 hv_error_code_name(code), code, rc,
                 hv_error_code_name(err->code), err->code, err->message);
}

static void
expect_ok(int rc, const hv_error *err, const char *what)
{
    if (rc != 0)
        fail_msg("%s: expected success, got %s (%d): %s", what,
                 hv_error_code_name(err->code), err->code, err->message);
}

static void
expect_events(tb *t, const char *name, const char *want)
{
    unsigned int n = 0;
    char *have;

    for (const char *p = want; *p; p++)
        n += *p == ' ';
    n += *want ? 1 : 0;
    tb_wait_events(t, name, n, 10000);
    /* let stragglers arrive so that extra events are seen too */
    tb_sleep_ms(t, t->kind == TB_QEMU ? 500 : 10);
    have = tb_events_of(t, name);
    if (strcmp(have, want) != 0) {
        char msg[512];
        g_snprintf(msg, sizeof(msg), "events of %s: want [%s] have [%s]",
                   name, want, have);
        g_free(have);
        fail_msg("%s", msg);
    }
    g_free(have);
}

/* The domain ID carried by the last event of 'type' for 'name'. */
static int
last_event_id(tb *t, const char *name, int type)
{
    for (unsigned int i = t->nevents; i-- > 0;)
        if (t->events[i].type == type && strcmp(t->events[i].name, name) == 0)
            return t->events[i].id;
    fail_msg("no %s event for %s", hv_event_type_name(type), name);
    return -2;
}

/* ---- cases ---- */

/* IDs: a new one from the daemon-wide counter on every start, -1 when
 * inactive, unchanged by reboot and reset. */
static void
case_ids(tb *t)
{
    char a[96], b[96];
    hv_domain *da = tb_define(t, tb_name(t, a, sizeof(a)), false);
    hv_domain *db;
    hv_error err;
    int id1, id2, id3;

    assert_int_equal(tb_id(da), -1);
    expect_ok(hv_domain_create(da, 0, &err), &err, "start");
    id1 = tb_id(da);
    assert_true(id1 > 0);
    db = tb_start_new(t, tb_name(t, b, sizeof(b)), false);
    id2 = tb_id(db);
    assert_true(id2 > id1);
    expect_ok(hv_domain_destroy(da, 0, &err), &err, "destroy");
    assert_int_equal(tb_id(da), -1);
    expect_ok(hv_domain_create(da, 0, &err), &err, "restart");
    id3 = tb_id(da);
    assert_true(id3 > id2);

    tb_wait_guest_ready(t, a);
    expect_ok(hv_domain_reboot(da, 0, &err), &err, "reboot");
    tb_sleep_ms(t, 3000);
    assert_int_equal(tb_id(da), id3);
    assert_int_equal(tb_state(da, NULL), HV_STATE_RUNNING);
    expect_ok(hv_domain_reset(da, &err), &err, "reset");
    assert_int_equal(tb_id(da), id3);
    hv_domain_free(da);
    hv_domain_free(db);
}

/* Calls on a shut-off domain. */
static void
case_invalid_state_shutoff(tb *t)
{
    char n[96];
    hv_domain *d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;

    expect_fail(hv_domain_destroy(d, 0, &err), &err, HV_ERR_OPERATION_INVALID,
                "destroy shut off");
    expect_fail(hv_domain_reboot(d, 0, &err), &err, HV_ERR_OPERATION_INVALID,
                "reboot shut off");
    expect_fail(hv_domain_shutdown(d, 0, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID,
                             HV_ERR_INTERNAL_ERROR),
                "shutdown shut off");
    expect_fail(hv_domain_suspend(d, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID,
                             HV_ERR_INTERNAL_ERROR),
                "suspend shut off");
    expect_fail(hv_domain_resume(d, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID,
                             HV_ERR_INTERNAL_ERROR),
                "resume shut off");
    expect_fail(hv_domain_managed_save(d, &err), &err,
                HV_ERR_OPERATION_INVALID, "managed save shut off");
    assert_int_equal(tb_state(d, NULL), HV_STATE_SHUTOFF);
    hv_domain_free(d);
}

/* Calls on a running domain that only make sense otherwise. */
static void
case_invalid_state_running(tb *t)
{
    char n[96];
    hv_domain *d = tb_start_new(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;

    expect_fail(hv_domain_resume(d, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID,
                             HV_ERR_INTERNAL_ERROR),
                "resume running");
    expect_fail(hv_domain_create(d, 0, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID,
                             HV_ERR_INTERNAL_ERROR),
                "start running");
    assert_int_equal(tb_state(d, NULL), HV_STATE_RUNNING);
    hv_domain_free(d);
}

/* Calls on a paused domain: suspend is a no-op, shutdown is refused. */
static void
case_invalid_state_paused(tb *t)
{
    char n[96];
    hv_domain *d = tb_start_new(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;
    int rc;

    expect_ok(hv_domain_suspend(d, &err), &err, "suspend");
    assert_int_equal(tb_state(d, NULL), HV_STATE_PAUSED);
    tb_wait_events(t, n, 2, 5000);
    tb_events_clear(t);
    rc = hv_domain_suspend(d, &err);
    if (t->kind == TB_TEST) {
        expect_fail(rc, &err, HV_ERR_INTERNAL_ERROR, "suspend paused");
    } else {
        expect_ok(rc, &err, "suspend paused");
        expect_events(t, n, "");
    }
    rc = hv_domain_shutdown(d, 0, &err);
    if (t->kind == TB_TEST) {
        /* the test driver shuts a paused domain off at once */
        expect_ok(rc, &err, "shutdown paused");
        assert_int_equal(tb_state(d, NULL), HV_STATE_SHUTOFF);
    } else {
        expect_fail(rc, &err, HV_ERR_OPERATION_INVALID, "shutdown paused");
        assert_int_equal(tb_state(d, NULL), HV_STATE_PAUSED);
    }
    hv_domain_free(d);
}

/* Reboot of a paused domain is accepted and leaves it paused. */
static void
case_reboot_paused(tb *t)
{
    char n[96];
    hv_domain *d = tb_start_new(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;
    int id;

    tb_wait_guest_ready(t, n);
    id = tb_id(d);
    expect_ok(hv_domain_suspend(d, &err), &err, "suspend");
    expect_ok(hv_domain_reboot(d, 0, &err), &err, "reboot paused");
    tb_sleep_ms(t, 1000);
    assert_int_equal(tb_state(d, NULL),
                     QEMU_OR_TEST(t, HV_STATE_PAUSED, HV_STATE_RUNNING));
    assert_int_equal(tb_id(d), id);
    hv_domain_free(d);
}

/* A domain that is gone answers NO_DOMAIN, by name and through a handle. */
static void
case_no_domain(tb *t)
{
    char n[96];
    hv_domain *d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    hv_domain *again;
    hv_domain_info info;
    hv_error err;

    expect_ok(hv_domain_undefine(d, 0, &err), &err, "undefine");
    again = hv_domain_lookup_by_name(t->conn, n, &err);
    assert_null(again);
    assert_int_equal(err.code, HV_ERR_NO_DOMAIN);
    expect_fail(hv_domain_get_info(d, &info, &err), &err, HV_ERR_NO_DOMAIN,
                "get_info after undefine");
    expect_fail(hv_domain_create(d, 0, &err), &err, HV_ERR_NO_DOMAIN,
                "start after undefine");
    assert_null(hv_domain_lookup_by_uuid(t->conn,
                                         "4b1c0a0e-0000-4000-8000-00000000dead",
                                         &err));
    assert_int_equal(err.code, HV_ERR_NO_DOMAIN);
    hv_domain_free(d);
}

/* The same name with another uuid is refused on define and create. */
static void
case_duplicate(tb *t)
{
    char n[96];
    hv_domain *d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    char *xml = tb_domain_xml(t, n, false);
    hv_domain *dup;
    hv_error err;

    /* no <uuid>: a new one is generated, so the name clashes */
    dup = hv_domain_define(t->conn, xml, &err);
    assert_null(dup);
    assert_int_equal(err.code, HV_ERR_OPERATION_FAILED);
    dup = hv_domain_create_xml(t->conn, xml, 0, &err);
    assert_null(dup);
    assert_int_equal(err.code, HV_ERR_OPERATION_FAILED);
    g_free(xml);

    /* the definition it returns can be defined again: an update */
    xml = hv_domain_get_xml(d, HV_XML_INACTIVE, &err);
    assert_non_null(xml);
    tb_events_clear(t);
    dup = hv_domain_define(t->conn, xml, &err);
    assert_non_null(dup);
    assert_string_equal(hv_domain_uuid(dup), hv_domain_uuid(d));
    expect_events(t, n, "DEFINED/UPDATED");
    g_free(xml);
    hv_domain_free(dup);
    hv_domain_free(d);
}

/* Transient domains vanish when they stop; persistent ones stay. */
static void
case_transient_persistent(tb *t)
{
    char a[96], b[96];
    char *xml = tb_domain_xml(t, tb_name(t, a, sizeof(a)), false);
    hv_domain *tr, *pe;
    hv_error err;

    tr = hv_domain_create_xml(t->conn, xml, 0, &err);
    g_free(xml);
    assert_non_null(tr);
    assert_int_equal(hv_domain_is_persistent(tr, &err), 0);
    assert_int_equal(tb_state(tr, NULL), HV_STATE_RUNNING);
    if (t->kind == TB_TEST) {
        /* the test driver lets a transient domain be "undefined" */
        expect_ok(hv_domain_undefine(tr, 0, &err), &err,
                  "undefine transient");
    } else {
        expect_fail(hv_domain_undefine(tr, 0, &err), &err,
                    HV_ERR_OPERATION_INVALID, "undefine transient");
    }
    expect_fail(hv_domain_managed_save(tr, &err), &err,
                HV_ERR_OPERATION_INVALID, "managed save transient");
    expect_ok(hv_domain_destroy(tr, 0, &err), &err, "destroy transient");
    assert_true(tb_wait_gone(t, a, 5000));

    pe = tb_start_new(t, tb_name(t, b, sizeof(b)), false);
    assert_int_equal(hv_domain_is_persistent(pe, &err), 1);
    /* undefining a running domain leaves it running, transient */
    expect_ok(hv_domain_undefine(pe, 0, &err), &err, "undefine running");
    assert_int_equal(hv_domain_is_persistent(pe, &err), 0);
    assert_int_equal(tb_state(pe, NULL), HV_STATE_RUNNING);
    expect_ok(hv_domain_destroy(pe, 0, &err), &err, "destroy");
    assert_true(tb_wait_gone(t, b, 5000));
    hv_domain_free(tr);
    hv_domain_free(pe);
}

/* Start paused: PAUSED, then RUNNING on resume, with QEMU's events. */
static void
case_start_paused(tb *t)
{
    char n[96];
    hv_domain *d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;
    int rc, reason;

    tb_events_clear(t);
    rc = hv_domain_create(d, HV_CREATE_START_PAUSED, &err);
    if (t->kind == TB_TEST) {
        expect_fail(rc, &err, HV_ERR_INVALID_ARG, "start paused");
        hv_domain_free(d);
        return;
    }
    expect_ok(rc, &err, "start paused");
    assert_int_equal(tb_state(d, &reason), HV_STATE_PAUSED);
    assert_int_equal(reason, HV_PAUSED_USER);
    assert_true(tb_id(d) > 0);
    expect_events(t, n, "STARTED/BOOTED SUSPENDED/PAUSED");
    expect_ok(hv_domain_resume(d, &err), &err, "resume");
    assert_int_equal(tb_state(d, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_UNPAUSED);
    expect_events(t, n, "STARTED/BOOTED SUSPENDED/PAUSED RESUMED/UNPAUSED");
    hv_domain_free(d);
}

/* ACPI shutdown returns at once; the guest powers off a little later. */
static void
case_acpi_honoured(tb *t)
{
    char n[96];
    hv_domain *d = tb_start_new(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;
    int reason, id = tb_id(d);

    tb_wait_guest_ready(t, n);
    tb_events_clear(t);
    expect_ok(hv_domain_shutdown(d, 0, &err), &err, "shutdown");
    if (t->kind == TB_TEST) {
        /* the test driver shuts off synchronously */
        assert_int_equal(tb_state(d, NULL), HV_STATE_SHUTOFF);
        hv_domain_free(d);
        return;
    }
    assert_int_equal(tb_state(d, NULL), HV_STATE_RUNNING);
    assert_int_equal(tb_wait_state(t, d, HV_STATE_SHUTOFF, ACPI_TIMEOUT_MS),
                     HV_STATE_SHUTOFF);
    tb_state(d, &reason);
    assert_int_equal(reason, HV_SHUTOFF_SHUTDOWN);
    assert_int_equal(tb_id(d), -1);
    expect_events(t, n, "SHUTDOWN/GUEST STOPPED/SHUTDOWN");
    /* ...while a guest's own power-off keeps the ID it had */
    assert_int_equal(last_event_id(t, n, HV_EVENT_STOPPED), id);
    hv_domain_free(d);
}

/* A guest that ignores ACPI keeps running after a shutdown request. */
static void
case_acpi_ignored(tb *t)
{
    char n[96];
    hv_domain *d;
    hv_error err;

    if (t->kind == TB_TEST)
        skip_because("test:///default has no guest to ignore ACPI");
    d = tb_start_new(t, tb_name(t, n, sizeof(n)), true);
    tb_wait_guest_ready(t, n);
    tb_events_clear(t);
    expect_ok(hv_domain_shutdown(d, 0, &err), &err, "shutdown");
    assert_int_equal(tb_wait_state(t, d, HV_STATE_SHUTOFF, 8000),
                     HV_STATE_RUNNING);
    expect_events(t, n, "");
    /* destroy is the way out, with QEMU's two events */
    expect_ok(hv_domain_destroy(d, 0, &err), &err, "destroy");
    expect_events(t, n, "SHUTDOWN/HOST STOPPED/DESTROYED");
    hv_domain_free(d);
}

/* An ACPI request before the guest OS is up is lost, like a button press. */
static void
case_acpi_during_boot(tb *t)
{
    char n[96];
    char *xml;
    hv_domain *d;
    hv_error err;

    if (t->kind == TB_TEST)
        skip_because("test:///default has no guest OS to boot");
    xml = tb_domain_xml(t, tb_name(t, n, sizeof(n)), false);
    d = hv_domain_create_xml(t->conn, xml, 0, &err);
    g_free(xml);
    assert_non_null(d);
    expect_ok(hv_domain_shutdown(d, 0, &err), &err, "shutdown while booting");
    tb_wait_guest_ready(t, n);
    assert_int_equal(tb_wait_state(t, d, HV_STATE_SHUTOFF, 4000),
                     HV_STATE_RUNNING);
    hv_domain_free(d);
}

static void
case_suspend_resume(tb *t)
{
    char n[96];
    hv_domain *d = tb_start_new(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;
    int reason, id = tb_id(d);

    expect_ok(hv_domain_suspend(d, &err), &err, "suspend");
    assert_int_equal(tb_state(d, &reason), HV_STATE_PAUSED);
    assert_int_equal(reason, HV_PAUSED_USER);
    expect_ok(hv_domain_resume(d, &err), &err, "resume");
    assert_int_equal(tb_state(d, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_UNPAUSED);
    assert_int_equal(tb_id(d), id);
    expect_events(t, n, QEMU_OR_TEST(t,
                                     "DEFINED/ADDED RESUMED/UNPAUSED "
                                     "STARTED/BOOTED SUSPENDED/PAUSED "
                                     "RESUMED/UNPAUSED",
                                     "DEFINED/ADDED STARTED/BOOTED "
                                     "SUSPENDED/PAUSED RESUMED/UNPAUSED"));
    hv_domain_free(d);
}

/* Managed save stops the domain with an image; start restores from it. */
static void
case_managed_save(tb *t)
{
    char n[96];
    hv_domain *d = tb_start_new(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;
    int reason, id = tb_id(d);

    tb_wait_guest_ready(t, n);
    tb_events_clear(t);
    expect_ok(hv_domain_managed_save(d, &err), &err, "managed save");
    assert_int_equal(tb_state(d, &reason), HV_STATE_SHUTOFF);
    assert_int_equal(reason, HV_SHUTOFF_SAVED);
    assert_int_equal(tb_id(d), -1);
    assert_int_equal(hv_domain_has_managed_save(d, &err), 1);
    expect_events(t, n, QEMU_OR_TEST(t, "SUSPENDED/PAUSED STOPPED/SAVED",
                                     "STOPPED/SAVED"));
    if (t->kind != TB_TEST)
        assert_int_equal(last_event_id(t, n, HV_EVENT_STOPPED), -1);
    expect_fail(hv_domain_undefine(d, 0, &err), &err,
                HV_ERR_OPERATION_INVALID, "undefine with managed save");

    tb_events_clear(t);
    expect_ok(hv_domain_create(d, 0, &err), &err, "start from managed save");
    assert_int_equal(tb_state(d, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, QEMU_OR_TEST(t, HV_RUNNING_RESTORED,
                                          HV_RUNNING_BOOTED));
    assert_true(tb_id(d) > id);
    assert_int_equal(hv_domain_has_managed_save(d, &err), 0);
    expect_events(t, n, QEMU_OR_TEST(t, "STARTED/RESTORED RESUMED/FROM_SNAPSHOT",
                                     "STARTED/BOOTED"));
    /* the restored guest is the same guest: it still honours ACPI */
    if (t->kind != TB_TEST) {
        expect_ok(hv_domain_shutdown(d, 0, &err), &err, "shutdown restored");
        assert_int_equal(tb_wait_state(t, d, HV_STATE_SHUTOFF,
                                       ACPI_TIMEOUT_MS),
                         HV_STATE_SHUTOFF);
    }
    hv_domain_free(d);
}

/* The events of the basic transitions, in order. */
static void
case_lifecycle_events(tb *t)
{
    char n[96];
    hv_domain *d;
    hv_error err;

    tb_events_clear(t);
    d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    expect_events(t, n, "DEFINED/ADDED");
    expect_ok(hv_domain_create(d, 0, &err), &err, "start");
    /* QEMU resumes the CPUs before libvirt reports the start */
    expect_events(t, n, QEMU_OR_TEST(t, "DEFINED/ADDED RESUMED/UNPAUSED "
                                        "STARTED/BOOTED",
                                     "DEFINED/ADDED STARTED/BOOTED"));
    tb_events_clear(t);
    expect_ok(hv_domain_destroy(d, 0, &err), &err, "destroy");
    expect_events(t, n, QEMU_OR_TEST(t, "SHUTDOWN/HOST STOPPED/DESTROYED",
                                     "STOPPED/DESTROYED"));
    /* measured: a destroyed domain's STOPPED event carries ID -1 */
    if (t->kind != TB_TEST)
        assert_int_equal(last_event_id(t, n, HV_EVENT_STOPPED), -1);
    tb_events_clear(t);
    expect_ok(hv_domain_undefine(d, 0, &err), &err, "undefine");
    expect_events(t, n, "UNDEFINED/REMOVED");
    hv_domain_free(d);
}

/* A reboot the guest acts on raises reboot events and keeps the ID. */
static void
case_reboot_events(tb *t)
{
    char n[96];
    hv_domain *d = tb_start_new(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;
    int id = tb_id(d);

    tb_wait_guest_ready(t, n);
    tb_events_clear(t);
    expect_ok(hv_domain_reboot(d, 0, &err), &err, "reboot");
    if (t->kind == TB_TEST) {
        expect_events(t, n, "");
    } else {
        char *have;

        /*
         * libvirt turns an ACPI reboot into power-off + reset ("fake
         * reboot"); real QEMU raises two reboot events for it, sometimes
         * three. The fake raises two. Nothing else may happen.
         */
        tb_wait_events(t, n, 2, ACPI_TIMEOUT_MS);
        tb_sleep_ms(t, t->kind == TB_QEMU ? 1000 : 10);
        have = tb_events_of(t, n);
        if (strncmp(have, "REBOOT/NONE REBOOT/NONE", 23) != 0 ||
            strspn(have + 23, " REBOOT/NONE") != strlen(have + 23))
            fail_msg("reboot events: want two or more REBOOT/NONE, have [%s]",
                     have);
        g_free(have);
        tb_wait_guest_ready(t, n);
    }
    assert_int_equal(tb_state(d, NULL), HV_STATE_RUNNING);
    assert_int_equal(tb_id(d), id);
    hv_domain_free(d);
}

/* Bad XML is refused with libvirt's codes, and nothing is defined. */
static void
case_bad_xml(tb *t)
{
    static const struct {
        const char *xml;
        int code;
    } bad[] = {
        {"<domain type='qemu'><name>x</name>", HV_ERR_XML_DETAIL},
        {"", HV_ERR_XML_DETAIL},
        {"<domain type='qemu'><memory>1024</memory><os><type>hvm</type></os>"
         "</domain>", HV_ERR_NO_NAME},
        {"<foo/>", HV_ERR_XML_ERROR},
        {"<domain type='qemu'><name>hvdt-bad</name><os><type>hvm</type></os>"
         "</domain>", HV_ERR_XML_ERROR},
        {"<domain type='qemu'><name>hvdt-bad</name><memory>abc</memory>"
         "<os><type>hvm</type></os></domain>", HV_ERR_XML_ERROR},
        {"<domain type='qemu'><name>hvdt-bad</name><uuid>zzz</uuid>"
         "<memory>1024</memory><os><type>hvm</type></os></domain>",
         HV_ERR_INTERNAL_ERROR},
    };
    hv_error err;

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *xml = g_strdup(bad[i].xml);
        char *p;
        hv_domain *d;

        if (t->kind == TB_TEST && (p = strstr(xml, "'qemu'")))
            memcpy(p, "'test'", 6);
        d = hv_domain_define(t->conn, xml, &err);
        if (d || err.code != bad[i].code)
            fail_msg("bad xml #%zu: want %s, have %s: %s", i,
                     hv_error_code_name(bad[i].code),
                     hv_error_code_name(err.code), err.message);
        g_free(xml);
    }
    assert_null(hv_domain_lookup_by_name(t->conn, "hvdt-bad", &err));
}

/* Job info with no job, and abort with none. */
static void
case_jobs(tb *t)
{
    char n[96];
    hv_domain *d = tb_start_new(t, tb_name(t, n, sizeof(n)), false);
    hv_job_info info;
    hv_error err;
    int rc;

    rc = hv_domain_get_job_info(d, &info, &err);
    if (t->kind == TB_TEST) {
        expect_fail(rc, &err, HV_ERR_NO_SUPPORT, "job info");
    } else {
        expect_ok(rc, &err, "job info");
        assert_int_equal(info.type, HV_JOB_NONE);
    }
    expect_fail(hv_domain_abort_job(d, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID, HV_ERR_NO_SUPPORT),
                "abort with no job");
    hv_domain_free(d);
}

/*
 * Migration tuning with no migration running (virsh on qemu:///system):
 * shut off, job info, max downtime and post-copy are refused
 * (OPERATION_INVALID) while max speed is kept for later; running without
 * a job, job info reads NONE, max downtime and speed are accepted, and
 * post-copy is refused. libvirt's test driver has none of these.
 */
static void
case_migration_tuning(tb *t)
{
    char n[96];
    hv_domain *d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    int nosup = HV_ERR_NO_SUPPORT;
    hv_job_info info;
    hv_error err;

    expect_fail(hv_domain_get_job_info(d, &info, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID, nosup),
                "job info, shut off");
    expect_fail(hv_domain_migrate_set_max_downtime(d, 500, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID, nosup),
                "max downtime, shut off");
    if (t->kind == TB_TEST)
        expect_fail(hv_domain_migrate_set_max_speed(d, 100, &err), &err,
                    nosup, "max speed, shut off");
    else
        expect_ok(hv_domain_migrate_set_max_speed(d, 100, &err), &err,
                  "max speed, shut off");
    expect_fail(hv_domain_migrate_start_post_copy(d, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID, nosup),
                "post-copy, shut off");
    expect_ok(hv_domain_create(d, 0, &err), &err, "start");
    if (t->kind == TB_TEST) {
        expect_fail(hv_domain_migrate_set_max_downtime(d, 500, &err), &err,
                    nosup, "max downtime, running");
    } else {
        expect_ok(hv_domain_get_job_info(d, &info, &err), &err, "job info");
        assert_int_equal(info.type, HV_JOB_NONE);
        expect_ok(hv_domain_migrate_set_max_downtime(d, 500, &err), &err,
                  "max downtime, running");
        expect_ok(hv_domain_migrate_set_max_speed(d, 100, &err), &err,
                  "max speed, running");
    }
    expect_fail(hv_domain_migrate_start_post_copy(d, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_OPERATION_INVALID, nosup),
                "post-copy without a migration");
    hv_domain_free(d);
}

/* Volumes: create, backing file, duplicates, delete. */
static void
case_volumes(tb *t)
{
    char base[96], top[96];
    hv_vol_spec spec = {0};
    hv_vol_info info;
    hv_error err;
    char *base_path, *top_path;
    char **names = NULL;
    bool listed = false;

    g_snprintf(base, sizeof(base), "%s-base.img", t->prefix);
    g_snprintf(top, sizeof(top), "%s-top.qcow2", t->prefix);
    tb_track_vol(t, top);
    tb_track_vol(t, base);
    spec.name = base;
    spec.capacity = 8 << 20;
    spec.allocation = 8 << 20;
    spec.format = "raw";
    expect_ok(hv_vol_create(t->conn, t->pool, &spec, &err), &err,
              "create raw");
    expect_fail(hv_vol_create(t->conn, t->pool, &spec, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_STORAGE_VOL_EXIST,
                             HV_ERR_OPERATION_FAILED),
                "create duplicate");
    base_path = hv_vol_get_path(t->conn, t->pool, base, &err);
    assert_non_null(base_path);
    expect_ok(hv_vol_get_info(t->conn, t->pool, base, &info, &err), &err,
              "info raw");
    assert_int_equal(info.capacity, 8 << 20);
    /* allocated as asked */
    assert_true(info.allocation >= (8 << 20) - 4096);

    spec.name = top;
    spec.capacity = 16 << 20;
    spec.allocation = 0;
    spec.format = "qcow2";
    spec.backing_path = base_path;
    spec.backing_format = "raw";
    if (t->kind == TB_TEST) {
        /* the test driver keeps no backing store; it still creates */
        expect_ok(hv_vol_create(t->conn, t->pool, &spec, &err), &err,
                  "create qcow2 over base");
    } else {
        expect_ok(hv_vol_create(t->conn, t->pool, &spec, &err), &err,
                  "create qcow2 over base");
        expect_ok(hv_vol_get_info(t->conn, t->pool, top, &info, &err), &err,
                  "info qcow2");
        assert_string_equal(info.format, "qcow2");
        assert_string_equal(info.backing_path, base_path);
        assert_string_equal(info.backing_format, "raw");
        assert_int_equal(info.capacity, 16 << 20);
        assert_true(info.allocation < (1 << 20));
    }
    top_path = hv_vol_get_path(t->conn, t->pool, top, &err);
    assert_non_null(top_path);
    assert_true(hv_vol_list(t->conn, t->pool, &names, &err) >= 0);
    for (char **p = names; p && *p; p++)
        listed |= strcmp(*p, top) == 0;
    assert_true(listed);
    g_strfreev(names);

    expect_ok(hv_vol_delete(t->conn, t->pool, top, &err), &err, "delete");
    expect_fail(hv_vol_get_info(t->conn, t->pool, top, &info, &err), &err,
                HV_ERR_NO_STORAGE_VOL, "info after delete");
    expect_fail(hv_vol_delete(t->conn, t->pool, top, &err), &err,
                HV_ERR_NO_STORAGE_VOL, "delete twice");
    expect_ok(hv_vol_delete(t->conn, t->pool, base, &err), &err,
              "delete base");
    g_free(base_path);
    g_free(top_path);
}

/* A domain whose disk is missing fails to start and stays shut off. */
static void
case_missing_disk(tb *t)
{
    char n[96], vol[96];
    char *path, *xml, *disk, *p;
    hv_vol_spec spec = {0};
    hv_domain *d;
    hv_error err;

    if (t->kind == TB_TEST)
        skip_because("test:///default never opens disks");
    g_snprintf(vol, sizeof(vol), "%s-disk.img", t->prefix);
    tb_track_vol(t, vol);
    spec.name = vol;
    spec.capacity = 1 << 20;
    spec.format = "raw";
    expect_ok(hv_vol_create(t->conn, t->pool, &spec, &err), &err, "create");
    path = hv_vol_get_path(t->conn, t->pool, vol, &err);
    expect_ok(hv_vol_delete(t->conn, t->pool, vol, &err), &err, "delete");

    xml = tb_domain_xml(t, tb_name(t, n, sizeof(n)), false);
    disk = g_markup_printf_escaped(
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='vda' bus='virtio'/></disk>\n"
        "  </devices>", path);
    p = strstr(xml, "</devices>");
    *p = '\0';
    p = g_strconcat(xml, disk, p + strlen("</devices>"), NULL);
    d = hv_domain_define(t->conn, p, &err);
    assert_non_null(d);
    expect_fail(hv_domain_create(d, 0, &err), &err, HV_ERR_SYSTEM_ERROR,
                "start with a missing disk");
    assert_int_equal(tb_state(d, NULL), HV_STATE_SHUTOFF);
    assert_int_equal(tb_id(d), -1);
    g_free(p);
    g_free(xml);
    g_free(disk);
    g_free(path);
    hv_domain_free(d);
}

/*
 * The guest's QEMU process dies (SIGKILL on real QEMU, fake_domain_crash on
 * the fake). Measured on QEMU: one STOPPED/FAILED event carrying the ID
 * the domain had, state SHUTOFF reason CRASHED, ID -1; the persistent
 * domain starts again with a new ID; a transient one is gone.
 */
static void
case_guest_crash(tb *t)
{
    char n[96], m[96];
    const char *why = NULL;
    char *xml;
    hv_domain *d, *tr;
    hv_error err;
    int id, reason = -1;

    if (t->kind == TB_TEST) {
        tb_crash_guest(t, "none", &why);
        printf("# skip guest_crash on %s: %s\n", t->label, why);
        skip();
    }
    d = tb_start_new(t, tb_name(t, n, sizeof(n)), false);
    tb_wait_guest_ready(t, n);
    id = tb_id(d);
    tb_events_clear(t);
    assert_int_equal(tb_crash_guest(t, n, &why), 0);
    assert_int_equal(tb_wait_state(t, d, HV_STATE_SHUTOFF, 5000),
                     HV_STATE_SHUTOFF);
    assert_int_equal(tb_state(d, &reason), HV_STATE_SHUTOFF);
    assert_int_equal(reason, HV_SHUTOFF_CRASHED);
    assert_int_equal(tb_id(d), -1);
    expect_events(t, n, "STOPPED/FAILED");
    assert_int_equal(last_event_id(t, n, HV_EVENT_STOPPED), id);
    /* it starts again, with the next ID */
    tb_events_clear(t);
    expect_ok(hv_domain_create(d, 0, &err), &err, "start after the crash");
    assert_true(tb_id(d) > id);
    expect_events(t, n, "RESUMED/UNPAUSED STARTED/BOOTED");
    hv_domain_free(d);

    /* a transient domain that crashes is gone */
    xml = tb_domain_xml(t, tb_name(t, m, sizeof(m)), false);
    tr = hv_domain_create_xml(t->conn, xml, 0, &err);
    g_free(xml);
    assert_non_null(tr);
    tb_wait_guest_ready(t, m);
    tb_events_clear(t);
    assert_int_equal(tb_crash_guest(t, m, &why), 0);
    assert_true(tb_wait_gone(t, m, 5000));
    expect_events(t, m, "STOPPED/FAILED");
    hv_domain_free(tr);
}

/* Host information is there and sane. */
static void
case_host(tb *t)
{
    hv_node_info node;
    unsigned long lib = 0, hv = 0;
    uint64_t free_mem = 0;
    hv_pool_info pool;
    hv_error err;
    char *caps, *host;

    expect_ok(hv_conn_get_version(t->conn, &lib, &hv, &err), &err, "version");
    assert_true(lib >= 9000000);
    expect_ok(hv_node_get_info(t->conn, &node, &err), &err, "node info");
    assert_true(node.cpus > 0 && node.memory_kib > 0);
    expect_ok(hv_node_get_free_memory(t->conn, &free_mem, &err), &err,
              "free memory");
    assert_true(free_mem > 0 && free_mem <= node.memory_kib * 1024);
    caps = hv_conn_get_capabilities(t->conn, &err);
    assert_non_null(caps);
    assert_non_null(strstr(caps, "<capabilities>"));
    host = hv_conn_get_hostname(t->conn, &err);
    assert_non_null(host);
    expect_ok(hv_pool_get_info(t->conn, t->pool, &pool, &err), &err, "pool");
    assert_true(pool.capacity > 0);
    expect_fail(hv_pool_get_info(t->conn, "hvdt-no-such-pool", &pool, &err),
                &err, HV_ERR_NO_STORAGE_POOL, "unknown pool");
    assert_int_equal(hv_conn_is_alive(t->conn, &err), 1);
    g_free(caps);
    g_free(host);
}

/* Devices: config-only attach/detach on a shut-off domain. */
static void
case_devices_config(tb *t)
{
    static const char nic[] =
        "<interface type='ethernet'><mac address='52:54:00:12:34:56'/>"
        "<model type='virtio'/></interface>";
    char n[96];
    hv_domain *d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;
    char *xml;
    int rc;

    rc = hv_domain_attach_device(d, nic, HV_DEVICE_CONFIG, &err);
    if (t->kind == TB_TEST) {
        expect_fail(rc, &err, HV_ERR_NO_SUPPORT, "attach");
        hv_domain_free(d);
        return;
    }
    expect_ok(rc, &err, "attach config");
    xml = hv_domain_get_xml(d, HV_XML_INACTIVE, &err);
    assert_non_null(strstr(xml, "52:54:00:12:34:56"));
    g_free(xml);
    expect_fail(hv_domain_attach_device(d, nic, HV_DEVICE_LIVE, &err), &err,
                HV_ERR_OPERATION_INVALID, "attach live to shut off");
    expect_ok(hv_domain_detach_device(d, nic, HV_DEVICE_CONFIG, &err), &err,
              "detach config");
    xml = hv_domain_get_xml(d, HV_XML_INACTIVE, &err);
    assert_null(strstr(xml, "52:54:00:12:34:56"));
    g_free(xml);
    hv_domain_free(d);
}

/*
 * Interfaces are found by MAC address, and libvirt does not refuse a
 * second one with an address the domain has: the attach succeeds, and a
 * detach by that address is refused as ambiguous (OPERATION_FAILED,
 * "multiple devices matching MAC address"); with one left, the detach
 * works. A detach of an address the domain does not have is
 * DEVICE_MISSING. The driver's detach_interface depends on all three.
 */
static void
case_nic_mac_duplicate(tb *t)
{
    static const char nic[] =
        "<interface type='ethernet'><mac address='52:54:00:6e:0c:01'/>"
        "<model type='virtio'/></interface>";
    static const char other[] =
        "<interface type='ethernet'><mac address='52:54:00:6e:0c:99'/>"
        "<model type='virtio'/></interface>";
    char n[96];
    hv_domain *d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    hv_error err;
    char *xml, *p;
    int rc, count = 0;

    rc = hv_domain_attach_device(d, nic, HV_DEVICE_CONFIG, &err);
    if (t->kind == TB_TEST) {
        expect_fail(rc, &err, HV_ERR_NO_SUPPORT, "attach");
        hv_domain_free(d);
        return;
    }
    expect_ok(rc, &err, "attach config");
    expect_ok(hv_domain_attach_device(d, nic, HV_DEVICE_CONFIG, &err), &err,
              "attach the same MAC address again");
    xml = hv_domain_get_xml(d, HV_XML_INACTIVE, &err);
    for (p = strstr(xml, "52:54:00:6e:0c:01"); p;
         p = strstr(p + 1, "52:54:00:6e:0c:01"))
        count++;
    assert_int_equal(count, 2);
    g_free(xml);
    expect_fail(hv_domain_detach_device(d, nic, HV_DEVICE_CONFIG, &err), &err,
                HV_ERR_OPERATION_FAILED, "ambiguous detach");
    assert_non_null(strstr(err.message, "multiple devices matching MAC"));
    expect_fail(hv_domain_detach_device(d, other, HV_DEVICE_CONFIG, &err),
                &err, HV_ERR_DEVICE_MISSING, "detach of an unknown MAC");
    hv_domain_free(d);
}

/*
 * Statistics (the driver's diagnostics): refused on a shut-off domain; on
 * a running one the vCPUs are listed, a disk or interface the domain has
 * not is an invalid argument, and without a balloon the memory statistics
 * hold the resident size but no balloon size.
 */
static void
case_stats(tb *t)
{
    char n[96];
    hv_domain *d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    hv_vcpu_info *v = NULL;
    hv_block_stats bs;
    hv_interface_stats is;
    hv_memory_stat ms[HV_MEMSTAT_NR];
    hv_error err;
    int k;

    expect_fail(hv_domain_get_vcpus(d, &v, &err), &err,
                HV_ERR_OPERATION_INVALID, "vcpus shut off");
    expect_fail(hv_domain_block_stats(d, "vda", &bs, &err), &err,
                HV_ERR_OPERATION_INVALID, "block stats shut off");
    expect_fail(hv_domain_memory_stats(d, ms, &err), &err,
                HV_ERR_OPERATION_INVALID, "memory stats shut off");
    expect_ok(hv_domain_create(d, 0, &err), &err, "start");
    assert_int_equal(hv_domain_get_vcpus(d, &v, &err), 1);
    assert_int_equal(v[0].number, 0);
    g_free(v);
    expect_fail(hv_domain_block_stats(d, "vdz", &bs, &err), &err,
                HV_ERR_INVALID_ARG, "block stats of no disk");
    expect_fail(hv_domain_interface_stats(d, "vnet999", &is, &err), &err,
                HV_ERR_INVALID_ARG, "interface stats of no interface");
    k = hv_domain_memory_stats(d, ms, &err);
    if (k < 0)
        fail_msg("memory stats: %s", err.message);
    for (int i = 0; i < k; i++)
        assert_int_not_equal(ms[i].tag, HV_MEMSTAT_ACTUAL_BALLOON);
    hv_domain_free(d);
}

/* A raw volume of the pool owned by the test; its path (g_free). */
static char *
block_vol(tb *t, const char *suffix)
{
    char name[128];
    hv_vol_spec spec = {.name = name, .capacity = 8 << 20,
                        .allocation = 8 << 20, .format = "raw"};
    hv_error err;
    char *path;

    g_snprintf(name, sizeof(name), "%s-%s.img", t->prefix, suffix);
    tb_track_vol(t, name);
    expect_ok(hv_vol_create(t->conn, t->pool, &spec, &err), &err,
              "create volume");
    path = hv_vol_get_path(t->conn, t->pool, name, &err);
    assert_non_null(path);
    return path;
}

/*
 * Block jobs (what swap_volume runs), as measured on libvirt 9.0: a copy
 * of a persistent domain is refused ("domain is not transient"), an
 * abort without a job and a disk the domain has not are invalid
 * arguments; once undefined, a copy onto an existing file (REUSE_EXT)
 * becomes ready (cur == end), a pivot switches the live disk to it and
 * the job is gone; a resize of the disk is accepted.
 */
static void
case_block_jobs(tb *t)
{
    char n[96];
    hv_domain *d = tb_define(t, tb_name(t, n, sizeof(n)), false);
    g_autofree char *a = block_vol(t, "a"), *b = block_vol(t, "b");
    g_autofree char *disk = g_strdup_printf(
        "<disk type='file' device='disk'><driver name='qemu' type='raw'/>"
        "<source file='%s'/><target dev='vdb' bus='virtio'/></disk>", a);
    hv_block_job_info bj;
    hv_error err;
    char *xml;
    int rc = 0;

    if (t->kind == TB_TEST) {
        expect_fail(hv_domain_block_job_info(d, "vdb", &bj, &err), &err,
                    HV_ERR_NO_SUPPORT, "test driver");
        hv_domain_free(d);
        return;
    }
    expect_ok(hv_domain_attach_device(d, disk, HV_DEVICE_CONFIG, &err), &err,
              "attach config");
    expect_fail(hv_domain_block_job_info(d, "vdb", &bj, &err), &err,
                HV_ERR_OPERATION_INVALID, "job info shut off");
    expect_ok(hv_domain_create(d, 0, &err), &err, "start");
    expect_fail(hv_domain_block_rebase(d, "vdb", b,
                                       HV_BLOCK_REBASE_COPY |
                                           HV_BLOCK_REBASE_REUSE_EXT,
                                       &err),
                &err, HV_ERR_OPERATION_INVALID, "copy of a persistent domain");
    expect_fail(hv_domain_block_job_abort(d, "vdb", 0, &err), &err,
                HV_ERR_INVALID_ARG, "abort without a job");
    expect_fail(hv_domain_block_job_info(d, "vdz", &bj, &err), &err,
                HV_ERR_INVALID_ARG, "job info of no disk");
    assert_int_equal(hv_domain_block_job_info(d, "vdb", &bj, &err), 0);
    expect_ok(hv_domain_undefine(d, 0, &err), &err, "undefine");
    expect_ok(hv_domain_block_rebase(d, "vdb", b,
                                     HV_BLOCK_REBASE_COPY |
                                         HV_BLOCK_REBASE_REUSE_EXT,
                                     &err),
              &err, "copy");
    for (int i = 0; i < 100; i++) {
        rc = hv_domain_block_job_info(d, "vdb", &bj, &err);
        assert_int_equal(rc, 1);
        assert_int_equal(bj.type, HV_BLOCK_JOB_COPY);
        if (bj.end != 0 && bj.cur == bj.end)
            break;
        tb_sleep_ms(t, 100);
    }
    assert_true(bj.end != 0 && bj.cur == bj.end);
    expect_ok(hv_domain_block_job_abort(d, "vdb", HV_BLOCK_JOB_ABORT_PIVOT,
                                        &err),
              &err, "pivot");
    xml = hv_domain_get_xml(d, 0, &err);
    assert_non_null(xml);
    assert_non_null(strstr(xml, b));
    g_free(xml);
    assert_int_equal(hv_domain_block_job_info(d, "vdb", &bj, &err), 0);
    expect_ok(hv_domain_block_resize(d, "vdb", 16 << 10, &err), &err,
              "resize");
    hv_domain_free(d);
}

/* The string value of an XPath expression over xml (g_free). */
static char *
xpath_string(const char *xml, const char *expr)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET);
    xmlXPathContextPtr ctx;
    xmlXPathObjectPtr obj;
    char *out;

    assert_non_null(doc);
    ctx = xmlXPathNewContext(doc);
    obj = xmlXPathEvalExpression((const xmlChar *)expr, ctx);
    assert_non_null(obj);
    {
        xmlChar *v = xmlXPathCastToString(obj);

        out = g_strdup((const char *)v);
        xmlFree(v);
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return out;
}

/*
 * What libvirt's QEMU driver adds to a definition (its post-parse step),
 * which the driver's XML leaves to it and reads back (get_console_output
 * finds the file console libvirt made from the first serial port): the
 * architecture and the versioned machine type, and a <console> mirroring
 * the first <serial>. The test driver adds neither.
 */
static void
case_post_parse(tb *t)
{
    char n[96], *xml, *defined, *v;
    hv_domain *d;
    hv_error err;

    if (t->kind == TB_TEST) {
        printf("# skip post_parse on %s: the test driver keeps the XML as "
               "given\n", t->label);
        skip();
    }
    tb_name(t, n, sizeof(n));
    xml = g_strdup_printf(
        "<domain type='qemu'><name>%s</name><memory unit='MiB'>96</memory>"
        "<os><type>hvm</type></os><devices>"
        "<serial type='file'><source path='/var/lib/hvd/%s.log'/></serial>"
        "<serial type='pty'/></devices></domain>", n, n);
    d = hv_domain_define(t->conn, xml, &err);
    if (!d)
        fail_msg("define: %s", err.message);
    defined = hv_domain_get_xml(d, HV_XML_INACTIVE, &err);
    assert_non_null(defined);
    v = xpath_string(defined, "string(/domain/os/type/@arch)");
    assert_string_equal(v, "x86_64");
    g_free(v);
    v = xpath_string(defined, "string(/domain/os/type/@machine)");
    if (!g_str_has_prefix(v, "pc-i440fx-"))
        fail_msg("machine type '%s', want pc-i440fx-*", v);
    g_free(v);
    v = xpath_string(defined, "concat(count(/domain/devices/console), ' ', "
                              "/domain/devices/console/@type, ' ', "
                              "/domain/devices/console/source/@path, ' ', "
                              "/domain/devices/console/target/@type, ' ', "
                              "/domain/devices/console/target/@port)");
    {
        char *want = g_strdup_printf("1 file /var/lib/hvd/%s.log serial 0",
                                     n);

        assert_string_equal(v, want);
        g_free(want);
    }
    g_free(v);
    expect_ok(hv_domain_undefine(d, 0, &err), &err, "undefine");
    g_free(defined);
    g_free(xml);
    hv_domain_free(d);
}

/*
 * A host-model CPU: the definition keeps mode='host-model', the live XML
 * of the started domain shows what libvirt's QEMU driver expanded it to
 * (the host's CPU model as mode='custom' match='exact' check='full', the
 * model with fallback='forbid', the vendor, the features). The driver
 * defines host-model by default, so a check of its live XML sees this.
 */
static void
case_host_model(tb *t)
{
    char n[96], *xml, *p, *live, *defined, *v;
    hv_domain *d;
    hv_error err;

    if (t->kind == TB_TEST) {
        printf("# skip host_model on %s: the test driver keeps the XML as "
               "given\n", t->label);
        skip();
    }
    tb_name(t, n, sizeof(n));
    xml = tb_domain_xml(t, n, false);
    assert_non_null(p = strstr(xml, "  <devices>"));
    {
        char *with = g_strdup_printf(
            "%.*s  <cpu mode='host-model'><topology sockets='1' cores='1' "
            "threads='1'/></cpu>\n%s", (int)(p - xml), xml, p);

        g_free(xml);
        xml = with;
    }
    d = hv_domain_define(t->conn, xml, &err);
    if (!d)
        fail_msg("define: %s", err.message);
    expect_ok(hv_domain_create(d, 0, &err), &err, "start");
    live = hv_domain_get_xml(d, 0, &err);
    assert_non_null(live);
    v = xpath_string(live, "concat(/domain/cpu/@mode, ' ', "
                           "/domain/cpu/@match, ' ', /domain/cpu/@check, ' ', "
                           "/domain/cpu/model/@fallback, ' ', "
                           "count(/domain/cpu/vendor), ' ', "
                           "count(/domain/cpu/topology), ' ', "
                           "boolean(string(/domain/cpu/model)))");
    assert_string_equal(v, "custom exact full forbid 1 1 true");
    g_free(v);
    defined = hv_domain_get_xml(d, HV_XML_INACTIVE, &err);
    assert_non_null(defined);
    v = xpath_string(defined, "concat(/domain/cpu/@mode, ' ', "
                              "count(/domain/cpu/model))");
    assert_string_equal(v, "host-model 0");
    g_free(v);
    expect_ok(hv_domain_destroy(d, 0, &err), &err, "destroy");
    expect_ok(hv_domain_undefine(d, 0, &err), &err, "undefine");
    g_free(live);
    g_free(defined);
    g_free(xml);
    hv_domain_free(d);
}

/* ---- snapshots and the guest agent ---- */

/* The guest's definition with the QEMU guest agent's channel (libvirt
 * picks the socket path). g_free. */
static char *
agent_domain_xml(tb *t, const char *name)
{
    char *xml = tb_domain_xml(t, name, false);
    char *at = strstr(xml, "  </devices>");
    char *out;

    assert_non_null(at);
    out = g_strdup_printf("%.*s    <channel type='unix'><target "
                          "type='virtio' name='org.qemu.guest_agent.0'/>"
                          "</channel>\n%s",
                          (int)(at - xml), xml, at);
    g_free(xml);
    return out;
}

/*
 * The guest agent where the guest has none (the tiny guest has no
 * qemu-ga): libvirt's QEMU driver answers ARGUMENT_UNSUPPORTED without
 * the agent's channel, AGENT_UNRESPONSIVE with it, OPERATION_INVALID
 * when the domain is paused or off (qemuDomainAgentAvailable), for the
 * freeze, the thaw and a password alike. The test driver answers as if
 * every guest had an agent (docs/conformance.md).
 */
static void
case_guest_agent(tb *t)
{
    char a[96], b[96];
    hv_domain *da = tb_start_new(t, tb_name(t, a, sizeof(a)), false);
    hv_domain *db;
    char *xml;
    hv_error err;
    int none = HV_ERR_ARGUMENT_UNSUPPORTED;
    int unresp = HV_ERR_AGENT_UNRESPONSIVE;
    int off = HV_ERR_OPERATION_INVALID;

    tb_wait_guest_ready(t, a);
    if (t->kind == TB_TEST) {
        /* the test driver plays a guest with an agent and two mounted
         * filesystems ("/" and "/boot"), whatever the definition says */
        assert_int_equal(hv_domain_fs_freeze(da, &err), 2);
        assert_int_equal(hv_domain_fs_thaw(da, &err), 2);
        expect_ok(hv_domain_set_user_password(da, "root", "hvd-test", 0,
                                              &err), &err, "password");
        expect_ok(hv_domain_destroy(da, 0, &err), &err, "destroy");
        expect_fail(hv_domain_fs_freeze(da, &err) < 0 ? -1 : 0, &err,
                    HV_ERR_OPERATION_INVALID, "freeze, shut off");
        hv_domain_free(da);
        return;
    }
    expect_fail(hv_domain_fs_freeze(da, &err), &err, none, "freeze, no channel");
    assert_non_null(strstr(err.message, "QEMU guest agent is not "
                                        "configured"));
    expect_fail(hv_domain_fs_thaw(da, &err), &err, none, "thaw, no channel");
    expect_fail(hv_domain_set_user_password(da, "root", "hvd-test", 0, &err),
                &err, none, "password, no channel");
    expect_ok(hv_domain_suspend(da, &err), &err, "pause");
    expect_fail(hv_domain_fs_freeze(da, &err), &err, off, "freeze, paused");
    expect_ok(hv_domain_destroy(da, 0, &err), &err, "destroy");
    expect_fail(hv_domain_fs_freeze(da, &err), &err, off, "freeze, shut off");
    expect_fail(hv_domain_set_user_password(da, "root", "hvd-test", 0, &err),
                &err, off, "password, shut off");

    tb_name(t, b, sizeof(b));
    xml = agent_domain_xml(t, b);
    db = hv_domain_create_xml(t->conn, xml, 0, &err);
    g_free(xml);
    if (!db)
        fail_msg("create with an agent channel: %s", err.message);
    tb_wait_guest_ready(t, b);
    expect_fail(hv_domain_fs_freeze(db, &err), &err, unresp,
                "freeze, channel without agent");
    assert_non_null(strstr(err.message, "QEMU guest agent is not "
                                        "connected"));
    expect_fail(hv_domain_fs_thaw(db, &err), &err, unresp,
                "thaw, channel without agent");
    expect_fail(hv_domain_set_user_password(db, "root", "hvd-test", 0, &err),
                &err, unresp, "password, channel without agent");
    expect_ok(hv_domain_destroy(db, 0, &err), &err, "destroy transient");
    hv_domain_free(db);
    hv_domain_free(da);
}

/*
 * A volume made from another (what a snapshot extracts): a flat copy, no
 * backing file, the source's capacity, in the format asked; a name taken
 * or a missing source fail as for any volume.
 */
static void
case_volume_copy(tb *t)
{
    char base[96], top[96], flat[96], other[96];
    hv_vol_spec spec = {0};
    hv_vol_info info;
    hv_error err;
    char *base_path;

    g_snprintf(base, sizeof(base), "%s-base.img", t->prefix);
    g_snprintf(top, sizeof(top), "%s-top.qcow2", t->prefix);
    g_snprintf(flat, sizeof(flat), "%s-flat.qcow2", t->prefix);
    g_snprintf(other, sizeof(other), "%s-other.raw", t->prefix);
    tb_track_vol(t, other);
    tb_track_vol(t, flat);
    tb_track_vol(t, top);
    tb_track_vol(t, base);
    spec = (hv_vol_spec){.name = base, .capacity = 8 << 20,
                         .allocation = 8 << 20, .format = "raw"};
    expect_ok(hv_vol_create(t->conn, t->pool, &spec, &err), &err, "base");
    base_path = hv_vol_get_path(t->conn, t->pool, base, &err);
    assert_non_null(base_path);
    spec = (hv_vol_spec){.name = top, .capacity = 16 << 20, .format = "qcow2",
                         .backing_path = base_path, .backing_format = "raw"};
    expect_ok(hv_vol_create(t->conn, t->pool, &spec, &err), &err, "top");
    spec = (hv_vol_spec){.name = flat, .format = "qcow2"};
    expect_ok(hv_vol_create_from(t->conn, t->pool, &spec, top, &err), &err,
              "copy");
    expect_ok(hv_vol_get_info(t->conn, t->pool, flat, &info, &err), &err,
              "info of the copy");
    if (t->kind != TB_TEST) {
        assert_string_equal(info.format, "qcow2");
        assert_string_equal(info.backing_path, "");
        assert_int_equal(info.capacity, 16 << 20);
    }
    /* not STORAGE_VOL_EXIST, as a plain create says */
    expect_fail(hv_vol_create_from(t->conn, t->pool, &spec, top, &err), &err,
                QEMU_OR_TEST(t, HV_ERR_INTERNAL_ERROR,
                             HV_ERR_OPERATION_FAILED),
                "copy onto a name taken");
    if (t->kind != TB_TEST)
        assert_non_null(strstr(err.message, "already in use"));
    spec.name = other;
    spec.format = "raw";
    expect_fail(hv_vol_create_from(t->conn, t->pool, &spec, "hvdt-no-such",
                                   &err), &err, HV_ERR_NO_STORAGE_VOL,
                "copy of a missing volume");
    g_free(base_path);
}


typedef struct conf_case {
    const char *name;
    void (*fn)(tb *t);
} conf_case;

static const conf_case cases[] = {
    {"ids", case_ids},
    {"invalid_state_shutoff", case_invalid_state_shutoff},
    {"invalid_state_running", case_invalid_state_running},
    {"invalid_state_paused", case_invalid_state_paused},
    {"reboot_paused", case_reboot_paused},
    {"no_domain", case_no_domain},
    {"duplicate", case_duplicate},
    {"transient_persistent", case_transient_persistent},
    {"start_paused", case_start_paused},
    {"acpi_honoured", case_acpi_honoured},
    {"acpi_ignored", case_acpi_ignored},
    {"acpi_during_boot", case_acpi_during_boot},
    {"suspend_resume", case_suspend_resume},
    {"managed_save", case_managed_save},
    {"lifecycle_events", case_lifecycle_events},
    {"reboot_events", case_reboot_events},
    {"bad_xml", case_bad_xml},
    {"jobs", case_jobs},
    {"migration_tuning", case_migration_tuning},
    {"volumes", case_volumes},
    {"missing_disk", case_missing_disk},
    {"guest_crash", case_guest_crash},
    {"host", case_host},
    {"devices_config", case_devices_config},
    {"nic_mac_duplicate", case_nic_mac_duplicate},
    {"diag_stats", case_stats},
    {"block_jobs", case_block_jobs},
    {"post_parse", case_post_parse},
    {"host_model", case_host_model},
    {"guest_agent", case_guest_agent},
    {"volume_copy", case_volume_copy},
};

typedef struct run_state {
    tb_kind kind;
    const conf_case *c;
    tb *t;
} run_state;

static int
setup(void **state)
{
    run_state *rs = *state;

    rs->t = tb_open(rs->kind, rs->c->name);
    return 0;
}

static int
teardown(void **state)
{
    run_state *rs = *state;

    tb_close(rs->t);
    rs->t = NULL;
    return 0;
}

static void
run_case(void **state)
{
    run_state *rs = *state;

    rs->c->fn(rs->t);
}

static bool
wanted(const char *list, const char *item)
{
    char **v;
    bool yes;

    if (!list || !*list)
        return true;
    v = g_strsplit(list, ",", -1);
    yes = g_strv_contains((const char *const *)v, item);
    g_strfreev(v);
    return yes;
}

int
main(void)
{
    static const struct {
        tb_kind kind;
        const char *key;
    } backends[] = {{TB_FAKE, "fake"}, {TB_TEST, "test"}, {TB_QEMU, "qemu"}};
    const char *only = getenv("HVD_BACKENDS");
    const char *only_case = getenv("HVD_CASE");
    int failed = 0;

    cmocka_set_message_output(CM_OUTPUT_TAP);
    for (size_t b = 0; b < G_N_ELEMENTS(backends); b++) {
        size_t n = G_N_ELEMENTS(cases);
        struct CMUnitTest *tests = g_new0(struct CMUnitTest, n);
        run_state *rs = g_new0(run_state, n);
        const char *why = tb_unavailable(backends[b].kind);
        char **names = g_new0(char *, n + 1);
        size_t k = 0;

        if (!wanted(only, backends[b].key))
            goto next;
        if (why) {
            printf("# conformance on %s skipped: %s\n",
                   tb_kind_name(backends[b].kind), why);
            goto next;
        }
        for (size_t i = 0; i < n; i++) {
            if (only_case && *only_case && !wanted(only_case, cases[i].name))
                continue;
            rs[k].kind = backends[b].kind;
            rs[k].c = &cases[i];
            names[k] = g_strdup_printf("%s: %s", backends[b].key,
                                       cases[i].name);
            tests[k].name = names[k];
            tests[k].test_func = run_case;
            tests[k].setup_func = setup;
            tests[k].teardown_func = teardown;
            tests[k].initial_state = &rs[k];
            k++;
        }
        failed += _cmocka_run_group_tests(tb_kind_name(backends[b].kind),
                                          tests, k, NULL, NULL);
    next:
        g_strfreev(names);
        g_free(tests);
        g_free(rs);
    }
    return failed ? 1 : 0;
}
