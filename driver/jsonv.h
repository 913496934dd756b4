/*
 * jsonv.h: strict reading of JSON inputs (jansson) with errors that point
 * at the problem: "SOURCE:LINE:COLUMN: $.json.path: what is wrong".
 *
 * Every loader of hvd's JSON (driver configuration and instances in
 * drv-json.c, scenarios in harness/scn.c) reads through one jv_ctx: it
 * holds the text (for positions), the source name, the JSON path of the
 * value being read (a stack the loader pushes and pops as it descends) and
 * the first error. jansson keeps no positions once a text is loaded, so a
 * position is found again by walking the (already valid) text along the
 * path.
 *
 * Readers return 0 or -1; on -1 the context's error is set. The first
 * error wins, so a caller may report a failure deep down and unwind.
 *
 * Ownership: the context borrows the text, the source name and the keys
 * on its path (from the json_t being read); it owns its error string,
 * freed by jv_clear or handed over by jv_take_error.
 */
#ifndef HVD_JSONV_H
#define HVD_JSONV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest path any loader reaches is about 8; room to spare. */
#define JV_PATH_MAX 32

/* One step of a JSON path: an object key, or (key NULL) an array index. */
typedef struct jv_step {
    const char *key; /* borrowed from the json_t being read */
    size_t index;
} jv_step;

/*
 * What the locator found last at one level of a path, so that the next
 * lookup below the same container continues from there instead of
 * walking the text again from its start: loaders read arrays in order, so
 * locating $.steps[i] for every i costs one pass over the steps.
 */
typedef struct jv_mark {
    size_t base;  /* offset of the container ('{' or '['), +1; 0 = none */
    bool member;  /* an object's member (else an array's element) */
    size_t index; /* array: the index found last */
    size_t at;    /* offset of that member's key, or of that element */
    size_t value; /* offset of that member's (or element's) value */
} jv_mark;

typedef struct jv_ctx {
    const char *text;   /* the JSON text, for positions (borrowed) */
    const char *source; /* file name or "<string>" (borrowed) */
    jv_step path[JV_PATH_MAX];
    unsigned int depth;
    char *error;        /* the first error, NULL while all is well */
    /* the locator's memory for text (see jv_mark), and where it counted
     * lines last: a later offset counts on from there */
    const char *marked;
    jv_mark marks[JV_PATH_MAX];
    size_t lc_offset;
    int lc_line, lc_column;
} jv_ctx;

/* ---- files ---- */

/*
 * The largest JSON input file hvd reads (a scenario, a configuration):
 * 256 MiB. A 10^6-step scenario is about 50 MiB.
 */
#define JV_FILE_MAX_BYTES ((size_t)256 << 20)

/*
 * Read the regular file at path, at most max_bytes long, whole: *text
 * (g_free) is NUL-terminated and holds no other NUL. The file is opened
 * without blocking (a FIFO does not wait for a writer) and checked as
 * opened (fstat); no more than max_bytes + 1 bytes are read even if it
 * grows meanwhile. 0, or -1 with *error (g_free) set to one of
 *   "PATH: no such file", "PATH: permission denied",
 *   "PATH: symbolic link loop", "PATH: <strerror>",
 *   "PATH: not a regular file (a folder|a FIFO|a device|a socket)",
 *   "PATH: N bytes is over the limit of M",
 *   "PATH:LINE:COLUMN: a NUL byte".
 */
int jv_read_file(const char *path, size_t max_bytes, char **text,
                 char **error);

/* ---- the context ---- */

/* A context over text; source NULL names it "<string>". */
void jv_init(jv_ctx *c, const char *text, const char *source);
/* Frees the error; the context can be initialised again. */
void jv_clear(jv_ctx *c);
/* The error (caller g_frees), leaving the context without one. */
char *jv_take_error(jv_ctx *c);

/*
 * Parse the context's text (duplicate keys rejected); the root must be an
 * object. Returns a new reference, or NULL with the error set
 * ("SOURCE:LINE:COLUMN: jansson's message" for syntax errors).
 */
json_t *jv_parse(jv_ctx *c);

/* The path: push a key (borrowed) or an index before reading below it. */
void jv_push_key(jv_ctx *c, const char *key);
void jv_push_index(jv_ctx *c, size_t index);
void jv_pop(jv_ctx *c);
/* "$.steps[3].op" for the current path (g_free). */
char *jv_path(const jv_ctx *c);
/*
 * 1-based line and column (in characters, as jansson counts) of the value
 * at the current path, or of its key if at_key and the last step is a key.
 * 0, or -1 if the path is not in the text.
 *
 * Cost: lookups that go forward in the text (the next element of an
 * array, a later line) continue from the last one, so locating every
 * element of an array in order is linear in the text's size; a lookup
 * that goes back walks from the start of its container (or of the text).
 */
int jv_position(jv_ctx *c, bool at_key, int *line, int *column);

/*
 * For tests: the bytes of text the locator and the line counter have
 * walked so far, summed over every context of the process. Lets a test
 * see that locating n elements costs O(n), without timing anything.
 */
size_t jv_scanned_bytes(void);

/*
 * Record "SOURCE:LINE:COL: PATH: message" for the current path, pointing
 * at its key (at_key) or its value ("SOURCE: PATH: message" if it cannot
 * be located). Does nothing if an error is already recorded.
 */
