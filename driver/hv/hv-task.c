/*
 * hv-task.c: operations side by side — a scheduler of cooperative tasks
 * that take turns on one clock, switching only where the running task
 * waits: inside hv_sleep on a connection attached to the scheduler, or in
 * hv_task_join.
 *
 * Why cooperative: a compute manager runs operations concurrently (a live
 * migration's monitor polls for minutes while other instances spawn; an
 * abort arrives from another caller), and Nova's own concurrency is green
 * threads that switch where they sleep. Switching only at waits keeps the
 * driver free of locks (one operation runs at a time) and keeps the fake
 * deterministic: which task runs next is a function of the virtual clock
 * and of the order tasks went to sleep, nothing else.
 *
 * How: each task is a thread, but only the holder of the baton
 * (hv_tasks.running) runs; every other one waits on its own condition
 * variable. A task that waits picks the next one to run: the sleeping or
 * ready task with the earliest deadline (ties: the one that went to sleep
 * first). If that deadline is still in the future, the task that is
 * waiting lets the clock run towards it (the backend's clock_wait: on the
 * fake, virtual time jumps from timer to timer), delivering the events of
 * every attached connection at each stop, then picks again. Threads give
 * each task its own C stack without stack-switching tricks that
 * sanitizers and valgrind handle badly; the baton makes them behave as
 * coroutines.
 *
 * Events: after every stop of the clock, the running task delivers the
 * queued events of every attached connection, merged in the order they
 * happened, so a callback runs at the instant its event fired whichever
 * task happens to be waiting. Callbacks therefore run on the thread of the
 * task that holds the baton, never while another task runs.
 */
#include "hv-priv.h"

#include <glib.h>

typedef enum {
    TASK_RUNNING,  /* holds the baton */
    TASK_SLEEPING, /* in hv_sleep until deadline */
    TASK_READY,    /* may run from deadline on (new, or a join ended) */
    TASK_JOINING,  /* waits for another task to end */
    TASK_DONE,     /* its function returned; waits to be joined */
} task_state;

struct hv_task {
    hv_tasks *ts;
    char *name;
    GThread *thread; /* NULL for the main task */
    void (*fn)(void *arg);
    void *arg;
    task_state state;
    int64_t deadline;
    uint64_t seq;    /* order of going to sleep, for ties */
    hv_conn *conn;   /* the connection it sleeps on, or NULL */
    hv_task *joiner; /* who waits for it to end */
    int scheduling;  /* inside its own wait: nested sleeps do not switch */
    GCond cond;
};

struct hv_tasks {
    GMutex lock;
    hv_task *main;
    hv_task *running;
    GPtrArray *tasks; /* hv_task*, live ones (joined tasks leave) */
    GPtrArray *conns; /* hv_conn*, attached, in order */
    uint64_t seq;
};

hv_tasks *
hv_tasks_new(void)
{
    hv_tasks *ts = g_new0(hv_tasks, 1);

    g_mutex_init(&ts->lock);
    ts->tasks = g_ptr_array_new();
    ts->conns = g_ptr_array_new();
    ts->main = g_new0(hv_task, 1);
    ts->main->ts = ts;
    ts->main->name = g_strdup("main");
    ts->main->state = TASK_RUNNING;
    g_cond_init(&ts->main->cond);
    g_ptr_array_add(ts->tasks, ts->main);
    ts->running = ts->main;
    return ts;
}

static void
task_free(hv_task *t)
{
    if (!t)
        return;
    g_cond_clear(&t->cond);
    g_free(t->name);
    g_free(t);
}

void
hv_tasks_free(hv_tasks *ts)
{
    if (!ts)
        return;
    /* every other task must have been joined: a task still alive would
     * wait for a baton that never comes */
    g_assert(ts->tasks->len == 1 && ts->running == ts->main);
    for (guint i = 0; i < ts->conns->len; i++)
        ((hv_conn *)ts->conns->pdata[i])->tasks = NULL;
    g_ptr_array_free(ts->conns, TRUE);
    g_ptr_array_free(ts->tasks, TRUE);
    task_free(ts->main);
    g_mutex_clear(&ts->lock);
    g_free(ts);
}

