/*
 * ops.h: what a scenario can ask for — one descriptor table for scenario
 * operations and one for fault kinds, each filled by field name (like
 * hv_backend), indexed by scn_op / scn_fault_kind.
 *
 * The parser (scn.c) reads names, keys, targets and arguments from these
 * tables; the runner (run.c) reads the behaviour: the driver call, the
 * power state a successful operation leaves, what the compute manager
 * then believes, how a fault is scheduled and what it does. Both depend
 * on this module, not on each other, so data still flows scn -> run.
 *
 * Adding a scenario operation: an SCN_OP_ value in scn.h, an entry in
 * op_table[] and its call function in ops.c (and its documentation in
 * docs/scenarios.md). Adding a fault kind: an SCN_FAULT_ value in scn.h,
 * an entry in fault_table[] and the function that applies it, in ops.c.
 *
 * Everything here is static, constant data; nothing to free.
 */
#ifndef HVD_OPS_H
#define HVD_OPS_H

#include <jansson.h>
#include <stdbool.h>

#include "drv.h"
#include "hv.h"
#include "scn.h"

/* The fake's host and guest (fake.h), named here only through pointers:
 * the behaviour of a fault kind acts on them, but the parser reads these
 * tables too and must not depend on the fake. ops.c and run.c, which call
 * through the pointers, include fake.h. */
struct fake_host;
struct fake_guest;

/* ---- scenario operations ---- */

/* What an operation step names. */
typedef enum {
    OPS_TARGET_INSTANCE, /* "instance": one of the scenario's instances */
    OPS_TARGET_HOST,     /* "host": one of the scenario's hosts */
} ops_target;

/* The second host a migration operation involves. */
typedef enum {
    OPS_THERE_NONE = 0,
    OPS_THERE_DEST,    /* the step's "dest" (required) */
    OPS_THERE_REMAINS, /* the host holding what the instance left behind
                          (a resize not yet confirmed, an evacuated
                          source): the runner knows it */
} ops_there;

/* What a migration flow did, for the runner's beliefs. */
typedef enum {
    OPS_MOVED_NOT = 0,  /* still where it was, nothing left elsewhere */
    OPS_MOVED_THERE,    /* now on "there"; nothing left on the old host */
    OPS_MOVED_THERE_REMAINS, /* now on "there"; its remains on the old
                          host until a later step removes them */
    OPS_MOVED_REMAINS_GONE, /* where it was; the remains elsewhere gone */
    OPS_MOVED_BACK,     /* back on "there" (its remains host); nothing left
                          on the host it was on */
    OPS_MOVED_REMAINS_THERE, /* still where it was; what a failed flow
                          made on "there" stays (the manager does not
                          clean it up) */
} ops_moved;

/*
 * A compute-manager flow over two hosts (ops-migrate.c), or over one that
 * changes the runner's instance (ops-iface.c: there NULL, .there
 * OPS_THERE_NONE): the instance's driver (here), the other host's (there), the runner's copy of the
 * instance (inst: a flow that changes its flavor changes it there; saved
 * keeps the flavor a revert restores; vifs, below). Sets *answer (new reference or
 * NULL) and *moved. Returns 0, or -1 with err set.
 */
typedef struct ops_flow {
    drv *here, *there;
    const char *here_name, *there_name;
    drv_instance *inst;
    drv_flavor *saved;
    /* the runner's own network_info array (ops-iface.c): NULL while
     * inst->vifs is the scenario's; a flow that changes the VIFs puts its
     * array here and frees the one it replaces */
    drv_vif **vifs;
    const scn_step *st;
    json_t *answer;
    ops_moved moved;
} ops_flow;
typedef int (*ops_flow_fn)(ops_flow *f, drv_error *err);

