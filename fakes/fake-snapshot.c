/*
 * fake-snapshot.c: what a snapshot and the guest agent reach on the fake:
 * a volume made from another of the pool (the record flattened: no
 * backing file, the chain's data as its allocation, made at once), the
 * QEMU guest agent of a guest (guest behaviour "agent"; it answers only
 * on a running domain whose definition has the agent channel, once the
 * guest has booted), and the block copy job of a live snapshot, which
 * copies at FAKE_BLOCK_COPY_MIB MiB/s of virtual time.
 *
 * Errors are those libvirt 9.0's QEMU driver gives (docs/conformance.md;
 * tests/test-conformance.c pins the agent's on real QEMU).
 */
#include "fake-priv.h"

#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>

#define MIB (UINT64_C(1) << 20)
#define FAKE_BLOCK_COPY_MIB 100
#define QGA_CHANNEL "org.qemu.guest_agent.0"
/* the one filesystem a tiny guest has mounted */
#define GUEST_FILESYSTEMS 1

/* ---- volumes ---- */

/* The allocation of a volume and of the chain of pool volumes behind it,
 * at most its capacity (what qemu-img convert writes). */
static uint64_t
chain_allocation(hv_conn *conn, const char *pool, const hv_vol_info *top)
{
    uint64_t total = top->allocation;
    hv_vol_info vi = *top;
    hv_error hv;

    /* a chain is short; the bound keeps a looped one finite */
    for (int depth = 0; depth < 16 && vi.backing_path[0]; depth++) {
        const char *name = fake_vol_name_of_path(vi.backing_path);

        /* a slot called directly: no wrapper has reset the record */
        hv_error_reset(&hv);
        if (!name || fk_vol_get_info(conn, pool, name, &vi, &hv) < 0)
            break;
        total += vi.allocation;
    }
    return total < top->capacity ? total : top->capacity;
}

int
fk_vol_create_from(hv_conn *conn, const char *pool, const hv_vol_spec *spec,
                   const char *src, hv_error *err)
{
    fake_conn *c = fake_conn_of(conn);
    hv_vol_info vi, exists;
    hv_vol_spec copy;
    hv_error ignored;

    if (fk_vol_get_info(conn, pool, src, &vi, err) < 0)
        return -1;
    copy = (hv_vol_spec){.name = spec->name, .capacity = vi.capacity,
                         .allocation = chain_allocation(conn, pool, &vi),
                         .format = spec->format ? spec->format : vi.format};
    /* a name taken: unlike a plain create (STORAGE_VOL_EXIST), libvirt
     * 9.0's virStorageVolCreateXMLFrom says so as an internal error
     * (measured, docs/conformance.md) */
    hv_error_reset(&ignored);
    if (fk_vol_get_info(conn, pool, spec->name, &exists, &ignored) == 0) {
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "internal error: storage volume name '%s' already in "
                     "use.", spec->name);
        return -1;
    }
    if (copy.allocation > fake_pool_available(c->host)) {
        hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                     "internal error: Child process (qemu-img convert -f %s "
                     "-O %s %s/%s %s/%s) unexpected exit status 1: "
                     "qemu-img: error while writing at byte 0: No space "
                     "left on device", vi.format, copy.format,
                     FAKE_POOL_PATH, src, FAKE_POOL_PATH, spec->name);
        return -1;
    }
    return fk_vol_create(conn, pool, &copy, err);
}

/* ---- the guest agent ---- */

/* The first string an XPath expression gives on xml, or NULL (g_free). */
static char *
xml_string(const char *xml, const char *xpath)
{
    xmlDocPtr doc;
    xmlXPathContextPtr ctx = NULL;
    xmlXPathObjectPtr res = NULL;
    char *out = NULL;

    if (!xml)
        return NULL;
    doc = xmlReadMemory(xml, (int)strlen(xml), "live.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR |
                            XML_PARSE_NOWARNING);
    if (doc && (ctx = xmlXPathNewContext(doc)) &&
        (res = xmlXPathEvalExpression((const xmlChar *)xpath, ctx)) &&
        res->type == XPATH_STRING && res->stringval && res->stringval[0])
        out = g_strdup((const char *)res->stringval);
    xmlXPathFreeObject(res);
    xmlXPathFreeContext(ctx);
    xmlFreeDoc(doc);
    return out;
}

/*
 * The domain's agent, as libvirt's qemuDomainAgentAvailable decides: the
 * domain must be running (paused is not), its definition must have the
 * agent's channel, and an agent must be connected on it.
 */
static fake_dom *
agent_domain(hv_domain *dom, hv_error *err)
{
    fake_dom *d = fake_dom_of(dom, err);
    char *name;

    if (!d)
        return NULL;
    if (d->state != HV_STATE_RUNNING) {
        hv_error_set(err, HV_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: domain is not "
                     "running");
        return NULL;
    }
    name = xml_string(d->live_xml, "string(/domain/devices/channel/target"
                                   "[@name='" QGA_CHANNEL "']/@name)");
    if (!name) {
        hv_error_set(err, HV_ERR_ARGUMENT_UNSUPPORTED,
                     "argument unsupported: QEMU guest agent is not "
                     "configured");
        return NULL;
    }
    g_free(name);
    if (!d->guest.agent || !d->os_up) {
        hv_error_set(err, HV_ERR_AGENT_UNRESPONSIVE,
                     "Guest agent is not responding: QEMU guest agent is "
                     "not connected");
        return NULL;
    }
    return d;
}

static bool
frozen(const fake_dom *d)
{
    return d->fs_frozen && d->fs_frozen_life == d->life;
}

/* qemu-ga refuses most commands while the filesystems are frozen. */
static int
agent_refuses(const char *command, hv_error *err)
{
    hv_error_set(err, HV_ERR_INTERNAL_ERROR,
                 "internal error: unable to execute QEMU agent command "
                 "'%s': Command %s has been disabled: the agent is in "
                 "frozen state", command, command);
    return -1;
}

int
fk_domain_fs_freeze(hv_domain *dom, int *count, hv_error *err)
{
    fake_dom *d = agent_domain(dom, err);

    if (!d)
        return -1;
    if (frozen(d))
        return agent_refuses("guest-fsfreeze-freeze", err);
    d->fs_frozen = true;
    d->fs_frozen_life = d->life;
    *count = GUEST_FILESYSTEMS;
    return 0;
}

int
fk_domain_fs_thaw(hv_domain *dom, int *count, hv_error *err)
{
    fake_dom *d = agent_domain(dom, err);

    if (!d)
        return -1;
    /* thawing what is not frozen thaws nothing: 0, no error */
    *count = frozen(d) ? GUEST_FILESYSTEMS : 0;
    d->fs_frozen = false;
    return 0;
}

int
fk_domain_set_user_password(hv_domain *dom, const char *user,
                            const char *password, unsigned int flags,
                            hv_error *err)
{
    fake_dom *d;

    (void)user;
    (void)password;
    if (flags) {
        hv_error_set(err, HV_ERR_INVALID_ARG,
                     "invalid argument: unsupported flags (0x%x) in function "
                     "qemuDomainSetUserPassword", flags);
        return -1;
    }
    if (!(d = agent_domain(dom, err)))
        return -1;
    if (frozen(d))
        return agent_refuses("guest-set-user-password", err);
    /* the guest keeps the password; nothing of it stays in the model */
    return 0;
}

/* ---- block jobs ---- */
