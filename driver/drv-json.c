/*
 * drv-json.c: the driver's configuration and instance descriptions, read
 * from JSON (jansson).
 *
 * Reading is strict: an unknown key, a value of the wrong type or out of
 * range is an error, so that a typo never passes silently. Every error
 * names the source, the line:column of the offending key or value and its
 * JSON path ("cfg.json:3:5: $.vif_plugin_timeout: unknown option; did you
 * mean vif_plugging_timeout?"). jansson keeps no positions once a text is
 * loaded, so the position is found again by walking the (already valid)
 * text along the path.
 *
 * Loading is all or nothing: values are read into a copy that replaces
 * the caller's structure only once everything is valid.
 */
#include <glib.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "drv-priv.h"
#include "drv.h"

/* ---- the reading context: source, JSON path, error ---- */

/* Deepest path the schemas below reach is 6; room to spare. */
#define JPATH_MAX 16

/* One step of a JSON path: an object key, or (key NULL) an array index. */
typedef struct jstep {
    const char *key; /* borrowed from the json_t being read */
    size_t index;
} jstep;

typedef struct jctx {
    const char *text;   /* the JSON text, for positions */
    const char *source; /* file name or "<string>" */
    drv_error_kind kind;
    drv_error *err;
    jstep path[JPATH_MAX];
    unsigned int depth;
} jctx;

static void
jpush_key(jctx *c, const char *key)
{
    g_assert(c->depth < JPATH_MAX);
    c->path[c->depth].key = key;
    c->path[c->depth].index = 0;
    c->depth++;
}

static void
jpush_index(jctx *c, size_t index)
{
    g_assert(c->depth < JPATH_MAX);
    c->path[c->depth].key = NULL;
    c->path[c->depth].index = index;
    c->depth++;
}

static void
jpop(jctx *c)
{
    g_assert(c->depth > 0);
    c->depth--;
}

/* True if key can follow a '.' in a path as it is. */
static bool
is_identifier(const char *key)
{
    if (!g_ascii_isalpha(key[0]) && key[0] != '_')
        return false;
    for (const char *p = key; *p; p++)
        if (!g_ascii_isalnum(*p) && *p != '_')
            return false;
    return true;
}

/* "$.a.b[2]" for the first depth steps of path (g_free). */
static char *
path_string(const jstep *path, unsigned int depth)
{
    GString *s = g_string_new("$");

    for (unsigned int i = 0; i < depth; i++) {
        if (!path[i].key) {
            g_string_append_printf(s, "[%zu]", path[i].index);
        } else if (is_identifier(path[i].key)) {
            g_string_append_printf(s, ".%s", path[i].key);
        } else {
            char *esc = g_strescape(path[i].key, NULL);
            g_string_append_printf(s, "[\"%s\"]", esc);
            g_free(esc);
        }
    }
    return g_string_free(s, FALSE);
}

/* ---- positions: walking a valid JSON text along a path ---- */

static size_t
scan_ws(const char *s, size_t i)
{
    while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
        i++;
    return i;
}

/* Offset just past the string token that starts at s[i] == '"'. */
static size_t
scan_string(const char *s, size_t i)
{
    for (i++; s[i] && s[i] != '"'; i++)
        if (s[i] == '\\' && s[i + 1])
            i++;
    return s[i] ? i + 1 : i;
}

/* Offset just past the value that starts at s[i]. */
static size_t
scan_value(const char *s, size_t i)
{
    int depth = 0;

    if (s[i] == '"')
        return scan_string(s, i);
    if (s[i] != '{' && s[i] != '[') {
        while (s[i] && !strchr(",]} \t\r\n", s[i]))
            i++;
        return i;
    }
    while (s[i]) {
        if (s[i] == '"') {
            i = scan_string(s, i);
            continue;
        }
        if (s[i] == '{' || s[i] == '[')
            depth++;
        else if (s[i] == '}' || s[i] == ']')
            depth--;
        i++;
        if (depth == 0)
            break;
    }
    return i;
}

/* Whether the string token s[start, end) decodes to key. */
static bool
token_is(const char *s, size_t start, size_t end, const char *key)
{
    json_t *tok;
    bool same;

    if (!memchr(s + start, '\\', end - start))
        return end - start == strlen(key) + 2 &&
               memcmp(s + start + 1, key, end - start - 2) == 0;
    tok = json_loadb(s + start, end - start, JSON_DECODE_ANY, NULL);
    same = json_is_string(tok) && strcmp(json_string_value(tok), key) == 0;
    json_decref(tok);
    return same;
}

/*
 * Byte offset of the value at path in the valid JSON text s, or of its key
 * if at_key (and the last step is a key); -1 if not found.
 */