/* The power state a successful operation leaves, checked by the runner. */
typedef enum {
    OPS_AFTER_UNCHECKED = 0,     /* nothing to check (queries, destroy...) */
    OPS_AFTER_STATE,             /* exactly .state */
    OPS_AFTER_BY_POWER_ON,       /* RUNNING, or SHUTDOWN if power_on false */
    OPS_AFTER_RUNNING_OR_AS_WAS, /* RUNNING, or still PAUSED/SUSPENDED */
} ops_after;

/* What the runner believes of the instance after the step's outcome
 * matched its "expect". */
typedef enum {
    OPS_BELIEF_KEEP = 0,         /* unchanged */
    OPS_BELIEF_ALIVE,            /* it lives on its host */
    OPS_BELIEF_GONE,             /* nothing of it is left anywhere */
    OPS_BELIEF_GONE_UNLESS_ALIVE,/* a failure that must leave nothing
                                    behind, unless it already lived */
} ops_belief;

/*
 * The driver call of an operation: d is the driver of the target host,
 * inst the instance (NULL for host operations), host the host's name.
 * Returns what the driver returns (0, or -1 with err set).
 */
typedef int (*ops_call_fn)(drv *d, const drv_instance *inst,
                           const scn_step *st, const char *host,
                           drv_error *err);

/*
 * The driver call of an operation that answers something, rendered as a
 * JSON object (ops-result.c): the step's "result" is compared with it and
 * the trace records it. Same arguments as ops_call_fn; returns a new
 * reference, or NULL with err set when the driver failed. The rendering
 * must be deterministic on the fake (lists sorted, no wall time).
 */
typedef json_t *(*ops_query_fn)(drv *d, const drv_instance *inst,
                                const scn_step *st, const char *host,
                                drv_error *err);

/*
 * A host operation the compute manager gives the instances it believes
 * live on the host (insts: n of them, borrowed), as its periodic
 * manage_image_cache task does. Answers as ops_query_fn.
 */
typedef json_t *(*ops_host_query_fn)(drv *d,
                                     const drv_instance *const *insts,
                                     unsigned int n, const scn_step *st,
                                     const char *host, drv_error *err);

typedef struct ops_op {
    const char *name;           /* "spawn": the step's "op" */
    const char *const *keys;    /* every key the step may hold */
    ops_target target;
    ops_call_fn call;           /* exactly one of call, query, host_query
                                   and flow */
    ops_query_fn query;
    ops_host_query_fn host_query; /* a host's, with its instances */
    ops_flow_fn flow;
    ops_there there;            /* flow: the other host */
    /* query: the keys of its answer, which a step's "result" may name;
     * NULL when they depend on the guest (any key may be named) */
    const char *const *result_keys;
    ops_after after;            /* power state after success */
    int state;                  /* drv_power_state, for OPS_AFTER_STATE */
    ops_belief on_ok;           /* belief after success */
    ops_belief on_error;        /* belief after an expected failure */
    bool id_baseline;           /* success records the domain ID that a
                                   later id_changed check compares with */
} ops_op;

/* The descriptor of op, or NULL if op is not an scn_op. */
const ops_op *ops_op_get(int op);

/* ---- listings: named things on a host, for exist/absent checks ---- */

/*
 * A listing check ({"check": NAME, "host": ..., "exist": [...], "absent":
 * [...]}): the names of what conn holds of that kind (volumes of the
 * scenario's pool...). Returns 0 and a NULL-terminated list (g_strfreev),
 * or -1 with err set. Adding a kind (instance files, say) is one entry in
 * ops.c's listing table and its function.
 */
typedef int (*ops_list_fn)(hv_conn *conn, const scn *s, char ***names,
                           hv_error *err);

typedef struct ops_listing {
    const char *name;  /* the check's name: "volumes" */
    const char *what;  /* in messages: "volume" */
    ops_list_fn list;
} ops_listing;

/* The descriptor of listing i, or NULL past the last. */
const ops_listing *ops_listing_get(int i);

/* ---- fault kinds ---- */

