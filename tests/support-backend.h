/*
 * support-backend.h: what every test program needs to run the same test on
 * each backend — open it, build guest XML for it, wait on it, record its
 * events, and clean up what a test made.
 *
 * Backends:
 *   fake  — the fake hypervisor, one fresh world (seed 1) per test;
 *   test  — libvirt's test:///default (one shared instance per process);
 *   qemu  — qemu:///system with the tiny guest (HVD_GUEST_KERNEL and
 *           HVD_GUEST_INITRD from ci/tiny-guest.sh, HVD_VIRT_TYPE from
 *           ci/guest-probe.sh); only when HVD_REAL=1 (make check-real).
 */
#ifndef HVD_TEST_SUPPORT_BACKEND_H
#define HVD_TEST_SUPPORT_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include "fake.h"
#include "hv.h"

typedef enum {
    TB_FAKE = 1 << 0,
    TB_TEST = 1 << 1,
    TB_QEMU = 1 << 2,
    TB_ALL = TB_FAKE | TB_TEST | TB_QEMU,
} tb_kind;

typedef struct tb_event {
    int type, detail, id;
    char name[96];
} tb_event;

typedef struct tb {
    tb_kind kind;
    const char *label; /* "fake", "test:///default", "qemu:///system" */
    hv_conn *conn;
    sim_world *world; /* fake only */
    const char *pool; /* storage pool for volumes */
    char prefix[48];  /* unique name prefix for this test's objects */
    unsigned int serial;
    tb_event events[256];
    unsigned int nevents;
    char **made_domains; /* g_strv of names to clean up */
    char **made_vols;
} tb;

/* Can this backend run here? NULL if yes, else why not (static string). */
const char *tb_unavailable(tb_kind kind);
const char *tb_kind_name(tb_kind kind);

/* Open a backend for one test and register the event recorder. */
tb *tb_open(tb_kind kind, const char *test_name);
/* Destroy/undefine every domain and delete every volume the test made,
 * then close. */
void tb_close(tb *t);

/* A fresh domain name owned by this test (cleaned up by tb_close). */
const char *tb_name(tb *t, char *buf, size_t len);
/* Domain XML for the tiny guest (the fake and test driver get the same
 * shape). noacpi makes the guest ignore ACPI. g_free the result. */
char *tb_domain_xml(tb *t, const char *name, bool noacpi);
/* Record a volume name to delete at the end. */
void tb_track_vol(tb *t, const char *name);

/* Define (and optionally start) a tiny guest; asserts success. */
hv_domain *tb_define(tb *t, const char *name, bool noacpi);
hv_domain *tb_start_new(tb *t, const char *name, bool noacpi);

/* Let time pass on the backend's clock (events recorded meanwhile). */
void tb_sleep_ms(tb *t, int64_t ms);
/* Wait until the guest OS is up and handles ACPI (real: its ready line on
 * the serial console; fake: its boot time; test: nothing). */
void tb_wait_guest_ready(tb *t, const char *name);
/* Poll the state until it is 'state' or timeout; returns the last state. */
int tb_wait_state(tb *t, hv_domain *dom, int state, int64_t timeout_ms);
/* Wait until the domain is gone (NO_DOMAIN) or timeout; true if gone. */
bool tb_wait_gone(tb *t, const char *name, int64_t timeout_ms);

/* Events recorded for 'name', as "TYPE/DETAIL" joined by spaces. g_free. */
char *tb_events_of(tb *t, const char *name);
/* Wait until the event string of name has at least n events. */
void tb_wait_events(tb *t, const char *name, unsigned int n,
                    int64_t timeout_ms);
void tb_events_clear(tb *t);

/* Make the guest of running domain 'name' crash now, as its QEMU process
 * dying would: fake, fake_domain_crash; qemu, SIGKILL to the pid libvirt
 * keeps in /run/libvirt/qemu/NAME.pid. 0 done; -1 not possible on this
 * backend (test:///default has no process) with *why set (static string);
 * a failure to kill on qemu fails the test. */
int tb_crash_guest(tb *t, const char *name, const char **why);

/* State and id of a domain, asserting the call works. */
int tb_state(hv_domain *dom, int *reason);
int tb_id(hv_domain *dom);

#endif /* HVD_TEST_SUPPORT_BACKEND_H */