void jv_fail(jv_ctx *c, bool at_key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* jansson's type of v as errors show it: "object", "integer"... */
const char *jv_type_name(const json_t *v);

/* ---- suggestions for misspelt names ---- */

/*
 * The closest candidate so far to a misspelt word. Distance is the number
 * of typos: insertions, deletions, substitutions and swaps of neighbours;
 * a difference in case only counts as one.
 */
typedef struct jv_near {
    const char *word;
    const char *best;
    size_t dist;
} jv_near;

void jv_near_consider(jv_near *n, const char *candidate);
/* The best candidate if close enough to be a likely typo, else NULL. */
const char *jv_near_result(const jv_near *n);
/* The likely intended one of candidates (NULL-terminated), or NULL. */
const char *jv_suggest(const char *word, const char *const *candidates);

/* ---- failures with suggestions, and key checks ---- */

/*
 * Unknown key at the current path (the key pushed): "unknown WHAT; did
 * you mean K?" at the key, K from known (NULL-terminated).
 */
void jv_fail_unknown_key(jv_ctx *c, const char *what,
                         const char *const *known);
/* Fail on the first key of obj not in known (NULL-terminated). */
int jv_check_keys(jv_ctx *c, json_t *obj, const char *const *known);
/*
 * An unknown name at the current path's value: "unknown WHAT 'GOT'; did
 * you mean K?" with K from known (NULL-terminated, may be NULL).
 */
void jv_fail_unknown_name(jv_ctx *c, const char *what, const char *got,
                          const char *const *known);

/* "a, b, c" (g_free). */
char *jv_join(const char *const *choices);
bool jv_in_choices(const char *const *choices, const char *s);
/* "expected one of a, b, got "x"; did you mean a?" at the current path. */
void jv_fail_choice(jv_ctx *c, const char *const *choices, const char *got);

/* ---- texts bound for XML ---- */

/*
 * Whether s is valid UTF-8 made only of characters XML 1.0 allows (its
 * Char production: tab, LF, CR, U+0020..U+D7FF, U+E000..U+FFFD,
 * U+10000..U+10FFFF). If not, *bad (may be NULL) is the first character
 * it does not allow, or UINT32_MAX if s is not valid UTF-8.
 */
bool jv_xml_text_ok(const char *s, uint32_t *bad);
/*
 * The same check on s, the value at the current path: -1 with "U+FFFE is
 * not allowed in XML text" (or "expected valid UTF-8") at the value.
 */
int jv_check_xml_text(jv_ctx *c, const char *s);

/* ---- typed readers for the value v at the current path ---- */

/*
 * Checks on a string value. Every string the readers below return is
 * also checked with jv_check_xml_text, whatever the flags: the texts of
 * a configuration, an instance or a scenario end up in domain XML or in
 * a JUnit report, where libxml2 refuses what XML does not allow.
 */
enum {
    JV_NONEMPTY = 1 << 0,
    JV_ABSPATH = 1 << 1, /* starts with '/' (implies non-empty) */
    JV_NOSLASH = 1 << 2,
};

/*
 * A validator for a string (a copy, which it may normalise in place):
 * NULL if fine, else what was expected ("expected a UUID").
 */
typedef const char *(*jv_str_check)(char *s);

/* A string (JV_* flags, check may be NULL, fit for XML); *out replaced
 * (g_free). */
int jv_read_string(jv_ctx *c, json_t *v, unsigned int flags,
                   jv_str_check check, char **out);
/* A string among choices; *out replaced by a copy (g_free). */
int jv_read_choice(jv_ctx *c, json_t *v, const char *const *choices,
                   char **out);
/* An integer in [min, max]. */
int jv_read_int(jv_ctx *c, json_t *v, long long min, long long max,
                long long *out);
int jv_read_bool(jv_ctx *c, json_t *v, bool *out);
/* A number (integer or real) > 0. */
int jv_read_positive(jv_ctx *c, json_t *v, double *out);
/* A number (integer or real) in [min, max]. */
int jv_read_number(jv_ctx *c, json_t *v, double min, double max,
                   double *out);

/* ---- members of an object ---- */

/*
 * The member key of obj, pushed on the path (pop it after use); NULL if
 * absent, failing with "missing required key" if required.
 */
json_t *jv_enter(jv_ctx *c, json_t *obj, const char *key, bool required);
/*
 * Same, and the member must be of type (JSON_OBJECT or JSON_ARRAY). NULL
 * if absent or wrong (not pushed then); *rc says which: 0 absent and
 * optional, -1 an error.
 */
json_t *jv_enter_typed(jv_ctx *c, json_t *obj, const char *key,
                       bool required, json_type type, int *rc);

/*
 * Read member key of obj with the reader above. An absent optional member
 * is 0 and leaves *out alone; an absent required one fails.
 */
int jv_get_string(jv_ctx *c, json_t *obj, const char *key, bool required,
                  unsigned int flags, jv_str_check check, char **out);
int jv_get_choice(jv_ctx *c, json_t *obj, const char *key, bool required,
                  const char *const *choices, char **out);
int jv_get_int(jv_ctx *c, json_t *obj, const char *key, bool required,
               long long min, long long max, long long *out);
int jv_get_u64(jv_ctx *c, json_t *obj, const char *key, bool required,
               long long min, long long max, uint64_t *out);
int jv_get_bool(jv_ctx *c, json_t *obj, const char *key, bool required,
                bool *out);
int jv_get_number(jv_ctx *c, json_t *obj, const char *key, bool required,
                  double min, double max, double *out);

#endif /* HVD_JSONV_H */
