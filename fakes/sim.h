/*
 * sim.h: the simulated world's core: a virtual clock, one seeded PRNG and
 * an event queue ordered by (virtual time, sequence number).
 *
 * Nothing here knows about hypervisors; the fake (fake.h) schedules its
 * guest behaviours and faults on this queue. Everything that happens in a
 * world happens inside sim_run_until(), in queue order, so a world driven
 * by the same calls from the same seed does the same things.
 */
#ifndef HVD_SIM_H
#define HVD_SIM_H

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_world sim_world;

/*
 * A timer's action. 'a' and 'b' are the values given to sim_schedule;
 * 'a' is borrowed (the scheduler never frees it), so schedule only
 * pointers that outlive the world, or check a generation in 'b'.
 */
typedef void (*sim_action)(sim_world *w, void *a, uint64_t b);

/* A new world at virtual time 0 with its PRNG seeded from 'seed'. */
sim_world *sim_world_new(uint64_t seed);
/* Free the world; pending timers are dropped. NULL is fine. */
void sim_world_free(sim_world *w);

/* One pointer of user data (the fake's world state), freed with the world
 * by free_fn if given. */
void sim_world_set_data(sim_world *w, void *data, void (*free_fn)(void *));
void *sim_world_get_data(const sim_world *w);

/* Virtual time in ns since the world began. */
int64_t sim_now(const sim_world *w);
uint64_t sim_seed(const sim_world *w);

/* The world's one random stream (xoshiro256**). */
uint64_t sim_random(sim_world *w);
/* Uniform in [0, bound); bound 0 returns 0. */
uint64_t sim_random_below(sim_world *w, uint64_t bound);

/*
 * Run 'fn(w, a, b)' at virtual time 'at' (clamped to now). Timers at the
 * same time run in the order they were scheduled. Returns the timer's
 * sequence number (usable with sim_cancel).
 */
uint64_t sim_schedule(sim_world *w, int64_t at, sim_action fn, void *a,
                      uint64_t b);
/* Cancel a pending timer by sequence number; false if it already ran. */
bool sim_cancel(sim_world *w, uint64_t seq);

/*
 * Fire every timer due at or before 'until' in (time, seq) order, moving
 * the clock to each one's time, then set the clock to 'until'. After each
 * timer, 'between' (if set) runs so that observers can react before time
 * moves on. Returns the number of timers fired.
 */
typedef void (*sim_observer)(sim_world *w, void *opaque);
void sim_set_observer(sim_world *w, sim_observer between, void *opaque);
uint64_t sim_run_until(sim_world *w, int64_t until);
/* Number of pending timers. */
unsigned int sim_pending(const sim_world *w);
/* Time of the earliest pending timer, or -1 if none. */
int64_t sim_next_time(const sim_world *w);

#endif /* HVD_SIM_H */
