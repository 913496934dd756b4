/*
 * fake-migrate-api.c: the fake's live migration as hv and fake.h see it:
 * the destination a URI names, the backend's migration slots (start,
 * poll, release, max downtime and speed, post-copy), job info and abort
 * of a migrating domain, the world's link speed and the migration faults.
 * The engine (progress, phases, ends) is fake-migrate.c.
 */
#include "fake-migrate.h"

#include <errno.h>
#include <string.h>

#include "fake-xml.h"

/* ---- the destination ---- */

/* The host named by a destination: "h2", or the host part of a URI. */
char *
fake_dest_host_name(const char *uri)
{
    const char *p = strstr(uri, "://");
    size_t n;

    if (!p)
        return g_strdup(uri);
    p += 3;
    n = strcspn(p, "/?:");
    return g_strndup(p, n);
}

/* The pool volumes behind the domain's disks on h (borrowed). */
static GPtrArray *
disk_volumes(fake_host *h, const char *xml)
{
    GPtrArray *sources = fake_xml_disk_sources(xml);
    GPtrArray *vols = g_ptr_array_new();

    for (guint i = 0; i < sources->len; i++) {
        const char *name = fake_vol_name_of_path(g_ptr_array_index(sources, i));
        fake_vol *v = name ? g_hash_table_lookup(h->vols, name) : NULL;
        if (v)
            g_ptr_array_add(vols, v);
    }
    g_ptr_array_unref(sources);
    return vols;
}

/* Bytes a full copy of v moves: what v and its backing chain (in the
 * pool) hold. */
static uint64_t
chain_bytes(fake_host *h, const fake_vol *v)
{
    uint64_t bytes = 0;

    for (unsigned int depth = 0; v && depth < 16; depth++) {
        const char *name = v->backing ? fake_vol_name_of_path(v->backing)
                                      : NULL;

        bytes += v->allocation;
        v = name ? g_hash_table_lookup(h->vols, name) : NULL;
    }
    return bytes;
}

/*
 * Block migration: libvirt creates on the destination the volumes the
 * domain's disks need there and mirrors them. NON_SHARED_DISK copies
 * whole disks (the chain flattened into a volume without backing);
 * NON_SHARED_INC only the top images, whose backing files must already be
 * on the destination (the volume's creation fails there otherwise, as
 * libvirt's does). A volume created stays if the migration fails, as
 * libvirt leaves it.
 */
static int
dest_precreate(fake_host *src, fake_host *dst, const char *xml, bool inc,
               uint64_t *bytes, hv_error *err)
{
    GPtrArray *vols = disk_volumes(src, xml);
    int ret = -1;

    *bytes = 0;
    for (guint i = 0; i < vols->len; i++) {
        fake_vol *v = g_ptr_array_index(vols, i);

        *bytes += inc ? v->allocation : chain_bytes(src, v);
        if (!g_hash_table_contains(dst->vols, v->name)) {
            fake_conn c = {.w = dst->w, .host = dst, .epoch = dst->epoch};
            hv_conn conn = {.priv = &c};
            hv_vol_spec spec = {.name = v->name, .capacity = v->capacity,
                                .allocation = v->allocation,
                                .format = v->format};

            if (inc && v->backing) {
                spec.backing_path = v->backing;
                spec.backing_format = v->backing_format[0] ? v->backing_format
                                                           : NULL;
            }
            if (fk_vol_create(&conn, dst->pool, &spec, err) < 0)
                goto cleanup;
        }
    }
    ret = 0;

cleanup:
    g_ptr_array_unref(vols);
    return ret;
}

/* Find the destination host as libvirt would reach it, or fail as it does. */
static fake_host *
dest_find(fake_conn *c, const hv_migrate_params *p, unsigned int flags,
          hv_error *err)
{
    char *name = fake_dest_host_name(p->dest_uri);
    fake_host *dst = fake_host_find(c->w, name);
    bool p2p = flags & HV_MIGRATE_PEER2PEER;

    g_free(name);
    if (!dst) {
        if (p2p)
            hv_error_set(err, HV_ERR_OPERATION_FAILED,
                         "operation failed: Failed to connect to remote "
                         "libvirt URI %s: no such host", p->dest_uri);
        else
            hv_error_set(err, HV_ERR_NO_CONNECT,
                         "no connection driver available for %s",
                         p->dest_uri);
        return NULL;
    }
    if (!dst->daemon_up) {
        if (p2p)
            hv_error_set(err, HV_ERR_OPERATION_FAILED,
                         "operation failed: Failed to connect to remote "
                         "libvirt URI %s: Connection refused", p->dest_uri);
        else
            hv_error_set_errno(err, ECONNREFUSED,
                               "Failed to connect socket to "
                               "'/var/run/libvirt/libvirt-sock': Connection "
                               "refused");
        return NULL;
    }
    if (dst == c->host) {
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "internal error: Attempt to migrate guest to the same "
                     "host %s", dst->uuid);
        return NULL;
    }
    return dst;
}

