/*
 * fake-xml.c: parsing and editing domain XML for the fake, with libxml2.
 */
#include "fake-xml.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <stdlib.h>
#include <string.h>

static void
xml_silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

/* Parse a document quietly; XML_DETAIL with libvirt's wording on failure. */
static xmlDocPtr
xml_read(const char *xml, const char *what, hv_error *err)
{
    xmlParserCtxtPtr ctxt;
    xmlDocPtr doc;

    xmlSetGenericErrorFunc(NULL, xml_silent);
    if (!xml || !*xml) {
        hv_error_set(err, HV_ERR_XML_DETAIL, "(%s):1: Document is empty",
                     what);
        return NULL;
    }
    ctxt = xmlNewParserCtxt();
    doc = xmlCtxtReadMemory(ctxt, xml, (int)strlen(xml), what, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
    if (!doc || ctxt->wellFormed == 0) {
        const xmlError *e = xmlCtxtGetLastError(ctxt);
        char *msg = g_strdup(e && e->message ? e->message : "parse error\n");

        g_strchomp(msg);
        hv_error_set(err, HV_ERR_XML_DETAIL, "(%s):%d: %s", what,
                     e ? e->line : 1, msg);
        g_free(msg);
        xmlFreeDoc(doc);
        doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return doc;
}

/*
 * Replace entity references under node (in text and in attribute values)
 * by the text they stand for, which is what the fake read from them
 * (xmlNodeGetContent, xmlGetProp): the normalised XML is the root alone,
 * without the DOCTYPE that declared them, and must parse again.
 */
static void
expand_entities(xmlNodePtr node)
{
    for (xmlNodePtr c = node->children, next; c; c = next) {
        next = c->next;
        if (c->type == XML_ENTITY_REF_NODE) {
            xmlChar *text = xmlNodeGetContent(c);
            xmlNodePtr t = xmlNewDocText(node->doc,
                                         text ? text : (const xmlChar *)"");

            xmlReplaceNode(c, t);
            xmlFreeNode(c);
            xmlFree(text);
        } else if (c->type == XML_ELEMENT_NODE) {
            expand_entities(c);
        }
    }
    for (xmlAttrPtr a = node->type == XML_ELEMENT_NODE ? node->properties
                                                        : NULL;
         a; a = a->next) {
        bool ref = false;

        for (xmlNodePtr c = a->children; c; c = c->next)
            ref |= c->type == XML_ENTITY_REF_NODE;
        if (ref) {
            xmlChar *v = xmlNodeListGetString(node->doc, a->children, 1);

            xmlSetNsProp(node, a->ns, a->name,
                         v ? v : (const xmlChar *)"");
            xmlFree(v);
        }
    }
}

static char *
xml_dump(xmlNodePtr node)
{
    xmlBufferPtr buf = xmlBufferCreate();
    char *out;

    xmlNodeDump(buf, node->doc, node, 0, 1);
    out = g_strdup((const char *)xmlBufferContent(buf));
    xmlBufferFree(buf);
    return out;
}

static xmlNodePtr
child(xmlNodePtr parent, const char *name)
{
    for (xmlNodePtr n = parent ? parent->children : NULL; n; n = n->next)
        if (n->type == XML_ELEMENT_NODE &&
            strcmp((const char *)n->name, name) == 0)
            return n;
    return NULL;
}

/* Text content of a child element, g_strstrip'ed, or NULL. g_free it. */
static char *
child_text(xmlNodePtr parent, const char *name)
{
    xmlNodePtr n = child(parent, name);
    xmlChar *c;
    char *out;

    if (!n)
        return NULL;
    c = xmlNodeGetContent(n);
    out = g_strstrip(g_strdup((const char *)c));
    xmlFree(c);
    return out;
}

static char *
prop(xmlNodePtr n, const char *name)
{
    xmlChar *v = n ? xmlGetProp(n, (const xmlChar *)name) : NULL;
    char *out = v ? g_strdup((const char *)v) : NULL;

    xmlFree(v);
    return out;
}

void
fake_domdef_clear(fake_domdef *def)
{
    g_free(def->name);
    g_free(def->xml);
    if (def->sources)
        g_ptr_array_unref(def->sources);
    memset(def, 0, sizeof(*def));
}

/* Memory in KiB from a value and libvirt's unit names; false if invalid. */
static bool
scale_kib(const char *value, const char *unit, uint64_t *kib)
{
    static const struct {
        const char *name;
        double factor_kib;
    } units[] = {
        {"b", 1.0 / 1024}, {"bytes", 1.0 / 1024}, {"k", 1}, {"KiB", 1},
        {"KB", 1000.0 / 1024}, {"M", 1024}, {"MiB", 1024},
        {"MB", 1e6 / 1024}, {"G", 1048576}, {"GiB", 1048576},
        {"GB", 1e9 / 1024}, {"T", 1073741824.0}, {"TiB", 1073741824.0},
    };
    char *end = NULL;
    unsigned long long v;

    if (!value || !*value || !g_ascii_isdigit(value[0]))
        return false;
    errno = 0;
    v = g_ascii_strtoull(value, &end, 10);
    if (!end || *end || errno == ERANGE)
        return false;
    if (!unit) {
        *kib = v;
        return true;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(units); i++) {
        if (strcmp(units[i].name, unit) == 0) {
            /* libvirt rounds up to whole KiB */
            double k = (double)v * units[i].factor_kib;

            /* more KiB than 64 bits hold: libvirt refuses it too (its
             * scaling overflows); a cast would be undefined */
            if (!(k < 18446744073709551616.0))
                return false;
            *kib = (uint64_t)k + ((double)(uint64_t)k < k ? 1 : 0);
            if (*kib < (uint64_t)k)
                return false;
            return true;
        }
    }
    return false;
}

static bool
uuid_valid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return false;
        } else if (!g_ascii_isxdigit(s[i])) {
            return false;
        }
    }
    return true;
}