/* When and where a fault acts. */
typedef enum {
    OPS_FAULT_ON_HV_CALL,  /* a rule in the fault set of each matching
                              host's traced connection, from the start */
    OPS_FAULT_ON_GUEST,    /* changes the guest's behaviour before the run
                              (fake_guest; on libvirt, the tiny guest's
                              kernel command line) */
    OPS_FAULT_ON_VIF_PLUG, /* the network stand-in consults it when the
                              driver plugs a VIF */
    OPS_FAULT_AT_TIME,     /* at at_s (the fake: a timer on the virtual
                              clock; libvirt: wall time since the run
                              began, .real_at), and at at_s + for_s when
                              the kind has .end / .real_end */
} ops_schedule;

/* A fault argument read by the parser, into the scn_fault field of the
 * same name. */
typedef enum {
    OPS_ARG_NONE = 0, /* ends the list */
    OPS_ARG_INSTANCE, /* "instance": a scenario instance */
    OPS_ARG_HOST,     /* "host": a scenario host */
    OPS_ARG_VIF,      /* "vif": one of the instance's VIF ids */
    OPS_ARG_AT_S,     /* "at_s", seconds */
    OPS_ARG_FOR_S,    /* "for_s", seconds */
    OPS_ARG_BOOT_S,   /* "boot_s", seconds */
    OPS_ARG_PERCENT,  /* "percent", an integer from 0 to 100 */
} ops_arg_kind;

typedef struct ops_arg {
    ops_arg_kind kind;
    bool required;
} ops_arg;

/* The longest argument list a fault kind may have, end marker included. */
#define OPS_MAX_ARGS 6

/* A timed fault acting: on host fh, on the guest called instance (NULL
 * for host faults); f is the fault, for its arguments. */
typedef void (*ops_fault_fn)(struct fake_host *fh, const char *instance,
                             const scn_fault *f);

/* What a timed fault acts on when the host is a real libvirt daemon. */
typedef struct ops_real_target {
    const char *host;   /* the scenario's host name */
    const char *uri;    /* its libvirt URI */
    const char *domain; /* the instance's domain name; NULL: host fault */
    const char *pool;   /* the scenario's storage pool */
} ops_real_target;

/* A timed fault acting on a libvirt host, from the runner's fault thread
 * (it must not touch the runner's connections). 0, or -1 with *why set
 * (g_free it). */
typedef int (*ops_real_fn)(const ops_real_target *tg, char **why);

typedef struct ops_fault {
    const char *name;            /* the fault's "kind" */
    ops_schedule schedule;
    /* acts only in the fake's world (nothing on a real host can make it
     * happen on cue): a scenario that lists "libvirt" among its backends
     * may not hold it */
    bool fake_only;
    /* what the fault says, read in this order ("kind" comes first);
     * OPS_FAULT_ON_HV_CALL kinds have their own reader in scn.c */
    ops_arg args[OPS_MAX_ARGS];
    /* OPS_FAULT_ON_GUEST: change the guest's behaviour */
    void (*guest)(const scn_fault *f, struct fake_guest *g);
    /* OPS_FAULT_AT_TIME: what happens at at_s, and at at_s + for_s */
    ops_fault_fn at;
    ops_fault_fn end;
    /* OPS_FAULT_AT_TIME on libvirt (kinds not fake_only): what happens at
     * at_s, and what undoes it at at_s + for_s (kinds with "for_s") or,
     * for the others, when the run ends; .real_end also runs when the run
     * ends before at_s + for_s, so nothing outlives the run */
    ops_real_fn real_at;
    ops_real_fn real_end;
    /* why the fault cannot act on libvirt here (a static string: what to
     * set up), or NULL; the scenario is then skipped on libvirt */
    const char *(*real_unavailable)(const scn *s, const scn_fault *f);
} ops_fault;

/* The descriptor of kind, or NULL if kind is not an scn_fault_kind. */
const ops_fault *ops_fault_get(int kind);

/* The key of a fault argument ("at_s"), NULL for OPS_ARG_NONE. */
const char *ops_arg_key(ops_arg_kind kind);

#endif /* HVD_OPS_H */