void
hv_tasks_attach(hv_tasks *ts, hv_conn *conn)
{
    if (conn->tasks == ts)
        return;
    if (conn->tasks)
        hv_tasks_detach(conn);
    conn->tasks = ts;
    g_ptr_array_add(ts->conns, conn);
}

void
hv_tasks_detach(hv_conn *conn)
{
    hv_tasks *ts = conn->tasks;

    if (!ts)
        return;
    g_ptr_array_remove(ts->conns, conn);
    for (guint i = 0; i < ts->tasks->len; i++) {
        hv_task *t = ts->tasks->pdata[i];

        if (t->conn == conn)
            t->conn = NULL;
    }
    conn->tasks = NULL;
}

/* The clock the scheduler reads: the first attached connection's (they
 * share one: the fake world's, or the host's monotonic clock). */
static hv_conn *
clock_conn(hv_tasks *ts, hv_conn *hint)
{
    if (hint)
        return hint;
    return ts->conns->len ? ts->conns->pdata[0] : NULL;
}

static int64_t
clock_now(hv_tasks *ts, hv_conn *hint)
{
    hv_conn *c = clock_conn(ts, hint);

    return c ? c->backend->clock_now(c) : 0;
}

/* The task to run next: sleeping or ready, earliest deadline, then the one
 * that went to sleep first. NULL if none can run. */
static hv_task *
pick_next(hv_tasks *ts)
{
    hv_task *best = NULL;

    for (guint i = 0; i < ts->tasks->len; i++) {
        hv_task *t = ts->tasks->pdata[i];

        if (t->state != TASK_SLEEPING && t->state != TASK_READY)
            continue;
        if (!best || t->deadline < best->deadline ||
            (t->deadline == best->deadline && t->seq < best->seq))
            best = t;
    }
    return best;
}

/*
 * Deliver what every attached connection has queued, merged in the order
 * the events happened (their time; ties to the connection attached
 * first), so that one host's event never overtakes another's that came
 * before it: a migration's STARTED on the destination before the
 * source's SUSPENDED, whichever connection the waiting task sleeps on.
 */
static void
deliver_all(hv_tasks *ts)
{
    for (;;) {
        hv_conn *first = NULL;
        int64_t t_first = INT64_MAX;

        /* a callback may attach or detach: re-read the list every time */
        for (guint i = 0; i < ts->conns->len; i++) {
            hv_conn *c = ts->conns->pdata[i];
            int64_t t = hv_events_head_time(c);

            if (t < t_first || (!first && t != INT64_MAX)) {
                first = c;
                t_first = t;
            }
        }
        if (!first || !hv_deliver_one(first))
            return;
    }
}

/* Give the baton to next and, unless leaving, wait until it comes back. */
static void
hand_over(hv_tasks *ts, hv_task *me, hv_task *next, bool leaving)
{
    g_mutex_lock(&ts->lock);
    next->state = TASK_RUNNING;
    ts->running = next;
    g_cond_signal(&next->cond);
    if (!leaving) {
        while (ts->running != me)
            g_cond_wait(&me->cond, &ts->lock);
    }
    g_mutex_unlock(&ts->lock);
}

/*
 * The scheduler's loop, run by the task that waits (me, whose state says
 * why). Returns when me holds the baton again, or at once after handing
 * it over when leaving (me's function returned). Returns -1 with err set
 * if the clock failed (a backend's clock_wait error).
 */
