/*
 * drv-diag.c: diagnostics of an instance, in the reference's two forms —
 * get_diagnostics' flat dict and get_instance_diagnostics' Diagnostics
 * object — with their JSON renderings, from the hv statistics operations.
 *
 * The reference wraps each statistic in its own try and ignores libvirt's
 * errors there (a hypervisor may not support one); the lookup, the XML and
 * the domain's info are outside those and their errors propagate. Here the
 * same calls are swallowed and the same ones propagate.
 */
#include "drv-priv.h"

#include <glib.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

/* The values of one XPath expression, in document order (g_strfreev). */
static char **
xpath_values(xmlXPathContextPtr ctx, const char *expr)
{
    GPtrArray *out = g_ptr_array_new();
    xmlXPathObjectPtr o = ctx ? xmlXPathEvalExpression(
                                    (const xmlChar *)expr, ctx)
                              : NULL;

    if (o && o->nodesetval)
        for (int i = 0; i < o->nodesetval->nodeNr; i++) {
            xmlChar *v = xmlNodeGetContent(o->nodesetval->nodeTab[i]);
            if (v && *v)
                g_ptr_array_add(out, g_strdup((const char *)v));
            xmlFree(v);
        }
    xmlXPathFreeObject(o);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

/* The domain XML's documents and context; NULL ctx if it does not parse. */
static xmlDocPtr
parse_xml(const char *xml, xmlXPathContextPtr *ctx)
{
    xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);

    *ctx = doc ? xmlXPathNewContext(doc) : NULL;
    return doc;
}

void
drv_io_devices(const char *xml, char ***disks, char ***ifaces)
{
    xmlXPathContextPtr ctx;
    xmlDocPtr doc = parse_xml(xml, &ctx);

    /* an XML the reference cannot parse gives no devices, not an error */
    *disks = xpath_values(ctx, "/domain/devices/disk/target/@dev");
    *ifaces = xpath_values(ctx, "/domain/devices/interface/target/@dev");
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
}

/* The MAC addresses of the interfaces, in XML order (g_strfreev). */
static char **
mac_addresses(const char *xml)
{
    xmlXPathContextPtr ctx;
    xmlDocPtr doc = parse_xml(xml, &ctx);
    char **out = xpath_values(ctx, "/domain/devices/interface/mac/@address");

    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return out;
}

/* The instance's domain, its live XML and its info: the part of both
 * diagnostics whose errors propagate. */
static hv_domain *
diag_begin(drv *d, const drv_instance *inst, char **xml,
           hv_domain_info *info, drv_error *err)
{
    hv_domain *dom;
    hv_error hv;

    drv_error_reset(err);
    *xml = NULL;
    if (!(dom = drv_get_guest(d, inst, err)))
        return NULL;
    if (!(*xml = hv_domain_get_xml(dom, 0, &hv))) {
        drv_set_hv_error(err, &hv, "get_diagnostics: XML", inst);
        goto fail;
    }
    if (hv_domain_get_info(dom, info, &hv) < 0) {
        if (hv.code == HV_ERR_NO_DOMAIN)
            drv_set_not_found(err, inst, &hv);
        else
            drv_set_hv_error(err, &hv, "get_diagnostics: info", inst);
        goto fail;
    }
    return dom;

fail:
    g_clear_pointer(xml, g_free);
    hv_domain_free(dom);
    return NULL;
}

/*
 * The statistics both diagnostics read, each call's error swallowed as the
 * reference's try blocks do: the vCPUs, then every disk and interface the
 * XML names, in that order. Only the devices that reported are kept.
 */
typedef struct dev_block {
    char *dev; /* borrowed from the device list */
    hv_block_stats st;
} dev_block;

typedef struct dev_nic {
    char *dev; /* borrowed from the device list */
    hv_interface_stats st;
} dev_nic;

typedef struct io_stats {
    hv_vcpu_info *vcpus; /* g_free */
    int n_vcpus;         /* 0 when refused */
    char **disks, **ifaces;
    GArray *blocks;      /* dev_block */
    GArray *nics;        /* dev_nic */
} io_stats;

