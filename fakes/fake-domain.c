/*
 * fake-domain.c: the domain state machine of a fake host and the guest
 * behaviour it runs in virtual time, behind the domain slots.
 *
 * States, reasons, events and errors follow real QEMU as measured. Guest
 * behaviour runs as timers holding one of the domain's tokens: 'life'
 * changes on every start and stop, 'run' also on every reset and reboot,
 * so a timer of an earlier run finds no domain and does nothing.
 */
#include "fake-priv.h"

#include <errno.h>
#include <string.h>

#include "fake-xml.h"

#define DETACH_WAIT_NS (5 * HV_NS_PER_SEC) /* libvirt waits this long */

void
fake_guest_defaults(fake_guest *g)
{
    memset(g, 0, sizeof(*g));
    g->boot_ns = FAKE_DEFAULT_BOOT_NS;
    g->honours_acpi = true;
    g->acpi_delay_ns = FAKE_DEFAULT_ACPI_DELAY_NS;
    g->detach_delay_ns = FAKE_DEFAULT_DETACH_DELAY_NS;
}

void
fake_dom_free(fake_dom *d)
{
    if (!d)
        return;
    g_free(d->name);
    g_free(d->config_xml);
    g_free(d->live_xml);
    fake_block_jobs_clear(d);
    if (d->unplugs)
        g_hash_table_destroy(d->unplugs);
    g_free(d);
}

/* ---- domain state machine ---- */

bool
fake_dom_active(const fake_dom *d)
{
    return d->id > 0;
}

void
fake_dom_account_cpu(fake_dom *d, int64_t now)
{
    if (d->running_since >= 0) {
        /* an idle tiny guest: a tenth of one vCPU */
        d->cpu_ns += (uint64_t)(now - d->running_since) / 10;
        d->running_since = -1;
    }
}

static void
dom_set_state(fake_host *h, fake_dom *d, int state, int reason)
{
    int64_t now = sim_now(h->w);

    /* a migrating guest dirties memory only while it runs */
    if (d->mig_out)
        fake_mig_guest_changing(h->w, d->mig_out);
    fake_dom_account_cpu(d, now);
    d->state = state;
    d->reason = reason;
    if (state == HV_STATE_RUNNING)
        d->running_since = now;
}

/* Give the domain a fresh token in *tok (&d->life or &d->run). */
void
fake_dom_retoken(fake_host *h, fake_dom *d, uint64_t *tok)
{
    if (*tok)
        g_hash_table_remove(h->tokens, tok);
    *tok = ++h->token_counter;
    g_hash_table_insert(h->tokens, tok, d);
}

void
fake_dom_remove(fake_host *h, fake_dom *d)
{
    if (d->life)
        g_hash_table_remove(h->tokens, &d->life);
    if (d->run)
        g_hash_table_remove(h->tokens, &d->run);
    g_hash_table_remove(h->by_name, d->name);
    g_hash_table_remove(h->by_uuid, d->uuid); /* frees d */
}

/*
 * The domain's QEMU is gone: shut off with 'reason', the STOPPED event with
 * 'detail', and a transient domain disappears.
 */
void
fake_dom_stopped(fake_host *h, fake_dom *d, int reason, int detail)
{
    /* a migration of this QEMU fails once it is gone (told last, after
     * this host's events, and when d may be freed) */
    uint64_t out = d->mig_out, in = d->mig_in;

    d->mig_out = d->mig_in = 0;
    dom_set_state(h, d, HV_STATE_SHUTOFF, reason);
    /* measured: STOPPED/DESTROYED and STOPPED/SAVED carry ID -1, the
     * others the ID the domain had */
    if (detail == HV_EV_STOPPED_DESTROYED || detail == HV_EV_STOPPED_SAVED)
        d->id = -1;
    fake_host_emit(h, d, HV_EVENT_STOPPED, detail, NULL);
    d->id = -1;
    fake_dom_retoken(h, d, &d->life);
    fake_dom_retoken(h, d, &d->run);
    d->os_up = false;
    d->pending = FAKE_ACPI_NONE;
    g_clear_pointer(&d->live_xml, g_free);
    fake_block_jobs_clear(d);
    if (d->unplugs)
        g_hash_table_remove_all(d->unplugs);
    if (!d->persistent)
        fake_dom_remove(h, d);
    if (out)
        fake_mig_domain_lost(h->w, out, true);
    if (in)
        fake_mig_domain_lost(h->w, in, false);
}

void
fake_dom_set_state(fake_host *h, fake_dom *d, int state, int reason)
{
    dom_set_state(h, d, state, reason);
}

static fake_dom *
dom_by_uuid(fake_host *h, const char *uuid)
{
    return g_hash_table_lookup(h->by_uuid, uuid);
}

static fake_dom *
dom_by_token(fake_host *h, uint64_t token)
{
    return g_hash_table_lookup(h->tokens, &token);
}

/* ---- guest behaviour, in virtual time ---- */

static void boot_schedule(fake_host *h, fake_dom *d);

