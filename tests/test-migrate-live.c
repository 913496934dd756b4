/*
 * test-migrate-live.c: live migration through the driver
 * (driver/drv-migrate-live.c) on a fake world with two hosts, h1 (the
 * source) and h2 (the destination), one driver each, at exact virtual
 * times: completion, the completion and progress timeouts, the downtime
 * steps, post-copy, force-complete (post-copy and pause), the operator's
 * abort, failures (at a progress, destination crash), JOB_NONE handling,
 * the host name check, the flags for block migration, tunnelling,
 * post-copy and auto-converge, the URIs, and the table of active
 * migrations.
 *
 * The operator's requests arrive mid-migration from an hv hook on the
 * source's connection (after a job-info call at a given virtual time), as
 * the lead's scheduler will deliver them from another task: the monitor's
 * poll reads job info, then runs the queued tasks.
 *
 * The instance has 2048 MiB of RAM (data to transfer: 2 GB, so the
 * downtime steps are int(75 x 2) = 150 s apart and the completion timeout
 * is int(800 x 2) = 1600 s); the link is the fake's default 1024 MiB/s, so
 * a memory pass over all of it takes 2 s after the 1 s set-up.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "drv-priv.h"
#include "fake.h"
#include "hv.h"

#define UUID "3c4e0000-0000-4000-8000-0000000001a1"
#define NAME "instance-live"
#define NS HV_NS_PER_SEC
#define S(x) ((int64_t)((x) * (double)NS))

/* One hv call the source made, as the hook saw it. */
typedef struct seen {
    hv_op op;
    int64_t arg;
    unsigned int flags;
    int64_t at; /* virtual ns since the migration started */
    int rc;
} seen;

/* An operator's request delivered from the hook. */
typedef enum {
    REQ_NONE,
    REQ_FORCE,
    REQ_ABORT,
    REQ_CRASH_DEST,
    REQ_UNKNOWN_TASK, /* queue a task the monitor does not know */
    REQ_NESTED,       /* migrate the second instance, then force-complete */
} req_kind;

typedef struct host {
    hv_conn *conn;
    drv *d;
    fake_host *fh;
} host;

typedef struct env {
    sim_world *w;
    drv_config cfg;
    host h[2];
    drv_instance inst;
    /* what the monitor did */
    int64_t t0; /* when drv_live_migration was called */
    GArray *calls; /* seen, on h1 */
    /* the callbacks */
    unsigned int posts, recovers;
    int64_t post_at, recover_at;
    char *recover_status;
    bool post_saw_entry; /* the active entry existed during post */
    /* the request to send from the hook, once, at the first job-info
     * call at or after req_at */
    req_kind req;
    int64_t req_at;
    int req_rc;
    drv_error req_err;
    /* REQ_NESTED: the second instance, its callbacks' count, and
     * force_complete's code for the first instance after it */
    drv_instance inst2;
    unsigned int nested_posts;
    int nested_rc, nested_force_rc;
    /* pause the guest behind the monitor's back at the first job-info
     * call at or after pause_at (0: never) */
    int64_t pause_at;
    /* fail the call fail_op with this code once, at the first call at or
     * after fail_at (code 0: never) */
    hv_op fail_op;
    int fail_code;
    int64_t fail_at;
} env;

static void
ok(int rc, const drv_error *err, const char *what)
{
    if (rc != 0)
        fail_msg("%s: %s: %s", what, drv_error_kind_name(err->kind),
                 err->message);
}

static int64_t
since(env *e)
{
    return hv_now(e->h[0].conn) - e->t0;
}

static void
nested_post(void *opaque, drv *d, const drv_instance *inst, const char *dest,
            bool block_migration, drv_migrate_data *md)
{
    env *e = opaque;

    (void)d;
    (void)dest;
    (void)block_migration;
    (void)md;
    assert_string_equal(inst->uuid, e->inst2.uuid);
    e->nested_posts++;
}

/*
 * Another operation on the same driver while the monitor of the first
 * instance runs (as the scheduler would run it during the monitor's
 * sleep): a whole live migration of the second instance. The first
 * monitor's entry must survive it.
 */
static void
nested_migration(env *e)
{
    drv_migrate_callbacks cb = {.post = nested_post, .opaque = e};
    drv_migrate_data md = {0};
    drv_error err;

    md.graphics_listen_addr_vnc = g_strdup("127.0.0.1");
    e->nested_rc = drv_live_migration(e->h[0].d, &e->inst2, "h2", &cb, false,
                                      &md, &err);
    drv_migrate_data_clear(&md);
    e->nested_force_rc = drv_live_migration_force_complete(e->h[0].d,
                                                           &e->inst, &err);
}

static int
before_hook(void *opaque, hv_conn *conn, const hv_call *call, hv_error *err)
{
    env *e = opaque;

    (void)conn;
    if (e->fail_code && call->op == e->fail_op &&
        since(e) >= e->fail_at) {
        hv_error_set(err, e->fail_code, "injected job info failure");
        err->code = e->fail_code;
        e->fail_code = 0;
        return -1;
    }
    return 0;
}

