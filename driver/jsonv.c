/*
 * jsonv.c: strict JSON reading with positioned errors (see jsonv.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <glib.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonv.h"

/* ---- the context ---- */

void
jv_init(jv_ctx *c, const char *text, const char *source)
{
    memset(c, 0, sizeof(*c));
    c->text = text;
    c->source = source ? source : "<string>";
}

void
jv_clear(jv_ctx *c)
{
    if (!c)
        return;
    g_free(c->error);
    c->error = NULL;
    c->depth = 0;
}

char *
jv_take_error(jv_ctx *c)
{
    char *e = c->error;

    c->error = NULL;
    return e;
}

void
jv_push_key(jv_ctx *c, const char *key)
{
    g_assert(c->depth < JV_PATH_MAX);
    c->path[c->depth].key = key;
    c->path[c->depth].index = 0;
    c->depth++;
}

void
jv_push_index(jv_ctx *c, size_t index)
{
    g_assert(c->depth < JV_PATH_MAX);
    c->path[c->depth].key = NULL;
    c->path[c->depth].index = index;
    c->depth++;
}

void
jv_pop(jv_ctx *c)
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

char *
jv_path(const jv_ctx *c)
{
    GString *s = g_string_new("$");

    for (unsigned int i = 0; i < c->depth; i++) {
        const jv_step *st = &c->path[i];

        if (!st->key) {
            g_string_append_printf(s, "[%zu]", st->index);
        } else if (is_identifier(st->key)) {
            g_string_append_printf(s, ".%s", st->key);
        } else {
            char *esc = g_strescape(st->key, NULL);
            g_string_append_printf(s, "[\"%s\"]", esc);
            g_free(esc);
        }
    }
    return g_string_free(s, FALSE);
}

/* ---- positions: walking a valid JSON text along a path ---- */

/* Bytes walked by every locator of the process (jv_scanned_bytes). */
static atomic_size_t scanned_total;

size_t
jv_scanned_bytes(void)
{
    return atomic_load_explicit(&scanned_total, memory_order_relaxed);
}

/* A walk over a text, counting the bytes it steps over. */
typedef struct walk {
    const char *s;
    size_t walked;
} walk;

static size_t
moved(walk *w, size_t from, size_t to)
{
    w->walked += to - from;
    return to;
}

