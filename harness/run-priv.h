/*
 * run-priv.h: what the runner's own files share. Not installed; callers
 * use run.h.
 *
 * The runner is one object (struct runner, below) and one file per concern:
 *   run.c        run_scenario, set-up (hosts, connections, drivers, guests,
 *                the patch for real hosts), teardown, lookups
 *   run-trace.c  trace time and lines; the hv hooks and lifecycle listener
 *   run-fault.c  VIF confirmations and timed faults (fake timers, the
 *                libvirt fault thread), hv_call fault rules
 *   run-step.c   operation and wait steps
 *   run-check.c  observing, failing, check steps, invariants, leaks
 */
#ifndef HVD_RUN_PRIV_H
#define HVD_RUN_PRIV_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "drv.h"
#include "fake.h"
#include "fault.h"
#include "hv.h"
#include "ops.h"
#include "run.h"
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
    /* owned network_info once an interface step changed it (inst.vifs
     * then points here; entries until one with a NULL id), or NULL */
    drv_vif *vifs;
    rhost *host;
    belief belief;
    /* destroyed with destroy_disks false: its volumes stay on purpose */
    bool disks_kept;
    GPtrArray *events; /* lifecycle names since the last events check */
    GArray *event_times; /* int64_t trace time of each, parallel */
    int last_id;
    /* another host allowed to hold what the instance left there (a resize
     * not yet confirmed, the host it was evacuated from), or NULL */
    rhost *remains;
    /* the flavor a resize replaced, for its revert (names borrowed) */
    drv_flavor saved_flavor;
    /* background operations on it in flight: its invariants wait */
    unsigned int busy;
} rinst;

/* An operation step's outcome: what the driver call gave, when. */
typedef struct routcome {
    int rc;
    drv_error err;
    json_t *answer;  /* a query's or flow's answer (owned), or NULL */
    ops_moved moved; /* a flow's */
    int64_t t_end;   /* trace time it returned */
} routcome;

/* A step's operation running as a background task. */
typedef struct rtask {
    runner *r;
    unsigned int idx;
    const scn_step *st;
    rinst *ri;
    rhost *h, *there;
    hv_task *task;
    routcome out;
} rtask;

/* A timer's argument, owned by the runner (timers only borrow). */
typedef struct rtimer {
    runner *r;
    ops_fault_fn act; /* a timed fault acting, or NULL: confirm a VIF plug */
    const scn_fault *f; /* the fault acting (borrowed), or NULL */
    rhost *host;
    char *instance; /* owned */
    char *vif;      /* owned */
    bool failed;    /* a VIF confirmation: the plug failed */
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
    /* step label -> the calls counted when that step began (a copy of
     * calls, g_free'd); for "since" */
    GHashTable *marks;
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
    /* operations side by side: every host's driver connection is
     * attached; background steps are tasks of it */
    hv_tasks *tasks;
    GPtrArray *bg; /* rtask*, owned, until joined */
};

/* ---- run.c ---- */

/* The scenario's instance with this uuid, or NULL. */
rinst *rn_inst_by_uuid(runner *r, const char *uuid);
/* The scenario's instance with this name, or NULL. */
rinst *rn_inst_by_name(runner *r, const char *name);
/* The scenario's host with this name, or NULL. */
rhost *rn_host_by_name(runner *r, const char *name);

/* ---- run-trace.c ---- */

/* Time since the run's t0 on the first host's clock, in ns. */
int64_t rn_trace_time(runner *r);
/* Append one JSON line, stamped with the time; obj is stolen. */
void rn_trace_line(runner *r, json_t *obj);
/* hv hook after each traced call (opaque: the rhost): counts and traces. */
void rn_hook_after(void *opaque, hv_conn *conn, const hv_call *call, int rc,
                   const hv_error *err);
/* hv hook for each event (opaque: the rhost): traces the scenario's. */
void rn_hook_event(void *opaque, hv_conn *conn, const hv_event *ev);
/* The driver's lifecycle listener (opaque: the rhost): traces, records. */
void rn_on_lifecycle(void *opaque, const drv_lifecycle_event *ev);

/* ---- run-fault.c ---- */

/* The driver's VIF plug hook (opaque: the rhost): confirms the plug. */
void rn_vif_hook(void *opaque, drv *d, const char *uuid, const char *vif_id);
/* Schedule the timed faults as timers on the fake's virtual clock. */
void rn_schedule_faults(runner *r);
/* Why the scenario's timed faults cannot act on libvirt here, or NULL. */
char *rn_real_faults_unavailable(const scn *s);
/* Start the fault thread; times count from the run's t0. */
void rn_schedule_real_faults(runner *r);
/* Stop the fault thread: what a fault did is undone before it returns. */
void rn_stop_real_faults(runner *r);
/* A fault that could not act fails the run. */
void rn_check_real_faults(runner *r);
/* hv_call faults go to each matching host's fault set. */
void rn_add_call_faults(runner *r);
/* Free an rtimer (the runner's timers array's free function). */
void rn_rtimer_free(void *p);

/* ---- run-step.c ---- */

/* Let a test break the world behind the driver's back (run_options). */
void rn_test_after_step(runner *r, unsigned int idx);
/* Run an operation step: its result, belief and power state. */
void run_op(runner *r, unsigned int idx, const scn_step *st);
/* Let time pass on every host's driver (the first drives the clock). */
void run_wait(runner *r, unsigned int idx, const scn_step *st);
/* Wait for a background operation, then check its outcome. */
void run_join(runner *r, unsigned int idx, const scn_step *st);
/* Join what still runs (a run that failed before its join steps), so that
 * nothing outlives the run; outcomes are not checked. */
void rn_join_all(runner *r);

/* ---- run-check.c ---- */

/* Power state and ID as the runner sees them; false if no domain. */
bool rn_observe(rinst *ri, int *state, int *id);
/* Why time t (ns since t0) is not the time w says, or NULL (g_free):
 * "at 12.000 s, expected 12.5 s +- 0 s". */
char *rn_when_mismatch(runner *r, const scn_when *w, int64_t t);
/* Record the run's failure; the first one wins. */
void rn_fail(runner *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Run a check step and trace its result. */
void run_check(runner *r, unsigned int idx, const scn_step *st);
/* Fail on an instance in more or fewer places than believed. */
void rn_check_invariants(runner *r);
/* Nothing leaked at the end: every domain and volume is accounted for. */
void rn_check_leaks(runner *r);

#endif /* HVD_RUN_PRIV_H */