static void
after_hook(void *opaque, hv_conn *conn, const hv_call *call, int rc,
           const hv_error *err)
{
    env *e = opaque;
    seen s = {.op = call->op, .arg = call->arg, .flags = call->flags,
              .at = since(e), .rc = rc};

    (void)conn;
    (void)err;
    g_array_append_val(e->calls, s);
    if (e->pause_at && call->op == HV_OP_DOMAIN_GET_JOB_INFO &&
        s.at >= e->pause_at) {
        hv_error hv;
        hv_domain *dom = hv_domain_lookup_by_uuid(e->h[0].conn, UUID, &hv);

        e->pause_at = 0;
        assert_non_null(dom);
        assert_int_equal(hv_domain_suspend(dom, &hv), 0);
        hv_domain_free(dom);
    }
    if (e->req != REQ_NONE && call->op == HV_OP_DOMAIN_GET_JOB_INFO &&
        s.at >= e->req_at) {
        req_kind k = e->req;

        e->req = REQ_NONE;
        drv_error_reset(&e->req_err);
        if (k == REQ_FORCE)
            e->req_rc = drv_live_migration_force_complete(e->h[0].d, &e->inst,
                                                          &e->req_err);
        else if (k == REQ_ABORT)
            e->req_rc = drv_live_migration_abort(e->h[0].d, &e->inst,
                                                 &e->req_err);
        else if (k == REQ_CRASH_DEST)
            fake_host_crash_reboot(e->h[1].fh);
        else if (k == REQ_UNKNOWN_TASK)
            g_queue_push_tail(g_hash_table_lookup(e->h[0].d->live_migrations,
                                                  UUID),
                              g_strdup("pause"));
        else if (k == REQ_NESTED)
            nested_migration(e);
    }
}

static void
on_post(void *opaque, drv *d, const drv_instance *inst, const char *dest,
        bool block_migration, drv_migrate_data *md)
{
    env *e = opaque;
    drv_error err;

    assert_ptr_equal(d, e->h[0].d);
    assert_string_equal(inst->uuid, UUID);
    assert_string_equal(dest, "h2");
    (void)block_migration;
    assert_non_null(md);
    e->posts++;
    e->post_at = since(e);
    /* the entry is removed after the callback, as the reference's */
    e->post_saw_entry =
        drv_live_migration_force_complete(d, inst, &err) == 0;
}

static void
on_recover(void *opaque, drv *d, const drv_instance *inst, const char *dest,
           bool block_migration, drv_migrate_data *md, const char *status)
{
    env *e = opaque;

    assert_ptr_equal(d, e->h[0].d);
    assert_string_equal(inst->uuid, UUID);
    assert_string_equal(dest, "h2");
    (void)block_migration;
    assert_non_null(md);
    e->recovers++;
    e->recover_at = since(e);
    g_free(e->recover_status);
    e->recover_status = g_strdup(status ? status : "(null)");
}

/* Two hosts, a driver on each with cfg adjusted by tune (may be NULL),
 * the instance (2048 MiB, no disk) spawned on h1 with its guest
 * dirtying dirty_mib MiB/s. lib_version 0: the fake's (9.0). */
static env *
env_new_full(uint64_t dirty_mib, void (*tune)(drv_config *),
             unsigned long lib_version, const hv_vol_spec *image)
{
    env *e = g_new0(env, 1);
    const char *names[2] = {"h1", "h2"};
    hv_hooks hooks = {.before = before_hook, .after = after_hook};
    fake_guest g;
    hv_error hv;
    drv_error err;

    e->w = fake_world_new(11);
    e->calls = g_array_new(FALSE, FALSE, sizeof(seen));
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    if (tune)
        tune(&e->cfg);
    for (int i = 0; i < 2; i++) {
        fake_host_spec spec = {.name = names[i], .vcpus = 8,
                               .memory_mib = 16384, .disk_gib = 100,
                               .storage_pool = e->cfg.storage_pool,
                               .lib_version = lib_version};
        host *h = &e->h[i];

        assert_non_null(h->fh = fake_host_add(e->w, &spec, &hv));
        assert_non_null(h->conn = fake_conn_open(e->w, names[i], &hv));
        if (image)
            assert_int_equal(hv_vol_create(h->conn, e->cfg.storage_pool,
                                           image, &hv), 0);
        assert_non_null(h->d = drv_new(&e->cfg, h->conn, &err));
        ok(drv_init_host(h->d, names[i], &err), &err, "init_host");
    }
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = NAME,
        .flavor = {.name = "m1.live", .vcpus = 1, .memory_mb = 2048},
        .image = {.id = "img-1"},
    };
    if (image) {
        /* a 1 GiB root disk backed by the image, on both hosts */
        e->inst.flavor.root_gb = 1;
        e->inst.image.volume = (char *)image->name;
        e->inst.image.format = (char *)image->format;
        e->inst.root_device_name = "/dev/vda";
    }
    fake_guest_defaults(&g);
    g.dirty_rate_mib = dirty_mib;
    fake_guest_set(e->w, NAME, &g);
    ok(drv_spawn(e->h[0].d, &e->inst, true, &err), &err, "spawn");
    hooks.opaque = e;
    hv_conn_set_hooks(e->h[0].conn, &hooks);
    return e;
}

static env *
env_new(uint64_t dirty_mib, void (*tune)(drv_config *))
{
    return env_new_full(dirty_mib, tune, 0, NULL);
}

/* env_new with an image volume on both hosts and a root disk. */
static env *
env_new_disk(uint64_t dirty_mib, void (*tune)(drv_config *),
             const hv_vol_spec *image)
{
    return env_new_full(dirty_mib, tune, 0, image);
}

