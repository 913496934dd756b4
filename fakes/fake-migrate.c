/*
 * fake-migrate.c: live migration between two hosts of one world, behind
 * the migration slots, job info and abort of a migrating domain, and the
 * migration faults. What a migration does, phase by phase, is told in
 * fake.h; the events and errors follow libvirt 9.0's QEMU driver
 * (qemu_migration.c, qemu_process.c), the rates QEMU's RAM migration.
 *
 * A migration is a record of the world (fake_world.migrations), not of the
 * handle: it goes on while virtual time runs, whoever polls. Its progress
 * is kept as an anchor (the amounts at a time) and the rates since then;
 * the anchor moves only where a rate changes (bandwidth, the guest pausing
 * or running, a throttle, a new phase), so reading job info changes
 * nothing. One timer at a time waits for the next thing due: the end of
 * the phase, or an armed failure.
 */
#include "fake-priv.h"

#include <errno.h>
#include <string.h>

#include "fake-xml.h"

#define MIB (UINT64_C(1) << 20)

typedef enum {
    MIG_SETUP,
    MIG_DISK,
    MIG_PRECOPY,
    MIG_STOPCOPY,
    MIG_POSTCOPY,
    MIG_DONE,
} mig_phase;

static const char *const phase_names[] = {
    "setup", "disk", "precopy", "stopcopy", "postcopy", "done",
};

/* The amounts at time t. */
typedef struct mig_anchor {
    int64_t t;
    uint64_t disk_done;
    uint64_t pass_sent;     /* of this pass (or of the final rest) */
    uint64_t mem_processed; /* all memory sent, passes included */
    uint64_t dirtied;       /* dirtied since this pass began */
} mig_anchor;

struct fake_mig {
    uint64_t id; /* the key in fake_world.migrations */
    sim_world *w;
    fake_host *src, *dst;
    char uuid[HV_UUID_STRLEN];
    char *name;
    unsigned int flags;
    mig_phase phase;
    bool held;           /* a handle holds the record */
    bool src_was_paused; /* paused at start: it stays paused on arrival */
    bool postcopy_asked; /* switch when memory starts moving */
    int64_t started;
    uint64_t bw;          /* bytes/s */
    uint64_t downtime_ms;
    uint64_t mem_total, disk_total;
    uint64_t pass_bytes; /* what this pass sends */
    uint64_t iteration;
    unsigned int throttle, high_count;
    int fail_pct; /* -1: none armed */
    mig_anchor at;
    uint64_t timer; /* sequence of the pending timer, 0 none */
    int rc;
    hv_error result;
};

/* What a handle holds: the world and the record's id. */
typedef struct mig_ref {
    sim_world *w;
    uint64_t id;
} mig_ref;

static void mig_plan(fake_mig *m);

/* ---- arithmetic: bytes and ns, exact in 128 bits ---- */

/* Bytes moved in 'ns' at 'bps' bytes/s (rounded down). */
static uint64_t
bytes_in(uint64_t bps, int64_t ns)
{
    if (ns <= 0)
        return 0;
    return (uint64_t)((unsigned __int128)bps * (uint64_t)ns / HV_NS_PER_SEC);
}

/* ns to move 'bytes' at 'bps' (rounded up, so bytes_in of it covers them). */
static int64_t
ns_for(uint64_t bytes, uint64_t bps)
{
    unsigned __int128 n = (unsigned __int128)bytes * HV_NS_PER_SEC;

    return (int64_t)((n + bps - 1) / bps);
}

static uint64_t
min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

/* ---- the record ---- */

void
fake_mig_free(fake_mig *m)
{
    if (!m)
        return;
    g_free(m->name);
    g_free(m);
}

static fake_mig *
mig_by_id(sim_world *w, uint64_t id)
{
    return id ? g_hash_table_lookup(fake_world_of(w)->migrations, &id) : NULL;
}