static long
locate(const char *s, const jstep *path, unsigned int depth, bool at_key)
{
    size_t i = scan_ws(s, 0);

    for (unsigned int k = 0; k < depth; k++) {
        if (path[k].key) {
            bool found = false;

            if (s[i] != '{')
                return -1;
            i = scan_ws(s, i + 1);
            while (s[i] == '"') {
                size_t kstart = i, kend = scan_string(s, i);

                i = scan_ws(s, kend);
                if (s[i] != ':')
                    return -1;
                i = scan_ws(s, i + 1);
                if (token_is(s, kstart, kend, path[k].key)) {
                    if (at_key && k + 1 == depth)
                        return (long)kstart;
                    found = true;
                    break;
                }
                i = scan_ws(s, scan_value(s, i));
                if (s[i] == ',')
                    i = scan_ws(s, i + 1);
            }
            if (!found)
                return -1;
        } else {
            if (s[i] != '[')
                return -1;
            i = scan_ws(s, i + 1);
            for (size_t n = 0; n < path[k].index; n++) {
                if (!s[i] || s[i] == ']')
                    return -1;
                i = scan_ws(s, scan_value(s, i));
                if (s[i] == ',')
                    i = scan_ws(s, i + 1);
            }
            if (!s[i] || s[i] == ']')
                return -1;
        }
    }
    return (long)i;
}

/* 1-based line and column (in characters, as jansson counts) of pos. */
static void
line_column(const char *s, size_t pos, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < pos && s[i]; i++) {
        if (s[i] == '\n') {
            (*line)++;
            *column = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            (*column)++;
        }
    }
}

/*
 * Record "SOURCE:LINE:COL: PATH: message" for the current path, pointing
 * at its key (at_key) or its value. First error wins (drv_error_set).
 */
static void jfail(jctx *c, bool at_key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
jfail(jctx *c, bool at_key, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    g_autofree char *path = path_string(c->path, c->depth);
    long pos = locate(c->text, c->path, c->depth, at_key);
    va_list ap;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (pos >= 0) {
        int line, column;

        line_column(c->text, (size_t)pos, &line, &column);
        drv_error_set(c->err, c->kind, "%s:%d:%d: %s: %s", c->source, line,
                      column, path, msg);
    } else {
        drv_error_set(c->err, c->kind, "%s: %s: %s", c->source, path, msg);
    }
}

/* jansson's name for the type of v, as errors show it. */
static const char *
type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "object";
    case JSON_ARRAY:
        return "array";
    case JSON_STRING:
        return "string";
    case JSON_INTEGER:
        return "integer";
    case JSON_REAL:
        return "real";
    case JSON_TRUE:
    case JSON_FALSE:
        return "boolean";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

/* ---- suggestions for misspelt names ---- */

/* Levenshtein distance, or SIZE_MAX for names too long to bother. */
static size_t
edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t prev[65], cur[65];

    if (la > 64 || lb > 64)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = MIN(sub, MIN(del, ins));
        }
        memcpy(prev, cur, (lb + 1) * sizeof(prev[0]));
    }
    return prev[lb];
}

/* The closest candidate so far to a misspelt word. */
typedef struct near {
    const char *word;
    const char *best;
    size_t dist;
} near;

static void
near_consider(near *n, const char *candidate)
{
    /* a difference in case only counts as one typo */
    size_t d = g_ascii_strcasecmp(n->word, candidate) == 0
                   ? 1
                   : edit_distance(n->word, candidate);

    if (!n->best || d < n->dist) {
        n->best = candidate;
        n->dist = d;
    }
}

/* The best candidate if it is close enough to be a likely typo, else NULL. */
static const char *
near_result(const near *n)
{
    size_t len = strlen(n->word);

    if (!n->best || n->dist >= len || n->dist > MAX(1, len / 3))
        return NULL;
    return n->best;
}

/* Unknown key at the current path (key pushed): error with a suggestion. */
static void
fail_unknown(jctx *c, const char *what, const char *const *known)
{
    near n = {.word = c->path[c->depth - 1].key};
    const char *hint;

    for (size_t i = 0; known[i]; i++)
        near_consider(&n, known[i]);
    hint = near_result(&n);
    if (hint)
        jfail(c, true, "unknown %s; did you mean %s?", what, hint);
    else
        jfail(c, true, "unknown %s", what);
}

/* Fail on the first key of obj not in known (NULL-terminated). */
static int
check_keys(jctx *c, json_t *obj, const char *const *known)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        bool ok = false;

        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(known[i], key) == 0;
        if (!ok) {
            jpush_key(c, key);
            fail_unknown(c, "key", known);
            jpop(c);
            return -1;
        }
    }
    return 0;
}

/* "a, b, c" (g_free). */
static char *
join_choices(const char *const *choices)
{
    return g_strjoinv(", ", (char **)choices);
}

static bool
in_choices(const char *const *choices, const char *s)
{
    for (size_t i = 0; choices[i]; i++)
        if (strcmp(choices[i], s) == 0)
            return true;
    return false;
}

/* "expected one of a, b, got "x"; did you mean a?" at the current path. */
static void
fail_choice(jctx *c, const char *const *choices, const char *got)
{
    g_autofree char *list = join_choices(choices);
    near n = {.word = got};
    const char *hint;

    for (size_t i = 0; choices[i]; i++)
        near_consider(&n, choices[i]);
    hint = near_result(&n);
    if (hint)
        jfail(c, false, "expected one of %s, got \"%.64s\"; did you mean %s?",
              list, got, hint);
    else
        jfail(c, false, "expected one of %s, got \"%.64s\"", list, got);
}

/* ---- typed readers for the value at the current path ---- */

