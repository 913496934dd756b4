/*
 * cmd-priv.h: what the files of the hvd command share (private to
 * harness/; main.c is the command's main, the other files are in
 * libhvdharness.a).
 *
 *   main.c          main(): --help, --version, the command dispatch
 *   cmd-usage.c     the usage/help texts of hvd and of each command
 *   cli.c           the options of run and replay (cli), the backend check
 *   walk.c          the scenario files of the paths given (folders walked
 *                   once each, by device and inode)
 *   cmd-run.c       hvd run: one scenario run, its report, its trace
 *   cmd-jobs.c      hvd run -j: each scenario in a worker process
 *   cmd-compare.c   determinism (two runs) and --compare (with the fake)
 *   cmd-replay.c    hvd replay: a trace or a scenario
 *   cmd-validate.c  hvd validate
 *   cmd-list.c      hvd list, and the -k name match run shares
 */
#ifndef HVD_CMD_PRIV_H
#define HVD_CMD_PRIV_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "run.h"
#include "scn.h"
#include "settings.h"

/* hvd's exit codes (listed in main.c's head comment). */
enum {
    EXIT_PASS = 0,
    EXIT_FAIL = 1,
    EXIT_BAD_INPUT = SCN_EXIT_BAD_INPUT,
    EXIT_NONDETERMINISM = 3,
    EXIT_UNREACHABLE = 4,
};

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
    const char *virt_type, *guest_kernel, *guest_initrd, *migration_uri;
    settings st;
} cli;

/* What a command accepts beyond --backend, --host, the real settings, -v
 * and --help. */
enum {
    CLI_RUN = 1 << 0, /* --junit, --trace, -d, -c, -k, --seed, -j, -q */
};

/* What running one scenario gave: made by cmd_run_one, in this process or a
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

/* A scenario running in a worker: its process, and the files its outcome,
 * stdout and stderr go to (unlinked temporary files). */
typedef struct job {
    pid_t pid;
    FILE *res, *out, *err;
} job;

/* cmd-usage.c: the usage of hvd, then of each command, on out. */
void cmd_usage_main(FILE *out);
/* The usage of hvd run on out. */
void cmd_usage_run(FILE *out);
/* The usage of hvd replay on out. */
void cmd_usage_replay(FILE *out);
/* The usage of hvd validate on out. */
void cmd_usage_validate(FILE *out);
/* The usage of hvd list on out. */
void cmd_usage_list(FILE *out);

/* cli.c: free what c holds (not c itself). */
void cli_clear(cli *c);
/* Parse run's or replay's options (what: CLI_* bits) into c; -1 printed. */
int cli_parse(int argc, char **argv, cli *c, unsigned int what,
              void (*usage)(FILE *));
/* Check the hosts and resolve the real settings of c's backend; -1 printed. */
int cli_resolve_backend(cli *c);

/* walk.c: the scenario files of paths[0..n) (g_free); problems in *bad. */
GPtrArray *walk_collect_all(char **paths, int n, int *bad);

/* cmd-compare.c: 1 (printed) if two traces of scenario 'name' differ. */
int cmd_print_difference(const char *name, const char *hash_a,
                         const char *trace_a, const char *hash_b,
                         const char *trace_b);
/* Run s again and compare with 'first'; 1 (printed) if the traces differ. */
int cmd_differs(const scn *s, const run_options *opt,
                const run_result *first);
/* Run s on the fake too; fail res when the normalised traces differ. */
void cmd_compare_with_fake(const scn *s, run_result *res);

/* cmd-run.c: free what o holds and zero it. */
void cmd_outcome_clear(outcome *o);
/* Load and run the scenario at path as c says, into *o. */
void cmd_run_one(const cli *c, const char *path, outcome *o);
/* hvd run: argv[0] is "run"; an exit code. */
int cmd_run(int argc, char **argv);

/* cmd-jobs.c: start the -j worker of the scenario at path into *j. */
void cmd_job_start(const cli *c, GPtrArray *files, const char *path, job *j);
/* Wait for the worker *j of the scenario at path and take its outcome. */
void cmd_job_finish(const cli *c, const char *path, job *j, outcome *o);

/* cmd-replay.c: hvd replay: argv[0] is "replay"; an exit code. */
int cmd_replay(int argc, char **argv);

/* cmd-validate.c: hvd validate: argv[0] is "validate"; an exit code. */
int cmd_validate(int argc, char **argv);

/* cmd-list.c: does name match one of the -k globs (all when none)? */
bool cmd_name_selected(const GPtrArray *patterns, const char *name);
/* hvd list: argv[0] is "list"; an exit code. */
int cmd_list(int argc, char **argv);

#endif
