/*
 * test-fake-migrate.c: live migration between two hosts of one fake world
 * (fakes/fake-migrate.c): exact virtual times, job info at given seconds,
 * convergence or not, tuning, post-copy, abort, each fault, the events on
 * both hosts, and where the domain is at the end.
 *
 * The guest has 512 MiB; the migration runs at 128 MiB/s unless a test
 * says otherwise, so a memory pass over all of it takes 4 s, and QEMU's
 * default 300 ms downtime lets it converge once less than 38.4 MiB is
 * dirty at the end of a pass. Every test starts it at t = 10 s; memory
 * starts moving after the 1 s setup, at t = 11 s.
 */
#include <errno.h>
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fake.h"
#include "hv.h"

#define POOL "images"
#define MIB (UINT64_C(1) << 20)
#define S(x) ((int64_t)((x) * HV_NS_PER_SEC))

typedef struct side {
    fake_host *h;
    hv_conn *conn;
    GString *events;
} side;

typedef struct world {
    sim_world *w;
    side a, b; /* a = h1, the source; b = h2, the destination */
    hv_domain *dom;
    hv_migration *mig;
} world;

static void
record(hv_conn *conn, const hv_event *ev, void *opaque)
{
    side *s = opaque;

    (void)conn;
    g_string_append_printf(s->events, "%s/%s@%lld ",
                           hv_event_type_name(ev->type),
                           hv_event_detail_name(ev->type, ev->detail),
                           (long long)(ev->time_ns / HV_NS_PER_MS));
}

static void
side_open(world *wd, side *s, const char *name)
{
    fake_host_spec spec = {.name = name, .vcpus = 4, .memory_mib = 4096,
                           .storage_pool = POOL, .disk_gib = 10};
    hv_error err;

    s->h = fake_host_add(wd->w, &spec, &err);
    assert_non_null(s->h);
    s->conn = fake_conn_open(wd->w, name, &err);
    assert_non_null(s->conn);
    s->events = g_string_new("");
    assert_int_equal(hv_conn_events_register(s->conn, record, s, &err), 0);
}

static const char *
vm_xml(bool disk)
{
    return disk ? "<domain type='qemu'><name>vm</name>"
                  "<memory unit='MiB'>512</memory><vcpu>1</vcpu>"
                  "<os><type>hvm</type></os><devices>"
                  "<disk type='file' device='disk'>"
                  "<source file='/var/lib/hvd/images/vm-disk'/>"
                  "<target dev='vda' bus='virtio'/></disk>"
                  "</devices></domain>"
                : "<domain type='qemu'><name>vm</name>"
                  "<memory unit='MiB'>512</memory><vcpu>1</vcpu>"
                  "<os><type>hvm</type></os><devices/></domain>";
}

/*
 * Two hosts, the guest 'vm' dirtying 'dirty_mib' MiB/s, started persistent
 * on h1 at t = 0, with the clock at 10 s and the event logs empty.
 */
/* The guest's disk: none, a raw volume holding 256 MiB, or a qcow2 top
 * holding 64 MiB over a raw base holding 512 MiB. */
enum { NO_DISK, RAW_DISK, QCOW2_DISK };

static world *
world_new(uint64_t dirty_mib, int disk)
{
    world *wd = g_new0(world, 1);
    fake_guest g;
    hv_error err;

    wd->w = fake_world_new(7);
    side_open(wd, &wd->a, "h1");
    side_open(wd, &wd->b, "h2");
    fake_guest_defaults(&g);
    g.dirty_rate_mib = dirty_mib;
    fake_guest_set(wd->w, "vm", &g);
    if (disk == RAW_DISK) {
        hv_vol_spec spec = {.name = "vm-disk", .capacity = 1024 * MIB,
                            .allocation = 256 * MIB, .format = "raw"};
        assert_int_equal(hv_vol_create(wd->a.conn, POOL, &spec, &err), 0);
    } else if (disk == QCOW2_DISK) {
        hv_vol_spec base = {.name = "base", .capacity = 1024 * MIB,
                            .allocation = 512 * MIB, .format = "raw"};
        hv_vol_spec top = {.name = "vm-disk", .capacity = 1024 * MIB,
                           .allocation = 64 * MIB, .format = "qcow2",
                           .backing_path = "/var/lib/hvd/images/base",
                           .backing_format = "raw"};
        assert_int_equal(hv_vol_create(wd->a.conn, POOL, &base, &err), 0);
        assert_int_equal(hv_vol_create(wd->a.conn, POOL, &top, &err), 0);
    }
    wd->dom = hv_domain_define(wd->a.conn, vm_xml(disk != NO_DISK), &err);
    assert_non_null(wd->dom);
    assert_int_equal(hv_domain_create(wd->dom, 0, &err), 0);
    assert_int_equal(hv_sleep(wd->a.conn, S(10), &err), 0);
    assert_int_equal(hv_dispatch_events(wd->b.conn, &err), 0);
    g_string_truncate(wd->a.events, 0);
    g_string_truncate(wd->b.events, 0);
    return wd;
}

static void
world_free(world *wd)
{
    hv_migration_free(wd->mig);
    hv_domain_free(wd->dom);
    hv_conn_close(wd->a.conn);
    hv_conn_close(wd->b.conn);
    fake_world_free(wd->w);
    g_string_free(wd->a.events, TRUE);
    g_string_free(wd->b.events, TRUE);
    g_free(wd);
}

