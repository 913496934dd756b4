/*
 * fault.h: API fault injection for any hv connection (fake or real).
 *
 * A fault set is a list of rules; attached to a connection, it sits in the
 * hv wrappers' 'before' hook and fails (or stalls) the calls its rules
 * match. Like SQLite's test VFS: a countdown per rule, transient (count
 * calls) or persistent (count 0). Randomness, for rules with a probability,
 * comes from the connection (the world's seeded PRNG on the fake), so a run
 * replays exactly.
 *
 * Hooks already on the connection (a tracer) keep working: the fault set
 * chains to them, and its injected failures reach their 'after' hook like
 * any other failure.
 */
#ifndef HVD_FAULT_H
#define HVD_FAULT_H

#include <stdint.h>

#include "hv.h"

typedef struct fault_set fault_set;

typedef struct fault_rule {
    int op;             /* an hv_op, or -1 for every operation */
    const char *target; /* only calls on this object (domain name...); NULL any */
    unsigned int nth;   /* first matching call (counted from when the rule
                         * was added) that fails, 1-based; 0 = 1 */
    unsigned int count; /* how many calls fail from there; 0 = all after */
    double probability; /* 0 = always (within nth/count), else this share */
    int code;           /* hv_error_code to fail with; 0 = do not fail */
    int sys_errno;      /* with HV_ERR_SYSTEM_ERROR */
    const char *message; /* NULL: a message naming the injected fault */
    int64_t stall_ns;   /* let this much time pass before the call */
} fault_rule;

/* A new, empty set. Free with fault_set_free after detaching. */
fault_set *fault_set_new(void);
void fault_set_free(fault_set *fs);
/* Copy a rule in (strings copied). Returns its index. */
unsigned int fault_set_add(fault_set *fs, const fault_rule *rule);
/* How many calls rule i has failed or stalled so far. */
unsigned int fault_set_fired(const fault_set *fs, unsigned int i);

/* Attach to conn, chaining the hooks it has; detach restores them. One
 * set per connection at a time; the set must outlive the attachment. */
void fault_set_attach(fault_set *fs, hv_conn *conn);
void fault_set_detach(fault_set *fs, hv_conn *conn);

#endif /* HVD_FAULT_H */