static void
env_free(env *e)
{
    hv_conn_set_hooks(e->h[0].conn, NULL);
    for (int i = 0; i < 2; i++) {
        drv_free(e->h[i].d);
        hv_conn_close(e->h[i].conn);
    }
    drv_config_clear(&e->cfg);
    fake_world_free(e->w);
    g_array_free(e->calls, TRUE);
    g_free(e->recover_status);
    g_free(e);
}

/* drv_live_migration of the instance to h2; its return code. */
static int
migrate(env *e, bool block, drv_migrate_data *md, drv_error *err)
{
    drv_migrate_callbacks cb = {.post = on_post, .recover = on_recover,
                                .opaque = e};
    drv_migrate_data local = {0};
    int rc;

    if (!md) {
        md = &local;
        /* what pre_live_migration gives with the default options */
        md->graphics_listen_addr_vnc = g_strdup("127.0.0.1");
        md->graphics_listen_addr_spice = g_strdup("127.0.0.1");
        md->has_block_migration = true;
        md->block_migration = block;
    }
    e->t0 = hv_now(e->h[0].conn);
    g_array_set_size(e->calls, 0);
    rc = drv_live_migration(e->h[0].d, &e->inst, "h2", &cb, block, md, err);
    drv_migrate_data_clear(&local);
    return rc;
}

/* The calls of op the source made, in order. */
static unsigned int
calls_of(env *e, hv_op op, seen *out, unsigned int max)
{
    unsigned int n = 0;

    for (guint i = 0; i < e->calls->len; i++) {
        seen s = g_array_index(e->calls, seen, i);

        if (s.op == op) {
            if (n < max)
                out[n] = s;
            n++;
        }
    }
    return n;
}

/* Where the instance's domain is: 1 on h2 only, 0 on h1 only; fails if
 * on both or neither (the invariant). *state the power state there. */
static int
where(env *e, int *state)
{
    int found = -1;

    for (int i = 0; i < 2; i++) {
        drv_info info;
        drv_error err;

        if (drv_get_info(e->h[i].d, &e->inst, &info, &err) == 0 &&
            info.state != DRV_POWER_SHUTDOWN) {
            assert_int_equal(found, -1);
            found = i;
            if (state)
                *state = info.state;
        }
    }
    assert_int_not_equal(found, -1);
    return found;
}

static bool
active(env *e)
{
    drv_error err;

    return e->h[0].d->live_migrations &&
           g_hash_table_contains(e->h[0].d->live_migrations, UUID) &&
           drv_live_migration_force_complete(e->h[0].d, &e->inst, &err) == 0;
}

/* ---- completion ---- */

static void
test_completes(void **state)
{
    env *e = env_new(0, NULL);
    drv_error err;
    seen s[4];
    int st;

    (void)state;
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    /* 1 s set-up, one 2 s pass of 2048 MiB at 1024 MiB/s, nothing dirty:
     * done at 3 s; the poll at 3 s finds the source's domain gone */
    assert_int_equal(e->posts, 1);
    assert_int_equal(e->recovers, 0);
    assert_true(e->post_at == S(3));
    assert_true(e->post_saw_entry);
    assert_false(active(e));
    assert_int_equal(where(e, &st), 1);
    assert_int_equal(st, DRV_POWER_RUNNING);
    /* the flags of a live migration with the default options */
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_START, s, 4), 1);
    assert_int_equal(s[0].flags, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                                     HV_MIGRATE_UNDEFINE_SOURCE);
    /* step 0 of the downtime schedule once elapsed > 0: at 0.5 s,
     * int(500 / 11 + 1) = 46 ms, and no more before 150 s */
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_SET_MAX_DOWNTIME, s, 4),
                     1);
    assert_int_equal(s[0].arg, 46);
    assert_true(s[0].at == S(0.5));
    env_free(e);
}

/* ---- the completion timeout and the downtime steps ---- */

static void
no_progress_timeout(drv_config *cfg)
{
    cfg->live_migration_progress_timeout = 0;
}

static void
test_completion_timeout(void **state)
{
    /* the guest dirties faster than the link: never converges */
    env *e = env_new(4096, no_progress_timeout);
    static const int64_t ms[] = {46, 47, 48, 51, 57, 66, 84, 117, 179, 291, 500};
    drv_downtime_plan plan;
    drv_error err;
    seen s[16], a[2];
    unsigned int n;
    int st;

    (void)state;
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    /* elapsed > int(800 x 2) = 1600 s first at the poll at 1600.5 s */
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_ABORT_JOB, a, 2), 1);
    assert_true(a[0].at == S(1600.5));
    assert_int_equal(a[0].rc, 0);
    /* the next poll finds the job gone and the domain running here */
    assert_int_equal(e->recovers, 1);
    assert_true(e->recover_at == S(1601));
    assert_string_equal(e->recover_status, "(null)");
    assert_int_equal(e->posts, 0);
    assert_false(active(e));
    assert_int_equal(where(e, &st), 0);
    assert_int_equal(st, DRV_POWER_RUNNING);
    /* the schedule: step i once elapsed > 150 x i, each value once; the
     * values are the reference formula's, int(offset + base^i), as
     * python3 prints them for D 500, S 10, delay 75 x 2 GB */
    assert_int_equal(drv_migrate_downtime_plan(500, 10, 75, 2.0, &plan, &err),
                     0);
    for (int i = 0; i <= 10; i++)
        assert_int_equal(drv_migrate_downtime_step(&plan, i).ms, ms[i]);
    n = calls_of(e, HV_OP_DOMAIN_MIGRATE_SET_MAX_DOWNTIME, s, 16);
    assert_int_equal(n, 11);
    assert_int_equal(s[0].arg, 46);
    assert_true(s[0].at == S(0.5));
    for (unsigned int k = 1; k < n; k++) {
        /* step k at the first poll after 150 x k s, never at 150 x k */
        assert_int_equal(s[k].arg, ms[k]);
        assert_true(s[k].at == S(150 * k) + S(0.5));
    }
    env_free(e);
}

