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
#include <stdio.h>
#include <string.h>

#include "cmd-priv.h"
#include "version.h"

int
main(int argc, char **argv)
{
    if (argc < 2) {
        cmd_usage_main(stderr);
        return EXIT_BAD_INPUT;
    }
    if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        cmd_usage_main(stdout);
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
    cmd_usage_main(stderr);
    return EXIT_BAD_INPUT;
}
