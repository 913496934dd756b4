/*
 * fake-migrate.h: what the two files of the fake's live migration share
 * (fakes/ only): the record of a migration and the engine's entry points.
 *   fake-migrate.c      the engine: progress, phases, ends, and the hooks
 *                       the domains and hosts call (fake-priv.h)
 *   fake-migrate-api.c  the destination, the backend's migration slots, job
 *                       info and abort, the world's link and faults (fake.h)
 */
#ifndef HVD_FAKE_MIGRATE_H
#define HVD_FAKE_MIGRATE_H

#include "fake-priv.h"

#define MIB (UINT64_C(1) << 20)

typedef enum {
    MIG_SETUP,
    MIG_DISK,
    MIG_PRECOPY,
    MIG_STOPCOPY,
    MIG_POSTCOPY,
    MIG_DONE,
} mig_phase;

/* The phases' names, as fake_migration_state gives them. */
extern const char *const fake_mig_phase_names[];

/* The amounts at time t. */
typedef struct mig_anchor {
    int64_t t;
    uint64_t disk_done;
    uint64_t pass_sent;     /* of this pass (or of the final rest) */
    uint64_t mem_processed; /* all memory sent, passes included */
    uint64_t dirtied;       /* dirtied since this pass began */
} mig_anchor;

struct fake_mig {
    uint64_t id; /* the key in fake_world.migrations */
    sim_world *w;
    fake_host *src, *dst;
    char uuid[HV_UUID_STRLEN];
    char *name;
    unsigned int flags;
    mig_phase phase;
    bool held;           /* a handle holds the record */
    bool src_was_paused; /* paused at start: it stays paused on arrival */
    bool postcopy_asked; /* switch when memory starts moving */
    int64_t started;
    uint64_t bw;          /* bytes/s */
    uint64_t downtime_ms;
    uint64_t mem_total, disk_total;
    uint64_t pass_bytes; /* what this pass sends */
    uint64_t iteration;
    unsigned int throttle, high_count;
    int fail_pct; /* -1: none armed */
    mig_anchor at;
    uint64_t timer; /* sequence of the pending timer, 0 none */
    int rc;
    hv_error result;
};

/* What a handle holds: the world and the record's id. */
typedef struct mig_ref {
    sim_world *w;
    uint64_t id;
} mig_ref;

/* The record of migration id, or NULL. */
fake_mig *fake_mig_by_id(sim_world *w, uint64_t id);
/* The running migration of domain name, or NULL. */
fake_mig *fake_mig_by_name(sim_world *w, const char *name);
/* Drop the record from the world (it is freed). */
void fake_mig_forget(fake_mig *m);
/* Where m stands at now, without changing it. */
void fake_mig_progress(const fake_mig *m, int64_t now, mig_anchor *out);
/* Move m's anchor to now (before a rate changes). */
void fake_mig_fold(fake_mig *m);
/* End m as failed with code (the sides lost as said). */
void fake_mig_fail(fake_mig *m, bool src_lost, bool dst_lost, int code,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Switch m to post-copy now. */
void fake_mig_to_postcopy(fake_mig *m);
/* Set m's one timer for the next thing due. */
void fake_mig_plan(fake_mig *m);

#endif /* HVD_FAKE_MIGRATE_H */