/* Flags the way libvirt's API entry points check them. */
static int
check_flags(const hv_migrate_params *p, unsigned int flags, hv_error *err)
{
    const unsigned int known =
        HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER | HV_MIGRATE_PERSIST_DEST |
        HV_MIGRATE_UNDEFINE_SOURCE | HV_MIGRATE_AUTO_CONVERGE |
        HV_MIGRATE_POSTCOPY | HV_MIGRATE_NON_SHARED_DISK |
        HV_MIGRATE_TUNNELLED | HV_MIGRATE_NON_SHARED_INC;

    if (flags & ~known) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "unsupported flags (0x%x) in function "
                     "fk_domain_migrate_start", flags & ~known);
        return -1;
    }
    if (!p || !p->dest_uri || !*p->dest_uri) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "migration needs a destination URI");
        return -1;
    }
    if ((flags & HV_MIGRATE_TUNNELLED) && !(flags & HV_MIGRATE_PEER2PEER)) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: use of VIR_MIGRATE_TUNNELLED "
                     "requires use of VIR_MIGRATE_PEER2PEER");
        return -1;
    }
    if ((flags & HV_MIGRATE_TUNNELLED) && (flags & HV_MIGRATE_POSTCOPY)) {
        hv_error_set(err, HV_ERR_ARGUMENT_UNSUPPORTED,
                     "argument unsupported: post-copy is not supported "
                     "with tunnelled migration");
        return -1;
    }
    return 0;
}

/* ---- backend slots ---- */

int
fk_domain_migrate_start(hv_domain *dom, const hv_migrate_params *p,
                        unsigned int flags, hv_migration *hm, hv_error *err)
{
    fake_conn *c = fake_conn_of(dom->conn);
    fake_world *fw = fake_world_of(c->w);
    fake_dom *d = fake_dom_of(dom, err), *dd = NULL;
    fake_host *dst;
    fake_domdef def = {0};
    uint64_t disk = 0, limit;
    gpointer key, armed;
    fake_mig *m;
    mig_ref *ref;
    int ret = -1;

    if (!d || check_flags(p, flags, err) < 0)
        return -1;
    if (!fake_dom_active(d)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is not "
                     "running");
        return -1;
    }
    if (d->mig_out || d->mig_in) {
        /* libvirt waits 30 s for the job lock first; the fake does not */
        hv_error_set(err, HV_ERR_OPERATION_TIMEOUT,
                     "Timed out during operation: cannot acquire state "
                     "change lock (held by monitor=remoteDispatch"
                     "DomainMigratePerform3Params)");
        return -1;
    }
    if (!(dst = dest_find(c, p, flags, err)))
        return -1;
    if (fake_xml_parse_domain(p->dest_xml ? p->dest_xml : d->live_xml,
                              d->uuid, &def, err) < 0)
        return -1;
    if (strcmp(def.uuid, d->uuid) != 0) {
        hv_error_set(err, HV_ERR_CONFIG_UNSUPPORTED,
                     "unsupported configuration: Target domain uuid %s does "
                     "not match source %s", def.uuid, d->uuid);
        goto cleanup;
    }
    if (flags & (HV_MIGRATE_NON_SHARED_DISK | HV_MIGRATE_NON_SHARED_INC)) {
        if (dest_precreate(c->host, dst, def.xml,
                           !(flags & HV_MIGRATE_NON_SHARED_DISK), &disk,
                           err) < 0)
            goto cleanup;
    } else if (fake_host_check_sources(dst, def.sources, err) < 0) {
        /* shared storage that is not there: the destination QEMU fails */
        goto cleanup;
    }
    if (!(dd = fake_dom_incoming(dst, &def, d, err)))
        goto cleanup;

    m = g_new0(fake_mig, 1);
    m->id = ++fw->next_mig;
    m->w = c->w;
    m->src = c->host;
    m->dst = dst;
    g_strlcpy(m->uuid, d->uuid, sizeof(m->uuid));
    m->name = g_strdup(d->name);
    m->flags = flags;
    m->phase = MIG_SETUP;
    m->held = true;
    m->src_was_paused = d->state == HV_STATE_PAUSED;
    m->started = sim_now(c->w);
    m->at.t = m->started;
    limit = p->bandwidth_mib ? p->bandwidth_mib : d->mig_speed_mib;
    if (!limit || limit > fw->link_mib)
        limit = fw->link_mib;
    m->bw = limit * MIB;
    m->downtime_ms = d->mig_downtime_ms ? d->mig_downtime_ms
                                        : FAKE_DEFAULT_MAX_DOWNTIME_MS;
    m->mem_total = d->mem_kib * 1024;
    m->disk_total = disk;
    m->fail_pct = -1;
    if (g_hash_table_steal_extended(fw->mig_faults, d->name, &key, &armed)) {
        g_free(key);
        m->fail_pct = (int)GPOINTER_TO_UINT(armed) - 1;
    }
    hv_error_reset(&m->result);
    g_hash_table_insert(fw->migrations, &m->id, m);
    d->mig_out = m->id;
    dd->mig_in = m->id;
    fake_mig_plan(m);

    ref = g_new0(mig_ref, 1);
    ref->w = c->w;
    ref->id = m->id;
    hm->priv = ref;
    ret = 0;

