/*
 * cmd-validate.c: hvd validate: scenario files checked without running.
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "cmd-priv.h"
#include "scn.h"

int
cmd_validate(int argc, char **argv)
{
    GPtrArray *files;
    int bad = 0;
    unsigned int ok = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cmd_usage_validate(stdout);
            return EXIT_PASS;
        }
    }
    if (argc < 2) {
        cmd_usage_validate(stderr);
        return EXIT_BAD_INPUT;
    }
    files = walk_collect_all(argv + 1, argc - 1, &bad);
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