/* ---- the progress timeout ---- */

static void
no_completion_timeout(drv_config *cfg)
{
    cfg->live_migration_completion_timeout = 0;
}

static void
test_progress_timeout(void **state)
{
    env *e = env_new(4096, no_completion_timeout);
    drv_error err;
    seen a[2];

    (void)state;
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    /*
     * Polls at 1.5, 2, 2.5 s see pass 1's remaining fall (1536, 1024, 512
     * MiB); at 3 s pass 2 begins with all 2048 MiB dirty again and every
     * later pass repeats pass 1's values (equal is no progress): the last
     * progress is at 2.5 s, and 150 s later is exceeded at 153 s
     */
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_ABORT_JOB, a, 2), 1);
    assert_true(a[0].at == S(153));
    assert_int_equal(e->recovers, 1);
    assert_true(e->recover_at == S(153.5));
    assert_int_equal(where(e, NULL), 0);
    env_free(e);
}

/* ---- post-copy ---- */

static void
post_copy(drv_config *cfg)
{
    cfg->live_migration_permit_post_copy = true;
    cfg->live_migration_permit_auto_converge = true;
}

static void
test_post_copy_switch(void **state)
{
    env *e = env_new(4096, post_copy);
    drv_error err;
    seen s[4];
    int st;

    (void)state;
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    /* post-copy rules auto-converge out */
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_START, s, 4), 1);
    assert_int_equal(s[0].flags, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                                     HV_MIGRATE_UNDEFINE_SOURCE |
                                     HV_MIGRATE_POSTCOPY);
    /* the first poll in memory iteration 2 whose remaining went down by
     * less than 10 % since the previous poll switches */
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_START_POST_COPY, s, 4),
                     1);
    assert_int_equal(s[0].rc, 0);
    assert_true(s[0].at == S(3));
    assert_int_equal(e->posts, 1);
    assert_int_equal(where(e, &st), 1);
    assert_int_equal(st, DRV_POWER_RUNNING);
    env_free(e);
}

static void
auto_converge(drv_config *cfg)
{
    cfg->live_migration_permit_auto_converge = true;
    cfg->live_migration_tunnelled = true;
}

static void
test_flags(void **state)
{
    env *e;
    drv_error err;
    seen s[2];
    bool pc;

    (void)state;
    /* auto-converge when permitted and post-copy is not in use;
     * tunnelled when configured */
    e = env_new(0, auto_converge);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_START, s, 2), 1);
    assert_int_equal(s[0].flags,
                     HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                         HV_MIGRATE_UNDEFINE_SOURCE | HV_MIGRATE_TUNNELLED |
                         HV_MIGRATE_AUTO_CONVERGE);
    assert_int_equal(e->posts, 1);
    env_free(e);

    /* the version thresholds, on the flags alone */
    {
        drv_config cfg;

        drv_config_defaults(&cfg);
        cfg.live_migration_permit_post_copy = true;
        cfg.live_migration_permit_auto_converge = true;
        /* libvirt 1.3.2: no post-copy, so auto-converge */
        assert_int_equal(drv_live_migration_flags(&cfg, false, 1003002,
                                                  2005000, &pc),
                         HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                             HV_MIGRATE_UNDEFINE_SOURCE |
                             HV_MIGRATE_AUTO_CONVERGE);
        assert_false(pc);
        /* QEMU 2.4.9: neither post-copy */
        assert_int_equal(drv_live_migration_flags(&cfg, true, 1003003,
                                                  2004009, &pc),
                         HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                             HV_MIGRATE_UNDEFINE_SOURCE |
                             HV_MIGRATE_NON_SHARED_INC |
                             HV_MIGRATE_AUTO_CONVERGE);
        assert_false(pc);
        /* exactly the minimums: post-copy, enabled */
        assert_int_equal(drv_live_migration_flags(&cfg, false, 1003003,
                                                  2005000, &pc),
                         HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                             HV_MIGRATE_UNDEFINE_SOURCE |
                             HV_MIGRATE_POSTCOPY);
        assert_true(pc);
        /* too old for auto-converge (libvirt 1.2.2): nothing */
        assert_int_equal(drv_live_migration_flags(&cfg, false, 1002002,
                                                  2005000, &pc),
                         HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                             HV_MIGRATE_UNDEFINE_SOURCE);
        drv_config_clear(&cfg);
    }
}

/* ---- force-complete ---- */

static void
test_force_complete_post_copy(void **state)
{
    env *e = env_new(4096, post_copy);
    drv_error err;
    seen s[4];

    (void)state;
    /* sent at 2 s, in pass 1 (no automatic switch before iteration 2) */
    e->req = REQ_FORCE;
    e->req_at = S(2);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(e->req_rc, 0);
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_START_POST_COPY, s, 4),
                     1);
    assert_true(s[0].at == S(2));
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_SUSPEND, s, 4), 0);
    assert_int_equal(e->posts, 1);
    assert_int_equal(where(e, NULL), 1);
    env_free(e);
}

