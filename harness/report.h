/*
 * report.h: what a run of scenarios tells people and CI — TAP on stdout,
 * a summary line, JUnit XML, and on failure the step, the expectation,
 * the last trace lines and a command that reproduces it.
 */
#ifndef HVD_REPORT_H
#define HVD_REPORT_H

#include <stdio.h>

#include "run.h"

typedef struct report report;

/* A report on 'out' (borrowed) for runs on 'backend'. */
report *report_new(FILE *out, const char *backend);
void report_free(report *rp);
/* Record one scenario's result and print its TAP line(s). 'repro' is the
 * command that reproduces a failure (copied). */
void report_add(report *rp, const char *path, const char *name,
                const run_result *res, const char *repro);
/* A scenario that could not be run at all (counted as failed). */
void report_error(report *rp, const char *path, const char *message);
/* Print the plan and the closing "N passed, N failed, N skipped" line. */
void report_finish(report *rp);
/* Write JUnit XML; -1 with errno-style message on stderr if it fails. */
int report_write_junit(const report *rp, const char *path);
unsigned int report_failed(const report *rp);

#endif /* HVD_REPORT_H */
