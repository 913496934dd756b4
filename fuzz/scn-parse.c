/*
 * scn-parse.c: the scenario parser on arbitrary bytes. Checks: no crash,
 * no leak (ASan), and a refusal always says where: the error is set and
 * starts with the source name ("fuzz:LINE:COLUMN: ..." or "fuzz: ...").
 */
#include <glib.h>
#include <string.h>

#include "fuzz.h"
#include "scn.h"

#define SOURCE "fuzz"

int
fuzz_scn_parse(const uint8_t *data, size_t size)
{
    g_autofree char *text = fuzz_text(data, size);
    g_autofree char *error = NULL;
    scn *s = scn_parse(text, SOURCE, &error);

    if (s) {
        if (error)
            fuzz_fail("scn-parse", "parsed, yet an error: %s", error);
        scn_free(s);
        return 0;
    }
    if (!error || !g_str_has_prefix(error, SOURCE ":"))
        fuzz_fail("scn-parse", "refused without saying where: %s",
                  error ? error : "(no error)");
    return 0;
}
