/*
 * trace.c: writing, reading, normalising and hashing traces (trace.h).
 */
#include "trace.h"

#include "jsonv.h"
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Every trace line and the header are printed this way: compact (no
 * spaces), keys in insertion order, non-ASCII as \u escapes. Reals print
 * as jansson's "%.17g" plus ".0" when integral ("wait":5.0). */
#define TRACE_DUMP_FLAGS \
    (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII)

struct trace_writer {
    GString *text;
};

trace_writer *
trace_writer_new(void)
{
    trace_writer *w = g_new0(trace_writer, 1);

    w->text = g_string_new("");
    return w;
}

void
trace_writer_free(trace_writer *w)
{
    if (!w)
        return;
    g_string_free(w->text, TRUE);
    g_free(w);
}

json_t *
trace_line_new(void)
{
    json_t *o = json_object();

    /* a placeholder keeps "t" the first key; trace_append fills it */
    json_object_set_new(o, "t", json_integer(0));
    return o;
}

/*
 * value as a JSON string, or NULL if it is not valid UTF-8. Every string
 * that goes into a trace is made here: json_string returns NULL for such
 * a value, and json_object_set_new given NULL drops the key silently.
 */
static json_t *
trace_string(const char *value)
{
    json_t *s;

    if (!g_utf8_validate(value, -1, NULL))
        return NULL;
    /* valid UTF-8 without a NUL inside: only memory can be short */
    if (!(s = json_string(value)))
        g_error("out of memory making a trace string");
    return s;
}

/* The one line of text of a trace object (free()). Aborts when it cannot
 * be encoded: its strings went through trace_string and JSON_ENSURE_ASCII
 * takes any of them, so only running out of memory is left. */
static char *
trace_dump(const json_t *o)
{
    char *text = json_dumps(o, TRACE_DUMP_FLAGS);

    if (!text)
        g_error("out of memory encoding a trace line");
    return text;
}

void
trace_line_set_string(json_t *line, const char *key, const char *value)
{
    json_t *s;

    if (!value) {
        json_object_set_new(line, key, json_null());
        return;
    }
    if (!(s = trace_string(value))) {
        /* keep the field: a line that silently lost one would be worse
         * than a line whose value shows where its bytes were invalid */
        g_autofree char *valid = g_utf8_make_valid(value, -1);

        s = trace_string(valid);
    }
    json_object_set_new(line, key, s);
}

void
trace_append(trace_writer *w, json_t *line, int64_t t)
{
    char *text;

    /* setting "t" again keeps its place (first) */
    json_object_set_new(line, "t", json_integer(t));
    text = trace_dump(line);
    json_decref(line);
    g_string_append(w->text, text);
    g_string_append_c(w->text, '\n');
    free(text);
}

const char *
trace_writer_text(const trace_writer *w)
{
    return w->text->str;
}

char *
trace_writer_steal(trace_writer *w)
{
    char *text = g_string_free(w->text, FALSE);

    g_free(w);
    return text;
}

/* Set hdr[key] to value; -1 with *error naming the value ('what' it is)
 * if it is not valid UTF-8. */
static int
header_set(json_t *hdr, const char *key, const char *what, const char *value,
           char **error)
{
    json_t *s = trace_string(value);

    if (!s) {
        g_autofree char *shown = g_filename_display_name(value);

        *error = g_strdup_printf("%s: cannot record the %s in a trace: it is "
                                 "not valid UTF-8", shown, what);
        return -1;
    }
    json_object_set_new(hdr, key, s);
    return 0;
}

char *
trace_header(const trace_info *info, char **error)
{
    json_t *o = json_object();
    char *text, *line = NULL;

    json_object_set_new(o, "hvd_trace", json_integer(TRACE_VERSION));
    if (header_set(o, "scenario", "scenario path", info->scenario, error) < 0 ||
        header_set(o, "name", "scenario name", info->name, error) < 0 ||
        header_set(o, "backend", "backend",
                   info->backend ? info->backend : "fake", error) < 0)
        goto cleanup;
    json_object_set_new(o, "seed", json_integer((json_int_t)info->seed));
    if (header_set(o, "hash", "trace hash", info->hash, error) < 0)
        goto cleanup;
    text = trace_dump(o);
    line = g_strconcat(text, "\n", NULL);
    free(text);

cleanup:
    json_decref(o);
    return line;
}

