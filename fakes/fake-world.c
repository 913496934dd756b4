/*
 * fake-world.c: the fake's world, its hosts and their connections: the
 * backend table, the connection and clock slots, event delivery, and the
 * world faults (daemon stop/start, host crash, guest crash, disk full).
 * The model is described in fake-priv.h.
 */
#include "fake-priv.h"

#include <errno.h>
#include <string.h>

static const hv_backend fake_backend;

const char *const fake_default_cpu_features[] = {"sse2", "sse4.2", "x2apic",
                                                 NULL};

/* ---- world and hosts ---- */

static void fake_host_free(fake_host *h);

static void
fake_world_data_free(void *p)
{
    fake_world *fw = p;

    /* migrations first: they point at hosts (and never at the world's
     * timers, which go with it) */
    g_hash_table_destroy(fw->migrations);
    g_hash_table_destroy(fw->mig_faults);
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
    fw->migrations = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
                                           (GDestroyNotify)fake_mig_free);
    fw->mig_faults = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           NULL);
    fw->link_mib = FAKE_DEFAULT_LINK_MIB;
    sim_world_set_data(w, fw, fake_world_data_free);
    return w;
}

void
fake_world_free(sim_world *w)
{
    sim_world_free(w);
}

fake_world *
fake_world_of(sim_world *w)
{
    return sim_world_get_data(w);
}

void
fake_guest_set(sim_world *w, const char *name, const fake_guest *g)
{
    g_hash_table_replace(fake_world_of(w)->guests, g_strdup(name),
                         g_memdup2(g, sizeof(*g)));
}

/* A random UUID from the world's stream (version 4 layout). */
void
fake_world_random_uuid(sim_world *w, char out[HV_UUID_STRLEN])
{
    uint64_t hi = sim_random(w), lo = sim_random(w);

    hv_uuid_format_v4(hi, lo, out);
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
    fake_files_free(h);
    g_ptr_array_free(h->listeners, TRUE);
    g_free(h->name);
    g_free(h->pool);
    g_free(h->arch);
    g_free(h->cpu_model);
    g_free(h->cpu_vendor);
    g_strfreev(h->cpu_features);
    g_free(h);
}

fake_host *
fake_host_add(sim_world *w, const fake_host_spec *spec, hv_error *err)
{
    fake_world *fw = fake_world_of(w);
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
    fake_world_random_uuid(w, h->uuid);
    h->vcpus = spec->vcpus;
    h->memory_mib = spec->memory_mib;
    h->pool = g_strdup(spec->storage_pool ? spec->storage_pool
                                          : FAKE_DEFAULT_POOL);
    h->disk_bytes = spec->disk_gib * (UINT64_C(1) << 30);
    h->disk_free_override = UINT64_MAX;
    h->lib_version = spec->lib_version ? spec->lib_version : 9000000;
    h->hv_version = spec->hv_version ? spec->hv_version : 7002000;
    h->arch = g_strdup(spec->arch ? spec->arch : FAKE_DEFAULT_ARCH);
    h->cpu_model = g_strdup(spec->cpu_model ? spec->cpu_model
                                            : FAKE_DEFAULT_CPU_MODEL);
    h->cpu_vendor = g_strdup(spec->cpu_vendor ? spec->cpu_vendor
                                              : FAKE_DEFAULT_CPU_VENDOR);
    h->cpu_features = g_strdupv((char **)(spec->cpu_features
                                              ? spec->cpu_features
                                              : fake_default_cpu_features));
    h->os_memory_mib = spec->os_memory_mib ? spec->os_memory_mib
                                           : FAKE_DEFAULT_OS_MEMORY_MIB;
    h->daemon_up = true;
    h->epoch = 1;
    h->next_id = 1;
    h->boot_time = sim_now(w);
    h->by_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                       (GDestroyNotify)fake_dom_free);
    h->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    h->vols = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                    (GDestroyNotify)fake_vol_free);
    fake_files_init(h);
    h->listeners = g_ptr_array_new();
    h->tokens = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_ptr_array_add(fw->hosts, h);
    return h;
}