/* Start migrating 'vm' to h2 at 'mib' MiB/s (0: unlimited). */
static void
migrate(world *wd, unsigned int flags, uint64_t mib)
{
    hv_migrate_params p = {.dest_uri = "fake://h2", .bandwidth_mib = mib};
    hv_error err;

    wd->mig = hv_domain_migrate_start(wd->dom, &p, flags, &err);
    if (!wd->mig)
        fail_msg("migrate: %s", err.message);
}

/* Let the clock reach 'at' (virtual ns), delivering both hosts' events. */
static void
run_to(world *wd, int64_t at)
{
    hv_error err;

    assert_true(at >= hv_now(wd->a.conn));
    assert_int_equal(hv_sleep(wd->a.conn, at - hv_now(wd->a.conn), &err), 0);
    assert_int_equal(hv_dispatch_events(wd->b.conn, &err), 0);
}

static hv_job_info
job(world *wd)
{
    hv_job_info ji;
    hv_error err;

    if (hv_domain_get_job_info(wd->dom, &ji, &err) < 0)
        fail_msg("job info: %s", err.message);
    return ji;
}

/* 1 done (rc in *rc, code in *code), 0 running. */
static int
poll_mig(world *wd, int *code)
{
    hv_error err;
    int rc;

    hv_error_reset(&err);
    rc = hv_migration_poll(wd->mig, &err);
    *code = err.code;
    return rc;
}

/*
 * The invariant: domain 'vm' runs (or is paused) on exactly one host,
 * 'where' (NULL: on none), in 'state'; the other host holds at most an
 * inactive definition, and only if 'other_defined'.
 */
static void
assert_on_one_host(world *wd, side *where, int state, bool other_defined)
{
    side *sides[2] = {&wd->a, &wd->b};

    for (int i = 0; i < 2; i++) {
        side *s = sides[i];
        hv_domain_info info;
        hv_error err;
        hv_domain *d = hv_domain_lookup_by_name(s->conn, "vm", &err);

        if (s == where) {
            assert_non_null(d);
            assert_int_equal(hv_domain_get_info(d, &info, &err), 0);
            assert_int_equal(info.state, state);
            assert_true(info.id > 0);
        } else if (d) {
            assert_true(other_defined);
            assert_int_equal(hv_domain_get_info(d, &info, &err), 0);
            assert_int_equal(info.state, HV_STATE_SHUTOFF);
            assert_int_equal(info.id, -1);
        } else {
            assert_int_equal(err.code, HV_ERR_NO_DOMAIN);
        }
        hv_domain_free(d);
    }
}

static int
state_on(side *s, int *reason)
{
    hv_domain_info info;
    hv_error err;
    hv_domain *d = hv_domain_lookup_by_name(s->conn, "vm", &err);

    assert_non_null(d);
    assert_int_equal(hv_domain_get_info(d, &info, &err), 0);
    hv_domain_free(d);
    if (reason)
        *reason = info.reason;
    return info.state;
}

/*
 * A converging migration, second by second: 512 MiB at 128 MiB/s with
 * 64 MiB/s dirtied: passes of 4, 2, 1 and 0.5 s (11-15-17-18-18.5 s),
 * 32 MiB dirty then (< 38.4 MiB): the source pauses at 18.5 s and the last
 * 32 MiB take 0.25 s. Persisted on h2, undefined on h1.
 */
static void
test_complete(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_job_info ji;
    hv_error err;
    int code, reason;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                    HV_MIGRATE_PERSIST_DEST | HV_MIGRATE_UNDEFINE_SOURCE,
            128);
    /* setup: a job, no data yet (the driver's low-water mark sees 0) */
    run_to(wd, S(10.5));
    ji = job(wd);
    assert_int_equal(ji.type, HV_JOB_UNBOUNDED);
    assert_int_equal(ji.time_elapsed_ms, 500);
    assert_int_equal(ji.data_total, 0);
    assert_int_equal(ji.data_remaining, 0);
    assert_int_equal(ji.mem_iteration, 0);
    assert_int_equal(state_on(&wd->b, &reason), HV_STATE_PAUSED);
    assert_int_equal(reason, HV_PAUSED_MIGRATION);
    /* two seconds into pass 1 */
    run_to(wd, S(13));
    ji = job(wd);
    assert_int_equal(ji.time_elapsed_ms, 3000);
    assert_int_equal(ji.mem_total, 512 * MIB);
    assert_int_equal(ji.data_total, 512 * MIB);
    assert_int_equal(ji.mem_processed, 256 * MIB);
    assert_int_equal(ji.mem_remaining, 256 * MIB);
    assert_int_equal(ji.data_remaining, 256 * MIB);
    assert_int_equal(ji.mem_iteration, 1);
    /* one second into pass 2: the 256 MiB dirtied during pass 1 */
    run_to(wd, S(16));
    ji = job(wd);
    assert_int_equal(ji.mem_iteration, 2);
    assert_int_equal(ji.mem_processed, 640 * MIB);
    assert_int_equal(ji.mem_remaining, 128 * MIB);
    /* job info reads the same however often it is asked */
    ji = job(wd);
    assert_int_equal(ji.mem_processed, 640 * MIB);
    /* the last pass: still running just before 18.5 s */
    run_to(wd, S(18.5) - 1);
    assert_int_equal(state_on(&wd->a, NULL), HV_STATE_RUNNING);
    assert_int_equal(job(wd).mem_iteration, 4);
    run_to(wd, S(18.5));
    assert_int_equal(state_on(&wd->a, &reason), HV_STATE_PAUSED);
    assert_int_equal(reason, HV_PAUSED_MIGRATION);
    /* stop and copy: 12.8 MiB of the last 32 MiB after 0.1 s */
    run_to(wd, S(18.6));
    ji = job(wd);
    assert_int_equal(ji.mem_iteration, 5);
    assert_int_equal(ji.mem_processed, 960 * MIB + 13421772);
    assert_int_equal(ji.mem_remaining, 32 * MIB - 13421772);
    assert_int_equal(poll_mig(wd, &code), 0);
    run_to(wd, S(18.75) - 1);
    assert_int_equal(poll_mig(wd, &code), 0);
    run_to(wd, S(18.75));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_string_equal(wd->a.events->str,
                        "SUSPENDED/MIGRATED@18500 STOPPED/MIGRATED@18750 ");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 DEFINED/ADDED@18750 "
                        "RESUMED/MIGRATED@18750 ");
    assert_int_equal(state_on(&wd->b, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_MIGRATED);
    /* undefined on the source, so the old handle finds nothing */
    assert_int_equal(hv_domain_get_job_info(wd->dom, &ji, &err), -1);
    assert_int_equal(err.code, HV_ERR_NO_DOMAIN);
    assert_int_equal(fake_host_domain_count(wd->a.h), 0);
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, NO_DISK);
    {
        hv_domain *d = hv_domain_lookup_by_name(wd->b.conn, "vm", &err);

        assert_int_equal(hv_domain_is_persistent(d, &err), 1);
        hv_domain_free(d);
    }
    world_free(wd);
}