static void
on_booted(sim_world *w, void *a, uint64_t token)
{
    fake_host *h = a;
    fake_dom *d = dom_by_token(h, token);

    (void)w;
    if (!d)
        return;
    d->os_up = true;
    fake_files_guest_ready(h, d);
}

static void
boot_schedule(fake_host *h, fake_dom *d)
{
    fake_dom_retoken(h, d, &d->run);
    d->os_up = false;
    sim_schedule(h->w, sim_now(h->w) + d->guest.boot_ns, on_booted, h,
                 d->run);
}

static int dom_start(fake_host *h, fake_dom *d, const char *xml,
                     unsigned int flags, hv_error *err);

/*
 * The guest acts on an ACPI power-button press. A guest that restarts on
 * shutdown is started again at once from its definition, as by a tool
 * outside the driver: a new ID, and a new boot.
 */
static void
on_acpi_shutdown(sim_world *w, void *a, uint64_t token)
{
    fake_host *h = a;
    fake_dom *d = dom_by_token(h, token);
    bool restart;
    hv_error err;

    (void)w;
    if (!d || !fake_dom_active(d))
        return;
    /* a transient domain is gone once it stops: nothing to start again */
    restart = d->guest.restarts_on_shutdown && d->persistent;
    /* QEMU reports the guest's power-off, then the process exits */
    dom_set_state(h, d, HV_STATE_SHUTDOWN, HV_SHUTDOWN_USER);
    fake_host_emit(h, d, HV_EVENT_SHUTDOWN, HV_EV_SHUTDOWN_GUEST, NULL);
    fake_dom_stopped(h, d, HV_SHUTOFF_SHUTDOWN, HV_EV_STOPPED_SHUTDOWN);
    hv_error_reset(&err);
    /* if its disks went meanwhile it stays off, as a failed start would */
    if (restart)
        (void)dom_start(h, d, d->config_xml, 0, &err);
}

/* The guest acts on an ACPI reboot request: it resets and boots again. */
static void
on_acpi_reboot(sim_world *w, void *a, uint64_t token)
{
    fake_host *h = a;
    fake_dom *d = dom_by_token(h, token);

    (void)w;
    if (!d || !fake_dom_active(d))
        return;
    /* measured: real QEMU raises two reboot events for one ACPI reboot */
    fake_host_emit(h, d, HV_EVENT_REBOOT, 0, NULL);
    fake_host_emit(h, d, HV_EVENT_REBOOT, 0, NULL);
    boot_schedule(h, d);
}

static void on_crash(sim_world *w, void *a, uint64_t token);

void
fake_dom_crash(fake_host *h, fake_dom *d)
{
    switch (d->guest.on_crash) {
    case FAKE_CRASH_SHUTOFF:
        fake_dom_stopped(h, d, HV_SHUTOFF_CRASHED, HV_EV_STOPPED_FAILED);
        return;
    case FAKE_CRASH_PRESERVE:
        /* QEMU stays with the CPUs stopped; the guest does nothing more */
        fake_dom_retoken(h, d, &d->run);
        d->os_up = false;
        d->pending = FAKE_ACPI_NONE;
        dom_set_state(h, d, HV_STATE_CRASHED, HV_CRASHED_PANICKED);
        fake_host_emit(h, d, HV_EVENT_CRASHED, HV_EV_CRASHED_PANICKED, NULL);
        return;
    case FAKE_CRASH_RESTART:
        /* libvirt's fake reboot: a reset inside the same process */
        fake_host_emit(h, d, HV_EVENT_CRASHED, HV_EV_CRASHED_PANICKED, NULL);
        dom_set_state(h, d, HV_STATE_RUNNING, HV_RUNNING_CRASHED);
        fake_host_emit(h, d, HV_EVENT_RESUMED, HV_EV_RESUMED_UNPAUSED, NULL);
        boot_schedule(h, d);
        /* the same guest, the same fate after this boot too */
        if (d->guest.crash_after_ns > 0)
            sim_schedule(h->w, sim_now(h->w) + d->guest.crash_after_ns,
                         on_crash, h, d->life);
        return;
    }
}

static void
on_crash(sim_world *w, void *a, uint64_t token)
{
    fake_host *h = a;
    fake_dom *d = dom_by_token(h, token);

    (void)w;
    if (!d || !fake_dom_active(d) || d->state == HV_STATE_CRASHED)
        return;
    fake_dom_crash(h, d);
}

/* The guest suspends itself to RAM (S3): the domain is PMSUSPENDED. */
static void
on_pm_suspend(sim_world *w, void *a, uint64_t token)
{
    fake_host *h = a;
    fake_dom *d = dom_by_token(h, token);

    (void)w;
    if (!d || !fake_dom_active(d) || d->state != HV_STATE_RUNNING)
        return;
    fake_dom_retoken(h, d, &d->run);
    d->pending = FAKE_ACPI_NONE;
    dom_set_state(h, d, HV_STATE_PMSUSPENDED, 0);
    fake_host_emit(h, d, HV_EVENT_PMSUSPENDED, 0, NULL);
}