static void
test_force_complete_pause(void **state)
{
    env *e = env_new(4096, NULL);
    drv_error err;
    seen s[4];
    int st;

    (void)state;
    /* without post-copy the guest is paused: it stops dirtying memory and
     * the migration converges */
    e->req = REQ_FORCE;
    e->req_at = S(2);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_SUSPEND, s, 4), 1);
    assert_true(s[0].at == S(2));
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_START_POST_COPY, s, 4),
                     0);
    assert_int_equal(e->posts, 1);
    assert_int_equal(e->recovers, 0);
    /* no recovery runs after a completion; the destination starts the
     * vCPUs as libvirt does without VIR_MIGRATE_PAUSED: running on h2 */
    assert_int_equal(where(e, &st), 1);
    assert_int_equal(st, DRV_POWER_RUNNING);
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_RESUME, s, 4), 0);
    env_free(e);
}

static void
test_force_complete_pause_then_fail(void **state)
{
    env *e = env_new(4096, NULL);
    drv_error err;
    hv_error hv;
    seen s[4];
    int st;

    (void)state;
    /* paused at 2 s; the migration fails at 60 % of its data (2.2 s) and
     * libvirt (and the fake) resume the source's vCPUs, which ran before
     * the migration: "unpause" finds the guest running and does nothing */
    assert_int_equal(fake_migration_fail_at(e->w, NAME, 60, &hv), 0);
    e->req = REQ_FORCE;
    e->req_at = S(2);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_SUSPEND, s, 4), 1);
    assert_int_equal(e->recovers, 1);
    assert_true(e->recover_at == S(2.5));
    assert_string_equal(e->recover_status, "(null)");
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_RESUME, s, 4), 0);
    assert_int_equal(where(e, &st), 0);
    assert_int_equal(st, DRV_POWER_RUNNING);
    env_free(e);

    /* the same, but the guest is still paused when the monitor sees the
     * failure (the reference's NOTE: it can be left paused): resumed */
    e = env_new(4096, NULL);
    assert_int_equal(fake_migration_fail_at(e->w, NAME, 60, &hv), 0);
    e->req = REQ_FORCE;
    e->req_at = S(2);
    e->pause_at = S(2.5);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(e->recovers, 1);
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_RESUME, s, 4), 1);
    assert_true(s[0].at == S(2.5));
    assert_int_equal(where(e, &st), 0);
    assert_int_equal(st, DRV_POWER_RUNNING);
    env_free(e);

    /* a guest paused by someone else, with no force-complete: no
     * "unpause" queued, it stays paused */
    e = env_new(4096, NULL);
    assert_int_equal(fake_migration_fail_at(e->w, NAME, 60, &hv), 0);
    e->pause_at = S(2.5);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(e->recovers, 1);
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_RESUME, s, 4), 0);
    assert_int_equal(where(e, &st), 0);
    assert_int_equal(st, DRV_POWER_PAUSED);
    env_free(e);
}

static void
test_force_complete_no_migration(void **state)
{
    env *e = env_new(0, NULL);
    drv_error err;

    (void)state;
    assert_int_equal(drv_live_migration_force_complete(e->h[0].d, &e->inst,
                                                       &err), -1);
    assert_int_equal(err.kind, DRV_ERR_NO_ACTIVE_MIGRATION);
    assert_string_equal(drv_error_kind_name(err.kind),
                        "NoActiveMigrationForInstance");
    assert_non_null(strstr(err.message, UUID));
    env_free(e);
}

/* ---- the operator's abort ---- */

static void
test_abort(void **state)
{
    env *e = env_new(4096, NULL);
    drv_error err;
    seen a[2];
    int st;

    (void)state;
    e->req = REQ_ABORT;
    e->req_at = S(5);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(e->req_rc, 0);
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_ABORT_JOB, a, 2), 1);
    assert_true(a[0].at == S(5));
    /* the job reads NONE at the next poll and the domain runs here: a
     * failure (the reference's CANCELLED needs a job type libvirt does
     * not report once the job is over) */
    assert_int_equal(e->recovers, 1);
    assert_true(e->recover_at == S(5.5));
    assert_string_equal(e->recover_status, "(null)");
    assert_int_equal(where(e, &st), 0);
    assert_int_equal(st, DRV_POWER_RUNNING);
    assert_false(active(e));
    env_free(e);
}