static void
collect_sources(xmlNodePtr devices, GPtrArray *out)
{
    for (xmlNodePtr d = devices ? devices->children : NULL; d; d = d->next) {
        xmlNodePtr src;
        char *file;

        if (d->type != XML_ELEMENT_NODE ||
            strcmp((const char *)d->name, "disk") != 0)
            continue;
        src = child(d, "source");
        file = prop(src, "file");
        if (!file)
            file = prop(src, "dev");
        if (file)
            g_ptr_array_add(out, file);
    }
}

/*
 * What libvirt's QEMU driver adds to a definition it accepts (its post-parse
 * step; checked on qemu:///system, docs/conformance.md): the architecture
 * and the emulator's machine type on <os><type> ("pc" and "q35" expanded
 * to the versioned names of QEMU 7.2, the fake's default version), and a
 * <console> mirroring the first <serial> port when the domain has none.
 * Not for other domain types (the test driver adds neither).
 */
static void
qemu_post_parse(xmlNodePtr root)
{
    xmlNodePtr type = child(child(root, "os"), "type");
    xmlNodePtr devices = child(root, "devices");
    char *dtype = prop(root, "type");
    char *machine = NULL;

    if (!dtype || (strcmp(dtype, "qemu") != 0 && strcmp(dtype, "kvm") != 0))
        goto cleanup;
    if (type) {
        machine = prop(type, "machine");
        if (!xmlHasProp(type, (const xmlChar *)"arch"))
            xmlSetProp(type, (const xmlChar *)"arch",
                       (const xmlChar *)"x86_64");
        if (!machine || strcmp(machine, "pc") == 0)
            xmlSetProp(type, (const xmlChar *)"machine",
                       (const xmlChar *)"pc-i440fx-7.2");
        else if (strcmp(machine, "q35") == 0)
            xmlSetProp(type, (const xmlChar *)"machine",
                       (const xmlChar *)"pc-q35-7.2");
    }
    if (devices && !child(devices, "console")) {
        xmlNodePtr serial = child(devices, "serial");

        if (serial) {
            xmlNodePtr con = xmlCopyNode(serial, 1);
            xmlNodePtr tgt;

            xmlNodeSetName(con, (const xmlChar *)"console");
            /* the console's own target says what it mirrors */
            while ((tgt = child(con, "target"))) {
                xmlUnlinkNode(tgt);
                xmlFreeNode(tgt);
            }
            tgt = xmlNewChild(con, NULL, (const xmlChar *)"target", NULL);
            xmlSetProp(tgt, (const xmlChar *)"type", (const xmlChar *)"serial");
            xmlSetProp(tgt, (const xmlChar *)"port", (const xmlChar *)"0");
            /* after the last serial, as libvirt lists it */
            {
                xmlNodePtr last = serial;

                for (xmlNodePtr n = serial->next; n; n = n->next)
                    if (n->type == XML_ELEMENT_NODE &&
                        strcmp((const char *)n->name, "serial") == 0)
                        last = n;
                xmlAddNextSibling(last, con);
            }
        }
    }

cleanup:
    g_free(dtype);
    g_free(machine);
}

