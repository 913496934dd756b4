/*
 * hv-libvirt-copy.c: the libvirt backend's vol_copy_to: volumes of a pool
 * copied to a pool of another libvirt host (a cold migration's disks).
 *
 * The destination is a second libvirt connection, opened for the call and
 * closed before it returns. Each volume is created there with the
 * source's capacity and format (and, for a backing file, a backing
 * reference to the volume of the same name in the destination's pool),
 * then its bytes are streamed from virStorageVolDownload into
 * virStorageVolUpload in chunks of COPY_CHUNK bytes, so memory stays
 * bounded whatever the size. The bytes are the volume's file as it is: a
 * qcow2 image keeps the backing path written in its header, which is why
 * the image must sit at the same path on every host (as Nova's image
 * cache does). Anything the call created on the destination is deleted
 * again if a later step fails. Blocking: the caller's thread makes every
 * call.
 */
#include "hv-libvirt-priv.h"

#include <stdbool.h>
#include <string.h>

#define COPY_CHUNK (256 * 1024)

/* The name of the last component of path (borrowed). */
static const char *
last_component(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

/* Stream the bytes of sv into dv, over their two connections. */
static int
copy_bytes(virConnectPtr sc, virStorageVolPtr sv, virConnectPtr dc,
           virStorageVolPtr dv, hv_error *err)
{
    virStreamPtr in = virStreamNew(sc, 0);
    virStreamPtr out = virStreamNew(dc, 0);
    char *buf = g_malloc(COPY_CHUNK);
    bool in_open = false, out_open = false;
    int ret = -1;

    if (!in || !out) {
        lv_error(err);
        goto cleanup;
    }
    if (virStorageVolDownload(sv, in, 0, 0, 0) < 0) {
        lv_error(err);
        goto cleanup;
    }
    in_open = true;
    if (virStorageVolUpload(dv, out, 0, 0, 0) < 0) {
        lv_error(err);
        goto cleanup;
    }
    out_open = true;
    for (;;) {
        int n = virStreamRecv(in, buf, COPY_CHUNK);
        int sent = 0;

        if (n < 0) {
            lv_error(err);
            goto cleanup;
        }
        if (n == 0)
            break;
        while (sent < n) {
            int m = virStreamSend(out, buf + sent, (size_t)(n - sent));

            if (m < 0) {
                lv_error(err);
                goto cleanup;
            }
            sent += m;
        }
    }
    in_open = false;
    if (virStreamFinish(in) < 0) {
        lv_error(err);
        goto cleanup;
    }
    out_open = false;
    if (virStreamFinish(out) < 0) {
        lv_error(err);
        goto cleanup;
    }
    ret = 0;

cleanup:
    if (in_open)
        virStreamAbort(in);
    if (out_open)
        virStreamAbort(out);
    if (in)
        virStreamFree(in);
    if (out)
        virStreamFree(out);
    g_free(buf);
    return ret;
}

/*
 * The spec of name's copy in dp: the source's capacity and format, and a
 * backing reference to dp's volume of the backing file's name. *backing
 * holds the path the spec borrows (g_free).
 */
static int
copy_spec(hv_conn *conn, const char *pool, const char *name,
          virStoragePoolPtr dp, hv_vol_spec *spec, hv_vol_info *vi,
          char **backing, hv_error *err)
{
    virStorageVolPtr bv;
    char *path;

    *backing = NULL;
    if (lv_vol_get_info(conn, pool, name, vi, err) < 0)
        return -1;
    memset(spec, 0, sizeof(*spec));
    spec->name = name;
    spec->capacity = vi->capacity;
    spec->format = vi->format[0] ? vi->format : NULL;
    if (vi->backing_path[0]) {
        const char *base = last_component(vi->backing_path);

        if (!(bv = virStorageVolLookupByName(dp, base))) {
            virResetLastError();
            hv_error_set(err, HV_ERR_NO_STORAGE_VOL,
                         "Storage volume not found: the backing file %s of "
                         "volume '%s' has no volume '%s' in the "
                         "destination's pool", vi->backing_path, name, base);
            return -1;
        }
        path = virStorageVolGetPath(bv);
        virStorageVolFree(bv);
        if (lv_check_str(path, backing, err) < 0)
            return -1;
        spec->backing_path = *backing;
        spec->backing_format =
            vi->backing_format[0] ? vi->backing_format : NULL;
    }
    return 0;
}

int
lv_vol_copy_to(hv_conn *conn, const char *pool, const char *const *names,
               const char *dest_uri, const char *dest_pool, hv_error *err)
{
    virConnectPtr sc = lv_vc(conn, err), dc = NULL;
    virStoragePoolPtr sp = NULL, dp = NULL;
    GPtrArray *made = g_ptr_array_new(); /* virStorageVolPtr on dest */
    int ret = -1;

    if (!sc)
        goto cleanup;
    if (!(sp = virStoragePoolLookupByName(sc, pool))) {
        lv_error(err);
        goto cleanup;
    }
    if (!(dc = virConnectOpen(dest_uri))) {
        lv_error(err);
        goto cleanup;
    }
    if (!(dp = virStoragePoolLookupByName(dc, dest_pool))) {
        lv_error(err);
        goto cleanup;
    }
    /* best effort: a volume made there behind libvirt's back is seen */
    if (virStoragePoolRefresh(dp, 0) < 0)
        virResetLastError();
    /* every name checked before anything moves */
    for (const char *const *n = names; *n; n++) {
        virStorageVolPtr v = virStorageVolLookupByName(sp, *n);

        if (!v) {
            lv_error(err);
            goto cleanup;
        }
        virStorageVolFree(v);
        if ((v = virStorageVolLookupByName(dp, *n))) {
            virStorageVolFree(v);
            hv_error_set(err, HV_ERR_STORAGE_VOL_EXIST,
                         "storage volume '%s' exists already in pool '%s' "
                         "of %s", *n, dest_pool, dest_uri);
            goto cleanup;
        }
        virResetLastError();
    }
    for (const char *const *n = names; *n; n++) {
        virStorageVolPtr sv = NULL, dv = NULL;
        hv_vol_spec spec;
        hv_vol_info vi;
        char *backing = NULL, *xml = NULL;
        int rc = -1;

        if (copy_spec(conn, pool, *n, dp, &spec, &vi, &backing, err) < 0)
            goto next;
        xml = lv_vol_xml(&spec);
        if (!(dv = virStorageVolCreateXML(dp, xml, 0))) {
            lv_error(err);
            goto next;
        }
        g_ptr_array_add(made, dv);
        if (!(sv = virStorageVolLookupByName(sp, *n))) {
            lv_error(err);
            goto next;
        }
        rc = copy_bytes(sc, sv, dc, dv, err);

    next:
        if (sv)
            virStorageVolFree(sv);
        g_free(backing);
        g_free(xml);
        if (rc < 0)
            goto cleanup;
    }
    ret = 0;

cleanup:
    for (guint i = 0; i < made->len; i++) {
        virStorageVolPtr v = g_ptr_array_index(made, i);

        /* all or none: the partial copies go; their failure to go is
         * not the error the caller needs */
        if (ret < 0 && virStorageVolDelete(v, 0) < 0)
            virResetLastError();
        virStorageVolFree(v);
    }
    g_ptr_array_free(made, TRUE);
    if (dp)
        virStoragePoolFree(dp);
    if (dc)
        virConnectClose(dc);
    if (sp)
        virStoragePoolFree(sp);
    return ret;
}