/*
 * Without PERSIST_DEST / UNDEFINE_SOURCE and without LIVE: the guest is
 * paused when memory starts to move, one pass, nothing dirtied; h1 keeps
 * the shut off definition (SHUTOFF/MIGRATED), h2 runs it transient.
 */
static void
test_offline_flags(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_domain_info info;
    hv_job_info ji;
    hv_error err;
    int code, reason;
    hv_domain *d;

    (void)state;
    migrate(wd, HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(15));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_string_equal(wd->a.events->str,
                        "SUSPENDED/MIGRATED@11000 STOPPED/MIGRATED@15000 ");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 RESUMED/MIGRATED@15000 ");
    assert_int_equal(hv_domain_get_info(wd->dom, &info, &err), 0);
    assert_int_equal(info.state, HV_STATE_SHUTOFF);
    assert_int_equal(info.reason, HV_SHUTOFF_MIGRATED);
    /* measured: job info of a shut off domain is refused */
    assert_int_equal(hv_domain_get_job_info(wd->dom, &ji, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    d = hv_domain_lookup_by_name(wd->b.conn, "vm", &err);
    assert_int_equal(hv_domain_is_persistent(d, &err), 0);
    assert_int_equal(state_on(&wd->b, &reason), HV_STATE_RUNNING);
    hv_domain_free(d);
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, true);
    world_free(wd);
}

/*
 * A guest dirtying 256 MiB/s against 128 MiB/s never converges: every
 * pass resends all 512 MiB. The operator aborts it at 70 s: OPERATION_ABORTED,
 * the source keeps running without an event, h2 loses its QEMU.
 */
static void
test_no_convergence_abort(void **state)
{
    world *wd = world_new(256, NO_DISK);
    fake_migration_state st;
    hv_job_info ji;
    hv_error err;
    int code;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(70));
    assert_int_equal(poll_mig(wd, &code), 0);
    ji = job(wd);
    /* 59 s of memory: 14 passes done, the 15th three quarters through */
    assert_int_equal(ji.time_elapsed_ms, 60000);
    assert_int_equal(ji.mem_iteration, 15);
    assert_int_equal(ji.mem_processed, 59 * 128 * MIB);
    assert_int_equal(ji.mem_remaining, 128 * MIB);
    assert_int_equal(fake_migration_get(wd->w, "vm", &st), 1);
    assert_string_equal(st.phase, "precopy");
    assert_string_equal(st.source, "h1");
    assert_string_equal(st.destination, "h2");
    assert_int_equal(st.bandwidth_mib, 128);
    assert_int_equal(st.max_downtime_ms, FAKE_DEFAULT_MAX_DOWNTIME_MS);
    assert_int_equal(hv_domain_abort_job(wd->dom, &err), 0);
    assert_int_equal(poll_mig(wd, &code), -1);
    assert_int_equal(code, HV_ERR_OPERATION_ABORTED);
    run_to(wd, S(71));
    assert_string_equal(wd->a.events->str, "");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 STOPPED/FAILED@70000 ");
    /* no job any more; a second abort has nothing to abort */
    assert_int_equal(job(wd).type, HV_JOB_NONE);
    assert_int_equal(hv_domain_abort_job(wd->dom, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    assert_int_equal(fake_migration_get(wd->w, "vm", &st), 0);
    assert_on_one_host(wd, &wd->a, HV_STATE_RUNNING, NO_DISK);
    world_free(wd);
}

/*
 * The same guest converges once the downtime allows 512 MiB: raised to
 * 5 s at 20 s, it takes effect at the end of the pass under way (23 s);
 * the stop-and-copy of 512 MiB takes 4 s. A bandwidth change re-times the
 * pass it falls in.
 */
static void
test_downtime_raised(void **state)
{
    world *wd = world_new(256, NO_DISK);
    hv_error err;
    int code;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(20));
    assert_int_equal(hv_domain_migrate_set_max_downtime(wd->dom, 5000, &err),
                     0);
    run_to(wd, S(23) - 1);
    assert_int_equal(state_on(&wd->a, NULL), HV_STATE_RUNNING);
    run_to(wd, S(23));
    assert_int_equal(state_on(&wd->a, NULL), HV_STATE_PAUSED);
    /* halve the bandwidth 2 s into the final copy: 256 MiB left take 4 s */
    run_to(wd, S(25));
    assert_int_equal(hv_domain_migrate_set_max_speed(wd->dom, 64, &err), 0);
    run_to(wd, S(29) - 1);
    assert_int_equal(poll_mig(wd, &code), 0);
    run_to(wd, S(29));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_string_equal(wd->a.events->str,
                        "SUSPENDED/MIGRATED@23000 STOPPED/MIGRATED@29000 ");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 RESUMED/MIGRATED@29000 ");
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, true);
    world_free(wd);
}

