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

/* The driver call; a query's answer goes to *answer (new reference). */
static int
do_op(const scn_step *st, rinst *ri, rhost *h, json_t **answer,
      drv_error *err)
{
    const ops_op *d = ops_op_get(st->op);
    const drv_instance *inst = ri ? &ri->inst : NULL;

    *answer = NULL;
    if (d && d->query) {
        *answer = d->query(h->d, inst, st, h->spec->name, err);
        return *answer ? 0 : -1;
    }
    if (!d || !d->call) {
        drv_error_set(err, DRV_ERR_NOT_SUPPORTED, "unknown step operation");
        return -1;
    }
    return d->call(h->d, inst, st, h->spec->name, err);
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

void
run_op(runner *r, unsigned int idx, const scn_step *st)
{
    const ops_op *desc = ops_op_get(st->op);
    rinst *ri = st->instance ? rn_inst_by_name(r, st->instance) : NULL;
    rhost *h = ri ? ri->host : rn_host_by_name(r, st->host);
    drv_error err;
    drv_error_kind got;
    int rc, want_state, state = -1, id = -1;
    int64_t t_end;
    bool pass;
    json_t *o, *answer = NULL;

    drv_error_reset(&err);
    rc = do_op(st, ri, h, &answer, &err);
    t_end = rn_trace_time(r);
    rn_test_after_step(r, idx);
    got = rc == 0 ? DRV_OK : err.kind;
    pass = got == st->expect && check_answer(r, idx, st, ri, h, answer, t_end);
    o = trace_line_new();
    json_object_set_new(o, "step", json_integer(idx));
    trace_line_set_string(o, "op", scn_op_name(st->op));
    if (ri)
        trace_line_set_string(o, "instance", ri->spec->name);
    trace_line_set_string(o, "result",
                          rc == 0 ? "ok" : drv_error_kind_name(got));
    json_object_set_new(o, "pass", json_boolean(pass));
    /* what a query answered, in the trace after the fixed keys */
    if (answer)
        json_object_set(o, "answer", answer);
    rn_trace_line(r, o);
    json_decref(answer);
    if (got != st->expect) {
        rn_fail(r, "step %u (line %d) %s%s%s: expected %s, got %s%s%s", idx,
                st->line, scn_op_name(st->op), ri ? " " : "",
                ri ? ri->spec->name : "",
                st->expect == DRV_OK ? "ok" : drv_error_kind_name(st->expect),
                rc == 0 ? "ok" : drv_error_kind_name(got), rc == 0 ? "" : ": ",
                rc == 0 ? "" : err.message);
        return;
    }
    if (!ri)
        return;
    /* what the runner now believes */
    update_belief(ri, rc == 0 ? desc->on_ok : desc->on_error);
    if (rc == 0 && st->op == SCN_OP_DESTROY)
        ri->disks_kept = !st->destroy_disks;
    else if (rc == 0 && st->op == SCN_OP_SPAWN)
        ri->disks_kept = false;
    /* a successful operation leaves the power state the contract says */
    want_state = rc == 0 ? expected_state(desc, st) : -1;
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
    if (desc->id_baseline && rc == 0 && rn_observe(ri, &state, &id))
        ri->last_id = id;
}

/* Let time pass on every host's driver (the first drives the clock). */
void
run_wait(runner *r, unsigned int idx, const scn_step *st)
{
    drv_error err;
    json_t *o = trace_line_new();

    json_object_set_new(o, "step", json_integer(idx));
    json_object_set_new(o, "wait", json_real(st->seconds));
    rn_trace_line(r, o);
    drv_wait(r->hosts[0].d, scn_ns(st->seconds), &err);
    for (unsigned int k = 1; k < r->s->n_hosts; k++)
        drv_wait(r->hosts[k].d, 0, &err);
    rn_test_after_step(r, idx);
}