static size_t
scan_ws(walk *w, size_t i)
{
    const char *s = w->s;
    size_t j = i;

    while (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')
        j++;
    return moved(w, i, j);
}

/* Offset just past the string token that starts at s[i] == '"'. */
static size_t
scan_string(walk *w, size_t i)
{
    const char *s = w->s;
    size_t j;

    for (j = i + 1; s[j] && s[j] != '"'; j++)
        if (s[j] == '\\' && s[j + 1])
            j++;
    return moved(w, i, s[j] ? j + 1 : j);
}

/* Offset just past the value that starts at s[i]. */
static size_t
scan_value(walk *w, size_t i)
{
    const char *s = w->s;
    size_t j = i;
    int depth = 0;

    if (s[j] == '"')
        return scan_string(w, j);
    if (s[j] != '{' && s[j] != '[') {
        while (s[j] && !strchr(",]} \t\r\n", s[j]))
            j++;
        return moved(w, i, j);
    }
    while (s[j]) {
        if (s[j] == '"') {
            j = scan_string(w, j);
            continue;
        }
        if (s[j] == '{' || s[j] == '[')
            depth++;
        else if (s[j] == '}' || s[j] == ']')
            depth--;
        j = moved(w, j, j + 1);
        if (depth == 0)
            break;
    }
    return j;
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
 * Find the member key among an object's members, starting at the member
 * whose key token starts at i (or at the object's end). True with the
 * offsets of its key token and of its value.
 */
static bool
find_member(walk *w, size_t i, const char *key, size_t *kstart,
            size_t *vstart)
{
    const char *s = w->s;

    while (s[i] == '"') {
        size_t ks = i, kend = scan_string(w, i);

        i = scan_ws(w, kend);
        if (s[i] != ':')
            return false;
        i = scan_ws(w, i + 1);
        if (token_is(s, ks, kend, key)) {
            *kstart = ks;
            *vstart = i;
            return true;
        }
        i = scan_ws(w, scan_value(w, i));
        if (s[i] == ',')
            i = scan_ws(w, i + 1);
    }
    return false;
}

/*
 * The member key of the object at s[i] == '{': offsets of its key token
 * and its value. A member found last in the same object (the mark) is
 * taken again as it is, and a search starts there: members read in the
 * order of the text cost one pass over the object.
 */
static bool
locate_member(walk *w, jv_mark *m, size_t i, const char *key,
              size_t *kstart, size_t *vstart)
{
    const char *s = w->s;
    size_t first = scan_ws(w, i + 1);
    bool marked = m->base == i + 1 && m->member;

    if (marked && token_is(s, m->at, scan_string(w, m->at), key)) {
        *kstart = m->at;
        *vstart = m->value;
        return true;
    }
    if (!(marked && find_member(w, m->at, key, kstart, vstart)) &&
        !find_member(w, first, key, kstart, vstart))
        return false;
    *m = (jv_mark){.base = i + 1, .member = true, .at = *kstart,
                   .value = *vstart};
    return true;
}

/*
 * Offset of element index of the array at s[i] == '['; (size_t)-1 if it
 * has fewer elements. A search starts at the element found last in the
 * same array (the mark) unless that one lies beyond index.
 */
static size_t
locate_element(walk *w, jv_mark *m, size_t i, size_t index)
{
    const char *s = w->s;
    size_t n = 0, j;

    if (m->base == i + 1 && !m->member && m->index <= index) {
        n = m->index;
        j = m->at;
    } else {
        j = scan_ws(w, i + 1);
    }
    for (; n < index; n++) {
        if (!s[j] || s[j] == ']')
            return (size_t)-1;
        j = scan_ws(w, scan_value(w, j));
        if (s[j] == ',')
            j = scan_ws(w, j + 1);
    }
    if (!s[j] || s[j] == ']')
        return (size_t)-1;
    *m = (jv_mark){.base = i + 1, .index = index, .at = j, .value = j};
    return j;
}

/* The marks and the line count describe c->text, or are reset for it. */
static void
marks_for_text(jv_ctx *c)
{
    if (c->marked == c->text)
        return;
    memset(c->marks, 0, sizeof(c->marks));
    c->lc_offset = 0;
    c->lc_line = 0;
    c->lc_column = 0;
    c->marked = c->text;
}

/*
 * Byte offset of the value at the context's path in its valid JSON text,
 * or of its key if at_key (and the last step is a key); -1 if not found.
 * Each level remembers what it found (c->marks) for the next lookup.
 */
static long
locate(jv_ctx *c, bool at_key)
{
    walk w = {.s = c->text};
    const char *s = c->text;
    size_t i = scan_ws(&w, 0);
    long ret = -1;

    for (unsigned int k = 0; k < c->depth; k++) {
        const jv_step *st = &c->path[k];

        if (st->key) {
            size_t kstart, vstart;

            if (s[i] != '{' ||
                !locate_member(&w, &c->marks[k], i, st->key, &kstart,
                               &vstart))
                goto out;
            if (at_key && k + 1 == c->depth) {
                ret = (long)kstart;
                goto out;
            }
            i = vstart;
        } else {
            if (s[i] != '[' ||
                (i = locate_element(&w, &c->marks[k], i, st->index)) ==
                    (size_t)-1)
                goto out;
        }
    }
    ret = (long)i;

out:
    atomic_fetch_add_explicit(&scanned_total, w.walked,
                              memory_order_relaxed);
    return ret;
}

/*
 * 1-based line and column (in characters, as jansson counts) of pos,
 * counted on from the last offset counted if pos is not before it.
 */
static void
line_column(jv_ctx *c, size_t pos, int *line, int *column)
{
    const char *s = c->text;
    size_t i = 0;
    int l = 1, col = 1;

    if (c->lc_line > 0 && c->lc_offset <= pos) {
        i = c->lc_offset;
        l = c->lc_line;
        col = c->lc_column;
    }
    atomic_fetch_add_explicit(&scanned_total, pos - i, memory_order_relaxed);
    for (; i < pos && s[i]; i++) {
        if (s[i] == '\n') {
            l++;
            col = 1;
        } else if (((unsigned char)s[i] & 0xC0) != 0x80) {
            col++;
        }
    }
    c->lc_offset = i;
    c->lc_line = l;
    c->lc_column = col;
    *line = l;
    *column = col;
}

int
jv_position(jv_ctx *c, bool at_key, int *line, int *column)
{
    long pos;

    if (!c->text)
        return -1;
    marks_for_text(c);
    pos = locate(c, at_key);
    if (pos < 0)
        return -1;
    line_column(c, (size_t)pos, line, column);
    return 0;
}

/* ---- files ---- */

/* What a file that is not a regular one is, for messages. */
static const char *
file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a folder";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode) || S_ISBLK(mode))
        return "a device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a file";
}

/* Why open or read failed, in words. */
static char *
open_error(const char *path, int err)
{
    struct stat st;

    switch (err) {
    case ENOENT:
        return g_strdup_printf("%s: no such file", path);
    case EACCES:
        return g_strdup_printf("%s: permission denied", path);
    case ELOOP:
        return g_strdup_printf("%s: symbolic link loop", path);
    case ENXIO:
        /* what open gives for a socket (and a FIFO without O_RDONLY) */
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
            return g_strdup_printf("%s: not a regular file (%s)", path,
                                   file_kind(st.st_mode));
        break;
    default:
        break;
    }
    return g_strdup_printf("%s: %s", path, g_strerror(err));
}

/*
 * Up to max bytes of fd into a NUL-terminated buffer sized for size bytes
 * (grown if the file grows); *got says how many. NULL with errno set.
 */
static char *
read_upto(int fd, size_t size, size_t max, size_t *got)
{
    size_t cap = MIN(size, max) + 1, n = 0;
    char *buf = g_malloc(cap + 1);

    while (n < max) {
        ssize_t r;

        if (n == cap) {
            cap = MIN(cap * 2, max);
            buf = g_realloc(buf, cap + 1);
        }
        r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int saved = errno;

            g_free(buf);
            errno = saved;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *got = n;
    return buf;
}

int
jv_read_file(const char *path, size_t max_bytes, char **text, char **error)
{
    struct stat st;
    const char *nul;
    char *buf = NULL;
    size_t got = 0;
    int ret = -1;
    int fd;

    *text = NULL;
    *error = NULL;
    /* the one place hvd's JSON inputs are opened: files the caller names */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *error = open_error(path, errno);
        return -1;
    }
    /* fstat on the open file: what is checked is what is read */
    if (fstat(fd, &st) < 0) {
        *error = open_error(path, errno);
        goto cleanup;
    }
    if (!S_ISREG(st.st_mode)) {
        *error = g_strdup_printf("%s: not a regular file (%s)", path,
                                 file_kind(st.st_mode));
        goto cleanup;
    }
    if ((uintmax_t)st.st_size > max_bytes) {
        *error = g_strdup_printf("%s: %jd bytes is over the limit of %zu",
                                 path, (intmax_t)st.st_size, max_bytes);
        goto cleanup;
    }
    /* one byte more than the limit tells a file that grew past it */
    if (!(buf = read_upto(fd, (size_t)st.st_size, max_bytes + 1, &got))) {
        *error = open_error(path, errno);
        goto cleanup;
    }
    if (got > max_bytes) {
        *error = g_strdup_printf("%s: more than %zu bytes is over the limit "
                                 "of %zu", path, max_bytes, max_bytes);
        goto cleanup;
    }
    if ((nul = memchr(buf, '\0', got))) {
        jv_ctx c;
        int line, column;

        jv_init(&c, buf, path);
        line_column(&c, (size_t)(nul - buf), &line, &column);
        *error = g_strdup_printf("%s:%d:%d: a NUL byte", path, line, column);
        goto cleanup;
    }
    *text = buf;
    buf = NULL;
    ret = 0;

cleanup:
    g_free(buf);
    close(fd);
    return ret;
}

void
jv_fail(jv_ctx *c, bool at_key, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    g_autofree char *path = NULL;
    int line, column;
    va_list ap;

    if (c->error)
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    path = jv_path(c);
    if (jv_position(c, at_key, &line, &column) == 0)
        c->error = g_strdup_printf("%s:%d:%d: %s: %s", c->source, line,
                                   column, path, msg);
    else
        c->error = g_strdup_printf("%s: %s: %s", c->source, path, msg);
}

/*
 * What jansson's syntax error 'text' means, in plain words: what was
 * expected there and the usual slip behind it; NULL for a text not known.
 * The first entry whose text is in jansson's (and whose 'near' part, when
 * given, ends it) wins.
 */
static const char *
syntax_in_words(const char *text)
{
    static const struct {
        const char *says, *near, *means;
    } words[] = {
        {"string or '}' expected", NULL,
         "expected a key in double quotes, or '}' to end the object (a "
         "comma after the last member? a key without double quotes?)"},
        {"':' expected", NULL,
         "expected ':' between the key and its value"},
        {"']' expected", "near end of file",
         "the text ends before the array is closed with ']'"},
        {"']' expected", NULL,
         "expected ',' before the next element, or ']' to close the array"},
        {"'}' expected", "near end of file",
         "the text ends before the object is closed with '}'"},
        {"'}' expected", NULL,
         "expected ',' before the next member, or '}' to close the object"},
        {"unexpected token", "near end of file",
         "the text is empty or ends where a value was expected"},
        {"unexpected token", "near ']'",
         "expected a value before ']' (a comma after the last element?)"},
        {"unexpected token", NULL,
         "expected a value: a string in double quotes, a number, an "
         "object, an array, true, false or null"},
        {"invalid token", NULL,
         "expected a value: strings take double quotes, true, false and "
         "null are lower case, a number has no leading zero"},
        {"end of file expected", NULL,
         "expected the end of the text after the value (one object per "
         "file)"},
        {"premature end of input", NULL,
         "the text ends inside a string (a missing closing '\"'?)"},
        {"unexpected newline", NULL,
         "a string runs to the end of its line: close it with '\"' (a "
         "line break inside a string is written \\n)"},
        {"control character", NULL,
         "a control character inside a string: write it as an escape "
         "(\\n, \\t, \\u0001)"},
        {"invalid escape", NULL,
         "expected an escape after the backslash: \\\" \\\\ \\/ "
         "\\b \\f \\n \\r \\t or \\uXXXX"},
        {"unable to decode byte", NULL,
         "the text is not UTF-8 (save it as UTF-8)"},
        {"duplicate object key", NULL,
         "the key appears twice in the same object"},
        {"overflow", NULL, "the number is too large"},
        {"too big", NULL, "the number is too large"},
        {"maximum parsing depth", NULL, "nested too deeply"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
        if (strstr(text, words[i].says) &&
            (!words[i].near || g_str_has_suffix(text, words[i].near)))
            return words[i].means;
    return NULL;
}

json_t *
jv_parse(jv_ctx *c)
{
    json_error_t jerr;
    json_t *root;

    root = json_loads(c->text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                      &jerr);
    if (!root) {
        if (c->error)
            return NULL;
        const char *plain = syntax_in_words(jerr.text);

        if (jerr.line > 0)
            c->error = g_strdup_printf("%s:%d:%d: %s%s%s", c->source,
                                       jerr.line, jerr.column, jerr.text,
                                       plain ? ": " : "", plain ? plain : "");
        else
            c->error = g_strdup_printf("%s: %s%s%s", c->source, jerr.text,
                                       plain ? ": " : "", plain ? plain : "");
        return NULL;
    }
    if (!json_is_object(root)) {
        jv_fail(c, false, "expected an object, got %s", jv_type_name(root));
        json_decref(root);
        return NULL;
    }
    return root;
}

const char *
jv_type_name(const json_t *v)
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

#define NEAR_MAX 64

/*
 * Optimal string alignment distance (Levenshtein plus swaps of
 * neighbours, "spwan" is one typo from "spawn"), or SIZE_MAX for names
 * too long to bother.
 */
static size_t
edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t rows[3][NEAR_MAX + 1];
    size_t *pprev = rows[0], *prev = rows[1], *cur = rows[2];

    if (la > NEAR_MAX || lb > NEAR_MAX)
        return SIZE_MAX;
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t *t;

        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

            cur[j] = MIN(sub, MIN(del, ins));
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
                a[i - 2] == b[j - 1])
                cur[j] = MIN(cur[j], pprev[j - 2] + 1);
        }
        t = pprev;
        pprev = prev;
        prev = cur;
        cur = t;
    }
    return prev[lb];
}

