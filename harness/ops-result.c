/*
 * ops-result.c: the query operations — the driver's answer as a JSON
 * object (ops-result.h), and the comparison of a step's "result" with it.
 */
#include "ops-result.h"

#include "ops-host.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A NULL-terminated list as a sorted JSON array (the driver's order is
 * the hypervisor's, which a scenario should not depend on); frees v. */
static json_t *
sorted_array(char **v)
{
    json_t *a = json_array();
    guint n = v ? g_strv_length(v) : 0;

    if (n)
        qsort(v, n, sizeof(*v), cmp_strings);
    for (guint i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    g_strfreev(v);
    return a;
}

static json_t *
u64(uint64_t n)
{
    return json_integer((json_int_t)n);
}

OPS_QUERY(get_info)
{
    drv_info info;

    (void)st;
    (void)host;
    if (drv_get_info(d, inst, &info, err) < 0)
        return NULL;
    return json_pack("{s:s, s:i, s:o, s:o, s:I, s:o}",
                     "state", drv_power_state_name(info.state),
                     "id", info.id,
                     "max_mem_kb", u64(info.max_mem_kb),
                     "mem_kb", u64(info.mem_kb),
                     "num_cpu", (json_int_t)info.num_cpu,
                     "cpu_time_ns", u64(info.cpu_time_ns));
}

/* A driver answer already rendered as JSON text: parsed, text freed. */
static json_t *
from_text(char *text, const char *what, drv_error *err)
{
    json_error_t jerr;
    json_t *v = text ? json_loads(text, 0, &jerr) : NULL;

    if (!v)
        drv_error_set(err, DRV_ERR_HYPERVISOR,
                      "%s: the driver's answer is not JSON", what);
    g_free(text);
    return v;
}

OPS_QUERY(get_resources)
{
    drv_resources res;
    json_t *v;

    (void)inst;
    (void)st;
    (void)host;
    if (drv_get_available_resource(d, &res, err) < 0)
        return NULL;
    v = from_text(drv_resources_to_json(&res), "get_resources", err);
    drv_resources_clear(&res);
    return v;
}

OPS_QUERY(list_instances)
{
    char **names = NULL;
    json_t *a;

    (void)inst;
    (void)st;
    (void)host;
    if (drv_list_instances(d, &names, err) < 0)
        return NULL;
    a = sorted_array(names);
    return json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(a),
                     "names", a);
}

OPS_QUERY(list_instance_uuids)
{
    char **uuids = NULL;
    json_t *a;

    (void)inst;
    (void)st;
    (void)host;
    if (drv_list_instance_uuids(d, &uuids, err) < 0)
        return NULL;
    a = sorted_array(uuids);
    return json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(a),
                     "uuids", a);
}

OPS_QUERY(get_num_instances)
{
    int n;

    (void)inst;
    (void)st;
    (void)host;
    if ((n = drv_get_num_instances(d, err)) < 0)
        return NULL;
    return json_pack("{s:i}", "count", n);
}

OPS_QUERY(instance_exists)
{
    int rc;

    (void)st;
    (void)host;
    if ((rc = drv_instance_exists(d, inst, err)) < 0)
        return NULL;
    return json_pack("{s:b}", "exists", rc == 1);
}

OPS_QUERY(get_host_uptime)
{
    int64_t s = 0;

    (void)inst;
    (void)st;
    (void)host;
    if (drv_get_host_uptime(d, &s, err) < 0)
        return NULL;
    return json_pack("{s:I}", "seconds", (json_int_t)s);
}

OPS_QUERY(get_host_cpu_stats)
{
    drv_cpu_stats cs;

    (void)inst;
    (void)st;
    (void)host;
    if (drv_get_host_cpu_stats(d, &cs, err) < 0)
        return NULL;
    return json_pack("{s:o, s:o, s:o, s:o, s:I}",
                     "kernel", u64(cs.kernel), "idle", u64(cs.idle),
                     "user", u64(cs.user), "iowait", u64(cs.iowait),
                     "frequency", (json_int_t)cs.frequency);
}