int
trace_write_file(const char *file, const trace_info *info, const char *body,
                 char **error)
{
    g_autofree char *header = trace_header(info, error);
    g_autofree char *text = NULL;

    if (!header)
        return -1;
    text = g_strconcat(header, body, NULL);
    return outfile_write(file, "trace", text, strlen(text), error);
}

/* ---- reading ---- */

void
trace_file_free(trace_file *tf)
{
    if (!tf)
        return;
    g_free(tf->path);
    g_free(tf->scenario);
    g_free(tf->name);
    g_free(tf->backend);
    g_free(tf->hash);
    g_free(tf->body);
    json_decref(tf->lines);
    g_free(tf);
}

/* The whole of a regular file no larger than TRACE_MAX_BYTES (g_free),
 * read by the one bounded reader of input files (jsonv.h). */
static char *
read_bounded(const char *path, char **error)
{
    char *text = NULL;

    if (jv_read_file(path, TRACE_MAX_BYTES, &text, error) < 0)
        return NULL;
    return text;
}

/* A string header field, copied to *out; -1 with *error if not a string. */
static int
header_string(const char *path, json_t *hdr, const char *key, char **out,
              char **error)
{
    const char *v = json_string_value(json_object_get(hdr, key));

    if (!v) {
        *error = g_strdup_printf("%s:1: the trace header has no string "
                                 "\"%s\"", path, key);
        return -1;
    }
    *out = g_strdup(v);
    return 0;
}

/*
 * The line at *cursor, cut at its '\n' (the text is changed in place),
 * without one '\r' at its end (a file saved with CRLF endings); *cursor
 * moves to the next line. NULL once the text is used up.
 */
static char *
cut_line(char **cursor)
{
    char *line = *cursor, *end;
    size_t len;

    if (!*line)
        return NULL;
    if ((end = strchr(line, '\n'))) {
        *end = '\0';
        *cursor = end + 1;
    } else {
        *cursor = line + strlen(line);
    }
    len = strlen(line);
    if (len && line[len - 1] == '\r')
        line[len - 1] = '\0';
    return line;
}

int
trace_read(const char *path, trace_file **out, char **error)
{
    g_autofree char *text = read_bounded(path, error);
    trace_file *tf = NULL;
    GString *body = NULL;
    json_t *hdr = NULL, *v;
    json_error_t jerr;
    char *cursor, *line;
    unsigned int lineno = 1, blank = 0;
    int ret = -1;

    *out = NULL;
    if (!text)
        return -1;
    if (!strchr(text, '\n')) {
        *error = g_strdup_printf("%s:1: not a trace: no header line", path);
        return 1;
    }
    cursor = text;
    line = cut_line(&cursor);
    hdr = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(hdr) || !(v = json_object_get(hdr, "hvd_trace"))) {
        *error = g_strdup_printf("%s:1: not a trace: the first line is not "
                                 "an \"hvd_trace\" header", path);
        ret = 1;
        goto cleanup;
    }
    if (!json_is_integer(v) || json_integer_value(v) != TRACE_VERSION) {
        *error = g_strdup_printf("%s:1: unsupported trace version (this hvd "
                                 "reads \"hvd_trace\": %d)", path,
                                 TRACE_VERSION);
        goto cleanup;
    }
    tf = g_new0(trace_file, 1);
    tf->path = g_strdup(path);
    if (header_string(path, hdr, "scenario", &tf->scenario, error) < 0 ||
        header_string(path, hdr, "name", &tf->name, error) < 0 ||
        header_string(path, hdr, "backend", &tf->backend, error) < 0 ||
        header_string(path, hdr, "hash", &tf->hash, error) < 0)
        goto cleanup;
    v = json_object_get(hdr, "seed");
    if (!json_is_integer(v) || json_integer_value(v) < 0) {
        *error = g_strdup_printf("%s:1: the trace header has no seed (an "
                                 "integer >= 0)", path);
        goto cleanup;
    }
    tf->seed = (uint64_t)json_integer_value(v);
    /* the body is rebuilt as hvd wrote it (LF endings, nothing after the
     * last line), so that its hash is the one the header recorded */
    body = g_string_new("");
    tf->lines = json_array();
    while ((line = cut_line(&cursor))) {
        json_t *o;

        lineno++;
        /* empty lines are fine at the end (an editor adds one), not
         * before a line: then the first of them is the malformed one */
        if (!*line) {
            if (!blank)
                blank = lineno;
            continue;
        }
        if (blank) {
            *error = g_strdup_printf("%s:%u: malformed trace line: an empty "
                                     "line", path, blank);
            goto cleanup;
        }
        o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
        if (!json_is_object(o)) {
            *error = g_strdup_printf("%s:%u: malformed trace line: %s", path,
                                     lineno,
                                     o ? "not a JSON object" : jerr.text);
            json_decref(o);
            goto cleanup;
        }
        json_array_append_new(tf->lines, o);
        g_string_append(body, line);
        g_string_append_c(body, '\n');
    }
    tf->body = g_string_free(body, FALSE);
    body = NULL;
    *out = tf;
    tf = NULL;
    ret = 0;