/* Checks on a string value. */
enum {
    S_NONEMPTY = 1 << 0,
    S_ABSPATH = 1 << 1, /* starts with '/' */
    S_NOSLASH = 1 << 2,
};

/*
 * A validator for a string (a copy, which it may normalise in place):
 * NULL if fine, else what was expected ("expected a UUID").
 */
typedef const char *(*str_check)(char *s);

static int
read_string(jctx *c, json_t *v, unsigned int flags, str_check check,
            char **out)
{
    const char *s;
    const char *bad = NULL;
    char *copy;

    if (!json_is_string(v)) {
        jfail(c, false, "expected a string, got %s", type_name(v));
        return -1;
    }
    s = json_string_value(v);
    if ((flags & (S_NONEMPTY | S_ABSPATH)) && !*s)
        bad = "expected a non-empty string";
    else if ((flags & S_ABSPATH) && s[0] != '/')
        bad = "expected an absolute path";
    else if ((flags & S_NOSLASH) && strchr(s, '/'))
        bad = "expected a name without '/'";
    if (bad) {
        jfail(c, false, "%s, got \"%.64s\"", bad, s);
        return -1;
    }
    copy = g_strdup(s);
    if (check && (bad = check(copy))) {
        jfail(c, false, "%s, got \"%.64s\"", bad, s);
        g_free(copy);
        return -1;
    }
    g_free(*out);
    *out = copy;
    return 0;
}

static int
read_choice(jctx *c, json_t *v, const char *const *choices, char **out)
{
    if (!json_is_string(v)) {
        jfail(c, false, "expected a string, got %s", type_name(v));
        return -1;
    }
    if (!in_choices(choices, json_string_value(v))) {
        fail_choice(c, choices, json_string_value(v));
        return -1;
    }
    g_free(*out);
    *out = g_strdup(json_string_value(v));
    return 0;
}

static int
read_int(jctx *c, json_t *v, long long min, long long max, long long *out)
{
    long long n;

    if (!json_is_integer(v)) {
        jfail(c, false, "expected an integer, got %s", type_name(v));
        return -1;
    }
    n = json_integer_value(v);
    if (n < min) {
        jfail(c, false, "expected an integer >= %lld, got %lld", min, n);
        return -1;
    }
    if (n > max) {
        jfail(c, false, "expected an integer <= %lld, got %lld", max, n);
        return -1;
    }
    *out = n;
    return 0;
}

