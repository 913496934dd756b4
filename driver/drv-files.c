/*
 * drv-files.c: an instance's files — its folder under instances_path, the
 * console log, unrescue.xml — as the reference keeps them, every access
 * through hv's instance-file operations (the driver touches no host file):
 * instance_on_disk, delete_instance_files with destroy's "cleaned"
 * bookkeeping, get_console_output.
 */
#include "drv-priv.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

/* The suffixes the reference gives an instance folder on its way out. */
#define DIR_RESIZE_SUFFIX "_resize"
#define DIR_DEL_SUFFIX "_del"

bool
drv_inst_folder_ok(const drv_instance *inst, drv_error *err)
{
    if (!inst || !inst->uuid || !hv_instance_name_ok(inst->uuid)) {
        drv_error_set(err, DRV_ERR_INVALID_INSTANCE,
                      "an instance needs a uuid that can name its folder");
        return false;
    }
    return true;
}

int
drv_create_instance_dir(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_error hv;

    if (hv_instance_dir_create(d->conn, d->cfg.instances_path, inst->uuid,
                               &hv) < 0) {
        drv_set_hv_error(err, &hv, "creating the instance folder", inst);
        return -1;
    }
    return 0;
}

int
drv_ensure_console_log(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_error hv;

    if (hv_instance_file_write(d->conn, d->cfg.instances_path, inst->uuid,
                               DRV_FILE_CONSOLE_LOG, NULL, 0, HV_FILE_APPEND,
                               &hv) < 0) {
        drv_set_hv_error(err, &hv, "creating the console log", inst);
        return -1;
    }
    return 0;
}

void
drv_remove_instance_dir(drv *d, const drv_instance *inst)
{
    hv_error hv;

    hv_instance_dir_delete(d->conn, d->cfg.instances_path, inst->uuid, &hv);
}

int
drv_write_instance_file(drv *d, const drv_instance *inst, const char *file,
                        const char *data, drv_error *err)
{
    hv_error hv;

    if (hv_instance_file_write(d->conn, d->cfg.instances_path, inst->uuid,
                               file, data, strlen(data), 0, &hv) < 0) {
        /* the instances path shares the host's disk with the pool */
        if (hv.code == HV_ERR_SYSTEM_ERROR && hv.sys_errno == ENOSPC) {
            drv_error_set(err, DRV_ERR_DISK_FULL,
                          "no space for %s of instance %s: %s", file,
                          inst->uuid, hv.message);
            err->hv = hv;
        } else {
            drv_set_hv_error(err, &hv, "writing an instance file", inst);
        }
        return -1;
    }
    return 0;
}

char *
drv_read_instance_file(drv *d, const drv_instance *inst, const char *file,
                       size_t max, drv_error *err)
{
    char *data = NULL;
    size_t len;
    uint64_t skipped;
    hv_error hv;

    if (hv_instance_file_read(d->conn, d->cfg.instances_path, inst->uuid,
                              file, max, &data, &len, &skipped, &hv) < 0) {
        drv_set_hv_error(err, &hv, "reading an instance file", inst);
        return NULL;
    }
    if (skipped > 0 || memchr(data, '\0', len)) {
        drv_error_set(err, DRV_ERR_HYPERVISOR,
                      "%s/%s/%s of instance %s is not a text file of at most "
                      "%zu bytes", d->cfg.instances_path, inst->uuid, file,
                      inst->uuid, max);
        g_free(data);
        return NULL;
    }
    return data;
}

int
drv_delete_instance_file(drv *d, const drv_instance *inst, const char *file,
                         bool missing_ok, drv_error *err)
{
    hv_error hv;

    if (hv_instance_file_delete(d->conn, d->cfg.instances_path, inst->uuid,
                                file, &hv) < 0) {
        if (missing_ok && hv.code == HV_ERR_SYSTEM_ERROR &&
            hv.sys_errno == ENOENT)
            return 0;
        drv_set_hv_error(err, &hv, "deleting an instance file", inst);
        return -1;
    }
    return 0;
}

/* ---- instance_on_disk ---- */

int
drv_instance_on_disk(drv *d, const drv_instance *inst, drv_error *err)
{
    hv_error hv;

    drv_error_reset(err);
    if (!drv_inst_folder_ok(inst, err))
        return -1;
    /* os.access(path, W_OK): a failure to look is a "no". The image
     * backend's shared block storage (rbd) does not exist in hvd: its
     * volumes are in a local pool. */
    return hv_instance_dir_exists(d->conn, d->cfg.instances_path, inst->uuid,
                                  &hv) == 1;
}

/* ---- delete_instance_files ---- */

/* Does folder name exist? A failure to look counts as "no", as the
 * reference's os.path.exists. */
static bool
dir_exists(drv *d, const char *name)
{
    hv_error hv;

    return hv_instance_dir_exists(d->conn, d->cfg.instances_path, name,
                                  &hv) == 1;
}

