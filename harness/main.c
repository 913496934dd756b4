/*
 * main.c: the hvd command — run, replay, validate and list scenarios.
 *
 * Exit codes (also in `hvd --help`, the man page and README.md):
 *   0  every scenario passed (or was skipped)
 *   1  a check or invariant failed
 *   2  bad input: usage (an unknown option, --backend libvirt without
 *      --host, a path with no scenario in it...), a scenario file that does
 *      not validate, or an output file asked for (--trace, --junit) that
 *      cannot be written
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
#include <sys/wait.h>
#include <unistd.h>

#include "hv.h"
#include "outfile.h"
#include "report.h"
#include "run.h"
#include "scn.h"
#include "settings.h"
#include "trace.h"
#include "version.h"

enum {
    EXIT_PASS = 0,
    EXIT_FAIL = 1,
    EXIT_BAD_INPUT = SCN_EXIT_BAD_INPUT,
    EXIT_NONDETERMINISM = 3,
    EXIT_UNREACHABLE = 4,
};

/* The most scenarios run at once by -j. */
#define MAX_JOBS 256

static const char exit_codes[] =
    "Exit codes: 0 all passed, 1 a check failed, 2 bad input (usage, a "
    "scenario that\ndoes not validate, a path with no scenario, an output "
    "file that cannot be\nwritten), 3 non-determinism, 4 a backend could "
    "not be reached.\n";

static const char real_help[] =
    "Real runs (--backend libvirt) boot the tiny guest of ci/tiny-guest.sh; "
    "each\nsetting comes from the first of: the option; the configuration "
    "file\n($HVD_CONFIG, else " SETTINGS_DEFAULT_CONFIG ": {\"virt_type\": "
    "..., \"guest_kernel\": ...,\n\"guest_initrd\": ...}); the environment "
    "(HVD_VIRT_TYPE, HVD_GUEST_KERNEL,\nHVD_GUEST_INITRD); what "
    "ci/guest-probe.sh and ci/tiny-guest.sh left in\n$HVD_CACHE (default "
    SETTINGS_DEFAULT_CACHE "): virt-type and tiny-guest/tiny-guest.env; "
    "else\nthe scenario's virt type (kvm) and its image as it is. A run "
    "says which it used.\n"
    "  --virt-type kvm|qemu   libvirt domain type (qemu = TCG, without "
    "KVM)\n"
    "  --guest-kernel PATH    kernel booted directly by every instance\n"
    "  --guest-initrd PATH    its initramfs\n";

static void
usage_main(FILE *out)
{
    fprintf(out,
            "usage: hvd COMMAND [OPTIONS] ...\n"
            "       hvd --version\n\n"
            "Commands:\n"
            "  run       run scenarios on a backend and check them\n"
            "  replay    re-run a recorded trace (or a scenario twice) and "
            "compare\n"
            "  validate  check scenario files without running them\n"
            "  list      list scenarios: name, family, backends, "
            "description\n"
            "\n"
            "`hvd COMMAND --help` for each; `man hvd` for all.\n\n%s",
            exit_codes);
}

static void
usage_run(FILE *out)
{
    fprintf(out,
            "usage: hvd run [OPTIONS] PATH...\n\n"
            "PATH is a scenario file or a folder of them (searched "
            "recursively for *.json;\neach folder once, however many links "
            "lead to it); a PATH with none is an error.\n"
            "  -b, --backend B        fake (default) or libvirt\n"
            "  -H, --host NAME=URI    libvirt URI of scenario host NAME "
            "(repeatable;\n"
            "                         '*=URI' for every host not named); "
            "libvirt needs it\n"
            "  -k PATTERN             only the scenarios whose name matches "
            "the glob PATTERN\n"
            "                         (repeatable: any of them)\n"
            "  -s, --seed N           the fake world's seed instead of the "
            "scenario's\n"
            "  -j, --jobs N           run N scenarios at once (fake only); "
            "output and\n"
            "                         traces as with -j 1, in the same "
            "order\n"
            "      --junit FILE       also write a JUnit XML report\n"
            "  -t, --trace FILE|DIR   write the trace (JSON lines); a folder "
            "for many scenarios\n"
            "                         (NAME.trace.jsonl each, NAME-2... for "
            "a name met again);\n"
            "                         FILE with several scenarios is "
            "refused\n"
            "  -d, --check-determinism run each scenario twice, fail on "
            "differing traces\n"
            "  -c, --compare          on libvirt: also run on the fake and "
            "fail when the\n"
            "                         normalised traces (steps, lifecycle "
            "events) differ\n"
            "  -v, --verbose          show each step: its time (virtual "
            "seconds on the fake,\n"
            "                         wall seconds on libvirt), how long it "
            "took, its result\n"
            "  -q, --quiet            no line per passing or skipped "
            "scenario: failures and\n"
            "                         the summary only\n"
            "  -h, --help             this help\n\n%s\n"
            "Output files are written in place: a new or a regular file, "
            "never a device,\na FIFO, a socket or a symbolic link (refused, "
            "exit 2).\n%s",
            real_help, exit_codes);
}