static int
read_bool(jctx *c, json_t *v, bool *out)
{
    if (!json_is_boolean(v)) {
        jfail(c, false, "expected true or false, got %s", type_name(v));
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

/* A number > 0 (integer or real). */
static int
read_positive(jctx *c, json_t *v, double *out)
{
    double x;

    if (!json_is_number(v)) {
        jfail(c, false, "expected a number, got %s", type_name(v));
        return -1;
    }
    x = json_number_value(v);
    if (!(x > 0)) {
        jfail(c, false, "expected a number > 0, got %g", x);
        return -1;
    }
    *out = x;
    return 0;
}

static void
kv_free(drv_kv *kv, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        g_free(kv[i].key);
        g_free(kv[i].value);
    }
    g_free(kv);
}

/* An object of strings into a kv list, in the order of the text. */
static int
read_kv(jctx *c, json_t *v, drv_kv **out, unsigned int *n_out)
{
    const char *key;
    json_t *val;
    drv_kv *kv;
    unsigned int n = 0;

    if (!json_is_object(v)) {
        jfail(c, false, "expected an object of strings, got %s",
              type_name(v));
        return -1;
    }
    kv = g_new0(drv_kv, json_object_size(v) + 1);
    json_object_foreach(v, key, val) {
        if (!json_is_string(val)) {
            jpush_key(c, key);
            jfail(c, false, "expected a string, got %s", type_name(val));
            jpop(c);
            kv_free(kv, n);
            return -1;
        }
        kv[n].key = g_strdup(key);
        kv[n].value = g_strdup(json_string_value(val));
        n++;
    }
    *out = kv;
    *n_out = n;
    return 0;
}

/* ---- field access on objects ---- */

/*
 * The member key of obj, pushed on the path (pop it after use); NULL if
 * absent, an error if required.
 */
static json_t *
enter(jctx *c, json_t *obj, const char *key, bool required)
{
    json_t *v = json_object_get(obj, key);

    if (!v) {
        if (required)
            jfail(c, false, "missing required key \"%s\"", key);
        return NULL;
    }
    jpush_key(c, key);
    return v;
}

/* Absent-and-optional is 0, like present-and-valid. */
static int
get_string(jctx *c, json_t *obj, const char *key, bool required,
           unsigned int flags, str_check check, char **out)
{
    json_t *v = enter(c, obj, key, required);
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = read_string(c, v, flags, check, out);
    jpop(c);
    return rc;
}

static int
get_choice(jctx *c, json_t *obj, const char *key, bool required,
           const char *const *choices, char **out)
{
    json_t *v = enter(c, obj, key, required);
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = read_choice(c, v, choices, out);
    jpop(c);
    return rc;
}

static int
get_u64(jctx *c, json_t *obj, const char *key, bool required, long long min,
        long long max, uint64_t *out)
{
    json_t *v = enter(c, obj, key, required);
    long long n = 0;
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = read_int(c, v, min, max, &n);
    jpop(c);
    if (rc == 0)
        *out = (uint64_t)n;
    return rc;
}

static int
get_bool(jctx *c, json_t *obj, const char *key, bool *out)
{
    json_t *v = enter(c, obj, key, false);
    int rc;

    if (!v)
        return 0;
    rc = read_bool(c, v, out);
    jpop(c);
    return rc;
}

static int
get_kv(jctx *c, json_t *obj, const char *key, drv_kv **out,
       unsigned int *n_out)
{
    json_t *v = enter(c, obj, key, false);
    int rc;

    if (!v)
        return 0;
    rc = read_kv(c, v, out, n_out);
    jpop(c);
    return rc;
}

/* The member key of obj if present and an object/array, pushed. */
static json_t *
enter_typed(jctx *c, json_t *obj, const char *key, bool required,
            json_type type, int *rc)
{
    json_t *v = enter(c, obj, key, required);

    *rc = v || !required ? 0 : -1;
    if (v && json_typeof(v) != type) {
        jfail(c, false, "expected an %s, got %s",
              type == JSON_OBJECT ? "object" : "array", type_name(v));
        jpop(c);
        *rc = -1;
        return NULL;
    }
    return v;
}

/* Parse text; the root must be an object. NULL with the error set. */
static json_t *
parse_root(jctx *c)
{
    json_error_t jerr;
    json_t *root;

    root = json_loads(c->text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                      &jerr);
    if (!root) {
        if (jerr.line > 0)
            drv_error_set(c->err, c->kind, "%s:%d:%d: %s", c->source,
                          jerr.line, jerr.column, jerr.text);
        else
            drv_error_set(c->err, c->kind, "%s: %s", c->source, jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        jfail(c, false, "expected an object, got %s", type_name(root));
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Shared start of both loaders: arguments, context, parsed root. */
static json_t *
begin(jctx *c, const char *json, const char *source, drv_error_kind kind,
      bool have_out, drv_error *err)
{
    drv_error_reset(err);
    memset(c, 0, sizeof(*c));
    c->text = json;
    c->source = source ? source : "<string>";
    c->kind = kind;
    c->err = err;
    if (!json || !have_out) {
        drv_error_set(err, kind, "%s: no JSON text or no result to fill",
                      c->source);
        return NULL;
    }
    return parse_root(c);
}

/* ---- configuration ---- */

/* The reference's defaults; cfg's old contents are not freed. */
void
drv_config_defaults(drv_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->virt_type = g_strdup("kvm");
    cfg->storage_pool = g_strdup("hvd");
    cfg->instances_path = g_strdup("/var/lib/hvd/instances");
    cfg->wait_soft_reboot_seconds = 120;
    cfg->vif_plugging_timeout = 300;
    cfg->vif_plugging_is_fatal = true;
    cfg->live_migration_bandwidth = 0;
    cfg->live_migration_downtime = 500;
    cfg->live_migration_downtime_steps = 10;
    cfg->live_migration_downtime_delay = 75;
    cfg->live_migration_completion_timeout = 800;
    cfg->live_migration_progress_timeout = 150;
    cfg->live_migration_permit_post_copy = false;
    cfg->live_migration_permit_auto_converge = false;
    cfg->reserved_host_memory_mb = 512;
    cfg->reserved_host_disk_mb = 0;
    cfg->reserved_host_cpus = 0;
    cfg->cpu_allocation_ratio = 16.0;
    cfg->ram_allocation_ratio = 1.5;
    cfg->disk_allocation_ratio = 1.0;
    cfg->disk_cachemodes = NULL;
}

/* Frees cfg's strings and zeroes it. NULL is fine. */
void
drv_config_clear(drv_config *cfg)
{
    if (!cfg)
        return;
    g_free(cfg->virt_type);
    g_free(cfg->storage_pool);
    g_free(cfg->instances_path);
    g_strfreev(cfg->disk_cachemodes);
    memset(cfg, 0, sizeof(*cfg));
}

/* A deep copy of src into dst (which holds nothing). */
static void
config_copy(drv_config *dst, const drv_config *src)
{
    *dst = *src;
    dst->virt_type = g_strdup(src->virt_type);
    dst->storage_pool = g_strdup(src->storage_pool);
    dst->instances_path = g_strdup(src->instances_path);
    dst->disk_cachemodes = src->disk_cachemodes
                               ? g_strdupv(src->disk_cachemodes)
                               : NULL;
}

static const char *const virt_types[] = {"kvm", "qemu", "test", NULL};
static const char *const cache_types[] = {"file", "block", "network", NULL};
static const char *const cache_modes[] = {
    "default", "none", "writethrough", "writeback", "directsync", "unsafe",
    NULL};

typedef enum {
    OPT_STRING,     /* char *, S_* flags, optional choices */
    OPT_INT,        /* int >= min */
    OPT_BOOL,       /* bool */
    OPT_RATIO,      /* double > 0 */
    OPT_CACHEMODES, /* char ** of "TYPE=MODE" */
} opt_kind;

/* One key of the configuration object. */
typedef struct cfg_opt {
    const char *name;
    opt_kind kind;
    size_t offset;
    int min;                    /* OPT_INT */
    unsigned int flags;         /* OPT_STRING */
    const char *const *choices; /* OPT_STRING, or NULL */
} cfg_opt;

#define OPT(field, kind, ...) \
    {#field, kind, offsetof(drv_config, field), __VA_ARGS__}

/*
 * Minimums follow Nova's option definitions (nova/conf/libvirt.py,
 * nova/conf/compute.py) where they have one, else 0.
 */
static const cfg_opt cfg_opts[] = {
    OPT(virt_type, OPT_STRING, 0, S_NONEMPTY, virt_types),
    OPT(storage_pool, OPT_STRING, 0, S_NONEMPTY | S_NOSLASH, NULL),
    OPT(instances_path, OPT_STRING, 0, S_ABSPATH, NULL),
    OPT(wait_soft_reboot_seconds, OPT_INT, 0, 0, NULL),
    OPT(vif_plugging_timeout, OPT_INT, 0, 0, NULL),
    OPT(vif_plugging_is_fatal, OPT_BOOL, 0, 0, NULL),
    OPT(live_migration_bandwidth, OPT_INT, 0, 0, NULL),
    OPT(live_migration_downtime, OPT_INT, 100, 0, NULL),
    OPT(live_migration_downtime_steps, OPT_INT, 3, 0, NULL),
    OPT(live_migration_downtime_delay, OPT_INT, 3, 0, NULL),
    OPT(live_migration_completion_timeout, OPT_INT, 0, 0, NULL),
    OPT(live_migration_progress_timeout, OPT_INT, 0, 0, NULL),
    OPT(live_migration_permit_post_copy, OPT_BOOL, 0, 0, NULL),
    OPT(live_migration_permit_auto_converge, OPT_BOOL, 0, 0, NULL),
    OPT(reserved_host_memory_mb, OPT_INT, 0, 0, NULL),
    OPT(reserved_host_disk_mb, OPT_INT, 0, 0, NULL),
    OPT(reserved_host_cpus, OPT_INT, 0, 0, NULL),
    OPT(cpu_allocation_ratio, OPT_RATIO, 0, 0, NULL),
    OPT(ram_allocation_ratio, OPT_RATIO, 0, 0, NULL),
    OPT(disk_allocation_ratio, OPT_RATIO, 0, 0, NULL),
    OPT(disk_cachemodes, OPT_CACHEMODES, 0, 0, NULL),
};

#undef OPT

/* ["file=directsync", "block=none"]: known types and modes, each type once. */
static int
read_cachemodes(jctx *c, json_t *v, char ***out)
{
    GPtrArray *modes;
    size_t i;
    json_t *item;

    if (!json_is_array(v)) {
        jfail(c, false, "expected an array of \"TYPE=MODE\" strings, got %s",
              type_name(v));
        return -1;
    }
    modes = g_ptr_array_new_with_free_func(g_free);
    json_array_foreach(v, i, item) {
        const char *s, *eq;
        g_autofree char *type = NULL;

        jpush_index(c, i);
        if (!json_is_string(item)) {
            jfail(c, false, "expected a \"TYPE=MODE\" string, got %s",
                  type_name(item));
            goto error;
        }
        s = json_string_value(item);
        eq = strchr(s, '=');
        if (!eq) {
            jfail(c, false, "expected TYPE=MODE, got \"%.64s\"", s);
            goto error;
        }
        type = g_strndup(s, (size_t)(eq - s));
        if (!in_choices(cache_types, type)) {
            g_autofree char *list = join_choices(cache_types);
            jfail(c, false, "unknown disk type \"%.32s\" (expected %s)", type,
                  list);
            goto error;
        }
        if (!in_choices(cache_modes, eq + 1)) {
            g_autofree char *list = join_choices(cache_modes);
            jfail(c, false, "unknown cache mode \"%.32s\" (expected %s)",
                  eq + 1, list);
            goto error;
        }
        for (guint j = 0; j < modes->len; j++) {
            const char *other = g_ptr_array_index(modes, j);
            if (strncmp(other, s, (size_t)(eq - s) + 1) == 0) {
                jfail(c, false, "cache mode for %s already given at [%u]",
                      type, j);
                goto error;
            }
        }
        g_ptr_array_add(modes, g_strdup(s));
        jpop(c);
    }
    g_ptr_array_add(modes, NULL);
    g_strfreev(*out);
    *out = (char **)g_ptr_array_free(modes, FALSE);
    return 0;

error:
    jpop(c);
    g_ptr_array_free(modes, TRUE);
    return -1;
}

static const cfg_opt *
cfg_opt_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cfg_opts); i++)
        if (strcmp(cfg_opts[i].name, name) == 0)
            return &cfg_opts[i];
    return NULL;
}

/* One option's value into cfg; the key is on the path. */
static int
read_option(jctx *c, const cfg_opt *o, json_t *v, drv_config *cfg)
{
    char *field = (char *)cfg + o->offset;
    long long n;

    switch (o->kind) {
    case OPT_STRING:
        if (o->choices)
            return read_choice(c, v, o->choices, (char **)(void *)field);
        return read_string(c, v, o->flags, NULL, (char **)(void *)field);
    case OPT_INT:
        if (read_int(c, v, o->min, INT_MAX, &n) < 0)
            return -1;
        *(int *)(void *)field = (int)n;
        return 0;
    case OPT_BOOL:
        return read_bool(c, v, (bool *)(void *)field);
    case OPT_RATIO:
        return read_positive(c, v, (double *)(void *)field);
    case OPT_CACHEMODES:
        return read_cachemodes(c, v, (char ***)(void *)field);
    }
    return -1;
}

/*
 * Load cfg from a JSON object: keys are drv_config's field names, missing
 * ones keep cfg's values. cfg (initialised, e.g. by drv_config_defaults) is
 * changed only on success. -1 with DRV_ERR_INVALID_CONFIG otherwise.
 */
int
drv_config_load_json(const char *json, const char *source, drv_config *cfg,
                     drv_error *err)
{
    jctx c;
    json_auto_t *root = begin(&c, json, source, DRV_ERR_INVALID_CONFIG,
                            cfg != NULL, err);
    drv_config tmp;
    const char *key;
    json_t *v;

    if (!root)
        return -1;
    config_copy(&tmp, cfg);
    json_object_foreach(root, key, v) {
        const cfg_opt *o = cfg_opt_find(key);
        int rc;

        jpush_key(&c, key);
        if (!o) {
            near n = {.word = key};
            const char *hint;

            for (size_t i = 0; i < G_N_ELEMENTS(cfg_opts); i++)
                near_consider(&n, cfg_opts[i].name);
            hint = near_result(&n);
            if (hint)
                jfail(&c, true, "unknown option; did you mean %s?", hint);
            else
                jfail(&c, true, "unknown option");
            rc = -1;
        } else {
            rc = read_option(&c, o, v, &tmp);
        }
        jpop(&c);
        if (rc < 0) {
            drv_config_clear(&tmp);
            return -1;
        }
    }
    drv_config_clear(cfg);
    *cfg = tmp;
    return 0;
}

/* ---- instance ---- */

static void
flavor_clear(drv_flavor *f)
{
    g_free(f->name);
    kv_free(f->extra_specs, f->n_extra_specs);
}

static void
image_clear(drv_image *im)
{
    g_free(im->id);
    g_free(im->path);
    g_free(im->volume);
    g_free(im->format);
    kv_free(im->properties, im->n_properties);
}

static void
vif_clear(drv_vif *v)
{
    g_free(v->id);
    g_free(v->mac);
    g_free(v->type);
    g_free(v->network);
    g_free(v->bridge);
    g_free(v->devname);
}

static void
bdm_clear(drv_bdm *b)
{
    g_free(b->volume_id);
    g_free(b->mount_device);
    g_free(b->device_path);
    g_free(b->driver_type);
}

/* Frees everything inst holds and zeroes it. NULL is fine. */
void
drv_instance_clear(drv_instance *inst)
{
    if (!inst)
        return;
    g_free(inst->uuid);
    g_free(inst->name);
    flavor_clear(&inst->flavor);
    image_clear(&inst->image);
    for (unsigned int i = 0; i < inst->n_vifs; i++)
        vif_clear(&inst->vifs[i]);
    g_free(inst->vifs);
    g_free(inst->root_device_name);
    for (unsigned int i = 0; i < inst->n_volumes; i++)
        bdm_clear(&inst->volumes[i]);
    g_free(inst->volumes);
    memset(inst, 0, sizeof(*inst));
}

/* 8-4-4-4-12 hex digits; lower-cased (libvirt reports UUIDs that way). */
static const char *
check_uuid(char *s)
{
    if (strlen(s) != 36)
        return "expected a UUID (8-4-4-4-12 hex digits)";
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !g_ascii_isxdigit(s[i]))
            return "expected a UUID (8-4-4-4-12 hex digits)";
        s[i] = g_ascii_tolower(s[i]);
    }
    return NULL;
}

