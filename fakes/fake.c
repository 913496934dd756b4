/*
 * fake.c: the fake hypervisor — hosts, domains, guests and storage in a
 * simulated world, behind the hv backend table.
 *
 * Every domain lives on one host, indexed by uuid and by name. Guest
 * behaviour (boot, ACPI, crash) runs as timers on the world's queue; each
 * timer carries the domain's run generation, so a timer from an earlier run
 * of the domain does nothing. Events go to the inbox of every connection
 * that registered for them and reach callers from hv_sleep(), like
 * libvirt's event loop.
 */
#include "fake.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "fake-xml.h"
#include "hv-backend.h"

#define POOL_NAME "hvd"
#define POOL_PATH "/var/lib/hvd/images"
#define QCOW2_HEADER_BYTES (196 * 1024)
#define DETACH_WAIT_NS (5 * HV_NS_PER_SEC) /* libvirt waits this long */

typedef enum { ACPI_NONE, ACPI_SHUTDOWN, ACPI_REBOOT } acpi_request;

typedef struct fake_dom {
    char uuid[HV_UUID_STRLEN];
    char *name;
    char *config_xml; /* persistent definition, NULL if transient */
    char *live_xml;   /* definition of the running instance, NULL if off */
    uint64_t mem_kib;
    unsigned int vcpus;
    bool noacpi;
    bool persistent;
    int state, reason, id;
    bool managed_save;
    bool saved_os_up;
    bool os_up;         /* the guest OS has booted and handles ACPI */
    acpi_request pending; /* queued while paused */
    /* Timer tokens (see 'tokens' in fake_host): 'life' changes on every
     * start and stop, 'run' also on every reset and reboot of the guest. */
    uint64_t life, run;
    int64_t running_since; /* for cpu time; -1 when not running */
    uint64_t cpu_ns;
    fake_guest guest;
} fake_dom;

typedef struct fake_vol {
    char *name;
    uint64_t capacity, allocation;
    char format[16];
    char *backing; /* NULL if none */
    char backing_format[16];
} fake_vol;

struct fake_host {
    sim_world *w;
    char *name;
    char uuid[HV_UUID_STRLEN];
    unsigned int vcpus;
    uint64_t memory_mib;
    uint64_t disk_bytes;
    uint64_t disk_free_override; /* UINT64_MAX: normal accounting */
    unsigned long lib_version, hv_version;
    bool daemon_up;
    uint64_t epoch; /* bumps on every daemon start: old connections die */
    int next_id;
    int64_t boot_time;
    GHashTable *by_uuid; /* uuid -> fake_dom* (owned) */
    GHashTable *by_name; /* name -> fake_dom* */
    GHashTable *vols;    /* name -> fake_vol* (owned) */
    GPtrArray *listeners; /* fake_conn* with events registered */
    /* token -> fake_dom*: a timer holds (host, token) and finds its domain
     * only while the token is current, so stale timers do nothing */
    GHashTable *tokens;
    uint64_t token_counter;
};

typedef struct fake_world {
    GPtrArray *hosts;    /* fake_host*, owned */
    GHashTable *guests;  /* domain name -> fake_guest* */
} fake_world;

typedef struct queued_event {
    int type, detail, id;
    char *name, *device;
    char uuid[HV_UUID_STRLEN];
    int64_t time_ns;
} queued_event;

typedef struct fake_conn {
    sim_world *w;
    fake_host *host;
    uint64_t epoch;
    bool events;
    GQueue inbox; /* queued_event* */
} fake_conn;

static const hv_backend fake_backend;

/* ---- world and hosts ---- */

static void fake_host_free(fake_host *h);

static void
fake_world_data_free(void *p)
{
    fake_world *fw = p;

    g_ptr_array_free(fw->hosts, TRUE);
    g_hash_table_destroy(fw->guests);
    g_free(fw);
}

sim_world *
fake_world_new(uint64_t seed)
{
    sim_world *w = sim_world_new(seed);
    fake_world *fw = g_new0(fake_world, 1);

    fw->hosts = g_ptr_array_new_with_free_func((GDestroyNotify)fake_host_free);
    fw->guests = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       g_free);
    sim_world_set_data(w, fw, fake_world_data_free);
    return w;
}

void
fake_world_free(sim_world *w)
{
    sim_world_free(w);
}

static fake_world *
world_of(sim_world *w)
{
    return sim_world_get_data(w);
}

void
fake_guest_defaults(fake_guest *g)
{
    memset(g, 0, sizeof(*g));
    g->boot_ns = FAKE_DEFAULT_BOOT_NS;
    g->honours_acpi = true;
    g->acpi_delay_ns = FAKE_DEFAULT_ACPI_DELAY_NS;
}

void
fake_guest_set(sim_world *w, const char *name, const fake_guest *g)
{
    g_hash_table_replace(world_of(w)->guests, g_strdup(name),
                         g_memdup2(g, sizeof(*g)));
}

/* A random UUID from the world's stream (version 4 layout). */
static void
random_uuid(sim_world *w, char out[HV_UUID_STRLEN])
{
    uint64_t hi = sim_random(w), lo = sim_random(w);

    hi = (hi & ~UINT64_C(0xf000)) | UINT64_C(0x4000);
    lo = (lo & ~(UINT64_C(0xc) << 60)) | (UINT64_C(0x8) << 60);
    g_snprintf(out, HV_UUID_STRLEN, "%08x-%04x-%04x-%04x-%012llx",
               (unsigned int)(hi >> 32), (unsigned int)((hi >> 16) & 0xffff),
               (unsigned int)(hi & 0xffff), (unsigned int)(lo >> 48),
               (unsigned long long)(lo & UINT64_C(0xffffffffffff)));
}

static void
dom_free(fake_dom *d)
{
    if (!d)
        return;
    g_free(d->name);
    g_free(d->config_xml);
    g_free(d->live_xml);
    g_free(d);
}

static void
vol_free(fake_vol *v)
{
    if (!v)
        return;
    g_free(v->name);
    g_free(v->backing);
    g_free(v);
}