/*
 * mv from to. mv into an existing folder moves from inside it; rename(2)
 * refuses a non-empty one instead. Both end with 'to' to be deleted whole,
 * so a leftover of an interrupted delete is deleted first and the rename
 * tried again. Something else in the way (ENOTDIR: a link or a file,
 * which mv would follow or replace) is removed the same way, never what
 * a link points at.
 */
static bool
move_dir(drv *d, const char *from, const char *to)
{
    const char *base = d->cfg.instances_path;
    hv_error hv;

    if (hv_instance_dir_rename(d->conn, base, from, to, &hv) == 0)
        return true;
    if (hv.code != HV_ERR_SYSTEM_ERROR ||
        (hv.sys_errno != ENOTEMPTY && hv.sys_errno != EEXIST &&
         hv.sys_errno != ENOTDIR) ||
        !dir_exists(d, from))
        return false;
    if (hv_instance_dir_delete(d->conn, base, to, &hv) < 0)
        return false;
    return hv_instance_dir_rename(d->conn, base, from, to, &hv) == 0;
}

int
drv_delete_instance_files(drv *d, const drv_instance *inst, drv_error *err)
{
    char *target = NULL, *resize = NULL, *del = NULL;
    const char *remaining = NULL;
    bool moved = false;
    hv_error hv;
    int ret;

    drv_error_reset(err);
    if (!drv_inst_folder_ok(inst, err))
        return -1;
    target = g_strdup(inst->uuid);
    resize = g_strconcat(inst->uuid, DIR_RESIZE_SUFFIX, NULL);
    del = g_strconcat(inst->uuid, DIR_DEL_SUFFIX, NULL);
    /* twice, in case another task renamed a folder between the tries */
    for (int i = 0; i < 2; i++) {
        if (move_dir(d, target, del) || move_dir(d, resize, del)) {
            moved = true;
            break;
        }
    }
    if (dir_exists(d, target))
        remaining = target;
    else if (dir_exists(d, resize))
        remaining = resize;
    /* a delete interrupted earlier may have left only the _del folder;
     * what was just renamed is deleted even when it is not a folder (a
     * link in the instance folder's place: the link goes, not its
     * target), so that nothing is left behind a "cleaned" */
    if (!remaining && (dir_exists(d, del) || moved)) {
        remaining = del;
        /* a failure is the reference's logged OSError: the check below
         * reports it */
        hv_instance_dir_delete(d->conn, d->cfg.instances_path, del, &hv);
    }
    ret = remaining && dir_exists(d, remaining) ? 0 : 1;
    g_free(target);
    g_free(resize);
    g_free(del);
    return ret;
}

void
drv_cleanup_instance_files(drv *d, const drv_instance *inst)
{
    drv_clean_record *rec = g_hash_table_lookup(d->cleaned, inst->uuid);
    drv_error err;
    int ok = drv_delete_instance_files(d, inst, &err);

    if (!rec) {
        rec = g_new0(drv_clean_record, 1);
        g_hash_table_insert(d->cleaned, g_strdup(inst->uuid), rec);
    }
    rec->attempts++;
    /* the reference sets cleaned on success and never clears it */
    if (ok == 1)
        rec->cleaned = true;
}

int
drv_get_clean_record(drv *d, const char *uuid, unsigned int *attempts,
                     bool *cleaned)
{
    const drv_clean_record *rec =
        uuid ? g_hash_table_lookup(d->cleaned, uuid) : NULL;

    if (attempts)
        *attempts = rec ? rec->attempts : 0;
    if (cleaned)
        *cleaned = rec ? rec->cleaned : false;
    return rec ? 1 : 0;
}

/* ---- get_console_output ---- */

/* The source path of the first <console type=TYPE> of the domain XML that
 * has one (g_free), or NULL; *seen tells whether there is such a console
 * at all, with or without a path. */
static char *
console_source(xmlDocPtr doc, const char *type, bool *seen)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);

    *seen = false;
    for (xmlNodePtr devs = root ? root->children : NULL; devs;
         devs = devs->next) {
        if (devs->type != XML_ELEMENT_NODE ||
            xmlStrcmp(devs->name, BAD_CAST "devices") != 0)
            continue;
        for (xmlNodePtr c = devs->children; c; c = c->next) {
            xmlChar *t;
            bool match;

            if (c->type != XML_ELEMENT_NODE ||
                xmlStrcmp(c->name, BAD_CAST "console") != 0)
                continue;
            t = xmlGetProp(c, BAD_CAST "type");
            match = t && xmlStrcmp(t, BAD_CAST type) == 0;
            xmlFree(t);
            if (!match)
                continue;
            *seen = true;
            for (xmlNodePtr s = c->children; s; s = s->next) {
                xmlChar *p;

                if (s->type != XML_ELEMENT_NODE ||
                    xmlStrcmp(s->name, BAD_CAST "source") != 0)
                    continue;
                p = xmlGetProp(s, BAD_CAST "path");
                if (p && *p) {
                    char *out = g_strdup((const char *)p);
                    xmlFree(p);
                    return out;
                }
                xmlFree(p);
                break; /* a console without a path: the next one */
            }
        }
    }
    return NULL;
}

