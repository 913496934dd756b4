/*
 * main.c: the hvd command — run, replay and validate scenarios.
 *
 * Exit codes (also in `hvd --help` and README.md):
 *   0  every scenario passed (or was skipped)
 *   1  a check or invariant failed
 *   2  bad input: usage, or a scenario file that does not validate, or an
 *      output file asked for (--trace, --junit) that cannot be written
 *   3  non-determinism: two runs of one scenario traced differently
 *   4  a backend could not be reached
 */
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hv.h"
#include "outfile.h"
#include "report.h"
#include "run.h"
#include "scn.h"
#include "trace.h"

enum {
    EXIT_PASS = 0,
    EXIT_FAIL = 1,
    EXIT_BAD_INPUT = SCN_EXIT_BAD_INPUT,
    EXIT_NONDETERMINISM = 3,
    EXIT_UNREACHABLE = 4,
};

static const char exit_codes[] =
    "Exit codes: 0 all passed, 1 a check failed, 2 bad input (or an output "
    "file\nthat cannot be written), 3 non-determinism, 4 a backend could not "
    "be reached.\n";

static void
usage_main(FILE *out)
{
    fprintf(out,
            "usage: hvd COMMAND [OPTIONS] ...\n\n"
            "Commands:\n"
            "  run       run scenarios on a backend and check them\n"
            "  replay    re-run a recorded trace (or a scenario twice) and "
            "compare\n"
            "  validate  check scenario files without running them\n"
            "\n"
            "`hvd COMMAND --help` for each.\n\n%s",
            exit_codes);
}

static void
usage_run(FILE *out)
{
    fprintf(out,
            "usage: hvd run [--backend fake|libvirt] [--host NAME=URI]...\n"
            "               [--junit FILE] [--trace FILE|DIR] "
            "[--check-determinism]\n"
            "               [--compare] [-v] PATH...\n\n"
            "PATH is a scenario file or a folder of them (searched "
            "recursively for *.json;\neach folder once, however many links "
            "lead to it).\n"
            "  -b, --backend B        fake (default) or libvirt\n"
            "  -H, --host NAME=URI    libvirt URI of scenario host NAME "
            "(repeatable)\n"
            "  -j, --junit FILE       also write a JUnit XML report\n"
            "  -t, --trace FILE|DIR   write the trace (JSON lines); a folder "
            "for many scenarios\n"
            "                         (NAME.trace.jsonl each, NAME-2... for "
            "a name met again)\n"
            "  -d, --check-determinism run each scenario twice, fail on "
            "differing traces\n"
            "  -c, --compare          on libvirt: also run on the fake and "
            "fail when the\n"
            "                         normalised traces (steps, lifecycle "
            "events) differ\n"
            "  -v, --verbose          show each step\n"
            "  -h, --help             this help\n\n"
            "Output files are written in place: a new or a regular file, "
            "never a device,\na FIFO, a socket or a symbolic link (refused, "
            "exit 2).\n%s",
            exit_codes);
}

static void
usage_replay(FILE *out)
{
    fprintf(out,
            "usage: hvd replay [--backend B] [--host NAME=URI]... "
            "TRACE-OR-SCENARIO\n\n"
            "A trace written by `hvd run --trace` is re-run from the scenario "
            "it names and\nits hash compared; a scenario is run twice and the "
            "two hashes compared.\n\n%s",
            exit_codes);
}

static void
usage_validate(FILE *out)
{
    fprintf(out,
            "usage: hvd validate PATH...\n\n"
            "Parses every scenario and reports each problem as "
            "FILE:LINE:COLUMN: $.path: what.\n\n%s",
            exit_codes);
}

static int
cmp_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A folder walked, by device and inode (the key of walker.seen). */
typedef struct folder_id {
    dev_t dev;
    ino_t ino;
} folder_id;

static guint
folder_id_hash(gconstpointer p)
{
    const folder_id *f = p;

    return g_int64_hash(&(gint64){(gint64)f->ino}) ^
           g_int64_hash(&(gint64){(gint64)f->dev});
}

static gboolean
folder_id_equal(gconstpointer a, gconstpointer b)
{
    const folder_id *x = a, *y = b;

    return x->dev == y->dev && x->ino == y->ino;
}

/*
 * The walk of the paths given to run and validate: every folder is walked
 * once, however many paths lead to it. A symbolic link to a folder is
 * followed only after the real folders of its path (so that a scenario is
 * named by its real path when it has one) and never to a folder already
 * walked: a link back up the tree would otherwise make the walk endless.
 */
