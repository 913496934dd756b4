/*
 * sim.c: virtual clock, PRNG and the (time, seq)-ordered timer heap.
 */
#include "sim.h"

#include <glib.h>

#include "hv.h" /* hv_splitmix64 */

typedef struct sim_timer {
    int64_t at;
    uint64_t seq;
    sim_action fn;
    void *a;
    uint64_t b;
} sim_timer;

struct sim_world {
    int64_t now;
    uint64_t seed;
    uint64_t rng[4];
    uint64_t next_seq;
    GArray *heap; /* of sim_timer, a binary min-heap on (at, seq) */
    GHashTable *cancelled; /* seq -> 1, for lazily dropped timers */
    sim_observer between;
    void *between_opaque;
    void *data;
    void (*data_free)(void *);
};

sim_world *
sim_world_new(uint64_t seed)
{
    sim_world *w = g_new0(sim_world, 1);
    uint64_t x = seed;

    w->seed = seed;
    /* splitmix64 expands the seed into the xoshiro state */
    for (int i = 0; i < 4; i++)
        w->rng[i] = hv_splitmix64(&x);
    w->heap = g_array_new(FALSE, FALSE, sizeof(sim_timer));
    w->cancelled = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    w->next_seq = 1;
    return w;
}

void
sim_world_free(sim_world *w)
{
    if (!w)
        return;
    if (w->data_free)
        w->data_free(w->data);
    g_array_free(w->heap, TRUE);
    g_hash_table_destroy(w->cancelled);
    g_free(w);
}

void
sim_world_set_data(sim_world *w, void *data, void (*free_fn)(void *))
{
    w->data = data;
    w->data_free = free_fn;
}

void *
sim_world_get_data(const sim_world *w)
{
    return w->data;
}

int64_t
sim_now(const sim_world *w)
{
    return w->now;
}

uint64_t
sim_seed(const sim_world *w)
{
    return w->seed;
}

static inline uint64_t
rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t
sim_random(sim_world *w)
{
    uint64_t *s = w->rng;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t
sim_random_below(sim_world *w, uint64_t bound)
{
    uint64_t threshold, r;

    if (bound == 0)
        return 0;
    /* rejection sampling keeps the draw unbiased */
    threshold = -bound % bound;
    do {
        r = sim_random(w);
    } while (r < threshold);
    return r % bound;
}

static inline bool
timer_before(const sim_timer *x, const sim_timer *y)
{
    return x->at < y->at || (x->at == y->at && x->seq < y->seq);
}

static void
heap_push(GArray *heap, const sim_timer *t)
{
    guint i;

    g_array_append_val(heap, *t);
    i = heap->len - 1;
    while (i > 0) {
        guint parent = (i - 1) / 2;
        sim_timer *ti = &g_array_index(heap, sim_timer, i);
        sim_timer *tp = &g_array_index(heap, sim_timer, parent);
        sim_timer tmp;

        if (!timer_before(ti, tp))
            break;
        tmp = *ti;
        *ti = *tp;
        *tp = tmp;
        i = parent;
    }
}

static sim_timer
heap_pop(GArray *heap)
{
    sim_timer top = g_array_index(heap, sim_timer, 0);
    guint i = 0, n;

    g_array_index(heap, sim_timer, 0) =
        g_array_index(heap, sim_timer, heap->len - 1);
    g_array_set_size(heap, heap->len - 1);
    n = heap->len;
    for (;;) {
        guint l = 2 * i + 1, r = l + 1, m = i;
        sim_timer tmp;

        if (l < n && timer_before(&g_array_index(heap, sim_timer, l),
                                  &g_array_index(heap, sim_timer, m)))
            m = l;
        if (r < n && timer_before(&g_array_index(heap, sim_timer, r),
                                  &g_array_index(heap, sim_timer, m)))
            m = r;
        if (m == i)
            break;
        tmp = g_array_index(heap, sim_timer, i);
        g_array_index(heap, sim_timer, i) = g_array_index(heap, sim_timer, m);
        g_array_index(heap, sim_timer, m) = tmp;
        i = m;
    }
    return top;
}

uint64_t
sim_schedule(sim_world *w, int64_t at, sim_action fn, void *a, uint64_t b)
{
    sim_timer t = {
        .at = at < w->now ? w->now : at,
        .seq = w->next_seq++,
        .fn = fn,
        .a = a,
        .b = b,
    };

    heap_push(w->heap, &t);
    return t.seq;
}

bool
sim_cancel(sim_world *w, uint64_t seq)
{
    for (guint i = 0; i < w->heap->len; i++) {
        if (g_array_index(w->heap, sim_timer, i).seq == seq) {
            uint64_t *key = g_new(uint64_t, 1);
            *key = seq;
            g_hash_table_add(w->cancelled, key);
            return true;
        }
    }
    return false;
}

void
sim_set_observer(sim_world *w, sim_observer between, void *opaque)
{
    w->between = between;
    w->between_opaque = opaque;
}

uint64_t
sim_run_until(sim_world *w, int64_t until)
{
    uint64_t fired = 0;

    while (w->heap->len > 0 &&
           g_array_index(w->heap, sim_timer, 0).at <= until) {
        sim_timer t = heap_pop(w->heap);

        if (g_hash_table_size(w->cancelled) > 0) {
            if (g_hash_table_remove(w->cancelled, &t.seq))
                continue;
        }
        if (t.at > w->now)
            w->now = t.at;
        t.fn(w, t.a, t.b);
        fired++;
        if (w->between)
            w->between(w, w->between_opaque);
    }
    if (until > w->now)
        w->now = until;
    return fired;
}

unsigned int
sim_pending(const sim_world *w)
{
    return w->heap->len - g_hash_table_size(w->cancelled);
}

int64_t
sim_next_time(const sim_world *w)
{
    if (w->heap->len == 0)
        return -1;
    return g_array_index(w->heap, sim_timer, 0).at;
}
