/*
 * cmd-run.c: hvd run: the scenarios selected, each run (here or by a -j
 * worker), reported, and its trace written.
 */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "cmd-priv.h"
#include "outfile.h"
#include "report.h"
#include "run.h"
#include "scn.h"
#include "trace.h"

/* The command that reproduces the run of the scenario at path alone, with
 * every setting the run used (g_free). */
static char *
repro_command(const cli *c, const char *path)
{
    GString *s = g_string_new("hvd run");
    const run_options *opt = &c->opt;
    char *q;

    if (opt->backend && strcmp(opt->backend, "fake") != 0)
        g_string_append_printf(s, " --backend %s", opt->backend);
    for (char **h = opt->host_uris; h && *h; h++) {
        q = g_shell_quote(*h);
        g_string_append_printf(s, " --host %s", q);
        g_free(q);
    }
    if (opt->virt_type)
        g_string_append_printf(s, " --virt-type %s", opt->virt_type);
    if (opt->guest_kernel) {
        q = g_shell_quote(opt->guest_kernel);
        g_string_append_printf(s, " --guest-kernel %s", q);
        g_free(q);
    }
    if (opt->migration_uri) {
        q = g_shell_quote(opt->migration_uri);
        g_string_append_printf(s, " --migration-uri %s", q);
        g_free(q);
    }
    if (opt->guest_initrd) {
        q = g_shell_quote(opt->guest_initrd);
        g_string_append_printf(s, " --guest-initrd %s", q);
        g_free(q);
    }
    if (c->seed_given)
        g_string_append_printf(s, " --seed %" G_GUINT64_FORMAT, c->seed);
    /* quoted for a shell whatever the path holds (a quote, a space) */
    q = g_shell_quote(path);
    g_string_append_printf(s, " -v %s", q);
    g_free(q);
    return g_string_free(s, FALSE);
}

/* Write the trace of res (scenario 'name' with 'seed') to 'file'; -1
 * (printed) if it cannot be, e.g. a scenario path that is not valid UTF-8
 * and so cannot be recorded. */
static int
write_trace(const char *file, const char *name, uint64_t seed,
            const char *path, const run_options *opt, const run_result *res)
{
    trace_info info = {.scenario = path,
                       .name = name,
                       .backend = opt->backend ? opt->backend : "fake",
                       .seed = seed,
                       .hash = res->hash};
    char *error = NULL;

    if (trace_write_file(file, &info, res->trace, &error) < 0) {
        fprintf(stderr, "hvd: %s\n", error);
        g_free(error);
        return -1;
    }
    return 0;
}

/*
 * Decide where the traces of a run go (--trace PATH), before anything
 * runs: *folder is set when PATH is a folder (one trace per scenario in
 * it), else PATH is the one trace file. PATH may be a folder (or a link to
 * one) in any case, a new or a regular file for one scenario; for several
 * it is created as a folder when it does not exist. -1 (printed) when
 * PATH is refused (outfile_check) or cannot hold n_files traces.
 */
static int
trace_target(const char *path, guint n_files, bool *folder)
{
    char *error = NULL;
    int kind = outfile_check(path, "trace", &error);

    *folder = kind == OUTFILE_FOLDER;
    if (kind < 0) {
        fprintf(stderr, "hvd: %s\n", error);
        g_free(error);
        return -1;
    }
    if (kind == OUTFILE_FOLDER || n_files <= 1)
        return 0;
    if (kind == OUTFILE_REGULAR) {
        fprintf(stderr, "hvd: cannot write traces to %s: it is a file, and "
                        "%u scenarios need a folder (a trace each)\n",
                path, n_files);
        return -1;
    }
    if (g_mkdir_with_parents(path, 0755) < 0) {
        fprintf(stderr, "hvd: cannot create the trace folder %s: %s\n", path,
                g_strerror(errno));
        return -1;
    }
    *folder = true;
    return 0;
}

/*
 * The trace file of scenario 'name' in the folder 'dir' (g_free):
 * NAME.trace.jsonl, or for a name whose file this run has taken already
 * NAME-2.trace.jsonl, NAME-3..., the first one free. 'taken' holds the
 * names used so far (owned by it), so that two scenarios with one name
 * never write over each other's trace, and the same run always gives the
 * same files. *renamed is set when the file is not NAME.trace.jsonl.
 */