/*
 * Deliver an ACPI request to the guest. A guest that has not finished
 * booting, or ignores ACPI, loses it, as a real power button press is lost.
 */
static void
acpi_deliver(fake_host *h, fake_dom *d, fake_acpi_request req)
{
    if (!d->os_up || !d->guest.honours_acpi)
        return;
    sim_schedule(h->w, sim_now(h->w) + d->guest.acpi_delay_ns,
                 req == FAKE_ACPI_SHUTDOWN ? on_acpi_shutdown : on_acpi_reboot, h,
                 d->run);
}

static fake_dom *
dom_get(hv_domain *dom, hv_error *err)
{
    fake_conn *c = fake_conn_of(dom->conn);
    fake_dom *d;

    if (fake_conn_check(c, err) < 0)
        return NULL;
    d = dom_by_uuid(c->host, dom->uuid);
    if (!d) {
        hv_error_set(err, HV_ERR_NO_DOMAIN,
                     "Domain not found: no domain with matching uuid '%s' "
                     "(%s)", dom->uuid, dom->name);
        return NULL;
    }
    return d;
}

fake_dom *
fake_dom_of(hv_domain *dom, hv_error *err)
{
    return dom_get(dom, err);
}

static hv_domain *
handle_new(hv_conn *conn, fake_dom *d)
{
    return hv_domain_new(conn, d->name, d->uuid, NULL);
}

static int
not_running(fake_dom *d, hv_error *err)
{
    (void)d;
    hv_error_set(err, HV_ERR_OPERATION_INVALID,
                 "Requested operation is not valid: domain is not running");
    return -1;
}

/* ---- backend: domains ---- */

static int
dom_cmp_name(const void *a, const void *b)
{
    const fake_dom *x = *(fake_dom *const *)a, *y = *(fake_dom *const *)b;
    return strcmp(x->name, y->name);
}

int
fk_domain_list(hv_conn *conn, unsigned int flags, hv_domain ***doms,
               int *count, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    GPtrArray *found;
    GHashTableIter it;
    gpointer v;

    if (fake_conn_check(c, err) < 0)
        return -1;
    if (!(flags & HV_LIST_ALL))
        flags = HV_LIST_ALL;
    found = g_ptr_array_new();
    g_hash_table_iter_init(&it, c->host->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        bool active = fake_dom_active(v);
        if ((active && (flags & HV_LIST_ACTIVE)) ||
            (!active && (flags & HV_LIST_INACTIVE)))
            g_ptr_array_add(found, v);
    }
    g_ptr_array_sort(found, dom_cmp_name);
    *count = (int)found->len;
    *doms = g_new0(hv_domain *, found->len + 1);
    for (guint i = 0; i < found->len; i++)
        (*doms)[i] = handle_new(conn, g_ptr_array_index(found, i));
    g_ptr_array_free(found, TRUE);
    return 0;
}

/*
 * Check a parsed definition against the host's domains, as libvirt's
 * domain list does. Returns the existing domain with the same name and
 * uuid (NULL if new) through *same; -1 on a clash.
 */
static int
check_clash(fake_host *h, const fake_domdef *def, fake_dom **same,
            hv_error *err)
{
    fake_dom *by_uuid = dom_by_uuid(h, def->uuid);
    fake_dom *by_name = g_hash_table_lookup(h->by_name, def->name);

    *same = NULL;
    if (by_uuid && strcmp(by_uuid->name, def->name) != 0) {
        hv_error_set(err, HV_ERR_OPERATION_FAILED,
                     "operation failed: domain '%s' is already defined with "
                     "uuid %s", by_uuid->name, def->uuid);
        return -1;
    }
    if (by_name && strcmp(by_name->uuid, def->uuid) != 0) {
        hv_error_set(err, HV_ERR_OPERATION_FAILED,
                     "operation failed: domain '%s' already exists with "
                     "uuid %s", def->name, by_name->uuid);
        return -1;
    }
    *same = by_uuid;
    return 0;
}

static void
dom_behaviour(sim_world *w, fake_dom *d)
{
    fake_guest *g = g_hash_table_lookup(fake_world_of(w)->guests, d->name);

    if (g) {
        d->guest = *g;
        return;
    }
    fake_guest_defaults(&d->guest);
    d->guest.honours_acpi = !d->noacpi;
}

static fake_dom *
dom_new(fake_host *h, fake_domdef *def)
{
    fake_dom *d = g_new0(fake_dom, 1);

    g_strlcpy(d->uuid, def->uuid, sizeof(d->uuid));
    d->name = g_steal_pointer(&def->name);
    d->id = -1;
    d->state = HV_STATE_SHUTOFF;
    d->reason = HV_SHUTOFF_UNKNOWN;
    d->running_since = -1;
    g_hash_table_insert(h->by_uuid, d->uuid, d);
    g_hash_table_insert(h->by_name, d->name, d);
    return d;
}

/* Take the summary fields of a definition into the domain. */
static void
dom_take_def(fake_dom *d, const fake_domdef *def)
{
    d->mem_kib = def->mem_kib;
    d->vcpus = def->vcpus;
    d->noacpi = def->noacpi;
}

