/*
 * report.h: what a run of scenarios tells people and CI — TAP on stdout,
 * a summary line, JUnit XML, and on failure the step, the expectation,
 * the last trace lines and a command that reproduces it.
 */
#ifndef HVD_REPORT_H
#define HVD_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "run.h"

typedef struct report report;

/* A report on 'out' (borrowed) for runs on 'backend'. */
report *report_new(FILE *out, const char *backend);
void report_free(report *rp);
/* Quiet: no line for a scenario that passed or was skipped, no plan;
 * failures and the summary line only. */
void report_set_quiet(report *rp, bool quiet);
/* Record one scenario's result and print its TAP line(s). 'repro' is the
 * command that reproduces a failure (copied). */
void report_add(report *rp, const char *path, const char *name,
                const run_result *res, const char *repro);
/* A scenario that could not be run at all (counted as failed). */
void report_error(report *rp, const char *path, const char *message);
/* Print the plan and the closing "N passed, N failed, N skipped" line. */
void report_finish(report *rp);
/*
 * Write the JUnit XML report to 'path' through outfile_write (outfile.h):
 * a new or an existing regular file, never a device, a FIFO or a link.
 * Every text is made XML text on the way (invalid UTF-8 and characters
 * XML forbids shown as U+FFFD; paths as g_filename_display_name shows
 * them), so the report always parses. Returns 0, or -1 with *error
 * (g_free): "cannot write JUnit report PATH: why".
 */
int report_write_junit(const report *rp, const char *path, char **error);
unsigned int report_failed(const report *rp);

#endif /* HVD_REPORT_H */