static void
fake_host_free(fake_host *h)
{
    if (!h)
        return;
    g_hash_table_destroy(h->tokens);
    g_hash_table_destroy(h->by_name);
    g_hash_table_destroy(h->by_uuid);
    g_hash_table_destroy(h->vols);
    g_ptr_array_free(h->listeners, TRUE);
    g_free(h->name);
    g_free(h);
}

fake_host *
fake_host_add(sim_world *w, const fake_host_spec *spec, hv_error *err)
{
    fake_world *fw = world_of(w);
    fake_host *h;

    hv_error_reset(err);
    if (!spec->name || !*spec->name || spec->vcpus == 0 ||
        spec->memory_mib == 0) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "a fake host needs a name, vcpus and memory");
        return NULL;
    }
    if (fake_host_find(w, spec->name)) {
        hv_error_set(err, HV_ERR_OPERATION_FAILED,
                     "fake host '%s' already exists", spec->name);
        return NULL;
    }
    h = g_new0(fake_host, 1);
    h->w = w;
    h->name = g_strdup(spec->name);
    random_uuid(w, h->uuid);
    h->vcpus = spec->vcpus;
    h->memory_mib = spec->memory_mib;
    h->disk_bytes = spec->disk_gib * (UINT64_C(1) << 30);
    h->disk_free_override = UINT64_MAX;
    h->lib_version = spec->lib_version ? spec->lib_version : 9000000;
    h->hv_version = spec->hv_version ? spec->hv_version : 7002000;
    h->daemon_up = true;
    h->epoch = 1;
    h->next_id = 1;
    h->boot_time = sim_now(w);
    h->by_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify)dom_free);
    h->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    h->vols = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                    (GDestroyNotify)vol_free);
    h->listeners = g_ptr_array_new();
    h->tokens = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_ptr_array_add(fw->hosts, h);
    return h;
}

fake_host *
fake_host_find(sim_world *w, const char *name)
{
    fake_world *fw = world_of(w);

    for (guint i = 0; i < fw->hosts->len; i++) {
        fake_host *h = g_ptr_array_index(fw->hosts, i);
        if (strcmp(h->name, name) == 0)
            return h;
    }
    return NULL;
}

const char *
fake_host_name(const fake_host *h)
{
    return h->name;
}

unsigned int
fake_host_count(sim_world *w)
{
    return world_of(w)->hosts->len;
}

fake_host *
fake_host_nth(sim_world *w, unsigned int i)
{
    fake_world *fw = world_of(w);
    return i < fw->hosts->len ? g_ptr_array_index(fw->hosts, i) : NULL;
}

unsigned int
fake_host_domain_count(const fake_host *h)
{
    return g_hash_table_size(h->by_uuid);
}

unsigned int
fake_host_volume_count(const fake_host *h)
{
    return g_hash_table_size(h->vols);
}

uint64_t
fake_host_domain_bytes(const fake_host *h)
{
    GHashTableIter it;
    gpointer v;
    uint64_t total = 0;

    g_hash_table_iter_init(&it, h->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        fake_dom *d = v;
        total += sizeof(*d) + strlen(d->name) + 1;
        if (d->config_xml)
            total += strlen(d->config_xml) + 1;
        if (d->live_xml)
            total += strlen(d->live_xml) + 1;
        /* two hash entries (GLib: ~3 pointers + hash each) */
        total += 2 * 4 * sizeof(void *);
    }
    return total;
}

/* ---- events ---- */

static void
queued_event_free(queued_event *q)
{
    g_free(q->name);
    g_free(q->device);
    g_free(q);
}

static void
emit(fake_host *h, fake_dom *d, int type, int detail, const char *device)
{
    for (guint i = 0; i < h->listeners->len; i++) {
        fake_conn *c = g_ptr_array_index(h->listeners, i);
        queued_event *q = g_new0(queued_event, 1);

        q->type = type;
        q->detail = detail;
        q->id = d->id;
        q->name = g_strdup(d->name);
        q->device = g_strdup(device);
        g_strlcpy(q->uuid, d->uuid, sizeof(q->uuid));
        q->time_ns = sim_now(h->w);
        g_queue_push_tail(&c->inbox, q);
    }
}

/* ---- domain state machine ---- */

static bool
dom_active(const fake_dom *d)
{
    return d->id > 0;
}

static void
dom_account_cpu(fake_dom *d, int64_t now)
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

    dom_account_cpu(d, now);
    d->state = state;
    d->reason = reason;
    if (state == HV_STATE_RUNNING)
        d->running_since = now;
}

/* Give the domain a fresh token in *tok (&d->life or &d->run). */
static void
dom_retoken(fake_host *h, fake_dom *d, uint64_t *tok)
{
    if (*tok)
        g_hash_table_remove(h->tokens, tok);
    *tok = ++h->token_counter;
    g_hash_table_insert(h->tokens, tok, d);
}

static void
dom_remove(fake_host *h, fake_dom *d)
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
static void
dom_stopped(fake_host *h, fake_dom *d, int reason, int detail)
{
    dom_set_state(h, d, HV_STATE_SHUTOFF, reason);
    /* measured: STOPPED/DESTROYED and STOPPED/SAVED carry ID -1, the
     * others the ID the domain had */
    if (detail == HV_EV_STOPPED_DESTROYED || detail == HV_EV_STOPPED_SAVED)
        d->id = -1;
    emit(h, d, HV_EVENT_STOPPED, detail, NULL);
    d->id = -1;
    dom_retoken(h, d, &d->life);
    dom_retoken(h, d, &d->run);
    d->os_up = false;
    d->pending = ACPI_NONE;
    g_clear_pointer(&d->live_xml, g_free);
    if (!d->persistent)
        dom_remove(h, d);
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
}

static void
boot_schedule(fake_host *h, fake_dom *d)
{
    dom_retoken(h, d, &d->run);
    d->os_up = false;
    sim_schedule(h->w, sim_now(h->w) + d->guest.boot_ns, on_booted, h,
                 d->run);
}