OPS_QUERY(get_available_nodes)
{
    char **nodes = NULL;

    (void)inst;
    (void)host;
    if (drv_get_available_nodes(d, st->refresh, &nodes, err) < 0)
        return NULL;
    return json_pack("{s:o}", "nodes", sorted_array(nodes));
}

/* Without "nodename", node_is_available asks about the first node the
 * driver serves. */
OPS_QUERY(node_is_available)
{
    char **nodes = NULL;
    const char *node = st->nodename;
    json_t *o = NULL;
    int yes;

    (void)inst;
    (void)host;
    if (!node) {
        if (drv_get_available_nodes(d, false, &nodes, err) < 0)
            return NULL;
        node = nodes && nodes[0] ? nodes[0] : "";
    }
    if ((yes = drv_node_is_available(d, node, err)) >= 0)
        o = json_pack("{s:s, s:b}", "nodename", node, "available", yes);
    g_strfreev(nodes);
    return o;
}

OPS_QUERY(get_traits)
{
    char **traits = NULL;

    (void)inst;
    (void)st;
    (void)host;
    if (drv_get_traits(d, &traits, err) < 0)
        return NULL;
    return json_pack("{s:o}", "traits", sorted_array(traits));
}

OPS_QUERY(get_diagnostics)
{
    drv_diagnostics dg;
    json_t *v;

    (void)st;
    (void)host;
    if (drv_get_diagnostics(d, inst, &dg, err) < 0)
        return NULL;
    v = from_text(drv_diagnostics_to_json(&dg), "get_diagnostics", err);
    drv_diagnostics_clear(&dg);
    return v;
}

OPS_QUERY(get_instance_diagnostics)
{
    drv_instance_diagnostics dg;
    json_t *v;

    (void)st;
    (void)host;
    if (drv_get_instance_diagnostics(d, inst, &dg, err) < 0)
        return NULL;
    v = from_text(drv_instance_diagnostics_to_json(&dg),
                  "get_instance_diagnostics", err);
    drv_instance_diagnostics_clear(&dg);
    return v;
}

/* The console log's size and its last non-empty line (what a guest
 * printed last: the tiny guest's ready line, say). */
OPS_QUERY(get_console_output)
{
    char *out = NULL, *line;
    size_t len = 0, end, start;
    json_t *v;

    (void)st;
    (void)host;
    if (drv_get_console_output(d, inst, &out, &len, err) < 0)
        return NULL;
    end = len;
    while (end > 0 && (out[end - 1] == '\n' || out[end - 1] == '\r'))
        end--;
    start = end;
    while (start > 0 && out[start - 1] != '\n')
        start--;
    line = g_utf8_make_valid(out + start, (gssize)(end - start));
    v = json_pack("{s:I, s:s}", "bytes", (json_int_t)len, "last_line", line);
    g_free(line);
    g_free(out);
    return v;
}

OPS_QUERY(instance_on_disk)
{
    int rc;

    (void)st;
    (void)host;
    if ((rc = drv_instance_on_disk(d, inst, err)) < 0)
        return NULL;
    return json_pack("{s:b}", "on_disk", rc == 1);
}

OPS_QUERY(delete_instance_files)
{
    int rc;

    (void)st;
    (void)host;
    if ((rc = drv_delete_instance_files(d, inst, err)) < 0)
        return NULL;
    return json_pack("{s:b}", "cleaned", rc == 1);
}

/* A console's address as the reference's ConsoleVNC/ConsoleSpice/
 * ConsoleSerial carry it (tls_port: SPICE's, null if none). */
static json_t *
console_json(const drv_console *con, bool tls)
{
    json_t *o = json_pack("{s:s, s:i}", "host", con->host, "port", con->port);

    if (tls)
        json_object_set_new(o, "tls_port", con->tls_port < 0
                                               ? json_null()
                                               : json_integer(con->tls_port));
    return o;
}

OPS_QUERY(get_vnc_console)
{
    drv_console con;

    (void)st;
    (void)host;
    if (drv_get_vnc_console(d, inst, &con, err) < 0)
        return NULL;
    return console_json(&con, false);
}