/* Six hex pairs separated by ':', unicast; lower-cased. */
static const char *
check_mac(char *s)
{
    if (strlen(s) != 17)
        return "expected a MAC address (six hex pairs)";
    for (size_t i = 0; i < 17; i++) {
        if (i % 3 == 2 ? s[i] != ':' : !g_ascii_isxdigit(s[i]))
            return "expected a MAC address (six hex pairs)";
        s[i] = g_ascii_tolower(s[i]);
    }
    if (g_ascii_xdigit_value(s[1]) & 1)
        return "expected a unicast MAC address";
    return NULL;
}

/* "/dev/vdb": a guest disk name. */
static const char *
check_device(char *s)
{
    const char *p = s + 5;

    if (strncmp(s, "/dev/", 5) != 0 || !*p)
        return "expected /dev/ and a lower-case disk name";
    for (; *p; p++)
        if (*p < 'a' || *p > 'z')
            return "expected /dev/ and a lower-case disk name";
    return NULL;
}

/* A host interface name: at most 15 characters, no '/' or white space. */
static const char *
check_ifname(char *s)
{
    if (strlen(s) > 15)
        return "expected an interface name of at most 15 characters";
    for (const char *p = s; *p; p++)
        if (*p == '/' || g_ascii_isspace(*p) || g_ascii_iscntrl(*p))
            return "expected an interface name without '/' or spaces";
    return NULL;
}

