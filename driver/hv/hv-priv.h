/*
 * hv-priv.h: what the files of the hv layer itself share; nothing outside
 * driver/hv/hv*.c (and tests/, fuzz/) includes it. hv.h is the public
 * header, hv-backend.h the backends' one.
 *
 * The files, by concern:
 *   hv.c         the connection (hv_conn_new and its mandatory slot check,
 *                hv_conn_close), the backend table, the objects and their
 *                accessors, the hooks, the dispatch path (hv_begin, hv_end,
 *                hv_no_support), the clock (hv_now, hv_sleep,
 *                hv_dispatch_events, hv_random) and the helpers shared with
 *                the backends (hv_splitmix64, hv_uuid_format*)
 *   hv-error.c   the error record and the names of its codes
 *   hv-names.c   the names of states, reasons, events and operations
 *   hv-events.c  the event queue and its delivery (hv_deliver)
 *   hv-ops.c     the wrappers, one per operation, through HV_DISPATCH
 *   hv-task.c    the scheduler of cooperative tasks (hv_tasks), which
 *                hv_sleep enters on an attached connection
 */
#ifndef HVD_HV_PRIV_H
#define HVD_HV_PRIV_H

#include "hv-backend.h"

/* ---- the dispatch path (hv.c) ---- */

/* Reset err and let the 'before' hook veto the call: 0, or -1 with err set. */
int hv_begin(hv_conn *conn, const hv_call *call, hv_error *err);

/* Give a failure (rc < 0) an error, show the outcome to 'after'; returns rc. */
int hv_end(hv_conn *conn, const hv_call *call, int rc, hv_error *err);

/* Fail the call with NO_SUPPORT (its backend slot is empty); returns -1. */
int hv_no_support(hv_conn *conn, const hv_call *call, hv_error *err);

/*
 * HV_DISPATCH: run one call through the path. 'slot' is the backend member,
 * the remaining arguments are passed to it. Evaluates to the call's rc.
 */
#define HV_DISPATCH(conn, callp, err, slot, ...)                              \
    hv_end((conn), (callp),                                                   \
           hv_begin((conn), (callp), (err)) < 0   ? -1                        \
           : !(conn)->backend->slot ? hv_no_support((conn), (callp), (err))   \
                                    : (conn)->backend->slot(__VA_ARGS__),     \
           (err))

/* An hv_call initialiser: operation, target (borrowed), flags. */
#define CALL(opv, tgt, flg) {.op = (opv), .target = (tgt), .flags = (flg)}

/* ---- the event queue (hv-events.c) ---- */

/* A new, empty event queue holding one reference (hv_events_unref). */
hv_events *hv_events_new(void);

/* Deliver every queued event of conn, oldest first, to the hook and callback. */
void hv_deliver(hv_conn *conn);
/* Deliver conn's oldest queued event; false if none was queued. */
bool hv_deliver_one(hv_conn *conn);
/* The time of conn's oldest queued event, INT64_MAX if none. */
int64_t hv_events_head_time(hv_conn *conn);

/* ---- the task scheduler (hv-task.c) ---- */

/*
 * hv_sleep's way into the scheduler: when conn is attached to one (and the
 * running task is not already inside its own wait), let ns of the clock
 * pass for the running task while the others run, set *rc (0, or -1 with
 * err set) and return true; otherwise return false and do nothing.
 */
bool hv_tasks_sleep(hv_conn *conn, int64_t ns, hv_error *err, int *rc);

#endif /* HVD_HV_PRIV_H */