OPS_QUERY(get_spice_console)
{
    drv_console con;

    (void)st;
    (void)host;
    if (drv_get_spice_console(d, inst, &con, err) < 0)
        return NULL;
    return console_json(&con, true);
}

OPS_QUERY(get_serial_console)
{
    drv_console con;

    (void)st;
    (void)host;
    if (drv_get_serial_console(d, inst, &con, err) < 0)
        return NULL;
    return console_json(&con, false);
}

/* The compute service record the driver keeps for its host: enabled, or
 * disabled with the reason ("AUTO: ..." when the driver disabled it). */
OPS_QUERY(get_service)
{
    const char *reason = drv_host_disabled_reason(d);

    (void)inst;
    (void)st;
    (void)host;
    (void)err;
    return json_pack("{s:b, s:o}", "enabled", drv_host_enabled(d),
                     "disabled_reason",
                     reason ? json_string(reason) : json_null());
}

static json_t *
inventory_class(const drv_inventory_class *ic)
{
    return json_pack("{s:o, s:o, s:o, s:o, s:o, s:f}",
                     "total", u64(ic->total), "reserved", u64(ic->reserved),
                     "min_unit", u64(ic->min_unit),
                     "max_unit", u64(ic->max_unit),
                     "step_size", u64(ic->step_size),
                     "allocation_ratio", ic->allocation_ratio);
}

/* The compute node provider's inventory from update_provider_tree on a
 * tree placement knows nothing of yet (the flat inventory older Nova's
 * get_inventory answered), keyed by resource class. */
OPS_QUERY(get_inventory)
{
    drv_provider_tree tree;
    json_t *o;

    (void)inst;
    (void)st;
    (void)host;
    if (ops_host_provider_tree(d, NULL, NULL, &tree, err) < 0)
        return NULL;
    o = json_object();
    for (unsigned int i = 0; i < tree.n_providers; i++)
        for (unsigned int k = 0; k < tree.providers[i].n_inventory; k++)
            json_object_set_new(o,
                                tree.providers[i].inventory[k].resource_class,
                                inventory_class(
                                    &tree.providers[i].inventory[k].inv));
    drv_provider_tree_clear(&tree);
    return o;
}

/* ---- comparing ---- */

static bool same(const json_t *a, const json_t *b);

static bool
same_number(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b))
        return json_integer_value(a) == json_integer_value(b);
    return json_number_value(a) == json_number_value(b);
}

/* Equal as whole values; numbers by value. */
static bool
same(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return same_number(a, b);
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return false;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!same(json_array_get(a, i), json_array_get(b, i)))
                return false;
        return true;
    }
    if (json_is_object(a) && json_is_object(b)) {
        const char *k;
        json_t *v;

        if (json_object_size(a) != json_object_size(b))
            return false;
        json_object_foreach((json_t *)a, k, v) {
            json_t *w = json_object_get(b, k);
            if (!w || !same(v, w))
                return false;
        }
        return true;
    }
    return json_equal((json_t *)a, (json_t *)b);
}

static char *
show(const json_t *v)
{
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    char *out = g_strdup(s ? s : "nothing");

    free(s);
    return out;
}

char *
ops_result_mismatch(const char *prefix, const json_t *want,
                    const json_t *got)
{
    const char *k;
    json_t *v;

    if (json_is_object(want) && json_is_object(got)) {
        json_object_foreach((json_t *)want, k, v) {
            g_autofree char *path = g_strdup_printf("%s.%s", prefix, k);
            json_t *w = json_object_get(got, k);
            char *why;

            if (!w) {
                g_autofree char *ws = show(v);

                return g_strdup_printf("%s: expected %s, got no such key",
                                       path, ws);
            }
            if ((why = ops_result_mismatch(path, v, w)))
                return why;
        }
        return NULL;
    }
    if (same(want, got))
        return NULL;
    {
        g_autofree char *ws = show(want);
        g_autofree char *gs = show(got);

        return g_strdup_printf("%s: expected %s, got %s", prefix, ws, gs);
    }
}
