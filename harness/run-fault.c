/*
 * run-fault.c: faults — the network stand-in's VIF confirmations and timed
 * faults as timers on the fake's virtual clock, timed faults on libvirt
 * acted by a thread of their own at wall time, and hv_call fault rules.
 */
#include "run-priv.h"

#include <glib.h>
#include <string.h>

#include "fake.h"
#include "fault.h"
#include "ops.h"

/* ---- the network stand-in and timed faults on the fake ---- */

/* The first VIF fault on this VIF of the instance, or NULL: the network
 * then never answers (vif_never_plugged) or answers that the plug failed
 * (vif_plug_failed). */
static const scn_fault *
vif_fault(runner *r, const char *instance, const char *vif)
{
    for (unsigned int i = 0; i < r->s->n_faults; i++) {
        const scn_fault *f = &r->s->faults[i];
        if (ops_fault_get(f->kind)->schedule == OPS_FAULT_ON_VIF_PLUG &&
            strcmp(f->instance, instance) == 0 &&
            (!f->vif || strcmp(f->vif, vif) == 0))
            return f;
    }
    return NULL;
}

/* Neutron's event for a plug: status completed, or failed. */
static const char *
vif_event_name(bool failed)
{
    return failed ? "network-vif-plugged:failed" : "network-vif-plugged";
}

static rtimer *
timer_new(runner *r, ops_fault_fn act, rhost *h, const char *instance,
          const char *vif)
{
    rtimer *t = g_new0(rtimer, 1);

    t->r = r;
    t->act = act;
    t->host = h;
    t->instance = g_strdup(instance);
    t->vif = g_strdup(vif);
    g_ptr_array_add(r->timers, t);
    return t;
}

static void
on_timer(sim_world *w, void *a, uint64_t b)
{
    rtimer *t = a;
    runner *r = t->r;
    rinst *ri;
    drv_error err;

    (void)w;
    (void)b;
    if (!t->act) {
        ri = rn_inst_by_name(r, t->instance);
        if (ri && ri->host)
            drv_external_event(ri->host->d, ri->inst.uuid,
                               vif_event_name(t->failed), t->vif, &err);
    } else if (t->instance) {
        /* a guest fault acts wherever the instance lives now */
        ri = rn_inst_by_name(r, t->instance);
        if (ri && ri->host && ri->host->fh)
            t->act(ri->host->fh, ri->spec->name, t->f);
    } else {
        t->act(t->host->fh, NULL, t->f);
    }
}

void
rn_vif_hook(void *opaque, drv *d, const char *uuid, const char *vif_id)
{
    rhost *h = opaque;
    runner *r = h->r;
    rinst *ri = rn_inst_by_uuid(r, uuid);
    const scn_fault *f;
    bool failed;
    rtimer *t;
    drv_error err;

    if (!ri)
        return;
    f = vif_fault(r, ri->spec->name, vif_id);
    if (f && f->kind == SCN_FAULT_VIF_NEVER_PLUGGED)
        return;
    failed = f && f->kind == SCN_FAULT_VIF_PLUG_FAILED;
    if (!r->fake) {
        /* real time cannot be scheduled: answer at once */
        drv_external_event(d, uuid, vif_event_name(failed), vif_id, &err);
        return;
    }
    t = timer_new(r, NULL, h, ri->spec->name, vif_id);
    t->failed = failed;
    sim_schedule(r->w,
                 sim_now(r->w) +
                     (int64_t)(r->s->vif_plug_delay_s * HV_NS_PER_SEC),
                 on_timer, t, 0);
}

void
rn_schedule_faults(runner *r)
{
    for (unsigned int i = 0; i < r->s->n_faults; i++) {
        const scn_fault *f = &r->s->faults[i];
        rhost *h = f->host ? rn_host_by_name(r, f->host) : NULL;
        const ops_fault *d = ops_fault_get(f->kind);

        if (d->schedule != OPS_FAULT_AT_TIME)
            continue;
        rtimer *t = timer_new(r, d->at, h, f->instance, NULL);

        t->f = f;
        sim_schedule(r->w, scn_ns(f->at_s), on_timer, t, 0);
        if (d->end) {
            t = timer_new(r, d->end, h, f->instance, NULL);
            t->f = f;
            sim_schedule(r->w, scn_ns(f->at_s + f->for_s), on_timer, t, 0);
        }
    }
}

/* ---- timed faults on libvirt: wall time, a thread of their own ---- */

static void
real_act(runner *r, rreal *x, bool end)
{
    ops_real_fn fn = end ? x->d->real_end : x->d->real_at;
    char *why = NULL;

    if (fn && fn(&x->tg, &why) < 0) {
        g_mutex_lock(&r->real_lock);
        if (!r->real_failure)
            r->real_failure = g_strdup_printf(
                "fault %s (%s%s) %s at %.1f s: %s", x->d->name,
                x->tg.domain ? "instance " : "host ",
                x->tg.domain ? x->f->instance : x->tg.host,
                end ? "ending" : "acting",
                (double)(g_get_monotonic_time() - x->at_us) / 1e6 +
                    (end ? x->f->at_s + x->f->for_s : x->f->at_s),
                why ? why : "failed");
        g_mutex_unlock(&r->real_lock);
    }
    g_free(why);
}

