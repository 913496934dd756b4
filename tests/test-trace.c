/*
 * test-trace.c: the trace module — lines as the runner writes them, the
 * header's escaping, files written and read back, malformed and oversized
 * input refused with file and line, the normaliser, the hash.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace.h"

/* A temporary file holding text; the caller unlinks and frees the path. */
static char *
tmp_file(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("hvd-trace-XXXXXX", &path, NULL);

    assert_true(fd >= 0);
    close(fd);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

/* Lines print compactly, "t" first, keys in order, reals with ".0". */
static void
test_line_format(void **state)
{
    trace_writer *w = trace_writer_new();
    json_t *o = trace_line_new();
    char *text;

    (void)state;
    json_object_set_new(o, "step", json_integer(3));
    json_object_set_new(o, "wait", json_real(5.0));
    trace_append(w, o, 7);
    o = trace_line_new();
    json_object_set_new(o, "host", json_string("h\xc3\xa9"));
    json_object_set_new(o, "wait", json_real(0.25));
    trace_append(w, o, 8);
    text = trace_writer_steal(w);
    assert_string_equal(text, "{\"t\":7,\"step\":3,\"wait\":5.0}\n"
                              "{\"t\":8,\"host\":\"h\\u00E9\",\"wait\":0.25}\n");
    g_free(text);
}

/* Today's header, byte for byte, for an ordinary scenario. */
static void
test_header_format(void **state)
{
    trace_info info = {.scenario = "scenarios/reboot/hard.json",
                       .name = "reboot-hard",
                       .backend = "fake",
                       .seed = 1,
                       .hash = "2250d0c1c33b4eff"};
    char *error = NULL;
    char *h = trace_header(&info, &error);

    (void)state;
    assert_null(error);
    assert_string_equal(h, "{\"hvd_trace\":1,\"scenario\":"
                           "\"scenarios/reboot/hard.json\",\"name\":"
                           "\"reboot-hard\",\"backend\":\"fake\",\"seed\":1,"
                           "\"hash\":\"2250d0c1c33b4eff\"}\n");
    g_free(h);
}

/* A name with a quote and a backslash gives a valid header that reads
 * back to the same name. */
static void
test_round_trip_escaping(void **state)
{
    static const char body[] = "{\"t\":0,\"step\":0,\"op\":\"spawn\"}\n"
                               "{\"t\":5,\"host\":\"h1\",\"call\":\"x\"}\n";
    char hash[TRACE_HASH_LEN + 1];
    trace_info info = {.scenario = "dir/a \"b\".json",
                       .name = "say \"hi\" \\ bye",
                       .backend = "fake",
                       .seed = 9223372036854775807ull,
                       .hash = hash};
    char *path = tmp_file(""), *error = NULL;
    trace_file *tf = NULL;

    (void)state;
    trace_hash(body, hash);
    assert_int_equal(trace_write_file(path, &info, body, &error), 0);
    assert_int_equal(trace_read(path, &tf, &error), 0);
    assert_string_equal(tf->scenario, info.scenario);
    assert_string_equal(tf->name, info.name);
    assert_string_equal(tf->backend, "fake");
    assert_true(tf->seed == info.seed);
    assert_string_equal(tf->hash, hash);
    assert_string_equal(tf->body, body);
    assert_int_equal(json_array_size(tf->lines), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(tf->lines, 1), "t")), 5);
    trace_file_free(tf);
    g_unlink(path);
    g_free(path);
}

/* A scenario path that is not UTF-8 cannot go in a JSON header: refused,
 * naming the path, and no file is written. */