/*
 * Post-copy at 16 s (iteration 2): the source pauses, the destination runs
 * and pulls what it lacks (the rest of pass 2 and what was dirtied, at
 * most all memory: 512 MiB, 4 s). No abort in post-copy.
 */
static void
test_postcopy(void **state)
{
    world *wd = world_new(256, NO_DISK);
    hv_job_info ji;
    hv_error err;
    int code, reason;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER | HV_MIGRATE_POSTCOPY,
            128);
    run_to(wd, S(16));
    assert_int_equal(job(wd).mem_iteration, 2);
    assert_int_equal(hv_domain_migrate_start_post_copy(wd->dom, &err), 0);
    assert_int_equal(state_on(&wd->a, &reason), HV_STATE_PAUSED);
    assert_int_equal(reason, HV_PAUSED_POSTCOPY);
    assert_int_equal(state_on(&wd->b, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_POSTCOPY);
    assert_int_equal(hv_domain_migrate_start_post_copy(wd->dom, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    assert_int_equal(hv_domain_abort_job(wd->dom, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    run_to(wd, S(18));
    ji = job(wd);
    assert_int_equal(ji.type, HV_JOB_UNBOUNDED);
    assert_int_equal(ji.mem_remaining, 256 * MIB);
    assert_int_equal(ji.mem_iteration, 3);
    run_to(wd, S(20) - 1);
    assert_int_equal(poll_mig(wd, &code), 0);
    run_to(wd, S(20));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_string_equal(wd->a.events->str,
                        "SUSPENDED/POSTCOPY@16000 STOPPED/MIGRATED@20000 ");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 RESUMED/POSTCOPY@16000 "
                        "RESUMED/MIGRATED@20000 ");
    assert_int_equal(state_on(&wd->b, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_MIGRATED);
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, true);
    world_free(wd);
}

/*
 * Post-copy asked during setup switches when memory starts (11 s); a lost
 * connection in post-copy leaves both halves PAUSED/POSTCOPY_FAILED, as
 * libvirt does: the guest is on neither host alone (recovery is needed).
 */
static void
test_postcopy_failed(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_error err;
    int code, reason;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER | HV_MIGRATE_POSTCOPY,
            128);
    run_to(wd, S(10.5));
    assert_int_equal(hv_domain_migrate_start_post_copy(wd->dom, &err), 0);
    run_to(wd, S(12));
    assert_int_equal(fake_migration_connection_lost(wd->w, "vm", &err), 0);
    assert_int_equal(poll_mig(wd, &code), -1);
    assert_int_equal(code, HV_ERR_OPERATION_FAILED);
    run_to(wd, S(13));
    assert_string_equal(wd->a.events->str,
                        "SUSPENDED/POSTCOPY@11000 "
                        "SUSPENDED/POSTCOPY_FAILED@12000 ");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 RESUMED/POSTCOPY@11000 "
                        "SUSPENDED/POSTCOPY_FAILED@12000 ");
    assert_int_equal(state_on(&wd->a, &reason), HV_STATE_PAUSED);
    assert_int_equal(reason, HV_PAUSED_POSTCOPY_FAILED);
    assert_int_equal(state_on(&wd->b, &reason), HV_STATE_PAUSED);
    assert_int_equal(reason, HV_PAUSED_POSTCOPY_FAILED);
    world_free(wd);
}

/* Failure at 50% of the data (256 MiB, at 13 s), armed before the start. */
static void
test_fail_at_progress(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_error err;
    int code;

    (void)state;
    assert_int_equal(fake_migration_fail_at(wd->w, "vm", 101, &err), -1);
    assert_int_equal(err.code, HV_ERR_INVALID_ARG);
    assert_int_equal(fake_migration_fail_at(wd->w, "vm", 50, &err), 0);
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(13) - 1);
    assert_int_equal(poll_mig(wd, &code), 0);
    run_to(wd, S(13));
    assert_int_equal(poll_mig(wd, &code), -1);
    assert_int_equal(code, HV_ERR_OPERATION_FAILED);
    assert_string_equal(wd->a.events->str, "");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 STOPPED/FAILED@13000 ");
    assert_on_one_host(wd, &wd->a, HV_STATE_RUNNING, NO_DISK);
    world_free(wd);
}

/* Armed on a running migration at 12 s (128 MiB sent): 75% is 384 MiB,
 * reached 2 s later. */
