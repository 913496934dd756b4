/*
 * run.c: running one scenario — set-up, steps, checks, invariants, trace.
 *
 * This file holds the run itself (run_scenario), set-up and teardown; the
 * other concerns are in run-*.c, mapped in run-priv.h.
 */
#include "run.h"
#include "run-priv.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fake.h"
#include "fault.h"
#include "hv-libvirt.h"
#include "ops.h"
#include "ops-iface.h"
#include "ops-snapshot.h"
#include "trace.h"

/* ---- looking up ---- */

rinst *
rn_inst_by_uuid(runner *r, const char *uuid)
{
    for (unsigned int i = 0; i < r->s->n_instances; i++)
        if (strcmp(r->insts[i].inst.uuid, uuid) == 0)
            return &r->insts[i];
    return NULL;
}

rinst *
rn_inst_by_name(runner *r, const char *name)
{
    for (unsigned int i = 0; i < r->s->n_instances; i++)
        if (strcmp(r->insts[i].spec->name, name) == 0)
            return &r->insts[i];
    return NULL;
}

rhost *
rn_host_by_name(runner *r, const char *name)
{
    for (unsigned int i = 0; i < r->s->n_hosts; i++)
        if (strcmp(r->hosts[i].spec->name, name) == 0)
            return &r->hosts[i];
    return NULL;
}

/* ---- set-up ---- */

static void
guest_of(runner *r, const rinst *ri, fake_guest *g)
{
    fake_guest_defaults(g);
    g->boot_ns = scn_ns(ri->spec->guest.boot_s);
    g->honours_acpi = ri->spec->guest.acpi;
    g->acpi_delay_ns = scn_ns(ri->spec->guest.acpi_delay_s);
    g->crash_after_ns = scn_ns(ri->spec->guest.crash_after_s);
    g->dirty_rate_mib = ri->spec->guest.dirty_rate_mib;
    g->restarts_on_shutdown = ri->spec->guest.restarts_on_shutdown;
    g->pm_suspend_after_ns = scn_ns(ri->spec->guest.pm_suspend_after_s);
    if (ri->spec->guest.detach_delay_s >= 0)
        g->detach_delay_ns = scn_ns(ri->spec->guest.detach_delay_s);
    g->agent = ri->spec->guest.agent;
    switch (ri->spec->guest.crash_state) {
    case SCN_CRASH_SHUTOFF:
        g->on_crash = FAKE_CRASH_SHUTOFF;
        break;
    case SCN_CRASH_CRASHED:
        g->on_crash = FAKE_CRASH_PRESERVE;
        break;
    case SCN_CRASH_RESTART:
        g->on_crash = FAKE_CRASH_RESTART;
        break;
    }
    for (unsigned int i = 0; i < r->s->n_faults; i++) {
        const scn_fault *f = &r->s->faults[i];
        const ops_fault *d = ops_fault_get(f->kind);

        if (!f->instance || strcmp(f->instance, ri->spec->name) != 0)
            continue;
        if (d->schedule == OPS_FAULT_ON_GUEST)
            d->guest(f, g);
    }
}

/* On libvirt the guest is the tiny guest: direct kernel boot, and the
 * kernel switch that makes it ignore ACPI when the scenario says so. */
static void
patch_for_real(runner *r, rinst *ri)
{
    const drv_image *img = &ri->spec->inst.image;
    const char *kernel = r->opt->guest_kernel;
    const char *initrd = r->opt->guest_initrd;
    fake_guest g;
    unsigned int n = img->n_properties;

    guest_of(r, ri, &g);
    ri->props = g_new0(drv_kv, n + 3);
    memcpy(ri->props, img->properties, n * sizeof(drv_kv));
    if (!drv_kv_get(img->properties, img->n_properties, "kernel_path") &&
        kernel) {
        ri->props[n++] = (drv_kv){"kernel_path", (char *)kernel};
        if (initrd)
            ri->props[n++] = (drv_kv){"initrd_path", (char *)initrd};
        ri->props[n++] = (drv_kv){
            "os_command_line",
            g.honours_acpi ? "console=ttyS0 panic=-1 quiet"
                           : "console=ttyS0 panic=-1 quiet hvd.noacpi"};
    }
    ri->inst.image.properties = ri->props;
    ri->inst.image.n_properties = n;
}