static int
parse_new_def(fake_conn *c, const char *xml, fake_domdef *def, hv_error *err)
{
    char uuid[HV_UUID_STRLEN];

    fake_world_random_uuid(c->w, uuid);
    return fake_xml_parse_domain(xml, uuid, def, err);
}

int
fk_domain_define(hv_conn *conn, const char *xml, hv_domain **out,
                 hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    fake_domdef def;
    fake_dom *d;
    int detail = HV_EV_DEFINED_ADDED;

    if (fake_conn_check(c, err) < 0)
        return -1;
    if (parse_new_def(c, xml, &def, err) < 0)
        return -1;
    if (check_clash(c->host, &def, &d, err) < 0) {
        fake_domdef_clear(&def);
        return -1;
    }
    if (d) {
        if (d->persistent)
            detail = HV_EV_DEFINED_UPDATED;
    } else {
        d = dom_new(c->host, &def);
    }
    d->persistent = true;
    g_free(d->config_xml);
    d->config_xml = g_steal_pointer(&def.xml);
    if (!fake_dom_active(d))
        dom_take_def(d, &def);
    fake_host_emit(c->host, d, HV_EVENT_DEFINED, detail, NULL);
    fake_domdef_clear(&def);
    *out = handle_new(conn, d);
    return 0;
}

int
fk_domain_undefine(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_host *h;
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    h = fake_conn_of(dom->conn)->host;
    if (!d->persistent) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: cannot undefine "
                     "transient domain");
        return -1;
    }
    if (d->managed_save && !(flags & HV_UNDEFINE_MANAGED_SAVE)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: Refusing to "
                     "undefine while domain managed save image exists");
        return -1;
    }
    d->managed_save = false;
    d->persistent = false;
    g_clear_pointer(&d->config_xml, g_free);
    fake_host_emit(h, d, HV_EVENT_UNDEFINED, HV_EV_UNDEFINED_REMOVED, NULL);
    if (!fake_dom_active(d))
        fake_dom_remove(h, d);
    return 0;
}

/* Autoport graphics get the lowest ports the host's other running
 * domains leave free, as libvirt's QEMU driver gives them at start. */
static int
dom_assign_ports(fake_host *h, fake_dom *d, hv_error *err)
{
    g_autoptr(GHashTable) used = g_hash_table_new(g_direct_hash,
                                                  g_direct_equal);
    GHashTableIter it;
    gpointer value;
    char *out;

    g_hash_table_iter_init(&it, h->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        fake_dom *o = value;

        if (o != d && o->live_xml)
            fake_xml_graphics_ports(o->live_xml, used);
    }
    if (!(out = fake_xml_assign_graphics_ports(d->live_xml, used, err)))
        return -1;
    g_free(d->live_xml);
    d->live_xml = out;
    return 0;
}

/* A host-model CPU in the live XML becomes the host's CPU, as libvirt's
 * QEMU driver expands it at start (the definition keeps host-model). */
static int
expand_host_model(fake_host *h, fake_dom *d, hv_error *err)
{
    char *out = fake_xml_expand_host_model(
        d->live_xml, h->cpu_model, h->cpu_vendor,
        (const char *const *)h->cpu_features, err);

    if (!out)
        return -1;
    g_free(d->live_xml);
    d->live_xml = out;
    return 0;
}

/*
 * Start the domain from 'xml' (its definition): a new ID from the host's
 * counter, guest timers, and the events real QEMU gives.
 */
static int
dom_start(fake_host *h, fake_dom *d, const char *xml, unsigned int flags,
          hv_error *err)
{
    GPtrArray *sources = fake_xml_disk_sources(xml);
    bool restore = d->managed_save;
    int rc = fake_host_check_sources(h, sources, err);

    g_ptr_array_unref(sources);
    if (rc < 0 || fake_xml_check_cpu(xml, err) < 0)
        return -1;
    g_free(d->live_xml);
    d->id = h->next_id++;
    /* QEMU's counters start again with each process */
    d->start_cpu_ns = d->cpu_ns;
    if (!(d->live_xml = fake_xml_live(xml, d->id, &h->next_tap, err)) ||
        expand_host_model(h, d, err) < 0 || dom_assign_ports(h, d, err) < 0) {
        g_clear_pointer(&d->live_xml, g_free);
        d->id = -1;
        return -1;
    }
    dom_behaviour(h->w, d);
    fake_dom_retoken(h, d, &d->life);
    fake_dom_retoken(h, d, &d->run);
    d->pending = FAKE_ACPI_NONE;
    d->managed_save = false;
    if (restore) {
        d->os_up = d->saved_os_up;
        if (!d->os_up)
            boot_schedule(h, d);
        dom_set_state(h, d, HV_STATE_RUNNING, HV_RUNNING_RESTORED);
        fake_host_emit(h, d, HV_EVENT_STARTED, HV_EV_STARTED_RESTORED, NULL);
    } else {
        fake_files_guest_started(h, d);
        boot_schedule(h, d);
        dom_set_state(h, d, HV_STATE_RUNNING, HV_RUNNING_BOOTED);
        /* measured: QEMU starts with its CPUs stopped and libvirt starts
         * them before it reports the start, so RESUMED comes first */
        if (!(flags & HV_CREATE_START_PAUSED))
            fake_host_emit(h, d, HV_EVENT_RESUMED, HV_EV_RESUMED_UNPAUSED, NULL);
        fake_host_emit(h, d, HV_EVENT_STARTED, HV_EV_STARTED_BOOTED, NULL);
    }
    if (flags & HV_CREATE_START_PAUSED) {
        dom_set_state(h, d, HV_STATE_PAUSED, HV_PAUSED_USER);
        fake_host_emit(h, d, HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_PAUSED, NULL);
    } else if (restore) {
        fake_host_emit(h, d, HV_EVENT_RESUMED, HV_EV_RESUMED_FROM_SNAPSHOT, NULL);
    }
    if (d->guest.crash_after_ns > 0)
        sim_schedule(h->w, sim_now(h->w) + d->guest.crash_after_ns, on_crash,
                     h, d->life);
    if (d->guest.pm_suspend_after_ns > 0)
        sim_schedule(h->w, sim_now(h->w) + d->guest.pm_suspend_after_ns,
                     on_pm_suspend, h, d->life);
    return 0;
}

