/*
 * test-task.c: the scheduler of cooperative tasks (driver/hv/hv-task.c) on
 * a fake world of two hosts: who runs when, at which virtual instant, in
 * which order on ties, joins, events delivered while another task waits,
 * nested sleeps in callbacks, and the same schedule on every run.
 *
 * Each task appends "name@ms" to one log each time it wakes, so a test
 * asserts the whole interleaving as one string.
 */
#include <glib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "fake.h"
#include "hv.h"

#define S(x) ((int64_t)((x) * HV_NS_PER_SEC))
#define MS(x) ((int64_t)(x) * HV_NS_PER_MS)

typedef struct fixture {
    sim_world *w;
    fake_host *hb;
    hv_conn *a, *b;
    hv_tasks *ts;
    GString *log;
} fixture;

/* One task's program: sleep the given milliseconds in turn on conn. */
typedef struct prog {
    fixture *fx;
    const char *name;
    hv_conn *conn;
    const int *sleeps_ms; /* ends with -1 */
} prog;

static void
note(fixture *fx, const char *who)
{
    g_string_append_printf(fx->log, "%s@%lld ", who,
                           (long long)(hv_now(fx->a) / HV_NS_PER_MS));
}

static void
run_prog(void *arg)
{
    prog *p = arg;
    hv_error err;

    note(p->fx, p->name);
    for (const int *s = p->sleeps_ms; *s >= 0; s++) {
        assert_int_equal(hv_sleep(p->conn, MS(*s), &err), 0);
        note(p->fx, p->name);
    }
}

static void
on_event(hv_conn *conn, const hv_event *ev, void *opaque)
{
    fixture *fx = opaque;

    (void)conn;
    g_string_append_printf(fx->log, "ev:%s/%s@%lld ",
                           hv_event_type_name(ev->type),
                           hv_event_detail_name(ev->type, ev->detail),
                           (long long)(hv_now(fx->a) / HV_NS_PER_MS));
}

static int
setup(void **state)
{
    fixture *fx = g_new0(fixture, 1);
    fake_host_spec sa = {.name = "h1", .vcpus = 4, .memory_mib = 4096,
                         .storage_pool = "images", .disk_gib = 10};
    fake_host_spec sb = sa;
    hv_error err;

    sb.name = "h2";
    fx->w = fake_world_new(3);
    assert_non_null(fake_host_add(fx->w, &sa, &err));
    fx->hb = fake_host_add(fx->w, &sb, &err);
    assert_non_null(fx->hb);
    fx->a = fake_conn_open(fx->w, "h1", &err);
    fx->b = fake_conn_open(fx->w, "h2", &err);
    assert_non_null(fx->a);
    assert_non_null(fx->b);
    fx->ts = hv_tasks_new();
    hv_tasks_attach(fx->ts, fx->a);
    hv_tasks_attach(fx->ts, fx->b);
    fx->log = g_string_new("");
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    fixture *fx = *state;

    hv_tasks_free(fx->ts);
    hv_conn_close(fx->a);
    hv_conn_close(fx->b);
    fake_world_free(fx->w);
    g_string_free(fx->log, TRUE);
    g_free(fx);
    return 0;
}

/* A started task runs only when main waits; then the earliest wake-up
 * runs first, at its exact virtual instant. */
static void
test_interleave(void **state)
{
    fixture *fx = *state;
    static const int s1[] = {500, 500, 500, -1};
    static const int s2[] = {700, 700, -1};
    prog p1 = {fx, "m", fx->a, s1}, p2 = {fx, "s", fx->b, s2};
    hv_task *t1 = hv_task_start(fx->ts, "m", run_prog, &p1);
    hv_task *t2 = hv_task_start(fx->ts, "s", run_prog, &p2);
    hv_error err;

    /* nothing ran yet: starting does not switch */
    assert_string_equal(fx->log->str, "");
    assert_int_equal(hv_tasks_count(fx->ts), 3);
    assert_int_equal(hv_sleep(fx->a, MS(1200), &err), 0);
    note(fx, "main");
    assert_string_equal(fx->log->str,
                        "m@0 s@0 m@500 s@700 m@1000 main@1200 ");
    hv_task_join(t1);
    hv_task_join(t2);
    assert_int_equal(hv_tasks_count(fx->ts), 1);
    assert_int_equal(hv_now(fx->a), MS(1500));
}

/* The join above in one exact string: after main's 1.2 s, joining t1
 * lets s wake at 1.4 s before m at 1.5 s. */