static void
usage_replay(FILE *out)
{
    fprintf(out,
            "usage: hvd replay [--host NAME=URI]... [--virt-type T] "
            "[--guest-kernel P]\n"
            "                  [--guest-initrd P] [-v] TRACE-OR-SCENARIO\n\n"
            "A trace written by `hvd run --trace` is re-run from the scenario "
            "it names, on\nthe backend and with the seed it records, and "
            "compared: on the fake its hash\n(the trace byte for byte); a "
            "trace recorded on libvirt by its normalised trace\n(steps and "
            "lifecycle events, not times: a real run's timing differs "
            "every time),\nwhich needs --host. A scenario is run twice on "
            "the fake and the two hashes\ncompared.\n\n%s\n%s",
            real_help, exit_codes);
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

static void
usage_list(FILE *out)
{
    fprintf(out,
            "usage: hvd list [-k PATTERN]... [PATH...]\n\n"
            "One line per scenario: its name, its family (the folder it is "
            "in), the\nbackends it runs on and its description. PATH "
            "defaults to ./scenarios.\n\n%s",
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
 * printed and counted in *bad, a path with no scenario in it among them. */
static GPtrArray *
collect_all(char **paths, int n, int *bad)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    walker w = {.seen = g_hash_table_new_full(folder_id_hash, folder_id_equal,
                                              g_free, NULL),
                .links = g_ptr_array_new_with_free_func(g_free),
                .bad = bad};

    for (int i = 0; i < n; i++) {
        int before = *bad;
        bool again = false;
        struct stat st;

        /* a folder met already under an earlier path is no empty path */
        if (stat(paths[i], &st) == 0 && S_ISDIR(st.st_mode))
            again = g_hash_table_contains(
                w.seen, &(folder_id){.dev = st.st_dev, .ino = st.st_ino});
        w.out = g_ptr_array_new_with_free_func(g_free);
        walk(&w, paths[i]);
        if (w.out->len == 0 && *bad == before && !again) {
            fprintf(stderr, "hvd: %s: no scenarios in it (no *.json file "
                            "in the folder or below)\n", paths[i]);
            (*bad)++;
        }
        g_ptr_array_sort(w.out, cmp_paths);
        for (guint k = 0; k < w.out->len; k++)
            g_ptr_array_add(out, g_strdup(g_ptr_array_index(w.out, k)));
        g_ptr_array_free(w.out, TRUE);
    }
    g_ptr_array_free(w.links, TRUE);
    g_hash_table_destroy(w.seen);
    return out;
}

/* What the command line of run and replay asked for. */
typedef struct cli {
    const char *cmd;       /* "run", "replay" */
    run_options opt;
    GPtrArray *hosts;      /* "NAME=URI" (borrowed from argv), NULL ended */
    char *junit, *trace;   /* borrowed from argv */
    bool determinism, compare, quiet;
    GPtrArray *patterns;   /* -k globs (borrowed) */
    bool seed_given;
    uint64_t seed;
    unsigned int jobs;
    /* the real run's settings as given, then as resolved */
    const char *virt_type, *guest_kernel, *guest_initrd;
    settings st;
} cli;

/* What a command accepts beyond --backend, --host, the real settings, -v
 * and --help. */
enum {
    CLI_RUN = 1 << 0, /* --junit, --trace, -d, -c, -k, --seed, -j, -q */
};

enum {
    OPT_JUNIT = 256,
    OPT_VIRT_TYPE,
    OPT_GUEST_KERNEL,
    OPT_GUEST_INITRD,
};

static void
cli_clear(cli *c)
{
    if (c->hosts)
        g_ptr_array_free(c->hosts, TRUE);
    if (c->patterns)
        g_ptr_array_free(c->patterns, TRUE);
    settings_clear(&c->st);
}

/* A whole decimal number in [min, max] from text; 0 or -1. */
static int
parse_number(const char *text, guint64 min, guint64 max, guint64 *out)
{
    return g_ascii_string_to_unsigned(text, 10, min, max, out, NULL) ? 0 : -1;
}

/*
 * Parse the options of run or replay (what: CLI_* bits) into c; -1 after
 * printing the problem (a usage error). --help exits.
 */
static int
parse_common(int argc, char **argv, cli *c, unsigned int what,
             void (*usage)(FILE *))
{
    static const struct option longopts[] = {
        {"backend", required_argument, NULL, 'b'},
        {"host", required_argument, NULL, 'H'},
        {"junit", required_argument, NULL, OPT_JUNIT},
        {"trace", required_argument, NULL, 't'},
        {"check-determinism", no_argument, NULL, 'd'},
        {"compare", no_argument, NULL, 'c'},
        {"seed", required_argument, NULL, 's'},
        {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"virt-type", required_argument, NULL, OPT_VIRT_TYPE},
        {"guest-kernel", required_argument, NULL, OPT_GUEST_KERNEL},
        {"guest-initrd", required_argument, NULL, OPT_GUEST_INITRD},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cmd = c->cmd;
    bool run = what & CLI_RUN;
    guint64 num;
    int o;

    c->hosts = g_ptr_array_new();
    c->patterns = g_ptr_array_new();
    c->jobs = 1;
    c->opt.backend = "fake";
    optind = 1;
    while ((o = getopt_long(argc, argv, "b:H:t:dcs:j:qk:vh", longopts,
                            NULL)) != -1) {
        if (!run && o > 0 && o < 256 && strchr("tdcsjqk", o))
            goto bad;
        switch (o) {
        case 'b':
            if (strcmp(optarg, "fake") != 0 && strcmp(optarg, "libvirt") != 0) {
                fprintf(stderr, "hvd %s: --backend is fake or libvirt, not "
                                "'%s'\n", cmd, optarg);
                return -1;
            }
            c->opt.backend = optarg;
            break;
        case 'H':
            if (!strchr(optarg, '=') || optarg[0] == '=') {
                fprintf(stderr, "hvd %s: --host wants NAME=URI, not '%s'\n",
                        cmd, optarg);
                return -1;
            }
            g_ptr_array_add(c->hosts, optarg);
            break;
        case OPT_JUNIT:
            if (!run)
                goto bad;
            c->junit = optarg;
            break;
        case 't':
            c->trace = optarg;
            break;
        case 'd':
            c->determinism = true;
            break;
        case 'c':
            c->compare = true;
            break;
        case 's':
            if (parse_number(optarg, 0, G_MAXUINT64, &num) < 0) {
                fprintf(stderr, "hvd %s: --seed takes a whole number from 0 "
                                "to %" G_GUINT64_FORMAT ", not '%s'\n",
                        cmd, G_MAXUINT64, optarg);
                return -1;
            }
            c->seed_given = true;
            c->seed = num;
            break;
        case 'j':
            if (parse_number(optarg, 1, MAX_JOBS, &num) < 0) {
                fprintf(stderr, "hvd %s: -j takes a number of scenarios to "
                                "run at once, 1 to %d, not '%s' (the JUnit "
                                "report is --junit FILE)\n",
                        cmd, MAX_JOBS, optarg);
                return -1;
            }
            c->jobs = (unsigned int)num;
            break;
        case 'q':
            c->quiet = true;
            break;
        case 'k':
            g_ptr_array_add(c->patterns, optarg);
            break;
        case OPT_VIRT_TYPE:
            c->virt_type = optarg;
            break;
        case OPT_GUEST_KERNEL:
            c->guest_kernel = optarg;
            break;
        case OPT_GUEST_INITRD:
            c->guest_initrd = optarg;
            break;
        case 'v':
            c->opt.verbose = true;
            break;
        case 'h':
            usage(stdout);
            cli_clear(c);
            exit(EXIT_PASS);
        default:
            goto bad;
        }
    }
    g_ptr_array_add(c->hosts, NULL);
    c->opt.host_uris = (char **)c->hosts->pdata;
    return 0;

bad:
    usage(stderr);
    return -1;
}

/*
 * Once the backend is known: on libvirt, check that hosts are mapped and
 * resolve the real run's settings (settings.h) into c->opt, saying which
 * were used as a TAP comment on stdout; on the fake, say that real
 * settings given are not used. -1 after printing a usage problem.
 */
static int
resolve_backend(cli *c)
{
    char *note = NULL, *error = NULL;
    const settings *st = &c->st;

    if (strcmp(c->opt.backend, "libvirt") != 0) {
        if (c->virt_type || c->guest_kernel || c->guest_initrd)
            fprintf(stderr, "hvd %s: --virt-type, --guest-kernel and "
                            "--guest-initrd are for real runs (--backend "
                            "libvirt): not used on the fake\n", c->cmd);
        return 0;
    }
    if (c->hosts->len <= 1) {
        fprintf(stderr, "hvd %s: --backend libvirt needs --host NAME=URI for "
                        "the scenario's hosts, e.g. --host "
                        "'*=qemu:///system'\n", c->cmd);
        return -1;
    }
    if (c->jobs > 1) {
        fprintf(stderr, "hvd %s: -j runs scenarios at once on the fake only "
                        "(real guests share one host)\n", c->cmd);
        return -1;
    }
    if (settings_resolve(&c->st, c->virt_type, c->guest_kernel,
                         c->guest_initrd, &note, &error) < 0) {
        fprintf(stderr, "hvd %s: %s\n", c->cmd, error);
        g_free(error);
        return -1;
    }
    if (note)
        fprintf(stderr, "hvd %s: %s\n", c->cmd, note);
    g_free(note);
    c->opt.virt_type = st->virt_type.value;
    c->opt.guest_kernel = st->guest_kernel.value;
    c->opt.guest_initrd = st->guest_initrd.value;
    printf("# real run: virt type %s (from %s); ",
           st->virt_type.value ? st->virt_type.value : "the scenario's",
           st->virt_type.from ? st->virt_type.from : "default");
    if (st->guest_kernel.value)
        printf("guest kernel %s (from %s), initramfs %s (from %s)\n",
               st->guest_kernel.value, st->guest_kernel.from,
               st->guest_initrd.value ? st->guest_initrd.value : "none",
               st->guest_initrd.from ? st->guest_initrd.from : "default");
    else
        printf("no guest kernel: the images boot as they are (give "
               "--guest-kernel, or build the tiny guest: ci/tiny-guest.sh)\n");
    fflush(stdout);
    return 0;
}

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


/* Does the scenario name match one of the -k globs (all when none)? */
static bool
name_selected(const GPtrArray *patterns, const char *name)
{
    if (!patterns || patterns->len == 0)
        return true;
    for (guint i = 0; i < patterns->len; i++)
        if (g_pattern_match_simple(g_ptr_array_index(patterns, i), name))
            return true;
    return false;
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

        if (!s || name_selected(patterns, s->name))
            g_ptr_array_add(out, g_strdup(path));
        scn_free(s);
        g_free(error);
    }
    g_ptr_array_free(files, TRUE);
    return out;
}

/* What running one scenario gave: made by run_one, in this process or a
 * -j worker, and reported by report_outcome. */
typedef struct outcome {
    char *load_error;   /* the scenario did not load: why (g_free) */
    bool usage;         /* not run: the command line cannot run it (a
                           host without URI); res.message says why */
    char *name;         /* the scenario's name (g_free) */
    uint64_t seed;      /* the seed it ran with */
    bool unreachable;   /* a backend could not be reached */
    bool nondet;        /* --check-determinism saw two traces */
    run_result res;
    char *out, *err;    /* what a -j worker printed (g_free), or NULL */
} outcome;

static void
outcome_clear(outcome *o)
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
static void
run_one(const cli *c, const char *path, outcome *o)
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
             differs(s, &c->opt, &o->res)) {
        o->nondet = true;
        o->res.passed = false;
        g_free(o->res.message);
        o->res.message = g_strdup("non-determinism: two runs traced "
                                  "differently");
    } else if (c->compare && o->res.passed && !o->res.skipped &&
               strcmp(c->opt.backend, "fake") != 0 && scn_runs_on(s, "fake"))
        compare_with_fake(s, &o->res);
    scn_free(s);
}