/* The guest acts on an ACPI power-button press. */
static void
on_acpi_shutdown(sim_world *w, void *a, uint64_t token)
{
    fake_host *h = a;
    fake_dom *d = dom_by_token(h, token);

    (void)w;
    if (!d || !dom_active(d))
        return;
    /* QEMU reports the guest's power-off, then the process exits */
    dom_set_state(h, d, HV_STATE_SHUTDOWN, HV_SHUTDOWN_USER);
    emit(h, d, HV_EVENT_SHUTDOWN, HV_EV_SHUTDOWN_GUEST, NULL);
    dom_stopped(h, d, HV_SHUTOFF_SHUTDOWN, HV_EV_STOPPED_SHUTDOWN);
}

/* The guest acts on an ACPI reboot request: it resets and boots again. */
static void
on_acpi_reboot(sim_world *w, void *a, uint64_t token)
{
    fake_host *h = a;
    fake_dom *d = dom_by_token(h, token);

    (void)w;
    if (!d || !dom_active(d))
        return;
    /* measured: real QEMU raises two reboot events for one ACPI reboot */
    emit(h, d, HV_EVENT_REBOOT, 0, NULL);
    emit(h, d, HV_EVENT_REBOOT, 0, NULL);
    boot_schedule(h, d);
}

static void
on_crash(sim_world *w, void *a, uint64_t token)
{
    fake_host *h = a;
    fake_dom *d = dom_by_token(h, token);

    (void)w;
    if (!d || !dom_active(d))
        return;
    dom_stopped(h, d, HV_SHUTOFF_CRASHED, HV_EV_STOPPED_FAILED);
}

/*
 * Deliver an ACPI request to the guest. A guest that has not finished
 * booting, or ignores ACPI, loses it, as a real power button press is lost.
 */
static void
acpi_deliver(fake_host *h, fake_dom *d, acpi_request req)
{
    if (!d->os_up || !d->guest.honours_acpi)
        return;
    sim_schedule(h->w, sim_now(h->w) + d->guest.acpi_delay_ns,
                 req == ACPI_SHUTDOWN ? on_acpi_shutdown : on_acpi_reboot, h,
                 d->run);
}

/* ---- connection helpers ---- */

static fake_conn *
conn_of(hv_conn *conn)
{
    return conn->priv;
}

/* Fail like a libvirt client whose daemon went away. */
static int
conn_check(fake_conn *c, hv_error *err)
{
    if (!c->host->daemon_up || c->epoch != c->host->epoch) {
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "internal error: client socket is closed");
        return -1;
    }
    return 0;
}