int
fake_xml_parse_domain(const char *xml, const char *uuid_if_missing,
                      fake_domdef *def, hv_error *err)
{
    xmlDocPtr doc = NULL;
    xmlNodePtr root, os, uuidn, mem;
    char *s = NULL, *unit = NULL;
    int ret = -1;

    memset(def, 0, sizeof(*def));
    if (!(doc = xml_read(xml, "domain_definition", err)))
        goto cleanup;
    root = xmlDocGetRootElement(doc);
    if (!root || strcmp((const char *)root->name, "domain") != 0) {
        hv_error_set(err, HV_ERR_XML_ERROR,
                     "XML error: expecting root element of 'domain', not '%s'",
                     root ? (const char *)root->name : "");
        goto cleanup;
    }
    def->name = child_text(root, "name");
    if (!def->name || !*def->name) {
        hv_error_set(err, HV_ERR_NO_NAME, "missing name information");
        goto cleanup;
    }
    if (strchr(def->name, '/')) {
        hv_error_set(err, HV_ERR_XML_ERROR,
                     "XML error: name %s cannot contain '/'", def->name);
        goto cleanup;
    }

    s = child_text(root, "uuid");
    if (s) {
        if (!uuid_valid(s)) {
            hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                         "internal error: malformed uuid element");
            goto cleanup;
        }
        g_strlcpy(def->uuid, s, sizeof(def->uuid));
        for (char *p = def->uuid; *p; p++)
            *p = g_ascii_tolower(*p);
        g_clear_pointer(&s, g_free);
    } else if (uuid_if_missing) {
        g_strlcpy(def->uuid, uuid_if_missing, sizeof(def->uuid));
        uuidn = xmlNewNode(NULL, (const xmlChar *)"uuid");
        xmlNodeSetContent(uuidn, (const xmlChar *)def->uuid);
        xmlAddNextSibling(child(root, "name"), uuidn);
    }

    mem = child(root, "memory");
    if (!mem) {
        hv_error_set(err, HV_ERR_XML_ERROR,
                     "XML error: Memory size must be specified via <memory> "
                     "or in the <numa> configuration");
        goto cleanup;
    }
    s = child_text(root, "memory");
    unit = prop(mem, "unit");
    if (!scale_kib(s, unit, &def->mem_kib) || def->mem_kib == 0) {
        hv_error_set(err, HV_ERR_XML_ERROR,
                     "XML error: Invalid value '%s' for element or attribute "
                     "'./memory[1]'", s ? s : "");
        goto cleanup;
    }
    g_clear_pointer(&s, g_free);

    def->vcpus = 1;
    if ((s = child_text(root, "vcpu"))) {
        char *end = NULL;
        unsigned long long v = g_ascii_strtoull(s, &end, 10);
        if (!*s || !end || *end || v == 0 || v > 4096) {
            hv_error_set(err, HV_ERR_XML_ERROR,
                         "XML error: Invalid value '%s' for element or "
                         "attribute './vcpu[1]'", s);
            goto cleanup;
        }
        def->vcpus = (unsigned int)v;
        g_clear_pointer(&s, g_free);
    }

    os = child(root, "os");
    if ((s = child_text(os, "cmdline"))) {
        def->noacpi = strstr(s, "hvd.noacpi") != NULL;
        g_clear_pointer(&s, g_free);
    }

    def->sources = g_ptr_array_new_with_free_func(g_free);
    collect_sources(child(root, "devices"), def->sources);
    expand_entities(root);
    qemu_post_parse(root);
    def->xml = xml_dump(root);
    ret = 0;

cleanup:
    g_free(s);
    g_free(unit);
    xmlFreeDoc(doc);
    if (ret < 0)
        fake_domdef_clear(def);
    return ret;
}

/*
 * Give every device that has none the alias libvirt's QEMU driver would,
 * and every interface without a host-side device a tap named from the
 * daemon-wide counter *next_tap (vnet0, vnet1, ...), as libvirt does.
 */
