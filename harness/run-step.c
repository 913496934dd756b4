/*
 * run-step.c: operation and wait steps — an operation through ops.c's
 * table, its expected result, the runner's belief and the power state the
 * contract leaves; waits let time pass on every host.
 */
#include "run-priv.h"

#include <glib.h>
#include <jansson.h>

#include "ops.h"
#include "ops-result.h"
#include "trace.h"

/* Let a test break the world behind the driver's back (run_options). */
void
rn_test_after_step(runner *r, unsigned int idx)
{
    if (r->fake && r->opt->test_after_step)
        r->opt->test_after_step(r->opt->test_opaque, r->w, idx);
}

/* The power state the contract leaves after d succeeded: a
 * drv_power_state, -2 for "RUNNING or as it was", -1 for unchecked. */
static int
expected_state(const ops_op *d, const scn_step *st)
{
    switch (d->after) {
    case OPS_AFTER_STATE:
        return d->state;
    case OPS_AFTER_BY_POWER_ON:
        return st->power_on ? DRV_POWER_RUNNING : DRV_POWER_SHUTDOWN;
    case OPS_AFTER_RUNNING_OR_AS_WAS:
        return -2;
    case OPS_AFTER_UNCHECKED:
        break;
    }
    return -1;
}

static void
update_belief(rinst *ri, ops_belief b)
{
    switch (b) {
    case OPS_BELIEF_ALIVE:
        ri->belief = BELIEF_ALIVE;
        break;
    case OPS_BELIEF_GONE:
        ri->belief = BELIEF_GONE;
        break;
    case OPS_BELIEF_GONE_UNLESS_ALIVE:
        if (ri->belief != BELIEF_ALIVE)
            ri->belief = BELIEF_GONE;
        break;
    case OPS_BELIEF_KEEP:
        break;
    }
}

/* The other host of a migration step: the step's "dest", or the host
 * holding the instance's remains (NULL when there is none). */
static rhost *
there_of(runner *r, const ops_op *d, const scn_step *st, const rinst *ri)
{
    switch (d ? d->there : OPS_THERE_NONE) {
    case OPS_THERE_DEST:
        return rn_host_by_name(r, st->dest);
    case OPS_THERE_REMAINS:
        return ri ? ri->remains : NULL;
    case OPS_THERE_NONE:
        break;
    }
    return NULL;
}

/* The driver call, query or flow; its outcome goes to out. */
static void
do_op(runner *r, const scn_step *st, rinst *ri, rhost *h, rhost *there,
      routcome *out)
{
    const ops_op *d = ops_op_get(st->op);
    const drv_instance *inst = ri ? &ri->inst : NULL;
    drv_error *err = &out->err;

    drv_error_reset(err);
    out->answer = NULL;
    out->moved = OPS_MOVED_NOT;
    out->rc = -1;
    if (d && d->flow) {
        ops_flow f = {.here = h->d, .here_name = h->spec->name,
                      .there = there ? there->d : NULL,
                      .there_name = there ? there->spec->name : NULL,
                      .inst = &ri->inst, .saved = &ri->saved_flavor,
                      .vifs = &ri->vifs,
                      .st = st};

        if (d->there != OPS_THERE_NONE && !there)
            drv_error_set(err, DRV_ERR_NOT_SUPPORTED, "%s: nothing of %s is "
                          "left on another host (no migrate or evacuate "
                          "before)", d->name, ri->spec->name);
        else
            out->rc = d->flow(&f, err);
        out->answer = f.answer;
        out->moved = f.moved;
    } else if (d && d->query) {
        out->answer = d->query(h->d, inst, st, h->spec->name, err);
        out->rc = out->answer ? 0 : -1;
    } else if (d && d->host_query) {
        /* the instances the manager believes live on h */
        GPtrArray *on = g_ptr_array_new();

        for (unsigned int i = 0; i < r->s->n_instances; i++)
            if (r->insts[i].host == h && r->insts[i].belief == BELIEF_ALIVE)
                g_ptr_array_add(on, &r->insts[i].inst);
        out->answer = d->host_query(h->d,
                                    (const drv_instance *const *)on->pdata,
                                    on->len, st, h->spec->name, err);
        out->rc = out->answer ? 0 : -1;
        g_ptr_array_free(on, TRUE);
    } else if (d && d->call) {
        out->rc = d->call(h->d, inst, st, h->spec->name, err);
    } else {
        drv_error_set(err, DRV_ERR_NOT_SUPPORTED, "unknown step operation");
    }
    out->t_end = rn_trace_time(r);
}

