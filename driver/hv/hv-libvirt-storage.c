/*
 * hv-libvirt-storage.c: the libvirt backend's storage slots: a pool's
 * numbers, and its volumes (create, delete, info, resize, path, list).
 *
 * Pools and volumes are named, never held: every slot looks them up on
 * the connection and frees them before it returns. Volume XML is built and
 * read with libxml2, so that no user string can change its structure.
 */
#include "hv-libvirt-priv.h"

#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

static virStoragePoolPtr
lv_pool(hv_conn *conn, const char *pool, hv_error *err)
{
    virConnectPtr vc = lv_vc(conn, err);
    virStoragePoolPtr p;

    if (!vc)
        return NULL;
    if (!(p = virStoragePoolLookupByName(vc, pool)))
        lv_error(err);
    return p;
}

static virStorageVolPtr
lv_vol(hv_conn *conn, const char *pool, const char *name, hv_error *err)
{
    virStoragePoolPtr p = lv_pool(conn, pool, err);
    virStorageVolPtr v = NULL;

    if (!p)
        return NULL;
    if (!(v = virStorageVolLookupByName(p, name)))
        lv_error(err);
    virStoragePoolFree(p);
    return v;
}

int
lv_pool_get_info(hv_conn *conn, const char *pool, hv_pool_info *info,
                 hv_error *err)
{
    virStoragePoolPtr p = lv_pool(conn, pool, err);
    virStoragePoolInfo pi;
    int ret = -1;

    if (!p)
        return -1;
    /* best effort: stale numbers beat none (an inactive pool fails here) */
    if (virStoragePoolRefresh(p, 0) < 0)
        virResetLastError();
    if (virStoragePoolGetInfo(p, &pi) < 0) {
        lv_error(err);
        goto cleanup;
    }
    info->capacity = pi.capacity;
    info->allocation = pi.allocation;
    info->available = pi.available;
    ret = 0;

 cleanup:
    virStoragePoolFree(p);
    return ret;
}

/* <child>text</child> under parent, text escaped by libxml2. */
static xmlNodePtr
lv_xml_text(xmlNodePtr parent, const char *child, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST child, BAD_CAST text);
}

/* <format type='fmt'/> under parent. */
static void
lv_xml_format(xmlNodePtr parent, const char *fmt)
{
    xmlNodePtr n = xmlNewChild(parent, NULL, BAD_CAST "format", NULL);

    xmlNewProp(n, BAD_CAST "type", BAD_CAST fmt);
}

/*
 * The volume XML for spec, built as a tree so that no user string can
 * change its structure. Allocation 0: sparse, like qemu-img create.
 */
char *
lv_vol_xml(const hv_vol_spec *spec)
{
    xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "volume", NULL);
    xmlNodePtr n;
    xmlChar *buf = NULL;
    int len = 0;
    char num[32];
    char *out;

    xmlDocSetRootElement(doc, root);
    lv_xml_text(root, "name", spec->name);
    g_snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, spec->capacity);
    n = lv_xml_text(root, "capacity", num);
    xmlNewProp(n, BAD_CAST "unit", BAD_CAST "bytes");
    g_snprintf(num, sizeof(num), "%" G_GUINT64_FORMAT, spec->allocation);
    n = lv_xml_text(root, "allocation", num);
    xmlNewProp(n, BAD_CAST "unit", BAD_CAST "bytes");
    if (spec->format && *spec->format) {
        n = xmlNewChild(root, NULL, BAD_CAST "target", NULL);
        lv_xml_format(n, spec->format);
    }
    if (spec->backing_path && *spec->backing_path) {
        n = xmlNewChild(root, NULL, BAD_CAST "backingStore", NULL);
        lv_xml_text(n, "path", spec->backing_path);
        if (spec->backing_format && *spec->backing_format)
            lv_xml_format(n, spec->backing_format);
    }
    xmlDocDumpMemory(doc, &buf, &len);
    out = g_strndup((const char *)buf, len > 0 ? (gsize)len : 0);
    xmlFree(buf);
    xmlFreeDoc(doc);
    return out;
}

int
lv_vol_create(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
              hv_error *err)
{
    virStoragePoolPtr p = NULL;
    virStorageVolPtr v = NULL;
    char *xml = NULL;
    int ret = -1;

    if (!spec || !spec->name || !*spec->name) {
        hv_error_set(err, HV_ERR_INVALID_ARG, "volume needs a name");
        return -1;
    }
    if (!(p = lv_pool(conn, pool, err)))
        goto cleanup;
    xml = lv_vol_xml(spec);
    if (!(v = virStorageVolCreateXML(p, xml, 0))) {
        lv_error(err);
        goto cleanup;
    }
    ret = 0;

 cleanup:
    if (v)
        virStorageVolFree(v);
    if (p)
        virStoragePoolFree(p);
    g_free(xml);
    return ret;
}