int
fk_domain_create(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (fake_dom_active(d)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is already "
                     "running");
        return -1;
    }
    return dom_start(fake_conn_of(dom->conn)->host, d, d->config_xml, flags,
                     err);
}

int
fk_domain_create_xml(hv_conn *conn, const char *xml, unsigned int flags,
                     hv_domain **out, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    fake_domdef def;
    fake_dom *d;
    bool created = false;

    if (fake_conn_check(c, err) < 0)
        return -1;
    if (parse_new_def(c, xml, &def, err) < 0)
        return -1;
    if (check_clash(c->host, &def, &d, err) < 0)
        goto error;
    if (d && fake_dom_active(d)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain '%s' is "
                     "already active", d->name);
        goto error;
    }
    if (!d) {
        d = dom_new(c->host, &def);
        created = true;
    }
    dom_take_def(d, &def);
    if (dom_start(c->host, d, def.xml, flags, err) < 0) {
        if (created)
            fake_dom_remove(c->host, d);
        goto error;
    }
    fake_domdef_clear(&def);
    *out = handle_new(conn, d);
    return 0;

error:
    fake_domdef_clear(&def);
    return -1;
}

int
fk_domain_lookup_by_name(hv_conn *conn, const char *name, hv_domain **out,
                         hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    fake_dom *d;

    if (fake_conn_check(c, err) < 0)
        return -1;
    if (!(d = g_hash_table_lookup(c->host->by_name, name ? name : ""))) {
        hv_error_set(err, HV_ERR_NO_DOMAIN,
                     "Domain not found: no domain with matching name '%s'",
                     name ? name : "");
        return -1;
    }
    *out = handle_new(conn, d);
    return 0;
}

int
fk_domain_lookup_by_uuid(hv_conn *conn, const char *uuid, hv_domain **out,
                         hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    char key[HV_UUID_STRLEN];
    fake_dom *d;

    if (fake_conn_check(c, err) < 0)
        return -1;
    g_strlcpy(key, uuid ? uuid : "", sizeof(key));
    for (char *p = key; *p; p++)
        *p = g_ascii_tolower(*p);
    if (!(d = dom_by_uuid(c->host, key))) {
        hv_error_set(err, HV_ERR_NO_DOMAIN,
                     "Domain not found: no domain with matching uuid '%s'",
                     key);
        return -1;
    }
    *out = handle_new(conn, d);
    return 0;
}

int
fk_domain_get_info(hv_domain *dom, hv_domain_info *info, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    info->state = d->state;
    info->reason = d->reason;
    info->id = d->id;
    info->max_mem_kib = d->mem_kib;
    info->mem_kib = d->mem_kib;
    info->nr_vcpus = d->vcpus;
    info->cpu_time_ns = d->cpu_ns;
    if (d->running_since >= 0)
        info->cpu_time_ns +=
            (uint64_t)(sim_now(fake_conn_of(dom->conn)->w) - d->running_since) /
            10;
    return 0;
}

int
fk_domain_get_xml(hv_domain *dom, unsigned int flags, char **xml,
                  hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (d->live_xml && !((flags & HV_XML_INACTIVE) && d->config_xml))
        *xml = g_strdup(d->live_xml);
    else
        *xml = g_strdup(d->config_xml);
    return 0;
}

int
fk_domain_is_persistent(hv_domain *dom, int *v, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    *v = d->persistent;
    return 0;
}

int
fk_domain_has_managed_save(hv_domain *dom, int *v, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    *v = d->managed_save;
    return 0;
}

int
fk_domain_shutdown(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    (void)flags;
    if (!d)
        return -1;
    /* QEMU refuses to shut down a paused guest, unlike the test driver */
    if (d->state != HV_STATE_RUNNING)
        return not_running(d, err);
    acpi_deliver(fake_conn_of(dom->conn)->host, d, FAKE_ACPI_SHUTDOWN);
    return 0;
}