static void
assign_aliases(xmlNodePtr devices, unsigned int *next_tap)
{
    unsigned int nets = 0;

    for (xmlNodePtr d = devices ? devices->children : NULL; d; d = d->next) {
        xmlNodePtr alias, target;
        char *dev = NULL, *name = NULL;

        if (d->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)d->name, "interface") == 0) {
            name = g_strdup_printf("net%u", nets++);
            target = child(d, "target");
            if (!(dev = prop(target, "dev"))) {
                char tap[32];
                g_snprintf(tap, sizeof(tap), "vnet%u", (*next_tap)++);
                if (!target)
                    target = xmlNewChild(d, NULL, (const xmlChar *)"target",
                                         NULL);
                xmlSetProp(target, (const xmlChar *)"dev",
                           (const xmlChar *)tap);
            }
            g_clear_pointer(&dev, g_free);
        }
        if (child(d, "alias")) {
            g_free(name);
            continue;
        }
        if (strcmp((const char *)d->name, "disk") == 0) {
            target = child(d, "target");
            dev = prop(target, "dev");
            if (dev && strlen(dev) == 3 && dev[2] >= 'a' && dev[2] <= 'z')
                name = g_strdup_printf("%s-disk%d",
                                       dev[0] == 'v' ? "virtio" : "sata0-0",
                                       dev[2] - 'a');
            g_free(dev);
        }
        if (name) {
            alias = xmlNewChild(d, NULL, (const xmlChar *)"alias", NULL);
            xmlNewProp(alias, (const xmlChar *)"name", (const xmlChar *)name);
            g_free(name);
        }
    }
}

char *
fake_xml_live(const char *xml, int id, unsigned int *next_tap,
              hv_error *err)
{
    xmlDocPtr doc = xml_read(xml, "domain_definition", err);
    xmlNodePtr root;
    char idbuf[16];
    char *out;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    g_snprintf(idbuf, sizeof(idbuf), "%d", id);
    xmlSetProp(root, (const xmlChar *)"id", (const xmlChar *)idbuf);
    assign_aliases(child(root, "devices"), next_tap);
    out = xml_dump(root);
    xmlFreeDoc(doc);
    return out;
}

/* Whether cpu has a <feature name='name'>. */
static bool
cpu_names_feature(xmlNodePtr cpu, const char *name)
{
    for (xmlNodePtr n = cpu->children; n; n = n->next) {
        char *v;
        bool same;

        if (n->type != XML_ELEMENT_NODE ||
            strcmp((const char *)n->name, "feature") != 0)
            continue;
        v = prop(n, "name");
        same = v && strcmp(v, name) == 0;
        g_free(v);
        if (same)
            return true;
    }
    return false;
}

