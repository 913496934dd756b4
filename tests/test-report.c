/*
 * test-report.c: the JUnit writer — every text it is given, whatever its
 * bytes, ends in a report libxml2 parses, with what XML cannot hold shown
 * as U+FFFD; a report path that is not a regular file is refused.
 */
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "report.h"

/* U+FFFD in UTF-8 */
#define R "\xef\xbf\xbd"

/* The value of attribute 'attr' of the first element 'tag' under 'node'
 * (xmlFree), or NULL. */
static xmlChar *
find_attr(xmlNodePtr node, const char *tag, const char *attr)
{
    for (xmlNodePtr c = node; c; c = c->next) {
        xmlChar *v;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcmp((const char *)c->name, tag) == 0)
            return xmlGetProp(c, (const xmlChar *)attr);
        if ((v = find_attr(c->children, tag, attr)))
            return v;
    }
    return NULL;
}

/* A scenario path with markup and a byte that is not UTF-8, a name and a
 * message with characters XML forbids (a control, U+FFFE, U+FFFF): the
 * report parses, and each of those characters reads as U+FFFD. */
static void
test_junit_any_text(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("hvd-report-XXXXXX", NULL);
    g_autofree char *xml = g_build_filename(dir, "j.xml", NULL);
    FILE *devnull = fopen("/dev/null", "w");
    report *rp;
    run_result res = {.passed = false,
                      .message = "expected \x01 \xef\xbf\xbe, is \xef\xbf\xbf "
                                 "<&\"> \xff",
                      .trace = "{\"t\":0}\n",
                      .hash = "0"};
    char *error = NULL;
    xmlDocPtr doc;
    xmlChar *v;

    (void)state;
    assert_non_null(devnull);
    rp = report_new(devnull, "fake");
    report_add(rp, "a \"<&\xff/s.json", "n\x01m\xef\xbf\xbe", &res,
               "hvd run -v 'a \"<&\xff/s.json'");
    report_error(rp, "b \"<&\xfe.json", "b \"<&\xfe.json:1:1: bad \x02");
    report_finish(rp);
    assert_int_equal(report_write_junit(rp, xml, &error), 0);
    report_free(rp);
    fclose(devnull);

    doc = xmlReadFile(xml, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR);
    assert_non_null(doc);
    v = find_attr(xmlDocGetRootElement(doc), "testcase", "name");
    assert_string_equal((const char *)v, "n" R "m" R);
    xmlFree(v);
    v = find_attr(xmlDocGetRootElement(doc), "testcase", "classname");
    assert_string_equal((const char *)v, "a \"<&" R);
    xmlFree(v);
    v = find_attr(xmlDocGetRootElement(doc), "failure", "message");
    assert_string_equal((const char *)v, "expected " R " " R ", is " R
                                         " <&\"> " R);
    xmlFree(v);
    xmlFreeDoc(doc);
    g_unlink(xml);
    g_rmdir(dir);
}

/* A report path that is a FIFO is refused and left a FIFO; a missing
 * folder is an error that says why. */
static void
test_junit_refuses(void **state)
{
    g_autofree char *dir = g_dir_make_tmp("hvd-report-XXXXXX", NULL);
    g_autofree char *fifo = g_build_filename(dir, "fifo", NULL);
    g_autofree char *missing = g_build_filename(dir, "no", "j.xml", NULL);
    report *rp = report_new(stdout, "fake");
    struct stat st;
    char *error = NULL;

    (void)state;
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(report_write_junit(rp, fifo, &error), -1);
    assert_non_null(strstr(error, "it is a FIFO"));
    g_clear_pointer(&error, g_free);
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    assert_int_equal(report_write_junit(rp, missing, &error), -1);
    assert_non_null(strstr(error, "cannot write JUnit report"));
    assert_non_null(strstr(error, g_strerror(ENOENT)));
    g_free(error);
    report_free(rp);
    g_unlink(fifo);
    g_rmdir(dir);
}

/* The TAP line's time is named for what it is: virtual seconds on the
 * fake, the wall's on a real backend; quiet leaves out passes and plan. */
static void
test_tap_time_and_quiet(void **state)
{
    static const struct {
        const char *backend;
        bool quiet;
        const char *want, *not_want;
    } cases[] = {
        {"fake", false, "ok 1 - s1 # trace 0123456789abcdef, 2.5 s simulated\n1..1\n", NULL},
        {"libvirt", false, "ok 1 - s1 # trace 0123456789abcdef, 2.5 s wall\n", "simulated"},
        {"fake", true, "1 passed, 0 failed, 0 skipped\n", "ok 1"},
    };
    run_result res = {.passed = true, .hash = "0123456789abcdef",
                      .sim_ns = 2500000000};

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&buf, &len);
        report *rp = report_new(out, cases[i].backend);

        report_set_quiet(rp, cases[i].quiet);
        report_add(rp, "p.json", "s1", &res, "hvd run p.json");
        report_finish(rp);
        report_free(rp);
        fclose(out);
        assert_non_null(strstr(buf, cases[i].want));
        if (cases[i].not_want)
            assert_null(strstr(buf, cases[i].not_want));
        free(buf);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_junit_any_text),
        cmocka_unit_test(test_junit_refuses),
        cmocka_unit_test(test_tap_time_and_quiet),
    };

    cmocka_set_message_output(CM_OUTPUT_TAP);
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