static fake_dom *
dom_get(hv_domain *dom, hv_error *err)
{
    fake_conn *c = conn_of(dom->conn);
    fake_dom *d;

    if (conn_check(c, err) < 0)
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

/* ---- storage ---- */

static uint64_t
pool_allocation(fake_host *h)
{
    GHashTableIter it;
    gpointer v;
    uint64_t total = 0;

    g_hash_table_iter_init(&it, h->vols);
    while (g_hash_table_iter_next(&it, NULL, &v))
        total += ((fake_vol *)v)->allocation;
    return total;
}

static uint64_t
pool_available(fake_host *h)
{
    uint64_t used = pool_allocation(h);
    uint64_t avail = used >= h->disk_bytes ? 0 : h->disk_bytes - used;

    return avail < h->disk_free_override ? avail : h->disk_free_override;
}

static const char *
vol_name_of_path(const char *path)
{
    size_t n = strlen(POOL_PATH);

    if (strncmp(path, POOL_PATH, n) != 0 || path[n] != '/')
        return NULL;
    return path + n + 1;
}

/* Does a disk source exist? Paths outside the pool are not checked. */
static int
check_sources(fake_host *h, GPtrArray *sources, hv_error *err)
{
    for (guint i = 0; sources && i < sources->len; i++) {
        const char *path = g_ptr_array_index(sources, i);
        const char *vol = vol_name_of_path(path);

        if (vol && !g_hash_table_contains(h->vols, vol)) {
            hv_error_set_errno(err, ENOENT,
                               "Cannot access storage file '%s': No such "
                               "file or directory", path);
            return -1;
        }
    }
    return 0;
}

static int
pool_check(const char *pool, hv_error *err)
{
    if (!pool || strcmp(pool, POOL_NAME) != 0) {
        hv_error_set(err, HV_ERR_NO_STORAGE_POOL,
                     "Storage pool not found: no storage pool with matching "
                     "name '%s'", pool ? pool : "");
        return -1;
    }
    return 0;
}

static fake_vol *
vol_get(fake_host *h, const char *pool, const char *name, hv_error *err)
{
    fake_vol *v;

    if (pool_check(pool, err) < 0)
        return NULL;
    if (!(v = g_hash_table_lookup(h->vols, name ? name : ""))) {
        hv_error_set(err, HV_ERR_NO_STORAGE_VOL,
                     "Storage volume not found: no storage vol with matching "
                     "name '%s'", name ? name : "");
        return NULL;
    }
    return v;
}

/* ---- backend: connection ---- */

hv_conn *
fake_conn_open(sim_world *w, const char *host, hv_error *err)
{
    fake_host *h = host ? fake_host_find(w, host) : NULL;
    fake_conn *c;
    hv_conn *conn;
    char *uri;

    hv_error_reset(err);
    if (!h) {
        hv_error_set(err, HV_ERR_NO_CONNECT,
                     "no connection driver available for fake://%s",
                     host ? host : "");
        return NULL;
    }
    if (!h->daemon_up) {
        hv_error_set_errno(err, ECONNREFUSED,
                           "Failed to connect socket to "
                           "'/var/run/libvirt/libvirt-sock': Connection "
                           "refused");
        return NULL;
    }
    c = g_new0(fake_conn, 1);
    c->w = w;
    c->host = h;
    c->epoch = h->epoch;
    g_queue_init(&c->inbox);
    uri = g_strdup_printf("fake://%s", h->name);
    conn = hv_conn_new(&fake_backend, c, uri);
    g_free(uri);
    return conn;
}

sim_world *
fake_conn_world(hv_conn *conn)
{
    if (!conn || conn->backend != &fake_backend)
        return NULL;
    return conn_of(conn)->w;
}

static void
fk_close(hv_conn *conn)
{
    fake_conn *c = conn_of(conn);

    g_ptr_array_remove(c->host->listeners, c);
    g_queue_clear_full(&c->inbox, (GDestroyNotify)queued_event_free);
    g_free(c);
}

static int
fk_get_version(hv_conn *conn, unsigned long *lib, unsigned long *hv,
               hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (conn_check(c, err) < 0)
        return -1;
    if (lib)
        *lib = c->host->lib_version;
    if (hv)
        *hv = c->host->hv_version;
    return 0;
}

static int
fk_get_hostname(hv_conn *conn, char **out, hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (conn_check(c, err) < 0)
        return -1;
    *out = g_strdup(c->host->name);
    return 0;
}

static int
fk_get_capabilities(hv_conn *conn, char **out, hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (conn_check(c, err) < 0)
        return -1;
    *out = g_strdup_printf(
        "<capabilities>\n"
        "  <host>\n"
        "    <uuid>%s</uuid>\n"
        "    <cpu>\n"
        "      <arch>x86_64</arch>\n"
        "      <model>qemu64</model>\n"
        "      <topology sockets='1' dies='1' cores='%u' threads='1'/>\n"
        "      <feature name='sse2'/>\n"
        "      <feature name='sse4.2'/>\n"
        "      <feature name='x2apic'/>\n"
        "    </cpu>\n"
        "    <migration_features><live/></migration_features>\n"
        "  </host>\n"
        "  <guest>\n"
        "    <os_type>hvm</os_type>\n"
        "    <arch name='x86_64'>\n"
        "      <wordsize>64</wordsize>\n"
        "      <emulator>/usr/bin/qemu-system-x86_64</emulator>\n"
        "      <machine>pc</machine>\n"
        "      <domain type='qemu'/>\n"
        "      <domain type='kvm'/>\n"
        "    </arch>\n"
        "    <features><acpi default='on' toggle='yes'/></features>\n"
        "  </guest>\n"
        "</capabilities>\n",
        c->host->uuid, c->host->vcpus);
    return 0;
}

static int
fk_is_alive(hv_conn *conn, int *alive, hv_error *err)
{
    fake_conn *c = conn_of(conn);

    (void)err;
    *alive = c->host->daemon_up && c->epoch == c->host->epoch;
    return 0;
}

static int
fk_reconnect(hv_conn *conn, hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (!c->host->daemon_up) {
        hv_error_set_errno(err, ECONNREFUSED,
                           "Failed to connect socket to "
                           "'/var/run/libvirt/libvirt-sock': Connection "
                           "refused");
        return -1;
    }
    c->epoch = c->host->epoch;
    /* like a new libvirt connection: events must be registered again */
    g_ptr_array_remove(c->host->listeners, c);
    c->events = false;
    return 0;
}

static int
fk_events_register(hv_conn *conn, hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (conn_check(c, err) < 0)
        return -1;
    if (!c->events) {
        c->events = true;
        g_ptr_array_add(c->host->listeners, c);
    }
    return 0;
}

static uint64_t
running_mem_kib(fake_host *h)
{
    GHashTableIter it;
    gpointer v;
    uint64_t total = 0;

    g_hash_table_iter_init(&it, h->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (dom_active(v))
            total += ((fake_dom *)v)->mem_kib;
    return total;
}

static int
fk_node_get_info(hv_conn *conn, hv_node_info *info, hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (conn_check(c, err) < 0)
        return -1;
    g_strlcpy(info->model, "x86_64", sizeof(info->model));
    info->memory_kib = c->host->memory_mib * 1024;
    info->cpus = c->host->vcpus;
    info->mhz = 2000;
    info->nodes = 1;
    info->sockets = 1;
    info->cores = c->host->vcpus;
    info->threads = 1;
    return 0;
}

static int
fk_node_get_free_memory(hv_conn *conn, uint64_t *bytes, hv_error *err)
{
    fake_conn *c = conn_of(conn);
    uint64_t total, used;

    if (conn_check(c, err) < 0)
        return -1;
    total = c->host->memory_mib * 1024;
    used = running_mem_kib(c->host);
    *bytes = (used >= total ? 0 : total - used) * 1024;
    return 0;
}

static int
fk_node_get_cpu_stats(hv_conn *conn, hv_cpu_stats *st, hv_error *err)
{
    fake_conn *c = conn_of(conn);
    uint64_t up, busy = 0;
    GHashTableIter it;
    gpointer v;

    if (conn_check(c, err) < 0)
        return -1;
    up = (uint64_t)(sim_now(c->w) - c->host->boot_time) * c->host->vcpus;
    g_hash_table_iter_init(&it, c->host->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        fake_dom *d = v;
        busy += d->cpu_ns;
        if (d->running_since >= 0)
            busy += (uint64_t)(sim_now(c->w) - d->running_since) / 10;
    }
    if (busy > up)
        busy = up;
    st->user = busy;
    st->kernel = (up - busy) / 100;
    st->iowait = 0;
    st->idle = up - busy - st->kernel;
    return 0;
}

static int
fk_node_get_uptime(hv_conn *conn, int64_t *seconds, hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (conn_check(c, err) < 0)
        return -1;
    *seconds = (sim_now(c->w) - c->host->boot_time) / HV_NS_PER_SEC;
    return 0;
}

static int64_t
fk_now(hv_conn *conn)
{
    return sim_now(conn_of(conn)->w);
}

/* Hand queued events to the caller's callback, oldest first. */
static void
deliver_inbox(hv_conn *conn)
{
    fake_conn *c = conn_of(conn);
    queued_event *q;

    while ((q = g_queue_pop_head(&c->inbox))) {
        hv_event ev = {
            .type = q->type,
            .detail = q->detail,
            .name = q->name,
            .uuid = q->uuid,
            .id = q->id,
            .device = q->device,
            .time_ns = q->time_ns,
        };
        hv_conn_emit_event(conn, &ev);
        queued_event_free(q);
    }
}

/*
 * Let ns of virtual time pass: fire the world's timers in order, handing
 * this connection's events to its callback as they happen. Sleeping works
 * on a dead connection too: time passes whatever the daemon does.
 */
static int
fk_sleep(hv_conn *conn, int64_t ns, hv_error *err)
{
    fake_conn *c = conn_of(conn);
    int64_t until = sim_now(c->w) + ns;

    (void)err;
    for (;;) {
        int64_t next;

        deliver_inbox(conn);
        next = sim_next_time(c->w);
        if (next < 0 || next > until)
            break;
        sim_run_until(c->w, next);
    }
    sim_run_until(c->w, until);
    deliver_inbox(conn);
    return 0;
}

static uint64_t
fk_random(hv_conn *conn)
{
    return sim_random(conn_of(conn)->w);
}

/* ---- backend: domains ---- */

static int
dom_cmp_name(const void *a, const void *b)
{
    const fake_dom *x = *(fake_dom *const *)a, *y = *(fake_dom *const *)b;
    return strcmp(x->name, y->name);
}

static int
fk_domain_list(hv_conn *conn, unsigned int flags, hv_domain ***doms,
               int *count, hv_error *err)
{
    fake_conn *c = conn_of(conn);
    GPtrArray *found;
    GHashTableIter it;
    gpointer v;

    if (conn_check(c, err) < 0)
        return -1;
    if (!(flags & HV_LIST_ALL))
        flags = HV_LIST_ALL;
    found = g_ptr_array_new();
    g_hash_table_iter_init(&it, c->host->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        bool active = dom_active(v);
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
    fake_guest *g = g_hash_table_lookup(world_of(w)->guests, d->name);

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

    random_uuid(c->w, uuid);
    return fake_xml_parse_domain(xml, uuid, def, err);
}

static int
fk_domain_define(hv_conn *conn, const char *xml, hv_domain **out,
                 hv_error *err)
{
    fake_conn *c = conn_of(conn);
    fake_domdef def;
    fake_dom *d;
    int detail = HV_EV_DEFINED_ADDED;

    if (conn_check(c, err) < 0)
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
    if (!dom_active(d))
        dom_take_def(d, &def);
    emit(c->host, d, HV_EVENT_DEFINED, detail, NULL);
    fake_domdef_clear(&def);
    *out = handle_new(conn, d);
    return 0;
}

static int
fk_domain_undefine(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_host *h;
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    h = conn_of(dom->conn)->host;
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
    emit(h, d, HV_EVENT_UNDEFINED, HV_EV_UNDEFINED_REMOVED, NULL);
    if (!dom_active(d))
        dom_remove(h, d);
    return 0;
}

/*
 * Start the domain from 'xml' (its definition): a new ID from the host's
 * counter, guest timers, and the events real QEMU gives.
 */
static int
dom_start(fake_conn *c, fake_dom *d, const char *xml, unsigned int flags,
          hv_error *err)
{
    fake_host *h = c->host;
    GPtrArray *sources = fake_xml_disk_sources(xml);
    bool restore = d->managed_save;
    int rc = check_sources(h, sources, err);

    g_ptr_array_unref(sources);
    if (rc < 0)
        return -1;
    g_free(d->live_xml);
    d->id = h->next_id++;
    if (!(d->live_xml = fake_xml_live(xml, d->id, err))) {
        d->id = -1;
        return -1;
    }
    dom_behaviour(c->w, d);
    dom_retoken(h, d, &d->life);
    dom_retoken(h, d, &d->run);
    d->pending = ACPI_NONE;
    d->managed_save = false;
    if (restore) {
        d->os_up = d->saved_os_up;
        if (!d->os_up)
            boot_schedule(h, d);
        dom_set_state(h, d, HV_STATE_RUNNING, HV_RUNNING_RESTORED);
        emit(h, d, HV_EVENT_STARTED, HV_EV_STARTED_RESTORED, NULL);
    } else {
        boot_schedule(h, d);
        dom_set_state(h, d, HV_STATE_RUNNING, HV_RUNNING_BOOTED);
        /* measured: QEMU starts with its CPUs stopped and libvirt starts
         * them before it reports the start, so RESUMED comes first */
        if (!(flags & HV_CREATE_START_PAUSED))
            emit(h, d, HV_EVENT_RESUMED, HV_EV_RESUMED_UNPAUSED, NULL);
        emit(h, d, HV_EVENT_STARTED, HV_EV_STARTED_BOOTED, NULL);
    }
    if (flags & HV_CREATE_START_PAUSED) {
        dom_set_state(h, d, HV_STATE_PAUSED, HV_PAUSED_USER);
        emit(h, d, HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_PAUSED, NULL);
    } else if (restore) {
        emit(h, d, HV_EVENT_RESUMED, HV_EV_RESUMED_FROM_SNAPSHOT, NULL);
    }
    if (d->guest.crash_after_ns > 0)
        sim_schedule(c->w, sim_now(c->w) + d->guest.crash_after_ns, on_crash,
                     h, d->life);
    return 0;
}

static int
fk_domain_create(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (dom_active(d)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is already "
                     "running");
        return -1;
    }
    return dom_start(conn_of(dom->conn), d, d->config_xml, flags, err);
}

static int
fk_domain_create_xml(hv_conn *conn, const char *xml, unsigned int flags,
                     hv_domain **out, hv_error *err)
{
    fake_conn *c = conn_of(conn);
    fake_domdef def;
    fake_dom *d;
    bool created = false;

    if (conn_check(c, err) < 0)
        return -1;
    if (parse_new_def(c, xml, &def, err) < 0)
        return -1;
    if (check_clash(c->host, &def, &d, err) < 0)
        goto error;
    if (d && dom_active(d)) {
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
    if (dom_start(c, d, def.xml, flags, err) < 0) {
        if (created)
            dom_remove(c->host, d);
        goto error;
    }
    fake_domdef_clear(&def);
    *out = handle_new(conn, d);
    return 0;

error:
    fake_domdef_clear(&def);
    return -1;
}

static int
fk_domain_lookup_by_name(hv_conn *conn, const char *name, hv_domain **out,
                         hv_error *err)
{
    fake_conn *c = conn_of(conn);
    fake_dom *d;

    if (conn_check(c, err) < 0)
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

static int
fk_domain_lookup_by_uuid(hv_conn *conn, const char *uuid, hv_domain **out,
                         hv_error *err)
{
    fake_conn *c = conn_of(conn);
    char key[HV_UUID_STRLEN];
    fake_dom *d;

    if (conn_check(c, err) < 0)
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

static int
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
            (uint64_t)(sim_now(conn_of(dom->conn)->w) - d->running_since) /
            10;
    return 0;
}

static int
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

static int
fk_domain_is_persistent(hv_domain *dom, int *v, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    *v = d->persistent;
    return 0;
}

static int
fk_domain_has_managed_save(hv_domain *dom, int *v, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    *v = d->managed_save;
    return 0;
}

static int
fk_domain_shutdown(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    (void)flags;
    if (!d)
        return -1;
    /* QEMU refuses to shut down a paused guest, unlike the test driver */
    if (d->state != HV_STATE_RUNNING)
        return not_running(d, err);
    acpi_deliver(conn_of(dom->conn)->host, d, ACPI_SHUTDOWN);
    return 0;
}

static int
fk_domain_reboot(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    (void)flags;
    if (!d)
        return -1;
    if (!dom_active(d))
        return not_running(d, err);
    if (d->state == HV_STATE_PAUSED) {
        /* accepted; the guest sees the request once it runs again */
        d->pending = ACPI_REBOOT;
        return 0;
    }
    acpi_deliver(conn_of(dom->conn)->host, d, ACPI_REBOOT);
    return 0;
}

static int
fk_domain_reset(hv_domain *dom, hv_error *err)
{
    fake_host *h;
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (!dom_active(d))
        return not_running(d, err);
    h = conn_of(dom->conn)->host;
    emit(h, d, HV_EVENT_REBOOT, 0, NULL);
    boot_schedule(h, d);
    return 0;
}

static int
fk_domain_destroy(hv_domain *dom, unsigned int flags, hv_error *err)
{
    fake_host *h;
    fake_dom *d = dom_get(dom, err);

    (void)flags;
    if (!d)
        return -1;
    if (!dom_active(d))
        return not_running(d, err);
    h = conn_of(dom->conn)->host;
    /* QEMU reports a host-initiated shutdown before it exits */
    emit(h, d, HV_EVENT_SHUTDOWN, HV_EV_SHUTDOWN_HOST, NULL);
    dom_stopped(h, d, HV_SHUTOFF_DESTROYED, HV_EV_STOPPED_DESTROYED);
    return 0;
}

static int
fk_domain_suspend(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);
    fake_host *h;

    if (!d)
        return -1;
    if (!dom_active(d))
        return not_running(d, err);
    if (d->state == HV_STATE_PAUSED)
        return 0; /* QEMU: a no-op, and no event */
    h = conn_of(dom->conn)->host;
    dom_set_state(h, d, HV_STATE_PAUSED, HV_PAUSED_USER);
    emit(h, d, HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_PAUSED, NULL);
    return 0;
}

static int
fk_domain_resume(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);
    fake_host *h;

    if (!d)
        return -1;
    if (!dom_active(d))
        return not_running(d, err);
    if (d->state != HV_STATE_PAUSED) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is already "
                     "running");
        return -1;
    }
    h = conn_of(dom->conn)->host;
    dom_set_state(h, d, HV_STATE_RUNNING, HV_RUNNING_UNPAUSED);
    emit(h, d, HV_EVENT_RESUMED, HV_EV_RESUMED_UNPAUSED, NULL);
    if (d->pending != ACPI_NONE) {
        acpi_request req = d->pending;
        d->pending = ACPI_NONE;
        acpi_deliver(h, d, req);
    }
    return 0;
}

