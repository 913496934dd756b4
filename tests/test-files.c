/*
 * test-files.c: instance files — the hv operations on both backends (the
 * fake's store in the world, the real backend on a temporary instances
 * path, hostile files included), the guest's console log on the fake, and
 * the driver's instance_on_disk, delete_instance_files, get_console_output,
 * destroy's "cleaned" bookkeeping, and rescue/unrescue through unrescue.xml.
 */
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "drv.h"
#include "fake.h"
#include "fault.h"
#include "hv-libvirt.h"
#include "hv.h"

#define UUID "9a1c0000-0000-4000-8000-0000000f11e5"
#define NAME "instance-files"
#define SEC HV_NS_PER_SEC
#define BASE "/var/lib/hvd/instances"

/* ---- the hv operations, on any backend ---- */

/* A fake connection to a one-host world (*w freed by the caller). */
static hv_conn *
fake_conn(sim_world **w)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 4, .memory_mib = 4096,
                           .storage_pool = "hvd", .disk_gib = 10};
    hv_error hv;
    hv_conn *conn;

    *w = fake_world_new(11);
    assert_non_null(fake_host_add(*w, &spec, &hv));
    conn = fake_conn_open(*w, "h1", &hv);
    assert_non_null(conn);
    return conn;
}

static void
assert_errno(int rc, const hv_error *hv, int errnum)
{
    assert_int_equal(rc, -1);
    assert_int_equal(hv->code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(hv->sys_errno, errnum);
}

/* The store's contract, the same on every backend. */
static void
check_store(hv_conn *conn, const char *base)
{
    char *data = NULL;
    size_t len;
    uint64_t skipped;
    hv_error hv;

    assert_int_equal(hv_instance_dir_exists(conn, base, "u1", &hv), 0);
    /* no folder: writing creates no folder */
    assert_errno(hv_instance_file_write(conn, base, "u1", "f", "x", 1, 0, &hv),
                 &hv, ENOENT);
    assert_int_equal(hv_instance_dir_create(conn, base, "u1", &hv), 0);
    assert_int_equal(hv_instance_dir_create(conn, base, "u1", &hv), 0);
    assert_int_equal(hv_instance_dir_exists(conn, base, "u1", &hv), 1);
    assert_errno(hv_instance_file_read(conn, base, "u1", "f", 10, &data, &len,
                                       &skipped, &hv),
                 &hv, ENOENT);
    assert_null(data);
    assert_int_equal(hv_instance_file_write(conn, base, "u1", "f", "hello ",
                                            6, 0, &hv), 0);
    assert_int_equal(hv_instance_file_write(conn, base, "u1", "f", "world",
                                            5, HV_FILE_APPEND, &hv), 0);
    assert_int_equal(hv_instance_file_read(conn, base, "u1", "f", 100, &data,
                                           &len, &skipped, &hv), 0);
    assert_int_equal(len, 11);
    assert_string_equal(data, "hello world");
    assert_int_equal(skipped, 0);
    g_free(data);
    /* the tail, and how much was left out */
    assert_int_equal(hv_instance_file_read(conn, base, "u1", "f", 5, &data,
                                           &len, &skipped, &hv), 0);
    assert_string_equal(data, "world");
    assert_int_equal(skipped, 6);
    g_free(data);
    /* replacing truncates */
    assert_int_equal(hv_instance_file_write(conn, base, "u1", "f", "ab", 2, 0,
                                            &hv), 0);
    assert_int_equal(hv_instance_file_read(conn, base, "u1", "f", 100, &data,
                                           &len, &skipped, &hv), 0);
    assert_string_equal(data, "ab");
    g_free(data);
    /* an empty append only makes sure the file exists */
    assert_int_equal(hv_instance_file_write(conn, base, "u1", "g", NULL, 0,
                                            HV_FILE_APPEND, &hv), 0);
    assert_int_equal(hv_instance_file_read(conn, base, "u1", "g", 100, &data,
                                           &len, &skipped, &hv), 0);
    assert_int_equal(len, 0);
    g_free(data);
    assert_int_equal(hv_instance_file_delete(conn, base, "u1", "g", &hv), 0);
    assert_errno(hv_instance_file_delete(conn, base, "u1", "g", &hv), &hv,
                 ENOENT);
    /* rename, then a rename onto a non-empty folder is refused */
    assert_int_equal(hv_instance_dir_rename(conn, base, "u1", "u1_del", &hv),
                     0);
    assert_int_equal(hv_instance_dir_exists(conn, base, "u1", &hv), 0);
    assert_int_equal(hv_instance_file_read(conn, base, "u1_del", "f", 100,
                                           &data, &len, &skipped, &hv), 0);
    assert_string_equal(data, "ab");
    g_free(data);
    assert_int_equal(hv_instance_dir_create(conn, base, "u2", &hv), 0);
    assert_int_equal(hv_instance_file_write(conn, base, "u2", "f", "x", 1, 0,
                                            &hv), 0);
    assert_int_equal(hv_instance_dir_rename(conn, base, "u2", "u1_del", &hv),
                     -1);
    assert_int_equal(hv.code, HV_ERR_SYSTEM_ERROR);
    assert_true(hv.sys_errno == ENOTEMPTY || hv.sys_errno == EEXIST);
    assert_errno(hv_instance_dir_rename(conn, base, "nope", "x", &hv), &hv,
                 ENOENT);
    /* delete: the whole folder */
    assert_int_equal(hv_instance_dir_delete(conn, base, "u1_del", &hv), 0);
    assert_int_equal(hv_instance_dir_exists(conn, base, "u1_del", &hv), 0);
    assert_errno(hv_instance_dir_delete(conn, base, "u1_del", &hv), &hv,
                 ENOENT);
    assert_int_equal(hv_instance_dir_delete(conn, base, "u2", &hv), 0);
    /* names are single components, the base absolute */
    assert_int_equal(hv_instance_dir_create(conn, base, "..", &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    assert_non_null(strstr(hv.message, "not one path component"));
    assert_int_equal(hv_instance_dir_create(conn, base, "a/b", &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    assert_int_equal(hv_instance_file_write(conn, base, "u1", "", "", 0, 0,
                                            &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    assert_int_equal(hv_instance_file_read(conn, base, "u1", "../etc", 1,
                                           &data, &len, &skipped, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    assert_null(data);
    assert_int_equal(hv_instance_dir_create(conn, "relative", "u1", &hv), -1);
    assert_int_equal(hv.code, HV_ERR_INVALID_ARG);
    assert_non_null(strstr(hv.message, "not an absolute path"));
}

static void
test_store_fake(void **state)
{
    sim_world *w;
    hv_conn *conn = fake_conn(&w);
    char **paths;

    (void)state;
    check_store(conn, BASE);
    paths = fake_host_instance_paths(fake_host_find(w, "h1"));
    assert_null(paths[0]); /* all deleted */
    g_strfreev(paths);
    hv_conn_close(conn);
    fake_world_free(w);
}

/* A temporary instances path for the real backend (g_free, rm -r). */
static char *
temp_base(void)
{
    GError *gerr = NULL;
    char *dir = g_dir_make_tmp("hvd-files-XXXXXX", &gerr);

    assert_non_null(dir);
    return dir;
}

static void
rm_rf(const char *path)
{
    char *argv[] = {(char *)"rm", (char *)"-rf", (char *)path, NULL};
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                 NULL, NULL, NULL);
}

static hv_conn *
real_conn(void)
{
    hv_error hv;
    hv_conn *conn = hv_libvirt_open("test:///default", &hv);

    if (!conn) {
        print_message("# skipped: test:///default does not open: %s\n",
                      hv.message);
        skip();
    }
    return conn;
}

static void
test_store_real(void **state)
{
    hv_conn *conn = real_conn();
    char *tmp = temp_base();
    /* a base that does not exist yet: dir_create makes it with parents */
    char *base = g_build_filename(tmp, "a", "instances", NULL);

    (void)state;
    check_store(conn, base);
    hv_conn_close(conn);
    rm_rf(tmp);
    g_free(base);
    g_free(tmp);
}

static char *
slurp(const char *path)
{
    char *s = NULL;

    if (!g_file_get_contents(path, &s, NULL, NULL))
        return NULL;
    return s;
}

/* Links, FIFOs, loops and huge files under the real instances path. */
static void
test_store_real_hostile(void **state)
{
    hv_conn *conn = real_conn();
    char *base = temp_base();
    char *outside = temp_base();
    char *secret = g_build_filename(outside, "secret", NULL);
    char *p, *data = NULL;
    size_t len;
    uint64_t skipped;
    hv_error hv;
    int fd;

    (void)state;
    assert_true(g_file_set_contents(secret, "keep me", -1, NULL));

    /* the instance folder is a link to a folder outside: not used */
    p = g_build_filename(base, "lnk", NULL);
    assert_int_equal(symlink(outside, p), 0);
    g_free(p);
    assert_int_equal(hv_instance_dir_exists(conn, base, "lnk", &hv), 0);
    assert_errno(hv_instance_dir_create(conn, base, "lnk", &hv), &hv, EEXIST);
    assert_int_equal(hv_instance_file_write(conn, base, "lnk", "secret", "x",
                                            1, 0, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_SYSTEM_ERROR);
    assert_int_equal(hv_instance_file_read(conn, base, "lnk", "secret", 100,
                                           &data, &len, &skipped, &hv), -1);
    assert_int_equal(hv_instance_file_delete(conn, base, "lnk", "secret",
                                             &hv), -1);
    /* deleting it removes the link, not what it points at */
    assert_int_equal(hv_instance_dir_delete(conn, base, "lnk", &hv), 0);
    p = slurp(secret);
    assert_string_equal(p, "keep me");
    g_free(p);

    assert_int_equal(hv_instance_dir_create(conn, base, "u", &hv), 0);
    /* a file that is a link: never written through, read or followed */
    p = g_build_filename(base, "u", "unrescue.xml", NULL);
    assert_int_equal(symlink(secret, p), 0);
    g_free(p);
    assert_errno(hv_instance_file_write(conn, base, "u", "unrescue.xml", "x",
                                        1, 0, &hv), &hv, ELOOP);
    assert_errno(hv_instance_file_read(conn, base, "u", "unrescue.xml", 100,
                                       &data, &len, &skipped, &hv), &hv,
                 ELOOP);
    p = slurp(secret);
    assert_string_equal(p, "keep me");
    g_free(p);
    /* a symbolic link loop */
    p = g_build_filename(base, "u", "loop1", NULL);
    assert_int_equal(symlink("loop2", p), 0);
    g_free(p);
    p = g_build_filename(base, "u", "loop2", NULL);
    assert_int_equal(symlink("loop1", p), 0);
    g_free(p);
    assert_errno(hv_instance_file_read(conn, base, "u", "loop1", 100, &data,
                                       &len, &skipped, &hv), &hv, ELOOP);
    assert_errno(hv_instance_file_write(conn, base, "u", "loop1", "", 0,
                                        HV_FILE_APPEND, &hv), &hv, ELOOP);
    /* a FIFO: refused at once, never blocking */
    p = g_build_filename(base, "u", "console.log", NULL);
    assert_int_equal(mkfifo(p, 0600), 0);
    g_free(p);
    assert_errno(hv_instance_file_read(conn, base, "u", "console.log", 100,
                                       &data, &len, &skipped, &hv), &hv,
                 EINVAL);
    assert_int_equal(hv_instance_file_write(conn, base, "u", "console.log",
                                            "x", 1, HV_FILE_APPEND, &hv), -1);
    assert_int_equal(hv.code, HV_ERR_SYSTEM_ERROR);
    assert_true(hv.sys_errno == EINVAL || hv.sys_errno == ENXIO);
    /* a folder where a file should be */
    p = g_build_filename(base, "u", "sub", NULL);
    assert_int_equal(g_mkdir(p, 0755), 0);
    g_free(p);
    assert_int_equal(hv_instance_file_read(conn, base, "u", "sub", 100, &data,
                                           &len, &skipped, &hv), -1);
    /* a huge (sparse) file: only the tail is read */
    p = g_build_filename(base, "u", "big.log", NULL);
    fd = open(p, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)1 << 32), 0);
    assert_int_equal(pwrite(fd, "END", 3, ((off_t)1 << 32) - 3), 3);
    close(fd);
    g_free(p);
    assert_int_equal(hv_instance_file_read(conn, base, "u", "big.log",
                                           DRV_MAX_CONSOLE_BYTES, &data, &len,
                                           &skipped, &hv), 0);
    assert_int_equal(len, DRV_MAX_CONSOLE_BYTES);
    assert_int_equal(skipped, (UINT64_C(1) << 32) - DRV_MAX_CONSOLE_BYTES);
    assert_memory_equal(data + len - 3, "END", 3);
    g_free(data);
    /* nested folders and a link to the outside inside: one walk, the link
     * removed, the outside untouched */
    p = g_build_filename(base, "u", "sub", "deeper", NULL);
    assert_int_equal(g_mkdir(p, 0755), 0);
    g_free(p);
    p = g_build_filename(base, "u", "sub", "deeper", "out", NULL);
    assert_int_equal(symlink(outside, p), 0);
    g_free(p);
    assert_int_equal(hv_instance_dir_delete(conn, base, "u", &hv), 0);
    assert_int_equal(hv_instance_dir_exists(conn, base, "u", &hv), 0);
    p = slurp(secret);
    assert_string_equal(p, "keep me");
    g_free(p);

    hv_conn_close(conn);
    rm_rf(base);
    rm_rf(outside);
    g_free(secret);
    g_free(base);
    g_free(outside);
}

/*
 * Hard links and failed writes on the real backend: a second name of a file
 * outside is neither read nor appended to, and replacing it replaces the
 * name, never the other file's content; a replace that fails midway leaves
 * the old content (the fake refuses a write before touching anything).
 */
static void
test_store_real_links(void **state)
{
    hv_conn *conn = real_conn();
    char *base = temp_base();
    char *secret = g_build_filename(base, "secret", NULL);
    char *p, *data = NULL;
    struct rlimit old, small;
    size_t len;
    uint64_t skipped;
    hv_error hv;
    int rc;

    (void)state;
    assert_true(g_file_set_contents(secret, "keep me", -1, NULL));
    assert_int_equal(hv_instance_dir_create(conn, base, "u", &hv), 0);
    p = g_build_filename(base, "u", "console.log", NULL);
    assert_int_equal(link(secret, p), 0);
    g_free(p);
    assert_errno(hv_instance_file_read(conn, base, "u", "console.log", 100,
                                       &data, &len, &skipped, &hv), &hv,
                 EMLINK);
    assert_null(data);
    assert_non_null(strstr(hv.message, "console.log"));
    assert_errno(hv_instance_file_write(conn, base, "u", "console.log", "x",
                                        1, HV_FILE_APPEND, &hv), &hv, EMLINK);
    p = slurp(secret);
    assert_string_equal(p, "keep me");
    g_free(p);
    assert_int_equal(hv_instance_file_write(conn, base, "u", "console.log",
                                            "new", 3, 0, &hv), 0);
    p = slurp(secret);
    assert_string_equal(p, "keep me");
    g_free(p);
    assert_int_equal(hv_instance_file_read(conn, base, "u", "console.log",
                                           100, &data, &len, &skipped, &hv),
                     0);
    assert_string_equal(data, "new");
    g_free(data);

    /* a replace that fails midway (EFBIG past RLIMIT_FSIZE): the old
     * content stays, and no temporary file is left behind */
    assert_int_equal(hv_instance_file_write(conn, base, "u", "unrescue.xml",
                                            "ab", 2, 0, &hv), 0);
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 4;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    rc = hv_instance_file_write(conn, base, "u", "unrescue.xml",
                                "0123456789", 10, 0, &hv);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_errno(rc, &hv, EFBIG);
    assert_non_null(strstr(hv.message, "u/unrescue.xml"));
    assert_int_equal(hv_instance_file_read(conn, base, "u", "unrescue.xml",
                                           100, &data, &len, &skipped, &hv),
                     0);
    assert_string_equal(data, "ab");
    g_free(data);
    {
        GDir *dir;
        const char *n;
        int count = 0;

        p = g_build_filename(base, "u", NULL);
        assert_non_null(dir = g_dir_open(p, 0, NULL));
        while ((n = g_dir_read_name(dir)))
            count++;
        g_dir_close(dir);
        g_free(p);
        assert_int_equal(count, 2); /* console.log, unrescue.xml */
    }
    hv_conn_close(conn);
    rm_rf(base);
    g_free(secret);
    g_free(base);
}

/*
 * delete_instance_files on the real backend when the instance folder is a
 * link to a folder elsewhere: the link is renamed to <uuid>_del and that
 * link removed (never what it points at); nothing is left, so cleaned.
 */
static void
test_delete_files_link_real(void **state)
{
    hv_conn *conn = real_conn();
    char *base = temp_base();
    char *outside = temp_base();
    char *keep = g_build_filename(outside, "keep", NULL);
    char *p;
    drv_config cfg;
    drv_instance inst = {.uuid = UUID, .name = NAME};
    drv_error err;
    drv *d;

    (void)state;
    assert_true(g_file_set_contents(keep, "keep me", -1, NULL));
    p = g_build_filename(base, UUID, NULL);
    assert_int_equal(symlink(outside, p), 0);
    g_free(p);
    drv_config_defaults(&cfg);
    g_free(cfg.instances_path);
    cfg.instances_path = g_strdup(base);
    assert_non_null(d = drv_new(&cfg, conn, &err));
    assert_int_equal(drv_delete_instance_files(d, &inst, &err), 1);
    p = g_build_filename(base, UUID "_del", NULL);
    assert_false(g_file_test(p, G_FILE_TEST_IS_SYMLINK));
    assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
    g_free(p);
    p = g_build_filename(base, UUID, NULL);
    assert_false(g_file_test(p, G_FILE_TEST_IS_SYMLINK));
    g_free(p);
    p = slurp(keep);
    assert_string_equal(p, "keep me");
    g_free(p);

    /* a link where <uuid>_del goes: the rename refuses it (ENOTDIR); the
     * link is removed, never followed, and the folder renamed and gone */
    p = g_build_filename(base, UUID "_del", NULL);
    assert_int_equal(symlink(outside, p), 0);
    g_free(p);
    p = g_build_filename(base, UUID, "console.log", NULL);
    assert_int_equal(g_mkdir(base, 0755) == 0 || errno == EEXIST, 1);
    {
        char *dir = g_build_filename(base, UUID, NULL);
        assert_int_equal(g_mkdir(dir, 0755), 0);
        g_free(dir);
    }
    assert_true(g_file_set_contents(p, "log", -1, NULL));
    g_free(p);
    assert_int_equal(drv_delete_instance_files(d, &inst, &err), 1);
    p = g_build_filename(base, UUID "_del", NULL);
    assert_false(g_file_test(p, G_FILE_TEST_IS_SYMLINK));
    g_free(p);
    p = g_build_filename(base, UUID, NULL);
    assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
    g_free(p);
    p = slurp(keep);
    assert_string_equal(p, "keep me");
    g_free(p);
    p = g_build_filename(outside, UUID, NULL);
    assert_false(g_file_test(p, G_FILE_TEST_EXISTS));
    g_free(p);
    drv_free(d);
    drv_config_clear(&cfg);
    hv_conn_close(conn);
    rm_rf(base);
    rm_rf(outside);
    g_free(keep);
    g_free(base);
    g_free(outside);
}

/* Faults reach the instance-file operations like every other call. */
static void
test_store_faults(void **state)
{
    sim_world *w;
    hv_conn *conn = fake_conn(&w);
    fault_set *fs = fault_set_new();
    fault_rule r = {.op = HV_OP_INSTANCE_FILE_WRITE, .code = HV_ERR_SYSTEM_ERROR,
                    .sys_errno = EIO, .count = 1};
    hv_error hv;

    (void)state;
    assert_int_equal(hv_op_from_name("instance_file_write"),
                     HV_OP_INSTANCE_FILE_WRITE);
    fault_set_add(fs, &r);
    fault_set_attach(fs, conn);
    assert_int_equal(hv_instance_dir_create(conn, BASE, "u", &hv), 0);
    assert_errno(hv_instance_file_write(conn, BASE, "u", "f", "x", 1, 0, &hv),
                 &hv, EIO);
    assert_int_equal(hv_instance_file_write(conn, BASE, "u", "f", "x", 1, 0,
                                            &hv), 0);
    assert_int_equal(fault_set_fired(fs, 0), 1);
    /* a full disk refuses writes, an empty append still works */
    fake_host_set_disk_free(fake_host_find(w, "h1"), 0);
    assert_errno(hv_instance_file_write(conn, BASE, "u", "f", "y", 1,
                                        HV_FILE_APPEND, &hv), &hv, ENOSPC);
    assert_int_equal(hv_instance_file_write(conn, BASE, "u", "f", NULL, 0,
                                            HV_FILE_APPEND, &hv), 0);
    fault_set_detach(fs, conn);
    fault_set_free(fs);
    hv_conn_close(conn);
    fake_world_free(w);
}

/* ---- the fake guest's console log ---- */

static const char *console_dom_xml =
    "<domain type='qemu'><name>con</name>"
    "<uuid>11111111-2222-4333-8444-555555555555</uuid>"
    "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
    "<os><type>hvm</type></os><devices>"
    "<serial type='file'><source path='" BASE "/con/console.log'/>"
    "<target port='0'/></serial>"
    "<console type='file'><source path='" BASE "/con/console.log'/>"
    "<target type='serial' port='0'/></console>"
    "</devices></domain>";

static char *
fake_file(sim_world *w, const char *path)
{
    char *data;
    size_t len;

    if (!fake_host_instance_file(fake_host_find(w, "h1"), path, &data, &len))
        return NULL;
    return data;
}

static void
test_fake_console(void **state)
{
    sim_world *w;
    hv_conn *conn = fake_conn(&w);
    hv_domain *dom;
    hv_error hv;
    char *s;

    (void)state;
    dom = hv_domain_define(conn, console_dom_xml, &hv);
    assert_non_null(dom);
    /* no folder: the guest writes nothing (and still starts) */
    assert_int_equal(hv_domain_create(dom, 0, &hv), 0);
    assert_null(fake_file(w, BASE "/con/console.log"));
    assert_int_equal(hv_domain_destroy(dom, 0, &hv), 0);

    assert_int_equal(hv_instance_dir_create(conn, BASE, "con", &hv), 0);
    assert_int_equal(hv_domain_create(dom, 0, &hv), 0);
    s = fake_file(w, BASE "/con/console.log");
    assert_string_equal(s, "hvd fake guest con: booting (domain id 2)\n");
    g_free(s);
    /* the ready line once the guest has booted (3.4 s), not before */
    assert_int_equal(hv_sleep(conn, FAKE_DEFAULT_BOOT_NS - 1, &hv), 0);
    s = fake_file(w, BASE "/con/console.log");
    assert_null(strstr(s, "HVD-GUEST-READY"));
    g_free(s);
    assert_int_equal(hv_sleep(conn, 1, &hv), 0);
    s = fake_file(w, BASE "/con/console.log");
    assert_string_equal(s, "hvd fake guest con: booting (domain id 2)\n"
                           "HVD-GUEST-READY\n");
    g_free(s);
    hv_domain_free(dom);
    hv_conn_close(conn);
    fake_world_free(w);
}

/* ---- the driver ---- */

typedef struct env {
    sim_world *w;
    fake_host *h;
    hv_conn *conn;
    drv_config cfg;
    drv *d;
    drv_instance inst;
    drv_bdm vol;
    fault_set *faults;
    unsigned int calls[HV_OP__COUNT];
} env;

static void
count_after(void *opaque, hv_conn *conn, const hv_call *call, int rc,
            const hv_error *err)
{
    env *e = opaque;

    (void)conn;
    (void)rc;
    (void)err;
    e->calls[call->op]++;
}

static int
env_setup(void **state)
{
    fake_host_spec spec = {.name = "h1", .vcpus = 8, .memory_mib = 16384,
                           .disk_gib = 100};
    hv_vol_spec base = {.name = "base.qcow2", .capacity = UINT64_C(1) << 30,
                        .format = "qcow2"};
    hv_vol_spec rescue = {.name = "rescue.qcow2",
                          .capacity = UINT64_C(1) << 30, .format = "qcow2"};
    hv_hooks hooks = {.after = count_after};
    env *e = g_new0(env, 1);
    drv_error err;
    hv_error hv;

    e->w = fake_world_new(5);
    drv_config_defaults(&e->cfg);
    g_free(e->cfg.virt_type);
    e->cfg.virt_type = g_strdup("qemu");
    spec.storage_pool = e->cfg.storage_pool;
    e->h = fake_host_add(e->w, &spec, &hv);
    e->conn = fake_conn_open(e->w, "h1", &hv);
    assert_non_null(e->conn);
    assert_int_equal(hv_vol_create(e->conn, e->cfg.storage_pool, &base, &hv),
                     0);
    assert_int_equal(
        hv_vol_create(e->conn, e->cfg.storage_pool, &rescue, &hv), 0);
    hooks.opaque = e;
    hv_conn_set_hooks(e->conn, &hooks);
    e->faults = fault_set_new();
    fault_set_attach(e->faults, e->conn);
    e->vol = (drv_bdm){.volume_id = "vol-1", .mount_device = "/dev/vdd",
                       .device_path = "/dev/sdz", .driver_type = "local"};
    e->inst = (drv_instance){
        .uuid = UUID,
        .name = NAME,
        .flavor = {.name = "m1.small", .vcpus = 1, .memory_mb = 128,
                   .root_gb = 1, .ephemeral_gb = 1, .swap_mb = 64},
        .image = {.id = "img-1", .volume = "base.qcow2", .format = "qcow2"},
        .root_device_name = "/dev/vda",
    };
    e->d = drv_new(&e->cfg, e->conn, &err);
    assert_non_null(e->d);
    assert_int_equal(drv_init_host(e->d, "h1", &err), 0);
    *state = e;
    return 0;
}

static int
env_teardown(void **state)
{
    env *e = *state;

    drv_free(e->d);
    fault_set_detach(e->faults, e->conn);
    fault_set_free(e->faults);
    hv_conn_close(e->conn);
    fake_world_free(e->w);
    drv_config_clear(&e->cfg);
    g_free(e);
    return 0;
}

static void
expect_ok(int rc, const drv_error *err, const char *what)
{
    if (rc < 0)
        fail_msg("%s: %s: %s", what, drv_error_kind_name(err->kind),
                 err->message);
}

static char *
store_file(env *e, const char *file)
{
    char *path = g_strdup_printf("%s/%s/%s", e->cfg.instances_path, UUID,
                                 file);
    char *s = fake_file(e->w, path);

    g_free(path);
    return s;
}

static char *
domain_xml(env *e, bool inactive)
{
    hv_error hv;
    hv_domain *dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    char *xml;

    assert_non_null(dom);
    xml = hv_domain_get_xml(dom, inactive ? HV_XML_INACTIVE : 0, &hv);
    hv_domain_free(dom);
    assert_non_null(xml);
    return xml;
}

/* spawn makes the folder and the console log; the guest fills it. */
static void
test_drv_spawn_console(void **state)
{
    env *e = *state;
    drv_error err;
    char *out = NULL, *s;
    size_t len;

    assert_int_equal(drv_instance_on_disk(e->d, &e->inst, &err), 0);
    /* no domain yet: InstanceNotFound */
    assert_int_equal(drv_get_console_output(e->d, &e->inst, &out, &len, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_FOUND);
    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
    assert_int_equal(e->calls[HV_OP_INSTANCE_DIR_CREATE], 1);
    assert_int_equal(drv_instance_on_disk(e->d, &e->inst, &err), 1);
    s = store_file(e, "console.log");
    assert_non_null(s);
    assert_non_null(strstr(s, "booting"));
    g_free(s);
    /* after the boot: the ready line, read through get_console_output */
    expect_ok(drv_wait(e->d, 4 * SEC, &err), &err, "wait");
    expect_ok(drv_get_console_output(e->d, &e->inst, &out, &len, &err), &err,
              "console");
    assert_int_equal(len, strlen(out));
    assert_non_null(strstr(out, "HVD-GUEST-READY\n"));
    g_free(out);
}

/* The log is capped at MAX_CONSOLE_BYTES, its tail returned. */
static void
test_drv_console_tail(void **state)
{
    env *e = *state;
    drv_error err;
    hv_error hv;
    char *big = g_malloc(DRV_MAX_CONSOLE_BYTES + 11);
    char *out;
    size_t len;

    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
    memset(big, 'a', DRV_MAX_CONSOLE_BYTES + 10);
    memcpy(big + DRV_MAX_CONSOLE_BYTES + 10 - 4, "TAIL", 4);
    assert_int_equal(hv_instance_file_write(e->conn, e->cfg.instances_path,
                                            UUID, "console.log", big,
                                            DRV_MAX_CONSOLE_BYTES + 10, 0,
                                            &hv), 0);
    expect_ok(drv_get_console_output(e->d, &e->inst, &out, &len, &err), &err,
              "console");
    assert_int_equal(len, DRV_MAX_CONSOLE_BYTES);
    assert_memory_equal(out + len - 4, "TAIL", 4);
    g_free(out);
    /* a file console whose file is gone: empty output, no error */
    assert_int_equal(hv_instance_file_delete(e->conn, e->cfg.instances_path,
                                             UUID, "console.log", &hv), 0);
    expect_ok(drv_get_console_output(e->d, &e->inst, &out, &len, &err), &err,
              "console");
    assert_int_equal(len, 0);
    assert_string_equal(out, "");
    g_free(out);
    /* a failing read is the hv error */
    {
        fault_rule r = {.op = HV_OP_INSTANCE_FILE_READ,
                        .code = HV_ERR_SYSTEM_ERROR, .sys_errno = EIO,
                        .count = 1};
        fault_set_add(e->faults, &r);
    }
    assert_int_equal(drv_get_console_output(e->d, &e->inst, &out, &len, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.sys_errno, EIO);
    assert_null(out);
    g_free(big);
}

/* A domain with no file or pty console: ConsoleNotAvailable. A pty
 * console: the instance's console.log is read. */
static void
test_drv_console_kinds(void **state)
{
    env *e = *state;
    drv_error err;
    hv_error hv;
    hv_domain *dom;
    char *out, *xml;
    size_t len;
    const char *plain =
        "<domain type='qemu'><name>" NAME "</name><uuid>" UUID "</uuid>"
        "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type></os><devices/></domain>";
    const char *pty =
        "<domain type='qemu'><name>" NAME "</name><uuid>" UUID "</uuid>"
        "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type></os><devices>"
        "<console type='pty'><source path='/dev/pts/7'/>"
        "<target type='serial' port='0'/></console></devices></domain>";
    const char *pty_no_path =
        "<domain type='qemu'><name>" NAME "</name><uuid>" UUID "</uuid>"
        "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type></os><devices>"
        "<console type='pty'><target type='serial' port='0'/></console>"
        "</devices></domain>";
    const char *elsewhere =
        "<domain type='qemu'><name>" NAME "</name><uuid>" UUID "</uuid>"
        "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
        "<os><type>hvm</type></os><devices>"
        "<console type='file'><source path='/tmp/x.log'/>"
        "<target type='serial' port='0'/></console></devices></domain>";

    dom = hv_domain_define(e->conn, plain, &hv);
    assert_non_null(dom);
    hv_domain_free(dom);
    assert_int_equal(drv_get_console_output(e->d, &e->inst, &out, &len, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_CONSOLE_NOT_AVAILABLE);
    assert_string_equal(drv_error_kind_name(err.kind), "ConsoleNotAvailable");

    dom = hv_domain_define(e->conn, elsewhere, &hv);
    hv_domain_free(dom);
    assert_int_equal(drv_get_console_output(e->d, &e->inst, &out, &len, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_CONSOLE_NOT_AVAILABLE);
    assert_non_null(strstr(err.message, "outside the instances path"));

    dom = hv_domain_define(e->conn, pty, &hv);
    hv_domain_free(dom);
    /* no instance folder: the append fails, as the reference's open */
    assert_int_equal(drv_get_console_output(e->d, &e->inst, &out, &len, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.sys_errno, ENOENT);
    assert_int_equal(hv_instance_dir_create(e->conn, e->cfg.instances_path,
                                            UUID, &hv), 0);
    assert_int_equal(hv_instance_file_write(e->conn, e->cfg.instances_path,
                                            UUID, "console.log", "old\n", 4,
                                            0, &hv), 0);
    expect_ok(drv_get_console_output(e->d, &e->inst, &out, &len, &err), &err,
              "pty console");
    assert_string_equal(out, "old\n");
    g_free(out);
    xml = domain_xml(e, true);
    g_free(xml);

    /* a pty console without a source path (a shut-off domain's): the
     * reference's loop ends without one and still returns console.log */
    dom = hv_domain_define(e->conn, pty_no_path, &hv);
    assert_non_null(dom);
    hv_domain_free(dom);
    expect_ok(drv_get_console_output(e->d, &e->inst, &out, &len, &err), &err,
              "pty console without a path");
    assert_string_equal(out, "old\n");
    g_free(out);
}

/* destroy with disks deletes the folder and records it; without, keeps
 * it. delete_instance_files follows the reference's renames. */
static void
test_drv_delete_files(void **state)
{
    env *e = *state;
    drv_error err;
    hv_error hv;
    unsigned int attempts;
    bool cleaned;
    char **paths;

    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
    assert_int_equal(drv_get_clean_record(e->d, UUID, &attempts, &cleaned),
                     0);
    expect_ok(drv_destroy(e->d, &e->inst, false, &err), &err, "destroy");
    assert_int_equal(drv_instance_on_disk(e->d, &e->inst, &err), 1);
    assert_int_equal(drv_get_clean_record(e->d, UUID, NULL, NULL), 0);
    /* the kept volumes go by hand, so that it can be spawned again */
    hv_vol_delete(e->conn, e->cfg.storage_pool, UUID "_disk", &hv);
    hv_vol_delete(e->conn, e->cfg.storage_pool, UUID "_disk.eph0", &hv);
    hv_vol_delete(e->conn, e->cfg.storage_pool, UUID "_disk.swap", &hv);

    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn again");
    /* a rename that fails twice (and the rmtree) leaves the folder: not
     * cleaned, one attempt */
    {
        fault_rule r = {.op = HV_OP_INSTANCE_DIR_RENAME,
                        .code = HV_ERR_SYSTEM_ERROR, .sys_errno = EACCES,
                        .count = 4};
        fault_set_add(e->faults, &r);
    }
    expect_ok(drv_destroy(e->d, &e->inst, true, &err), &err, "destroy");
    assert_int_equal(e->calls[HV_OP_INSTANCE_DIR_RENAME], 4);
    assert_int_equal(drv_get_clean_record(e->d, UUID, &attempts, &cleaned),
                     1);
    assert_int_equal(attempts, 1);
    assert_false(cleaned);
    assert_int_equal(drv_instance_on_disk(e->d, &e->inst, &err), 1);
    /* the compute manager's periodic retry */
    assert_int_equal(drv_delete_instance_files(e->d, &e->inst, &err), 1);
    assert_int_equal(drv_instance_on_disk(e->d, &e->inst, &err), 0);
    paths = fake_host_instance_paths(e->h);
    assert_null(paths[0]);
    g_strfreev(paths);

    /* a leftover _del folder and a _resize folder: both go */
    assert_int_equal(hv_instance_dir_create(e->conn, e->cfg.instances_path,
                                            UUID "_del", &hv), 0);
    assert_int_equal(hv_instance_file_write(e->conn, e->cfg.instances_path,
                                            UUID "_del", "x", "1", 1, 0, &hv),
                     0);
    assert_int_equal(drv_delete_instance_files(e->d, &e->inst, &err), 1);
    assert_int_equal(hv_instance_dir_create(e->conn, e->cfg.instances_path,
                                            UUID "_resize", &hv), 0);
    assert_int_equal(drv_delete_instance_files(e->d, &e->inst, &err), 1);
    paths = fake_host_instance_paths(e->h);
    assert_null(paths[0]);
    g_strfreev(paths);

    /* with the folder there, a failing delete of _del: not cleaned */
    assert_int_equal(hv_instance_dir_create(e->conn, e->cfg.instances_path,
                                            UUID, &hv), 0);
    {
        fault_rule r = {.op = HV_OP_INSTANCE_DIR_DELETE,
                        .code = HV_ERR_SYSTEM_ERROR, .sys_errno = EBUSY,
                        .count = 1};
        fault_set_add(e->faults, &r);
    }
    assert_int_equal(drv_delete_instance_files(e->d, &e->inst, &err), 0);
    assert_int_equal(drv_delete_instance_files(e->d, &e->inst, &err), 1);

    /* a bad instance */
    {
        drv_instance bad = e->inst;
        bad.uuid = (char *)"../x";
        assert_int_equal(drv_delete_instance_files(e->d, &bad, &err), -1);
        assert_int_equal(err.kind, DRV_ERR_INVALID_INSTANCE);
        assert_int_equal(drv_instance_on_disk(e->d, &bad, &err), -1);
    }
}

/* A failed spawn leaves no folder; a failing folder creation fails it. */
static void
test_drv_spawn_fails(void **state)
{
    env *e = *state;
    drv_error err;
    char **paths;
    fault_rule r = {.op = HV_OP_INSTANCE_DIR_CREATE,
                    .code = HV_ERR_SYSTEM_ERROR, .sys_errno = EACCES,
                    .count = 1};
    fault_rule r2 = {.op = HV_OP_INSTANCE_FILE_WRITE,
                     .code = HV_ERR_SYSTEM_ERROR, .sys_errno = EROFS,
                     .count = 1};

    fault_set_add(e->faults, &r);
    assert_int_equal(drv_spawn(e->d, &e->inst, true, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.sys_errno, EACCES);
    assert_int_equal(e->calls[HV_OP_VOL_CREATE], 0); /* before the disks */
    fault_set_add(e->faults, &r2);
    assert_int_equal(drv_spawn(e->d, &e->inst, true, &err), -1);
    assert_int_equal(err.hv.sys_errno, EROFS);
    paths = fake_host_instance_paths(e->h);
    assert_null(paths[0]);
    g_strfreev(paths);
    assert_int_equal(fake_host_volume_count(e->h), 2); /* the two images */
    assert_int_equal(fake_host_domain_count(e->h), 0);
}

/* Hard reboot makes sure the folder exists again (ensure_tree). */
static void
test_drv_hard_reboot_folder(void **state)
{
    env *e = *state;
    drv_error err;
    hv_error hv;
    char *log;

    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
    assert_int_equal(hv_instance_dir_delete(e->conn, e->cfg.instances_path,
                                            UUID, &hv), 0);
    assert_int_equal(drv_instance_on_disk(e->d, &e->inst, &err), 0);
    expect_ok(drv_reboot(e->d, &e->inst, DRV_REBOOT_HARD, &err), &err,
              "hard reboot");
    assert_int_equal(drv_instance_on_disk(e->d, &e->inst, &err), 1);
    /* and the restarted guest logs into it */
    log = store_file(e, "console.log");
    assert_non_null(log);
    assert_non_null(strstr(log, "booting"));
    g_free(log);
}

static bool
has(const char *xml, const char *needle)
{
    return strstr(xml, needle) != NULL;
}

/* rescue from the instance's image: unrescue.xml kept, only rescue and
 * root disks, unrescue goes back and deletes what rescue made. */
static void
test_drv_rescue_instance_image(void **state)
{
    env *e = *state;
    drv_error err;
    char *xml, *saved, *before;

    e->inst.volumes = &e->vol;
    e->inst.n_volumes = 1;
    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
    before = domain_xml(e, true);
    assert_true(has(before, "disk.eph0") && has(before, "/dev/sdz"));
    expect_ok(drv_rescue(e->d, &e->inst, NULL, &err), &err, "rescue");
    saved = store_file(e, "unrescue.xml");
    assert_non_null(saved);
    assert_string_equal(saved, before);
    xml = domain_xml(e, true);
    assert_true(has(xml, UUID "_disk.rescue"));
    assert_true(has(xml, UUID "_disk'") || has(xml, UUID "_disk\""));
    assert_false(has(xml, "disk.eph0"));
    assert_false(has(xml, "disk.swap"));
    assert_false(has(xml, "/dev/sdz"));
    /* the rescue disk is first (vda), the root disk second (vdb) */
    assert_true(strstr(xml, "disk.rescue") < strstr(xml, UUID "_disk'") ||
                strstr(xml, "disk.rescue") < strstr(xml, UUID "_disk\""));
    g_free(xml);

    /* a new driver (a restart) still finds unrescue.xml */
    drv_free(e->d);
    e->d = drv_new(&e->cfg, e->conn, &err);
    expect_ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    expect_ok(drv_unrescue(e->d, &e->inst, &err), &err, "unrescue");
    xml = domain_xml(e, true);
    assert_string_equal(xml, before);
    g_free(xml);
    assert_null(store_file(e, "unrescue.xml"));
    /* root, ephemeral, swap and the images; no rescue disk */
    assert_int_equal(fake_host_volume_count(e->h), 5);
    /* not rescued: unrescue fails reading unrescue.xml, as the reference */
    assert_int_equal(drv_unrescue(e->d, &e->inst, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.sys_errno, ENOENT);
    g_free(saved);
    g_free(before);
}

/* The rescue image from the configuration, then from the call. */
static void
test_drv_rescue_config_and_call_image(void **state)
{
    env *e = *state;
    drv_error err;
    hv_vol_info vi;
    hv_error hv;
    drv_kv props[] = {{(char *)"hw_disk_bus", (char *)"sata"}};
    drv_image call = {.id = "rescue-img", .volume = "rescue.qcow2",
                      .format = "qcow2", .properties = props,
                      .n_properties = 1};
    char *xml;

    g_free(e->cfg.rescue_image_id);
    e->cfg.rescue_image_id = g_strdup("rescue.qcow2");
    e->cfg.rescue_kernel_id = g_strdup("/boot/rescue-kernel");
    e->cfg.rescue_ramdisk_id = g_strdup("/boot/rescue-initrd");
    drv_free(e->d);
    e->d = drv_new(&e->cfg, e->conn, &err);
    expect_ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");

    expect_ok(drv_rescue(e->d, &e->inst, NULL, &err), &err, "rescue (config)");
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool,
                                     UUID "_disk.rescue", &vi, &hv), 0);
    assert_non_null(strstr(vi.backing_path, "rescue.qcow2"));
    xml = domain_xml(e, true);
    assert_true(has(xml, "<kernel>/boot/rescue-kernel</kernel>"));
    assert_true(has(xml, "<initrd>/boot/rescue-initrd</initrd>"));
    g_free(xml);
    expect_ok(drv_unrescue(e->d, &e->inst, &err), &err, "unrescue");

    /* the call's image wins over the configuration's; its properties
     * (disk bus) apply, the kernel stays the configuration's */
    g_free(e->cfg.rescue_image_id);
    e->cfg.rescue_image_id = g_strdup("base.qcow2");
    drv_free(e->d);
    e->d = drv_new(&e->cfg, e->conn, &err);
    expect_ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    expect_ok(drv_rescue(e->d, &e->inst, &call, &err), &err, "rescue (call)");
    assert_int_equal(hv_vol_get_info(e->conn, e->cfg.storage_pool,
                                     UUID "_disk.rescue", &vi, &hv), 0);
    assert_non_null(strstr(vi.backing_path, "rescue.qcow2"));
    xml = domain_xml(e, true);
    assert_true(has(xml, "bus=\"sata\"") || has(xml, "bus='sata'"));
    assert_true(has(xml, "<kernel>/boot/rescue-kernel</kernel>"));
    g_free(xml);
    expect_ok(drv_unrescue(e->d, &e->inst, &err), &err, "unrescue");

    /* a configured image that is not there: the hv error, nothing left */
    g_free(e->cfg.rescue_image_id);
    e->cfg.rescue_image_id = g_strdup("missing.qcow2");
    drv_free(e->d);
    e->d = drv_new(&e->cfg, e->conn, &err);
    expect_ok(drv_init_host(e->d, "h1", &err), &err, "init_host");
    assert_int_equal(drv_rescue(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.hv.code, HV_ERR_NO_STORAGE_VOL);
    assert_null(store_file(e, "unrescue.xml"));
}

/* A rescue domain that fails to start leaves the instance as it was. */
/*
 * A rescue of an instance already rescued: the reference's compute manager
 * keeps it away from the driver (but allows ERROR), and its own rescue
 * would save the rescue definition as unrescue.xml. When hvd's rescue
 * fails it undoes only what it did: the rescue disk in use and the saved
 * original definition stay, and unrescue still brings the instance back.
 */
static void
test_drv_rescue_twice(void **state)
{
    env *e = *state;
    drv_error err;
    char *before, *saved, *xml;

    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
    before = domain_xml(e, true);
    expect_ok(drv_rescue(e->d, &e->inst, NULL, &err), &err, "rescue");
    saved = store_file(e, "unrescue.xml");
    assert_string_equal(saved, before);
    g_free(saved);
    e->calls[HV_OP_INSTANCE_FILE_WRITE] = 0;
    e->calls[HV_OP_DOMAIN_DESTROY] = 0;
    assert_int_equal(drv_rescue(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_INSTANCE_NOT_RESCUABLE);
    assert_non_null(strstr(err.message, "rescued already"));
    assert_non_null(strstr(err.message, UUID "_disk.rescue"));
    /* refused before anything was written or destroyed */
    assert_int_equal(e->calls[HV_OP_INSTANCE_FILE_WRITE], 0);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
    xml = domain_xml(e, true);
    assert_true(has(xml, UUID "_disk.rescue"));
    g_free(xml);
    saved = store_file(e, "unrescue.xml");
    assert_non_null(saved);
    assert_string_equal(saved, before);
    g_free(saved);
    expect_ok(drv_unrescue(e->d, &e->inst, &err), &err, "unrescue");
    xml = domain_xml(e, true);
    assert_string_equal(xml, before);
    g_free(xml);
    assert_int_equal(fake_host_volume_count(e->h), 5); /* no rescue disk */
    g_free(before);
}

static void
test_drv_rescue_start_fails(void **state)
{
    env *e = *state;
    drv_error err;
    drv_info info;
    hv_domain_info di;
    hv_error hv;
    hv_domain *dom;
    char *before, *after;
    int old_id;
    fault_rule r = {.op = HV_OP_DOMAIN_CREATE, .code = HV_ERR_INTERNAL_ERROR,
                    .count = 1};

    expect_ok(drv_spawn(e->d, &e->inst, true, &err), &err, "spawn");
    before = domain_xml(e, true);
    dom = hv_domain_lookup_by_uuid(e->conn, UUID, &hv);
    assert_int_equal(hv_domain_get_info(dom, &di, &hv), 0);
    old_id = di.id;
    hv_domain_free(dom);
    fault_set_add(e->faults, &r);
    assert_int_equal(drv_rescue(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.kind, DRV_ERR_HYPERVISOR);
    assert_int_equal(err.hv.code, HV_ERR_INTERNAL_ERROR);
    after = domain_xml(e, true);
    assert_string_equal(after, before);
    expect_ok(drv_get_info(e->d, &e->inst, &info, &err), &err, "get_info");
    assert_int_equal(info.state, DRV_POWER_RUNNING);
    assert_int_not_equal(info.id, old_id); /* started again */
    assert_null(store_file(e, "unrescue.xml"));
    assert_int_equal(fake_host_volume_count(e->h), 5); /* no rescue disk */
    g_free(before);
    g_free(after);

    /* an instance that was shut off stays shut off */
    expect_ok(drv_power_off(e->d, &e->inst, 0, 0, &err), &err, "power_off");
    fault_set_add(e->faults, &r);
    assert_int_equal(drv_rescue(e->d, &e->inst, NULL, &err), -1);
    expect_ok(drv_get_info(e->d, &e->inst, &info, &err), &err, "get_info");
    assert_int_equal(info.state, DRV_POWER_SHUTDOWN);

    /* writing unrescue.xml fails: nothing changed, the error returned */
    expect_ok(drv_power_on(e->d, &e->inst, &err), &err, "power_on");
    {
        fault_rule w = {.op = HV_OP_INSTANCE_FILE_WRITE,
                        .code = HV_ERR_SYSTEM_ERROR, .sys_errno = ENOSPC,
                        .count = 1};
        fault_set_add(e->faults, &w);
    }
    e->calls[HV_OP_DOMAIN_DESTROY] = 0;
    assert_int_equal(drv_rescue(e->d, &e->inst, NULL, &err), -1);
    assert_int_equal(err.hv.sys_errno, ENOSPC);
    assert_int_equal(e->calls[HV_OP_DOMAIN_DESTROY], 0);
    expect_ok(drv_get_info(e->d, &e->inst, &info, &err), &err, "get_info");
    assert_int_equal(info.state, DRV_POWER_RUNNING);
}

/* ---- the rescue options of the configuration ---- */

static void
test_config_rescue(void **state)
{
    drv_config cfg;
    drv_error err;

    (void)state;
    drv_config_defaults(&cfg);
    assert_null(cfg.rescue_image_id); /* the reference's default: unset */
    assert_null(cfg.rescue_kernel_id);
    assert_null(cfg.rescue_ramdisk_id);
    assert_int_equal(
        drv_config_load_json("{\"rescue_image_id\": \"rescue.qcow2\", "
                             "\"rescue_kernel_id\": \"/boot/k\", "
                             "\"rescue_ramdisk_id\": \"/boot/i\"}",
                             "c.json", &cfg, &err),
        0);
    assert_string_equal(cfg.rescue_image_id, "rescue.qcow2");
    assert_string_equal(cfg.rescue_kernel_id, "/boot/k");
    assert_string_equal(cfg.rescue_ramdisk_id, "/boot/i");
    assert_int_equal(drv_config_load_json("{\"rescue_kernel_id\": \"k\"}",
                                          "c.json", &cfg, &err),
                     -1);
    assert_int_equal(err.kind, DRV_ERR_INVALID_CONFIG);
    assert_non_null(strstr(err.message, "$.rescue_kernel_id: expected an "
                                        "absolute path"));
    assert_int_equal(drv_config_load_json("{\"rescue_image_id\": \"a/b\"}",
                                          "c.json", &cfg, &err),
                     -1);
    assert_non_null(strstr(err.message, "$.rescue_image_id"));
    assert_int_equal(drv_config_load_json("{\"rescue_image\": \"x\"}",
                                          "c.json", &cfg, &err),
                     -1);
    assert_non_null(strstr(err.message, "did you mean rescue_image_id?"));
    /* unchanged by the failed loads */
    assert_string_equal(cfg.rescue_image_id, "rescue.qcow2");
    drv_config_clear(&cfg);
}

/* ---- on qemu:///system (HVD_REAL=1): the tiny guest's console ---- */

#define REAL_BASE "/var/cache/hvd/instances"

/*
 * Spawn the tiny guest with the driver on qemu:///system, wait for its
 * ready line through get_console_output, rescue it with its own kernel (the
 * rescue domain boots and prints its ready line to the same log), unrescue,
 * destroy: the instance folder is gone and recorded as cleaned.
 */
static void
test_real_console_rescue(void **state)
{
    const char *kernel = getenv("HVD_GUEST_KERNEL");
    const char *initrd = getenv("HVD_GUEST_INITRD");
    const char *vtype = getenv("HVD_VIRT_TYPE");
    drv_kv props[3];
    char uuid[HV_UUID_STRLEN], name[64];
    drv_instance inst;
    drv_config cfg;
    drv_error err;
    hv_error hv;
    hv_conn *conn;
    drv *d;
    char *out = NULL;
    size_t len = 0;
    unsigned int attempts;
    bool cleaned, ready = false;
    uint64_t x;

    (void)state;
    if (!getenv("HVD_REAL") || !kernel || !initrd) {
        print_message("# skipped: needs HVD_REAL=1, HVD_GUEST_KERNEL and "
                      "HVD_GUEST_INITRD (make check-real)\n");
        skip();
    }
    conn = hv_libvirt_open("qemu:///system", &hv);
    if (!conn)
        fail_msg("qemu:///system: %s", hv.message);
    x = hv_random(conn);
    /* the tag "f11e5" ("files") marks this helper's domains */
    g_snprintf(uuid, sizeof(uuid), "%08x-f11e-4000-8000-%012llx",
               (unsigned int)(x >> 32),
               (unsigned long long)(x & UINT64_C(0xffffffffffff)));
    g_snprintf(name, sizeof(name), "hvd-real-files-%d", (int)getpid() % 100000);
    drv_config_defaults(&cfg);
    g_free(cfg.virt_type);
    cfg.virt_type = g_strdup(vtype && *vtype ? vtype : "qemu");
    g_free(cfg.instances_path);
    cfg.instances_path = g_strdup(REAL_BASE);
    props[0] = (drv_kv){(char *)"kernel_path", (char *)kernel};
    props[1] = (drv_kv){(char *)"initrd_path", (char *)initrd};
    props[2] = (drv_kv){(char *)"os_command_line",
                        (char *)"console=ttyS0 panic=-1 quiet"};
    inst = (drv_instance){
        .uuid = uuid,
        .name = name,
        .flavor = {.name = "tiny", .vcpus = 1, .memory_mb = 96},
        .image = {.id = "tiny-guest", .format = "raw", .properties = props,
                  .n_properties = 3},
    };
    d = drv_new(&cfg, conn, &err);
    assert_non_null(d);
    expect_ok(drv_init_host(d, NULL, &err), &err, "init_host");
    /* spawn makes the folder itself (no mkdir by the test) */
    expect_ok(drv_spawn(d, &inst, true, &err), &err, "spawn");
    assert_int_equal(drv_instance_on_disk(d, &inst, &err), 1);
    for (int i = 0; i < 600 && !ready; i++) {
        expect_ok(drv_get_console_output(d, &inst, &out, &len, &err), &err,
                  "get_console_output");
        ready = strstr(out, "HVD-GUEST-READY") != NULL;
        assert_true(len <= DRV_MAX_CONSOLE_BYTES);
        g_free(out);
        drv_wait(d, 100 * HV_NS_PER_MS, &err);
    }
    assert_true(ready);
    /* rescue: the saved definition is a file, the guest boots again */
    expect_ok(drv_rescue(d, &inst, NULL, &err), &err, "rescue");
    {
        char *path = g_strdup_printf("%s/%s/unrescue.xml", REAL_BASE, uuid);
        assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
        g_free(path);
    }
    expect_ok(drv_unrescue(d, &inst, &err), &err, "unrescue");
    expect_ok(drv_destroy(d, &inst, true, &err), &err, "destroy");
    assert_int_equal(drv_get_clean_record(d, uuid, &attempts, &cleaned), 1);
    assert_int_equal(attempts, 1);
    assert_true(cleaned);
    assert_int_equal(drv_instance_on_disk(d, &inst, &err), 0);
    drv_free(d);
    drv_config_clear(&cfg);
    hv_conn_close(conn);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_fake),
        cmocka_unit_test(test_store_real),
        cmocka_unit_test(test_store_real_hostile),
        cmocka_unit_test(test_store_real_links),
        cmocka_unit_test(test_delete_files_link_real),
        cmocka_unit_test(test_store_faults),
        cmocka_unit_test(test_fake_console),
        cmocka_unit_test_setup_teardown(test_drv_spawn_console, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_drv_console_tail, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_drv_console_kinds, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_drv_delete_files, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_drv_spawn_fails, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_drv_hard_reboot_folder,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_drv_rescue_instance_image,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_drv_rescue_config_and_call_image,
                                        env_setup, env_teardown),
        cmocka_unit_test_setup_teardown(test_drv_rescue_twice, env_setup,
                                        env_teardown),
        cmocka_unit_test_setup_teardown(test_drv_rescue_start_fails,
                                        env_setup, env_teardown),
        cmocka_unit_test(test_config_rescue),
        cmocka_unit_test(test_real_console_rescue),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("files", tests, NULL, NULL);
}