/* ---- -j: each scenario in a worker process, reported in order ---- */

static void
put_raw(FILE *f, const void *p, size_t n)
{
    fwrite(p, 1, n, f);
}

static void
put_str(FILE *f, const char *s)
{
    uint64_t n = s ? strlen(s) : UINT64_MAX;

    put_raw(f, &n, sizeof(n));
    if (s)
        put_raw(f, s, n);
}

static bool
get_raw(FILE *f, void *p, size_t n)
{
    return fread(p, 1, n, f) == n;
}

/* A string put by put_str; false if the file ends first. */
static bool
get_str(FILE *f, char **out)
{
    uint64_t n;

    *out = NULL;
    if (!get_raw(f, &n, sizeof(n)))
        return false;
    if (n == UINT64_MAX)
        return true;
    if (n >= (uint64_t)G_MAXSIZE / 2)
        return false;
    *out = g_malloc(n + 1);
    (*out)[n] = '\0';
    return get_raw(f, *out, n);
}

/* The outcome, as a worker hands it to the parent (same binary: raw). */
static void
put_outcome(FILE *f, const outcome *o)
{
    const run_result *r = &o->res;

    put_str(f, o->load_error);
    put_str(f, o->name);
    put_raw(f, &o->seed, sizeof(o->seed));
    put_raw(f, &o->usage, sizeof(o->usage));
    put_raw(f, &o->unreachable, sizeof(o->unreachable));
    put_raw(f, &o->nondet, sizeof(o->nondet));
    put_raw(f, &r->passed, sizeof(r->passed));
    put_raw(f, &r->skipped, sizeof(r->skipped));
    put_str(f, r->message);
    put_raw(f, &r->failed_step, sizeof(r->failed_step));
    put_raw(f, &r->steps_run, sizeof(r->steps_run));
    put_str(f, r->trace);
    put_raw(f, r->hash, sizeof(r->hash));
    put_raw(f, &r->sim_ns, sizeof(r->sim_ns));
    put_raw(f, &r->wall_s, sizeof(r->wall_s));
}