/*
 * Split path into the instance folder and file it names under
 * instances_path ("<base>/<dir>/<file>"); false if it is anywhere else.
 */
static bool
split_store_path(const char *base, const char *path, char **dir,
                 char **file)
{
    size_t n = strlen(base);
    const char *rest;
    const char *slash;

    while (n > 1 && base[n - 1] == '/')
        n--;
    if (strncmp(path, base, n) != 0 || path[n] != '/')
        return false;
    rest = path + n + 1;
    if (!(slash = strchr(rest, '/')))
        return false;
    *dir = g_strndup(rest, (size_t)(slash - rest));
    *file = g_strdup(slash + 1);
    if (!hv_instance_name_ok(*dir) || !hv_instance_name_ok(*file)) {
        g_clear_pointer(dir, g_free);
        g_clear_pointer(file, g_free);
        return false;
    }
    return true;
}

/* The tail of base/dir/file; a missing file is "" when missing_empty. */
static int
read_log_tail(drv *d, const drv_instance *inst, const char *dir,
              const char *file, bool missing_empty, char **out, size_t *len,
              drv_error *err)
{
    uint64_t skipped;
    hv_error hv;

    if (hv_instance_file_read(d->conn, d->cfg.instances_path, dir, file,
                              DRV_MAX_CONSOLE_BYTES, out, len, &skipped,
                              &hv) == 0)
        return 0;
    if (missing_empty && hv.code == HV_ERR_SYSTEM_ERROR &&
        hv.sys_errno == ENOENT) {
        /* configured with a file console whose file is not there (yet) */
        *out = g_strdup("");
        *len = 0;
        return 0;
    }
    drv_set_hv_error(err, &hv, "reading the console log", inst);
    return -1;
}

int
drv_get_console_output(drv *d, const drv_instance *inst, char **out,
                       size_t *len, drv_error *err)
{
    hv_domain *dom = NULL;
    char *xml = NULL, *path = NULL, *dir = NULL, *file = NULL;
    xmlDocPtr doc = NULL;
    bool seen;
    hv_error hv;
    int ret = -1;

    drv_error_reset(err);
    *out = NULL;
    *len = 0;
    if (!drv_inst_folder_ok(inst, err))
        return -1;
    if (!(dom = drv_get_guest(d, inst, err)))
        return -1;
    if (!(xml = hv_domain_get_xml(dom, 0, &hv))) {
        drv_set_hv_error(err, &hv, "reading the domain XML", inst);
        goto cleanup;
    }
    doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (!doc) {
        drv_error_set(err, DRV_ERR_HYPERVISOR,
                      "the domain XML of instance %s does not parse",
                      inst->uuid);
        goto cleanup;
    }
    /* a console logging to a file first, as the reference prefers it */
    if ((path = console_source(doc, "file", &seen))) {
        if (!split_store_path(d->cfg.instances_path, path, &dir, &file)) {
            drv_error_set(err, DRV_ERR_CONSOLE_NOT_AVAILABLE,
                          "the console log %s of instance %s is outside "
                          "the instances path %s", path, inst->uuid,
                          d->cfg.instances_path);
            goto cleanup;
        }
        ret = read_log_tail(d, inst, dir, file, true, out, len, err);
        goto cleanup;
    }
    path = console_source(doc, "pty", &seen);
    if (seen) {
        /* The reference drains the pty into console.log (dd as root) and
         * returns that file's tail; a pty console without a path (a
         * shut-off domain's) still gets there, its dd failing unchecked.
         * hv cannot read a pty: nothing is drained, the append only
         * creates the log as its open(a+) does. */
        if (hv_instance_file_write(d->conn, d->cfg.instances_path,
                                   inst->uuid, DRV_FILE_CONSOLE_LOG, NULL, 0,
                                   HV_FILE_APPEND, &hv) < 0) {
            drv_set_hv_error(err, &hv, "appending to the console log", inst);
            goto cleanup;
        }
        ret = read_log_tail(d, inst, inst->uuid, DRV_FILE_CONSOLE_LOG, false,
                            out, len, err);
        goto cleanup;
    }
    drv_error_set(err, DRV_ERR_CONSOLE_NOT_AVAILABLE,
                  "Guest does not have a console available (instance %s)",
                  inst->uuid);

cleanup:
    if (doc)
        xmlFreeDoc(doc);
    hv_domain_free(dom);
    g_free(xml);
    g_free(path);
    g_free(dir);
    g_free(file);
    return ret;
}
