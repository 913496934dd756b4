/*
 * report.c: TAP, the summary line and JUnit XML (libxml2).
 */
#include "report.h"

#include <glib.h>
#include <libxml/chvalid.h>
#include <libxml/tree.h>
#include <string.h>

#include "outfile.h"

typedef struct entry {
    char *path, *name, *message, *trace_tail, *repro, *hash;
    bool passed, skipped;
    double wall_s;
} entry;

struct report {
    FILE *out;
    char *backend;
    GArray *entries; /* entry */
    unsigned int passed, failed, skipped;
    bool quiet;      /* failures and the summary only */
    bool real;       /* a real backend: wall time, not virtual */
};

report *
report_new(FILE *out, const char *backend)
{
    report *rp = g_new0(report, 1);

    rp->out = out;
    rp->backend = g_strdup(backend);
    rp->real = backend && strcmp(backend, "fake") != 0;
    rp->entries = g_array_new(FALSE, TRUE, sizeof(entry));
    return rp;
}

void
report_free(report *rp)
{
    if (!rp)
        return;
    for (guint i = 0; i < rp->entries->len; i++) {
        entry *e = &g_array_index(rp->entries, entry, i);
        g_free(e->path);
        g_free(e->name);
        g_free(e->message);
        g_free(e->trace_tail);
        g_free(e->repro);
        g_free(e->hash);
    }
    g_array_free(rp->entries, TRUE);
    g_free(rp->backend);
    g_free(rp);
}

/* The last n lines of a trace. */
static char *
tail_lines(const char *text, unsigned int n)
{
    const char *p;
    unsigned int seen = 0;

    if (!text || !*text)
        return g_strdup("");
    p = text + strlen(text);
    if (p > text && p[-1] == '\n')
        p--;
    while (p > text) {
        if (p[-1] == '\n' && ++seen == n)
            break;
        p--;
    }
    return g_strdup(p);
}

static void
print_commented(FILE *out, const char *prefix, const char *text)
{
    char **lines = g_strsplit(text, "\n", -1);

    for (char **l = lines; *l; l++)
        if (**l)
            fprintf(out, "#%s%s\n", prefix, *l);
    g_strfreev(lines);
}

void
report_add(report *rp, const char *path, const char *name,
           const run_result *res, const char *repro)
{
    entry e = {0};
    unsigned int n = rp->entries->len + 1;

    e.path = g_strdup(path);
    e.name = g_strdup(name);
    e.message = g_strdup(res->message);
    e.passed = res->passed;
    e.skipped = res->skipped;
    e.wall_s = res->wall_s;
    e.hash = g_strdup(res->hash);
    e.repro = g_strdup(repro);
    e.trace_tail = res->passed ? NULL : tail_lines(res->trace, 12);
    g_array_append_val(rp->entries, e);
    if (e.skipped) {
        rp->skipped++;
        if (!rp->quiet)
            fprintf(rp->out, "ok %u - %s # SKIP %s\n", n, name, e.message);
    } else if (e.passed) {
        rp->passed++;
        /* the trace's time: virtual on the fake, the wall's on a host */
        if (!rp->quiet)
            fprintf(rp->out, "ok %u - %s # trace %s, %.1f s %s\n", n, name,
                    res->hash, (double)res->sim_ns / 1e9,
                    rp->real ? "wall" : "simulated");
    } else {
        rp->failed++;
        fprintf(rp->out, "not ok %u - %s\n", n, name);
        /* a load error names its file already ("PATH:LINE:COL: ...") */
        if (e.message && g_str_has_prefix(e.message, path) &&
            e.message[strlen(path)] == ':')
            fprintf(rp->out, "# %s\n", e.message);
        else
            fprintf(rp->out, "# %s: %s\n", path,
                    e.message ? e.message : "failed");
        if (e.trace_tail && *e.trace_tail) {
            fprintf(rp->out, "# last trace lines:\n");
            print_commented(rp->out, "   ", e.trace_tail);
        }
        fprintf(rp->out, "# reproduce: %s\n", repro);
    }
    fflush(rp->out);
}

void
report_error(report *rp, const char *path, const char *message)
{
    run_result res = {.passed = false, .message = (char *)message};
    g_autofree char *quoted = g_shell_quote(path);
    char *repro = g_strdup_printf("hvd validate %s", quoted);

    report_add(rp, path, path, &res, repro);
    g_free(repro);
}

void
report_set_quiet(report *rp, bool quiet)
{
    rp->quiet = quiet;
}

void
report_finish(report *rp)
{
    if (!rp->quiet)
        fprintf(rp->out, "1..%u\n", rp->entries->len);
    fprintf(rp->out, "%u passed, %u failed, %u skipped\n", rp->passed,
            rp->failed, rp->skipped);
    fflush(rp->out);
}