static void
test_fail_at_running(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_error err;
    int code;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(12));
    assert_int_equal(fake_migration_fail_at(wd->w, "vm", 75, &err), 0);
    run_to(wd, S(14) - 1);
    assert_int_equal(poll_mig(wd, &code), 0);
    run_to(wd, S(14));
    assert_int_equal(poll_mig(wd, &code), -1);
    assert_int_equal(code, HV_ERR_OPERATION_FAILED);
    assert_on_one_host(wd, &wd->a, HV_STATE_RUNNING, NO_DISK);
    world_free(wd);
}

/* The connection breaks during the stop-and-copy: the source, paused by
 * the migration, is resumed (RESUMED/MIGRATED, MIGRATION_CANCELED). */
static void
test_connection_lost_stopcopy(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_error err;
    int code, reason;

    (void)state;
    assert_int_equal(fake_migration_connection_lost(wd->w, "vm", &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(18.6));
    assert_int_equal(fake_migration_connection_lost(wd->w, "vm", &err), 0);
    assert_int_equal(poll_mig(wd, &code), -1);
    assert_int_equal(code, HV_ERR_OPERATION_FAILED);
    run_to(wd, S(19));
    assert_string_equal(wd->a.events->str,
                        "SUSPENDED/MIGRATED@18500 RESUMED/MIGRATED@18600 ");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 STOPPED/FAILED@18600 ");
    assert_int_equal(state_on(&wd->a, &reason), HV_STATE_RUNNING);
    assert_int_equal(reason, HV_RUNNING_MIGRATION_CANCELED);
    assert_on_one_host(wd, &wd->a, HV_STATE_RUNNING, NO_DISK);
    world_free(wd);
}

/* The destination host crashes: its incoming QEMU vanishes silently. */
static void
test_destination_crash(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_error err;
    int code;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(13));
    fake_host_crash_reboot(wd->b.h);
    assert_int_equal(poll_mig(wd, &code), -1);
    assert_int_equal(code, HV_ERR_OPERATION_FAILED);
    assert_int_equal(hv_conn_reconnect(wd->b.conn, &err), 0);
    run_to(wd, S(14));
    assert_string_equal(wd->a.events->str, "");
    assert_string_equal(wd->b.events->str, "STARTED/MIGRATED@10000 ");
    assert_int_equal(fake_host_domain_count(wd->b.h), 0);
    assert_on_one_host(wd, &wd->a, HV_STATE_RUNNING, NO_DISK);
    world_free(wd);
}

/* The destination's guest crashes (its QEMU dies): STOPPED/FAILED there. */
static void
test_destination_guest_crash(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_error err;
    int code;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(13));
    assert_int_equal(fake_domain_crash(wd->b.h, "vm", &err), 0);
    assert_int_equal(poll_mig(wd, &code), -1);
    assert_int_equal(code, HV_ERR_OPERATION_FAILED);
    run_to(wd, S(14));
    assert_string_equal(wd->a.events->str, "");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 STOPPED/FAILED@13000 ");
    assert_on_one_host(wd, &wd->a, HV_STATE_RUNNING, NO_DISK);
    world_free(wd);
}

/*
 * The source host crashes: the driver's connection dies with it (poll
 * fails as a lost connection), h2 drops its QEMU, and the persistent
 * definition stays shut off on h1: running nowhere.
 */
static void
test_source_crash(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_error err;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(13));
    fake_host_crash_reboot(wd->a.h);
    hv_error_reset(&err);
    assert_int_equal(hv_migration_poll(wd->mig, &err), -1);
    assert_true(err.conn_lost);
    assert_int_equal(hv_conn_reconnect(wd->a.conn, &err), 0);
    run_to(wd, S(14));
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 STOPPED/FAILED@13000 ");
    assert_int_equal(fake_host_domain_count(wd->b.h), 0);
    assert_on_one_host(wd, NULL, 0, true);
    assert_int_equal(fake_migration_get(wd->w, "vm", &(fake_migration_state){0}),
                     0);
    world_free(wd);
}

/* The source's guest crashes: both QEMUs are gone. */
static void
test_source_guest_crash(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_error err;
    int code;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(13));
    assert_int_equal(fake_domain_crash(wd->a.h, "vm", &err), 0);
    assert_int_equal(poll_mig(wd, &code), -1);
    assert_int_equal(code, HV_ERR_OPERATION_FAILED);
    run_to(wd, S(14));
    assert_string_equal(wd->a.events->str, "STOPPED/FAILED@13000 ");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 STOPPED/FAILED@13000 ");
    assert_on_one_host(wd, NULL, 0, true);
    world_free(wd);
}

/* The destination's daemon stops: the migration fails, the incoming QEMU
 * goes without a word (nobody hears a stopped daemon). */
static void
test_destination_daemon_stop(void **state)
{
    world *wd = world_new(64, NO_DISK);
    int code;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(13));
    fake_host_daemon_stop(wd->b.h);
    assert_int_equal(poll_mig(wd, &code), -1);
    assert_int_equal(code, HV_ERR_OPERATION_FAILED);
    assert_int_equal(fake_host_domain_count(wd->b.h), 0);
    assert_string_equal(wd->b.events->str, "STARTED/MIGRATED@10000 ");
    run_to(wd, S(14));
    assert_string_equal(wd->a.events->str, "");
    world_free(wd);
}

/*
 * Auto-converge: 256 MiB/s against 128 MiB/s. After the second pass that
 * dirtied more than half of what it sent (19 s) the guest is throttled
 * 20%, after the fourth (27 s) 30%, ... until it converges.
 */