fake_host *
fake_host_find(sim_world *w, const char *name)
{
    fake_world *fw = fake_world_of(w);

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

sim_world *
fake_host_world(const fake_host *h)
{
    return h->w;
}

unsigned int
fake_host_count(sim_world *w)
{
    return fake_world_of(w)->hosts->len;
}

fake_host *
fake_host_nth(sim_world *w, unsigned int i)
{
    fake_world *fw = fake_world_of(w);
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

void
fake_host_emit(fake_host *h, fake_dom *d, int type, int detail, const char *device)
{
    hv_event ev = {
        .type = type,
        .detail = detail,
        .name = d->name,
        .uuid = d->uuid,
        .id = d->id,
        .device = device,
        .time_ns = sim_now(h->w),
    };

    for (guint i = 0; i < h->listeners->len; i++) {
        fake_conn *c = g_ptr_array_index(h->listeners, i);
        hv_events_push(c->queue, &ev);
    }
}

/* ---- connection helpers ---- */

fake_conn *
fake_conn_of(hv_conn *conn)
{
    return conn->priv;
}

/* Fail like a libvirt client whose daemon went away. */
int
fake_conn_check(fake_conn *c, hv_error *err)
{
    if (!c->host->daemon_up || c->epoch != c->host->epoch) {
        if (err && err->code == HV_ERR_OK) {
            hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                         "internal error: client socket is closed");
            err->conn_lost = 1;
        }
        return -1;
    }
    return 0;
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
    uri = g_strdup_printf("fake://%s", h->name);
    conn = hv_conn_new(&fake_backend, c, uri, err);
    g_free(uri);
    if (!conn) {
        g_free(c);
        return NULL;
    }
    c->queue = hv_conn_events(conn);
    return conn;
}

sim_world *
fake_conn_world(hv_conn *conn)
{
    if (!conn || conn->backend != &fake_backend)
        return NULL;
    return fake_conn_of(conn)->w;
}

static void
fk_close(hv_conn *conn)
{
    fake_conn *c = fake_conn_of(conn);

    g_ptr_array_remove(c->host->listeners, c);
    g_free(c);
}

static int
fk_get_version(hv_conn *conn, unsigned long *lib, unsigned long *hv,
               hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);

    if (fake_conn_check(c, err) < 0)
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
    fake_conn *c = fake_conn_of(conn);

    if (fake_conn_check(c, err) < 0)
        return -1;
    *out = g_strdup(c->host->name);
    return 0;
}

/*
 * The capabilities XML of the host: its CPU (arch, model, vendor, topology,
 * features as the spec set them), one NUMA cell, and guests of its arch
 * under QEMU and KVM, as libvirt's QEMU driver describes them.
 */
static int
fk_get_capabilities(hv_conn *conn, char **out, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    fake_host *h = c->host;
    GString *x;
    char *esc;

    if (fake_conn_check(c, err) < 0)
        return -1;
    x = g_string_new("<capabilities>\n  <host>\n");
    g_string_append_printf(x, "    <uuid>%s</uuid>\n    <cpu>\n", h->uuid);
    esc = g_markup_printf_escaped(
        "      <arch>%s</arch>\n"
        "      <model>%s</model>\n"
        "      <vendor>%s</vendor>\n",
        h->arch, h->cpu_model, h->cpu_vendor);
    g_string_append(x, esc);
    g_free(esc);
    g_string_append_printf(x,
                           "      <topology sockets='1' dies='1' cores='%u' "
                           "threads='1'/>\n",
                           h->vcpus);
    for (char **f = h->cpu_features; *f; f++) {
        esc = g_markup_printf_escaped("      <feature name='%s'/>\n", *f);
        g_string_append(x, esc);
        g_free(esc);
    }
    g_string_append_printf(
        x,
        "    </cpu>\n"
        "    <migration_features><live/></migration_features>\n"
        "    <topology>\n"
        "      <cells num='1'>\n"
        "        <cell id='0'>\n"
        "          <memory unit='KiB'>%llu</memory>\n"
        "          <cpus num='%u'/>\n"
        "        </cell>\n"
        "      </cells>\n"
        "    </topology>\n"
        "  </host>\n",
        (unsigned long long)h->memory_mib * 1024, h->vcpus);
    esc = g_markup_printf_escaped(
        "  <guest>\n"
        "    <os_type>hvm</os_type>\n"
        "    <arch name='%s'>\n"
        "      <wordsize>64</wordsize>\n"
        "      <emulator>/usr/bin/qemu-system-%s</emulator>\n"
        "      <machine>pc</machine>\n"
        "      <domain type='qemu'/>\n"
        "      <domain type='kvm'/>\n"
        "    </arch>\n"
        "    <features><acpi default='on' toggle='yes'/></features>\n"
        "  </guest>\n"
        "</capabilities>\n",
        h->arch, h->arch);
    g_string_append(x, esc);
    g_free(esc);
    *out = g_string_free(x, FALSE);
    return 0;
}

static int
fk_is_alive(hv_conn *conn, int *alive, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);

    (void)err;
    *alive = c->host->daemon_up && c->epoch == c->host->epoch;
    return 0;
}

static int
fk_reconnect(hv_conn *conn, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);

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
    fake_conn *c = fake_conn_of(conn);

    if (fake_conn_check(c, err) < 0)
        return -1;
    if (!c->events) {
        c->events = true;
        g_ptr_array_add(c->host->listeners, c);
    }
    return 0;
}

static int
fk_node_get_info(hv_conn *conn, hv_node_info *info, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);

    if (fake_conn_check(c, err) < 0)
        return -1;
    g_strlcpy(info->model, c->host->arch, sizeof(info->model));
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
    fake_conn *c = fake_conn_of(conn);
    uint64_t total, used;

    if (fake_conn_check(c, err) < 0)
        return -1;
    total = c->host->memory_mib * 1024;
    used = fake_host_running_mem_kib(c->host);
    *bytes = (used >= total ? 0 : total - used) * 1024;
    return 0;
}