static const char *
uri_for(runner *r, const char *host)
{
    size_t len = strlen(host);

    for (char **p = r->opt->host_uris; p && *p; p++)
        if (strncmp(*p, host, len) == 0 && (*p)[len] == '=')
            return *p + len + 1;
    /* "*=URI" stands for every host not named */
    for (char **p = r->opt->host_uris; p && *p; p++)
        if (g_str_has_prefix(*p, "*="))
            return *p + 2;
    return NULL;
}

static hv_conn *
open_conn(runner *r, rhost *h, hv_error *err)
{
    if (r->fake)
        return fake_conn_open(r->w, h->spec->name, err);
    return hv_libvirt_open(h->uri, err);
}

static int
setup(runner *r, char **why)
{
    const scn *s = r->s;
    hv_error hv;
    drv_error err;

    r->hosts = g_new0(rhost, s->n_hosts);
    r->insts = g_new0(rinst, s->n_instances);
    if (r->fake)
        r->w = fake_world_new(s->seed);
    for (unsigned int i = 0; i < s->n_hosts; i++) {
        rhost *h = &r->hosts[i];
        hv_hooks hooks = {.after = rn_hook_after, .event = rn_hook_event,
                          .opaque = h};
        drv_config cfg = s->config;

        h->r = r;
        h->spec = &s->hosts[i];
        if (r->fake) {
            fake_host_spec fs = {
                .name = h->spec->name,
                .vcpus = h->spec->vcpus,
                .memory_mib = h->spec->memory_mb,
                .storage_pool = cfg.storage_pool,
                .disk_gib = h->spec->disk_gb,
                .lib_version = h->spec->libvirt_version,
                .hv_version = h->spec->qemu_version,
                .arch = h->spec->arch,
                .cpu_model = h->spec->cpu_model,
                .cpu_vendor = h->spec->cpu_vendor,
                .cpu_features = (const char *const *)h->spec->cpu_features};
            if (!(h->fh = fake_host_add(r->w, &fs, &hv))) {
                *why = g_strdup_printf("host %s: %s", h->spec->name,
                                       hv.message);
                return -1;
            }
            h->uri = g_strdup_printf("fake://%s", h->spec->name);
        } else {
            const char *uri = uri_for(r, h->spec->name);
            if (!uri) {
                *why = g_strdup_printf("no URI for host %s: give --host "
                                       "%s=URI", h->spec->name,
                                       h->spec->name);
                return -1;
            }
            h->uri = g_strdup(uri);
        }
        if (!(h->conn = open_conn(r, h, &hv)) ||
            !(h->observer = open_conn(r, h, &hv))) {
            *why = g_strdup_printf("cannot connect to %s: %s", h->uri,
                                   hv.message);
            return -1;
        }
        hv_conn_set_hooks(h->conn, &hooks);
        hv_tasks_attach(r->tasks, h->conn);
        h->faults = fault_set_new();
        fault_set_attach(h->faults, h->conn);
        if (!r->fake && r->opt->virt_type)
            cfg.virt_type = (char *)r->opt->virt_type;
        /* how the real hosts reach each other is the machine's fact */
        if (!r->fake && r->opt->migration_uri) {
            cfg.live_migration_uri = (char *)r->opt->migration_uri;
            cfg.cold_migration_uri = (char *)r->opt->migration_uri;
        }
        if (!(h->d = drv_new(&cfg, h->conn, &err))) {
            *why = g_strdup(err.message);
            return -1;
        }
        drv_register_event_listener(h->d, rn_on_lifecycle, h);
        drv_set_vif_plug_hook(h->d, rn_vif_hook, h);
    }
    r->t0 = hv_now(r->hosts[0].conn);
    r->real_base_us = g_get_monotonic_time();
    if (r->opt->test_perturb)
        hv_sleep(r->hosts[0].conn, 1, &hv);
    /* the compute manager starts each host's driver before anything else;
     * a host that answers and refuses fails the scenario (it was reached) */
    for (unsigned int i = 0; i < s->n_hosts; i++) {
        if (drv_init_host(r->hosts[i].d, r->hosts[i].spec->name, &err) < 0) {
            r->failure = g_strdup_printf("init_host %s: %s",
                                         r->hosts[i].spec->name, err.message);
            return 0;
        }
    }

    for (unsigned int i = 0; i < s->n_images; i++) {
        const scn_image *img = &s->images[i];
        hv_vol_spec spec = {.name = img->name,
                            .capacity = img->size_mb << 20,
                            .format = img->format};
        for (unsigned int k = 0; k < s->n_hosts; k++) {
            rhost *h = &r->hosts[k];
            if (img->host && strcmp(img->host, h->spec->name) != 0)
                continue;
            if (hv_vol_create(h->observer, s->config.storage_pool, &spec,
                              &hv) < 0) {
                *why = g_strdup_printf("image %s on %s: %s", img->name,
                                       h->spec->name, hv.message);
                return -1;
            }
        }
    }
    for (unsigned int i = 0; i < s->n_instances; i++) {
        rinst *ri = &r->insts[i];
        fake_guest g;

        ri->spec = &s->instances[i];
        ri->inst = ri->spec->inst;
        ri->host = rn_host_by_name(r, ri->spec->host);
        ri->events = g_ptr_array_new_with_free_func(g_free);
        ri->event_times = g_array_new(FALSE, FALSE, sizeof(int64_t));
        ri->last_id = -1;
        if (r->fake) {
            guest_of(r, ri, &g);
            fake_guest_set(r->w, ri->inst.name, &g);
        } else {
            /* no instance folder made here: spawn makes it through hv, as
             * on the fake (one made beforehand would make instance_on_disk
             * true before spawn and stay behind for an instance never
             * spawned) */
            patch_for_real(r, ri);
        }
    }
    rn_add_call_faults(r);
    if (r->fake)
        rn_schedule_faults(r);
    else
        rn_schedule_real_faults(r);
    return 0;
}