static void
test_auto_converge(void **state)
{
    world *wd = world_new(256, NO_DISK);
    fake_migration_state st;
    int code;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                    HV_MIGRATE_AUTO_CONVERGE,
            128);
    run_to(wd, S(19) - 1);
    assert_int_equal(fake_migration_get(wd->w, "vm", &st), 1);
    assert_int_equal(st.throttle_pct, 0);
    run_to(wd, S(19));
    fake_migration_get(wd->w, "vm", &st);
    assert_int_equal(st.throttle_pct, 20);
    run_to(wd, S(27));
    fake_migration_get(wd->w, "vm", &st);
    assert_int_equal(st.throttle_pct, 30);
    run_to(wd, S(600));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, true);
    world_free(wd);
}

/* Without auto-converge the same guest is still at it after 600 s. */
static void
test_no_auto_converge(void **state)
{
    world *wd = world_new(256, NO_DISK);
    int code;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(600));
    assert_int_equal(poll_mig(wd, &code), 0);
    assert_int_equal(job(wd).type, HV_JOB_UNBOUNDED);
    world_free(wd);
}

/*
 * Block migration: the 256 MiB the disk volume holds go first (2 s, the
 * volume created on h2 at once), then memory. Without the flag, a disk h2
 * does not have makes the start fail as the destination's QEMU would.
 */
static void
test_block_migration(void **state)
{
    world *wd = world_new(0, RAW_DISK);
    hv_migrate_params p = {.dest_uri = "h2", .bandwidth_mib = 128};
    hv_job_info ji;
    hv_error err;
    int code;

    (void)state;
    assert_null(hv_domain_migrate_start(wd->dom, &p,
                                        HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER,
                                        &err));
    assert_int_equal(err.code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_int_equal(fake_host_domain_count(wd->b.h), 0);
    assert_int_equal(fake_host_volume_count(wd->b.h), 0);

    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                    HV_MIGRATE_NON_SHARED_DISK,
            128);
    assert_int_equal(fake_host_volume_count(wd->b.h), 1);
    run_to(wd, S(12));
    ji = job(wd);
    assert_int_equal(ji.data_total, 256 * MIB);
    assert_int_equal(ji.data_processed, 128 * MIB);
    assert_int_equal(ji.data_remaining, 128 * MIB);
    assert_int_equal(ji.mem_total, 0);
    run_to(wd, S(14));
    ji = job(wd);
    assert_int_equal(ji.data_total, 768 * MIB);
    assert_int_equal(ji.data_processed, 256 * MIB + 128 * MIB);
    assert_int_equal(ji.mem_remaining, 384 * MIB);
    /* an idle guest: one pass, nothing dirty, done at 13 + 4 s */
    run_to(wd, S(17));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, true);
    world_free(wd);
}

/*
 * Incremental block migration (the reference's): only the qcow2 top moves
 * (64 MiB, 0.5 s), over a base the destination must already have; a full
 * one moves the chain (576 MiB).
 */
static void
test_block_incremental(void **state)
{
    world *wd = world_new(0, QCOW2_DISK);
    hv_migrate_params p = {.dest_uri = "h2", .bandwidth_mib = 128};
    unsigned int inc = HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                       HV_MIGRATE_NON_SHARED_INC;
    hv_vol_spec base = {.name = "base", .capacity = 1024 * MIB,
                        .allocation = 512 * MIB, .format = "raw"};
    hv_vol_info vi;
    hv_error err;
    int code;

    (void)state;
    assert_null(hv_domain_migrate_start(wd->dom, &p, inc, &err));
    assert_int_equal(err.code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(err.sys_errno, ENOENT);
    assert_int_equal(fake_host_volume_count(wd->b.h), 0);
    assert_int_equal(fake_host_domain_count(wd->b.h), 0);
    assert_null(hv_domain_migrate_start(wd->dom, &p, inc | (1u << 20), &err));
    assert_int_equal(err.code, HV_ERR_INVALID_ARG);

    assert_int_equal(hv_vol_create(wd->b.conn, POOL, &base, &err), 0);
    migrate(wd, inc, 128);
    assert_int_equal(hv_vol_get_info(wd->b.conn, POOL, "vm-disk", &vi, &err),
                     0);
    assert_string_equal(vi.backing_path, "/var/lib/hvd/images/base");
    run_to(wd, S(11.25));
    assert_int_equal(job(wd).data_total, 64 * MIB);
    assert_int_equal(job(wd).data_processed, 32 * MIB);
    /* disk to 11.5 s, memory 4 s */
    run_to(wd, S(15.5) - 1);
    assert_int_equal(poll_mig(wd, &code), 0);
    run_to(wd, S(15.5));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, true);
    world_free(wd);

    /* a full copy moves the base too */
    wd = world_new(0, QCOW2_DISK);
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                    HV_MIGRATE_NON_SHARED_DISK,
            128);
    run_to(wd, S(11.5));
    assert_int_equal(job(wd).data_total, 576 * MIB);
    assert_int_equal(hv_vol_get_info(wd->b.conn, POOL, "vm-disk", &vi, &err),
                     0);
    assert_string_equal(vi.backing_path, "");
    world_free(wd);
}