/* Where a flow left the instance, in the runner's beliefs. */
static void
apply_move(rinst *ri, rhost *there, ops_moved moved)
{
    switch (moved) {
    case OPS_MOVED_NOT:
        break;
    case OPS_MOVED_THERE:
    case OPS_MOVED_BACK:
        ri->host = there;
        ri->remains = NULL;
        break;
    case OPS_MOVED_THERE_REMAINS:
        ri->remains = ri->host;
        ri->host = there;
        break;
    case OPS_MOVED_REMAINS_GONE:
        ri->remains = NULL;
        break;
    case OPS_MOVED_REMAINS_THERE:
        ri->remains = there;
        break;
    }
}

/* The step's "result" and "returns_at_s", once its outcome matched:
 * false (the run failed) if either is not what the step says. */
static bool
check_answer(runner *r, unsigned int idx, const scn_step *st,
             const rinst *ri, const rhost *h, const json_t *answer,
             int64_t t_end)
{
    const char *who = ri ? ri->spec->name : h->spec->name;
    char *before = r->failure;
    char *why;

    if (st->result && (why = ops_result_mismatch("result", st->result,
                                                 answer))) {
        rn_fail(r, "step %u (line %d) %s %s: %s", idx, st->line,
                scn_op_name(st->op), who, why);
        g_free(why);
    }
    if ((why = rn_when_mismatch(r, &st->when, t_end))) {
        rn_fail(r, "step %u (line %d) %s %s: returned %s", idx, st->line,
                scn_op_name(st->op), who, why);
        g_free(why);
    }
    return r->failure == before;
}

/* Check an operation's outcome against its step and update what the
 * runner believes: when it ran in line, or when its background task is
 * joined. Takes the outcome's answer. */
static void
op_finish(runner *r, unsigned int idx, const scn_step *st, rinst *ri,
          rhost *h, rhost *there, routcome *out)
{
    const ops_op *desc = ops_op_get(st->op);
    drv_error_kind got = out->rc == 0 ? DRV_OK : out->err.kind;
    int want_state, state = -1, id = -1;
    bool pass;
    json_t *o;

    if (ri)
        apply_move(ri, there, out->moved);
    pass = got == st->expect &&
           check_answer(r, idx, st, ri, h, out->answer, out->t_end);
    o = trace_line_new();
    json_object_set_new(o, "step", json_integer(idx));
    trace_line_set_string(o, "op", scn_op_name(st->op));
    if (ri)
        trace_line_set_string(o, "instance", ri->spec->name);
    if (st->background)
        trace_line_set_string(o, "background", st->background);
    trace_line_set_string(o, "result",
                          out->rc == 0 ? "ok" : drv_error_kind_name(got));
    json_object_set_new(o, "pass", json_boolean(pass));
    /* what a query answered, in the trace after the fixed keys */
    if (out->answer)
        json_object_set(o, "answer", out->answer);
    rn_trace_line(r, o);
    g_clear_pointer(&out->answer, json_decref);
    if (got != st->expect) {
        rn_fail(r, "step %u (line %d) %s%s%s: expected %s, got %s%s%s", idx,
                st->line, scn_op_name(st->op), ri ? " " : "",
                ri ? ri->spec->name : "",
                st->expect == DRV_OK ? "ok" : drv_error_kind_name(st->expect),
                out->rc == 0 ? "ok" : drv_error_kind_name(got),
                out->rc == 0 ? "" : ": ",
                out->rc == 0 ? "" : out->err.message);
        return;
    }
    if (!ri)
        return;
    /* what the runner now believes */
    update_belief(ri, out->rc == 0 ? desc->on_ok : desc->on_error);
    if (out->rc == 0 && st->op == SCN_OP_DESTROY)
        ri->disks_kept = !st->destroy_disks;
    else if (out->rc == 0 && st->op == SCN_OP_SPAWN)
        ri->disks_kept = false;
    /* a successful operation leaves the power state the contract says */
    want_state = out->rc == 0 ? expected_state(desc, st) : -1;
    if (want_state == -2 && rn_observe(ri, &state, &id) &&
        state != DRV_POWER_RUNNING && state != DRV_POWER_PAUSED &&
        state != DRV_POWER_SUSPENDED)
        rn_fail(r, "step %u (line %d) %s %s: the contract leaves it RUNNING "
                   "(or as it was, paused or suspended), it is %s", idx,
                st->line, scn_op_name(st->op), ri->spec->name,
                drv_power_state_name(state));
    if (want_state >= 0 && rn_observe(ri, &state, &id)) {
        if (state != want_state)
            rn_fail(r, "step %u (line %d) %s %s: the contract leaves it %s, "
                       "it is %s", idx, st->line, scn_op_name(st->op),
                    ri->spec->name, drv_power_state_name(want_state),
                    drv_power_state_name(state));
    }
    if (desc->id_baseline && out->rc == 0 && rn_observe(ri, &state, &id))
        ri->last_id = id;
}

/* A background task's body: the operation, nothing checked yet. */
static void
task_body(void *arg)
{
    rtask *t = arg;

    do_op(t->r, t->st, t->ri, t->h, t->there, &t->out);
}