unsigned int
report_failed(const report *rp)
{
    return rp->failed;
}

/*
 * 'text' as XML 1.0 can hold it (g_free): bytes that are not UTF-8 and
 * characters XML forbids (controls but tab and newlines, U+FFFE, U+FFFF)
 * become U+FFFD. libxml2 escapes '<', '&' and '"' but writes the others
 * as given, and the report would then not parse.
 */
static char *
xml_text(const char *text)
{
    g_autofree char *valid = g_utf8_make_valid(text ? text : "", -1);
    GString *out = g_string_sized_new(strlen(valid));

    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);

        g_string_append_unichar(out, xmlIsCharQ(c) ? c : 0xFFFD);
    }
    return g_string_free(out, FALSE);
}

/* A file name as XML text (g_free): shown as GLib shows file names. */
static char *
xml_path(const char *path)
{
    g_autofree char *shown = g_filename_display_name(path);

    return xml_text(shown);
}

/* Set node's attribute 'name' to 'value' made XML text by xml_text. */
static void
set_prop(xmlNodePtr node, const char *name, const char *value)
{
    g_autofree char *v = xml_text(value);

    xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)v);
}

int
report_write_junit(const report *rp, const char *path, char **error)
{
    xmlDocPtr doc = xmlNewDoc((const xmlChar *)"1.0");
    xmlNodePtr suites = xmlNewNode(NULL, (const xmlChar *)"testsuites");
    xmlNodePtr suite;
    xmlChar *mem = NULL;
    char buf[64];
    double total = 0;
    int size = 0, rc;

    xmlDocSetRootElement(doc, suites);
    suite = xmlNewChild(suites, NULL, (const xmlChar *)"testsuite", NULL);
    g_snprintf(buf, sizeof(buf), "hvd-%s", rp->backend);
    set_prop(suite, "name", buf);
    g_snprintf(buf, sizeof(buf), "%u", rp->entries->len);
    set_prop(suite, "tests", buf);
    g_snprintf(buf, sizeof(buf), "%u", rp->failed);
    set_prop(suite, "failures", buf);
    g_snprintf(buf, sizeof(buf), "%u", rp->skipped);
    set_prop(suite, "skipped", buf);
    for (guint i = 0; i < rp->entries->len; i++) {
        const entry *e = &g_array_index(rp->entries, entry, i);
        xmlNodePtr tc = xmlNewChild(suite, NULL, (const xmlChar *)"testcase",
                                    NULL);
        g_autofree char *dir = g_path_get_dirname(e->path);
        g_autofree char *cls = g_strdelimit(xml_path(dir), "/", '.');
        /* a scenario that did not load is named by its path */
        g_autofree char *name = e->name && strcmp(e->name, e->path) == 0
                                    ? xml_path(e->name)
                                    : xml_text(e->name);

        xmlNewProp(tc, (const xmlChar *)"name", (const xmlChar *)name);
        xmlNewProp(tc, (const xmlChar *)"classname", (const xmlChar *)cls);
        g_snprintf(buf, sizeof(buf), "%.3f", e->wall_s);
        set_prop(tc, "time", buf);
        total += e->wall_s;
        if (e->skipped) {
            xmlNodePtr sk = xmlNewChild(tc, NULL, (const xmlChar *)"skipped",
                                        NULL);
            set_prop(sk, "message", e->message);
        } else if (!e->passed) {
            g_autofree char *body = g_strdup_printf(
                "%s\n\nlast trace lines:\n%s\nreproduce: %s\n",
                e->message ? e->message : "",
                e->trace_tail ? e->trace_tail : "", e->repro ? e->repro : "");
            g_autofree char *text = xml_text(body);
            xmlNodePtr f = xmlNewTextChild(tc, NULL,
                                           (const xmlChar *)"failure",
                                           (const xmlChar *)text);

            set_prop(f, "message", e->message ? e->message : "failed");
        }
    }
    g_snprintf(buf, sizeof(buf), "%.3f", total);
    set_prop(suite, "time", buf);
    /* the bytes are written by outfile_write, in place and checked, not
     * by libxml2's own file writer (which reports no reason) */
    xmlDocDumpFormatMemoryEnc(doc, &mem, &size, "UTF-8", 1);
    xmlFreeDoc(doc);
    if (!mem || size < 0) {
        *error = g_strdup_printf("cannot write JUnit report %s: libxml2 "
                                 "could not serialise it", path);
        xmlFree(mem);
        return -1;
    }
    rc = outfile_write(path, "JUnit report", (const char *)mem, (size_t)size,
                       error);
    xmlFree(mem);
    return rc;
}