/* ---- the run ---- */

static void
teardown(runner *r)
{
    drv_error err;
    hv_error hv;

    rn_join_all(r);
    rn_stop_real_faults(r);
    for (unsigned int i = 0; r->insts && i < r->s->n_instances; i++) {
        rinst *ri = &r->insts[i];
        if (!r->fake && ri->host && ri->host->d &&
            ri->belief != BELIEF_NEW)
            drv_destroy(ri->host->d, &ri->inst, true, &err);
        /* and what a migration left on another real host */
        if (!r->fake && ri->remains && ri->remains->d &&
            ri->belief != BELIEF_NEW)
            drv_destroy(ri->remains->d, &ri->inst, true, &err);
        if (ri->events)
            g_ptr_array_free(ri->events, TRUE);
        if (ri->event_times)
            g_array_free(ri->event_times, TRUE);
        g_free(ri->props);
        ops_vifs_free(ri->vifs);
    }
    for (unsigned int k = 0; r->hosts && k < r->s->n_hosts; k++) {
        rhost *h = &r->hosts[k];
        /* the images snapshot steps made, then the scenario's */
        if (!r->fake)
            ops_snapshot_cleanup(r->s, h->d);
        if (!r->fake && h->observer)
            for (unsigned int i = 0; i < r->s->n_images; i++)
                hv_vol_delete(h->observer, r->s->config.storage_pool,
                              r->s->images[i].name, &hv);
        drv_free(h->d);
        if (h->faults) {
            fault_set_detach(h->faults, h->conn);
            fault_set_free(h->faults);
        }
        if (h->conn) /* the trace is complete: closing is not traced */
            hv_conn_set_hooks(h->conn, NULL);
        hv_conn_close(h->conn);
        hv_conn_close(h->observer);
        g_free(h->uri);
    }
    g_free(r->hosts);
    g_free(r->insts);
    if (r->bg)
        g_ptr_array_free(r->bg, TRUE);
    hv_tasks_free(r->tasks);
    fake_world_free(r->w);
    g_ptr_array_free(r->timers, TRUE);
    g_hash_table_destroy(r->marks);
    if (r->real)
        g_ptr_array_free(r->real, TRUE);
    g_free(r->real_failure);
    g_mutex_clear(&r->real_lock);
    g_cond_clear(&r->real_cond);
}

/*
 * On libvirt: why a scenario that moves instances between hosts cannot
 * run here (two of its hosts are one libvirt host: a migration to itself
 * means nothing), or NULL (g_free).
 */