cleanup:
    if (body)
        g_string_free(body, TRUE);
    json_decref(hdr);
    trace_file_free(tf);
    return ret;
}

/* ---- comparing ---- */

void
trace_hash(const char *text, char out[TRACE_HASH_LEN + 1])
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);

    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        h ^= *p;
        h *= UINT64_C(0x100000001b3);
    }
    g_snprintf(out, TRACE_HASH_LEN + 1, "%016llx", (unsigned long long)h);
}

static int
cmp_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *
trace_normalise(const char *body)
{
    GString *steps = g_string_new("");
    GHashTable *life = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                             NULL);
    GPtrArray *order = g_ptr_array_new();
    GPtrArray *keys = g_ptr_array_new();
    char **lines = g_strsplit(body, "\n", -1);
    GHashTableIter it;
    gpointer k, val;

    for (char **l = lines; *l; l++) {
        json_error_t jerr;
        json_t *o = json_loads(*l, 0, &jerr);
        json_t *v;

        if (!o)
            continue;
        /* a step's outcome (a background one's at its join), not waits
         * or the start and join lines of background operations */
        if ((v = json_object_get(o, "step")) && !json_object_get(o, "wait") &&
            !json_object_get(o, "start") && !json_object_get(o, "join")) {
            const char *what = json_string_value(json_object_get(o, "op"));
            const char *check = json_string_value(json_object_get(o, "check"));
            const char *inst = json_string_value(json_object_get(o, "instance"));
            const char *result = json_string_value(json_object_get(o, "result"));
            g_string_append_printf(
                steps, "step %lld %s %s %s -> %s %s\n",
                (long long)json_integer_value(v), what ? "op" : "check",
                what ? what : (check ? check : "?"), inst ? inst : "-",
                result ? result : "-",
                json_is_true(json_object_get(o, "pass")) ? "pass" : "FAIL");
        } else if ((v = json_object_get(o, "lifecycle"))) {
            const char *inst = json_string_value(json_object_get(o, "instance"));
            GString *seq = g_hash_table_lookup(life, inst ? inst : "?");
            const char *ev = json_string_value(v);

            if (!seq) {
                seq = g_string_new("");
                g_hash_table_insert(life, g_strdup(inst ? inst : "?"), seq);
                g_ptr_array_add(order, seq);
            }
            if (ev && !g_str_has_suffix(seq->str, ev))
                g_string_append_printf(seq, " %s", ev);
        }
        json_decref(o);
    }
    g_strfreev(lines);
    g_hash_table_iter_init(&it, life);
    while (g_hash_table_iter_next(&it, &k, &val))
        g_ptr_array_add(keys, k);
    g_ptr_array_sort(keys, cmp_strings);
    for (guint i = 0; i < keys->len; i++) {
        GString *seq = g_hash_table_lookup(life, g_ptr_array_index(keys, i));
        g_string_append_printf(steps, "lifecycle %s:%s\n",
                               (char *)g_ptr_array_index(keys, i), seq->str);
    }
    g_ptr_array_free(keys, TRUE);
    for (guint i = 0; i < order->len; i++)
        g_string_free(g_ptr_array_index(order, i), TRUE);
    g_ptr_array_free(order, TRUE);
    g_hash_table_destroy(life);
    return g_string_free(steps, FALSE);
}

unsigned int
trace_first_difference(const char *a, const char *b, char **la, char **lb)
{
    char **sa, **sb;
    unsigned int i = 0;

    if (strcmp(a, b) == 0)
        return 0;
    sa = g_strsplit(a, "\n", -1);
    sb = g_strsplit(b, "\n", -1);
    while (sa[i] && sb[i] && strcmp(sa[i], sb[i]) == 0)
        i++;
    if (la)
        *la = g_strdup(sa[i] ? sa[i] : "(end)");
    if (lb)
        *lb = g_strdup(sb[i] ? sb[i] : "(end)");
    g_strfreev(sa);
    g_strfreev(sb);
    return i + 1;
}
