/*
 * run.c: running one scenario — set-up, steps, checks, invariants, trace.
 */
#include "run.h"

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
#include "trace.h"

typedef struct runner runner;

typedef struct rhost {
    runner *r;
    const scn_host *spec;
    char *uri;
    hv_conn *conn;     /* the driver's: traced and faulted */
    hv_conn *observer; /* the runner's own view, untraced */
    fake_host *fh;     /* fake only */
    fault_set *faults;
    drv *d;
} rhost;

typedef enum { BELIEF_NEW, BELIEF_ALIVE, BELIEF_GONE } belief;

typedef struct rinst {
    const scn_instance *spec;
    drv_instance inst; /* the spec's, image properties patched on libvirt */
    drv_kv *props;     /* owned patched properties, or NULL */
    rhost *host;
    belief belief;
    GPtrArray *events; /* lifecycle names since the last events check */
    int last_id;
} rinst;

/* A timer's argument, owned by the runner (timers only borrow). */
typedef struct rtimer {
    runner *r;
    ops_fault_fn act; /* a timed fault acting, or NULL: confirm a VIF plug */
    rhost *host;
    char *instance; /* owned */
    char *vif;      /* owned */
} rtimer;

/* A timed fault on a libvirt host, acted by the fault thread at wall time
 * (the fake's are timers on its virtual clock instead). */
typedef struct rreal {
    const scn_fault *f;
    const ops_fault *d;
    ops_real_target tg; /* strings borrowed from the scenario and hosts */
    int64_t at_us;      /* monotonic deadlines, g_get_monotonic_time() */
    int64_t end_us;     /* -1: .real_end when the run ends */
    int stage;          /* 0 waiting, 1 acted, 2 undone (or never to be) */
} rreal;

struct runner {
    const scn *s;
    const run_options *opt;
    bool fake;
    sim_world *w;
    rhost *hosts;
    rinst *insts;
    trace_writer *trace;
    int64_t t0;
    unsigned int calls[HV_OP__COUNT];
    GPtrArray *timers; /* rtimer*, owned */
    char *failure;
    /* libvirt: timed faults and the thread that acts them */
    GPtrArray *real;   /* rreal*, owned; NULL when none */
    int64_t real_base_us; /* t0 on g_get_monotonic_time() */
    GThread *real_thread;
    GMutex real_lock;
    GCond real_cond;
    bool real_stop;
    char *real_failure; /* the first fault that could not act */
};

/* ---- trace ---- */

static int64_t
trace_time(runner *r)
{
    return hv_now(r->hosts[0].conn) - r->t0;
}

/* Append one JSON line, stamped with the time; obj is stolen. */
static void
trace_line(runner *r, json_t *obj)
{
    trace_append(r->trace, obj, trace_time(r));
}

static void
hook_after(void *opaque, hv_conn *conn, const hv_call *call, int rc,
           const hv_error *err)
{
    rhost *h = opaque;
    runner *r = h->r;
    json_t *o;

    (void)conn;
    r->calls[call->op]++;
    o = trace_line_new();
    trace_line_set_string(o, "host", h->spec->name);
    trace_line_set_string(o, "call", hv_op_name(call->op));
    if (call->target)
        trace_line_set_string(o, "target", call->target);
    if (call->arg)
        json_object_set_new(o, "arg", json_integer(call->arg));
    if (rc < 0) {
        trace_line_set_string(o, "error", hv_error_code_name(err->code));
        if (err->sys_errno)
            json_object_set_new(o, "errno", json_integer(err->sys_errno));
    }
    trace_line(r, o);
}

static rinst *inst_by_uuid(runner *r, const char *uuid);

static void
hook_event(void *opaque, hv_conn *conn, const hv_event *ev)
{
    rhost *h = opaque;
    json_t *o;
    char *name;

    (void)conn;
    /* a real host may run others' domains: only the scenario's count */
    if (!ev->uuid || !inst_by_uuid(h->r, ev->uuid))
        return;
    o = trace_line_new();
    name = g_strdup_printf("%s/%s", hv_event_type_name(ev->type),
                           hv_event_detail_name(ev->type, ev->detail));
    trace_line_set_string(o, "host", h->spec->name);
    trace_line_set_string(o, "event", name);
    trace_line_set_string(o, "domain", ev->name ? ev->name : "");
    trace_line(h->r, o);
    g_free(name);
}