typedef struct walker {
    GHashTable *seen;     /* folder_id walked (owned) */
    GPtrArray *links;     /* links to folders still to follow (g_free) */
    GPtrArray *out;       /* scenario files found (g_free) */
    int *bad;             /* problems reported */
} walker;

/* Report that 'path' cannot be looked at: errno 'err' from stat. */
static void
walk_error(walker *w, const char *path, int err)
{
    struct stat st;

    if (err == ELOOP)
        fprintf(stderr, "hvd: %s: symbolic link loop\n", path);
    else if (err == ENOENT && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        fprintf(stderr, "hvd: %s: symbolic link to nothing (no such file "
                        "or folder)\n", path);
    else if (err == ENOENT)
        fprintf(stderr, "hvd: %s: no such file or folder\n", path);
    else
        fprintf(stderr, "hvd: %s: %s\n", path, g_strerror(err));
    (*w->bad)++;
}

/* Walk the folder 'path' (st its stat) unless it was walked already. */
static void
walk_folder(walker *w, const char *path, const struct stat *st)
{
    folder_id id = {.dev = st->st_dev, .ino = st->st_ino};
    GError *gerr = NULL;
    GPtrArray *names;
    const char *n;
    GDir *dir;

    if (g_hash_table_contains(w->seen, &id))
        return;
    g_hash_table_add(w->seen, g_memdup2(&id, sizeof(id)));
    if (!(dir = g_dir_open(path, 0, &gerr))) {
        fprintf(stderr, "hvd: %s: cannot read the folder: %s\n", path,
                gerr->message);
        g_error_free(gerr);
        (*w->bad)++;
        return;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((n = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_build_filename(path, n, NULL));
    g_dir_close(dir);
    g_ptr_array_sort(names, cmp_paths);
    for (guint i = 0; i < names->len; i++) {
        char *p = g_ptr_array_index(names, i);
        bool json = g_str_has_suffix(p, ".json");
        struct stat lst, tst;

        if (lstat(p, &lst) < 0) {
            if (json)
                walk_error(w, p, errno);
            continue;
        }
        if (S_ISDIR(lst.st_mode)) {
            walk_folder(w, p, &lst);
            continue;
        }
        if (S_ISLNK(lst.st_mode)) {
            /* a *.json is reported whatever it is (a loop of links, a
             * link to nothing); anything else only when it is a folder */
            if (stat(p, &tst) < 0) {
                if (json)
                    walk_error(w, p, errno);
                continue;
            }
            if (S_ISDIR(tst.st_mode)) {
                g_ptr_array_add(w->links, g_strdup(p));
                continue;
            }
        }
        if (json)
            g_ptr_array_add(w->out, g_strdup(p));
    }
    g_ptr_array_free(names, TRUE);
}

/* Scenario files under the path 'path' given by the user. */
static void
walk(walker *w, const char *path)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        walk_error(w, path, errno);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        g_ptr_array_add(w->out, g_strdup(path));
        return;
    }
    walk_folder(w, path, &st);
    /* then the links to folders, in the order met; following one may
     * find more */
    for (guint i = 0; i < w->links->len; i++) {
        const char *link = g_ptr_array_index(w->links, i);

        if (stat(link, &st) == 0 && S_ISDIR(st.st_mode))
            walk_folder(w, link, &st);
    }
    g_ptr_array_set_size(w->links, 0);
}

/* The scenario files of every path, each path's sorted; problems are
 * printed and counted in *bad. */
static GPtrArray *
collect_all(char **paths, int n, int *bad)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    walker w = {.seen = g_hash_table_new_full(folder_id_hash, folder_id_equal,
                                              g_free, NULL),
                .links = g_ptr_array_new_with_free_func(g_free),
                .bad = bad};

    for (int i = 0; i < n; i++) {
        w.out = g_ptr_array_new_with_free_func(g_free);
        walk(&w, paths[i]);
        g_ptr_array_sort(w.out, cmp_paths);
        for (guint k = 0; k < w.out->len; k++)
            g_ptr_array_add(out, g_strdup(g_ptr_array_index(w.out, k)));
        g_ptr_array_free(w.out, TRUE);
    }
    g_ptr_array_free(w.links, TRUE);
    g_hash_table_destroy(w.seen);
    return out;
}

