/*
 * scn-priv.h: what the scenario parser's files share. Not installed;
 * callers use scn.h.
 *
 * The parser is one struct (parser, below) and one file per concern:
 *   scn.c        names of operations, freeing, lookups, the parser's state
 *                and shared helpers, the top level (name, backends, seed,
 *                config, network), scn_parse and scn_load
 *   scn-world.c  hosts, images, instances and guests; derived uuids
 *   scn-fault.c  faults, hv_call rules included
 *   scn-step.c   steps: operations, waits, checks (and check names)
 *
 * Shared functions follow jsonv.h's conventions: 0 / -1, the error
 * recorded in the parser's jv_ctx with the JSON path of the failure.
 */
#ifndef HVD_SCN_PRIV_H
#define HVD_SCN_PRIV_H

#include <glib.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "hv.h"
#include "jsonv.h"
#include "scn.h"

/* Longest time a scenario may name, in seconds (about 11.5 days). */
#define SCN_MAX_SECONDS 1e6
/* Upper bounds that keep sizes in bytes within 64 bits. */
#define SCN_MAX_MB (1LL << 40)
#define SCN_MAX_GB (1LL << 30)

/* The parser's state while a scenario is read (scn.c sets it up). */
typedef struct parser {
    jv_ctx c;
    scn *s;
    /* NULL-terminated name lists for references and suggestions; the
     * strings are borrowed (from s or static tables) */
    const char **hosts;
    const char **instances;
    const char *hv_ops[HV_OP__COUNT + 1];
    GPtrArray *hv_errors;
    GPtrArray *expects;
    /* while steps are read: step labels ("label") seen so far, to their
     * step index (scn-step.c creates and frees it) */
    GHashTable *labels;
    /* while steps are read: background task names to their step index
     * + 1, and those a join step has named (scn-step.c) */
    GHashTable *background, *joined;
} parser;

/* Parses item idx of a list into the array scn_parse_list allocated. */
typedef int (*item_parser)(parser *p, json_t *obj, unsigned int idx);

/* ---- scn.c: shared helpers ---- */

/* Index of s in the NULL-terminated names, or -1. */
int scn_name_index(const char *const *names, const char *s);

/* Parses the array member key of root, one item_parser call per item. */
int scn_parse_list(parser *p, json_t *root, const char *key, bool required,
                   size_t elem_size, void **items, unsigned int *n,
                   item_parser parse_one);

/* The string member key of obj, one of names, copied to *out. */
int scn_get_ref(jv_ctx *c, json_t *obj, const char *key, bool required,
                const char *what, const char *const *names, char **out);

/* The string member key of obj as an index in names. */
int scn_get_name(jv_ctx *c, json_t *obj, const char *key, bool required,
                 const char *what, const char *const *names, int *out);

/* As scn_get_name, the names being a short list shown in full on error. */
int scn_get_choice_index(jv_ctx *c, json_t *obj, const char *key,
                         bool required, const char *const *names, int *out);

/* Fail at member key of obj (which is present), at its key. */
void scn_fail_at_key(jv_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- scn-world.c ---- */

/* "hosts": at least one; fills p->hosts with their names. */
int scn_parse_hosts(parser *p, json_t *root);

/* "images": optional; needs the hosts. */
int scn_parse_images(parser *p, json_t *root);

/* "instances": optional; fills p->instances; needs hosts and images. */
int scn_parse_instances(parser *p, json_t *root);

/* ---- scn-fault.c ---- */

/* "faults": optional; needs hosts and instances. */
int scn_parse_faults(parser *p, json_t *root);

/* ---- scn-step.c ---- */

/* "steps": optional; needs hosts and instances. */
int scn_parse_steps(parser *p, json_t *root);

#endif /* HVD_SCN_PRIV_H */