/* The running migration of domain 'name', if any. */
static fake_mig *
mig_by_name(sim_world *w, const char *name)
{
    GHashTableIter it;
    gpointer v;

    g_hash_table_iter_init(&it, fake_world_of(w)->migrations);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        fake_mig *m = v;
        if (m->phase != MIG_DONE && strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

static fake_dom *
mig_src_dom(const fake_mig *m)
{
    fake_dom *d = g_hash_table_lookup(m->src->by_uuid, m->uuid);
    return d && d->mig_out == m->id ? d : NULL;
}

static fake_dom *
mig_dst_dom(const fake_mig *m)
{
    fake_dom *d = g_hash_table_lookup(m->dst->by_uuid, m->uuid);
    return d && d->mig_in == m->id ? d : NULL;
}

/* Drop the record from the world (frees it). */
static void
mig_forget(fake_mig *m)
{
    if (m->timer)
        sim_cancel(m->w, m->timer);
    g_hash_table_remove(fake_world_of(m->w)->migrations, &m->id);
}

/* ---- progress ---- */

/* Bytes/s the source guest dirties now: nothing unless it runs. */
static uint64_t
mig_dirty_bps(const fake_mig *m)
{
    fake_dom *d = mig_src_dom(m);

    if (!d || d->state != HV_STATE_RUNNING)
        return 0;
    return d->guest.dirty_rate_mib * MIB * (100 - m->throttle) / 100;
}

/* The anchor moved to 'now' at the current rates, into *out. */
static void
mig_progress(const fake_mig *m, int64_t now, mig_anchor *out)
{
    int64_t dt = now - m->at.t;
    uint64_t sent;

    *out = m->at;
    out->t = now;
    if (dt <= 0)
        return;
    switch (m->phase) {
    case MIG_DISK:
        out->disk_done += min_u64(m->disk_total - m->at.disk_done,
                                  bytes_in(m->bw, dt));
        break;
    case MIG_PRECOPY:
        out->dirtied = min_u64(m->mem_total,
                               m->at.dirtied + bytes_in(mig_dirty_bps(m), dt));
        /* the pass moves as the final copies do */
        G_GNUC_FALLTHROUGH;
    case MIG_STOPCOPY:
    case MIG_POSTCOPY:
        sent = min_u64(m->pass_bytes - m->at.pass_sent, bytes_in(m->bw, dt));
        out->pass_sent += sent;
        out->mem_processed += sent;
        break;
    case MIG_SETUP:
    case MIG_DONE:
        break;
    }
}

/* Bring the anchor to now: done before any rate changes. */
static void
mig_fold(fake_mig *m)
{
    mig_anchor a;

    mig_progress(m, sim_now(m->w), &a);
    m->at = a;
}

static uint64_t
mig_data_processed(const mig_anchor *a)
{
    return a->disk_done + a->mem_processed;
}

/* Bytes of data the armed failure waits for (fail_pct of the total). */
static uint64_t
mig_fail_target(const fake_mig *m)
{
    uint64_t total = m->mem_total + m->disk_total;

    return (uint64_t)(((unsigned __int128)total * (unsigned)m->fail_pct +
                       99) / 100);
}

/* ---- events and ends ---- */

static void
mig_emit_src(fake_mig *m, fake_dom *d, int state, int reason, int type,
             int detail)
{
    fake_dom_set_state(m->src, d, state, reason);
    fake_host_emit(m->src, d, type, detail, NULL);
}

static void
mig_emit_dst(fake_mig *m, fake_dom *d, int state, int reason, int type,
             int detail)
{
    fake_dom_set_state(m->dst, d, state, reason);
    fake_host_emit(m->dst, d, type, detail, NULL);
}

/* While a host's daemon is down its events reach no one: its listeners
 * (connections that died with it) are set aside; mig_unquiet puts them
 * back. Returns what to give mig_unquiet (NULL: nothing set aside). */
static GPtrArray *
mig_quiet(fake_host *h)
{
    GPtrArray *kept;

    if (h->daemon_up)
        return NULL;
    kept = h->listeners;
    h->listeners = g_ptr_array_new();
    return kept;
}

static void
mig_unquiet(fake_host *h, GPtrArray *kept)
{
    if (!kept)
        return;
    g_ptr_array_free(h->listeners, TRUE);
    h->listeners = kept;
}

/* The record's work is over: drop it unless a handle still holds it. */
static void
mig_finish(fake_mig *m)
{
    if (m->timer) {
        sim_cancel(m->w, m->timer);
        m->timer = 0;
    }
    m->phase = MIG_DONE;
    if (!m->held)
        mig_forget(m);
}

/*
 * The migration fails with code/message. 'src_lost' / 'dst_lost': that
 * side's host crashed or its daemon went, so nothing is done there (its
 * own code decides what remains). As libvirt does: before post-copy, the
 * destination's QEMU is stopped (STOPPED/FAILED) and the source resumed if
 * the migration had paused it (RUNNING/MIGRATION_CANCELED, RESUMED/MIGRATED;
 * qemuMigrationSrcRestoreDomainState); in post-copy the side that remains
 * is left PAUSED/POSTCOPY_FAILED (qemuMigrationAnyPostcopyFailed).
 */
static void
mig_fail(fake_mig *m, bool src_lost, bool dst_lost, int code,
         const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static void
mig_fail(fake_mig *m, bool src_lost, bool dst_lost, int code,
         const char *fmt, ...)
{
    fake_dom *sd = mig_src_dom(m), *dd = mig_dst_dom(m);
    bool postcopy = m->phase == MIG_POSTCOPY;
    GPtrArray *src_quiet, *dst_quiet;
    char *msg;
    va_list ap;

    if (m->phase == MIG_DONE)
        return;
    mig_fold(m);
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    hv_error_reset(&m->result);
    hv_error_set(&m->result, code, "%s", msg);
    g_free(msg);
    m->rc = -1;
    m->phase = MIG_DONE; /* no more progress while the sides settle */
    if (sd)
        sd->mig_out = 0;
    if (dd)
        dd->mig_in = 0;
    /* a host whose daemon is down tells nobody */
    src_quiet = mig_quiet(m->src);
    dst_quiet = mig_quiet(m->dst);
    if (postcopy) {
        if (sd && !src_lost && fake_dom_active(sd))
            mig_emit_src(m, sd, HV_STATE_PAUSED, HV_PAUSED_POSTCOPY_FAILED,
                         HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_POSTCOPY_FAILED);
        if (dd && !dst_lost && fake_dom_active(dd))
            mig_emit_dst(m, dd, HV_STATE_PAUSED, HV_PAUSED_POSTCOPY_FAILED,
                         HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_POSTCOPY_FAILED);
    } else {
        if (dd && !dst_lost && fake_dom_active(dd))
            fake_dom_stopped(m->dst, dd, HV_SHUTOFF_FAILED,
                             HV_EV_STOPPED_FAILED);
        if (sd && !src_lost && fake_dom_active(sd) &&
            sd->state == HV_STATE_PAUSED && !m->src_was_paused)
            mig_emit_src(m, sd, HV_STATE_RUNNING,
                         HV_RUNNING_MIGRATION_CANCELED, HV_EVENT_RESUMED,
                         HV_EV_RESUMED_MIGRATED);
    }
    mig_unquiet(m->src, src_quiet);
    mig_unquiet(m->dst, dst_quiet);
    mig_finish(m);
}

/*
 * All data is over: the destination's QEMU takes the guest (libvirt's
 * Finish: DEFINED with PERSIST_DEST, then RESUMED/MIGRATED, or paused
 * with SUSPENDED/PAUSED if the source was paused when it began), then the
 * source's QEMU stops (Confirm: STOPPED/MIGRATED; UNDEFINE_SOURCE removes
 * the definition without an event).
 */
static void
mig_complete(fake_mig *m)
{
    fake_dom *sd = mig_src_dom(m), *dd = mig_dst_dom(m);

    if (!sd || !dd) { /* cannot happen: losing either fails first */
        mig_fail(m, !sd, !dd, HV_ERR_INTERNAL_ERROR,
                 "internal error: migration lost its domain");
        return;
    }
    dd->mig_in = 0;
    sd->mig_out = 0;
    if (m->flags & HV_MIGRATE_PERSIST_DEST) {
        int detail = dd->persistent ? HV_EV_DEFINED_UPDATED
                                    : HV_EV_DEFINED_ADDED;
        char *xml = g_strdup(sd->config_xml ? sd->config_xml : dd->live_xml);

        g_free(dd->config_xml);
        dd->config_xml = xml;
        dd->persistent = true;
        fake_host_emit(m->dst, dd, HV_EVENT_DEFINED, detail, NULL);
    }
    if (m->src_was_paused)
        mig_emit_dst(m, dd, HV_STATE_PAUSED, HV_PAUSED_USER,
                     HV_EVENT_SUSPENDED, HV_EV_SUSPENDED_PAUSED);
    else
        mig_emit_dst(m, dd, HV_STATE_RUNNING, HV_RUNNING_MIGRATED,
                     HV_EVENT_RESUMED, HV_EV_RESUMED_MIGRATED);
    if ((m->flags & HV_MIGRATE_UNDEFINE_SOURCE) && sd->persistent) {
        sd->persistent = false;
        g_clear_pointer(&sd->config_xml, g_free);
    }
    /* a transient source is gone with its QEMU */
    fake_dom_stopped(m->src, sd, HV_SHUTOFF_MIGRATED, HV_EV_STOPPED_MIGRATED);
    m->rc = 0;
    mig_finish(m);
}

/* ---- phases ---- */

/* The source pauses for the end of the migration (QEMU stops its CPUs). */
static void
mig_pause_source(fake_mig *m, int reason, int detail)
{
    fake_dom *sd = mig_src_dom(m);

    if (sd && sd->state == HV_STATE_RUNNING)
        mig_emit_src(m, sd, HV_STATE_PAUSED, reason, HV_EVENT_SUSPENDED,
                     detail);
}

/* Post-copy: what is not on the destination yet is pulled from there. */
static void
mig_to_postcopy(fake_mig *m)
{
    fake_dom *dd = mig_dst_dom(m);

    mig_fold(m);
    /* QEMU's last bitmap sync: the rest of this pass and what was dirtied */
    m->pass_bytes = min_u64(m->mem_total, (m->pass_bytes - m->at.pass_sent) +
                                              m->at.dirtied);
    m->at.pass_sent = 0;
    m->at.dirtied = 0;
    m->iteration++;
    m->phase = MIG_POSTCOPY;
    mig_pause_source(m, HV_PAUSED_POSTCOPY, HV_EV_SUSPENDED_POSTCOPY);
    if (dd)
        mig_emit_dst(m, dd, HV_STATE_RUNNING, HV_RUNNING_POSTCOPY,
                     HV_EVENT_RESUMED, HV_EV_RESUMED_POSTCOPY);
}

/* Memory starts moving: pass 1 sends all of it. */
static void
mig_start_memory(fake_mig *m)
{
    m->phase = MIG_PRECOPY;
    m->iteration = 1;
    m->pass_bytes = m->mem_total;
    m->at.pass_sent = 0;
    m->at.dirtied = 0;
    /* without LIVE the guest is paused for the whole copy */
    if (!(m->flags & HV_MIGRATE_LIVE))
        mig_pause_source(m, HV_PAUSED_MIGRATION, HV_EV_SUSPENDED_MIGRATED);
    if (m->postcopy_asked)
        mig_to_postcopy(m);
}

/*
 * A precopy pass is over: QEMU syncs the dirty bitmap (a new iteration),
 * throttles the guest under auto-converge, and either converges (stop and
 * copy the rest) or sends what was dirtied.
 */
static void
mig_end_pass(fake_mig *m)
{
    uint64_t dirty = m->at.dirtied;
    uint64_t threshold = (uint64_t)((unsigned __int128)m->bw *
                                    m->downtime_ms / 1000);

    if ((m->flags & HV_MIGRATE_AUTO_CONVERGE) && dirty > m->pass_bytes / 2 &&
        ++m->high_count >= 2) {
        m->high_count = 0;
        m->throttle = m->throttle ? MIN(m->throttle + 10, 99) : 20;
    }
    m->iteration++;
    m->pass_bytes = dirty;
    m->at.pass_sent = 0;
    m->at.dirtied = 0;
    if (dirty == 0 || dirty < threshold) {
        m->phase = MIG_STOPCOPY;
        mig_pause_source(m, HV_PAUSED_MIGRATION, HV_EV_SUSPENDED_MIGRATED);
    }
}

/* The migration's timer: whatever was due now. */
static void
on_mig_timer(sim_world *w, void *a, uint64_t id)
{
    fake_mig *m = mig_by_id(w, id);

    (void)a;
    if (!m || m->phase == MIG_DONE)
        return;
    m->timer = 0;
    mig_fold(m);
    if (m->fail_pct >= 0 &&
        mig_data_processed(&m->at) >= mig_fail_target(m)) {
        unsigned int pct = (unsigned)m->fail_pct;

        m->fail_pct = -1;
        mig_fail(m, false, false, HV_ERR_OPERATION_FAILED,
                 "operation failed: job 'migration out' failed: "
                 "migration failed at %u%% (fake fault)", pct);
        return;
    }
    switch (m->phase) {
    case MIG_SETUP:
        m->phase = MIG_DISK;
        G_GNUC_FALLTHROUGH;
    case MIG_DISK:
        if (m->at.disk_done >= m->disk_total)
            mig_start_memory(m);
        break;
    case MIG_PRECOPY:
        if (m->at.pass_sent >= m->pass_bytes)
            mig_end_pass(m);
        break;
    case MIG_STOPCOPY:
    case MIG_POSTCOPY:
        if (m->at.pass_sent >= m->pass_bytes) {
            mig_complete(m);
            return;
        }
        break;
    case MIG_DONE:
        return;
    }
    mig_plan(m);
}

/* Schedule the one timer: the end of the phase or the armed failure. */
static void
mig_plan(fake_mig *m)
{
    int64_t due = -1;

    if (m->timer) {
        sim_cancel(m->w, m->timer);
        m->timer = 0;
    }
    switch (m->phase) {
    case MIG_SETUP:
        due = m->started + FAKE_MIGRATE_SETUP_NS;
        break;
    case MIG_DISK:
        due = m->at.t + ns_for(m->disk_total - m->at.disk_done, m->bw);
        break;
    case MIG_PRECOPY:
    case MIG_STOPCOPY:
    case MIG_POSTCOPY:
        due = m->at.t + ns_for(m->pass_bytes - m->at.pass_sent, m->bw);
        break;
    case MIG_DONE:
        return;
    }
    if (m->fail_pct >= 0 && m->phase != MIG_SETUP) {
        uint64_t target = mig_fail_target(m);
        uint64_t done = mig_data_processed(&m->at);
        int64_t fail = m->at.t + (target > done ? ns_for(target - done, m->bw)
                                                : 0);
        if (fail < due)
            due = fail;
    }
    m->timer = sim_schedule(m->w, due, on_mig_timer, NULL, m->id);
}

/* ---- hooks from the domains and hosts ---- */

void
fake_mig_guest_changing(sim_world *w, uint64_t id)
{
    fake_mig *m = mig_by_id(w, id);

    if (m && m->phase != MIG_DONE)
        mig_fold(m);
}

void
fake_mig_domain_lost(sim_world *w, uint64_t id, bool source)
{
    fake_mig *m = mig_by_id(w, id);

    if (!m || m->phase == MIG_DONE)
        return;
    /* the QEMU that went is already stopped and no longer ours */
    if (source)
        mig_fail(m, true, false, HV_ERR_OPERATION_FAILED,
                 "operation failed: job 'migration out' failed: domain is "
                 "not running");
    else
        mig_fail(m, false, true, HV_ERR_OPERATION_FAILED,
                 "operation failed: job 'migration out' failed: Unable to "
                 "write to socket: Connection reset by peer");
}

/* Fail every migration of host h; its own domains are left to the host. */
static void
mig_host_gone(fake_host *h, const char *why)
{
    GHashTableIter it;
    gpointer v;
    GPtrArray *hit = g_ptr_array_new();

    g_hash_table_iter_init(&it, fake_world_of(h->w)->migrations);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        fake_mig *m = v;
        if (m->phase != MIG_DONE && (m->src == h || m->dst == h))
            g_ptr_array_add(hit, m);
    }
    for (guint i = 0; i < hit->len; i++) {
        fake_mig *m = g_ptr_array_index(hit, i);
        fake_dom *sd = mig_src_dom(m), *dd = mig_dst_dom(m);
        bool src_lost = m->src == h;

        /* the domains on h keep no trace of the migration */
        if (src_lost && sd)
            sd->mig_out = 0;
        if (!src_lost && dd)
            dd->mig_in = 0;
        mig_fail(m, src_lost, !src_lost, HV_ERR_OPERATION_FAILED,
                 "operation failed: %s", why);
    }
    g_ptr_array_free(hit, TRUE);
}

void
fake_mig_host_crashed(fake_host *h)
{
    mig_host_gone(h, "job 'migration out' failed: Unable to read from "
                     "monitor: Connection reset by peer");
}

/*
 * A daemon that stops takes the migration with it: on the destination the
 * source's libvirtd loses its peer; on the source nobody drives the job any
 * more and, started again, the daemon cancels it and kills the incoming
 * QEMU (qemuProcessRecoverMigrationOut/In). The fake does that at once.
 */
void
fake_mig_daemon_stopped(fake_host *h)
{
    GHashTableIter it;
    gpointer v;
    GPtrArray *hit = g_ptr_array_new();

    g_hash_table_iter_init(&it, fake_world_of(h->w)->migrations);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        fake_mig *m = v;
        if (m->phase != MIG_DONE && (m->src == h || m->dst == h))
            g_ptr_array_add(hit, m);
    }
    for (guint i = 0; i < hit->len; i++)
        mig_fail(g_ptr_array_index(hit, i), false, false,
                 HV_ERR_OPERATION_FAILED,
                 "operation failed: Lost connection to destination host");
    g_ptr_array_free(hit, TRUE);
}

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
    mig_plan(m);

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
    if (!(m = mig_by_id(ref->w, ref->id))) {
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
    if ((m = mig_by_id(ref->w, ref->id))) {
        m->held = false;
        if (m->phase == MIG_DONE)
            mig_forget(m);
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
    if ((m = mig_by_id(fake_conn_of(dom->conn)->w, d->mig_out)))
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
    if (!(m = mig_by_id(fake_conn_of(dom->conn)->w, d->mig_out))) {
        d->mig_speed_mib = mib;
        return 0;
    }
    mig_fold(m);
    m->bw = (mib && mib < fw->link_mib ? mib : fw->link_mib) * MIB;
    mig_plan(m);
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
    if (!(m = mig_by_id(fake_conn_of(dom->conn)->w, d->mig_out))) {
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
        mig_to_postcopy(m);
        mig_plan(m);
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
    if (!(m = mig_by_id(w, d->mig_out)) || m->phase == MIG_DONE) {
        info->type = HV_JOB_NONE;
        return 0;
    }
    mig_progress(m, (int64_t)now, &a);
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
    m = mig_by_id(w, d->mig_out);
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
    mig_fail(m, false, false, HV_ERR_OPERATION_ABORTED,
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
    if (!(m = mig_by_name(w, name))) {
        g_hash_table_replace(fake_world_of(w)->mig_faults, g_strdup(name),
                             GUINT_TO_POINTER(percent + 1));
        return 0;
    }
    mig_fold(m);
    m->fail_pct = (int)percent;
    mig_plan(m);
    return 0;
}

int
fake_migration_connection_lost(sim_world *w, const char *name,
                               hv_error *err)
{
    fake_mig *m;

    hv_error_reset(err);
    if (!name || !(m = mig_by_name(w, name))) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "no migration of domain '%s' is running",
                     name ? name : "");
        return -1;
    }
    mig_fail(m, false, false, HV_ERR_OPERATION_FAILED,
             "operation failed: Lost connection to destination host");
    return 0;
}

int
fake_migration_get(sim_world *w, const char *name, fake_migration_state *st)
{
    fake_mig *m = name ? mig_by_name(w, name) : NULL;

    if (!m)
        return 0;
    st->phase = phase_names[m->phase];
    st->source = m->src->name;
    st->destination = m->dst->name;
    st->bandwidth_mib = m->bw / MIB;
    st->max_downtime_ms = m->downtime_ms;
    st->iteration = m->iteration;
    st->throttle_pct = m->throttle;
    return 1;
}