/* Upper bounds that keep sizes in bytes within 64 bits (1 EiB). */
#define MAX_MB (1LL << 40)
#define MAX_GB (1LL << 30)

static int
load_flavor(jctx *c, json_t *obj, drv_flavor *f)
{
    static const char *const keys[] = {"name", "vcpus", "memory_mb",
                                       "root_gb", "ephemeral_gb", "swap_mb",
                                       "extra_specs", NULL};
    uint64_t vcpus = 0;

    if (check_keys(c, obj, keys) < 0 ||
        get_string(c, obj, "name", false, S_NONEMPTY, NULL, &f->name) < 0 ||
        get_u64(c, obj, "vcpus", true, 1, INT_MAX, &vcpus) < 0 ||
        get_u64(c, obj, "memory_mb", true, 1, MAX_MB, &f->memory_mb) < 0 ||
        get_u64(c, obj, "root_gb", false, 0, MAX_GB, &f->root_gb) < 0 ||
        get_u64(c, obj, "ephemeral_gb", false, 0, MAX_GB,
                &f->ephemeral_gb) < 0 ||
        get_u64(c, obj, "swap_mb", false, 0, MAX_MB, &f->swap_mb) < 0 ||
        get_kv(c, obj, "extra_specs", &f->extra_specs, &f->n_extra_specs) < 0)
        return -1;
    f->vcpus = (unsigned int)vcpus;
    return 0;
}

