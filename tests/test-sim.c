/*
 * test-sim.c: the simulated world's core — PRNG, timer order, clock.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "sim.h"

static void
test_prng_replays(void **state)
{
    sim_world *a = sim_world_new(42), *b = sim_world_new(42);
    sim_world *c = sim_world_new(43);
    bool differs = false;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sim_random(a);
        assert_true(x == sim_random(b));
        differs |= x != sim_random(c);
    }
    assert_true(differs);
    for (int i = 0; i < 1000; i++)
        assert_true(sim_random_below(a, 7) < 7);
    assert_int_equal(sim_random_below(a, 0), 0);
    sim_world_free(a);
    sim_world_free(b);
    sim_world_free(c);
}

typedef struct trace {
    char buf[256];
    size_t len;
} trace;

static void
mark(sim_world *w, void *a, uint64_t b)
{
    trace *t = a;

    t->len += (size_t)g_snprintf(t->buf + t->len, sizeof(t->buf) - t->len,
                                 "%c@%lld ", (char)b,
                                 (long long)sim_now(w));
}

/* Timers fire in (time, sequence) order; the clock lands on each time. */
static void
test_timer_order(void **state)
{
    sim_world *w = sim_world_new(1);
    trace t = {0};
    uint64_t seq;

    (void)state;
    sim_schedule(w, 30, mark, &t, 'c');
    sim_schedule(w, 10, mark, &t, 'a');
    seq = sim_schedule(w, 20, mark, &t, 'x');
    sim_schedule(w, 10, mark, &t, 'b');
    sim_schedule(w, 50, mark, &t, 'e');
    assert_int_equal(sim_pending(w), 5);
    assert_true(sim_cancel(w, seq));
    assert_int_equal(sim_run_until(w, 40), 3);
    assert_string_equal(t.buf, "a@10 b@10 c@30 ");
    assert_int_equal(sim_now(w), 40);
    assert_int_equal(sim_next_time(w), 50);
    /* the past is clamped to now */
    sim_schedule(w, 5, mark, &t, 'd');
    sim_run_until(w, 100);
    assert_string_equal(t.buf, "a@10 b@10 c@30 d@40 e@50 ");
    assert_int_equal(sim_now(w), 100);
    assert_int_equal(sim_pending(w), 0);
    assert_false(sim_cancel(w, seq));
    sim_world_free(w);
}

static void
reschedule(sim_world *w, void *a, uint64_t b)
{
    trace *t = a;

    mark(w, a, b);
    if (b < 'e')
        sim_schedule(w, sim_now(w), reschedule, t, b + 1);
}

/* A timer scheduled for "now" from inside a timer runs in the same pass. */
static void
test_timer_chain(void **state)
{
    sim_world *w = sim_world_new(1);
    trace t = {0};

    (void)state;
    sim_schedule(w, 7, reschedule, &t, 'a');
    sim_run_until(w, 7);
    assert_string_equal(t.buf, "a@7 b@7 c@7 d@7 e@7 ");
    sim_world_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prng_replays),
        cmocka_unit_test(test_timer_order),
        cmocka_unit_test(test_timer_chain),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