static int
fk_domain_managed_save(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);
    fake_host *h;

    if (!d)
        return -1;
    if (!dom_active(d))
        return not_running(d, err);
    if (!d->persistent) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: cannot do managed "
                     "save for transient domain");
        return -1;
    }
    h = conn_of(dom->conn)->host;
    d->saved_os_up = d->os_up;
    if (d->state == HV_STATE_RUNNING) {
        dom_set_state(h, d, HV_STATE_PAUSED, HV_PAUSED_SAVE);
        emit(h, d, HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_PAUSED, NULL);
    }
    dom_stopped(h, d, HV_SHUTOFF_SAVED, HV_EV_STOPPED_SAVED);
    d->managed_save = true;
    return 0;
}

static int
fk_domain_managed_save_remove(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    d->managed_save = false;
    return 0;
}

static int
fk_domain_inject_nmi(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (!dom_active(d))
        return not_running(d, err);
    return 0;
}

/* Resolve the LIVE/CONFIG flags of a device call as libvirt does. */
static int
device_targets(fake_dom *d, unsigned int flags, bool *live, bool *config,
               hv_error *err)
{
    if (!(flags & (HV_DEVICE_LIVE | HV_DEVICE_CONFIG)))
        flags = dom_active(d) ? HV_DEVICE_LIVE : HV_DEVICE_CONFIG;
    *live = flags & HV_DEVICE_LIVE;
    *config = flags & HV_DEVICE_CONFIG;
    if (*live && !dom_active(d))
        return not_running(d, err);
    if (*config && !d->persistent) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: cannot change "
                     "persistent config of a transient domain");
        return -1;
    }
    return 0;
}