int
fk_domain_reboot(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    (void)flags;
    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return not_running(d, err);
    if (d->state == HV_STATE_PAUSED) {
        /* accepted; the guest sees the request once it runs again */
        d->pending = FAKE_ACPI_REBOOT;
        return 0;
    }
    acpi_deliver(fake_conn_of(dom->conn)->host, d, FAKE_ACPI_REBOOT);
    return 0;
}

int
fk_domain_reset(hv_domain *dom, hv_error *err)
{
    fake_host *h;
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return not_running(d, err);
    h = fake_conn_of(dom->conn)->host;
    fake_host_emit(h, d, HV_EVENT_REBOOT, 0, NULL);
    boot_schedule(h, d);
    return 0;
}

int
fk_domain_destroy(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_host *h;
    fake_dom *d = dom_get(dom, err);

    (void)flags;
    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return not_running(d, err);
    h = fake_conn_of(dom->conn)->host;
    /* QEMU reports a host-initiated shutdown before it exits */
    fake_host_emit(h, d, HV_EVENT_SHUTDOWN, HV_EV_SHUTDOWN_HOST, NULL);
    fake_dom_stopped(h, d, HV_SHUTOFF_DESTROYED, HV_EV_STOPPED_DESTROYED);
    return 0;
}

int
fk_domain_suspend(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);
    fake_host *h;

    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return not_running(d, err);
    if (d->state == HV_STATE_PAUSED)
        return 0; /* QEMU: a no-op, and no event */
    h = fake_conn_of(dom->conn)->host;
    /* paused while it migrates out, the reason and the event's detail are
     * the migration's (as measured: test-migrate-real's
     * test_paused_midway) */
    dom_set_state(h, d, HV_STATE_PAUSED,
                  d->mig_out ? HV_PAUSED_MIGRATION : HV_PAUSED_USER);
    fake_host_emit(h, d, HV_EVENT_SUSPENDED,
                   d->mig_out ? HV_EV_SUSPENDED_MIGRATED
                              : HV_EV_SUSPENDED_PAUSED, NULL);
    return 0;
}

int
fk_domain_resume(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);
    fake_host *h;

    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return not_running(d, err);
    if (d->state != HV_STATE_PAUSED) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is already "
                     "running");
        return -1;
    }
    h = fake_conn_of(dom->conn)->host;
    dom_set_state(h, d, HV_STATE_RUNNING, HV_RUNNING_UNPAUSED);
    fake_host_emit(h, d, HV_EVENT_RESUMED, HV_EV_RESUMED_UNPAUSED, NULL);
    if (d->pending != FAKE_ACPI_NONE) {
        fake_acpi_request req = d->pending;
        d->pending = FAKE_ACPI_NONE;
        acpi_deliver(h, d, req);
    }
    return 0;
}

int
fk_domain_managed_save(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);
    fake_host *h;

    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return not_running(d, err);
    if (!d->persistent) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: cannot do managed "
                     "save for transient domain");
        return -1;
    }
    h = fake_conn_of(dom->conn)->host;
    d->saved_os_up = d->os_up;
    if (d->state == HV_STATE_RUNNING) {
        dom_set_state(h, d, HV_STATE_PAUSED, HV_PAUSED_SAVE);
        fake_host_emit(h, d, HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_PAUSED, NULL);
    }
    fake_dom_stopped(h, d, HV_SHUTOFF_SAVED, HV_EV_STOPPED_SAVED);
    d->managed_save = true;
    return 0;
}

int
fk_domain_managed_save_remove(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    d->managed_save = false;
    return 0;
}

int
fk_domain_inject_nmi(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return not_running(d, err);
    return 0;
}

/* Resolve the LIVE/CONFIG flags of a device call as libvirt does. */
static int
device_targets(fake_dom *d, unsigned int flags, bool *live, bool *config,
               hv_error *err)
{
    if (!(flags & (HV_DEVICE_LIVE | HV_DEVICE_CONFIG)))
        flags = fake_dom_active(d) ? HV_DEVICE_LIVE : HV_DEVICE_CONFIG;
    *live = flags & HV_DEVICE_LIVE;
    *config = flags & HV_DEVICE_CONFIG;
    if (*live && !fake_dom_active(d))
        return not_running(d, err);
    if (*config && !d->persistent) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: cannot change "
                     "persistent config of a transient domain");
        return -1;
    }
    return 0;
}