static void
rtask_free(rtask *t)
{
    json_decref(t->out.answer);
    g_free(t);
}

/* Start the step's operation as a background task: it first runs when
 * the next step waits. */
static void
op_start_background(runner *r, unsigned int idx, const scn_step *st,
                    rinst *ri, rhost *h, rhost *there)
{
    rtask *t = g_new0(rtask, 1);
    json_t *o = trace_line_new();

    t->r = r;
    t->idx = idx;
    t->st = st;
    t->ri = ri;
    t->h = h;
    t->there = there;
    if (ri)
        ri->busy++;
    json_object_set_new(o, "step", json_integer(idx));
    trace_line_set_string(o, "op", scn_op_name(st->op));
    if (ri)
        trace_line_set_string(o, "instance", ri->spec->name);
    trace_line_set_string(o, "start", st->background);
    rn_trace_line(r, o);
    t->task = hv_task_start(r->tasks, st->background, task_body, t);
    g_ptr_array_add(r->bg, t);
}

void
run_op(runner *r, unsigned int idx, const scn_step *st)
{
    rinst *ri = st->instance ? rn_inst_by_name(r, st->instance) : NULL;
    rhost *h = ri ? ri->host : rn_host_by_name(r, st->host);
    rhost *there = there_of(r, ops_op_get(st->op), st, ri);
    routcome out;

    if (st->background) {
        op_start_background(r, idx, st, ri, h, there);
        rn_test_after_step(r, idx);
        return;
    }
    do_op(r, st, ri, h, there, &out);
    rn_test_after_step(r, idx);
    op_finish(r, idx, st, ri, h, there, &out);
}

/* The background task of step idx, or NULL if joined (or never run). */
static rtask *
task_of_step(runner *r, unsigned int idx, guint *at)
{
    for (guint i = 0; i < r->bg->len; i++) {
        rtask *t = r->bg->pdata[i];

        if (t->idx == idx) {
            *at = i;
            return t;
        }
    }
    return NULL;
}

void
run_join(runner *r, unsigned int idx, const scn_step *st)
{
    guint at = 0;
    rtask *t = task_of_step(r, st->join_of, &at);
    json_t *o;

    if (!t) {
        rn_fail(r, "step %u (line %d) join %s: the task never started", idx,
                st->line, st->join);
        return;
    }
    hv_task_join(t->task);
    g_ptr_array_remove_index(r->bg, at);
    if (t->ri)
        t->ri->busy--;
    o = trace_line_new();
    json_object_set_new(o, "step", json_integer(idx));
    trace_line_set_string(o, "join", st->join);
    rn_trace_line(r, o);
    rn_test_after_step(r, idx);
    op_finish(r, t->idx, t->st, t->ri, t->h, t->there, &t->out);
    rtask_free(t);
}

void
rn_join_all(runner *r)
{
    while (r->bg && r->bg->len) {
        rtask *t = r->bg->pdata[0];

        hv_task_join(t->task);
        if (t->ri)
            t->ri->busy--;
        /* where it ended up still counts for the teardown */
        if (t->ri)
            apply_move(t->ri, t->there, t->out.moved);
        g_ptr_array_remove_index(r->bg, 0);
        rtask_free(t);
    }
}

/* One host's share of a wait step, as a task of its own. */
typedef struct host_wait {
    rhost *h;
    int64_t ns;
} host_wait;

static void
host_wait_body(void *arg)
{
    host_wait *hw = arg;
    drv_error err;

    drv_wait(hw->h->d, hw->ns, &err);
}

/*
 * Let time pass on every host's driver at once: the first host's in this
 * task, each other's in a task of its own, so that every driver's timed
 * work (a STOPPED event held back 15 s, say) happens at its own instant,
 * as each compute host's manager runs on its own.
 */
void
run_wait(runner *r, unsigned int idx, const scn_step *st)
{
    unsigned int n = r->s->n_hosts;
    int64_t ns = scn_ns(st->seconds);
    host_wait *hw = g_new0(host_wait, n);
    hv_task **tasks = g_new0(hv_task *, n);
    drv_error err;
    json_t *o = trace_line_new();

    json_object_set_new(o, "step", json_integer(idx));
    json_object_set_new(o, "wait", json_real(st->seconds));
    rn_trace_line(r, o);
    for (unsigned int k = 1; k < n; k++) {
        char *name = g_strdup_printf("wait:%s", r->hosts[k].spec->name);

        hw[k] = (host_wait){&r->hosts[k], ns};
        tasks[k] = hv_task_start(r->tasks, name, host_wait_body, &hw[k]);
        g_free(name);
    }
    drv_wait(r->hosts[0].d, ns, &err);
    for (unsigned int k = 1; k < n; k++)
        hv_task_join(tasks[k]);
    g_free(tasks);
    g_free(hw);
    rn_test_after_step(r, idx);
}