static rinst *
inst_by_uuid(runner *r, const char *uuid)
{
    for (unsigned int i = 0; i < r->s->n_instances; i++)
        if (strcmp(r->insts[i].inst.uuid, uuid) == 0)
            return &r->insts[i];
    return NULL;
}

static rinst *
inst_by_name(runner *r, const char *name)
{
    for (unsigned int i = 0; i < r->s->n_instances; i++)
        if (strcmp(r->insts[i].spec->name, name) == 0)
            return &r->insts[i];
    return NULL;
}

static rhost *
host_by_name(runner *r, const char *name)
{
    for (unsigned int i = 0; i < r->s->n_hosts; i++)
        if (strcmp(r->hosts[i].spec->name, name) == 0)
            return &r->hosts[i];
    return NULL;
}

static void
on_lifecycle(void *opaque, const drv_lifecycle_event *ev)
{
    rhost *h = opaque;
    rinst *ri = inst_by_uuid(h->r, ev->uuid);
    json_t *o;

    if (!ri)
        return; /* not one of the scenario's instances */
    o = trace_line_new();
    trace_line_set_string(o, "host", h->spec->name);
    trace_line_set_string(o, "lifecycle", drv_event_name(ev->transition));
    trace_line_set_string(o, "instance", ri->spec->name);
    trace_line(h->r, o);
    g_ptr_array_add(ri->events, g_strdup(drv_event_name(ev->transition)));
}

/* ---- the network stand-in and timed faults ---- */

static bool
vif_never_plugged(runner *r, const char *instance, const char *vif)
{
    for (unsigned int i = 0; i < r->s->n_faults; i++) {
        const scn_fault *f = &r->s->faults[i];
        if (ops_fault_get(f->kind)->schedule == OPS_FAULT_ON_VIF_PLUG &&
            strcmp(f->instance, instance) == 0 &&
            (!f->vif || strcmp(f->vif, vif) == 0))
            return true;
    }
    return false;
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
        ri = inst_by_name(r, t->instance);
        if (ri && ri->host)
            drv_external_event(ri->host->d, ri->inst.uuid,
                               "network-vif-plugged", t->vif, &err);
    } else if (t->instance) {
        /* a guest fault acts wherever the instance lives now */
        ri = inst_by_name(r, t->instance);
        if (ri && ri->host && ri->host->fh)
            t->act(ri->host->fh, ri->spec->name);
    } else {
        t->act(t->host->fh, NULL);
    }
}

static void
vif_hook(void *opaque, drv *d, const char *uuid, const char *vif_id)
{
    rhost *h = opaque;
    runner *r = h->r;
    rinst *ri = inst_by_uuid(r, uuid);
    drv_error err;

    if (!ri || vif_never_plugged(r, ri->spec->name, vif_id))
        return;
    if (!r->fake) {
        /* real time cannot be scheduled: confirm at once */
        drv_external_event(d, uuid, "network-vif-plugged", vif_id, &err);
        return;
    }
    sim_schedule(r->w,
                 sim_now(r->w) +
                     (int64_t)(r->s->vif_plug_delay_s * HV_NS_PER_SEC),
                 on_timer, timer_new(r, NULL, h, ri->spec->name, vif_id), 0);
}

