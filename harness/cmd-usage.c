/*
 * cmd-usage.c: the usage texts of hvd and of each of its commands.
 */
#include <stdio.h>

#include "cmd-priv.h"
#include "settings.h"

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
    "  --guest-initrd PATH    its initramfs\n"
    "  --migration-uri URI    how one host reaches another, %s for its name\n"
    "                         (migration_uri, HVD_MIGRATION_URI; "
    "ci/host-b.sh prints it)\n";

void
cmd_usage_main(FILE *out)
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

void
cmd_usage_run(FILE *out)
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

void
cmd_usage_replay(FILE *out)
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

void
cmd_usage_validate(FILE *out)
{
    fprintf(out,
            "usage: hvd validate PATH...\n\n"
            "Parses every scenario and reports each problem as "
            "FILE:LINE:COLUMN: $.path: what.\n\n%s",
            exit_codes);
}

void
cmd_usage_list(FILE *out)
{
    fprintf(out,
            "usage: hvd list [-k PATTERN]... [PATH...]\n\n"
            "One line per scenario: its name, its family (the folder it is "
            "in), the\nbackends it runs on and its description. PATH "
            "defaults to ./scenarios.\n\n%s",
            exit_codes);
}