static int
schedule(hv_tasks *ts, hv_task *me, bool leaving, hv_error *err)
{
    int rc = 0;

    me->scheduling++;
    for (;;) {
        hv_task *next = pick_next(ts);
        hv_conn *c;
        int64_t now;

        /* nothing can run: a task joins one that cannot end, which only a
         * bug in the caller makes (a task joining itself, say) */
        g_assert(next);
        c = clock_conn(ts, next->conn);
        now = clock_now(ts, c);
        if (next->deadline > now && c) {
            int stop = c->backend->clock_wait(c, next->deadline, err);

            deliver_all(ts);
            if (stop < 0) {
                rc = -1;
                /* the clock failed: give up waiting, as hv_sleep would */
                if (next == me)
                    break;
                next->deadline = now;
            }
            continue;
        }
        if (next == me)
            break;
        hand_over(ts, me, next, leaving);
        if (leaving) {
            me->scheduling--;
            return rc;
        }
        /* whoever gave the baton back found our deadline due */
        break;
    }
    me->state = TASK_RUNNING;
    me->scheduling--;
    return rc;
}

bool
hv_tasks_sleep(hv_conn *conn, int64_t ns, hv_error *err, int *rc)
{
    hv_tasks *ts = conn->tasks;
    hv_task *me;

    if (!ts)
        return false;
    me = ts->running;
    /* a callback that sleeps while its task waits: plain sleep */
    if (me->scheduling)
        return false;
    me->state = TASK_SLEEPING;
    me->conn = conn;
    me->deadline = conn->backend->clock_now(conn);
    me->deadline = ns > INT64_MAX - me->deadline ? INT64_MAX
                                                 : me->deadline + ns;
    me->seq = ts->seq++;
    me->scheduling++;
    /* what is queued already reaches its callbacks before anyone runs */
    deliver_all(ts);
    *rc = schedule(ts, me, false, err);
    deliver_all(ts);
    me->scheduling--;
    return true;
}

/* A task's thread: wait for the baton, run, end, hand the baton on. */
static gpointer
task_main(gpointer data)
{
    hv_task *t = data;
    hv_tasks *ts = t->ts;
    hv_error ignored;

    g_mutex_lock(&ts->lock);
    while (ts->running != t)
        g_cond_wait(&t->cond, &ts->lock);
    g_mutex_unlock(&ts->lock);
    t->state = TASK_RUNNING;
    t->fn(t->arg);
    t->state = TASK_DONE;
    t->conn = NULL;
    if (t->joiner) {
        t->joiner->state = TASK_READY;
        t->joiner->deadline = clock_now(ts, NULL);
        t->joiner->seq = ts->seq++;
    }
    hv_error_reset(&ignored);
    schedule(ts, t, true, &ignored);
    return NULL;
}

hv_task *
hv_task_start(hv_tasks *ts, const char *name, void (*fn)(void *arg),
              void *arg)
{
    hv_task *t = g_new0(hv_task, 1);

    t->ts = ts;
    t->name = g_strdup(name ? name : "task");
    t->fn = fn;
    t->arg = arg;
    t->state = TASK_READY;
    t->deadline = clock_now(ts, NULL);
    t->seq = ts->seq++;
    g_cond_init(&t->cond);
    g_ptr_array_add(ts->tasks, t);
    t->thread = g_thread_new(t->name, task_main, t);
    return t;
}

bool
hv_task_done(const hv_task *t)
{
    return t->state == TASK_DONE;
}

const char *
hv_task_name(const hv_task *t)
{
    return t->name;
}

void
hv_task_join(hv_task *t)
{
    hv_tasks *ts;
    hv_task *me;
    hv_error ignored;

    if (!t)
        return;
    ts = t->ts;
    me = ts->running;
    g_assert(me != t);
    if (t->state != TASK_DONE) {
        g_assert(!t->joiner);
        t->joiner = me;
        me->state = TASK_JOINING;
        hv_error_reset(&ignored);
        schedule(ts, me, false, &ignored);
    }
    /* the thread handed the baton on as its last act: let it finish */
    g_thread_join(t->thread);
    g_ptr_array_remove(ts->tasks, t);
    task_free(t);
}

const char *
hv_tasks_current(const hv_tasks *ts)
{
    return ts->running->name;
}

unsigned int
hv_tasks_count(const hv_tasks *ts)
{
    return ts->tasks->len;
}
