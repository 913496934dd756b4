/*
 * bench-hv.c: the hv layer's speed and the fake's memory, with figures.
 *
 *  - get-info calls per second through the hv wrappers, on the fake with
 *    100,000 defined domains, and on libvirt's test:///default;
 *  - lookup by name at 1,000 and at 100,000 domains (O(1): the times match);
 *  - heap bytes per defined fake domain (resident set growth / domains).
 *
 * Targets (issue 2): >= 2,000,000 get-info/s on one core; <= 8 KiB per
 * domain; 100,000 domains in one world. This program prints; it does not
 * judge (benchmarks never assert). Usage: bench-hv [domains] [seconds]
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"
#include "hv-libvirt.h"
#include "hv.h"

static double
wall(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Resident set size in bytes, from /proc/self/statm. */
static long
rss_bytes(void)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (!f)
        return 0;
    if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static char *
domain_xml(const char *type, unsigned int i)
{
    return g_strdup_printf(
        "<domain type='%s'><name>bench-%06u</name>"
        "<memory unit='MiB'>128</memory><vcpu>1</vcpu>"
        "<os><type arch='x86_64' machine='pc'>hvm</type>"
        "<kernel>/var/cache/hvd/tiny-guest/vmlinuz</kernel>"
        "<initrd>/var/cache/hvd/tiny-guest/initrd.gz</initrd>"
        "<cmdline>console=ttyS0 panic=-1 quiet</cmdline></os>"
        "<features><acpi/></features>"
        "<devices><disk type='file' device='disk'>"
        "<driver name='qemu' type='qcow2'/>"
        "<source file='/var/lib/hvd/images/bench-%06u.qcow2'/>"
        "<target dev='vda' bus='virtio'/></disk>"
        "<interface type='bridge'><mac address='52:54:00:%02x:%02x:%02x'/>"
        "<source bridge='br0'/><model type='virtio'/></interface>"
        "</devices></domain>",
        type, i, i, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
}

/* Define n domains; returns the handles. */
static hv_domain **
define_many(hv_conn *conn, const char *type, unsigned int n)
{
    hv_domain **doms = g_new0(hv_domain *, n);
    hv_error err;

    for (unsigned int i = 0; i < n; i++) {
        char *xml = domain_xml(type, i);
        doms[i] = hv_domain_define(conn, xml, &err);
        g_free(xml);
        if (!doms[i]) {
            fprintf(stderr, "define %u: %s\n", i, err.message);
            exit(1);
        }
    }
    return doms;
}

/* get-info calls per second for about 'seconds', over the handles. */
static double
get_info_rate(hv_domain **doms, unsigned int n, double seconds)
{
    hv_domain_info info;
    hv_error err;
    uint64_t calls = 0;
    double t0 = wall(), t;
    unsigned int k = 0;

    do {
        for (int i = 0; i < 10000; i++) {
            if (hv_domain_get_info(doms[k], &info, &err) < 0) {
                fprintf(stderr, "get_info: %s\n", err.message);
                exit(1);
            }
            k = (k + 7919) % n; /* stride through the table */
        }
        calls += 10000;
        t = wall() - t0;
    } while (t < seconds);
    return (double)calls / t;
}

/* Mean ns per lookup by name over 'rounds' lookups. */
static double
lookup_ns(hv_conn *conn, unsigned int n, unsigned int rounds)
{
    hv_error err;
    double t0 = wall();

    for (unsigned int i = 0; i < rounds; i++) {
        char name[32];
        hv_domain *d;

        g_snprintf(name, sizeof(name), "bench-%06u", (i * 7919) % n);
        d = hv_domain_lookup_by_name(conn, name, &err);
        if (!d) {
            fprintf(stderr, "lookup %s: %s\n", name, err.message);
            exit(1);
        }
        hv_domain_free(d);
    }
    return (wall() - t0) * 1e9 / rounds;
}

int
main(int argc, char **argv)
{
    unsigned int n = argc > 1 ? (unsigned int)g_ascii_strtoull(argv[1], NULL, 10)
                              : 100000;
    double secs = argc > 2 ? g_ascii_strtod(argv[2], NULL) : 1.0;
    fake_host_spec spec = {.name = "bench", .vcpus = 4096,
                           .memory_mib = 64 << 20, .disk_gib = 1 << 20};
    unsigned int n_small = n < 1000 ? n : 1000;
    unsigned int n_test = 1000;
    sim_world *w;
    fake_host *h;
    hv_conn *conn, *tconn;
    hv_domain **doms, **tdoms;
    hv_error err;
    long rss0, rss1;
    double t0, define_s, fake_rate, test_rate, l_small, l_big;

    if (n < 1 || secs <= 0) {
        fprintf(stderr, "usage: %s [domains >= 1] [seconds > 0]\n", argv[0]);
        return 2;
    }
    printf("# bench-hv: %u fake domains, %.1f s per rate\n", n, secs);

    /* fake: lookups at 1,000 domains first, then grow to n */
    w = fake_world_new(1);
    h = fake_host_add(w, &spec, &err);
    conn = fake_conn_open(w, "bench", &err);
    if (!h || !conn) {
        fprintf(stderr, "fake: %s\n", err.message);
        return 1;
    }
    rss0 = rss_bytes();
    t0 = wall();
    doms = define_many(conn, "qemu", n);
    define_s = wall() - t0;
    rss1 = rss_bytes();
    l_big = lookup_ns(conn, n, 200000);
    fake_rate = get_info_rate(doms, n, secs);

    {
        sim_world *w2 = fake_world_new(1);
        hv_conn *c2;
        hv_domain **d2;

        fake_host_add(w2, &spec, &err);
        c2 = fake_conn_open(w2, "bench", &err);
        d2 = define_many(c2, "qemu", n_small);
        l_small = lookup_ns(c2, n_small, 200000);
        hv_domain_list_free(d2, (int)n_small);
        hv_conn_close(c2);
        fake_world_free(w2);
    }

    printf("fake: defined %u domains in %.2f s (%.0f/s)\n", n, define_s,
           n / define_s);
    printf("fake: resident growth %.0f bytes/domain (handles included); "
           "domain records %.0f bytes/domain; target <= 8192\n",
           (double)(rss1 - rss0) / n,
           (double)fake_host_domain_bytes(h) / n);
    printf("fake: lookup by name %.0f ns at %u domains, %.0f ns at %u "
           "(ratio %.2f; O(1) gives ~1)\n",
           l_small, n_small, l_big, n, l_big / l_small);
    printf("fake: get_info %.0f calls/s (target >= 2000000)\n", fake_rate);

    /* the same through the libvirt backend on test:///default */
    tconn = hv_libvirt_open("test:///default", &err);
    if (!tconn) {
        printf("test:///default: unavailable (%s)\n", err.message);
    } else {
        tdoms = define_many(tconn, "test", n_test);
        test_rate = get_info_rate(tdoms, n_test, secs);
        printf("test:///default: get_info %.0f calls/s at %u domains\n",
               test_rate, n_test);
        printf("ratio fake/test:///default get_info: %.1fx\n",
               fake_rate / test_rate);
        for (unsigned int i = 0; i < n_test; i++)
            hv_domain_undefine(tdoms[i], 0, &err);
        hv_domain_list_free(tdoms, (int)n_test);
        hv_conn_close(tconn);
    }

    hv_domain_list_free(doms, (int)n);
    hv_conn_close(conn);
    fake_world_free(w);
    return 0;
}