static int
fk_node_get_cpu_stats(hv_conn *conn, hv_cpu_stats *st, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    uint64_t up, busy = 0;
    GHashTableIter it;
    gpointer v;

    if (fake_conn_check(c, err) < 0)
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
    fake_conn *c = fake_conn_of(conn);

    if (fake_conn_check(c, err) < 0)
        return -1;
    *seconds = (sim_now(c->w) - c->host->boot_time) / HV_NS_PER_SEC;
    return 0;
}

static int64_t
fk_now(hv_conn *conn)
{
    return sim_now(fake_conn_of(conn)->w);
}

/*
 * Let virtual time run towards 'until': fire the timers of the next
 * instant at or before it and stop there (hv_sleep delivers this
 * connection's events, then calls again), or move the clock to 'until'.
 * Time passes on a dead connection too, whatever the daemon does.
 */
static int
fk_wait(hv_conn *conn, int64_t until, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    int64_t next = sim_next_time(c->w);

    (void)err;
    if (next >= 0 && next <= until) {
        sim_run_until(c->w, next);
        return 1;
    }
    sim_run_until(c->w, until);
    return 0;
}

/* The world's wall clock: virtual time from FAKE_WALL_EPOCH_S. */
static int64_t
fk_wall(hv_conn *conn)
{
    return FAKE_WALL_EPOCH_S * HV_NS_PER_SEC + sim_now(fake_conn_of(conn)->w);
}

static uint64_t
fk_random(hv_conn *conn)
{
    return sim_random(fake_conn_of(conn)->w);
}

/* ---- world faults ---- */

void
fake_host_daemon_stop(fake_host *h)
{
    if (!h->daemon_up)
        return;
    h->daemon_up = false;
    fake_mig_daemon_stopped(h);
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
    GPtrArray *gone;

    /* its migrations fail first, while their domains are still there */
    fake_mig_host_crashed(h);
    gone = g_ptr_array_new();
    g_hash_table_iter_init(&it, h->by_uuid);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        fake_dom *d = v;
        if (!fake_dom_active(d))
            continue;
        if (!d->persistent) {
            g_ptr_array_add(gone, d);
            continue;
        }
        fake_dom_account_cpu(d, sim_now(h->w));
        d->state = HV_STATE_SHUTOFF;
        d->reason = HV_SHUTOFF_UNKNOWN;
        d->id = -1;
        d->os_up = false;
        d->pending = FAKE_ACPI_NONE;
        g_clear_pointer(&d->live_xml, g_free);
        fake_dom_retoken(h, d, &d->life);
        fake_dom_retoken(h, d, &d->run);
    }
    for (guint i = 0; i < gone->len; i++)
        fake_dom_remove(h, g_ptr_array_index(gone, i));
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
    if (!d || !fake_dom_active(d)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "domain '%s' is not running on host '%s'", name,
                     h->name);
        return -1;
    }
    fake_dom_crash(h, d);
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
    .node_get_memory_stats = fk_node_get_memory_stats,
    .clock_now = fk_now,
    .clock_wait = fk_wait,
    .clock_random = fk_random,
    .clock_wall = fk_wall,
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
    .domain_get_vcpus = fk_domain_get_vcpus,
    .domain_block_stats = fk_domain_block_stats,
    .domain_block_rebase = fk_domain_block_rebase,
    .domain_block_job_info = fk_domain_block_job_info,
    .domain_block_job_abort = fk_domain_block_job_abort,
    .domain_block_resize = fk_domain_block_resize,
    .domain_interface_stats = fk_domain_interface_stats,
    .domain_memory_stats = fk_domain_memory_stats,
    .domain_migrate_start = fk_domain_migrate_start,
    .migration_poll = fk_migration_poll,
    .migration_release = fk_migration_release,
    .domain_migrate_set_max_downtime = fk_domain_migrate_set_max_downtime,
    .domain_migrate_set_max_speed = fk_domain_migrate_set_max_speed,
    .domain_migrate_start_post_copy = fk_domain_migrate_start_post_copy,
    .pool_get_info = fk_pool_get_info,
    .vol_create = fk_vol_create,
    .vol_delete = fk_vol_delete,
    .vol_get_info = fk_vol_get_info,
    .vol_resize = fk_vol_resize,
    .vol_get_path = fk_vol_get_path,
    .vol_list = fk_vol_list,
    .vol_copy_to = fk_vol_copy_to,
    .vol_get_mtime = fk_vol_get_mtime,
    .vol_touch = fk_vol_touch,
    .instance_dir_create = fk_instance_dir_create,
    .instance_dir_exists = fk_instance_dir_exists,
    .instance_dir_rename = fk_instance_dir_rename,
    .instance_dir_delete = fk_instance_dir_delete,
    .instance_file_write = fk_instance_file_write,
    .instance_file_read = fk_instance_file_read,
    .instance_file_delete = fk_instance_file_delete,
    .instance_iso_build = fk_instance_iso_build,
    /* snapshots and the guest agent */
    .vol_create_from = fk_vol_create_from,
    .domain_fs_freeze = fk_domain_fs_freeze,
    .domain_fs_thaw = fk_domain_fs_thaw,
    .domain_set_user_password = fk_domain_set_user_password,
};