static void
test_abort_errors(void **state)
{
    env *e = env_new(0, NULL);
    drv_error err;
    drv_instance other = e->inst;

    (void)state;
    /* nothing to abort: libvirt's OPERATION_INVALID, re-raised */
    assert_int_equal(drv_live_migration_abort(e->h[0].d, &e->inst, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_INVALID);
    other.uuid = "3c4e0000-0000-4000-8000-0000000001a2";
    assert_int_equal(drv_live_migration_abort(e->h[0].d, &other, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    ok(drv_rollback_live_migration_at_source(e->h[0].d, &e->inst, NULL,
                                             &err),
       &err, "rollback at source");
    env_free(e);
}

/* ---- failures ---- */

static void
test_fail_at_progress(void **state)
{
    env *e = env_new(4096, NULL);
    drv_error err;
    hv_error hv;
    int st;

    (void)state;
    /* 50 % of the 2048 MiB sent: 1 s into pass 1, at 2 s */
    assert_int_equal(fake_migration_fail_at(e->w, NAME, 50, &hv), 0);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(e->recovers, 1);
    assert_true(e->recover_at == S(2));
    assert_string_equal(e->recover_status, "(null)");
    assert_int_equal(e->posts, 0);
    assert_int_equal(where(e, &st), 0);
    assert_int_equal(st, DRV_POWER_RUNNING);
    env_free(e);
}

static void
test_destination_crash(void **state)
{
    env *e = env_new(4096, NULL);
    drv_error err;
    int st;

    (void)state;
    /* h2 crashes at 2 s, in pass 1: the migration fails, the job reads
     * NONE at the next poll and the guest still runs on h1 */
    e->req = REQ_CRASH_DEST;
    e->req_at = S(2);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(e->recovers, 1);
    assert_true(e->recover_at == S(2.5));
    assert_int_equal(e->posts, 0);
    assert_int_equal(where(e, &st), 0);
    assert_int_equal(st, DRV_POWER_RUNNING);
    env_free(e);
}

/* ---- job info ---- */

static void
test_job_info_error(void **state)
{
    env *e = env_new(4096, NULL);
    drv_error err;

    (void)state;
    /* an error other than NO_DOMAIN / OPERATION_INVALID escapes; the
     * entry is removed all the same */
    e->fail_op = HV_OP_DOMAIN_GET_JOB_INFO;
    e->fail_code = HV_ERR_INTERNAL_ERROR;
    e->fail_at = S(2);
    assert_int_equal(migrate(e, false, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    assert_int_equal(e->posts + e->recovers, 0);
    assert_false(active(e));
    env_free(e);
}

static void
test_job_info_gone(void **state)
{
    env *e = env_new(4096, NULL);
    drv_error err;

    (void)state;
    /* OPERATION_INVALID (the domain stopped) reads as COMPLETED: post */
    e->fail_op = HV_OP_DOMAIN_GET_JOB_INFO;
    e->fail_code = HV_ERR_OPERATION_INVALID;
    e->fail_at = S(2);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(e->posts, 1);
    assert_true(e->post_at == S(2));
    env_free(e);
}

static void
test_start_fails(void **state)
{
    env *e = env_new(0, NULL);
    drv_error err;
    drv_migrate_data md = {0};
    seen s[2];

    (void)state;
    /* no graphics listen addresses from the destination and a serial
     * console: the operation fails before migrating (MigrationError in
     * the reference's thread); the job reads NONE, the domain runs here:
     * FAILED at the first poll */
    e->h[0].d->cfg.serial_console_enabled = true;
    ok(migrate(e, false, &md, &err), &err, "live_migration");
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_START, s, 2), 0);
    assert_int_equal(e->recovers, 1);
    assert_true(e->recover_at == 0);
    assert_int_equal(where(e, NULL), 0);
    env_free(e);
}

/* find_job_type when the domain cannot be read: gone (NO_DOMAIN) is a
 * completion, any other error a failure. */
static void
test_find_job_type_errors(void **state)
{
    env *e = env_new(0, NULL);
    drv_migrate_data md = {0};
    drv_error err;

    (void)state;
    e->h[0].d->cfg.serial_console_enabled = true;
    e->fail_op = HV_OP_DOMAIN_GET_INFO;
    e->fail_code = HV_ERR_NO_DOMAIN;
    ok(migrate(e, false, &md, &err), &err, "live_migration");
    assert_int_equal(e->posts, 1);
    assert_int_equal(e->recovers, 0);
    env_free(e);

    e = env_new(0, NULL);
    e->h[0].d->cfg.serial_console_enabled = true;
    e->fail_op = HV_OP_DOMAIN_GET_INFO;
    e->fail_code = HV_ERR_INTERNAL_ERROR;
    ok(migrate(e, false, &md, &err), &err, "live_migration");
    assert_int_equal(e->posts, 0);
    assert_int_equal(e->recovers, 1);
    env_free(e);
}

/* A failure to abort on a timeout escapes (the reference re-raises it),
 * and the entry is removed. */
static void
test_abort_on_timeout_fails(void **state)
{
    env *e = env_new(4096, no_completion_timeout);
    drv_error err;

    (void)state;
    e->fail_op = HV_OP_DOMAIN_ABORT_JOB;
    e->fail_code = HV_ERR_OPERATION_FAILED;
    assert_int_equal(migrate(e, false, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_OPERATION_FAILED);
    /* at the progress timeout's poll */
    assert_true(since(e) == S(153));
    assert_int_equal(e->posts + e->recovers, 0);
    assert_false(active(e));
    env_free(e);
}

/* ---- host name, URIs ---- */

static void
test_invalid_hostname(void **state)
{
    env *e = env_new(0, NULL);
    drv_migrate_callbacks cb = {.post = on_post, .recover = on_recover,
                                .opaque = e};
    drv_migrate_data md = {0};
    static const char *const bad[] = {"foo/?com=/bin/sh", "", "foo\n"};
    drv_error err;

    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_array_set_size(e->calls, 0);
        assert_int_equal(drv_live_migration(e->h[0].d, &e->inst, bad[i], &cb,
                                            false, &md, &err), -1);
        assert_int_equal(err.kind, DRV_ERR_INVALID_HOSTNAME);
        /* refused before any hv call */
        assert_int_equal(e->calls->len, 0);
    }
    assert_int_equal(drv_live_migration(e->h[0].d, &e->inst, NULL, &cb,
                                        false, &md, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_HOSTNAME);
    assert_int_equal(e->posts + e->recovers, 0);
    assert_false(active(e));
    env_free(e);
}

static void
test_uris(void **state)
{
    drv_config cfg;
    drv_error err;
    char *u;
    static const char *const bad[] = {"qemu+tcp://host/system", "%s%s",
                                      "qemu://%d/", "x%", "%r", "%(h)s"};

    (void)state;
    drv_config_defaults(&cfg);
    u = drv_live_migration_uri(&cfg, "h2", &err);
    assert_string_equal(u, "qemu+tcp://h2/system");
    g_free(u);
    cfg.live_migration_uri =
        g_strdup("qemu+unix:///system?socket=/run/hvd-host-%s/libvirt-sock");
    u = drv_live_migration_uri(&cfg, "b", &err);
    assert_string_equal(u,
                        "qemu+unix:///system?socket=/run/hvd-host-b/libvirt-sock");
    g_free(u);
    g_free(cfg.live_migration_uri);
    cfg.live_migration_uri = g_strdup("a%%b-%s-100%%");
    u = drv_live_migration_uri(&cfg, "h", &err);
    assert_string_equal(u, "a%b-h-100%");
    g_free(u);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_free(cfg.live_migration_uri);
        cfg.live_migration_uri = g_strdup(bad[i]);
        drv_error_reset(&err);
        assert_null(drv_live_migration_uri(&cfg, "h", &err));
        assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
        assert_non_null(strstr(err.message, "live_migration_uri"));
        drv_error_reset(&err);
        assert_int_equal(drv_live_migration_check_options(&cfg, &err), -1);
    }
    /* no default for virt type "test" */
    g_free(cfg.live_migration_uri);
    cfg.live_migration_uri = NULL;
    g_free(cfg.virt_type);
    cfg.virt_type = g_strdup("test");
    drv_error_reset(&err);
    assert_null(drv_live_migration_uri(&cfg, "h", &err));
    assert_int_equal(err.kind, DRV_ERR_LIVE_MIGRATION_URI_NOT_AVAILABLE);
    drv_config_clear(&cfg);

    /* the loader refuses a bad template, naming it */
    drv_config_defaults(&cfg);
    drv_error_reset(&err);
    assert_int_equal(drv_config_load_json("{\"live_migration_uri\": "
                                          "\"qemu+tcp://x/system\"}",
                                          "cfg.json", &cfg, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_non_null(strstr(err.message, "live_migration_uri"));
    drv_error_reset(&err);
    ok(drv_config_load_json("{\"live_migration_uri\": \"qemu+tcp://%s/x\", "
                            "\"live_migration_inbound_addr\": \"10.0.0.2\", "
                            "\"live_migration_tunnelled\": true}",
                            "cfg.json", &cfg, &err),
       &err, "load");
    assert_string_equal(cfg.live_migration_inbound_addr, "10.0.0.2");
    assert_true(cfg.live_migration_tunnelled);
    drv_config_clear(&cfg);
}

/* The migrate URI goes to tcp://<target_connect_addr>, and the libvirt URI
 * to that address too (the reference replaces dest with it). */
static void
test_target_connect_addr(void **state)
{
    env *e = env_new(0, NULL);
    drv_migrate_data md = {0};
    drv_error err;

    (void)state;
    /* the fake resolves the URI's host: "h2" as the inbound address */
    md.graphics_listen_addr_vnc = g_strdup("127.0.0.1");
    md.target_connect_addr = g_strdup("h2");
    ok(migrate(e, false, &md, &err), &err, "live_migration");
    assert_int_equal(e->posts, 1);
    drv_migrate_data_clear(&md);
    env_free(e);
}

/* ---- block migration ---- */

static void
test_block_migration(void **state)
{
    env *e = env_new(0, NULL);
    drv_error err;
    seen s[2];

    (void)state;
    ok(migrate(e, true, NULL, &err), &err, "live_migration");
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_START, s, 2), 1);
    assert_int_equal(s[0].flags, HV_MIGRATE_LIVE | HV_MIGRATE_PEER2PEER |
                                     HV_MIGRATE_UNDEFINE_SOURCE |
                                     HV_MIGRATE_NON_SHARED_INC);
    assert_int_equal(e->posts, 1);
    assert_int_equal(where(e, NULL), 1);
    env_free(e);
}

/* The disks of a block migration count in the data to transfer: RAM 2 GB
 * plus the root disk (a qcow2 top holding less than 2 GiB: 2) is 4 GB,
 * so the downtime steps are int(75 x 4) = 300 s apart (150 s without the
 * disk, as test_completion_timeout shows). */
static void
test_block_migration_data(void **state)
{
    env *e;
    hv_vol_spec base = {.name = "base.qcow2", .capacity = UINT64_C(1) << 30,
                        .allocation = UINT64_C(1) << 28, .format = "qcow2"};
    drv_error err;
    seen s[4];

    (void)state;
    e = env_new_disk(4096, no_progress_timeout, &base);
    e->req = REQ_ABORT;
    e->req_at = S(301);
    ok(migrate(e, true, NULL, &err), &err, "live_migration");
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_SET_MAX_DOWNTIME, s, 4),
                     2);
    assert_int_equal(s[0].arg, 46);
    assert_true(s[0].at == S(0.5));
    assert_int_equal(s[1].arg, 47);
    assert_true(s[1].at == S(300.5));
    assert_int_equal(e->recovers, 1);
    assert_int_equal(where(e, NULL), 0);
    env_free(e);
}

/* _live_migration_copy_disk_paths' selection, on XML. */
static void
test_copy_disks(void **state)
{
    static const char xml[] =
        "<domain><devices>"
        "<disk type='file' device='disk'><source file='/p/root'/>"
        "<target dev='vda'/></disk>"
        "<disk type='file' device='cdrom'><source file='/p/config'/>"
        "<target dev='hdd'/><readonly/></disk>"
        "<disk type='block' device='disk'><source dev='/dev/sdx'/>"
        "<target dev='vdb'/></disk>"
        "<disk type='file' device='disk'><source file='/p/shared'/>"
        "<target dev='vdc'/><shareable/></disk>"
        "<disk type='network' device='disk'><source name='pool/img'/>"
        "<target dev='vdd'/></disk>"
        "<disk type='block' device='disk'><source dev='/dev/vol'/>"
        "<target dev='vde'/></disk>"
        "<interface type='ethernet'/>"
        "</devices></domain>";
    drv_bdm vol = {.mount_device = "/dev/vde"};
    drv_instance inst = {.uuid = UUID, .volumes = &vol, .n_volumes = 1};
    char **paths = NULL, **devs = NULL;
    drv_error err;

    (void)state;
    drv_error_reset(&err);
    ok(drv_live_migration_copy_disks(&inst, xml, true, &paths, &devs, &err),
       &err, "copy disks");
    /* read-only, shareable, network and the attached volume are left */
    assert_int_equal(g_strv_length(paths), 2);
    assert_string_equal(paths[0], "/p/root");
    assert_string_equal(devs[0], "vda");
    assert_string_equal(paths[1], "/dev/sdx");
    assert_string_equal(devs[1], "vdb");
    g_strfreev(paths);
    g_strfreev(devs);
    /* tunnelled (or libvirt < 1.2.17): volumes are not skipped */
    ok(drv_live_migration_copy_disks(&inst, xml, false, &paths, &devs, &err),
       &err, "copy disks");
    assert_int_equal(g_strv_length(devs), 3);
    assert_string_equal(devs[2], "vde");
    g_strfreev(paths);
    g_strfreev(devs);
    /* XML that does not parse */
    assert_int_equal(drv_live_migration_copy_disks(&inst, "<domain", true,
                                                   &paths, &devs, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
}

/* Unknown tasks are ignored (the reference's warning). */
static void
test_unknown_task(void **state)
{
    env *e = env_new(0, NULL);
    drv_error err;
    seen s[2];

    (void)state;
    e->req = REQ_UNKNOWN_TASK;
    e->req_at = S(1);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_SUSPEND, s, 2), 0);
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_MIGRATE_START_POST_COPY, s, 2),
                     0);
    assert_int_equal(e->posts, 1);
    assert_true(e->post_at == S(3));
    env_free(e);
}

