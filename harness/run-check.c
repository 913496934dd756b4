/*
 * run-check.c: what the runner checks — the observer's view of each
 * instance, check steps, the invariants after every step and the leaks at
 * the end; the first failure is the run's.
 */
#include "run-priv.h"

#include <glib.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ops.h"
#include "ops-snapshot.h"
#include "trace.h"

/* The observer connection of a host, reopened after a lost connection;
 * NULL while the host cannot be reached. */
static hv_conn *
observer(rhost *h)
{
    hv_error hv;

    if (h->observer && hv_conn_is_alive(h->observer, &hv) == 1)
        return h->observer;
    if (h->observer && hv_conn_reconnect(h->observer, &hv) == 0)
        return h->observer;
    return NULL;
}

/* Power state and ID as the runner sees them; false if no domain. */
bool
rn_observe(rinst *ri, int *state, int *id)
{
    hv_conn *c = observer(ri->host);
    hv_error hv;
    hv_domain *dom;
    hv_domain_info info;
    bool ok;

    if (!c || !(dom = hv_domain_lookup_by_uuid(c, ri->inst.uuid, &hv)))
        return false;
    ok = hv_domain_get_info(dom, &info, &hv) == 0;
    hv_domain_free(dom);
    if (ok) {
        *state = drv_power_state_from_hv(info.state);
        *id = info.id;
    }
    return ok;
}

/*
 * The default tolerance: none on the fake, whose clock is exact; on
 * libvirt, wall time under TCG on a shared machine (a spawn of the tiny
 * guest alone takes about 2 s), 2 s plus half the time named.
 */
static double
tolerance(const runner *r, const scn_when *w)
{
    if (w->has_tolerance)
        return w->tolerance_s;
    return r->fake ? 0 : 2.0 + 0.5 * w->at_s;
}

/* ns as seconds, to the nanosecond and no further: "12.5", "1.000000001"
 * (g_free). */
static char *
seconds(int64_t ns)
{
    char *s = g_strdup_printf("%s%lld.%09lld", ns < 0 ? "-" : "",
                              (long long)(llabs(ns) / HV_NS_PER_SEC),
                              (long long)(llabs(ns) % HV_NS_PER_SEC));
    size_t n = strlen(s);

    while (s[n - 1] == '0')
        s[--n] = '\0';
    if (s[n - 1] == '.')
        s[--n] = '\0';
    return s;
}

char *
rn_when_mismatch(runner *r, const scn_when *w, int64_t t)
{
    double tol;

    if (!w->given)
        return NULL;
    tol = tolerance(r, w);
    /* in nanoseconds, as scn_ns rounds: a time is one instant wherever
     * it is named */
    if (llabs(t - scn_ns(w->at_s)) <= scn_ns(tol))
        return NULL;
    {
        g_autofree char *got = seconds(t);
        g_autofree char *want = seconds(scn_ns(w->at_s));
        g_autofree char *plus = seconds(scn_ns(tol));

        return g_strdup_printf("at %s s, expected %s s +- %s s", got, want,
                               plus);
    }
}