int
fk_domain_attach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    fake_conn *c = fake_conn_of(dom->conn);
    fake_dom *d = dom_get(dom, err);
    fake_devref ref;
    char *new_live = NULL, *new_config = NULL;
    bool live, config;
    int ret = -1;

    if (!d || device_targets(d, flags, &live, &config, err) < 0)
        return -1;
    if (fake_xml_parse_device(xml, &ref, err) < 0)
        return -1;
    /* measured (libvirt 9.0): the definition is checked first, a taken
     * disk target there is OPERATION_INVALID; in the live domain,
     * OPERATION_FAILED. A second interface with a MAC address the domain
     * has is not refused (measured too) */
    if (ref.key[0] && config && strcmp(ref.kind, "interface") != 0 &&
        fake_xml_has_device(d->config_xml, &ref, NULL, 0)) {
        if (strcmp(ref.kind, "disk") == 0)
            hv_error_set(err, HV_ERR_OPERATION_INVALID,
                         "Requested operation is not valid: target %s "
                         "already exists", ref.key);
        else
            hv_error_set(err, HV_ERR_OPERATION_FAILED,
                         "operation failed: %s %s already exists", ref.kind,
                         ref.key);
        return -1;
    }
    if (ref.key[0] && live && strcmp(ref.kind, "interface") != 0 &&
        fake_xml_has_device(d->live_xml, &ref, NULL, 0)) {
        hv_error_set(err, HV_ERR_OPERATION_FAILED,
                     "operation failed: %s %s already exists", ref.kind,
                     ref.key);
        return -1;
    }
    if (live && ref.source[0]) {
        const char *vol = fake_vol_name_of_path(ref.source);
        if (vol && !g_hash_table_contains(c->host->vols, vol)) {
            hv_error_set_errno(err, ENOENT,
                               "Cannot access storage file '%s': No such "
                               "file or directory", ref.source);
            return -1;
        }
    }
    if (live) {
        char *added = fake_xml_add_device(d->live_xml, xml, err);
        if (!added)
            goto cleanup;
        new_live = fake_xml_live(added, d->id, &c->host->next_tap, err);
        g_free(added);
        if (!new_live)
            goto cleanup;
    }
    if (config && !(new_config = fake_xml_add_device(d->config_xml, xml, err)))
        goto cleanup;
    if (new_live) {
        g_free(d->live_xml);
        d->live_xml = g_steal_pointer(&new_live);
    }
    if (new_config) {
        g_free(d->config_xml);
        d->config_xml = g_steal_pointer(&new_config);
    }
    ret = 0;

cleanup:
    g_free(new_live);
    g_free(new_config);
    return ret;
}

/* Timer: the guest released the device; libvirt removes it and says so. */
typedef struct pending_detach {
    fake_host *host;
    uint64_t token;
    fake_devref ref;
} pending_detach;

static void
on_device_released(sim_world *w, void *a, uint64_t b)
{
    pending_detach *p = a;
    fake_dom *d = dom_by_token(p->host, p->token);
    char alias[64] = "";
    char *out;
    hv_error err;

    (void)b;
    hv_error_reset(&err);
    /* measured: a paused guest cannot act on the request; it does once
     * resumed (looked at again after its delay) */
    if (d && d->state == HV_STATE_PAUSED && d->live_xml) {
        sim_schedule(w, sim_now(w) + d->guest.detach_delay_ns,
                     on_device_released, p, 0);
        return;
    }
    if (d && d->live_xml &&
        fake_xml_has_device(d->live_xml, &p->ref, alias, sizeof(alias)) &&
        (out = fake_xml_remove_device(d->live_xml, &p->ref, &err))) {
        g_free(d->live_xml);
        d->live_xml = out;
        if (d->unplugs)
            g_hash_table_remove(d->unplugs, p->ref.key);
        fake_host_emit(p->host, d, HV_EVENT_DEVICE_REMOVED, 0, alias);
    }
    g_free(p);
}