static char *
repro_command(const run_options *opt, const char *path)
{
    GString *s = g_string_new("hvd run");
    char *q;

    if (opt->backend && strcmp(opt->backend, "fake") != 0)
        g_string_append_printf(s, " --backend %s", opt->backend);
    for (char **h = opt->host_uris; h && *h; h++) {
        q = g_shell_quote(*h);
        g_string_append_printf(s, " --host %s", q);
        g_free(q);
    }
    /* quoted for a shell whatever the path holds (a quote, a space) */
    q = g_shell_quote(path);
    g_string_append_printf(s, " -v %s", q);
    g_free(q);
    return g_string_free(s, FALSE);
}

/* Write the trace of res to 'file'; -1 (printed) if it cannot be, e.g. a
 * scenario path that is not valid UTF-8 and so cannot be recorded. */
static int
write_trace(const char *file, const scn *s, const char *path,
            const run_options *opt, const run_result *res)
{
    trace_info info = {.scenario = path,
                       .name = s->name,
                       .backend = opt->backend ? opt->backend : "fake",
                       .seed = s->seed,
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

static int
parse_common(int argc, char **argv, const char *cmd, run_options *opt,
             GPtrArray *hosts, char **junit, char **trace, bool *determinism,
             bool *compare, void (*usage)(FILE *))
{
    static const struct option longopts[] = {
        {"backend", required_argument, NULL, 'b'},
        {"host", required_argument, NULL, 'H'},
        {"junit", required_argument, NULL, 'j'},
        {"trace", required_argument, NULL, 't'},
        {"check-determinism", no_argument, NULL, 'd'},
        {"compare", no_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "b:H:j:t:dcvh", longopts, NULL)) != -1) {
        switch (c) {
        case 'b':
            if (strcmp(optarg, "fake") != 0 && strcmp(optarg, "libvirt") != 0) {
                fprintf(stderr, "hvd %s: --backend is fake or libvirt, not "
                                "'%s'\n", cmd, optarg);
                return -1;
            }
            opt->backend = optarg;
            break;
        case 'H':
            if (!strchr(optarg, '=') || optarg[0] == '=') {
                fprintf(stderr, "hvd %s: --host wants NAME=URI, not '%s'\n",
                        cmd, optarg);
                return -1;
            }
            g_ptr_array_add(hosts, optarg);
            break;
        case 'j':
            if (!junit)
                goto bad;
            *junit = optarg;
            break;
        case 't':
            if (!trace)
                goto bad;
            *trace = optarg;
            break;
        case 'd':
            if (!determinism)
                goto bad;
            *determinism = true;
            break;
        case 'c':
            if (!compare)
                goto bad;
            *compare = true;
            break;
        case 'v':
            opt->verbose = true;
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_PASS);
        default:
            goto bad;
        }
    }
    g_ptr_array_add(hosts, NULL);
    opt->host_uris = (char **)hosts->pdata;
    return 0;

bad:
    usage(stderr);
    return -1;
}

/*
 * Compare two traces of scenario 'name' (texts and hashes); 1 if they
 * differ, after printing the hashes and the first differing line of each
 * (a first, b second).
 */
static int
print_difference(const char *name, const char *hash_a, const char *trace_a,
                 const char *hash_b, const char *trace_b)
{
    char *la = NULL, *lb = NULL;
    unsigned int line;
    int d = 0;

    line = trace_first_difference(trace_a ? trace_a : "",
                                  trace_b ? trace_b : "", &la, &lb);
    if (line || strcmp(hash_a, hash_b) != 0) {
        fprintf(stdout, "# non-determinism in %s: hashes %s and %s; first "
                        "difference at trace line %u:\n#   %s\n#   %s\n",
                name, hash_a, hash_b, line, la ? la : "(none)",
                lb ? lb : "(none)");
        d = 1;
    }
    g_free(la);
    g_free(lb);
    return d;
}

/*
 * Run a scenario again, independently of 'first' (a fresh world, a fresh
 * trace), and compare the two traces' texts and hashes; 1 if they differ
 * (prints where). HVD_TEST_NONDETERMINISM=1 in the environment perturbs
 * this second run (see run_options.test_perturb): a test hook that proves
 * the check can fail.
 */
static int
differs(const scn *s, const run_options *opt, const run_result *first)
{
    run_options second = *opt;
    run_result again;
    const char *hook = getenv("HVD_TEST_NONDETERMINISM");
    int d;

    second.test_perturb = hook && strcmp(hook, "1") == 0;
    run_scenario(s, &second, &again);
    d = print_difference(s->name, first->hash, first->trace, again.hash,
                         again.trace);
    run_result_clear(&again);
    return d;
}