static bool
get_outcome(FILE *f, outcome *o)
{
    run_result *r = &o->res;

    return get_str(f, &o->load_error) && get_str(f, &o->name) &&
           get_raw(f, &o->seed, sizeof(o->seed)) &&
           get_raw(f, &o->usage, sizeof(o->usage)) &&
           get_raw(f, &o->unreachable, sizeof(o->unreachable)) &&
           get_raw(f, &o->nondet, sizeof(o->nondet)) &&
           get_raw(f, &r->passed, sizeof(r->passed)) &&
           get_raw(f, &r->skipped, sizeof(r->skipped)) &&
           get_str(f, &r->message) &&
           get_raw(f, &r->failed_step, sizeof(r->failed_step)) &&
           get_raw(f, &r->steps_run, sizeof(r->steps_run)) &&
           get_str(f, &r->trace) && get_raw(f, r->hash, sizeof(r->hash)) &&
           r->hash[TRACE_HASH_LEN] == '\0' &&
           get_raw(f, &r->sim_ns, sizeof(r->sim_ns)) &&
           get_raw(f, &r->wall_s, sizeof(r->wall_s));
}

/* The whole content of a temporary file (g_free). */
static char *
slurp(FILE *f)
{
    GString *s = g_string_new(NULL);
    char buf[8192];
    size_t n;

    rewind(f);
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        g_string_append_len(s, buf, (gssize)n);
    return g_string_free(s, FALSE);
}