static void
test_join_order(void **state)
{
    fixture *fx = *state;
    static const int s1[] = {500, 500, 500, -1};
    static const int s2[] = {700, 700, -1};
    prog p1 = {fx, "m", fx->a, s1}, p2 = {fx, "s", fx->b, s2};
    hv_task *t1 = hv_task_start(fx->ts, "m", run_prog, &p1);
    hv_task *t2 = hv_task_start(fx->ts, "s", run_prog, &p2);
    hv_error err;

    assert_int_equal(hv_sleep(fx->a, MS(1200), &err), 0);
    note(fx, "main");
    hv_task_join(t1);
    note(fx, "joined-m");
    hv_task_join(t2);
    note(fx, "joined-s");
    assert_string_equal(fx->log->str,
                        "m@0 s@0 m@500 s@700 m@1000 main@1200 s@1400 "
                        "m@1500 joined-m@1500 joined-s@1500 ");
}

/* Ties at one instant: whoever began waiting first runs first; a task
 * started later runs after those already waiting for that instant. */
static void
test_ties(void **state)
{
    fixture *fx = *state;
    static const int one[] = {1000, -1};
    prog p1 = {fx, "x", fx->a, one}, p2 = {fx, "y", fx->a, one};
    hv_task *t1 = hv_task_start(fx->ts, "x", run_prog, &p1);
    hv_task *t2 = hv_task_start(fx->ts, "y", run_prog, &p2);
    hv_error err;

    /* main's sleep(0) yields to the tasks ready now, in start order */
    assert_int_equal(hv_sleep(fx->a, 0, &err), 0);
    note(fx, "main");
    assert_int_equal(hv_sleep(fx->b, MS(1000), &err), 0);
    note(fx, "main");
    hv_task_join(t2);
    hv_task_join(t1);
    assert_string_equal(fx->log->str,
                        "x@0 y@0 main@0 x@1000 y@1000 main@1000 ");
}

/* Events of a connection nobody sleeps on reach its callback at the
 * instant they fire, from whichever task waits. */
static void
crash_vm(sim_world *w, void *a, uint64_t b)
{
    hv_error err;

    (void)w;
    (void)b;
    assert_int_equal(fake_domain_crash(a, "vm", &err), 0);
}

static void
test_events_while_waiting(void **state)
{
    fixture *fx = *state;
    static const int s1[] = {4000, -1};
    prog p1 = {fx, "t", fx->a, s1};
    hv_task *t;
    hv_domain *dom;
    hv_error err;

    assert_int_equal(hv_conn_events_register(fx->b, on_event, fx, &err), 0);
    dom = hv_domain_create_xml(fx->b,
                               "<domain type='qemu'><name>vm</name>"
                               "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                               "<os><type>hvm</type></os><devices/></domain>",
                               0, &err);
    assert_non_null(dom);
    assert_int_equal(hv_dispatch_events(fx->b, &err), 0);
    g_string_truncate(fx->log, 0);
    sim_schedule(fx->w, S(2.5), crash_vm, fx->hb, 0);
    t = hv_task_start(fx->ts, "t", run_prog, &p1);
    /* main joins: only t sleeps (on h1), yet h2's crash is seen at 2.5 s */
    hv_task_join(t);
    assert_string_equal(fx->log->str,
                        "t@0 ev:STOPPED/FAILED@2500 t@4000 ");
    hv_domain_free(dom);
}

static void
on_event_named(hv_conn *conn, const hv_event *ev, void *opaque)
{
    fixture *fx = opaque;

    (void)conn;
    g_string_append_printf(fx->log, "%s:%s@%lld ", ev->name,
                           hv_event_type_name(ev->type),
                           (long long)(ev->time_ns / HV_NS_PER_MS));
}

/* Events queued on several connections reach their callbacks in the order
 * they happened, not in the order the connections were attached: h2's
 * event of t = 0 before h1's of t = 5 s, both queued when delivered. */
static void
test_events_merged_in_time(void **state)
{
    fixture *fx = *state;
    hv_domain *d1, *d2;
    hv_error err;
    static const char xml2[] =
        "<domain type='qemu'><name>vm2</name><memory unit='MiB'>64</memory>"
        "<vcpu>1</vcpu><os><type>hvm</type></os><devices/></domain>";
    static const char xml1[] =
        "<domain type='qemu'><name>vm1</name><memory unit='MiB'>64</memory>"
        "<vcpu>1</vcpu><os><type>hvm</type></os><devices/></domain>";

    assert_int_equal(hv_conn_events_register(fx->a, on_event_named, fx,
                                             &err), 0);
    assert_int_equal(hv_conn_events_register(fx->b, on_event_named, fx,
                                             &err), 0);
    d2 = hv_domain_create_xml(fx->b, xml2, 0, &err);
    assert_non_null(d2);
    /* time passes behind hv's back: nothing is delivered meanwhile */
    sim_run_until(fx->w, S(5));
    d1 = hv_domain_create_xml(fx->a, xml1, 0, &err);
    assert_non_null(d1);
    assert_int_equal(hv_sleep(fx->a, 0, &err), 0);
    assert_string_equal(fx->log->str,
                        "vm2:RESUMED@0 vm2:STARTED@0 vm1:RESUMED@5000 "
                        "vm1:STARTED@5000 ");
    hv_domain_free(d1);
    hv_domain_free(d2);
}