/* Pausing the guest mid-way (the driver's force-complete without post-copy)
 * stops the dirtying: the next pass converges; h2 runs it at the end. The
 * pause's reason and event are the migration's (PAUSED/MIGRATION,
 * SUSPENDED/MIGRATED), and h2 resumes it: as measured on two real hosts
 * (test-migrate-real's test_paused_midway). */
static void
test_pause_converges(void **state)
{
    world *wd = world_new(256, NO_DISK);
    hv_error err;
    int code, reason;

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(13));
    assert_int_equal(hv_domain_suspend(wd->dom, &err), 0);
    assert_int_equal(state_on(&wd->a, &reason), HV_STATE_PAUSED);
    assert_int_equal(reason, HV_PAUSED_MIGRATION);
    /* pass 1 ends at 15 s with 2 s of dirtying (512 MiB capped): pass 2
     * to 19 s dirties nothing; stop-and-copy of nothing */
    run_to(wd, S(19));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_string_equal(wd->a.events->str,
                        "SUSPENDED/MIGRATED@13000 STOPPED/MIGRATED@19000 ");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 RESUMED/MIGRATED@19000 ");
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, true);
    world_free(wd);
}

/* A guest paused before the migration arrives paused. */
static void
test_paused_before(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_error err;
    int code;

    (void)state;
    assert_int_equal(hv_domain_suspend(wd->dom, &err), 0);
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(15));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_string_equal(wd->a.events->str,
                        "SUSPENDED/PAUSED@10000 STOPPED/MIGRATED@15000 ");
    assert_string_equal(wd->b.events->str,
                        "STARTED/MIGRATED@10000 SUSPENDED/PAUSED@15000 ");
    assert_on_one_host(wd, &wd->b, HV_STATE_PAUSED, true);
    world_free(wd);
}

/* Unlimited bandwidth is the world's link: 512 MiB at 256 MiB/s, 2 s. */
static void
test_link_speed(void **state)
{
    world *wd = world_new(0, NO_DISK);
    fake_migration_state st;
    int code;

    (void)state;
    fake_world_set_link_speed(wd->w, 256);
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 0);
    fake_migration_get(wd->w, "vm", &st);
    assert_int_equal(st.bandwidth_mib, 256);
    run_to(wd, S(13) - 1);
    assert_int_equal(poll_mig(wd, &code), 0);
    run_to(wd, S(13));
    assert_int_equal(poll_mig(wd, &code), 1);
    world_free(wd);
}