static void
io_stats_read(hv_domain *dom, const char *xml, io_stats *s)
{
    hv_error hv;

    memset(s, 0, sizeof(*s));
    if ((s->n_vcpus = hv_domain_get_vcpus(dom, &s->vcpus, &hv)) < 0)
        s->n_vcpus = 0;
    drv_io_devices(xml, &s->disks, &s->ifaces);
    s->blocks = g_array_new(FALSE, TRUE, sizeof(dev_block));
    for (char **dev = s->disks; *dev; dev++) {
        dev_block b = {.dev = *dev};
        if (hv_domain_block_stats(dom, *dev, &b.st, &hv) == 0)
            g_array_append_val(s->blocks, b);
    }
    s->nics = g_array_new(FALSE, TRUE, sizeof(dev_nic));
    for (char **dev = s->ifaces; *dev; dev++) {
        dev_nic n = {.dev = *dev};
        if (hv_domain_interface_stats(dom, *dev, &n.st, &hv) == 0)
            g_array_append_val(s->nics, n);
    }
}

static void
io_stats_clear(io_stats *s)
{
    g_free(s->vcpus);
    g_strfreev(s->disks);
    g_strfreev(s->ifaces);
    g_array_free(s->blocks, TRUE);
    g_array_free(s->nics, TRUE);
    memset(s, 0, sizeof(*s));
}

/* ---- get_diagnostics: the flat dict ---- */

static void
put(GArray *items, const char *key, int64_t value)
{
    drv_diag_item it = {.key = g_strdup(key), .value = value};

    g_array_append_val(items, it);
}

static void
put2(GArray *items, const char *dev, const char *suffix, int64_t value)
{
    char *key = g_strconcat(dev, suffix, NULL);

    put(items, key, value);
    g_free(key);
}

int
drv_get_diagnostics(drv *d, const drv_instance *inst, drv_diagnostics *diag,
                    drv_error *err)
{
    hv_domain_info info;
    hv_memory_stat mem[HV_MEMSTAT_NR];
    hv_domain *dom;
    char *xml = NULL;
    io_stats io;
    GArray *items;
    hv_error hv;
    int n;

    memset(diag, 0, sizeof(*diag));
    if (!(dom = diag_begin(d, inst, &xml, &info, err)))
        return -1;
    items = g_array_new(FALSE, TRUE, sizeof(drv_diag_item));
    io_stats_read(dom, xml, &io);
    for (int i = 0; i < io.n_vcpus; i++) {
        char key[32];
        g_snprintf(key, sizeof(key), "cpu%u_time", io.vcpus[i].number);
        put(items, key, (int64_t)io.vcpus[i].cpu_time_ns);
    }
    for (guint i = 0; i < io.blocks->len; i++) {
        const dev_block *b = &g_array_index(io.blocks, dev_block, i);
        put2(items, b->dev, "_read_req", b->st.rd_req);
        put2(items, b->dev, "_read", b->st.rd_bytes);
        put2(items, b->dev, "_write_req", b->st.wr_req);
        put2(items, b->dev, "_write", b->st.wr_bytes);
        put2(items, b->dev, "_errors", b->st.errs);
    }
    for (guint i = 0; i < io.nics->len; i++) {
        const dev_nic *c = &g_array_index(io.nics, dev_nic, i);
        put2(items, c->dev, "_rx", c->st.rx_bytes);
        put2(items, c->dev, "_rx_packets", c->st.rx_packets);
        put2(items, c->dev, "_rx_errors", c->st.rx_errs);
        put2(items, c->dev, "_rx_drop", c->st.rx_drop);
        put2(items, c->dev, "_tx", c->st.tx_bytes);
        put2(items, c->dev, "_tx_packets", c->st.tx_packets);
        put2(items, c->dev, "_tx_errors", c->st.tx_errs);
        put2(items, c->dev, "_tx_drop", c->st.tx_drop);
    }
    io_stats_clear(&io);
    /* maxMemory(), which virDomainGetInfo already read */
    put(items, "memory", (int64_t)info.max_mem_kib);
    if ((n = hv_domain_memory_stats(dom, mem, &hv)) > 0)
        for (int i = 0; i < n; i++) {
            const char *name = hv_memory_stat_name(mem[i].tag);
            if (name)
                put2(items, "memory-", name, (int64_t)mem[i].val);
        }
    diag->n_items = items->len;
    diag->items = (drv_diag_item *)g_array_free(items, FALSE);
    g_free(xml);
    hv_domain_free(dom);
    return 0;
}

void
drv_diagnostics_clear(drv_diagnostics *diag)
{
    if (!diag)
        return;
    for (unsigned int i = 0; i < diag->n_items; i++)
        g_free(diag->items[i].key);
    g_free(diag->items);
    memset(diag, 0, sizeof(*diag));
}

