/*
 * fake-copy.c: copying volumes to another host of the world (the
 * vol_copy_to slot), the transfer a cold migration makes of an instance's
 * disks.
 *
 * A volume is its record (fake-storage.c): the copy moves what the
 * volumes hold (their allocation) over the link between the two hosts at
 * the world's link speed, in virtual time, and only then do the records
 * appear on the destination. The world runs meanwhile, so a fault timed
 * inside the copy acts inside it: the destination crashing or its daemon
 * stopping (the link is lost: OPERATION_FAILED, nothing created there),
 * the source's daemon going (the caller's connection is lost), the
 * destination's pool filling up (ENOSPC once the free space is used up).
 * A backing file is a reference, not data: the destination's volume is
 * backed by the volume of the same name there, which must exist.
 */
#include "fake-priv.h"

#include <errno.h>
#include <string.h>

#define MIB (UINT64_C(1) << 20)

/* Virtual ns that bytes take over the link, rounded up. */
static int64_t
link_ns(fake_world *fw, uint64_t bytes)
{
    unsigned __int128 per_s = (unsigned __int128)fw->link_mib * MIB;
    unsigned __int128 ns = ((unsigned __int128)bytes * HV_NS_PER_SEC +
                            per_s - 1) / per_s;

    return ns > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)ns;
}

/* The destination as a libvirt client would reach it, or NULL and err. */
static fake_host *
copy_dest(fake_conn *c, const char *dest_uri, const char *dest_pool,
          hv_error *err)
{
    char *name = fake_dest_host_name(dest_uri);
    fake_host *dst = fake_host_find(c->w, name);

    g_free(name);
    if (!dst) {
        hv_error_set(err, HV_ERR_NO_CONNECT,
                     "no connection driver available for %s", dest_uri);
        return NULL;
    }
    if (!dst->daemon_up) {
        hv_error_set_errno(err, ECONNREFUSED,
                           "Failed to connect socket to "
                           "'/var/run/libvirt/libvirt-sock': Connection "
                           "refused");
        return NULL;
    }
    if (strcmp(dest_pool, dst->pool) != 0) {
        hv_error_set(err, HV_ERR_NO_STORAGE_POOL,
                     "Storage pool not found: no storage pool with matching "
                     "name '%s'", dest_pool);
        return NULL;
    }
    return dst;
}

/* The destination's backing reference for v: the same volume name there;
 * NULL (no backing) or a path in *out (g_free). -1 if it is missing. */
static int
dest_backing(fake_host *dst, const fake_vol *v, char **out, hv_error *err)
{
    const char *base;

    *out = NULL;
    if (!v->backing)
        return 0;
    base = strrchr(v->backing, '/');
    base = base ? base + 1 : v->backing;
    if (!g_hash_table_contains(dst->vols, base)) {
        hv_error_set(err, HV_ERR_NO_STORAGE_VOL,
                     "Storage volume not found: the backing file %s of "
                     "volume '%s' has no volume '%s' in the destination's "
                     "pool", v->backing, v->name, base);
        return -1;
    }
    *out = g_strdup_printf("%s/%s", FAKE_POOL_PATH, base);
    return 0;
}

int
fk_vol_copy_to(hv_conn *conn, const char *pool, const char *const *names,
               const char *dest_uri, const char *dest_pool, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    fake_world *fw = fake_world_of(c->w);
    GPtrArray *srcs = g_ptr_array_new();
    fake_host *dst = NULL;
    uint64_t bytes = 0, avail, epoch;
    int64_t end;
    char *backing = NULL;
    unsigned int made = 0;
    int ret = -1;

    if (fake_conn_check(c, err) < 0)
        goto cleanup;
    for (const char *const *n = names; *n; n++) {
        hv_vol_info vi;

        if (fk_vol_get_info(conn, pool, *n, &vi, err) < 0)
            goto cleanup;
        g_ptr_array_add(srcs, g_hash_table_lookup(c->host->vols, *n));
    }
    if (!(dst = copy_dest(c, dest_uri, dest_pool, err)))
        goto cleanup;
    for (guint i = 0; i < srcs->len; i++) {
        fake_vol *v = g_ptr_array_index(srcs, i);

        if (g_hash_table_contains(dst->vols, v->name)) {
            hv_error_set(err, HV_ERR_STORAGE_VOL_EXIST,
                         "storage volume '%s' exists already", v->name);
            goto cleanup;
        }
        if (dest_backing(dst, v, &backing, err) < 0)
            goto cleanup;
        g_free(backing);
        backing = NULL;
        bytes += v->allocation;
    }

    /* the transfer: the pool fills as it goes, so a copy bigger than
     * what is free fails once that much has gone */
    epoch = dst->epoch;
    avail = fake_pool_available(dst);
    end = sim_now(c->w) + link_ns(fw, bytes <= avail ? bytes : avail);
    /* timer by timer, so that a lost side ends the copy when it goes */
    for (;;) {
        int64_t next = sim_next_time(c->w);
        int64_t until = next >= 0 && next < end ? next : end;

        sim_run_until(c->w, until);
        if (!c->host->daemon_up || c->epoch != c->host->epoch ||
            !dst->daemon_up || dst->epoch != epoch || until >= end)
            break;
    }
    if (fake_conn_check(c, err) < 0)
        goto cleanup;
    if (!dst->daemon_up || dst->epoch != epoch) {
        hv_error_set(err, HV_ERR_OPERATION_FAILED,
                     "operation failed: Lost connection to destination host "
                     "%s", dst->name);
        goto cleanup;
    }
    if (bytes > avail || bytes > fake_pool_available(dst)) {
        hv_error_set_errno(err, ENOSPC,
                           "cannot write to volume '%s' in pool '%s' of %s: "
                           "No space left on device",
                           ((fake_vol *)g_ptr_array_index(srcs, 0))->name,
                           dest_pool, dst->name);
        goto cleanup;
    }
    /* the records appear at the end, all of them */
    for (guint i = 0; i < srcs->len; i++, made++) {
        const fake_vol *v = g_ptr_array_index(srcs, i);
        fake_vol *nv = g_new0(fake_vol, 1);

        if (dest_backing(dst, v, &nv->backing, err) < 0) {
            fake_vol_free(nv);
            goto cleanup;
        }
        nv->name = g_strdup(v->name);
        nv->capacity = v->capacity;
        nv->allocation = v->allocation;
        g_strlcpy(nv->format, v->format, sizeof(nv->format));
        g_strlcpy(nv->backing_format, v->backing_format,
                  sizeof(nv->backing_format));
        nv->mtime_ns = fake_wall_ns(c->w);
        g_hash_table_insert(dst->vols, nv->name, nv);
    }
    ret = 0;

cleanup:
    /* all or none: what this call created goes again */
    if (ret < 0)
        for (unsigned int i = 0; i < made; i++)
            g_hash_table_remove(dst->vols,
                                ((fake_vol *)g_ptr_array_index(srcs, i))->name);
    g_free(backing);
    g_ptr_array_free(srcs, TRUE);
    return ret;
}
