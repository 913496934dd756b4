/*
 * support-backend.c: running one test on every backend (see the header).
 */
#include "support-backend.h"

#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cmocka.h>

#include "hv-libvirt.h"

#define LOG_DIR "/var/cache/hvd/logs"

const char *
tb_kind_name(tb_kind kind)
{
    switch (kind) {
    case TB_FAKE:
        return "fake";
    case TB_TEST:
        return "test:///default";
    case TB_QEMU:
        return "qemu:///system";
    default:
        return "?";
    }
}

const char *
tb_unavailable(tb_kind kind)
{
    const char *real = getenv("HVD_REAL");

    if (kind != TB_QEMU)
        return NULL;
    if (!real || strcmp(real, "1") != 0)
        return "qemu:///system runs under make check-real (HVD_REAL=1)";
    if (!getenv("HVD_GUEST_KERNEL") || !getenv("HVD_GUEST_INITRD"))
        return "HVD_GUEST_KERNEL/HVD_GUEST_INITRD not set (ci/tiny-guest.sh)";
    return NULL;
}

static void
recorder(hv_conn *conn, const hv_event *ev, void *opaque)
{
    tb *t = opaque;
    tb_event *e;

    (void)conn;
    if (t->nevents >= G_N_ELEMENTS(t->events))
        return;
    e = &t->events[t->nevents++];
    e->type = ev->type;
    e->detail = ev->detail;
    e->id = ev->id;
    g_strlcpy(e->name, ev->name ? ev->name : "", sizeof(e->name));
}

tb *
tb_open(tb_kind kind, const char *test_name)
{
    tb *t = g_new0(tb, 1);
    hv_error err;
    static unsigned int opened;

    hv_error_reset(&err);
    t->kind = kind;
    t->label = tb_kind_name(kind);
    t->made_domains = g_new0(char *, 1);
    t->made_vols = g_new0(char *, 1);
    /* HVD_TB_TAG marks the domains of one user of a shared real host */
    g_snprintf(t->prefix, sizeof(t->prefix), "hvdt-%.12s%s%d-%u-%.16s",
               getenv("HVD_TB_TAG") ? getenv("HVD_TB_TAG") : "",
               getenv("HVD_TB_TAG") ? "-" : "", (int)getpid() % 100000,
               opened++, test_name);
    for (char *p = t->prefix; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '-')
            *p = '-';
    switch (kind) {
    case TB_FAKE: {
        fake_host_spec spec = {.name = "host1", .vcpus = 8,
                               .memory_mib = 16384, .storage_pool = "hvd",
                               .disk_gib = 100};
        t->world = fake_world_new(1);
        assert_non_null(fake_host_add(t->world, &spec, &err));
        t->conn = fake_conn_open(t->world, "host1", &err);
        /* the same name as the real suite's pool */
        t->pool = spec.storage_pool;
        break;
    }
    case TB_TEST:
        t->conn = hv_libvirt_open("test:///default", &err);
        t->pool = "default-pool";
        break;
    case TB_QEMU:
        t->conn = hv_libvirt_open("qemu:///system", &err);
        t->pool = "hvd";
        break;
    default:
        break;
    }
    if (!t->conn)
        fail_msg("cannot open %s: %s", t->label, err.message);
    if (hv_conn_events_register(t->conn, recorder, t, &err) < 0)
        fail_msg("cannot register events on %s: %s", t->label, err.message);
    return t;
}

static void
strv_add(char ***v, const char *s)
{
    guint n = g_strv_length(*v);

    if (g_strv_contains((const char *const *)*v, s))
        return;
    *v = g_renew(char *, *v, n + 2);
    (*v)[n] = g_strdup(s);
    (*v)[n + 1] = NULL;
}

void
tb_track_vol(tb *t, const char *name)
{
    strv_add(&t->made_vols, name);
}

const char *
tb_name(tb *t, char *buf, size_t len)
{
    g_snprintf(buf, len, "%s-%u", t->prefix, t->serial++);
    strv_add(&t->made_domains, buf);
    return buf;
}