static int
load_image(jctx *c, json_t *obj, drv_image *im)
{
    static const char *const keys[] = {"id", "path", "volume", "format",
                                       "properties", NULL};
    static const char *const formats[] = {"raw", "qcow2", NULL};

    if (check_keys(c, obj, keys) < 0 ||
        get_string(c, obj, "id", false, S_NONEMPTY, NULL, &im->id) < 0 ||
        get_string(c, obj, "path", false, S_ABSPATH, NULL, &im->path) < 0 ||
        get_string(c, obj, "volume", false, S_NONEMPTY | S_NOSLASH, NULL,
                   &im->volume) < 0 ||
        get_choice(c, obj, "format", im->path || im->volume, formats,
                   &im->format) < 0 ||
        get_kv(c, obj, "properties", &im->properties, &im->n_properties) < 0)
        return -1;
    if (im->path && im->volume) {
        jfail(c, false, "give \"path\" or \"volume\", not both");
        return -1;
    }
    return 0;
}

static int
load_vif(jctx *c, json_t *obj, drv_vif *vif)
{
    static const char *const keys[] = {"id", "address", "type", "network",
                                       "bridge", "devname", "active", NULL};
    static const char *const types[] = {"bridge", "ethernet", "network",
                                        NULL};

    if (!json_is_object(obj)) {
        jfail(c, false, "expected an object, got %s", type_name(obj));
        return -1;
    }
    if (check_keys(c, obj, keys) < 0 ||
        get_string(c, obj, "id", true, S_NONEMPTY, NULL, &vif->id) < 0 ||
        get_string(c, obj, "address", true, 0, check_mac, &vif->mac) < 0 ||
        get_choice(c, obj, "type", true, types, &vif->type) < 0 ||
        get_string(c, obj, "network", strcmp(vif->type, "network") == 0,
                   S_NONEMPTY | S_NOSLASH, NULL, &vif->network) < 0 ||
        get_string(c, obj, "bridge", strcmp(vif->type, "bridge") == 0,
                   S_NONEMPTY, check_ifname, &vif->bridge) < 0 ||
        get_string(c, obj, "devname", strcmp(vif->type, "ethernet") == 0,
                   S_NONEMPTY, check_ifname, &vif->devname) < 0 ||
        get_bool(c, obj, "active", &vif->active) < 0)
        return -1;
    return 0;
}