void
jv_near_consider(jv_near *n, const char *candidate)
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

const char *
jv_near_result(const jv_near *n)
{
    size_t len = strlen(n->word);

    if (!n->best || n->dist >= len || n->dist > MAX(1, len / 3))
        return NULL;
    return n->best;
}

const char *
jv_suggest(const char *word, const char *const *candidates)
{
    jv_near n = {.word = word};

    for (size_t i = 0; candidates && candidates[i]; i++)
        jv_near_consider(&n, candidates[i]);
    return jv_near_result(&n);
}

/* ---- failures with suggestions, and key checks ---- */

void
jv_fail_unknown_key(jv_ctx *c, const char *what, const char *const *known)
{
    const char *hint = jv_suggest(c->path[c->depth - 1].key, known);
    g_autofree char *list = NULL;

    /* no likely typo: the valid ones, so that the reader can pick */
    if (hint)
        jv_fail(c, true, "unknown %s; did you mean %s?", what, hint);
    else
        jv_fail(c, true, "unknown %s; expected one of %s", what,
                (list = jv_join(known)));
}

int
jv_check_keys(jv_ctx *c, json_t *obj, const char *const *known)
{
    const char *key;
    json_t *v;

    json_object_foreach(obj, key, v) {
        if (!jv_in_choices(known, key)) {
            jv_push_key(c, key);
            jv_fail_unknown_key(c, "key", known);
            jv_pop(c);
            return -1;
        }
    }
    return 0;
}