void
rn_fail(runner *r, const char *fmt, ...)
{
    va_list ap;

    if (r->failure)
        return;
    va_start(ap, fmt);
    r->failure = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* Volumes on a reachable host that belong to the instance. */
static unsigned int
volumes_of(rhost *h, const char *uuid, const char *pool)
{
    hv_conn *c = observer(h);
    char **names = NULL;
    unsigned int n = 0;
    hv_error hv;

    if (!c || hv_vol_list(c, pool, &names, &hv) < 0)
        return 0;
    for (char **p = names; p && *p; p++)
        if (g_str_has_prefix(*p, uuid))
            n++;
    g_strfreev(names);
    return n;
}

/*
 * Invariants: an alive instance has a domain on exactly one host; a gone
 * one (destroyed, or a failed spawn) has no domain and no volume anywhere,
 * save the volumes a destroy with destroy_disks false kept on purpose.
 * Hosts that cannot be reached are left out.
 */
void
rn_check_invariants(runner *r)
{
    for (unsigned int i = 0; i < r->s->n_instances && !r->failure; i++) {
        rinst *ri = &r->insts[i];
        unsigned int where = 0, vols = 0, home = 0, astray = 0;
        const char *astray_host = NULL;
        bool all_reachable = true;

        /* new, or a background operation moves it: checked when joined */
        if (ri->belief == BELIEF_NEW || ri->busy)
            continue;
        for (unsigned int k = 0; k < r->s->n_hosts; k++) {
            rhost *h = &r->hosts[k];
            hv_conn *c = observer(h);
            hv_domain *dom;
            hv_error hv;
            unsigned int n = 0, v;

            if (!c) {
                all_reachable = false;
                continue;
            }
            if ((dom = hv_domain_lookup_by_uuid(c, ri->inst.uuid, &hv))) {
                n = 1;
                hv_domain_free(dom);
            }
            v = volumes_of(h, ri->inst.uuid, r->s->config.storage_pool);
            where += n;
            vols += v;
            if (h == ri->host)
                home = n;
            else if (h != ri->remains && (n || v)) {
                astray += n + v;
                astray_host = h->spec->name;
            }
        }
        if (ri->belief == BELIEF_ALIVE && all_reachable &&
            (home != 1 || astray))
            rn_fail(r, "invariant: instance %s should be on exactly one "
                       "host, %s, is on %u%s%s%s", ri->spec->name,
                    ri->host->spec->name, where,
                    home ? "" : " (not there)",
                    astray ? ", and left something on " : "",
                    astray ? astray_host : "");
        if (ri->belief == BELIEF_GONE && ri->disks_kept)
            vols = 0;
        if (ri->belief == BELIEF_GONE && (where || vols))
            rn_fail(r, "invariant: instance %s is gone but left %u domain(s) "
                       "and %u volume(s)", ri->spec->name, where, vols);
    }
}

/* Nothing leaked at the end: every domain and volume is accounted for (a
 * live instance's, or one a destroy kept with destroy_disks false). */
void
rn_check_leaks(runner *r)
{
    for (unsigned int k = 0; k < r->s->n_hosts && !r->failure; k++) {
        rhost *h = &r->hosts[k];
        hv_conn *c = observer(h);
        hv_domain **doms = NULL;
        char **vols = NULL;
        hv_error hv;
        int n;

        if (!c)
            continue;
        n = hv_domain_list(c, HV_LIST_ALL, &doms, &hv);
        for (int i = 0; i < n; i++) {
            rinst *ri = rn_inst_by_uuid(r, hv_domain_uuid(doms[i]));
            if (!r->fake && !ri)
                continue; /* a real host may hold others' domains */
            if (!ri || ri->belief != BELIEF_ALIVE)
                rn_fail(r, "leak: domain %s on host %s belongs to no live "
                           "instance", hv_domain_name(doms[i]), h->spec->name);
        }
        hv_domain_list_free(doms, n);
        if (hv_vol_list(c, r->s->config.storage_pool, &vols, &hv) == 0) {
            for (char **p = vols; *p; p++) {
                bool known = false;
                for (unsigned int i = 0; i < r->s->n_images; i++)
                    known |= strcmp(r->s->images[i].name, *p) == 0;
                /* the image store's: made by a snapshot step */
                known |= ops_snapshot_image_of(r->s, *p);
                for (unsigned int i = 0; i < r->s->n_instances; i++)
                    known |= g_str_has_prefix(*p, r->insts[i].inst.uuid) &&
                             (r->insts[i].belief == BELIEF_ALIVE ||
                              (r->insts[i].belief == BELIEF_GONE &&
                               r->insts[i].disks_kept));
                /* on a real host, only the scenario's own uuids count */
                bool ours = r->fake;
                for (unsigned int i = 0; !ours && i < r->s->n_instances; i++)
                    ours = g_str_has_prefix(*p, r->insts[i].inst.uuid);
                if (!known && ours)
                    rn_fail(r, "leak: volume %s on host %s belongs to no live "
                               "instance", *p, h->spec->name);
            }
            g_strfreev(vols);
        }
    }
}

static char *
join_events(GPtrArray *a)
{
    GString *s = g_string_new("[");

    for (guint i = 0; i < a->len; i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               (char *)g_ptr_array_index(a, i));
    g_string_append_c(s, ']');
    return g_string_free(s, FALSE);
}

/* Deliver what has happened so far, on every host, before a check. */
static void
flush_events(runner *r)
{
    drv_error err;

    for (unsigned int k = 0; k < r->s->n_hosts; k++)
        drv_wait(r->hosts[k].d, 0, &err);
}

/* One XPath expectation against the result of evaluating it: compared
 * as the expected value's JSON type says. NULL if equal, else what the
 * expression gave (g_free). */
static char *
xpath_differs(xmlXPathObjectPtr res, const json_t *want)
{
    xmlChar *str;
    char *got;

    if (json_is_boolean(want)) {
        bool b = xmlXPathCastToBoolean(res) != 0;
        return b == json_is_true(want) ? NULL
                                       : g_strdup(b ? "true" : "false");
    }
    if (json_is_number(want)) {
        double n = xmlXPathCastToNumber(res);
        if (n == json_number_value(want))
            return NULL;
        return g_strdup_printf("%.17g", n);
    }
    str = xmlXPathCastToString(res);
    if (strcmp((const char *)str, json_string_value(want)) == 0) {
        xmlFree(str);
        return NULL;
    }
    /* as a JSON string: a node's text may span lines, the message not */
    {
        json_t *j = json_string((const char *)str);
        char *dump = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;

        got = g_strdup(dump ? dump : "(not UTF-8)");
        free(dump);
        json_decref(j);
    }
    xmlFree(str);
    return got;
}

static void
xml_quiet(void *ctx, const xmlError *e)
{
    (void)ctx;
    (void)e;
}

/* Each XPath expression of the step over the instance's domain XML (the
 * live one, or the persistent definition for "inactive"). */
static void
check_xml(runner *r, unsigned int idx, const scn_step *st, rinst *ri)
{
    hv_conn *c = observer(ri->host);
    hv_domain *dom = NULL;
    hv_error hv;
    char *xml = NULL;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;

    if (!c || !(dom = hv_domain_lookup_by_uuid(c, ri->inst.uuid, &hv))) {
        rn_fail(r, "step %u (line %d) check xml %s: no domain", idx,
                st->line, ri->spec->name);
        goto cleanup;
    }
    if (!(xml = hv_domain_get_xml(dom, st->inactive ? HV_XML_INACTIVE : 0,
                                  &hv))) {
        rn_fail(r, "step %u (line %d) check xml %s: %s", idx, st->line,
                ri->spec->name, hv.message);
        goto cleanup;
    }
    if (!(doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                              XML_PARSE_NONET | XML_PARSE_NOERROR |
                                  XML_PARSE_NOWARNING)) ||
        !(ctx = xmlXPathNewContext(doc))) {
        rn_fail(r, "step %u (line %d) check xml %s: the domain XML does not "
                   "parse", idx, st->line, ri->spec->name);
        goto cleanup;
    }
    for (unsigned int i = 0; i < st->n_xpaths && !r->failure; i++) {
        const scn_xpath *x = &st->xpaths[i];
        xmlXPathObjectPtr res;
        char *got;

        /* an expression that fails here (an unknown function, say) is
         * this check's failure, not libxml2's message on stderr */
        xmlSetStructuredErrorFunc(NULL, (xmlStructuredErrorFunc)xml_quiet);
        res = xmlXPathEvalExpression((const xmlChar *)x->expr, ctx);
        xmlSetStructuredErrorFunc(NULL, NULL);
        got = res ? xpath_differs(res, x->want)
                  : g_strdup("an error evaluating it");

        if (got) {
            char *want = json_dumps(x->want, JSON_ENCODE_ANY);

            rn_fail(r, "step %u (line %d) check xml %s: %s: expected %s, got "
                       "%s", idx, st->line, ri->spec->name, x->expr, want,
                    got);
            free(want);
        }
        g_free(got);
        xmlXPathFreeObject(res);
    }

cleanup:
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    g_free(xml);
    hv_domain_free(dom);
}