static void
test_header_refuses_non_utf8(void **state)
{
    trace_info info = {.scenario = "dir/caf\xe9.json",
                       .name = "n",
                       .backend = "fake",
                       .seed = 1,
                       .hash = "0"};
    g_autofree char *dir = g_dir_make_tmp("hvd-trace-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "t.jsonl", NULL);
    char *error = NULL;

    (void)state;
    assert_null(trace_header(&info, &error));
    assert_non_null(error);
    assert_non_null(strstr(error, "dir/caf"));
    assert_non_null(strstr(error, "cannot record the scenario path in a "
                                  "trace: it is not valid UTF-8"));
    g_clear_pointer(&error, g_free);
    assert_int_equal(trace_write_file(path, &info, "", &error), -1);
    assert_non_null(strstr(error, "not valid UTF-8"));
    assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_free(error);
    g_rmdir(dir);
}

/* A line's string field that is not UTF-8 is kept (its bad byte shown as
 * U+FFFD), not dropped; NULL is null. */
static void
test_line_strings_checked(void **state)
{
    trace_writer *w = trace_writer_new();
    json_t *o = trace_line_new();
    char *text;

    (void)state;
    trace_line_set_string(o, "host", "h1");
    trace_line_set_string(o, "domain", "caf\xe9");
    trace_line_set_string(o, "target", NULL);
    trace_append(w, o, 1);
    text = trace_writer_steal(w);
    assert_string_equal(text, "{\"t\":1,\"host\":\"h1\",\"domain\":"
                              "\"caf\\uFFFD\",\"target\":null}\n");
    g_free(text);
}

static void
expect_read(const char *text, int want, const char *fragment)
{
    char *path = tmp_file(text), *error = NULL;
    trace_file *tf = NULL;

    assert_int_equal(trace_read(path, &tf, &error), want);
    assert_null(tf);
    assert_non_null(error);
    assert_non_null(strstr(error, path));
    if (!strstr(error, fragment))
        fail_msg("'%s' not in '%s'", fragment, error);
    g_free(error);
    g_unlink(path);
    g_free(path);
}

#define HDR "{\"hvd_trace\":1,\"scenario\":\"s.json\",\"name\":\"n\"," \
            "\"backend\":\"fake\",\"seed\":1,\"hash\":\"0\"}\n"

static void
test_malformed(void **state)
{
    (void)state;
    /* not traces at all: a caller may try them as scenarios */
    expect_read("", 1, ":1: not a trace");
    expect_read("{\n  \"name\": \"x\"\n}\n", 1, ":1: not a trace");
    expect_read("{\"name\":\"x\"}\n", 1, ":1: not a trace");
    /* traces that are wrong */
    expect_read("{\"hvd_trace\":2}\n", -1, ":1: unsupported trace version");
    expect_read("{\"hvd_trace\":1,\"scenario\":\"s\"}\n", -1,
                ":1: the trace header has no string \"name\"");
    expect_read(HDR "{\"t\":0}\n{\"t\":1,\n", -1,
                ":3: malformed trace line");
    expect_read(HDR "{\"t\":0}\n[1,2]\n", -1, ":3: malformed trace line: not "
                                              "a JSON object");
    expect_read(HDR "{\"t\":0,\"t\":1}\n", -1, ":2: malformed trace line");
    /* an empty line is forgiven at the end only */
    expect_read(HDR "{\"t\":0}\n\n{\"t\":1}\n", -1,
                ":3: malformed trace line: an empty line");
    expect_read(HDR "\r\n\n{\"t\":1}\n", -1,
                ":2: malformed trace line: an empty line");
}

/* Read text as a trace: it must read, with this body and this many
 * lines. */
static void
expect_body(const char *text, const char *body, size_t n_lines)
{
    char *path = tmp_file(text), *error = NULL;
    trace_file *tf = NULL;

    if (trace_read(path, &tf, &error) != 0)
        fail_msg("%s", error);
    assert_string_equal(tf->body, body);
    assert_int_equal(json_array_size(tf->lines), n_lines);
    trace_file_free(tf);
    g_unlink(path);
    g_free(path);
}

#define BODY "{\"t\":0,\"step\":0}\n{\"t\":1,\"x\":\"a\"}\n"
#define BODY_CRLF "{\"t\":0,\"step\":0}\r\n{\"t\":1,\"x\":\"a\"}\r\n"

/* What an editor does to a trace: CRLF endings, blank lines at the end,
 * no newline at the end. The body reads back as hvd wrote it (LF only),
 * so its hash is still the header's. */
static void
test_editor_forgiven(void **state)
{
    char hash[TRACE_HASH_LEN + 1], again[TRACE_HASH_LEN + 1];
    trace_info info = {.scenario = "s.json", .name = "n", .seed = 1,
                       .hash = hash};
    char *path = tmp_file(""), *error = NULL;
    g_autofree char *hdr = NULL, *lf = NULL, *crlf = NULL;
    trace_file *tf = NULL;
    gchar **lines;

    (void)state;
    expect_body(HDR BODY, BODY, 2);
    expect_body(HDR BODY "\n", BODY, 2);
    expect_body(HDR BODY "\n\n", BODY, 2);
    expect_body(HDR "{\"t\":0,\"step\":0}\n{\"t\":1,\"x\":\"a\"}", BODY, 2);
    expect_body(HDR BODY_CRLF, BODY, 2);
    expect_body(HDR BODY_CRLF "\r\n", BODY, 2);
    expect_body(HDR, "", 0);
    expect_body(HDR "\n", "", 0);

    /* a whole trace as hvd writes it, then saved with CRLF endings */
    trace_hash(BODY, hash);
    assert_non_null(hdr = trace_header(&info, &error));
    lf = g_strconcat(hdr, BODY, NULL);
    lines = g_strsplit(lf, "\n", -1);
    crlf = g_strjoinv("\r\n", lines);
    g_strfreev(lines);
    assert_true(g_file_set_contents(path, crlf, -1, NULL));
    if (trace_read(path, &tf, &error) != 0)
        fail_msg("%s", error);
    assert_string_equal(tf->scenario, "s.json");
    assert_string_equal(tf->hash, hash);
    assert_string_equal(tf->body, BODY);
    trace_hash(tf->body, again);
    assert_string_equal(again, tf->hash);
    trace_file_free(tf);
    g_unlink(path);
    g_free(path);
}

static void
test_refuses(void **state)
{
    char *error = NULL, *path;
    trace_file *tf = NULL;
    FILE *f;

    (void)state;
    assert_int_equal(trace_read("/nonexistent/x.trace.jsonl", &tf, &error),
                     -1);
    assert_non_null(strstr(error, "/nonexistent/x.trace.jsonl: "));
    g_clear_pointer(&error, g_free);
    assert_int_equal(trace_read("/tmp", &tf, &error), -1);
    assert_non_null(strstr(error, "not a regular file"));
    g_clear_pointer(&error, g_free);
    assert_int_equal(trace_read("/dev/null", &tf, &error), -1);
    assert_non_null(strstr(error, "not a regular file"));
    g_clear_pointer(&error, g_free);
    /* one byte over the bound (a sparse file: nothing is written) */
    path = tmp_file(HDR);
    assert_non_null(f = fopen(path, "r+"));
    assert_int_equal(ftruncate(fileno(f), (off_t)TRACE_MAX_BYTES + 1), 0);
    fclose(f);
    assert_int_equal(trace_read(path, &tf, &error), -1);
    assert_non_null(strstr(error, "bytes is over the limit of 67108864"));
    g_clear_pointer(&error, g_free);
    g_unlink(path);
    g_free(path);
}

static void
test_normalise(void **state)
{
    static const char body[] =
        "{\"t\":0,\"host\":\"h1\",\"call\":\"domain_create\"}\n"
        "{\"t\":1,\"host\":\"h1\",\"lifecycle\":\"STARTED\",\"instance\":\"vm2\"}\n"
        "{\"t\":1,\"host\":\"h1\",\"lifecycle\":\"STARTED\",\"instance\":\"vm2\"}\n"
        "{\"t\":2,\"step\":0,\"op\":\"spawn\",\"instance\":\"vm2\","
        "\"result\":\"ok\",\"pass\":true}\n"
        "{\"t\":2,\"step\":1,\"wait\":5.0}\n"
        "not json\n"
        "{\"t\":3,\"host\":\"h1\",\"lifecycle\":\"STOPPED\",\"instance\":\"vm1\"}\n"
        "{\"t\":3,\"host\":\"h1\",\"lifecycle\":\"STARTED\",\"instance\":\"vm2\"}\n"
        "{\"t\":4,\"step\":2,\"check\":\"state\",\"instance\":\"vm2\","
        "\"pass\":false}\n";
    char *n = trace_normalise(body);

    (void)state;
    assert_string_equal(n, "step 0 op spawn vm2 -> ok pass\n"
                           "step 2 check state vm2 -> - FAIL\n"
                           "lifecycle vm1: STOPPED\n"
                           "lifecycle vm2: STARTED\n");
    g_free(n);
}

/* The hash covers every byte: one field dropped changes it. */
static void
test_hash(void **state)
{
    char a[TRACE_HASH_LEN + 1], b[TRACE_HASH_LEN + 1];
    char *la = NULL, *lb = NULL;

    (void)state;
    trace_hash("", a);
    assert_string_equal(a, "cbf29ce484222325");
    trace_hash("{\"t\":0,\"call\":\"x\",\"arg\":1}\n", a);
    trace_hash("{\"t\":0,\"call\":\"x\"}\n", b);
    assert_string_not_equal(a, b);
    assert_int_equal(trace_first_difference("a\nb\n", "a\nb\n", NULL, NULL),
                     0);
    assert_int_equal(trace_first_difference("a\nb\nc\n", "a\nB\nc\n", &la,
                                            &lb), 2);
    assert_string_equal(la, "b");
    assert_string_equal(lb, "B");
    g_free(la);
    g_free(lb);
    assert_int_equal(trace_first_difference("a", "a\nb", &la, &lb), 2);
    assert_string_equal(la, "(end)");
    g_free(la);
    g_free(lb);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_line_format),
        cmocka_unit_test(test_header_format),
        cmocka_unit_test(test_round_trip_escaping),
        cmocka_unit_test(test_header_refuses_non_utf8),
        cmocka_unit_test(test_line_strings_checked),
        cmocka_unit_test(test_editor_forgiven),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_hash),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