/* A scenario running in a worker: its process, and the files its outcome,
 * stdout and stderr go to (unlinked temporary files). */
typedef struct job {
    pid_t pid;
    FILE *res, *out, *err;
} job;

/* Start the worker of the scenario at path (one of files, which the
 * worker frees); with no worker (no process, no temporary file) pid is 0
 * and job_finish runs it here. */
static void
job_start(const cli *c, GPtrArray *files, const char *path, job *j)
{
    outcome o;

    memset(j, 0, sizeof(*j));
    if (!(j->res = tmpfile()) || !(j->out = tmpfile()) ||
        !(j->err = tmpfile()))
        return;
    fflush(NULL); /* nothing buffered is printed twice */
    j->pid = fork();
    if (j->pid != 0) {
        if (j->pid < 0)
            j->pid = 0;
        return;
    }
    if (dup2(fileno(j->out), STDOUT_FILENO) < 0 ||
        dup2(fileno(j->err), STDERR_FILENO) < 0)
        _exit(1);
    run_one(c, path, &o);
    put_outcome(j->res, &o);
    outcome_clear(&o);
    /* what only the parent uses, freed so that a leak check of the
     * worker (valgrind follows forks) sees its own memory only */
    g_ptr_array_free(files, TRUE);
    _exit(fflush(NULL) == 0 && !ferror(j->res) ? 0 : 1);
}

