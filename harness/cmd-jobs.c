/*
 * cmd-jobs.c: hvd run -j: each scenario run in a worker process, its
 * outcome handed back to the parent, which reports them in order.
 */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd-priv.h"
#include "trace.h"

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

/* Start the worker of the scenario at path (one of files, which the
 * worker frees); with no worker (no process, no temporary file) pid is 0
 * and cmd_job_finish runs it here. */
void
cmd_job_start(const cli *c, GPtrArray *files, const char *path, job *j)
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
    cmd_run_one(c, path, &o);
    put_outcome(j->res, &o);
    cmd_outcome_clear(&o);
    /* what only the parent uses, freed so that a leak check of the
     * worker (valgrind follows forks) sees its own memory only */
    g_ptr_array_free(files, TRUE);
    _exit(fflush(NULL) == 0 && !ferror(j->res) ? 0 : 1);
}

/* Wait for the worker of the scenario at path and take its outcome. */
void
cmd_job_finish(const cli *c, const char *path, job *j, outcome *o)
{
    int status = 0;

    memset(o, 0, sizeof(*o));
    if (j->pid <= 0) {
        cmd_run_one(c, path, o);
    } else {
        while (waitpid(j->pid, &status, 0) < 0 && errno == EINTR)
            ;
        rewind(j->res);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
            !get_outcome(j->res, o)) {
            cmd_outcome_clear(o);
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