void
jv_fail_unknown_name(jv_ctx *c, const char *what, const char *got,
                     const char *const *known)
{
    const char *hint = jv_suggest(got, known);
    g_autofree char *list = NULL;

    if (hint)
        jv_fail(c, false, "unknown %s '%.64s'; did you mean %s?", what, got,
                hint);
    else
        jv_fail(c, false, "unknown %s '%.64s'; expected one of %s", what, got,
                (list = jv_join(known)));
}

char *
jv_join(const char *const *choices)
{
    return g_strjoinv(", ", (char **)choices);
}

bool
jv_in_choices(const char *const *choices, const char *s)
{
    for (size_t i = 0; choices[i]; i++)
        if (strcmp(choices[i], s) == 0)
            return true;
    return false;
}

void
jv_fail_choice(jv_ctx *c, const char *const *choices, const char *got)
{
    g_autofree char *list = jv_join(choices);
    const char *hint = jv_suggest(got, choices);

    if (hint)
        jv_fail(c, false,
                "expected one of %s, got \"%.64s\"; did you mean %s?", list,
                got, hint);
    else
        jv_fail(c, false, "expected one of %s, got \"%.64s\"", list, got);
}

/* ---- texts bound for XML ---- */

/* XML 1.0's Char production. */
static bool
xml_char(gunichar ch)
{
    return ch == 0x9 || ch == 0xA || ch == 0xD ||
           (ch >= 0x20 && ch <= 0xD7FF) || (ch >= 0xE000 && ch <= 0xFFFD) ||
           (ch >= 0x10000 && ch <= 0x10FFFF);
}