char *
fake_xml_expand_host_model(const char *live_xml, const char *model,
                           const char *vendor, const char *const *features,
                           hv_error *err)
{
    xmlDocPtr doc = xml_read(live_xml, "domain_definition", err);
    xmlNodePtr cpu, first, n;
    char *mode, *out;

    if (!doc)
        return NULL;
    cpu = child(xmlDocGetRootElement(doc), "cpu");
    mode = prop(cpu, "mode");
    if (mode && strcmp(mode, "host-model") == 0) {
        first = cpu->children;
        xmlSetProp(cpu, (const xmlChar *)"mode", (const xmlChar *)"custom");
        xmlSetProp(cpu, (const xmlChar *)"match", (const xmlChar *)"exact");
        xmlSetProp(cpu, (const xmlChar *)"check", (const xmlChar *)"full");
        n = xmlNewDocNode(doc, NULL, (const xmlChar *)"model",
                          (const xmlChar *)(model ? model : "qemu64"));
        xmlSetProp(n, (const xmlChar *)"fallback", (const xmlChar *)"forbid");
        first ? xmlAddPrevSibling(first, n) : xmlAddChild(cpu, n);
        if (vendor) {
            xmlNodePtr v = xmlNewDocNode(doc, NULL, (const xmlChar *)"vendor",
                                         (const xmlChar *)vendor);

            xmlAddNextSibling(n, v);
        }
        for (size_t i = 0; features && features[i]; i++) {
            if (cpu_names_feature(cpu, features[i]))
                continue;
            n = xmlNewChild(cpu, NULL, (const xmlChar *)"feature", NULL);
            xmlSetProp(n, (const xmlChar *)"policy",
                       (const xmlChar *)"require");
            xmlSetProp(n, (const xmlChar *)"name",
                       (const xmlChar *)features[i]);
        }
    }
    g_free(mode);
    out = xml_dump(xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    return out;
}

int
fake_xml_check_cpu(const char *xml, hv_error *err)
{
    xmlDocPtr doc = xml_read(xml, "domain_definition", err);
    xmlNodePtr root;
    char *type, *mode;
    int ret = 0;

    if (!doc)
        return -1;
    root = xmlDocGetRootElement(doc);
    type = prop(root, "type");
    mode = prop(child(root, "cpu"), "mode");
    if (type && mode && strcmp(type, "qemu") == 0 &&
        strcmp(mode, "host-passthrough") == 0) {
        hv_error_set(err, HV_ERR_CONFIG_UNSUPPORTED,
                     "unsupported configuration: CPU mode '%s' for x86_64 "
                     "qemu domain on x86_64 host is not supported by "
                     "hypervisor", mode);
        ret = -1;
    }
    g_free(type);
    g_free(mode);
    xmlFreeDoc(doc);
    return ret;
}

/* libvirt's VNC/SPICE port range (qemu.conf remote_display_port_min/max) */
#define GRAPHICS_PORT_MIN 5900
#define GRAPHICS_PORT_MAX 65535

static bool
is_graphics(xmlNodePtr d, bool autoport_only)
{
    char *type, *autoport;
    bool yes;

    if (d->type != XML_ELEMENT_NODE ||
        strcmp((const char *)d->name, "graphics") != 0)
        return false;
    type = prop(d, "type");
    autoport = prop(d, "autoport");
    yes = type && (strcmp(type, "vnc") == 0 || strcmp(type, "spice") == 0) &&
          (!autoport_only || (autoport && strcmp(autoport, "yes") == 0));
    g_free(type);
    g_free(autoport);
    return yes;
}

void
fake_xml_graphics_ports(const char *xml, GHashTable *used)
{
    hv_error err;
    xmlDocPtr doc;

    hv_error_reset(&err);
    if (!xml || !(doc = xml_read(xml, "domain_definition", &err)))
        return;
    for (xmlNodePtr d = child(xmlDocGetRootElement(doc), "devices")
                            ? child(xmlDocGetRootElement(doc), "devices")
                                  ->children
                            : NULL;
         d; d = d->next) {
        char *port;

        if (!is_graphics(d, false))
            continue;
        if ((port = prop(d, "port"))) {
            long long v = g_ascii_strtoll(port, NULL, 10);

            if (v > 0)
                g_hash_table_add(used, GINT_TO_POINTER((int)v));
            g_free(port);
        }
    }
    xmlFreeDoc(doc);
}

char *
fake_xml_assign_graphics_ports(const char *xml, GHashTable *used,
                               hv_error *err)
{
    xmlDocPtr doc = xml_read(xml, "domain_definition", err);
    xmlNodePtr devices;
    char *out;

    if (!doc)
        return NULL;
    devices = child(xmlDocGetRootElement(doc), "devices");
    for (xmlNodePtr d = devices ? devices->children : NULL; d; d = d->next) {
        int port = GRAPHICS_PORT_MIN;
        char buf[16];

        if (!is_graphics(d, true))
            continue;
        while (port < GRAPHICS_PORT_MAX &&
               g_hash_table_contains(used, GINT_TO_POINTER(port)))
            port++;
        g_hash_table_add(used, GINT_TO_POINTER(port));
        g_snprintf(buf, sizeof(buf), "%d", port);
        xmlSetProp(d, (const xmlChar *)"port", (const xmlChar *)buf);
    }
    out = xml_dump(xmlDocGetRootElement(doc));
    xmlFreeDoc(doc);
    return out;
}

/* Fill ref from a device element node. */
static void
devref_from_node(xmlNodePtr d, fake_devref *ref)
{
    char *v = NULL;

    memset(ref, 0, sizeof(*ref));
    g_strlcpy(ref->kind, (const char *)d->name, sizeof(ref->kind));
    if (strcmp(ref->kind, "disk") == 0)
        v = prop(child(d, "target"), "dev");
    else if (strcmp(ref->kind, "interface") == 0)
        v = prop(child(d, "mac"), "address");
    if (v) {
        g_strlcpy(ref->key, v, sizeof(ref->key));
        for (char *p = ref->key; *p; p++)
            *p = g_ascii_tolower(*p);
        g_free(v);
    }
    if ((v = prop(child(d, "alias"), "name"))) {
        g_strlcpy(ref->alias, v, sizeof(ref->alias));
        g_free(v);
    }
    if ((v = prop(child(d, "source"), "file")) ||
        (v = prop(child(d, "source"), "dev"))) {
        g_strlcpy(ref->source, v, sizeof(ref->source));
        g_free(v);
    }
}

int
fake_xml_parse_device(const char *dev_xml, fake_devref *ref, hv_error *err)
{
    xmlDocPtr doc = xml_read(dev_xml, "device_definition", err);
    xmlNodePtr root;

    if (!doc)
        return -1;
    root = xmlDocGetRootElement(doc);
    devref_from_node(root, ref);
    xmlFreeDoc(doc);
    if (strcmp(ref->kind, "disk") == 0 && !ref->key[0]) {
        hv_error_set(err, HV_ERR_XML_ERROR,
                     "XML error: missing disk target definition");
        return -1;
    }
    return 0;
}

static bool
devref_match(const fake_devref *want, const fake_devref *have)
{
    if (strcmp(want->kind, have->kind) != 0)
        return false;
    if (want->key[0])
        return strcmp(want->key, have->key) == 0;
    if (want->alias[0])
        return strcmp(want->alias, have->alias) == 0;
    return false;
}

static xmlNodePtr
find_device(xmlNodePtr devices, const fake_devref *ref)
{
    for (xmlNodePtr d = devices ? devices->children : NULL; d; d = d->next) {
        fake_devref have;

        if (d->type != XML_ELEMENT_NODE)
            continue;
        devref_from_node(d, &have);
        if (devref_match(ref, &have))
            return d;
    }
    return NULL;
}

unsigned int
fake_xml_count_devices(const char *xml, const fake_devref *ref)
{
    hv_error err;
    xmlDocPtr doc;
    xmlNodePtr devices;
    unsigned int n = 0;

    hv_error_reset(&err);
    if (!xml || !(doc = xml_read(xml, "domain_definition", &err)))
        return 0;
    devices = child(xmlDocGetRootElement(doc), "devices");
    for (xmlNodePtr d = devices ? devices->children : NULL; d; d = d->next) {
        fake_devref have;

        if (d->type != XML_ELEMENT_NODE)
            continue;
        devref_from_node(d, &have);
        if (devref_match(ref, &have))
            n++;
    }
    xmlFreeDoc(doc);
    return n;
}

bool
fake_xml_has_device(const char *xml, const fake_devref *ref, char *alias,
                    size_t alias_len)
{
    hv_error err;
    xmlDocPtr doc;
    xmlNodePtr d;
    bool found;

    hv_error_reset(&err);
    if (!(doc = xml_read(xml, "domain_definition", &err)))
        return false;
    d = find_device(child(xmlDocGetRootElement(doc), "devices"), ref);
    found = d != NULL;
    if (found && alias) {
        fake_devref have;
        devref_from_node(d, &have);
        g_strlcpy(alias, have.alias, alias_len);
    }
    xmlFreeDoc(doc);
    return found;
}

/* Shared body of add/remove/replace: edit the <devices> of a copy. */
static char *
edit_devices(const char *xml, const fake_devref *ref, const char *dev_xml,
             bool remove_match, hv_error *err)
{
    xmlDocPtr doc = NULL, dev = NULL;
    xmlNodePtr root, devices, old = NULL;
    char *out = NULL;

    if (!(doc = xml_read(xml, "domain_definition", err)))
        goto cleanup;
    if (dev_xml && !(dev = xml_read(dev_xml, "device_definition", err)))
        goto cleanup;
    root = xmlDocGetRootElement(doc);
    if (!(devices = child(root, "devices")))
        devices = xmlNewChild(root, NULL, (const xmlChar *)"devices", NULL);
    if (remove_match && !(old = find_device(devices, ref))) {
        hv_error_set(err, HV_ERR_DEVICE_MISSING, "%s %s not found",
                     ref->kind, ref->key[0] ? ref->key : ref->alias);
        goto cleanup;
    }
    if (dev) {
        xmlNodePtr copy = xmlDocCopyNode(xmlDocGetRootElement(dev), doc, 1);
        if (old)
            xmlAddNextSibling(old, copy);
        else
            xmlAddChild(devices, copy);
    }
    if (old) {
        xmlUnlinkNode(old);
        xmlFreeNode(old);
    }
    out = xml_dump(root);

cleanup:
    xmlFreeDoc(dev);
    xmlFreeDoc(doc);
    return out;
}

char *
fake_xml_add_device(const char *xml, const char *dev_xml, hv_error *err)
{
    return edit_devices(xml, NULL, dev_xml, false, err);
}

char *
fake_xml_remove_device(const char *xml, const fake_devref *ref,
                       hv_error *err)
{
    return edit_devices(xml, ref, NULL, true, err);
}

char *
fake_xml_replace_device(const char *xml, const fake_devref *ref,
                        const char *dev_xml, hv_error *err)
{
    return edit_devices(xml, ref, dev_xml, true, err);
}

GPtrArray *
fake_xml_disk_sources(const char *xml)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    hv_error err;
    xmlDocPtr doc;

    hv_error_reset(&err);
    if ((doc = xml_read(xml, "domain_definition", &err))) {
        collect_sources(child(xmlDocGetRootElement(doc), "devices"), out);
        xmlFreeDoc(doc);
    }
    return out;
}