static char *
hosts_not_distinct(runner *r)
{
    const scn *s = r->s;
    bool moves = false;

    for (unsigned int i = 0; i < s->n_steps && !moves; i++) {
        const ops_op *d = s->steps[i].kind == SCN_STEP_OP
                              ? ops_op_get(s->steps[i].op) : NULL;

        moves = d && d->there != OPS_THERE_NONE;
    }
    for (unsigned int i = 0; moves && i < s->n_hosts; i++) {
        for (unsigned int k = i + 1; k < s->n_hosts; k++) {
            const char *u = uri_for(r, s->hosts[i].name);
            const char *v = uri_for(r, s->hosts[k].name);

            if (u && v && strcmp(u, v) == 0)
                return g_strdup_printf(
                    "hosts %s and %s are one libvirt host (%s): migrating "
                    "between them needs a second host (--host %s=URI; "
                    "ci/host-b.sh starts one)",
                    s->hosts[i].name, s->hosts[k].name, u,
                    s->hosts[k].name);
        }
    }
    return NULL;
}

static double
wall_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
run_scenario(const scn *s, const run_options *opt, run_result *res)
{
    runner r = {.s = s, .opt = opt};
    const char *backend = opt->backend ? opt->backend : "fake";
    double w0 = wall_now();
    char *why = NULL;
    int ret = 0;

    memset(res, 0, sizeof(*res));
    res->failed_step = -1;
    if (!scn_runs_on(s, backend)) {
        res->skipped = true;
        res->passed = true;
        res->message = g_strdup_printf("does not run on %s", backend);
        return 0;
    }
    r.fake = strcmp(backend, "fake") == 0;
    if (!r.fake && ((why = rn_real_faults_unavailable(s)) ||
                    (why = hosts_not_distinct(&r)))) {
        res->skipped = true;
        res->passed = true;
        res->message = why;
        return 0;
    }
    g_mutex_init(&r.real_lock);
    g_cond_init(&r.real_cond);
    r.trace = trace_writer_new();
    r.timers = g_ptr_array_new_with_free_func(rn_rtimer_free);
    r.marks = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    r.tasks = hv_tasks_new();
    r.bg = g_ptr_array_new();
    if (setup(&r, &why) < 0) {
        res->message = why;
        ret = -1;
        goto out;
    }
    for (unsigned int i = 0; i < s->n_steps && !r.failure; i++) {
        const scn_step *st = &s->steps[i];

        int64_t t_step = rn_trace_time(&r);

        /* -v: when the step starts (the trace's time: virtual on the
         * fake, the wall's on a host), then its result and duration */
        if (opt->verbose)
            fprintf(stderr, "  %9.3f s %s  step %u (line %d): %s%s%s ... ",
                    (double)t_step / 1e9, r.fake ? "virtual" : "wall", i,
                    st->line,
                    st->kind == SCN_STEP_OP     ? scn_op_name(st->op)
                    : st->kind == SCN_STEP_WAIT ? "wait"
                    : st->kind == SCN_STEP_JOIN ? "join"
                                                : scn_check_name(st->check),
                    st->instance ? " " : "", st->instance ? st->instance : "");
        /* a labelled step: what "since" counts from */
        if (st->mark)
            g_hash_table_insert(r.marks, st->mark,
                                g_memdup2(r.calls, sizeof(r.calls)));
        switch (st->kind) {
        case SCN_STEP_OP:
            run_op(&r, i, st);
            break;
        case SCN_STEP_WAIT:
            run_wait(&r, i, st);
            break;
        case SCN_STEP_CHECK:
            run_check(&r, i, st);
            break;
        case SCN_STEP_JOIN:
            run_join(&r, i, st);
            break;
        }
        res->steps_run = i + 1;
        rn_check_real_faults(&r);
        if (!r.failure)
            rn_check_invariants(&r);
        if (r.failure)
            res->failed_step = (int)i;
        if (opt->verbose)
            fprintf(stderr, "%s, took %.3f s\n", r.failure ? "FAILED" : "ok",
                    (double)(rn_trace_time(&r) - t_step) / 1e9);
    }
    /* a run that failed early leaves background tasks: end them first */
    rn_join_all(&r);
    if (!r.failure)
        rn_check_leaks(&r);
    rn_stop_real_faults(&r);
    rn_check_real_faults(&r);
    res->sim_ns = rn_trace_time(&r);
    res->passed = r.failure == NULL;
    res->message = r.failure;
    r.failure = NULL;

out:
    teardown(&r);
    res->trace = trace_writer_steal(r.trace);
    trace_hash(res->trace, res->hash);
    res->wall_s = wall_now() - w0;
    return ret;
}

void
run_result_clear(run_result *res)
{
    g_free(res->message);
    g_free(res->trace);
    memset(res, 0, sizeof(*res));
}
