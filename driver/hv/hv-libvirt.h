/*
 * hv-libvirt.h: the real backend of the hv layer, on the libvirt C API.
 *
 * One libvirt connection per hv_conn, on any URI libvirt accepts
 * (qemu:///system, test:///default, qemu+unix:///system?socket=...,
 * qemu+ssh://host/system). Everything else goes through hv.h.
 *
 * Process-wide effects of the first open (done once, whatever the URI):
 *  - libvirt's default event loop is registered and run forever on a thread
 *    of its own ("hv-libvirt-events"); events are only copied there and
 *    reach the caller from hv_sleep()/hv_dispatch_events();
 *  - libvirt's global error handler becomes a no-op, so libvirt never
 *    prints to stderr (errors still reach the caller through hv_error);
 *  - SIGPIPE is ignored if it still had its default action: libvirt writes
 *    to its sockets with write(2), and a daemon that goes away must fail
 *    the call, not kill the process.
 */
#ifndef HVD_HV_LIBVIRT_H
#define HVD_HV_LIBVIRT_H

#include "hv.h"

/*
 * Open a libvirt connection on uri (NULL: libvirt's default URI).
 * Returns a connection the caller closes with hv_conn_close(), or NULL with
 * err holding libvirt's code and message (e.g. HV_ERR_SYSTEM_ERROR + errno
 * when the daemon's socket is missing, HV_ERR_NO_CONNECT for an unknown
 * driver).
 */
hv_conn *hv_libvirt_open(const char *uri, hv_error *err);

#endif /* HVD_HV_LIBVIRT_H */