/* Errors as libvirt gives them, and nothing left behind by any. */
static void
test_errors(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_migrate_params p = {.dest_uri = "fake://nowhere"};
    unsigned int live = HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER;
    hv_job_info ji;
    hv_error err;
    hv_domain *dd, *off;

    (void)state;
    assert_null(hv_domain_migrate_start(wd->dom, &p, live, &err));
    assert_int_equal(err.code, HV_ERR_OPERATION_FAILED);
    assert_null(hv_domain_migrate_start(wd->dom, &p, HV_MIGRATE_LIVE, &err));
    assert_int_equal(err.code, HV_ERR_NO_CONNECT);
    p.dest_uri = "qemu+tcp://h1/system";
    assert_null(hv_domain_migrate_start(wd->dom, &p, live, &err));
    assert_int_equal(err.code, HV_ERR_INTERNAL_ERROR);
    p.dest_uri = "";
    assert_null(hv_domain_migrate_start(wd->dom, &p, live, &err));
    assert_int_equal(err.code, HV_ERR_INVALID_ARG);
    p.dest_uri = "h2";
    assert_null(hv_domain_migrate_start(
        wd->dom, &p, HV_MIGRATE_LIVE | HV_MIGRATE_TUNNELLED, &err));
    assert_int_equal(err.code, HV_ERR_INVALID_ARG);
    assert_null(hv_domain_migrate_start(
        wd->dom, &p, live | HV_MIGRATE_TUNNELLED | HV_MIGRATE_POSTCOPY, &err));
    assert_int_equal(err.code, HV_ERR_ARGUMENT_UNSUPPORTED);
    fake_host_daemon_stop(wd->b.h);
    assert_null(hv_domain_migrate_start(wd->dom, &p, live, &err));
    assert_int_equal(err.code, HV_ERR_OPERATION_FAILED);
    fake_host_daemon_start(wd->b.h);
    assert_int_equal(hv_conn_reconnect(wd->b.conn, &err), 0);
    assert_int_equal(hv_conn_events_register(wd->b.conn, record, &wd->b, &err),
                     0);
    /* no job: post-copy refused; tuning kept for the next migration */
    assert_int_equal(hv_domain_migrate_start_post_copy(wd->dom, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    assert_int_equal(hv_domain_migrate_set_max_downtime(wd->dom, 1000, &err),
                     0);
    assert_int_equal(hv_domain_migrate_set_max_speed(wd->dom, 32, &err), 0);
    assert_int_equal(fake_host_domain_count(wd->b.h), 0);

    migrate(wd, live, 0);
    {
        fake_migration_state st;

        fake_migration_get(wd->w, "vm", &st);
        assert_int_equal(st.bandwidth_mib, 32);
        assert_int_equal(st.max_downtime_ms, 1000);
    }
    /* one migration at a time; post-copy needs its flag */
    assert_null(hv_domain_migrate_start(wd->dom, &p, live, &err));
    assert_int_equal(err.code, HV_ERR_OPERATION_TIMEOUT);
    assert_int_equal(hv_domain_migrate_start_post_copy(wd->dom, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    /* the destination's side has no statistics and cannot abort */
    dd = hv_domain_lookup_by_name(wd->b.conn, "vm", &err);
    assert_non_null(dd);
    assert_int_equal(hv_domain_get_job_info(dd, &ji, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_UNSUPPORTED);
    assert_int_equal(hv_domain_abort_job(dd, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    /* destroying it there (a rollback at the destination) fails the
     * migration */
    assert_int_equal(hv_domain_destroy(dd, 0, &err), 0);
    assert_int_equal(hv_migration_poll(wd->mig, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_FAILED);
    hv_domain_free(dd);

    /* a shut off domain: nothing to migrate, no downtime to set */
    off = hv_domain_define(wd->a.conn,
                           "<domain type='qemu'><name>off</name>"
                           "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                           "<os><type>hvm</type></os><devices/></domain>",
                           &err);
    assert_non_null(off);
    assert_null(hv_domain_migrate_start(off, &p, live, &err));
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    assert_int_equal(hv_domain_migrate_set_max_downtime(off, 500, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    assert_int_equal(hv_domain_migrate_set_max_speed(off, 100, &err), 0);
    assert_int_equal(hv_domain_get_job_info(off, &ji, &err), -1);
    assert_int_equal(err.code, HV_ERR_OPERATION_INVALID);
    hv_domain_free(off);
    assert_on_one_host(wd, &wd->a, HV_STATE_RUNNING, NO_DISK);
    world_free(wd);
}

/* Freeing the handle of a running migration leaves it running in the
 * world; it completes there and its record goes. */
static void
test_free_running(void **state)
{
    world *wd = world_new(64, NO_DISK);

    (void)state;
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    run_to(wd, S(12));
    hv_migration_free(wd->mig);
    wd->mig = NULL;
    run_to(wd, S(30));
    assert_int_equal(fake_migration_get(wd->w, "vm", &(fake_migration_state){0}),
                     0);
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, true);
    world_free(wd);
}

/*
 * Two migrations at once in opposite directions, each at its own
 * bandwidth: 'vm' h1 -> h2 as in test_complete (18.75 s), 'vm2' (idle)
 * h2 -> h1 in one pass (11-15 s).
 */
static void
test_two_at_once(void **state)
{
    world *wd = world_new(64, NO_DISK);
    hv_migrate_params p = {.dest_uri = "fake://h1", .bandwidth_mib = 128};
    hv_domain *vm2;
    hv_migration *m2;
    hv_error err;
    int code;

    (void)state;
    vm2 = hv_domain_create_xml(wd->b.conn,
                               "<domain type='qemu'><name>vm2</name>"
                               "<memory unit='MiB'>512</memory><vcpu>1</vcpu>"
                               "<os><type>hvm</type></os><devices/></domain>",
                               0, &err);
    assert_non_null(vm2);
    migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, 128);
    m2 = hv_domain_migrate_start(vm2, &p,
                                 HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER, &err);
    assert_non_null(m2);
    run_to(wd, S(15) - 1);
    assert_int_equal(hv_migration_poll(m2, &err), 0);
    run_to(wd, S(15));
    assert_int_equal(hv_migration_poll(m2, &err), 1);
    assert_int_equal(poll_mig(wd, &code), 0);
    run_to(wd, S(18.75));
    assert_int_equal(poll_mig(wd, &code), 1);
    assert_int_equal(fake_host_domain_count(wd->a.h), 2); /* vm (off), vm2 */
    assert_int_equal(fake_host_domain_count(wd->b.h), 1);
    assert_on_one_host(wd, &wd->b, HV_STATE_RUNNING, true);
    hv_migration_free(m2);
    hv_domain_free(vm2);
    world_free(wd);
}

/* The same calls from the same seed give the same events, twice. */
static void
test_determinism(void **state)
{
    char *first = NULL;

    (void)state;
    for (int round = 0; round < 2; round++) {
        world *wd = world_new(96, NO_DISK);
        char *both;

        migrate(wd, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                        HV_MIGRATE_AUTO_CONVERGE,
                100);
        run_to(wd, S(300));
        both = g_strconcat(wd->a.events->str, "|", wd->b.events->str, NULL);
        if (!first)
            first = both;
        else {
            assert_string_equal(first, both);
            g_free(both);
        }
        world_free(wd);
    }
    g_free(first);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_offline_flags),
        cmocka_unit_test(test_no_convergence_abort),
        cmocka_unit_test(test_downtime_raised),
        cmocka_unit_test(test_postcopy),
        cmocka_unit_test(test_postcopy_failed),
        cmocka_unit_test(test_fail_at_progress),
        cmocka_unit_test(test_fail_at_running),
        cmocka_unit_test(test_connection_lost_stopcopy),
        cmocka_unit_test(test_destination_crash),
        cmocka_unit_test(test_destination_guest_crash),
        cmocka_unit_test(test_source_crash),
        cmocka_unit_test(test_source_guest_crash),
        cmocka_unit_test(test_destination_daemon_stop),
        cmocka_unit_test(test_auto_converge),
        cmocka_unit_test(test_no_auto_converge),
        cmocka_unit_test(test_block_migration),
        cmocka_unit_test(test_block_incremental),
        cmocka_unit_test(test_pause_converges),
        cmocka_unit_test(test_paused_before),
        cmocka_unit_test(test_link_speed),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_free_running),
        cmocka_unit_test(test_two_at_once),
        cmocka_unit_test(test_determinism),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