bool
drv_diagnostics_get(const drv_diagnostics *diag, const char *key,
                    int64_t *value)
{
    for (unsigned int i = 0; i < diag->n_items; i++)
        if (strcmp(diag->items[i].key, key) == 0) {
            if (value)
                *value = diag->items[i].value;
            return true;
        }
    return false;
}

/* json_dumps into a g_malloc'ed string; takes o. */
static char *
dump(json_t *o)
{
    char *s = json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT);
    char *out = g_strdup(s);

    free(s);
    json_decref(o);
    return out;
}

char *
drv_diagnostics_to_json(const drv_diagnostics *diag)
{
    json_t *o = json_object();

    for (unsigned int i = 0; i < diag->n_items; i++)
        json_object_set_new(o, diag->items[i].key,
                            json_integer(diag->items[i].value));
    return dump(o);
}

/* ---- get_instance_diagnostics: the Diagnostics object ---- */

/* configdrive.required_by: the instance's flag or the image's demand. */
static bool
config_drive_required(const drv_instance *inst)
{
    const char *p = drv_kv_get(inst->image.properties,
                               inst->image.n_properties, "img_config_drive");

    return inst->config_drive || (p && strcmp(p, "mandatory") == 0);
}

int
drv_get_instance_diagnostics(drv *d, const drv_instance *inst,
                             drv_instance_diagnostics *diag, drv_error *err)
{
    hv_domain_info info;
    hv_domain *dom;
    char *xml = NULL, **macs;
    GArray *cpus, *nics, *dks;
    io_stats io;

    memset(diag, 0, sizeof(*diag));
    if (!(dom = diag_begin(d, inst, &xml, &info, err)))
        return -1;
    diag->state = drv_power_state_from_hv(info.state);
    g_strlcpy(diag->driver, "libvirt", sizeof(diag->driver));
    g_strlcpy(diag->hypervisor_os, "linux", sizeof(diag->hypervisor_os));
    diag->config_drive = config_drive_required(inst);
    /* from the instance's launch, on the wall clock, whole seconds */
    diag->uptime = inst->launched_at > 0
                       ? hv_wall_now(d->conn) / HV_NS_PER_SEC -
                             inst->launched_at
                       : -1;
    /* KiB to MiB; see docs/reference-differences.md */
    diag->memory_maximum = (int64_t)(info.max_mem_kib / 1024);
    diag->memory_used = (int64_t)(info.mem_kib / 1024);

    io_stats_read(dom, xml, &io);
    cpus = g_array_new(FALSE, TRUE, sizeof(drv_cpu_diag));
    for (int i = 0; i < io.n_vcpus; i++) {
        drv_cpu_diag c = {.time = (int64_t)io.vcpus[i].cpu_time_ns};
        g_array_append_val(cpus, c);
    }
    dks = g_array_new(FALSE, TRUE, sizeof(drv_disk_diag));
    for (guint i = 0; i < io.blocks->len; i++) {
        const hv_block_stats *bs = &g_array_index(io.blocks, dev_block, i).st;
        /* the reference passes no errors: the object's default, 0 */
        drv_disk_diag dd = {.read_bytes = bs->rd_bytes,
                            .read_requests = bs->rd_req,
                            .write_bytes = bs->wr_bytes,
                            .write_requests = bs->wr_req,
                            .errors_count = 0};
        g_array_append_val(dks, dd);
    }
    nics = g_array_new(FALSE, TRUE, sizeof(drv_nic_diag));
    for (guint i = 0; i < io.nics->len; i++) {
        const hv_interface_stats *is = &g_array_index(io.nics, dev_nic, i).st;
        drv_nic_diag nd = {.rx_octets = is->rx_bytes,
                           .rx_errors = is->rx_errs,
                           .rx_drop = is->rx_drop,
                           .rx_packets = is->rx_packets,
                           .rx_rate = -1,
                           .tx_octets = is->tx_bytes,
                           .tx_errors = is->tx_errs,
                           .tx_drop = is->tx_drop,
                           .tx_packets = is->tx_packets,
                           .tx_rate = -1};
        g_array_append_val(nics, nd);
    }
    io_stats_clear(&io);
    /* the MACs in XML order onto the NICs that reported, as the reference
     * does (it would fail on more MACs than NICs; here the rest is left) */
    macs = mac_addresses(xml);
    for (guint i = 0; i < nics->len && macs[i]; i++)
        g_strlcpy(g_array_index(nics, drv_nic_diag, i).mac_address, macs[i],
                  sizeof(((drv_nic_diag *)NULL)->mac_address));
    g_strfreev(macs);
    diag->n_cpus = cpus->len;
    diag->cpu_details = (drv_cpu_diag *)g_array_free(cpus, FALSE);
    diag->n_disks = dks->len;
    diag->disk_details = (drv_disk_diag *)g_array_free(dks, FALSE);
    diag->n_nics = nics->len;
    diag->nic_details = (drv_nic_diag *)g_array_free(nics, FALSE);
    g_free(xml);
    hv_domain_free(dom);
    return 0;
}