static char *
trace_file_in(const char *dir, const char *name, GHashTable *taken,
              bool *renamed)
{
    char *base = g_strdup(name), *file, *path;

    for (unsigned int k = 2; g_hash_table_contains(taken, base); k++) {
        g_free(base);
        base = g_strdup_printf("%s-%u", name, k);
        *renamed = true;
    }
    g_hash_table_add(taken, base);
    file = g_strconcat(base, ".trace.jsonl", NULL);
    path = g_build_filename(dir, file, NULL);
    g_free(file);
    return path;
}

/* Refuse a --junit path that cannot be written (a folder, a device, a
 * FIFO, a link...) before anything runs; -1 printed. */
static int
junit_target(const char *path)
{
    char *error = NULL;
    int kind = outfile_check(path, "JUnit report", &error);

    if (kind == OUTFILE_FOLDER)
        error = g_strdup_printf("cannot write JUnit report %s: it is a "
                                "folder; --junit takes a file", path);
    if (error) {
        fprintf(stderr, "hvd: %s\n", error);
        g_free(error);
        return -1;
    }
    return 0;
}

/*
 * The files among 'files' whose scenario -k selects (all when no -k); a
 * file that does not load is kept, to be reported as it is without -k.
 * 'files' is consumed.
 */
static GPtrArray *
select_files(GPtrArray *files, const GPtrArray *patterns)
{
    GPtrArray *out;

    if (!patterns || patterns->len == 0)
        return files;
    out = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < files->len; i++) {
        char *path = g_ptr_array_index(files, i), *error = NULL;
        scn *s = scn_load(path, &error);

        if (!s || cmd_name_selected(patterns, s->name))
            g_ptr_array_add(out, g_strdup(path));
        scn_free(s);
        g_free(error);
    }
    g_ptr_array_free(files, TRUE);
    return out;
}

void
cmd_outcome_clear(outcome *o)
{
    g_free(o->load_error);
    g_free(o->name);
    g_free(o->out);
    g_free(o->err);
    run_result_clear(&o->res);
    memset(o, 0, sizeof(*o));
}

/* The first host of s that no "NAME=URI" (nor "*=URI") of uris maps, or
 * NULL when every host has its URI. */
static const char *
unmapped_host(const scn *s, char **uris)
{
    for (unsigned int i = 0; i < s->n_hosts; i++) {
        const char *name = s->hosts[i].name;
        size_t len = strlen(name);
        bool found = false;

        for (char **p = uris; p && *p && !found; p++)
            found = g_str_has_prefix(*p, "*=") ||
                    (strncmp(*p, name, len) == 0 && (*p)[len] == '=');
        if (!found)
            return name;
    }
    return NULL;
}

/* Load and run the scenario at path as c says, into *o. */
void
cmd_run_one(const cli *c, const char *path, outcome *o)
{
    const char *host;
    scn *s;

    memset(o, 0, sizeof(*o));
    if (!(s = scn_load(path, &o->load_error)))
        return;
    if (c->seed_given)
        s->seed = c->seed;
    o->name = g_strdup(s->name);
    o->seed = s->seed;
    if (strcmp(c->opt.backend, "fake") != 0 && scn_runs_on(s, "libvirt") &&
        (host = unmapped_host(s, c->opt.host_uris))) {
        o->usage = true;
        o->res.failed_step = -1;
        o->res.message = g_strdup_printf("no URI for its host %s: give "
                                         "--host %s=URI (or --host '*=URI')",
                                         host, host);
        scn_free(s);
        return;
    }
    if (c->opt.verbose)
        fprintf(stderr, "%s (%s):\n", s->name, path);
    if (run_scenario(s, &c->opt, &o->res) < 0)
        o->unreachable = true;
    else if (c->determinism && o->res.passed && !o->res.skipped &&
             cmd_differs(s, &c->opt, &o->res)) {
        o->nondet = true;
        o->res.passed = false;
        g_free(o->res.message);
        o->res.message = g_strdup("non-determinism: two runs traced "
                                  "differently");
    } else if (c->compare && o->res.passed && !o->res.skipped &&
               strcmp(c->opt.backend, "fake") != 0 && scn_runs_on(s, "fake"))
        cmd_compare_with_fake(s, &o->res);
    scn_free(s);
}

/* Where a run's traces go and what it counted. */
typedef struct tally {
    bool trace_folder;
    GHashTable *taken;   /* trace names used (trace_file_in) */
    int bad, nondet, unreachable;
} tally;

