/*
 * ops-host.c: the host family of scenario operations — the contract's
 * host calls, each rendered as a JSON answer (ops-host.h).
 */
#include "ops-host.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "drv-json.h"

OPS_QUERY(get_host_ip_addr)
{
    char *ip = drv_get_host_ip_addr(d);
    json_t *o = json_pack("{s:s}", "ip", ip);

    (void)inst;
    (void)st;
    (void)host;
    (void)err;
    g_free(ip);
    return o;
}

OPS_QUERY(set_host_enabled)
{
    const char *status = NULL;

    (void)inst;
    (void)host;
    if (drv_set_host_enabled(d, st->set_enabled, &status, err) < 0)
        return NULL;
    return json_pack("{s:s}", "status", status);
}

OPS_QUERY(host_power_action)
{
    const char *result = NULL;

    (void)inst;
    (void)host;
    if (drv_host_power_action(d, st->power_action, &result, err) < 0)
        return NULL;
    return json_pack("{s:s?}", "result", result);
}

OPS_QUERY(host_maintenance_mode)
{
    const char *result = NULL;

    (void)inst;
    if (drv_host_maintenance_mode(d, host, st->maintenance_mode, &result,
                                  err) < 0)
        return NULL;
    return json_pack("{s:s?}", "result", result);
}

/* {"traits": {TRAIT: supported, ...}} */
OPS_QUERY(capabilities_as_traits)
{
    drv_trait_flag *flags;
    unsigned int n;
    json_t *t = json_object();

    (void)inst;
    (void)st;
    (void)host;
    (void)err;
    drv_capabilities_as_traits(d, &flags, &n);
    for (unsigned int i = 0; i < n; i++)
        json_object_set_new(t, flags[i].trait,
                            json_boolean(flags[i].supported));
    g_free(flags);
    return json_pack("{s:o}", "traits", t);
}

int
ops_host_provider_tree(drv *d, const json_t *tree_json,
                       const char *nodename, drv_provider_tree *tree,
                       drv_error *err)
{
    char **uuids = NULL, **names = NULL;
    int ret = -1;

    memset(tree, 0, sizeof(*tree));
    if (tree_json) {
        /* validated when the scenario was read: this cannot fail */
        char *text = json_dumps(tree_json, JSON_COMPACT);
        int rc = drv_provider_tree_load_json(text, "provider_tree", tree,
                                             err);

        free(text);
        if (rc < 0)
            return -1;
    }
    if (drv_get_nodenames_by_uuid(d, false, &uuids, &names, err) < 0)
        goto cleanup;
    drv_provider_tree_ensure_root(tree, uuids[0], names[0]);
    if (drv_update_provider_tree(d, tree, nodename ? nodename : names[0],
                                 err) < 0)
        goto cleanup;
    ret = 0;

cleanup:
    g_strfreev(uuids);
    g_strfreev(names);
    if (ret < 0)
        drv_provider_tree_clear(tree);
    return ret;
}

/* {"providers": the tree as drv.h renders it} */
OPS_QUERY(update_provider_tree)
{
    drv_provider_tree tree;
    json_t *o;

    (void)inst;
    (void)host;
    if (ops_host_provider_tree(d, st->provider_tree, st->nodename, &tree,
                               err) < 0)
        return NULL;
    o = json_pack("{s:o}", "providers", drv_provider_tree_to_jv(&tree));
    drv_provider_tree_clear(&tree);
    return o;
}

/* {"nodes": {uuid: nodename}, "nodenames": [names]}: the uuid is the
 * host's, which a scenario cannot know, so the names come apart too */
OPS_QUERY(get_nodenames_by_uuid)
{
    char **uuids = NULL, **names = NULL;
    json_t *nodes, *list;

    (void)inst;
    (void)host;
    if (drv_get_nodenames_by_uuid(d, st->refresh, &uuids, &names, err) < 0)
        return NULL;
    nodes = json_object();
    list = json_array();
    for (unsigned int i = 0; uuids[i]; i++) {
        json_object_set_new(nodes, uuids[i], json_string(names[i]));
        json_array_append_new(list, json_string(names[i]));
    }
    g_strfreev(uuids);
    g_strfreev(names);
    return json_pack("{s:o, s:o}", "nodes", nodes, "nodenames", list);
}