static gpointer
real_thread(gpointer p)
{
    runner *r = p;

    g_mutex_lock(&r->real_lock);
    for (;;) {
        rreal *next = NULL;
        int64_t when = 0, now;

        for (guint i = 0; i < r->real->len; i++) {
            rreal *x = g_ptr_array_index(r->real, i);
            int64_t t = x->stage == 0                       ? x->at_us
                        : x->stage == 1 && x->end_us >= 0   ? x->end_us
                                                            : -1;
            if (t >= 0 && (!next || t < when)) {
                next = x;
                when = t;
            }
        }
        if (r->real_stop)
            break;
        now = g_get_monotonic_time();
        if (!next) {
            g_cond_wait(&r->real_cond, &r->real_lock);
            continue;
        }
        if (now < when) {
            g_cond_wait_until(&r->real_cond, &r->real_lock, when);
            continue;
        }
        g_mutex_unlock(&r->real_lock);
        real_act(r, next, next->stage == 1);
        g_mutex_lock(&r->real_lock);
        next->stage++;
    }
    /* the run ends: undo what was done and not yet undone */
    for (guint i = 0; i < r->real->len; i++) {
        rreal *x = g_ptr_array_index(r->real, i);
        if (x->stage != 1)
            continue;
        g_mutex_unlock(&r->real_lock);
        real_act(r, x, true);
        g_mutex_lock(&r->real_lock);
        x->stage = 2;
    }
    g_mutex_unlock(&r->real_lock);
    return NULL;
}

/* Why the scenario's timed faults cannot act on libvirt here, or NULL. */
char *
rn_real_faults_unavailable(const scn *s)
{
    for (unsigned int i = 0; i < s->n_faults; i++) {
        const ops_fault *d = ops_fault_get(s->faults[i].kind);
        const char *why;

        if (d->schedule != OPS_FAULT_AT_TIME)
            continue;
        if (!d->real_at)
            return g_strdup_printf("fault %s acts only on the fake",
                                   d->name);
        if (d->real_unavailable &&
            (why = d->real_unavailable(s, &s->faults[i])))
            return g_strdup_printf("fault %s on libvirt %s", d->name, why);
    }
    return NULL;
}

/* Start the fault thread; times count from the run's t0. */
void
rn_schedule_real_faults(runner *r)
{
    int64_t base = r->real_base_us;

    for (unsigned int i = 0; i < r->s->n_faults; i++) {
        const scn_fault *f = &r->s->faults[i];
        const ops_fault *d = ops_fault_get(f->kind);
        rinst *ri = f->instance ? rn_inst_by_name(r, f->instance) : NULL;
        rhost *h = ri        ? ri->host
                   : f->host ? rn_host_by_name(r, f->host)
                             : NULL;
        rreal *x;

        if (d->schedule != OPS_FAULT_AT_TIME || !h)
            continue;
        x = g_new0(rreal, 1);
        x->f = f;
        x->d = d;
        x->tg = (ops_real_target){.host = h->spec->name,
                                  .uri = h->uri,
                                  .domain = ri ? ri->inst.name : NULL,
                                  .pool = r->s->config.storage_pool};
        x->at_us = base + scn_ns(f->at_s) / 1000;
        x->end_us = d->end || f->for_s > 0
                        ? base + scn_ns(f->at_s + f->for_s) / 1000
                        : -1;
        if (!r->real)
            r->real = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(r->real, x);
    }
    if (r->real)
        r->real_thread = g_thread_new("hvd-faults", real_thread, r);
}

/* Stop the fault thread: what a fault did is undone before it returns. */
void
rn_stop_real_faults(runner *r)
{
    if (!r->real_thread)
        return;
    g_mutex_lock(&r->real_lock);
    r->real_stop = true;
    g_cond_signal(&r->real_cond);
    g_mutex_unlock(&r->real_lock);
    g_thread_join(r->real_thread);
    r->real_thread = NULL;
}

/* A fault that could not act fails the run. */
void
rn_check_real_faults(runner *r)
{
    char *why;

    if (!r->real)
        return;
    g_mutex_lock(&r->real_lock);
    why = g_steal_pointer(&r->real_failure);
    g_mutex_unlock(&r->real_lock);
    if (why)
        rn_fail(r, "%s", why);
    g_free(why);
}

/* hv_call faults go to each matching host's fault set. */
void
rn_add_call_faults(runner *r)
{
    for (unsigned int i = 0; i < r->s->n_faults; i++) {
        const scn_fault *f = &r->s->faults[i];
        fault_rule rule = {
            .op = f->op,
            .target = f->target,
            .nth = f->nth,
            .count = f->count,
            /* the scenario's 1 is "always", the fault layer's 0 */
            .probability = f->probability >= 1.0 ? 0.0 : f->probability,
            .code = f->code,
            .sys_errno = f->sys_errno,
            .stall_ns = scn_ns(f->stall_s),
        };

        if (ops_fault_get(f->kind)->schedule != OPS_FAULT_ON_HV_CALL ||
            f->probability <= 0.0)
            continue; /* probability 0: the fault never happens */
        for (unsigned int k = 0; k < r->s->n_hosts; k++)
            if (!f->host || strcmp(f->host, r->hosts[k].spec->name) == 0)
                fault_set_add(r->hosts[k].faults, &rule);
    }
}

void
rn_rtimer_free(void *p)
{
    rtimer *t = p;

    g_free(t->instance);
    g_free(t->vif);
    g_free(t);
}