/* Print and record the outcome of the scenario at path, write its trace. */
static void
report_outcome(const cli *c, report *rp, const char *path, outcome *o,
               tally *t)
{
    char *repro;

    if (o->out)
        fputs(o->out, stdout);
    if (o->err)
        fputs(o->err, stderr);
    if (o->load_error) {
        fprintf(stderr, "%s\n", o->load_error);
        report_error(rp, path, o->load_error);
        t->bad++;
        return;
    }
    if (o->usage) {
        fprintf(stderr, "hvd run: %s: %s\n", path, o->res.message);
        t->bad++;
    }
    if (o->unreachable)
        t->unreachable++;
    if (o->nondet)
        t->nondet++;
    repro = repro_command(c, path);
    report_add(rp, path, o->name, &o->res, repro);
    g_free(repro);
    if (c->trace && !o->res.skipped && o->res.trace) {
        bool renamed = false;
        char *file = t->trace_folder
                         ? trace_file_in(c->trace, o->name, t->taken, &renamed)
                         : g_strdup(c->trace);

        if (renamed)
            fprintf(stderr, "hvd: %s: an earlier scenario of this run is "
                            "named %s too: this one's trace is %s\n",
                    path, o->name, file);
        /* a trace asked for and not written is bad input: the path or
         * --trace given cannot hold it */
        if (write_trace(file, o->name, o->seed, path, &c->opt, &o->res) < 0)
            t->bad++;
        g_free(file);
    }
}

int
cmd_run(int argc, char **argv)
{
    cli c = {.cmd = "run"};
    tally t = {0};
    char *junit_error = NULL;
    GPtrArray *files = NULL;
    report *rp = NULL;
    int ret = EXIT_BAD_INPUT;

    if (cli_parse(argc, argv, &c, CLI_RUN, cmd_usage_run) < 0)
        goto out;
    if (optind >= argc) {
        cmd_usage_run(stderr);
        goto out;
    }
    if (cli_resolve_backend(&c) < 0)
        goto out;
    files = walk_collect_all(argv + optind, argc - optind, &t.bad);
    files = select_files(files, c.patterns);
    if (c.patterns->len && files->len == 0 && !t.bad) {
        fprintf(stderr, "hvd run: no scenario is named as -k asks (%u "
                        "pattern%s; `hvd list` shows the names)\n",
                c.patterns->len, c.patterns->len == 1 ? "" : "s");
        goto out;
    }
    /* an output path that cannot be written is refused before the run */
    if ((c.trace && trace_target(c.trace, files->len, &t.trace_folder) < 0) ||
        (c.junit && junit_target(c.junit) < 0))
        goto out;
    t.taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    rp = report_new(stdout, c.opt.backend);
    report_set_quiet(rp, c.quiet);
    if (c.jobs <= 1) {
        for (guint i = 0; i < files->len; i++) {
            const char *path = g_ptr_array_index(files, i);
            outcome o;

            cmd_run_one(&c, path, &o);
            report_outcome(&c, rp, path, &o, &t);
            cmd_outcome_clear(&o);
        }
    } else {
        /* up to c.jobs workers ahead of the one reported next */
        job *jobs = g_new0(job, files->len);
        guint next = 0;

        for (guint i = 0; i < files->len; i++) {
            const char *path = g_ptr_array_index(files, i);
            outcome o;

            for (; next < files->len && next < i + c.jobs; next++)
                cmd_job_start(&c, files, g_ptr_array_index(files, next),
                          &jobs[next]);
            cmd_job_finish(&c, path, &jobs[i], &o);
            report_outcome(&c, rp, path, &o, &t);
            cmd_outcome_clear(&o);
        }
        g_free(jobs);
    }
    report_finish(rp);
    /* a report asked for and not written fails the run, as a trace does */
    if (c.junit && report_write_junit(rp, c.junit, &junit_error) < 0) {
        fprintf(stderr, "hvd: %s\n", junit_error);
        g_free(junit_error);
        t.bad++;
    }
    if (t.bad)
        ret = EXIT_BAD_INPUT;
    else if (t.nondet)
        ret = EXIT_NONDETERMINISM;
    else if (t.unreachable)
        ret = EXIT_UNREACHABLE;
    else
        ret = report_failed(rp) ? EXIT_FAIL : EXIT_PASS;

out:
    report_free(rp);
    if (t.taken)
        g_hash_table_destroy(t.taken);
    if (files)
        g_ptr_array_free(files, TRUE);
    cli_clear(&c);
    return ret;
}