static int
fk_domain_attach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    fake_conn *c = conn_of(dom->conn);
    fake_dom *d = dom_get(dom, err);
    fake_devref ref;
    char *new_live = NULL, *new_config = NULL;
    bool live, config;
    int ret = -1;

    if (!d || device_targets(d, flags, &live, &config, err) < 0)
        return -1;
    if (fake_xml_parse_device(xml, &ref, err) < 0)
        return -1;
    if (ref.key[0] && ((live && fake_xml_has_device(d->live_xml, &ref, NULL, 0)) ||
                       (config && fake_xml_has_device(d->config_xml, &ref, NULL, 0)))) {
        hv_error_set(err, HV_ERR_OPERATION_FAILED,
                     "operation failed: %s %s already exists", ref.kind,
                     ref.key);
        return -1;
    }
    if (live && ref.source[0]) {
        const char *vol = vol_name_of_path(ref.source);
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
        new_live = fake_xml_live(added, d->id, err);
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

    (void)w;
    (void)b;
    hv_error_reset(&err);
    if (d && d->live_xml &&
        fake_xml_has_device(d->live_xml, &p->ref, alias, sizeof(alias)) &&
        (out = fake_xml_remove_device(d->live_xml, &p->ref, &err))) {
        g_free(d->live_xml);
        d->live_xml = out;
        emit(p->host, d, HV_EVENT_DEVICE_REMOVED, 0, alias);
    }
    g_free(p);
}

