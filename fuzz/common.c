/*
 * common.c: what the fuzz targets share — the table of targets, the input
 * as text, and the one way a target reports a broken property.
 */
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

const fuzz_target fuzz_targets[] = {
    {"scn-parse", fuzz_scn_parse},
    {"config-load", fuzz_config_load},
    {"instance-load", fuzz_instance_load},
    {"domain-xml", fuzz_domain_xml},
    {"fake-xml", fuzz_fake_xml},
    {"scn-run", fuzz_scn_run},
    {NULL, NULL},
};

char *
fuzz_text(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, '\0', size);

    return g_strndup((const char *)data,
                     nul ? (size_t)(nul - data) : size);
}

void
fuzz_fail(const char *target, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "fuzz %s: ", target);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