int
lv_vol_delete(hv_conn *conn, const char *pool, const char *name,
              hv_error *err)
{
    virStorageVolPtr v = lv_vol(conn, pool, name, err);
    int ret;

    if (!v)
        return -1;
    ret = lv_check(virStorageVolDelete(v, 0), err);
    virStorageVolFree(v);
    return ret;
}

/* The string value of an XPath expression, or NULL if empty. g_free it. */
static char *
lv_xpath_string(xmlXPathContextPtr ctx, const char *expr)
{
    xmlXPathObjectPtr obj = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    char *s = NULL;

    if (obj && obj->type == XPATH_STRING && obj->stringval &&
        obj->stringval[0])
        s = g_strdup((const char *)obj->stringval);
    xmlXPathFreeObject(obj);
    return s;
}

/* Copy src into a fixed field of hv_vol_info, refusing to truncate. */
static int
lv_copy_field(char *dst, size_t len, const char *src, const char *what,
              hv_error *err)
{
    if (g_strlcpy(dst, src ? src : "", len) >= len) {
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "volume %s longer than %zu bytes: '%s'", what, len - 1,
                     src);
        return -1;
    }
    return 0;
}

int
lv_vol_get_info(hv_conn *conn, const char *pool, const char *name,
                hv_vol_info *info, hv_error *err)
{
    virStorageVolPtr v = lv_vol(conn, pool, name, err);
    virStorageVolInfo vi;
    char *xml = NULL;
    xmlDocPtr doc = NULL;
    xmlXPathContextPtr ctx = NULL;
    char *format = NULL;
    char *backing = NULL;
    char *backing_format = NULL;
    int ret = -1;

    if (!v)
        return -1;
    if (virStorageVolGetInfo(v, &vi) < 0 ||
        !(xml = virStorageVolGetXMLDesc(v, 0))) {
        lv_error(err);
        goto cleanup;
    }
    doc = xmlReadMemory(xml, (int)strlen(xml), "volume.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (!doc || !(ctx = xmlXPathNewContext(doc))) {
        hv_error_set(err, HV_ERR_XML_ERROR,
                     "cannot parse the XML of volume '%s/%s'", pool, name);
        goto cleanup;
    }
    format = lv_xpath_string(ctx, "string(/volume/target/format/@type)");
    backing = lv_xpath_string(ctx, "string(/volume/backingStore/path)");
    backing_format = lv_xpath_string(ctx,
                                     "string(/volume/backingStore/format/@type)");
    info->capacity = vi.capacity;
    info->allocation = vi.allocation;
    if (lv_copy_field(info->format, sizeof(info->format), format, "format",
                      err) < 0 ||
        lv_copy_field(info->backing_path, sizeof(info->backing_path), backing,
                      "backing path", err) < 0 ||
        lv_copy_field(info->backing_format, sizeof(info->backing_format),
                      backing_format, "backing format", err) < 0)
        goto cleanup;
    ret = 0;

 cleanup:
    g_free(format);
    g_free(backing);
    g_free(backing_format);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    free(xml);
    virStorageVolFree(v);
    return ret;
}

int
lv_vol_resize(hv_conn *conn, const char *pool, const char *name,
              uint64_t capacity, hv_error *err)
{
    virStorageVolPtr v = lv_vol(conn, pool, name, err);
    int ret;

    if (!v)
        return -1;
    ret = lv_check(virStorageVolResize(v, capacity, 0), err);
    virStorageVolFree(v);
    return ret;
}

int
lv_vol_get_path(hv_conn *conn, const char *pool, const char *name,
                char **path, hv_error *err)
{
    virStorageVolPtr v = lv_vol(conn, pool, name, err);
    int ret;

    if (!v)
        return -1;
    ret = lv_check_str(virStorageVolGetPath(v), path, err);
    virStorageVolFree(v);
    return ret;
}

static int
lv_strcmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int
lv_vol_list(hv_conn *conn, const char *pool, char ***names, hv_error *err)
{
    virStoragePoolPtr p = lv_pool(conn, pool, err);
    virStorageVolPtr *vols = NULL;
    char **out;
    int n;
    int ret = -1;

    if (!p)
        return -1;
    if ((n = virStoragePoolListAllVolumes(p, &vols, 0)) < 0) {
        lv_error(err);
        goto cleanup;
    }
    out = g_new0(char *, n + 1);
    for (int i = 0; i < n; i++) {
        out[i] = g_strdup(virStorageVolGetName(vols[i]));
        virStorageVolFree(vols[i]);
    }
    free(vols);
    qsort(out, n, sizeof(*out), lv_strcmp);
    *names = out;
    ret = 0;

 cleanup:
    virStoragePoolFree(p);
    return ret;
}