/* Re-entrancy: a second instance's whole migration runs on the same
 * driver inside the first one's poll at 1 s (nested: its clock moves the
 * world on 3 s); the first monitor's entry and outcome are intact. */
static void
test_reentrant(void **state)
{
    env *e = env_new(0, NULL);
    drv_error err;
    seen s[4];

    (void)state;
    e->inst2 = e->inst;
    e->inst2.uuid = "3c4e0000-0000-4000-8000-0000000001a3";
    e->inst2.name = "instance-live2";
    ok(drv_spawn(e->h[0].d, &e->inst2, true, &err), &err, "spawn 2");
    e->req = REQ_NESTED;
    e->req_at = S(1);
    ok(migrate(e, false, NULL, &err), &err, "live_migration");
    assert_int_equal(e->nested_rc, 0);
    assert_int_equal(e->nested_posts, 1);
    /* the first migration was still active after the nested one ended;
     * its queued force-complete paused the first guest at that poll */
    assert_int_equal(e->nested_force_rc, 0);
    assert_int_equal(calls_of(e, HV_OP_DOMAIN_SUSPEND, s, 4), 1);
    assert_int_equal(e->posts, 1);
    assert_int_equal(e->recovers, 0);
    assert_false(active(e));
    assert_int_equal(where(e, NULL), 1);
    env_free(e);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_completes),
        cmocka_unit_test(test_completion_timeout),
        cmocka_unit_test(test_progress_timeout),
        cmocka_unit_test(test_post_copy_switch),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_force_complete_post_copy),
        cmocka_unit_test(test_force_complete_pause),
        cmocka_unit_test(test_force_complete_pause_then_fail),
        cmocka_unit_test(test_force_complete_no_migration),
        cmocka_unit_test(test_abort),
        cmocka_unit_test(test_abort_errors),
        cmocka_unit_test(test_fail_at_progress),
        cmocka_unit_test(test_destination_crash),
        cmocka_unit_test(test_job_info_error),
        cmocka_unit_test(test_job_info_gone),
        cmocka_unit_test(test_start_fails),
        cmocka_unit_test(test_find_job_type_errors),
        cmocka_unit_test(test_abort_on_timeout_fails),
        cmocka_unit_test(test_invalid_hostname),
        cmocka_unit_test(test_uris),
        cmocka_unit_test(test_target_connect_addr),
        cmocka_unit_test(test_block_migration),
        cmocka_unit_test(test_block_migration_data),
        cmocka_unit_test(test_copy_disks),
        cmocka_unit_test(test_unknown_task),
        cmocka_unit_test(test_reentrant),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