bool
jv_xml_text_ok(const char *s, uint32_t *bad)
{
    uint32_t dummy;

    if (!bad)
        bad = &dummy;
    if (!g_utf8_validate(s, -1, NULL)) {
        *bad = UINT32_MAX;
        return false;
    }
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar ch = g_utf8_get_char(p);

        if (!xml_char(ch)) {
            *bad = ch;
            return false;
        }
    }
    return true;
}

int
jv_check_xml_text(jv_ctx *c, const char *s)
{
    uint32_t bad;

    if (jv_xml_text_ok(s, &bad))
        return 0;
    if (bad == UINT32_MAX)
        jv_fail(c, false, "expected valid UTF-8");
    else
        jv_fail(c, false, "U+%04" PRIX32 " is not allowed in XML text", bad);
    return -1;
}

/* ---- typed readers ---- */

int
jv_read_string(jv_ctx *c, json_t *v, unsigned int flags, jv_str_check check,
               char **out)
{
    const char *s;
    const char *bad = NULL;
    char *copy;

    if (!json_is_string(v)) {
        jv_fail(c, false, "expected a string, got %s", jv_type_name(v));
        return -1;
    }
    s = json_string_value(v);
    if (jv_check_xml_text(c, s) < 0)
        return -1;
    if ((flags & (JV_NONEMPTY | JV_ABSPATH)) && !*s)
        bad = "expected a non-empty string";
    else if ((flags & JV_ABSPATH) && s[0] != '/')
        bad = "expected an absolute path";
    else if ((flags & JV_NOSLASH) && strchr(s, '/'))
        bad = "expected a name without '/'";
    if (bad) {
        jv_fail(c, false, "%s, got \"%.64s\"", bad, s);
        return -1;
    }
    copy = g_strdup(s);
    if (check && (bad = check(copy))) {
        jv_fail(c, false, "%s, got \"%.64s\"", bad, s);
        g_free(copy);
        return -1;
    }
    g_free(*out);
    *out = copy;
    return 0;
}