/* The <disk> under devices named by dev: its target ("vda"), or else its
 * source path, as libvirt's virDomainDiskByName takes either. */
static xmlNodePtr
find_disk(xmlNodePtr devices, const char *dev)
{
    fake_devref ref;
    xmlNodePtr d;

    memset(&ref, 0, sizeof(ref));
    g_strlcpy(ref.kind, "disk", sizeof(ref.kind));
    g_strlcpy(ref.key, dev, sizeof(ref.key));
    if ((d = find_device(devices, &ref)) || !strchr(dev, '/'))
        return d;
    for (d = devices ? devices->children : NULL; d; d = d->next) {
        fake_devref have;

        if (d->type != XML_ELEMENT_NODE ||
            strcmp((const char *)d->name, "disk") != 0)
            continue;
        devref_from_node(d, &have);
        if (strcmp(have.source, dev) == 0)
            return d;
    }
    return NULL;
}

bool
fake_xml_disk_target(const char *xml, const char *dev, char *target,
                     size_t target_len)
{
    hv_error err;
    xmlDocPtr doc;
    xmlNodePtr d;
    fake_devref have;

    hv_error_reset(&err);
    if (!xml || !(doc = xml_read(xml, "domain_definition", &err)))
        return false;
    d = find_disk(child(xmlDocGetRootElement(doc), "devices"), dev);
    if (d) {
        devref_from_node(d, &have);
        g_strlcpy(target, have.key, target_len);
    }
    xmlFreeDoc(doc);
    return d != NULL;
}