void
tb_close(tb *t)
{
    hv_error err;

    if (!t)
        return;
    for (char **n = t->made_domains; t->conn && n && *n; n++) {
        hv_domain *d = hv_domain_lookup_by_name(t->conn, *n, &err);
        if (!d)
            continue;
        hv_domain_destroy(d, 0, &err);
        hv_domain_undefine(d, HV_UNDEFINE_MANAGED_SAVE | HV_UNDEFINE_NVRAM,
                           &err);
        if (err.code == HV_ERR_INVALID_ARG) /* the test driver has no NVRAM */
            hv_domain_undefine(d, HV_UNDEFINE_MANAGED_SAVE, &err);
        hv_domain_free(d);
        if (t->kind == TB_QEMU) {
            char *log = g_strdup_printf("%s/%s.log", LOG_DIR, *n);
            unlink(log);
            g_free(log);
        }
    }
    for (char **n = t->made_vols; t->conn && n && *n; n++)
        hv_vol_delete(t->conn, t->pool, *n, &err);
    g_strfreev(t->made_domains);
    g_strfreev(t->made_vols);
    hv_conn_close(t->conn);
    fake_world_free(t->world);
    g_free(t);
}

char *
tb_domain_xml(tb *t, const char *name, bool noacpi)
{
    const char *kernel = getenv("HVD_GUEST_KERNEL");
    const char *initrd = getenv("HVD_GUEST_INITRD");
    const char *vtype = getenv("HVD_VIRT_TYPE");
    char *log = g_strdup_printf("%s/%s.log", LOG_DIR, name);
    char *xml;

    if (t->kind == TB_TEST)
        vtype = "test";
    else if (!vtype || !*vtype)
        vtype = "qemu";
    if (t->kind == TB_QEMU)
        g_mkdir_with_parents(LOG_DIR, 0755);
    xml = g_markup_printf_escaped(
        "<domain type='%s'>\n"
        "  <name>%s</name>\n"
        "  <memory unit='MiB'>96</memory>\n"
        "  <vcpu>1</vcpu>\n"
        "  <os>\n"
        "    <type arch='x86_64' machine='pc'>hvm</type>\n"
        "    <kernel>%s</kernel>\n"
        "    <initrd>%s</initrd>\n"
        "    <cmdline>console=ttyS0 panic=-1 quiet%s</cmdline>\n"
        "  </os>\n"
        "  <features><acpi/></features>\n"
        "  <on_poweroff>destroy</on_poweroff>\n"
        "  <on_reboot>restart</on_reboot>\n"
        "  <on_crash>destroy</on_crash>\n"
        "  <devices>\n"
        "    <serial type='file'><source path='%s'/>"
        "<target port='0'/></serial>\n"
        "    <console type='file'><source path='%s'/>"
        "<target type='serial' port='0'/></console>\n"
        "    <controller type='usb' model='none'/>\n"
        "    <memballoon model='none'/>\n"
        "  </devices>\n"
        "</domain>\n",
        vtype, name, kernel ? kernel : "/boot/vmlinuz-hvd",
        initrd ? initrd : "/boot/initrd-hvd", noacpi ? " hvd.noacpi" : "",
        log, log);
    g_free(log);
    return xml;
}

hv_domain *
tb_define(tb *t, const char *name, bool noacpi)
{
    char *xml = tb_domain_xml(t, name, noacpi);
    hv_error err;
    hv_domain *d = hv_domain_define(t->conn, xml, &err);

    g_free(xml);
    if (!d)
        fail_msg("define %s on %s: %s (%s)", name, t->label, err.message,
                 hv_error_code_name(err.code));
    return d;
}

hv_domain *
tb_start_new(tb *t, const char *name, bool noacpi)
{
    hv_domain *d = tb_define(t, name, noacpi);
    hv_error err;

    if (hv_domain_create(d, 0, &err) < 0)
        fail_msg("start %s on %s: %s", name, t->label, err.message);
    return d;
}

void
tb_sleep_ms(tb *t, int64_t ms)
{
    hv_error err;

    assert_int_equal(hv_sleep(t->conn, ms * HV_NS_PER_MS, &err), 0);
}