static int
fk_domain_detach_device(hv_domain *dom, const char *xml, unsigned int flags,
                        hv_error *err)
{
    fake_conn *c = conn_of(dom->conn);
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
         * the call; a slower guest finishes after the call returned.
         */
        pending_detach *p = g_new0(pending_detach, 1);
        int64_t now = sim_now(c->w);
        int64_t delay = FAKE_DEFAULT_DETACH_DELAY_NS;

        p->host = c->host;
        p->token = d->run;
        p->ref = ref;
        sim_schedule(c->w, now + delay, on_device_released, p, 0);
        sim_run_until(c->w, now + (delay < DETACH_WAIT_NS ? delay
                                                          : DETACH_WAIT_NS));
    }
    return 0;
}

static int
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

static int
fk_domain_get_job_info(hv_domain *dom, hv_job_info *info, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    info->type = HV_JOB_NONE;
    return 0;
}

static int
fk_domain_abort_job(hv_domain *dom, hv_error *err)
{
    fake_dom *d = dom_get(dom, err);

    if (!d)
        return -1;
    if (!dom_active(d))
        return not_running(d, err);
    hv_error_set(err, HV_ERR_OPERATION_INVALID,
                 "Requested operation is not valid: no job is active on the "
                 "domain");
    return -1;
}

/* ---- backend: storage ---- */

static int
fk_pool_get_info(hv_conn *conn, const char *pool, hv_pool_info *info,
                 hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (conn_check(c, err) < 0 || pool_check(pool, err) < 0)
        return -1;
    info->capacity = c->host->disk_bytes;
    info->available = pool_available(c->host);
    info->allocation = info->capacity - info->available;
    return 0;
}

static bool
backing_exists(fake_host *h, const char *path)
{
    const char *vol = vol_name_of_path(path);
    return vol && g_hash_table_contains(h->vols, vol);
}

static int
fk_vol_create(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
              hv_error *err)
{
    fake_conn *c = conn_of(conn);
    const char *format = spec->format ? spec->format : "raw";
    uint64_t need;
    fake_vol *v;

    if (conn_check(c, err) < 0 || pool_check(pool, err) < 0)
        return -1;
    if (!spec->name || !*spec->name || strchr(spec->name, '/')) {
        hv_error_set(err, HV_ERR_XML_ERROR,
                     "XML error: volume name '%s' cannot contain '/'",
                     spec->name ? spec->name : "");
        return -1;
    }
    if (strcmp(format, "raw") != 0 && strcmp(format, "qcow2") != 0) {
        hv_error_set(err, HV_ERR_XML_ERROR,
                     "XML error: unknown volume format type %s", format);
        return -1;
    }
    if (g_hash_table_contains(c->host->vols, spec->name)) {
        hv_error_set(err, HV_ERR_STORAGE_VOL_EXIST,
                     "storage volume '%s' exists already", spec->name);
        return -1;
    }
    if (spec->backing_path && !backing_exists(c->host, spec->backing_path)) {
        hv_error_set_errno(err, ENOENT,
                           "inaccessible backing store volume %s: No such "
                           "file or directory", spec->backing_path);
        return -1;
    }
    /* what is allocated now: the requested allocation (capped at the
     * capacity), and for qcow2 at least its header */
    need = spec->allocation < spec->capacity ? spec->allocation
                                             : spec->capacity;
    if (strcmp(format, "qcow2") == 0 && need < QCOW2_HEADER_BYTES)
        need = QCOW2_HEADER_BYTES;
    if (need > pool_available(c->host)) {
        hv_error_set_errno(err, ENOSPC,
                           "cannot allocate %llu bytes in file '%s/%s': No "
                           "space left on device",
                           (unsigned long long)need, POOL_PATH, spec->name);
        return -1;
    }
    v = g_new0(fake_vol, 1);
    v->name = g_strdup(spec->name);
    v->capacity = spec->capacity;
    v->allocation = need;
    g_strlcpy(v->format, format, sizeof(v->format));
    v->backing = g_strdup(spec->backing_path);
    if (spec->backing_path)
        g_strlcpy(v->backing_format,
                  spec->backing_format ? spec->backing_format : "raw",
                  sizeof(v->backing_format));
    g_hash_table_insert(c->host->vols, v->name, v);
    return 0;
}

static int
fk_vol_delete(hv_conn *conn, const char *pool, const char *name,
              hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (conn_check(c, err) < 0 || !vol_get(c->host, pool, name, err))
        return -1;
    g_hash_table_remove(c->host->vols, name);
    return 0;
}

static int
fk_vol_get_info(hv_conn *conn, const char *pool, const char *name,
                hv_vol_info *info, hv_error *err)
{
    fake_conn *c = conn_of(conn);
    fake_vol *v;

    if (conn_check(c, err) < 0 || !(v = vol_get(c->host, pool, name, err)))
        return -1;
    info->capacity = v->capacity;
    info->allocation = v->allocation;
    g_strlcpy(info->format, v->format, sizeof(info->format));
    g_strlcpy(info->backing_path, v->backing ? v->backing : "",
              sizeof(info->backing_path));
    g_strlcpy(info->backing_format, v->backing_format,
              sizeof(info->backing_format));
    return 0;
}

static int
fk_vol_resize(hv_conn *conn, const char *pool, const char *name,
              uint64_t capacity, hv_error *err)
{
    fake_conn *c = conn_of(conn);
    fake_vol *v;

    if (conn_check(c, err) < 0 || !(v = vol_get(c->host, pool, name, err)))
        return -1;
    if (capacity < v->capacity) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: Can't shrink capacity below current "
                     "capacity unless shrink flag explicitly specified");
        return -1;
    }
    if (v->allocation >= v->capacity && strcmp(v->format, "raw") == 0) {
        /* a fully allocated volume stays so: the new part is allocated */
        uint64_t grow = capacity - v->capacity;
        if (grow > pool_available(c->host)) {
            hv_error_set_errno(err, ENOSPC,
                               "cannot allocate %llu bytes in file '%s/%s': "
                               "No space left on device",
                               (unsigned long long)grow, POOL_PATH, name);
            return -1;
        }
        v->allocation = capacity;
    }
    v->capacity = capacity;
    return 0;
}