/* Wait for the worker of the scenario at path and take its outcome. */
static void
job_finish(const cli *c, const char *path, job *j, outcome *o)
{
    int status = 0;

    memset(o, 0, sizeof(*o));
    if (j->pid <= 0) {
        run_one(c, path, o);
    } else {
        while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
            ;
        rewind(j->res);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
            !get_outcome(j->res, o)) {
            outcome_clear(o);
            o->name = g_path_get_basename(path);
            o->res.failed_step = -1;
            o->res.message =
                WIFSIGNALED(status)
                    ? g_strdup_printf("the run of this scenario was killed "
                                      "by signal %d (%s): run it alone, with "
                                      "-v, to see where",
                                      WTERMSIG(status),
                                      g_strsignal(WTERMSIG(status)))
                    : g_strdup_printf("the run of this scenario ended with "
                                      "status %d%s: run it alone, with -v",
                                      WEXITSTATUS(status),
                                      WEXITSTATUS(status)
                                          ? "" : " without its outcome");
        }
        o->out = slurp(j->out);
        o->err = slurp(j->err);
    }
    if (j->res)
        fclose(j->res);
    if (j->out)
        fclose(j->out);
    if (j->err)
        fclose(j->err);
    memset(j, 0, sizeof(*j));
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

static int
cmd_run(int argc, char **argv)
{
    cli c = {.cmd = "run"};
    tally t = {0};
    char *junit_error = NULL;
    GPtrArray *files = NULL;
    report *rp = NULL;
    int ret = EXIT_BAD_INPUT;

    if (parse_common(argc, argv, &c, CLI_RUN, usage_run) < 0)
        goto out;
    if (optind >= argc) {
        usage_run(stderr);
        goto out;
    }
    if (resolve_backend(&c) < 0)
        goto out;
    files = collect_all(argv + optind, argc - optind, &t.bad);
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

            run_one(&c, path, &o);
            report_outcome(&c, rp, path, &o, &t);
            outcome_clear(&o);
        }
    } else {
        /* up to c.jobs workers ahead of the one reported next */
        job *jobs = g_new0(job, files->len);
        guint next = 0;

        for (guint i = 0; i < files->len; i++) {
            const char *path = g_ptr_array_index(files, i);
            outcome o;

            for (; next < files->len && next < i + c.jobs; next++)
                job_start(&c, files, g_ptr_array_index(files, next),
                          &jobs[next]);
            job_finish(&c, path, &jobs[i], &o);
            report_outcome(&c, rp, path, &o, &t);
            outcome_clear(&o);
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

/*
 * Compare the replay of a trace recorded on libvirt with the recording:
 * a real run's times (and the hv calls its timing decides, polls and
 * retries) differ every time, so both are compared by their normalised
 * traces (trace_normalise: steps and lifecycle events). One hash per run,
 * of its normalised trace. EXIT_PASS or EXIT_NONDETERMINISM.
 */
static int
replay_compare_real(const char *name, const char *recorded_body,
                    const run_result *res, bool two_runs)
{
    char *nrec = trace_normalise(recorded_body);
    char *nnow = trace_normalise(res->trace ? res->trace : "");
    char hrec[TRACE_HASH_LEN + 1], hnow[TRACE_HASH_LEN + 1];
    char *la = NULL, *lb = NULL;
    unsigned int line;
    int ret;

    trace_hash(nrec, hrec);
    trace_hash(nnow, hnow);
    printf("replay %s: %s on libvirt, so compared by the normalised trace "
           "(steps and lifecycle events, not times)\n", name,
           two_runs ? "run twice" : "recorded");
    line = trace_first_difference(nrec, nnow, &la, &lb);
    if (line == 0) {
        printf("replay %s: identical (normalised trace %s)\n", name, hrec);
        ret = EXIT_PASS;
    } else {
        printf("# first difference at normalised trace line %u:\n"
               "#   recorded: %s\n#   this run: %s\n", line, la, lb);
        printf("replay %s: differs (normalised trace: recorded %s, this run "
               "%s)\n", name, hrec, hnow);
        ret = EXIT_NONDETERMINISM;
    }
    g_free(la);
    g_free(lb);
    g_free(nrec);
    g_free(nnow);
    return ret;
}

static int
cmd_replay(int argc, char **argv)
{
    cli c = {.cmd = "replay"};
    trace_file *tf = NULL;
    char *error = NULL;
    run_result res;
    scn *s = NULL;
    int ret = EXIT_BAD_INPUT, rc;

    if (parse_common(argc, argv, &c, 0, usage_replay) < 0)
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
        if (strcmp(c.opt.backend, "fake") != 0 &&
            strcmp(c.opt.backend, tf->backend) != 0) {
            fprintf(stderr, "hvd replay: %s was recorded on %s: it replays "
                            "there (--backend is not needed)\n",
                    argv[optind], tf->backend);
            goto out;
        }
        c.opt.backend = tf->backend;
        if (resolve_backend(&c) < 0)
            goto out;
        trace_hash(tf->body, recorded);
        if (strcmp(recorded, tf->hash) != 0)
            fprintf(stderr, "hvd replay: %s: the trace was edited after "
                            "it was written (its header's hash is not its "
                            "content's); comparing with its content\n",
                    argv[optind]);
        if (!(s = scn_load(tf->scenario, &error))) {
            fprintf(stderr, "%s\n", error);
            goto out;
        }
        /* the seed the run was recorded with (hvd run --seed) */
        s->seed = tf->seed;
        if (run_scenario(s, &c.opt, &res) < 0) {
            fprintf(stderr, "hvd replay: %s\n", res.message);
            run_result_clear(&res);
            ret = EXIT_UNREACHABLE;
            goto out;
        }
        if (strcmp(tf->backend, "fake") != 0) {
            ret = replay_compare_real(s->name, tf->body, &res, false);
        } else if (strcmp(res.hash, recorded) == 0) {
            printf("replay %s: identical (trace %s)\n", s->name, res.hash);
            ret = EXIT_PASS;
        } else {
            /* where the recorded run and this one part */
            print_difference(s->name, recorded, tf->body, res.hash,
                             res.trace);
            printf("replay %s: differs (recorded %s, this run %s)\n",
                   s->name, recorded, res.hash);
            ret = EXIT_NONDETERMINISM;
        }
        run_result_clear(&res);
        goto out;
    }
    g_clear_pointer(&error, g_free);
    /* a scenario: run it twice */
    if (resolve_backend(&c) < 0)
        goto out;
    if (!(s = scn_load(argv[optind], &error))) {
        fprintf(stderr, "%s\n", error);
        goto out;
    }
    if (run_scenario(s, &c.opt, &res) < 0) {
        fprintf(stderr, "hvd replay: %s\n", res.message);
        run_result_clear(&res);
        ret = EXIT_UNREACHABLE;
        goto out;
    }
    if (strcmp(c.opt.backend, "fake") != 0) {
        /* a real run's times differ every time: compare what it did */
        run_result again = {0};

        if (run_scenario(s, &c.opt, &again) < 0) {
            fprintf(stderr, "hvd replay: %s\n", again.message);
            ret = EXIT_UNREACHABLE;
        } else {
            ret = replay_compare_real(s->name, res.trace, &again, true);
        }
        run_result_clear(&again);
    } else if (differs(s, &c.opt, &res)) {
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
    cli_clear(&c);
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


/* text on one line: every run of white space made one space (g_free) */
static char *
one_line(const char *text)
{
    char **words = g_strsplit_set(text ? text : "", " \t\r\n", -1);
    GString *s = g_string_new(NULL);

    for (char **w = words; *w; w++) {
        if (!**w)
            continue;
        if (s->len)
            g_string_append_c(s, ' ');
        g_string_append(s, *w);
    }
    g_strfreev(words);
    return g_string_free(s, FALSE);
}

static int
cmd_list(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static char *default_paths[] = {"scenarios"};
    GPtrArray *patterns = g_ptr_array_new(), *files, *rows;
    char **paths = default_paths;
    int bad = 0, npaths = 1, o, width[3] = {0, 0, 0};

    optind = 1;
    while ((o = getopt_long(argc, argv, "k:h", longopts, NULL)) != -1) {
        switch (o) {
        case 'k':
            g_ptr_array_add(patterns, optarg);
            break;
        case 'h':
            usage_list(stdout);
            g_ptr_array_free(patterns, TRUE);
            return EXIT_PASS;
        default:
            usage_list(stderr);
            g_ptr_array_free(patterns, TRUE);
            return EXIT_BAD_INPUT;
        }
    }
    if (optind < argc) {
        paths = argv + optind;
        npaths = argc - optind;
    }
    files = collect_all(paths, npaths, &bad);
    /* name, family, backends, description: columns as wide as needed */
    rows = g_ptr_array_new_full(files->len, (GDestroyNotify)g_strfreev);
    for (guint i = 0; i < files->len; i++) {
        const char *path = g_ptr_array_index(files, i);
        char *error = NULL, *dir, **row;
        scn *s = scn_load(path, &error);

        if (!s) {
            fprintf(stderr, "%s\n", error);
            g_free(error);
            bad++;
            continue;
        }
        if (name_selected(patterns, s->name)) {
            dir = g_path_get_dirname(path);
            row = g_new0(char *, 5);
            row[0] = g_strdup(s->name);
            row[1] = g_path_get_basename(dir);
            row[2] = s->backends ? g_strjoinv(",", s->backends)
                                 : g_strdup("-");
            row[3] = one_line(s->description);
            for (int k = 0; k < 3; k++)
                width[k] = MAX(width[k], (int)g_utf8_strlen(row[k], -1));
            g_ptr_array_add(rows, row);
            g_free(dir);
        }
        scn_free(s);
    }
    for (guint i = 0; i < rows->len; i++) {
        char **row = g_ptr_array_index(rows, i);

        for (int k = 0; k < 3; k++)
            printf("%s%*s  ", row[k],
                   width[k] - (int)g_utf8_strlen(row[k], -1), "");
        printf("%s\n", row[3]);
    }
    if (patterns->len && rows->len == 0 && !bad) {
        fprintf(stderr, "hvd list: no scenario is named as -k asks\n");
        bad++;
    }
    g_ptr_array_free(rows, TRUE);
    g_ptr_array_free(files, TRUE);
    g_ptr_array_free(patterns, TRUE);
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
    if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("hvd %s\n", HVD_VERSION);
        return EXIT_PASS;
    }
    if (strcmp(argv[1], "run") == 0)
        return cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "replay") == 0)
        return cmd_replay(argc - 1, argv + 1);
    if (strcmp(argv[1], "validate") == 0)
        return cmd_validate(argc - 1, argv + 1);
    if (strcmp(argv[1], "list") == 0)
        return cmd_list(argc - 1, argv + 1);

    fprintf(stderr, "hvd: unknown command '%s'\n", argv[1]);
    usage_main(stderr);
    return EXIT_BAD_INPUT;
}