static void
schedule_faults(runner *r)
{
    for (unsigned int i = 0; i < r->s->n_faults; i++) {
        const scn_fault *f = &r->s->faults[i];
        rhost *h = f->host ? host_by_name(r, f->host) : NULL;
        const ops_fault *d = ops_fault_get(f->kind);

        if (d->schedule != OPS_FAULT_AT_TIME)
            continue;
        sim_schedule(r->w, scn_ns(f->at_s), on_timer,
                     timer_new(r, d->at, h, f->instance, NULL), 0);
        if (d->end)
            sim_schedule(r->w, scn_ns(f->at_s + f->for_s), on_timer,
                         timer_new(r, d->end, h, f->instance, NULL), 0);
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
static char *
real_faults_unavailable(const scn *s)
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
static void
schedule_real_faults(runner *r)
{
    int64_t base = r->real_base_us;

    for (unsigned int i = 0; i < r->s->n_faults; i++) {
        const scn_fault *f = &r->s->faults[i];
        const ops_fault *d = ops_fault_get(f->kind);
        rinst *ri = f->instance ? inst_by_name(r, f->instance) : NULL;
        rhost *h = ri ? ri->host : f->host ? host_by_name(r, f->host) : NULL;
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
static void
stop_real_faults(runner *r)
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
static void fail(runner *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
check_real_faults(runner *r)
{
    char *why;

    if (!r->real)
        return;
    g_mutex_lock(&r->real_lock);
    why = g_steal_pointer(&r->real_failure);
    g_mutex_unlock(&r->real_lock);
    if (why)
        fail(r, "%s", why);
    g_free(why);
}

/* hv_call faults go to each matching host's fault set. */
static void
add_call_faults(runner *r)
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
        hv_hooks hooks = {.after = hook_after, .event = hook_event,
                          .opaque = h};
        drv_config cfg = s->config;

        h->r = r;
        h->spec = &s->hosts[i];
        if (r->fake) {
            fake_host_spec fs = {.name = h->spec->name,
                                 .vcpus = h->spec->vcpus,
                                 .memory_mib = h->spec->memory_mb,
                                 .storage_pool = cfg.storage_pool,
                                 .disk_gib = h->spec->disk_gb};
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
        h->faults = fault_set_new();
        fault_set_attach(h->faults, h->conn);
        if (!r->fake && r->opt->virt_type)
            cfg.virt_type = (char *)r->opt->virt_type;
        if (!(h->d = drv_new(&cfg, h->conn, &err))) {
            *why = g_strdup(err.message);
            return -1;
        }
        drv_register_event_listener(h->d, on_lifecycle, h);
        drv_set_vif_plug_hook(h->d, vif_hook, h);
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
        ri->host = host_by_name(r, ri->spec->host);
        ri->events = g_ptr_array_new_with_free_func(g_free);
        ri->last_id = -1;
        if (r->fake) {
            guest_of(r, ri, &g);
            fake_guest_set(r->w, ri->inst.name, &g);
        } else {
            char *dir = g_strdup_printf("%s/%s", s->config.instances_path,
                                        ri->inst.uuid);
            patch_for_real(r, ri);
            g_mkdir_with_parents(dir, 0755);
            g_free(dir);
        }
    }
    add_call_faults(r);
    if (r->fake)
        schedule_faults(r);
    else
        schedule_real_faults(r);
    return 0;
}

/* ---- observing ---- */

/* The observer connection of a host, reopened after a lost connection;
 * NULL while the host cannot be reached. */
static hv_conn *
observer(rhost *h)
{
    hv_error hv;

    if (h->observer && hv_conn_is_alive(h->observer, &hv) == 1)
        return h->observer;
    if (h->observer && hv_conn_reconnect(h->observer, &hv) == 0)
        return h->observer;
    return NULL;
}

/* Power state and ID as the runner sees them; false if no domain. */
static bool
observe(rinst *ri, int *state, int *id)
{
    hv_conn *c = observer(ri->host);
    hv_error hv;
    hv_domain *dom;
    hv_domain_info info;
    bool ok;

    if (!c || !(dom = hv_domain_lookup_by_uuid(c, ri->inst.uuid, &hv)))
        return false;
    ok = hv_domain_get_info(dom, &info, &hv) == 0;
    hv_domain_free(dom);
    if (ok) {
        *state = drv_power_state_from_hv(info.state);
        *id = info.id;
    }
    return ok;
}

static void
fail(runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
fail(runner *r, const char *fmt, ...)
{
    va_list ap;

    if (r->failure)
        return;
    va_start(ap, fmt);
    r->failure = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* Volumes on a reachable host that belong to the instance. */
static unsigned int
volumes_of(rhost *h, const char *uuid, const char *pool)
{
    hv_conn *c = observer(h);
    char **names = NULL;
    unsigned int n = 0;
    hv_error hv;

    if (!c || hv_vol_list(c, pool, &names, &hv) < 0)
        return 0;
    for (char **p = names; p && *p; p++)
        if (g_str_has_prefix(*p, uuid))
            n++;
    g_strfreev(names);
    return n;
}

/*
 * Invariants: an alive instance has a domain on exactly one host; a gone
 * one (destroyed, or a failed spawn) has no domain and no volume anywhere.
 * Hosts that cannot be reached are left out.
 */
static void
check_invariants(runner *r)
{
    for (unsigned int i = 0; i < r->s->n_instances && !r->failure; i++) {
        rinst *ri = &r->insts[i];
        unsigned int where = 0, vols = 0;
        bool all_reachable = true;

        if (ri->belief == BELIEF_NEW)
            continue;
        for (unsigned int k = 0; k < r->s->n_hosts; k++) {
            rhost *h = &r->hosts[k];
            hv_conn *c = observer(h);
            hv_domain *dom;
            hv_error hv;

            if (!c) {
                all_reachable = false;
                continue;
            }
            if ((dom = hv_domain_lookup_by_uuid(c, ri->inst.uuid, &hv))) {
                where++;
                hv_domain_free(dom);
            }
            vols += volumes_of(h, ri->inst.uuid, r->s->config.storage_pool);
        }
        if (ri->belief == BELIEF_ALIVE && all_reachable && where != 1)
            fail(r, "invariant: instance %s should be on exactly one host, "
                    "is on %u", ri->spec->name, where);
        if (ri->belief == BELIEF_GONE && (where || vols))
            fail(r, "invariant: instance %s is gone but left %u domain(s) "
                    "and %u volume(s)", ri->spec->name, where, vols);
    }
}

/* Nothing leaked at the end: every domain and volume is accounted for. */
static void
check_leaks(runner *r)
{
    for (unsigned int k = 0; k < r->s->n_hosts && !r->failure; k++) {
        rhost *h = &r->hosts[k];
        hv_conn *c = observer(h);
        hv_domain **doms = NULL;
        char **vols = NULL;
        hv_error hv;
        int n;

        if (!c)
            continue;
        n = hv_domain_list(c, HV_LIST_ALL, &doms, &hv);
        for (int i = 0; i < n; i++) {
            rinst *ri = inst_by_uuid(r, hv_domain_uuid(doms[i]));
            if (!r->fake && !ri)
                continue; /* a real host may hold others' domains */
            if (!ri || ri->belief != BELIEF_ALIVE)
                fail(r, "leak: domain %s on host %s belongs to no live "
                        "instance", hv_domain_name(doms[i]), h->spec->name);
        }
        hv_domain_list_free(doms, n);
        if (hv_vol_list(c, r->s->config.storage_pool, &vols, &hv) == 0) {
            for (char **p = vols; *p; p++) {
                bool known = false;
                for (unsigned int i = 0; i < r->s->n_images; i++)
                    known |= strcmp(r->s->images[i].name, *p) == 0;
                for (unsigned int i = 0; i < r->s->n_instances; i++)
                    known |= g_str_has_prefix(*p, r->insts[i].inst.uuid) &&
                             r->insts[i].belief == BELIEF_ALIVE;
                /* on a real host, only the scenario's own uuids count */
                bool ours = r->fake;
                for (unsigned int i = 0; !ours && i < r->s->n_instances; i++)
                    ours = g_str_has_prefix(*p, r->insts[i].inst.uuid);
                if (!known && ours)
                    fail(r, "leak: volume %s on host %s belongs to no live "
                            "instance", *p, h->spec->name);
            }
            g_strfreev(vols);
        }
    }
}

/* ---- steps ---- */

/* Let a test break the world behind the driver's back (run_options). */
static void
test_after_step(runner *r, unsigned int idx)
{
    if (r->fake && r->opt->test_after_step)
        r->opt->test_after_step(r->opt->test_opaque, r->w, idx);
}

/* The power state the contract leaves after d succeeded: a
 * drv_power_state, -2 for "RUNNING or as it was", -1 for unchecked. */
static int
expected_state(const ops_op *d, const scn_step *st)
{
    switch (d->after) {
    case OPS_AFTER_STATE:
        return d->state;
    case OPS_AFTER_BY_POWER_ON:
        return st->power_on ? DRV_POWER_RUNNING : DRV_POWER_SHUTDOWN;
    case OPS_AFTER_RUNNING_OR_AS_WAS:
        return -2;
    case OPS_AFTER_UNCHECKED:
        break;
    }
    return -1;
}

static void
update_belief(rinst *ri, ops_belief b)
{
    switch (b) {
    case OPS_BELIEF_ALIVE:
        ri->belief = BELIEF_ALIVE;
        break;
    case OPS_BELIEF_GONE:
        ri->belief = BELIEF_GONE;
        break;
    case OPS_BELIEF_GONE_UNLESS_ALIVE:
        if (ri->belief != BELIEF_ALIVE)
            ri->belief = BELIEF_GONE;
        break;
    case OPS_BELIEF_KEEP:
        break;
    }
}

static int
do_op(const scn_step *st, rinst *ri, rhost *h, drv_error *err)
{
    const ops_op *d = ops_op_get(st->op);

    if (!d || !d->call) {
        drv_error_set(err, DRV_ERR_NOT_SUPPORTED, "unknown step operation");
        return -1;
    }
    return d->call(h->d, ri ? &ri->inst : NULL, st, h->spec->name, err);
}

static void
run_op(runner *r, unsigned int idx, const scn_step *st)
{
    const ops_op *desc = ops_op_get(st->op);
    rinst *ri = st->instance ? inst_by_name(r, st->instance) : NULL;
    rhost *h = ri ? ri->host : host_by_name(r, st->host);
    drv_error err;
    drv_error_kind got;
    int rc, want_state, state = -1, id = -1;
    json_t *o;

    drv_error_reset(&err);
    rc = do_op(st, ri, h, &err);
    test_after_step(r, idx);
    got = rc == 0 ? DRV_OK : err.kind;
    o = trace_line_new();
    json_object_set_new(o, "step", json_integer(idx));
    trace_line_set_string(o, "op", scn_op_name(st->op));
    if (ri)
        trace_line_set_string(o, "instance", ri->spec->name);
    trace_line_set_string(o, "result",
                          rc == 0 ? "ok" : drv_error_kind_name(got));
    json_object_set_new(o, "pass", json_boolean(got == st->expect));
    trace_line(r, o);
    if (got != st->expect) {
        fail(r, "step %u (line %d) %s%s%s: expected %s, got %s%s%s", idx,
             st->line, scn_op_name(st->op), ri ? " " : "",
             ri ? ri->spec->name : "",
             st->expect == DRV_OK ? "ok" : drv_error_kind_name(st->expect),
             rc == 0 ? "ok" : drv_error_kind_name(got), rc == 0 ? "" : ": ",
             rc == 0 ? "" : err.message);
        return;
    }
    if (!ri)
        return;
    /* what the runner now believes */
    update_belief(ri, rc == 0 ? desc->on_ok : desc->on_error);
    /* a successful operation leaves the power state the contract says */
    want_state = rc == 0 ? expected_state(desc, st) : -1;
    if (want_state == -2 && observe(ri, &state, &id) &&
        state != DRV_POWER_RUNNING && state != DRV_POWER_PAUSED &&
        state != DRV_POWER_SUSPENDED)
        fail(r, "step %u (line %d) %s %s: the contract leaves it RUNNING "
                "(or as it was, paused or suspended), it is %s", idx,
             st->line, scn_op_name(st->op), ri->spec->name,
             drv_power_state_name(state));
    if (want_state >= 0 && observe(ri, &state, &id)) {
        if (state != want_state)
            fail(r, "step %u (line %d) %s %s: the contract leaves it %s, "
                    "it is %s", idx, st->line, scn_op_name(st->op),
                 ri->spec->name, drv_power_state_name(want_state),
                 drv_power_state_name(state));
    }
    if (desc->id_baseline && rc == 0 && observe(ri, &state, &id))
        ri->last_id = id;
}

static char *
join_events(GPtrArray *a)
{
    GString *s = g_string_new("[");

    for (guint i = 0; i < a->len; i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               (char *)g_ptr_array_index(a, i));
    g_string_append_c(s, ']');
    return g_string_free(s, FALSE);
}

/* Deliver what has happened so far, on every host, before a check. */
static void
flush_events(runner *r)
{
    drv_error err;

    for (unsigned int k = 0; k < r->s->n_hosts; k++)
        drv_wait(r->hosts[k].d, 0, &err);
}

static void
run_check(runner *r, unsigned int idx, const scn_step *st)
{
    rinst *ri = st->instance ? inst_by_name(r, st->instance) : NULL;
    rhost *h = st->host ? host_by_name(r, st->host) : (ri ? ri->host : NULL);
    int state = -1, id = -1;
    bool present;
    char *have = NULL;
    json_t *o;
    char *before = r->failure;

    test_after_step(r, idx);
    flush_events(r);
    switch (st->check) {
    case SCN_CHECK_STATE:
        present = observe(ri, &state, &id);
        if (!present || state != st->state)
            fail(r, "step %u (line %d) check state %s: expected %s, is %s",
                 idx, st->line, ri->spec->name,
                 drv_power_state_name(st->state),
                 present ? drv_power_state_name(state) : "no domain");
        if (present)
            ri->last_id = id;
        break;
    case SCN_CHECK_ID_CHANGED:
        present = observe(ri, &state, &id);
        if (!present || (id != ri->last_id) != st->changed)
            fail(r, "step %u (line %d) check id_changed %s: expected the ID "
                    "%s, it went %d -> %d", idx, st->line, ri->spec->name,
                 st->changed ? "to change" : "to stay", ri->last_id, id);
        ri->last_id = id;
        break;
    case SCN_CHECK_EVENTS: {
        GPtrArray *want = g_ptr_array_new();
        char *wants;
        for (char **e = st->events; e && *e; e++)
            g_ptr_array_add(want, *e);
        wants = join_events(want);
        have = join_events(ri->events);
        if (strcmp(wants, have) != 0)
            fail(r, "step %u (line %d) check events %s: expected %s, saw %s",
                 idx, st->line, ri->spec->name, wants, have);
        g_ptr_array_set_size(ri->events, 0);
        g_ptr_array_free(want, TRUE);
        g_free(wants);
        break;
    }
    case SCN_CHECK_RESOURCES: {
        drv_resources res;
        drv_error err;
        if (drv_get_available_resource(h->d, &res, &err) < 0) {
            fail(r, "step %u (line %d) check resources %s: %s", idx,
                 st->line, h->spec->name, err.message);
            break;
        }
#define RES_CHECK(field)                                                      \
    if (st->field >= 0 && (int64_t)res.field != st->field)                    \
        fail(r, "step %u (line %d) check resources %s: expected " #field      \
                " %lld, reported %lld", idx, st->line, h->spec->name,          \
             (long long)st->field, (long long)res.field);
        RES_CHECK(vcpus)
        RES_CHECK(vcpus_used)
        RES_CHECK(memory_mb)
        RES_CHECK(memory_mb_used)
        RES_CHECK(local_gb_used)
#undef RES_CHECK
        break;
    }
    case SCN_CHECK_CALLS: {
        unsigned int n = r->calls[st->call_op];
        if ((int)n < st->call_min || (int)n > st->call_max)
            fail(r, "step %u (line %d) check calls %s: expected %d..%d, "
                    "counted %u", idx, st->line, hv_op_name(st->call_op),
                 st->call_min, st->call_max, n);
        break;
    }
    case SCN_CHECK_HOST_ENABLED:
        if (drv_host_enabled(h->d) != st->enabled)
            fail(r, "step %u (line %d) check host_enabled %s: expected %s",
                 idx, st->line, h->spec->name,
                 st->enabled ? "enabled" : "disabled");
        break;
    case SCN_CHECK_EXISTS:
        present = observe(ri, &state, &id);
        if (present != st->exists)
            fail(r, "step %u (line %d) check exists %s: expected it %s", idx,
                 st->line, ri->spec->name,
                 st->exists ? "to exist" : "to be gone");
        break;
    }
    o = trace_line_new();
    json_object_set_new(o, "step", json_integer(idx));
    trace_line_set_string(o, "check", scn_check_name(st->check));
    if (ri)
        trace_line_set_string(o, "instance", ri->spec->name);
    json_object_set_new(o, "pass", json_boolean(r->failure == before));
    trace_line(r, o);
    g_free(have);
}

/* Let time pass on every host's driver (the first drives the clock). */
static void
run_wait(runner *r, unsigned int idx, const scn_step *st)
{
    drv_error err;
    json_t *o = trace_line_new();

    json_object_set_new(o, "step", json_integer(idx));
    json_object_set_new(o, "wait", json_real(st->seconds));
    trace_line(r, o);
    drv_wait(r->hosts[0].d, scn_ns(st->seconds), &err);
    for (unsigned int k = 1; k < r->s->n_hosts; k++)
        drv_wait(r->hosts[k].d, 0, &err);
    test_after_step(r, idx);
}

/* ---- the run ---- */

static void
teardown(runner *r)
{
    drv_error err;
    hv_error hv;

    stop_real_faults(r);
    for (unsigned int i = 0; r->insts && i < r->s->n_instances; i++) {
        rinst *ri = &r->insts[i];
        if (!r->fake && ri->host && ri->host->d &&
            ri->belief != BELIEF_NEW)
            drv_destroy(ri->host->d, &ri->inst, true, &err);
        if (ri->events)
            g_ptr_array_free(ri->events, TRUE);
        g_free(ri->props);
    }
    for (unsigned int k = 0; r->hosts && k < r->s->n_hosts; k++) {
        rhost *h = &r->hosts[k];
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
    fake_world_free(r->w);
    g_ptr_array_free(r->timers, TRUE);
    if (r->real)
        g_ptr_array_free(r->real, TRUE);
    g_free(r->real_failure);
    g_mutex_clear(&r->real_lock);
    g_cond_clear(&r->real_cond);
}

static void
rtimer_free(void *p)
{
    rtimer *t = p;

    g_free(t->instance);
    g_free(t->vif);
    g_free(t);
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
    if (!r.fake && (why = real_faults_unavailable(s))) {
        res->skipped = true;
        res->passed = true;
        res->message = why;
        return 0;
    }
    g_mutex_init(&r.real_lock);
    g_cond_init(&r.real_cond);
    r.trace = trace_writer_new();
    r.timers = g_ptr_array_new_with_free_func(rtimer_free);
    if (setup(&r, &why) < 0) {
        res->message = why;
        ret = -1;
        goto out;
    }
    for (unsigned int i = 0; i < s->n_steps && !r.failure; i++) {
        const scn_step *st = &s->steps[i];

        int64_t t_step = trace_time(&r);

        /* -v: when the step starts (the trace's time: virtual on the
         * fake, the wall's on a host), then its result and duration */
        if (opt->verbose)
            fprintf(stderr, "  %9.3f s %s  step %u (line %d): %s%s%s ... ",
                    (double)t_step / 1e9, r.fake ? "virtual" : "wall", i,
                    st->line,
                    st->kind == SCN_STEP_OP     ? scn_op_name(st->op)
                    : st->kind == SCN_STEP_WAIT ? "wait"
                                                : scn_check_name(st->check),
                    st->instance ? " " : "", st->instance ? st->instance : "");
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
        }
        res->steps_run = i + 1;
        check_real_faults(&r);
        if (!r.failure)
            check_invariants(&r);
        if (r.failure)
            res->failed_step = (int)i;
        if (opt->verbose)
            fprintf(stderr, "%s, took %.3f s\n", r.failure ? "FAILED" : "ok",
                    (double)(trace_time(&r) - t_step) / 1e9);
    }
    if (!r.failure)
        check_leaks(&r);
    stop_real_faults(&r);
    check_real_faults(&r);
    res->sim_ns = trace_time(&r);
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