static int
fk_vol_get_path(hv_conn *conn, const char *pool, const char *name,
                char **path, hv_error *err)
{
    fake_conn *c = conn_of(conn);

    if (conn_check(c, err) < 0 || !vol_get(c->host, pool, name, err))
        return -1;
    *path = g_strdup_printf("%s/%s", POOL_PATH, name);
    return 0;
}

static int
str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
fk_vol_list(hv_conn *conn, const char *pool, char ***names, hv_error *err)
{
    fake_conn *c = conn_of(conn);
    GHashTableIter it;
    gpointer k;
    guint n = 0;

    if (conn_check(c, err) < 0 || pool_check(pool, err) < 0)
        return -1;
    *names = g_new0(char *, g_hash_table_size(c->host->vols) + 1);
    g_hash_table_iter_init(&it, c->host->vols);
    while (g_hash_table_iter_next(&it, &k, NULL))
        (*names)[n++] = g_strdup(k);
    qsort(*names, n, sizeof(char *), str_cmp);
    return 0;
}

/* ---- world faults ---- */

void
fake_host_daemon_stop(fake_host *h)
{
    h->daemon_up = false;
}

void
fake_host_daemon_start(fake_host *h)
{
    GHashTableIter it;
    gpointer v;
    int max_id = 0;

    if (h->daemon_up)
        return;
    h->daemon_up = true;
    h->epoch++;
    /* a restarted daemon goes on from the highest running ID */
    g_hash_table_iter_init(&it, h->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (((fake_dom *)v)->id > max_id)
            max_id = ((fake_dom *)v)->id;
    if (max_id > 0)
        h->next_id = max_id + 1;
    /* the listeners belonged to connections that are now dead */
    g_ptr_array_set_size(h->listeners, 0);
}

void
fake_host_crash_reboot(fake_host *h)
{
    GHashTableIter it;
    gpointer v;
    GPtrArray *gone = g_ptr_array_new();

    g_hash_table_iter_init(&it, h->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        fake_dom *d = v;
        if (!dom_active(d))
            continue;
        if (!d->persistent) {
            g_ptr_array_add(gone, d);
            continue;
        }
        dom_account_cpu(d, sim_now(h->w));
        d->state = HV_STATE_SHUTOFF;
        d->reason = HV_SHUTOFF_UNKNOWN;
        d->id = -1;
        d->os_up = false;
        d->pending = ACPI_NONE;
        g_clear_pointer(&d->live_xml, g_free);
        dom_retoken(h, d, &d->life);
        dom_retoken(h, d, &d->run);
    }
    for (guint i = 0; i < gone->len; i++)
        dom_remove(h, g_ptr_array_index(gone, i));
    g_ptr_array_free(gone, TRUE);
    /* a fresh daemon on a fresh host: nothing runs, IDs start again */
    h->daemon_up = false;
    h->next_id = 1;
    h->boot_time = sim_now(h->w);
    fake_host_daemon_start(h);
}

int
fake_domain_crash(fake_host *h, const char *name, hv_error *err)
{
    fake_dom *d = g_hash_table_lookup(h->by_name, name);

    hv_error_reset(err);
    if (!d || !dom_active(d)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "domain '%s' is not running on host '%s'", name,
                     h->name);
        return -1;
    }
    dom_stopped(h, d, HV_SHUTOFF_CRASHED, HV_EV_STOPPED_FAILED);
    return 0;
}

void
fake_host_set_disk_free(fake_host *h, uint64_t bytes)
{
    h->disk_free_override = bytes;
}

static const hv_backend fake_backend = {
    .name = "fake",
    .close = fk_close,
    .get_version = fk_get_version,
    .get_hostname = fk_get_hostname,
    .get_capabilities = fk_get_capabilities,
    .is_alive = fk_is_alive,
    .reconnect = fk_reconnect,
    .events_register = fk_events_register,
    .node_get_info = fk_node_get_info,
    .node_get_free_memory = fk_node_get_free_memory,
    .node_get_cpu_stats = fk_node_get_cpu_stats,
    .node_get_uptime = fk_node_get_uptime,
    .clock_now = fk_now,
    .clock_sleep = fk_sleep,
    .clock_random = fk_random,
    .domain_list = fk_domain_list,
    .domain_define = fk_domain_define,
    .domain_undefine = fk_domain_undefine,
    .domain_create = fk_domain_create,
    .domain_create_xml = fk_domain_create_xml,
    .domain_lookup_by_name = fk_domain_lookup_by_name,
    .domain_lookup_by_uuid = fk_domain_lookup_by_uuid,
    .domain_get_info = fk_domain_get_info,
    .domain_get_xml = fk_domain_get_xml,
    .domain_is_persistent = fk_domain_is_persistent,
    .domain_has_managed_save = fk_domain_has_managed_save,
    .domain_shutdown = fk_domain_shutdown,
    .domain_reboot = fk_domain_reboot,
    .domain_reset = fk_domain_reset,
    .domain_destroy = fk_domain_destroy,
    .domain_suspend = fk_domain_suspend,
    .domain_resume = fk_domain_resume,
    .domain_managed_save = fk_domain_managed_save,
    .domain_managed_save_remove = fk_domain_managed_save_remove,
    .domain_inject_nmi = fk_domain_inject_nmi,
    .domain_attach_device = fk_domain_attach_device,
    .domain_detach_device = fk_domain_detach_device,
    .domain_update_device = fk_domain_update_device,
    .domain_get_job_info = fk_domain_get_job_info,
    .domain_abort_job = fk_domain_abort_job,
    .pool_get_info = fk_pool_get_info,
    .vol_create = fk_vol_create,
    .vol_delete = fk_vol_delete,
    .vol_get_info = fk_vol_get_info,
    .vol_resize = fk_vol_resize,
    .vol_get_path = fk_vol_get_path,
    .vol_list = fk_vol_list,
};