int
jv_read_choice(jv_ctx *c, json_t *v, const char *const *choices, char **out)
{
    if (!json_is_string(v)) {
        jv_fail(c, false, "expected a string, got %s", jv_type_name(v));
        return -1;
    }
    if (jv_check_xml_text(c, json_string_value(v)) < 0)
        return -1;
    if (!jv_in_choices(choices, json_string_value(v))) {
        jv_fail_choice(c, choices, json_string_value(v));
        return -1;
    }
    g_free(*out);
    *out = g_strdup(json_string_value(v));
    return 0;
}

int
jv_read_int(jv_ctx *c, json_t *v, long long min, long long max,
            long long *out)
{
    long long n;

    if (!json_is_integer(v)) {
        jv_fail(c, false, "expected an integer, got %s", jv_type_name(v));
        return -1;
    }
    n = json_integer_value(v);
    if (n < min) {
        jv_fail(c, false, "expected an integer >= %lld, got %lld", min, n);
        return -1;
    }
    if (n > max) {
        jv_fail(c, false, "expected an integer <= %lld, got %lld", max, n);
        return -1;
    }
    *out = n;
    return 0;
}

int
jv_read_bool(jv_ctx *c, json_t *v, bool *out)
{
    if (!json_is_boolean(v)) {
        jv_fail(c, false, "expected true or false, got %s", jv_type_name(v));
        return -1;
    }
    *out = json_is_true(v);
    return 0;
}