static int
load_network_info(jctx *c, json_t *arr, drv_instance *inst)
{
    size_t i;
    json_t *item;

    inst->vifs = g_new0(drv_vif, json_array_size(arr) + 1);
    json_array_foreach(arr, i, item) {
        drv_vif *vif = &inst->vifs[i];
        int rc;

        jpush_index(c, i);
        inst->n_vifs++;
        rc = load_vif(c, item, vif);
        for (unsigned int j = 0; rc == 0 && j < i; j++) {
            const drv_vif *other = &inst->vifs[j];

            if (strcmp(other->id, vif->id) == 0) {
                jpush_key(c, "id");
                jfail(c, false, "duplicate VIF id, also at [%u]", j);
                jpop(c);
                rc = -1;
            } else if (strcmp(other->mac, vif->mac) == 0) {
                jpush_key(c, "address");
                jfail(c, false, "duplicate MAC address, also at [%u]", j);
                jpop(c);
                rc = -1;
            }
        }
        jpop(c);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int
load_bdm(jctx *c, json_t *obj, drv_bdm *b)
{
    static const char *const keys[] = {"volume_id", "mount_device",
                                       "connection_info", NULL};
    static const char *const ci_keys[] = {"driver_volume_type", "data", NULL};
    static const char *const data_keys[] = {"device_path", NULL};
    json_t *ci, *data;
    int rc;

    if (!json_is_object(obj)) {
        jfail(c, false, "expected an object, got %s", type_name(obj));
        return -1;
    }
    if (check_keys(c, obj, keys) < 0 ||
        get_string(c, obj, "volume_id", true, S_NONEMPTY, NULL,
                   &b->volume_id) < 0 ||
        get_string(c, obj, "mount_device", true, 0, check_device,
                   &b->mount_device) < 0)
        return -1;
    ci = enter_typed(c, obj, "connection_info", true, JSON_OBJECT, &rc);
    if (!ci)
        return rc;
    rc = -1;
    if (check_keys(c, ci, ci_keys) < 0 ||
        get_string(c, ci, "driver_volume_type", true, S_NONEMPTY, NULL,
                   &b->driver_type) < 0)
        goto out;
    data = enter_typed(c, ci, "data", true, JSON_OBJECT, &rc);
    if (!data)
        goto out;
    rc = -1;
    if (check_keys(c, data, data_keys) == 0 &&
        get_string(c, data, "device_path", true, S_ABSPATH, NULL,
                   &b->device_path) == 0)
        rc = 0;
    jpop(c);
out:
    jpop(c);
    return rc;
}

static int
load_block_device_info(jctx *c, json_t *obj, drv_instance *inst)
{
    static const char *const keys[] = {"root_device_name",
                                       "block_device_mapping", NULL};
    size_t i;
    json_t *arr, *item;
    int rc;

    if (check_keys(c, obj, keys) < 0 ||
        get_string(c, obj, "root_device_name", false, 0, check_device,
                   &inst->root_device_name) < 0)
        return -1;
    arr = enter_typed(c, obj, "block_device_mapping", false, JSON_ARRAY, &rc);
    if (!arr)
        return rc;
    inst->volumes = g_new0(drv_bdm, json_array_size(arr) + 1);
    json_array_foreach(arr, i, item) {
        drv_bdm *b = &inst->volumes[i];

        jpush_index(c, i);
        inst->n_volumes++;
        rc = load_bdm(c, item, b);
        if (rc == 0 && inst->root_device_name &&
            strcmp(b->mount_device, inst->root_device_name) == 0) {
            jpush_key(c, "mount_device");
            jfail(c, false, "%s is the root device", b->mount_device);
            jpop(c);
            rc = -1;
        }
        for (unsigned int j = 0; rc == 0 && j < i; j++) {
            if (strcmp(inst->volumes[j].mount_device, b->mount_device) == 0) {
                jpush_key(c, "mount_device");
                jfail(c, false, "%s already used at [%u]", b->mount_device, j);
                jpop(c);
                rc = -1;
            }
        }
        jpop(c);
        if (rc < 0)
            break;
    }
    jpop(c);
    return rc;
}

static int
load_instance(jctx *c, json_t *root, drv_instance *inst)
{
    static const char *const keys[] = {"uuid", "name", "flavor", "image",
                                       "network_info", "block_device_info",
                                       NULL};
    json_t *v;
    int rc;

    if (check_keys(c, root, keys) < 0 ||
        get_string(c, root, "uuid", true, 0, check_uuid, &inst->uuid) < 0 ||
        get_string(c, root, "name", true, S_NONEMPTY | S_NOSLASH, NULL,
                   &inst->name) < 0)
        return -1;

    if (!(v = enter_typed(c, root, "flavor", true, JSON_OBJECT, &rc)))
        return -1;
    rc = load_flavor(c, v, &inst->flavor);
    jpop(c);
    if (rc < 0)
        return -1;

    if ((v = enter_typed(c, root, "image", false, JSON_OBJECT, &rc))) {
        rc = load_image(c, v, &inst->image);
        jpop(c);
    }
    if (rc < 0)
        return -1;

    if ((v = enter_typed(c, root, "network_info", false, JSON_ARRAY, &rc))) {
        rc = load_network_info(c, v, inst);
        jpop(c);
    }
    if (rc < 0)
        return -1;

    if ((v = enter_typed(c, root, "block_device_info", false, JSON_OBJECT,
                         &rc))) {
        rc = load_block_device_info(c, v, inst);
        jpop(c);
    }
    return rc;
}

/*
 * Load one instance description. inst is overwritten, not freed first
 * (clear an old one before): on success it owns copies of everything
 * (free with drv_instance_clear), on failure it is all zero.
 * -1 with DRV_ERR_INVALID_INSTANCE naming the source, line:column and
 * JSON path of the problem.
 */
int
drv_instance_load_json(const char *json, const char *source,
                       drv_instance *inst, drv_error *err)
{
    jctx c;
    json_auto_t *root = NULL;
    drv_instance tmp = {0};

    if (inst)
        memset(inst, 0, sizeof(*inst));
    root = begin(&c, json, source, DRV_ERR_INVALID_INSTANCE, inst != NULL,
                 err);
    if (!root)
        return -1;
    if (load_instance(&c, root, &tmp) < 0) {
        drv_instance_clear(&tmp);
        return -1;
    }
    *inst = tmp;
    return 0;
}