/*
 * Run s on the fake too and compare the normalised traces: a difference
 * fails the real run (a case where the fake and real QEMU disagree is a
 * bug in the fake, or in the scenario's expectations).
 */
static void
compare_with_fake(const scn *s, run_result *res)
{
    run_options fake = {.backend = "fake"};
    run_result f;
    char *nf, *nr, *la = NULL, *lb = NULL;

    run_scenario(s, &fake, &f);
    nf = trace_normalise(f.trace);
    nr = trace_normalise(res->trace);
    if (trace_first_difference(nf, nr, &la, &lb)) {
        res->passed = false;
        g_free(res->message);
        res->message = g_strdup_printf(
            "the fake and this backend differ: fake [%s], here [%s]", la, lb);
        g_free(la);
        g_free(lb);
    }
    g_free(nf);
    g_free(nr);
    run_result_clear(&f);
}

static int
cmd_run(int argc, char **argv)
{
    run_options opt = {.backend = "fake"};
    GPtrArray *hosts = g_ptr_array_new();
    char *junit = NULL, *trace = NULL, *junit_error = NULL;
    bool determinism = false, compare = false, trace_folder = false;
    GHashTable *taken = NULL;
    GPtrArray *files;
    report *rp;
    int bad = 0, nondet = 0, unreachable = 0, ret;

    if (parse_common(argc, argv, "run", &opt, hosts, &junit, &trace,
                     &determinism, &compare, usage_run) < 0) {
        g_ptr_array_free(hosts, TRUE);
        return EXIT_BAD_INPUT;
    }
    if (optind >= argc) {
        usage_run(stderr);
        g_ptr_array_free(hosts, TRUE);
        return EXIT_BAD_INPUT;
    }
    files = collect_all(argv + optind, argc - optind, &bad);
    /* an output path that cannot be written is refused before the run */
    if ((trace && trace_target(trace, files->len, &trace_folder) < 0) ||
        (junit && junit_target(junit) < 0)) {
        g_ptr_array_free(files, TRUE);
        g_ptr_array_free(hosts, TRUE);
        return EXIT_BAD_INPUT;
    }
    taken = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    rp = report_new(stdout, opt.backend);
    for (guint i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        char *error = NULL, *repro;
        run_result res;
        scn *s = scn_load(path, &error);

        if (!s) {
            fprintf(stderr, "%s\n", error);
            report_error(rp, path, error);
            g_free(error);
            bad++;
            continue;
        }
        if (opt.verbose)
            fprintf(stderr, "%s (%s):\n", s->name, path);
        if (run_scenario(s, &opt, &res) < 0)
            unreachable++;
        else if (determinism && res.passed && !res.skipped &&
                 differs(s, &opt, &res)) {
            nondet++;
            res.passed = false;
            g_free(res.message);
            res.message = g_strdup("non-determinism: two runs traced "
                                   "differently");
        }
        else if (compare && res.passed && !res.skipped &&
                 strcmp(opt.backend, "fake") != 0 && scn_runs_on(s, "fake"))
            compare_with_fake(s, &res);
        repro = repro_command(&opt, path);
        report_add(rp, path, s->name, &res, repro);
        if (trace && !res.skipped) {
            bool renamed = false;
            char *file = trace_folder
                             ? trace_file_in(trace, s->name, taken, &renamed)
                             : g_strdup(trace);

            if (renamed)
                fprintf(stderr, "hvd: %s: an earlier scenario of this run "
                                "is named %s too: this one's trace is %s\n",
                        path, s->name, file);
            /* a trace asked for and not written is bad input: the path
             * or --trace given cannot hold it */
            if (write_trace(file, s, path, &opt, &res) < 0)
                bad++;
            g_free(file);
        }
        g_free(repro);
        run_result_clear(&res);
        scn_free(s);
    }
    report_finish(rp);
    /* a report asked for and not written fails the run, as a trace does */
    if (junit && report_write_junit(rp, junit, &junit_error) < 0) {
        fprintf(stderr, "hvd: %s\n", junit_error);
        g_free(junit_error);
        bad++;
    }
    if (bad)
        ret = EXIT_BAD_INPUT;
    else if (nondet)
        ret = EXIT_NONDETERMINISM;
    else if (unreachable)
        ret = EXIT_UNREACHABLE;
    else
        ret = report_failed(rp) ? EXIT_FAIL : EXIT_PASS;
    report_free(rp);
    g_hash_table_destroy(taken);
    g_ptr_array_free(files, TRUE);
    g_ptr_array_free(hosts, TRUE);
    return ret;
}

