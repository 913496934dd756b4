/*
 * trace.h: trace files — the one writer and the one reader of hvd traces,
 * the normalised form `hvd run --compare` compares, and the trace hash.
 *
 * A trace file is JSON lines. The first line is the header:
 *   {"hvd_trace":1,"scenario":PATH,"name":NAME,"backend":B,"seed":N,
 *    "hash":HEX}
 * and every following line is one JSON object (an hv call, an hv event, a
 * lifecycle event or a step), "t" first, written compactly with keys in
 * insertion order and non-ASCII escaped. The hash is FNV-1a 64 over the
 * text of those lines (the body), header excluded.
 *
 * Everything that writes or reads traces goes through here: the runner
 * (lines), `hvd run --trace` (files), `hvd replay`, `--compare`,
 * `--check-determinism`, and later the explorer and the shrinker.
 */
#ifndef HVD_TRACE_H
#define HVD_TRACE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Characters of a trace hash (16 hex digits), without the NUL. */
#define TRACE_HASH_LEN 16

/* The largest trace file trace_read accepts: 64 MiB. The corpus's traces
 * are a few tens of KiB; a larger file is not something hvd wrote. */
#define TRACE_MAX_BYTES (64u << 20)

/* The format version written in "hvd_trace". */
#define TRACE_VERSION 1

/* ---- writing ---- */

/* The lines of a trace being recorded; opaque. */
typedef struct trace_writer trace_writer;

/* A new, empty trace. Free with trace_writer_free (or steal its text
 * with trace_writer_steal). */
trace_writer *trace_writer_new(void);
void trace_writer_free(trace_writer *w);

/*
 * A new trace line: a JSON object whose first key is "t" (a placeholder
 * filled by trace_append, so that the time always comes first). The
 * caller adds its fields in the order they should print.
 */
json_t *trace_line_new(void);

/*
 * Set line[key] to the string value (key and value borrowed). Every
 * string field of a trace line is set through here: jansson refuses a
 * string that is not valid UTF-8, and a plain json_object_set_new would
 * then drop the key without a word. Here such a value is kept, its
 * invalid bytes replaced by U+FFFD, so the line still says what it was;
 * a NULL value is recorded as null.
 */
void trace_line_set_string(json_t *line, const char *key, const char *value);

/* Stamp 'line' with time t (ns) and append it; 'line' is stolen.
 * Aborts if the line cannot be encoded: with every string checked on the
 * way in, only running out of memory can do that (and hvd aborts then). */
void trace_append(trace_writer *w, json_t *line, int64_t t);

/* The text so far (borrowed, valid until the next append). */
const char *trace_writer_text(const trace_writer *w);

/* Free w and return its text (the caller g_frees it). */
char *trace_writer_steal(trace_writer *w);

/* What the header of a trace file records, as given to the writer: every
 * string is borrowed from the caller (trace_file holds its own copies of
 * the same fields when read). */
typedef struct trace_info {
    const char *scenario; /* path of the scenario file the trace is a run
                             of; must be valid UTF-8 (a trace is JSON) */
    const char *name;     /* the scenario's name */
    const char *backend;  /* "fake" or "libvirt"; NULL is "fake" */
    uint64_t seed;        /* at most INT64_MAX, as scenarios allow */
    const char *hash;     /* the body's trace_hash */
} trace_info;

/*
 * The header line of a trace file, with '\n' (g_free). Returns NULL with
 * *error (g_free) when a string field is not valid UTF-8 and so cannot be
 * written in JSON, e.g. a scenario path in another encoding: "PATH:
 * cannot record the scenario path in a trace: it is not valid UTF-8"
 * (PATH shown through g_filename_display_name).
 */
char *trace_header(const trace_info *info, char **error);

/*
 * Write header + body to 'file' through outfile_write (outfile.h): in
 * place, a new or an existing regular file, never a device, a FIFO, a
 * socket or a symbolic link. Returns 0, or -1 with *error (g_free)
 * naming the reason: a header trace_header refuses (nothing is written),
 * or the file that cannot be written ("cannot write trace FILE: why").
 */
int trace_write_file(const char *file, const trace_info *info,
                     const char *body, char **error);

/* ---- reading ---- */

/* A trace file read back; every field is owned (trace_file_free). */
typedef struct trace_file {
    char *path;         /* as given */
    /* the header's fields, as in trace_info */
    char *scenario;
    char *name;
    char *backend;
    uint64_t seed;
    char *hash;
    /* every line after the header as hvd wrote it: each ends in '\n'
     * (CRLF read as LF), empty lines at the end left out; the hash in the
     * header is of this text */
    char *body;
    json_t *lines;      /* the body parsed: an array of objects */
} trace_file;

/*
 * Read the trace file at 'path'. Returns 0 and *out (free with
 * trace_file_free). Returns 1 with *error set when the file can be read
 * but is not a trace at all (its first line is not an "hvd_trace"
 * header): a caller may then try it as something else. Returns -1 with
 * *error when it cannot be read (missing, not a regular file, larger than
 * TRACE_MAX_BYTES) or is a malformed trace (bad header field, unsupported
 * version, a line that is not a JSON object, an empty line before the
 * last JSON line). Errors (g_free) read "PATH:LINE: what" or "PATH: what".
 *
 * What an editor may do to a file is forgiven: CRLF line endings (one
 * '\r' before each '\n' is dropped), empty lines at the end, no '\n'
 * after the last line.
 */
int trace_read(const char *path, trace_file **out, char **error);
void trace_file_free(trace_file *tf);

/* ---- comparing ---- */

/* FNV-1a 64 of text, as TRACE_HASH_LEN hex digits and a NUL. */
void trace_hash(const char *text, char out[TRACE_HASH_LEN + 1]);

/*
 * The normalised form of a trace body for fake-vs-real comparison
 * (g_free): each step's operation or check with its result and verdict,
 * then each instance's lifecycle events, repeats collapsed, instances
 * sorted by name. Timings, hv calls and hv events are left out: they
 * differ by nature between a simulation and a real host. Lines that are
 * not JSON are skipped.
 */
char *trace_normalise(const char *body);

/*
 * Where two texts of lines first differ: 0 if they are equal, else the
 * 1-based number of the first differing line, with *la and *lb set to
 * copies of that line in each (g_free; "(end)" past the last line).
 * la and lb may be NULL.
 */
unsigned int trace_first_difference(const char *a, const char *b, char **la,
                                    char **lb);

#endif /* HVD_TRACE_H */
