/*
 * test-outfile.c: output files written in place — a new file, a regular
 * file truncated and rewritten (same inode), everything else refused and
 * left as it was, a write cut short reported and leaving the file empty.
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "outfile.h"

/* A fresh temporary folder (g_free; removed by rm_tree). */
static char *
tmp_dir(void)
{
    char *dir = g_dir_make_tmp("hvd-outfile-XXXXXX", NULL);

    assert_non_null(dir);
    return dir;
}

static void
rm_tree(const char *dir)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);

    assert_int_equal(system(cmd), 0);
}

/* What outfile_check says of each kind of path. */
static void
test_check(void **state)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *file = g_build_filename(dir, "f", NULL);
    g_autofree char *fifo = g_build_filename(dir, "p", NULL);
    g_autofree char *flink = g_build_filename(dir, "fl", NULL);
    g_autofree char *dlink = g_build_filename(dir, "dl", NULL);
    g_autofree char *under = g_build_filename(file, "x", NULL);
    g_autofree char *none = g_build_filename(dir, "none", NULL);
    char *error = NULL;

    (void)state;
    assert_true(g_file_set_contents(file, "x", -1, NULL));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(symlink("f", flink), 0);
    assert_int_equal(symlink(".", dlink), 0);
    assert_int_equal(outfile_check(none, "trace", &error), OUTFILE_NEW);
    assert_int_equal(outfile_check(file, "trace", &error), OUTFILE_REGULAR);
    assert_int_equal(outfile_check(dir, "trace", &error), OUTFILE_FOLDER);
    assert_int_equal(outfile_check(dlink, "trace", &error), OUTFILE_FOLDER);
    assert_null(error);
    assert_int_equal(outfile_check(fifo, "trace", &error), -1);
    assert_non_null(strstr(error, "cannot write trace "));
    assert_non_null(strstr(error, "it is a FIFO"));
    g_clear_pointer(&error, g_free);
    assert_int_equal(outfile_check(flink, "trace", &error), -1);
    assert_non_null(strstr(error, "it is a symbolic link"));
    g_clear_pointer(&error, g_free);
    assert_int_equal(outfile_check(under, "trace", &error), -1);
    assert_non_null(strstr(error, g_strerror(ENOTDIR)));
    g_free(error);
    rm_tree(dir);
}

/* A regular file is rewritten in place: same inode, old content gone. */
static void
test_in_place(void **state)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *file = g_build_filename(dir, "f", NULL);
    g_autofree char *text = NULL;
    struct stat before, after;
    char *error = NULL;

    (void)state;
    assert_true(g_file_set_contents(file, "a longer old content\n", -1,
                                    NULL));
    assert_int_equal(stat(file, &before), 0);
    assert_int_equal(outfile_write(file, "trace", "new\n", 4, &error), 0);
    assert_int_equal(stat(file, &after), 0);
    assert_true(before.st_ino == after.st_ino);
    assert_true(g_file_get_contents(file, &text, NULL, NULL));
    assert_string_equal(text, "new\n");
    rm_tree(dir);
}

/* A FIFO, a link (to a file or to nothing) are refused and stay. */
static void
test_refused_left_alone(void **state)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *target = g_build_filename(dir, "t", NULL);
    g_autofree char *fifo = g_build_filename(dir, "p", NULL);
    g_autofree char *link = g_build_filename(dir, "l", NULL);
    g_autofree char *dangling = g_build_filename(dir, "d", NULL);
    g_autofree char *gone = g_build_filename(dir, "gone", NULL);
    g_autofree char *text = NULL;
    struct stat st;
    char *error = NULL;

    (void)state;
    assert_true(g_file_set_contents(target, "keep", -1, NULL));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(symlink("t", link), 0);
    assert_int_equal(symlink("gone", dangling), 0);
    assert_int_equal(outfile_write(fifo, "trace", "x", 1, &error), -1);
    assert_non_null(strstr(error, "it is a FIFO"));
    g_clear_pointer(&error, g_free);
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(outfile_write(link, "trace", "x", 1, &error), -1);
    assert_non_null(strstr(error, "it is a symbolic link"));
    g_clear_pointer(&error, g_free);
    assert_int_equal(outfile_write(dangling, "trace", "x", 1, &error), -1);
    assert_non_null(strstr(error, "it is a symbolic link"));
    g_clear_pointer(&error, g_free);
    assert_false(g_file_test(gone, G_FILE_TEST_EXISTS));
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_true(g_file_get_contents(target, &text, NULL, NULL));
    assert_string_equal(text, "keep");
    rm_tree(dir);
}

/* A write cut short (a file size limit here, as a full disk would) is an
 * error with errno's text, and leaves the file empty. */
static void
test_cut_short(void **state)
{
    g_autofree char *dir = tmp_dir();
    g_autofree char *file = g_build_filename(dir, "f", NULL);
    g_autofree char *data = g_malloc0(64 * 1024);
    struct rlimit old, small;
    struct stat st;
    char *error = NULL;
    int rc;

    (void)state;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 4096;
    signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    rc = outfile_write(file, "trace", data, 64 * 1024, &error);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, SIG_DFL);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(error, g_strerror(EFBIG)));
    g_free(error);
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_size, 0);
    rm_tree(dir);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_refused_left_alone),
        cmocka_unit_test(test_cut_short),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("outfile", tests, NULL, NULL);
}