cleanup:
    fake_domdef_clear(&def);
    return ret;
}

int
fk_migration_poll(hv_migration *hm, int *done, hv_error *err)
{
    mig_ref *ref = hm->priv;
    fake_mig *m;

    if (fake_conn_check(fake_conn_of(hm->conn), err) < 0)
        return -1;
    if (!ref) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: not a started migration");
        return -1;
    }
    if (!(m = fake_mig_by_id(ref->w, ref->id))) {
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "internal error: unknown migration");
        return -1;
    }
    if (m->phase != MIG_DONE) {
        *done = 0;
        return 0;
    }
    *done = 1;
    if (m->rc < 0) {
        hv_error_copy(err, &m->result);
        return -1;
    }
    return 0;
}

void
fk_migration_release(hv_migration *hm)
{
    mig_ref *ref = hm->priv;
    fake_mig *m;

    if (!ref)
        return;
    if ((m = fake_mig_by_id(ref->w, ref->id))) {
        m->held = false;
        if (m->phase == MIG_DONE)
            fake_mig_forget(m);
    }
    g_free(ref);
    hm->priv = NULL;
}

/* Not running: what libvirt says of tuning a shut off domain (measured). */
static int
mig_not_running(hv_error *err)
{
    hv_error_set(err, HV_ERR_OPERATION_INVALID,
                 "Requested operation is not valid: domain is not running");
    return -1;
}

int
fk_domain_migrate_set_max_downtime(hv_domain *dom, uint64_t ms,
                                   hv_error *err)
{
    fake_dom *d = fake_dom_of(dom, err);
    fake_mig *m;

    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return mig_not_running(err);
    if ((m = fake_mig_by_id(fake_conn_of(dom->conn)->w, d->mig_out)))
        m->downtime_ms = ms; /* read at the end of the pass */
    else
        d->mig_downtime_ms = ms;
    return 0;
}

/* Measured: allowed on a shut off domain too (kept for its next
 * migration). */
int
fk_domain_migrate_set_max_speed(hv_domain *dom, uint64_t mib, hv_error *err)
{
    fake_dom *d = fake_dom_of(dom, err);
    fake_world *fw;
    fake_mig *m;

    if (!d)
        return -1;
    fw = fake_world_of(fake_conn_of(dom->conn)->w);
    if (!(m = fake_mig_by_id(fake_conn_of(dom->conn)->w, d->mig_out))) {
        d->mig_speed_mib = mib;
        return 0;
    }
    fake_mig_fold(m);
    m->bw = (mib && mib < fw->link_mib ? mib : fw->link_mib) * MIB;
    fake_mig_plan(m);
    return 0;
}

int
fk_domain_migrate_start_post_copy(hv_domain *dom, hv_error *err)
{
    fake_dom *d = fake_dom_of(dom, err);
    fake_mig *m;

    if (!d)
        return -1;
    if (!fake_dom_active(d))
        return mig_not_running(err);
    if (!(m = fake_mig_by_id(fake_conn_of(dom->conn)->w, d->mig_out))) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: post-copy can only "
                     "be started while outgoing migration is in progress");
        return -1;
    }
    if (!(m->flags & HV_MIGRATE_POSTCOPY)) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: switching to "
                     "post-copy requires migration to be started with "
                     "VIR_MIGRATE_POSTCOPY flag");
        return -1;
    }
    if (m->phase == MIG_POSTCOPY || m->postcopy_asked) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: post-copy already "
                     "started");
        return -1;
    }
    switch (m->phase) {
    case MIG_SETUP:
    case MIG_DISK:
        /* QEMU switches as soon as memory starts moving */
        m->postcopy_asked = true;
        break;
    case MIG_PRECOPY:
        fake_mig_to_postcopy(m);
        fake_mig_plan(m);
        break;
    case MIG_STOPCOPY: /* the guest is already paused for the end */
    case MIG_POSTCOPY:
    case MIG_DONE:
        break;
    }
    return 0;
}