int
jv_read_positive(jv_ctx *c, json_t *v, double *out)
{
    double x;

    if (!json_is_number(v)) {
        jv_fail(c, false, "expected a number, got %s", jv_type_name(v));
        return -1;
    }
    x = json_number_value(v);
    if (!(x > 0)) {
        jv_fail(c, false, "expected a number > 0, got %g", x);
        return -1;
    }
    *out = x;
    return 0;
}

int
jv_read_number(jv_ctx *c, json_t *v, double min, double max, double *out)
{
    double x;

    if (!json_is_number(v)) {
        jv_fail(c, false, "expected a number, got %s", jv_type_name(v));
        return -1;
    }
    x = json_number_value(v);
    if (!(x >= min)) {
        jv_fail(c, false, "expected a number >= %g, got %g", min, x);
        return -1;
    }
    if (!(x <= max)) {
        jv_fail(c, false, "expected a number <= %g, got %g", max, x);
        return -1;
    }
    *out = x;
    return 0;
}

/* ---- members of an object ---- */

json_t *
jv_enter(jv_ctx *c, json_t *obj, const char *key, bool required)
{
    json_t *v = json_object_get(obj, key);

    if (!v) {
        if (required)
            jv_fail(c, false, "missing required key \"%s\"", key);
        return NULL;
    }
    jv_push_key(c, key);
    return v;
}

json_t *
jv_enter_typed(jv_ctx *c, json_t *obj, const char *key, bool required,
               json_type type, int *rc)
{
    json_t *v = jv_enter(c, obj, key, required);

    *rc = v || !required ? 0 : -1;
    if (v && json_typeof(v) != type) {
        jv_fail(c, false, "expected an %s, got %s",
                type == JSON_OBJECT ? "object" : "array", jv_type_name(v));
        jv_pop(c);
        *rc = -1;
        return NULL;
    }
    return v;
}

int
jv_get_string(jv_ctx *c, json_t *obj, const char *key, bool required,
              unsigned int flags, jv_str_check check, char **out)
{
    json_t *v = jv_enter(c, obj, key, required);
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = jv_read_string(c, v, flags, check, out);
    jv_pop(c);
    return rc;
}

int
jv_get_choice(jv_ctx *c, json_t *obj, const char *key, bool required,
              const char *const *choices, char **out)
{
    json_t *v = jv_enter(c, obj, key, required);
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = jv_read_choice(c, v, choices, out);
    jv_pop(c);
    return rc;
}

int
jv_get_int(jv_ctx *c, json_t *obj, const char *key, bool required,
           long long min, long long max, long long *out)
{
    json_t *v = jv_enter(c, obj, key, required);
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = jv_read_int(c, v, min, max, out);
    jv_pop(c);
    return rc;
}

int
jv_get_u64(jv_ctx *c, json_t *obj, const char *key, bool required,
           long long min, long long max, uint64_t *out)
{
    long long n = 0;
    int rc = jv_get_int(c, obj, key, required, min, max, &n);

    if (rc == 0 && json_object_get(obj, key))
        *out = (uint64_t)n;
    return rc;
}

int
jv_get_bool(jv_ctx *c, json_t *obj, const char *key, bool required,
            bool *out)
{
    json_t *v = jv_enter(c, obj, key, required);
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = jv_read_bool(c, v, out);
    jv_pop(c);
    return rc;
}

int
jv_get_number(jv_ctx *c, json_t *obj, const char *key, bool required,
              double min, double max, double *out)
{
    json_t *v = jv_enter(c, obj, key, required);
    int rc;

    if (!v)
        return required ? -1 : 0;
    rc = jv_read_number(c, v, min, max, out);
    jv_pop(c);
    return rc;
}