/* A callback that sleeps while its task waits does not switch tasks: the
 * nested sleep passes time for everyone, in line. */
typedef struct nested {
    fixture *fx;
    int calls;
} nested;

static void
sleepy_event(hv_conn *conn, const hv_event *ev, void *opaque)
{
    nested *n = opaque;
    hv_error err;

    (void)ev;
    if (n->calls++)
        return;
    note(n->fx, "cb");
    assert_int_equal(hv_sleep(conn, MS(100), &err), 0);
    note(n->fx, "cb-end");
}

static void
test_nested_sleep(void **state)
{
    fixture *fx = *state;
    static const int s1[] = {50, 1000, -1};
    prog p1 = {fx, "t", fx->a, s1};
    nested n = {fx, 0};
    hv_task *t;
    hv_domain *dom;
    hv_error err;

    assert_int_equal(hv_conn_events_register(fx->b, sleepy_event, &n, &err),
                     0);
    t = hv_task_start(fx->ts, "t", run_prog, &p1);
    dom = hv_domain_create_xml(fx->b,
                               "<domain type='qemu'><name>vm</name>"
                               "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                               "<os><type>hvm</type></os><devices/></domain>",
                               0, &err);
    assert_non_null(dom);
    /* main's wait first delivers h2's STARTED, already queued, whose
     * callback sleeps 100 ms in place, switching to no one; then t,
     * ready since 0, runs before main, due at 10 ms */
    assert_int_equal(hv_sleep(fx->a, MS(10), &err), 0);
    note(fx, "main");
    hv_task_join(t);
    assert_string_equal(fx->log->str,
                        "cb@0 cb-end@100 t@100 main@100 t@150 t@1150 ");
    hv_domain_free(dom);
}

/* The schedule is a function of the program: two runs, one log. */
static char *
one_run(void)
{
    fixture *fx;
    static const int s1[] = {300, 300, 300, 300, -1};
    static const int s2[] = {450, 450, 450, -1};
    static const int s3[] = {0, 0, 1000, -1};
    char *out;

    setup((void **)&fx);
    {
        prog p1 = {fx, "a", fx->a, s1}, p2 = {fx, "b", fx->b, s2},
             p3 = {fx, "c", fx->a, s3};
        hv_task *t1 = hv_task_start(fx->ts, "a", run_prog, &p1);
        hv_task *t2 = hv_task_start(fx->ts, "b", run_prog, &p2);
        hv_task *t3 = hv_task_start(fx->ts, "c", run_prog, &p3);

        hv_task_join(t3);
        hv_task_join(t2);
        hv_task_join(t1);
    }
    out = g_strdup(fx->log->str);
    teardown((void **)&fx);
    return out;
}

static void
test_deterministic(void **state)
{
    char *one = one_run(), *two = one_run();

    (void)state;
    assert_string_equal(one, two);
    assert_string_equal(one, "a@0 b@0 c@0 c@0 c@0 a@300 b@450 a@600 b@900 "
                             "a@900 c@1000 a@1200 b@1350 ");
    g_free(one);
    g_free(two);
}

/* Without a scheduler nothing changes: hv_sleep on an unattached
 * connection, and the name of the running task. */
static void
test_unattached(void **state)
{
    fixture *fx = *state;
    hv_error err;

    assert_string_equal(hv_tasks_current(fx->ts), "main");
    hv_tasks_detach(fx->b);
    assert_int_equal(hv_sleep(fx->b, MS(250), &err), 0);
    assert_int_equal(hv_now(fx->a), MS(250));
}

static void
name_self(void *arg)
{
    fixture *fx = arg;

    g_string_append(fx->log, hv_tasks_current(fx->ts));
}

static void
test_current_name(void **state)
{
    fixture *fx = *state;
    hv_task *t = hv_task_start(fx->ts, "mig-vm1", name_self, fx);

    assert_string_equal(hv_task_name(t), "mig-vm1");
    assert_false(hv_task_done(t));
    hv_task_join(t);
    assert_string_equal(fx->log->str, "mig-vm1");
    assert_string_equal(hv_tasks_current(fx->ts), "main");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_interleave, setup, teardown),
        cmocka_unit_test_setup_teardown(test_join_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ties, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_while_waiting, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_nested_sleep, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_merged_in_time, setup,
                                        teardown),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test_setup_teardown(test_unattached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_current_name, setup, teardown),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