void
tb_wait_guest_ready(tb *t, const char *name)
{
    char *log;

    if (t->kind == TB_TEST)
        return;
    if (t->kind == TB_FAKE) {
        tb_sleep_ms(t, FAKE_DEFAULT_BOOT_NS / HV_NS_PER_MS + 100);
        return;
    }
    log = g_strdup_printf("%s/%s.log", LOG_DIR, name);
    for (int i = 0; i < 600; i++) {
        char *text = NULL;
        bool ready = g_file_get_contents(log, &text, NULL, NULL) &&
                     strstr(text, "HVD-GUEST-READY");
        g_free(text);
        if (ready) {
            g_free(log);
            /* acpid is started just before the ready line; give it a moment */
            tb_sleep_ms(t, 300);
            return;
        }
        tb_sleep_ms(t, 100);
    }
    fail_msg("guest %s never printed its ready line in %s", name, log);
}

int
tb_crash_guest(tb *t, const char *name, const char **why)
{
    hv_error err;
    char *path, *text = NULL, *end = NULL;
    long pid;

    switch (t->kind) {
    case TB_FAKE:
        if (fake_domain_crash(fake_host_find(t->world, "host1"), name,
                              &err) < 0)
            fail_msg("fake_domain_crash %s: %s", name, err.message);
        return 0;
    case TB_QEMU:
        path = g_strdup_printf("/run/libvirt/qemu/%s.pid", name);
        if (!g_file_get_contents(path, &text, NULL, NULL))
            fail_msg("no pid file %s", path);
        pid = strtol(text, &end, 10);
        if (pid <= 1 || end == text)
            fail_msg("%s: no pid in '%s'", path, text);
        if (kill((pid_t)pid, SIGKILL) < 0)
            fail_msg("kill -KILL %ld (%s): %s", pid, path, g_strerror(errno));
        g_free(text);
        g_free(path);
        return 0;
    default:
        *why = "libvirt's test driver runs no QEMU process to kill";
        return -1;
    }
}

int
tb_state(hv_domain *dom, int *reason)
{
    hv_domain_info info;
    hv_error err;

    if (hv_domain_get_info(dom, &info, &err) < 0)
        fail_msg("get_info %s: %s", hv_domain_name(dom), err.message);
    if (reason)
        *reason = info.reason;
    return info.state;
}

int
tb_id(hv_domain *dom)
{
    hv_domain_info info;
    hv_error err;

    if (hv_domain_get_info(dom, &info, &err) < 0)
        fail_msg("get_info %s: %s", hv_domain_name(dom), err.message);
    return info.id;
}

int
tb_wait_state(tb *t, hv_domain *dom, int state, int64_t timeout_ms)
{
    int64_t waited = 0;
    hv_domain_info info;
    hv_error err;

    for (;;) {
        if (hv_domain_get_info(dom, &info, &err) < 0)
            return -1;
        if (info.state == state || waited >= timeout_ms)
            return info.state;
        tb_sleep_ms(t, 100);
        waited += 100;
    }
}

bool
tb_wait_gone(tb *t, const char *name, int64_t timeout_ms)
{
    for (int64_t waited = 0;; waited += 100) {
        hv_error err;
        hv_domain *d = hv_domain_lookup_by_name(t->conn, name, &err);

        hv_domain_free(d);
        if (!d && err.code == HV_ERR_NO_DOMAIN)
            return true;
        if (waited >= timeout_ms)
            return false;
        tb_sleep_ms(t, 100);
    }
}

char *
tb_events_of(tb *t, const char *name)
{
    GString *s = g_string_new("");

    for (unsigned int i = 0; i < t->nevents; i++) {
        const tb_event *e = &t->events[i];
        if (strcmp(e->name, name) != 0)
            continue;
        if (s->len)
            g_string_append_c(s, ' ');
        g_string_append_printf(s, "%s/%s", hv_event_type_name(e->type),
                               hv_event_detail_name(e->type, e->detail));
    }
    return g_string_free(s, FALSE);
}

void
tb_wait_events(tb *t, const char *name, unsigned int n, int64_t timeout_ms)
{
    for (int64_t waited = 0;; waited += 50) {
        unsigned int have = 0;

        for (unsigned int i = 0; i < t->nevents; i++)
            if (strcmp(t->events[i].name, name) == 0)
                have++;
        if (have >= n || waited >= timeout_ms)
            return;
        tb_sleep_ms(t, 50);
    }
}

void
tb_events_clear(tb *t)
{
    hv_error err;

    /* libvirt delivers on its own thread: let events in flight land */
    if (t->kind == TB_FAKE)
        hv_dispatch_events(t->conn, &err);
    else
        tb_sleep_ms(t, 300);
    t->nevents = 0;
}