static int
cmd_replay(int argc, char **argv)
{
    run_options opt = {.backend = "fake"};
    GPtrArray *hosts = g_ptr_array_new();
    trace_file *tf = NULL;
    char *error = NULL;
    run_result res;
    scn *s = NULL;
    int ret = EXIT_BAD_INPUT, rc;

    if (parse_common(argc, argv, "replay", &opt, hosts, NULL, NULL, NULL,
                     NULL, usage_replay) < 0)
        goto out;
    if (optind != argc - 1) {
        usage_replay(stderr);
        goto out;
    }
    rc = trace_read(argv[optind], &tf, &error);
    if (rc < 0) {
        fprintf(stderr, "hvd replay: %s\n", error);
        goto out;
    }
    if (rc == 0) {
        char recorded[TRACE_HASH_LEN + 1];

        if (strcmp(tf->backend, "fake") != 0 &&
            strcmp(tf->backend, "libvirt") != 0) {
            fprintf(stderr, "hvd replay: %s:1: unknown backend '%s' in the "
                            "trace header\n", argv[optind], tf->backend);
            goto out;
        }
        trace_hash(tf->body, recorded);
        if (strcmp(recorded, tf->hash) != 0)
            fprintf(stderr, "hvd replay: %s: the trace was edited (hash %s, "
                            "header says %s); comparing with its content\n",
                    argv[optind], recorded, tf->hash);
        if (!(s = scn_load(tf->scenario, &error))) {
            fprintf(stderr, "%s\n", error);
            goto out;
        }
        opt.backend = tf->backend;
        if (run_scenario(s, &opt, &res) < 0) {
            fprintf(stderr, "hvd replay: %s\n", res.message);
            run_result_clear(&res);
            ret = EXIT_UNREACHABLE;
            goto out;
        }
        if (strcmp(res.hash, recorded) == 0) {
            printf("replay %s: identical (trace %s)\n", s->name, res.hash);
            ret = EXIT_PASS;
        } else {
            /* where the recorded run and this one part */
            print_difference(s->name, recorded, tf->body, res.hash,
                             res.trace);
            printf("replay %s: differs (recorded %s, now %s)\n", s->name,
                   recorded, res.hash);
            ret = EXIT_NONDETERMINISM;
        }
        run_result_clear(&res);
        goto out;
    }
    g_clear_pointer(&error, g_free);
    /* a scenario: run it twice */
    if (!(s = scn_load(argv[optind], &error))) {
        fprintf(stderr, "%s\n", error);
        goto out;
    }
    if (run_scenario(s, &opt, &res) < 0) {
        fprintf(stderr, "hvd replay: %s\n", res.message);
        run_result_clear(&res);
        ret = EXIT_UNREACHABLE;
        goto out;
    }
    if (differs(s, &opt, &res)) {
        ret = EXIT_NONDETERMINISM;
    } else {
        printf("replay %s: identical over two runs (trace %s)\n", s->name,
               res.hash);
        ret = EXIT_PASS;
    }
    run_result_clear(&res);

out:
    scn_free(s);
    g_free(error);
    trace_file_free(tf);
    g_ptr_array_free(hosts, TRUE);
    return ret;
}

static int
cmd_validate(int argc, char **argv)
{
    GPtrArray *files;
    int bad = 0;
    unsigned int ok = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage_validate(stdout);
            return EXIT_PASS;
        }
    }
    if (argc < 2) {
        usage_validate(stderr);
        return EXIT_BAD_INPUT;
    }
    files = collect_all(argv + 1, argc - 1, &bad);
    for (guint i = 0; i < files->len; i++) {
        char *error = NULL;
        scn *s = scn_load(g_ptr_array_index(files, i), &error);

        if (s) {
            ok++;
            scn_free(s);
        } else {
            fprintf(stderr, "%s\n", error);
            bad++;
        }
        g_free(error);
    }
    printf("%u valid, %d invalid\n", ok, bad);
    g_ptr_array_free(files, TRUE);
    return bad ? EXIT_BAD_INPUT : EXIT_PASS;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return EXIT_BAD_INPUT;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        usage_main(stdout);
        return EXIT_PASS;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "replay") == 0)
        return cmd_replay(argc - 1, argv + 1);
    if (strcmp(argv[1], "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);

    fprintf(stderr, "hvd: unknown command '%s'\n", argv[1]);
    usage_main(stderr);
    return EXIT_BAD_INPUT;
}
