/*
 * drv-console.c: the instance's consoles, as the reference's
 * get_vnc_console, get_spice_console and get_serial_console find them —
 * in the live domain XML, where libvirt has filled in the ports it chose
 * for autoport graphics — and the TCP ports serial consoles bind.
 *
 * Serial console ports: the reference's serial_console.acquire_port keeps
 * a process-wide set and test-binds a socket on the host. hvd asks the
 * hypervisor instead: a port that any domain of the host binds (in its
 * persistent or live XML) is taken, so nothing is lost when the driver
 * restarts and the driver touches no host socket.
 */
#include <glib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

#include "drv-priv.h"

int
drv_console_port_range(const drv_config *cfg, int *lo, int *hi,
                       drv_error *err)
{
    const char *r = cfg->serial_console_port_range;
    g_auto(GStrv) parts = r ? g_strsplit(r, ":", -1) : NULL;
    guint64 a, b;

    if (!parts || g_strv_length(parts) != 2 ||
        !g_ascii_string_to_unsigned(parts[0], 10, 1, 65535, &a, NULL) ||
        !g_ascii_string_to_unsigned(parts[1], 10, 1, 65535, &b, NULL) ||
        a > b) {
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "serial_console_port_range: '%s' is not LO:HI "
                      "(1 <= LO <= HI <= 65535)", r ? r : "(null)");
        return -1;
    }
    *lo = (int)a;
    *hi = (int)b;
    return 0;
}

/* The values of an XPath expression over xml, as strings (g_strfreev);
 * an empty list if xml does not parse. */
