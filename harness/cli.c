/*
 * cli.c: the command line of run and replay (cli): options, then the
 * backend's hosts and real settings.
 */
#include <getopt.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-priv.h"
#include "settings.h"

/* The most scenarios run at once by -j. */
#define MAX_JOBS 256

enum {
    OPT_JUNIT = 256,
    OPT_VIRT_TYPE,
    OPT_GUEST_KERNEL,
    OPT_GUEST_INITRD,
    OPT_MIGRATION_URI,
};

void
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
int
cli_parse(int argc, char **argv, cli *c, unsigned int what,
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
        {"migration-uri", required_argument, NULL, OPT_MIGRATION_URI},
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
        case OPT_MIGRATION_URI:
            c->migration_uri = optarg;
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
int
cli_resolve_backend(cli *c)
{
    char *note = NULL, *error = NULL;
    const settings *st = &c->st;

    if (strcmp(c->opt.backend, "libvirt") != 0) {
        if (c->virt_type || c->guest_kernel || c->guest_initrd ||
            c->migration_uri)
            fprintf(stderr, "hvd %s: --virt-type, --guest-kernel, "
                            "--guest-initrd and --migration-uri are for real "
                            "runs (--backend libvirt): not used on the "
                            "fake\n", c->cmd);
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
                         c->guest_initrd, c->migration_uri, &note,
                         &error) < 0) {
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
    c->opt.migration_uri = st->migration_uri.value;
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
    if (st->migration_uri.value)
        printf("# real run: hosts reach each other at %s (from %s)\n",
               st->migration_uri.value, st->migration_uri.from);
    fflush(stdout);
    return 0;
}