/* ---- job info and abort of a migrating domain ---- */

int
fake_mig_job_info(sim_world *w, fake_dom *d, hv_job_info *info,
                  hv_error *err)
{
    fake_mig *m;
    mig_anchor a;
    uint64_t now = (uint64_t)sim_now(w);

    if (d->mig_in) {
        hv_error_set(err, HV_ERR_OPERATION_UNSUPPORTED,
                     "Operation not supported: migration statistics are "
                     "available only on the source host");
        return -1;
    }
    if (!(m = fake_mig_by_id(w, d->mig_out)) || m->phase == MIG_DONE) {
        info->type = HV_JOB_NONE;
        return 0;
    }
    fake_mig_progress(m, (int64_t)now, &a);
    info->type = HV_JOB_UNBOUNDED;
    info->time_elapsed_ms = (now - (uint64_t)m->started) / HV_NS_PER_MS;
    /* libvirt reports no data until QEMU's migration runs */
    if (m->phase == MIG_SETUP)
        return 0;
    if (m->phase != MIG_DISK) {
        info->mem_total = m->mem_total;
        info->mem_processed = a.mem_processed;
        info->mem_remaining = m->pass_bytes - a.pass_sent;
        info->mem_iteration = m->iteration;
    }
    info->data_total = info->mem_total + m->disk_total;
    info->data_processed = info->mem_processed + a.disk_done;
    info->data_remaining = info->mem_remaining + (m->disk_total - a.disk_done);
    return 0;
}

int
fake_mig_abort(sim_world *w, fake_dom *d, hv_error *err)
{
    fake_mig *m;

    if (d->mig_in) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: cannot abort "
                     "incoming migration; use virDomainDestroy instead");
        return -1;
    }
    m = fake_mig_by_id(w, d->mig_out);
    if (!m || m->phase == MIG_DONE) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: no job is active on "
                     "the domain");
        return -1;
    }
    if (m->phase == MIG_POSTCOPY) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: cannot abort "
                     "migration in post-copy mode");
        return -1;
    }
    /* measured: the migration fails with OPERATION_ABORTED and the source
     * keeps running */
    fake_mig_fail(m, false, false, HV_ERR_OPERATION_ABORTED,
                  "operation aborted: job 'migration out' canceled by client");
    return 0;
}

/* ---- the world's link and faults (fake.h) ---- */

void
fake_world_set_link_speed(sim_world *w, uint64_t mib_per_s)
{
    fake_world_of(w)->link_mib = mib_per_s ? mib_per_s : 1;
}

int
fake_migration_fail_at(sim_world *w, const char *name, unsigned int percent,
                       hv_error *err)
{
    fake_mig *m;

    hv_error_reset(err);
    if (!name || percent > 100) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "a migration failure needs a domain name and a "
                     "percent from 0 to 100 (got %u)", percent);
        return -1;
    }
    if (!(m = fake_mig_by_name(w, name))) {
        g_hash_table_replace(fake_world_of(w)->mig_faults, g_strdup(name),
                             GUINT_TO_POINTER(percent + 1));
        return 0;
    }
    fake_mig_fold(m);
    m->fail_pct = (int)percent;
    fake_mig_plan(m);
    return 0;
}

int
fake_migration_connection_lost(sim_world *w, const char *name,
                               hv_error *err)
{
    fake_mig *m;

    hv_error_reset(err);
    if (!name || !(m = fake_mig_by_name(w, name))) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "no migration of domain '%s' is running",
                     name ? name : "");
        return -1;
    }
    fake_mig_fail(m, false, false, HV_ERR_OPERATION_FAILED,
                  "operation failed: Lost connection to destination host");
    return 0;
}

int
fake_migration_get(sim_world *w, const char *name, fake_migration_state *st)
{
    fake_mig *m = name ? fake_mig_by_name(w, name) : NULL;

    if (!m)
        return 0;
    st->phase = fake_mig_phase_names[m->phase];
    st->source = m->src->name;
    st->destination = m->dst->name;
    st->bandwidth_mib = m->bw / MIB;
    st->max_downtime_ms = m->downtime_ms;
    st->iteration = m->iteration;
    st->throttle_pct = m->throttle;
    return 1;
}