/* The names the step wants present are, those it wants absent are not. */
static void
check_listing(runner *r, unsigned int idx, const scn_step *st, rhost *h)
{
    const ops_listing *l = ops_listing_get(st->listing);
    hv_conn *c = observer(h);
    char **names = NULL;
    hv_error hv;

    if (!c || l->list(c, r->s, &names, &hv) < 0) {
        rn_fail(r, "step %u (line %d) check %s %s: %s", idx, st->line,
                l->name, h->spec->name, c ? hv.message : "host unreachable");
        return;
    }
    for (char **p = st->exist; p && *p && !r->failure; p++)
        if (!g_strv_contains((const char *const *)names, *p))
            rn_fail(r, "step %u (line %d) check %s %s: expected %s %s to "
                       "exist, it does not", idx, st->line, l->name,
                    h->spec->name, l->what, *p);
    for (char **p = st->absent; p && *p && !r->failure; p++)
        if (g_strv_contains((const char *const *)names, *p))
            rn_fail(r, "step %u (line %d) check %s %s: expected %s %s to be "
                       "absent, it exists", idx, st->line, l->name,
                    h->spec->name, l->what, *p);
    g_strfreev(names);
}

void
run_check(runner *r, unsigned int idx, const scn_step *st)
{
    rinst *ri = st->instance ? rn_inst_by_name(r, st->instance) : NULL;
    rhost *h = st->host ? rn_host_by_name(r, st->host)
                        : (ri ? ri->host : NULL);
    int state = -1, id = -1;
    bool present;
    char *have = NULL;
    json_t *o;
    char *before = r->failure;

    rn_test_after_step(r, idx);
    flush_events(r);
    switch (st->check) {
    case SCN_CHECK_STATE:
        present = rn_observe(ri, &state, &id);
        if (!present || state != st->state)
            rn_fail(r, "step %u (line %d) check state %s: expected %s, is %s",
                    idx, st->line, ri->spec->name,
                    drv_power_state_name(st->state),
                    present ? drv_power_state_name(state) : "no domain");
        if (present)
            ri->last_id = id;
        break;
    case SCN_CHECK_ID_CHANGED:
        present = rn_observe(ri, &state, &id);
        if (!present || (id != ri->last_id) != st->changed)
            rn_fail(r, "step %u (line %d) check id_changed %s: expected the ID "
                       "%s, it went %d -> %d", idx, st->line, ri->spec->name,
                    st->changed ? "to change" : "to stay", ri->last_id, id);
        ri->last_id = id;
        break;
    case SCN_CHECK_EVENTS: {
        GPtrArray *want = g_ptr_array_new();
        char *wants;
        for (char **e = st->events; e && *e; e++)
            g_ptr_array_add(want, *e);
        wants = join_events(want);
        have = join_events(ri->events);
        if (strcmp(wants, have) != 0)
            rn_fail(r, "step %u (line %d) check events %s: expected %s, saw %s",
                    idx, st->line, ri->spec->name, wants, have);
        for (guint k = 0; k < want->len && !r->failure; k++) {
            char *why = rn_when_mismatch(
                r, &st->event_when[k],
                g_array_index(ri->event_times, int64_t, k));

            if (why)
                rn_fail(r, "step %u (line %d) check events %s: %s (event "
                           "%u) arrived %s", idx, st->line, ri->spec->name,
                        (char *)g_ptr_array_index(want, k), k, why);
            g_free(why);
        }
        g_ptr_array_set_size(ri->events, 0);
        g_array_set_size(ri->event_times, 0);
        g_ptr_array_free(want, TRUE);
        g_free(wants);
        break;
    }
    case SCN_CHECK_RESOURCES: {
        drv_resources res;
        drv_error err;
        if (drv_get_available_resource(h->d, &res, &err) < 0) {
            rn_fail(r, "step %u (line %d) check resources %s: %s", idx,
                    st->line, h->spec->name, err.message);
            break;
        }
#define RES_CHECK(field)                                                      \
    if (st->field >= 0 && (int64_t)res.field != st->field)                    \
        rn_fail(r, "step %u (line %d) check resources %s: expected " #field   \
                   " %lld, reported %lld", idx, st->line, h->spec->name,      \
                (long long)st->field, (long long)res.field);
        RES_CHECK(vcpus)
        RES_CHECK(vcpus_used)
        RES_CHECK(memory_mb)
        RES_CHECK(memory_mb_used)
        RES_CHECK(local_gb_used)
#undef RES_CHECK
        drv_resources_clear(&res);
        break;
    }
    case SCN_CHECK_CALLS: {
        unsigned int n = r->calls[st->call_op];
        const unsigned int *mark =
            st->since ? g_hash_table_lookup(r->marks, st->since) : NULL;

        /* a label of a step not run yet cannot be: the parser wants an
         * earlier step, and steps run in order */
        if (mark)
            n -= mark[st->call_op];
        if ((int)n < st->call_min || (int)n > st->call_max)
            rn_fail(r, "step %u (line %d) check calls %s: expected %d..%d, "
                       "counted %u%s%s", idx, st->line,
                    hv_op_name(st->call_op), st->call_min, st->call_max, n,
                    st->since ? " since step " : "",
                    st->since ? st->since : "");
        break;
    }
    case SCN_CHECK_TIME: {
        char *why = rn_when_mismatch(r, &st->when, rn_trace_time(r));

        if (why)
            rn_fail(r, "step %u (line %d) check time: %s", idx, st->line,
                    why);
        g_free(why);
        break;
    }
    case SCN_CHECK_XML:
        check_xml(r, idx, st, ri);
        break;
    case SCN_CHECK_LISTING:
        check_listing(r, idx, st, h);
        break;
    case SCN_CHECK_HOST_ENABLED:
        if (drv_host_enabled(h->d) != st->enabled)
            rn_fail(r, "step %u (line %d) check host_enabled %s: expected %s",
                    idx, st->line, h->spec->name,
                    st->enabled ? "enabled" : "disabled");
        break;
    case SCN_CHECK_EXISTS:
        present = rn_observe(ri, &state, &id);
        if (present != st->exists)
            rn_fail(r, "step %u (line %d) check exists %s: expected it %s", idx,
                    st->line, ri->spec->name,
                    st->exists ? "to exist" : "to be gone");
        break;
    }
    o = trace_line_new();
    json_object_set_new(o, "step", json_integer(idx));
    trace_line_set_string(o, "check",
                          st->check == SCN_CHECK_LISTING
                              ? ops_listing_get(st->listing)->name
                              : scn_check_name(st->check));
    if (ri)
        trace_line_set_string(o, "instance", ri->spec->name);
    json_object_set_new(o, "pass", json_boolean(r->failure == before));
    rn_trace_line(r, o);
    g_free(have);
}