static char **
xpath_strings(const char *xml, const char *expr)
{
    GPtrArray *out = g_ptr_array_new();
    xmlDocPtr doc = xml ? xmlReadMemory(xml, (int)strlen(xml), "domain.xml",
                                        NULL, XML_PARSE_NONET |
                                                  XML_PARSE_NOERROR |
                                                  XML_PARSE_NOWARNING)
                        : NULL;
    xmlXPathContextPtr ctx = doc ? xmlXPathNewContext(doc) : NULL;
    xmlXPathObjectPtr obj =
        ctx ? xmlXPathEvalExpression(BAD_CAST expr, ctx) : NULL;

    for (int i = 0; obj && obj->nodesetval && i < obj->nodesetval->nodeNr;
         i++) {
        xmlChar *v = xmlNodeGetContent(obj->nodesetval->nodeTab[i]);

        g_ptr_array_add(out, g_strdup(v ? (const char *)v : ""));
        xmlFree(v);
    }
    xmlXPathFreeObject(obj);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

/* Mark the TCP ports bound by the serial consoles of xml in 'used'. */
static void
mark_bound_ports(const char *xml, GHashTable *used)
{
    g_auto(GStrv) ports = xpath_strings(
        xml, "/domain/devices/*[self::serial or self::console]"
             "[@type='tcp']/source[@mode='bind']/@service");

    for (size_t i = 0; ports[i]; i++) {
        guint64 p;

        if (g_ascii_string_to_unsigned(ports[i], 10, 1, 65535, &p, NULL))
            g_hash_table_add(used, GINT_TO_POINTER((int)p));
    }
}

int
drv_console_acquire_ports(drv *d, const drv_instance *inst, int **ports,
                          unsigned int *n, drv_error *err)
{
    g_autoptr(GHashTable) used = g_hash_table_new(g_direct_hash,
                                                  g_direct_equal);
    hv_domain **doms = NULL;
    unsigned int want, got = 0;
    int lo, hi, nd;
    hv_error hv;

    *ports = NULL;
    *n = 0;
    if (drv_xml_serial_port_count(inst, &want, err) < 0 ||
        drv_console_port_range(&d->cfg, &lo, &hi, err) < 0)
        return -1;
    if (!want)
        return 0;
    if ((nd = hv_domain_list(d->conn, HV_LIST_ALL, &doms, &hv)) < 0) {
        drv_set_hv_error(err, &hv, "cannot list domains", NULL);
        return -1;
    }
    for (int i = 0; i < nd; i++) {
        /* the instance's own ports are free again for its new XML */
        if (strcmp(hv_domain_uuid(doms[i]), inst->uuid) == 0)
            continue;
        for (int live = 0; live < 2; live++) {
            g_autofree char *xml = hv_domain_get_xml(
                doms[i], live ? 0 : HV_XML_INACTIVE, &hv);

            /* a domain gone meanwhile binds nothing */
            mark_bound_ports(xml, used);
        }
    }
    hv_domain_list_free(doms, nd);
    *ports = g_new0(int, want);
    for (int p = lo; p <= hi && got < want; p++) {
        if (!g_hash_table_contains(used, GINT_TO_POINTER(p)))
            (*ports)[got++] = p;
    }
    if (got < want) {
        g_clear_pointer(ports, g_free);
        drv_error_set(err, DRV_ERR_INVALID_CONFIG,
                      "serial_console_port_range %s: no free port left "
                      "(SocketPortRangeExhaustedException)",
                      d->cfg.serial_console_port_range);
        return -1;
    }
    *n = got;
    return 0;
}

/* The instance's live XML (g_free), NULL with err set. */
static char *
live_xml(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_domain *dom = drv_get_guest(d, inst, err);
    char *xml;
    hv_error hv;

    if (!dom)
        return NULL;
    if (!(xml = hv_domain_get_xml(dom, 0, &hv))) {
        if (hv.code == HV_ERR_NO_DOMAIN)
            drv_set_not_found(err, inst, &hv);
        else
            drv_set_hv_error(err, &hv, "get_xml_desc", inst);
    }
    hv_domain_free(dom);
    return xml;
}

/* A port attribute: libvirt writes -1 for one not (yet) allocated. */
static int
port_value(const char *s)
{
    gint64 v;

    if (!s || !g_ascii_string_to_signed(s, 10, -1, 65535, &v, NULL))
        return -1;
    return (int)v;
}

static int
graphics_console(drv *d, const drv_instance *inst, const char *type,
                 const char *host, drv_console *out, drv_error *err)
{
    g_autofree char *xml = NULL;
    g_autofree char *expr_port = NULL, *expr_tls = NULL, *expr_any = NULL;
    g_auto(GStrv) any = NULL, port = NULL, tls = NULL;

    drv_error_reset(err);
    memset(out, 0, sizeof(*out));
    if (!(xml = live_xml(d, inst, err)))
        return -1;
    expr_any = g_strdup_printf("/domain/devices/graphics[@type='%s']", type);
    any = xpath_strings(xml, expr_any);
    if (!any[0]) {
        drv_error_set(err, DRV_ERR_CONSOLE_TYPE_UNAVAILABLE,
                      "Unavailable console type %s.", type);
        return -1;
    }
    /* the first such graphics, as the reference's find() */
    expr_port = g_strdup_printf("%s[1]/@port", expr_any);
    expr_tls = g_strdup_printf("%s[1]/@tlsPort", expr_any);
    port = xpath_strings(xml, expr_port);
    tls = xpath_strings(xml, expr_tls);
    g_strlcpy(out->host, host ? host : "", sizeof(out->host));
    out->port = port_value(port[0]);
    out->tls_port = port_value(tls[0]);
    return 0;
}

int
drv_get_vnc_console(drv *d, const drv_instance *inst, drv_console *out,
                    drv_error *err)
{
    return graphics_console(d, inst, "vnc",
                            d->cfg.vncserver_proxyclient_address, out, err);
}

int
drv_get_spice_console(drv *d, const drv_instance *inst, drv_console *out,
                      drv_error *err)
{
    return graphics_console(d, inst, "spice",
                            d->cfg.spice_server_proxyclient_address, out,
                            err);
}

int
drv_get_serial_console(drv *d, const drv_instance *inst, drv_console *out,
                       drv_error *err)
{
    static const char *const sources[] = {
        "/domain/devices/serial[@type='tcp']/source[@mode='bind']",
        "/domain/devices/console[@type='tcp']/source[@mode='bind']",
    };
    g_autofree char *xml = NULL;

    drv_error_reset(err);
    memset(out, 0, sizeof(*out));
    if (!(xml = live_xml(d, inst, err)))
        return -1;
    /* serial devices first; consoles only if there is no TCP serial */
    for (size_t i = 0; i < G_N_ELEMENTS(sources); i++) {
        g_autofree char *eh = g_strdup_printf("(%s)[1]/@host", sources[i]);
        g_autofree char *es = g_strdup_printf("(%s)[1]/@service",
                                              sources[i]);
        g_auto(GStrv) host = xpath_strings(xml, eh);
        g_auto(GStrv) service = xpath_strings(xml, es);

        if (!service[0])
            continue;
        g_strlcpy(out->host, host[0] ? host[0] : "", sizeof(out->host));
        out->port = port_value(service[0]);
        out->tls_port = -1;
        return 0;
    }
    drv_error_set(err, DRV_ERR_CONSOLE_TYPE_UNAVAILABLE,
                  "Unavailable console type serial.");
    return -1;
}
