/*
 * fake-migrate.c: live migration between two hosts of one world, its
 * engine (fake-migrate-api.c has the backend's slots, job info and abort
 * of a migrating domain, and the migration faults). What a migration does, phase by phase, is told in
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
#include "fake-migrate.h"

#include <errno.h>
#include <string.h>

#include "fake-xml.h"


const char *const fake_mig_phase_names[] = {
    "setup", "disk", "precopy", "stopcopy", "postcopy", "done",
};


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

fake_mig *
fake_mig_by_id(sim_world *w, uint64_t id)
{
    return id ? g_hash_table_lookup(fake_world_of(w)->migrations, &id) : NULL;
}

/* The running migration of domain 'name', if any. */
fake_mig *
fake_mig_by_name(sim_world *w, const char *name)
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
void
fake_mig_forget(fake_mig *m)
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
void
fake_mig_progress(const fake_mig *m, int64_t now, mig_anchor *out)
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
void
fake_mig_fold(fake_mig *m)
{
    mig_anchor a;

    fake_mig_progress(m, sim_now(m->w), &a);
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
        fake_mig_forget(m);
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
void
fake_mig_fail(fake_mig *m, bool src_lost, bool dst_lost, int code,
              const char *fmt, ...)
{
    fake_dom *sd = mig_src_dom(m), *dd = mig_dst_dom(m);
    bool postcopy = m->phase == MIG_POSTCOPY;
    GPtrArray *src_quiet, *dst_quiet;
    char *msg;
    va_list ap;

    if (m->phase == MIG_DONE)
        return;
    fake_mig_fold(m);
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
        fake_mig_fail(m, !sd, !dd, HV_ERR_INTERNAL_ERROR,
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
void
fake_mig_to_postcopy(fake_mig *m)
{
    fake_dom *dd = mig_dst_dom(m);

    fake_mig_fold(m);
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
        fake_mig_to_postcopy(m);
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
    fake_mig *m = fake_mig_by_id(w, id);

    (void)a;
    if (!m || m->phase == MIG_DONE)
        return;
    m->timer = 0;
    fake_mig_fold(m);
    if (m->fail_pct >= 0 &&
        mig_data_processed(&m->at) >= mig_fail_target(m)) {
        unsigned int pct = (unsigned)m->fail_pct;

        m->fail_pct = -1;
        fake_mig_fail(m, false, false, HV_ERR_OPERATION_FAILED,
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
    fake_mig_plan(m);
}

/* Schedule the one timer: the end of the phase or the armed failure. */
void
fake_mig_plan(fake_mig *m)
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
    fake_mig *m = fake_mig_by_id(w, id);

    if (m && m->phase != MIG_DONE)
        fake_mig_fold(m);
}

void
fake_mig_domain_lost(sim_world *w, uint64_t id, bool source)
{
    fake_mig *m = fake_mig_by_id(w, id);

    if (!m || m->phase == MIG_DONE)
        return;
    /* the QEMU that went is already stopped and no longer ours */
    if (source)
        fake_mig_fail(m, true, false, HV_ERR_OPERATION_FAILED,
                      "operation failed: job 'migration out' failed: domain is "
                 "not running");
    else
        fake_mig_fail(m, false, true, HV_ERR_OPERATION_FAILED,
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
        fake_mig_fail(m, src_lost, !src_lost, HV_ERR_OPERATION_FAILED,
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
        fake_mig_fail(g_ptr_array_index(hit, i), false, false,
                 HV_ERR_OPERATION_FAILED,
                 "operation failed: Lost connection to destination host");
    g_ptr_array_free(hit, TRUE);
}