void
drv_instance_diagnostics_clear(drv_instance_diagnostics *diag)
{
    if (!diag)
        return;
    g_free(diag->cpu_details);
    g_free(diag->nic_details);
    g_free(diag->disk_details);
    memset(diag, 0, sizeof(*diag));
}

/* -1 (None) as null. */
static json_t *
int_or_null(int64_t v)
{
    return v < 0 ? json_null() : json_integer(v);
}

/* Nova's power_state.STATE_MAP names. */
static const char *
state_map_name(int state)
{
    switch (state) {
    case DRV_POWER_RUNNING:
        return "running";
    case DRV_POWER_PAUSED:
        return "paused";
    case DRV_POWER_SHUTDOWN:
        return "shutdown";
    case DRV_POWER_CRASHED:
        return "crashed";
    case DRV_POWER_SUSPENDED:
        return "suspended";
    default:
        return "pending";
    }
}

char *
drv_instance_diagnostics_to_json(const drv_instance_diagnostics *diag)
{
    json_t *o = json_object(), *a;

    json_object_set_new(o, "version", json_string("1.0"));
    json_object_set_new(o, "state", json_string(state_map_name(diag->state)));
    json_object_set_new(o, "driver", json_string(diag->driver));
    json_object_set_new(o, "hypervisor_os", json_string(diag->hypervisor_os));
    json_object_set_new(o, "uptime", int_or_null(diag->uptime));
    json_object_set_new(o, "config_drive", json_boolean(diag->config_drive));
    json_object_set_new(o, "num_cpus", json_integer(diag->n_cpus));
    json_object_set_new(o, "num_nics", json_integer(diag->n_nics));
    json_object_set_new(o, "num_disks", json_integer(diag->n_disks));
    a = json_array();
    for (unsigned int i = 0; i < diag->n_cpus; i++)
        json_array_append_new(a, json_pack("{s:o}", "time",
                                           int_or_null(diag->cpu_details[i].time)));
    json_object_set_new(o, "cpu_details", a);
    a = json_array();
    for (unsigned int i = 0; i < diag->n_nics; i++) {
        const drv_nic_diag *n = &diag->nic_details[i];
        json_array_append_new(
            a, json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
                         "mac_address",
                         n->mac_address[0] ? json_string(n->mac_address)
                                           : json_null(),
                         "rx_octets", int_or_null(n->rx_octets),
                         "rx_errors", int_or_null(n->rx_errors),
                         "rx_drop", int_or_null(n->rx_drop),
                         "rx_packets", int_or_null(n->rx_packets),
                         "rx_rate", int_or_null(n->rx_rate),
                         "tx_octets", int_or_null(n->tx_octets),
                         "tx_errors", int_or_null(n->tx_errors),
                         "tx_drop", int_or_null(n->tx_drop),
                         "tx_packets", int_or_null(n->tx_packets),
                         "tx_rate", int_or_null(n->tx_rate)));
    }
    json_object_set_new(o, "nic_details", a);
    a = json_array();
    for (unsigned int i = 0; i < diag->n_disks; i++) {
        const drv_disk_diag *k = &diag->disk_details[i];
        json_array_append_new(
            a, json_pack("{s:o,s:o,s:o,s:o,s:o}",
                         "read_bytes", int_or_null(k->read_bytes),
                         "read_requests", int_or_null(k->read_requests),
                         "write_bytes", int_or_null(k->write_bytes),
                         "write_requests", int_or_null(k->write_requests),
                         "errors_count", int_or_null(k->errors_count)));
    }
    json_object_set_new(o, "disk_details", a);
    json_object_set_new(o, "memory_details",
                        json_pack("{s:o,s:o}", "maximum",
                                  int_or_null(diag->memory_maximum), "used",
                                  int_or_null(diag->memory_used)));
    return dump(o);
}