bool
fake_xml_disk_source(const char *xml, const char *dev, char *source,
                     size_t source_len)
{
    hv_error err;
    xmlDocPtr doc;
    xmlNodePtr d;
    fake_devref have;

    hv_error_reset(&err);
    if (!xml || !(doc = xml_read(xml, "domain_definition", &err)))
        return false;
    d = find_disk(child(xmlDocGetRootElement(doc), "devices"), dev);
    if (d) {
        devref_from_node(d, &have);
        g_strlcpy(source, have.source, source_len);
    }
    xmlFreeDoc(doc);
    return d != NULL;
}

char *
fake_xml_set_disk_source(const char *xml, const char *dev, const char *path,
                         hv_error *err)
{
    xmlDocPtr doc = xml_read(xml, "domain_definition", err);
    xmlNodePtr root, d, src;
    char *type, *out = NULL;

    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!(d = find_disk(child(root, "devices"), dev))) {
        hv_error_set(err, HV_ERR_DEVICE_MISSING, "disk %s not found", dev);
        goto cleanup;
    }
    if (!(src = child(d, "source")))
        src = xmlNewChild(d, NULL, (const xmlChar *)"source", NULL);
    type = prop(d, "type");
    xmlUnsetProp(src, (const xmlChar *)"file");
    xmlUnsetProp(src, (const xmlChar *)"dev");
    xmlSetProp(src,
               (const xmlChar *)(type && strcmp(type, "block") == 0 ? "dev"
                                                                    : "file"),
               (const xmlChar *)path);
    g_free(type);
    out = xml_dump(root);

cleanup:
    xmlFreeDoc(doc);
    return out;
}
