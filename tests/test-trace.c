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
    char *h = trace_header(&info);

    (void)state;
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
    assert_string_equal(tf->info.scenario, info.scenario);
    assert_string_equal(tf->info.name, info.name);
    assert_string_equal(tf->info.backend, "fake");
    assert_true(tf->info.seed == info.seed);
    assert_string_equal(tf->info.hash, hash);
    assert_string_equal(tf->body, body);
    assert_int_equal(json_array_size(tf->lines), 2);
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(tf->lines, 1), "t")), 5);
    trace_file_free(tf);
    g_unlink(path);
    g_free(path);
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
    assert_non_null(strstr(error, "more than a trace may hold"));
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
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_hash),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