int
fk_domain_detach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    fake_conn *c = fake_conn_of(dom->conn);
    fake_dom *d = dom_get(dom, err);
    fake_devref ref;
    char *new_config = NULL;
    bool live, config;

    if (!d || device_targets(d, flags, &live, &config, err) < 0)
        return -1;
    if (fake_xml_parse_device(xml, &ref, err) < 0)
        return -1;
    if ((live && !fake_xml_has_device(d->live_xml, &ref, NULL, 0)) ||
        (config && !fake_xml_has_device(d->config_xml, &ref, NULL, 0))) {
        hv_error_set(err, HV_ERR_DEVICE_MISSING, "%s %s not found",
                     ref.kind, ref.key[0] ? ref.key : ref.alias);
        return -1;
    }
    /* an interface is found by its MAC address: several with the one
     * asked for, and libvirt does not pick (virDomainNetFindIdx) */
    if (strcmp(ref.kind, "interface") == 0 && ref.key[0] &&
        ((live && fake_xml_count_devices(d->live_xml, &ref) > 1) ||
         (config && fake_xml_count_devices(d->config_xml, &ref) > 1))) {
        hv_error_set(err, HV_ERR_OPERATION_FAILED,
                     "operation failed: multiple devices matching MAC "
                     "address %s found", ref.key);
        return -1;
    }
    if (config) {
        if (!(new_config = fake_xml_remove_device(d->config_xml, &ref, err)))
            return -1;
        g_free(d->config_xml);
        d->config_xml = new_config;
    }
    if (live && d->os_up) {
        /*
         * Hot-unplug needs the guest's cooperation: the device goes when
         * the guest releases it. libvirt waits up to 5 s for that inside
         * the call; a slower guest finishes after the call returned, a
         * guest that holds its devices never does (the call still returns
         * 0 after its 5 s: the request stays with the guest). A request
         * repeated while one is pending changes nothing in the guest.
         */
        int64_t now = sim_now(c->w);
        int64_t delay = d->guest.detach_delay_ns;
        bool pending;

        if (!d->unplugs)
            d->unplugs = g_hash_table_new_full(g_str_hash, g_str_equal,
                                               g_free, NULL);
        /* a request of an earlier run of the guest (reset since) is gone */
        pending = (uint64_t)(uintptr_t)g_hash_table_lookup(d->unplugs,
                                                           ref.key) == d->run;
        /* measured (libvirt 9.0, QEMU 7.2, the tiny guest): a running
         * guest releases a disk in about 0.14 s; a paused one not until
         * resumed, the call returning 0 after its 5 s, and a repeated
         * request the same */
        if (d->state == HV_STATE_PAUSED)
            delay = delay > DETACH_WAIT_NS ? delay : DETACH_WAIT_NS;
        if (d->guest.holds_devices) {
            g_hash_table_insert(d->unplugs, g_strdup(ref.key),
                                (void *)(uintptr_t)d->run);
            sim_run_until(c->w, now + DETACH_WAIT_NS);
            return 0;
        }
        if (!pending) {
            pending_detach *p = g_new0(pending_detach, 1);

            g_hash_table_insert(d->unplugs, g_strdup(ref.key),
                                (void *)(uintptr_t)d->run);
            p->host = c->host;
            p->token = d->run;
            p->ref = ref;
            sim_schedule(c->w, now + delay, on_device_released, p, 0);
        }
        sim_run_until(c->w, now + (delay < DETACH_WAIT_NS ? delay
                                                          : DETACH_WAIT_NS));
    }
    return 0;
}

int
fk_domain_update_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    fake_dom *d = dom_get(dom, err);
    fake_devref ref;
    bool live, config;
    char *new_live = NULL, *new_config = NULL;

    if (!d || device_targets(d, flags, &live, &config, err) < 0)
        return -1;
    if (fake_xml_parse_device(xml, &ref, err) < 0)
        return -1;
    if (live && !(new_live = fake_xml_replace_device(d->live_xml, &ref, xml,
                                                     err)))
        return -1;
    if (config && !(new_config = fake_xml_replace_device(d->config_xml, &ref,
                                                         xml, err))) {
        g_free(new_live);
        return -1;
    }
    if (new_live) {
        g_free(d->live_xml);
        d->live_xml = new_live;
    }
    if (new_config) {
        g_free(d->config_xml);
        d->config_xml = new_config;
    }
    return 0;
}

/* Measured: job info of a shut off domain fails with OPERATION_INVALID
 * ("domain is not running"); a running one without a job reads NONE. */
int
fk_domain_get_job_info(hv_domain *dom, hv_job_info *info, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return not_running(d, err);
    if (d->mig_out || d->mig_in)
        return fake_mig_job_info(fake_conn_of(dom->conn)->w, d, info, err);
    info->type = HV_JOB_NONE;
    return 0;
}

int
fk_domain_abort_job(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return not_running(d, err);
    if (d->mig_out || d->mig_in)
        return fake_mig_abort(fake_conn_of(dom->conn)->w, d, err);
    hv_error_set(err, HV_ERR_OPERATION_INVALID,
                 "Requested operation is not valid: no job is active on the "
                 "domain");
    return -1;
}


/* ---- the incoming side of a migration (fake-migrate.c) ---- */

fake_dom *
fake_dom_incoming(fake_host *h, fake_domdef *def, const fake_dom *from,
                  hv_error *err)
{
    fake_dom *d;
    bool created = false;

    if (check_clash(h, def, &d, err) < 0)
        return NULL;
    if (d && fake_dom_active(d)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain '%s' is "
                     "already active", d->name);
        return NULL;
    }
    if (!d) {
        d = dom_new(h, def);
        created = true;
    }
    d->id = h->next_id++;
    d->start_cpu_ns = d->cpu_ns;
    g_free(d->live_xml);
    if (!(d->live_xml = fake_xml_live(def->xml, d->id, &h->next_tap, err)) ||
        dom_assign_ports(h, d, err) < 0) {
        g_clear_pointer(&d->live_xml, g_free);
        d->id = -1;
        if (created)
            fake_dom_remove(h, d);
        return NULL;
    }
    dom_take_def(d, def);
    dom_behaviour(h->w, d);
    fake_dom_retoken(h, d, &d->life);
    fake_dom_retoken(h, d, &d->run);
    d->pending = FAKE_ACPI_NONE;
    /* the guest arrives as it is: booted, or still booting from scratch */
    if (from->os_up)
        d->os_up = true;
    else
        boot_schedule(h, d);
    dom_set_state(h, d, HV_STATE_PAUSED, HV_PAUSED_MIGRATION);
    fake_host_emit(h, d, HV_EVENT_STARTED, HV_EV_STARTED_MIGRATED, NULL);
    return d;
}
